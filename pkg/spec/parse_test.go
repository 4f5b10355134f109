package spec_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/spec"
)

// The names of package kind's kinds, as Spec.Kind holds them.
const (
	kCRD         = "crd"
	kDeployment  = "deployment"
	kStatefulSet = "statefulset"
	kDaemonSet   = "daemonset"
	kJob         = "job"
	kService     = "service"
	kPods        = "pods"
	kValidating  = "validatingwebhookconfiguration"
	kMutating    = "mutatingwebhookconfiguration"
	kAPIService  = "apiservice"
)

// typ parses a resource type name a test case is sure of.
func typ(s string) apitype.Name {
	n, err := apitype.ParseName(s)
	if err != nil {
		panic(err)
	}
	return n
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arg  string
		want spec.Spec
		// str is what String gives; empty means arg itself.
		str string
	}{
		{arg: "crd/tenants.minio.min.io", want: spec.Spec{Kind: kCRD, Name: "tenants.minio.min.io"}},
		{arg: "postgresql://u:pw@db/app", want: spec.Spec{Kind: "postgres", Name: "postgresql://u:pw@db/app"}, str: "postgresql://REDACTED@db/app"},
		{arg: "REDIS://cache:6380", want: spec.Spec{Kind: "redis", Name: "redis://cache:6380"}, str: "redis://cache:6380"},
		{arg: "mysql://db", want: spec.Spec{Kind: "mysql", Name: "mysql://db"}},
		{arg: "amqp://mq", want: spec.Spec{Kind: "amqp", Name: "amqp://mq"}},
		{arg: "crds/a.b", want: spec.Spec{Kind: kCRD, Name: "a.b"}, str: "crd/a.b"},
		{arg: "customresourcedefinition/a.b", want: spec.Spec{Kind: kCRD, Name: "a.b"}, str: "crd/a.b"},
		{arg: "crd/a.b:condition=Established", want: spec.Spec{Kind: kCRD, Name: "a.b", For: []string{"condition=Established"}}},

		{arg: "deployment/api", want: spec.Spec{Kind: kDeployment, Name: "api"}},
		{arg: "deployment/prod/api", want: spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api"}},
		{arg: "deploy/api", want: spec.Spec{Kind: kDeployment, Name: "api"}, str: "deployment/api"},
		{arg: "deployments/prod/api.v2", want: spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api.v2"}, str: "deployment/prod/api.v2"},
		{arg: "deployment/x:condition=Available", want: spec.Spec{Kind: kDeployment, Name: "x", For: []string{"condition=Available"}}},
		{arg: "sts/db", want: spec.Spec{Kind: kStatefulSet, Name: "db"}, str: "statefulset/db"},
		{arg: "statefulset/data/db", want: spec.Spec{Kind: kStatefulSet, Namespace: "data", Name: "db"}},
		{arg: "ds/agent", want: spec.Spec{Kind: kDaemonSet, Name: "agent"}, str: "daemonset/agent"},
		{arg: "jobs/prod/migrate", want: spec.Spec{Kind: kJob, Namespace: "prod", Name: "migrate"}, str: "job/prod/migrate"},
		{arg: "job/migrate", want: spec.Spec{Kind: kJob, Name: "migrate"}},
		{arg: "svc/web", want: spec.Spec{Kind: kService, Name: "web"}, str: "service/web"},
		{arg: "services/prod/web", want: spec.Spec{Kind: kService, Namespace: "prod", Name: "web"}, str: "service/prod/web"},

		{arg: "pods/app=web", want: spec.Spec{Kind: kPods, Selector: "app=web"}},
		{arg: "pod/app=web", want: spec.Spec{Kind: kPods, Selector: "app=web"}, str: "pods/app=web"},
		{arg: "po/prod/app=web", want: spec.Spec{Kind: kPods, Namespace: "prod", Selector: "app=web"}, str: "pods/prod/app=web"},
		{arg: "pods/prod/app=web", want: spec.Spec{Kind: kPods, Namespace: "prod", Selector: "app=web"}},
		{arg: "pods/app.kubernetes.io/name=x", want: spec.Spec{Kind: kPods, Selector: "app.kubernetes.io/name=x"}},
		{arg: "pods/prod/app.kubernetes.io/name=x", want: spec.Spec{Kind: kPods, Namespace: "prod", Selector: "app.kubernetes.io/name=x"}},
		{arg: "pods/tier in (a,b)", want: spec.Spec{Kind: kPods, Selector: "tier in (a,b)"}},
		// The selector is kept in canonical form: requirements sorted by key, values sorted.
		{arg: "pods/prod/tier in (b,a),!canary", want: spec.Spec{Kind: kPods, Namespace: "prod", Selector: "!canary,tier in (a,b)"}, str: "pods/prod/!canary,tier in (a,b)"},
		{arg: "pods/tier!=db,app=web", want: spec.Spec{Kind: kPods, Selector: "app=web,tier!=db"}, str: "pods/app=web,tier!=db"},

		// Every spelling of a kind's type names the kind.
		{arg: "deployments.apps/prod/api:condition=Available",
			want: spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api", For: []string{"condition=Available"}}, str: "deployment/prod/api:condition=Available"},
		{arg: "Deployment/x", want: spec.Spec{Kind: kDeployment, Name: "x"}, str: "deployment/x"},
		{arg: "deployments.apps/x", want: spec.Spec{Kind: kDeployment, Name: "x"}, str: "deployment/x"},
		{arg: "deployment.v1.apps/prod/x", want: spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "x"}, str: "deployment/prod/x"},
		{arg: "CRD/a.b", want: spec.Spec{Kind: kCRD, Name: "a.b"}, str: "crd/a.b"},
		{arg: "customresourcedefinitions.apiextensions.k8s.io/a.b", want: spec.Spec{Kind: kCRD, Name: "a.b"}, str: "crd/a.b"},
		{arg: "Job/prod/migrate", want: spec.Spec{Kind: kJob, Namespace: "prod", Name: "migrate"}, str: "job/prod/migrate"},
		{arg: "endpointslices/prod/x", want: spec.Spec{Kind: spec.Resource, Type: typ("endpointslices"), Namespace: "prod", Name: "x"}},
		// A pods target with a rule names one pod by name.
		{arg: "pods/web-0:condition=Ready", want: spec.Spec{Kind: kPods, Name: "web-0", For: []string{"condition=Ready"}}},
		{arg: "pod/prod/web-0:condition=Ready", want: spec.Spec{Kind: kPods, Namespace: "prod", Name: "web-0", For: []string{"condition=Ready"}}, str: "pods/prod/web-0:condition=Ready"},
		{arg: "certificates.v1.cert-manager.io/tls:condition=Ready=True",
			want: spec.Spec{Kind: spec.Resource, Type: typ("certificates.v1.cert-manager.io"), Name: "tls", For: []string{"condition=Ready=True"}}},
		{arg: "widgets.example.com/prod/w:jsonpath={.status.phase}=Running",
			want: spec.Spec{Kind: spec.Resource, Type: typ("widgets.example.com"), Namespace: "prod", Name: "w", For: []string{"jsonpath={.status.phase}=Running"}}},
		{arg: "widgets.example.com/w:jsonpath={.status.url}=http://w.prod/a:b",
			want: spec.Spec{Kind: spec.Resource, Type: typ("widgets.example.com"), Name: "w", For: []string{"jsonpath={.status.url}=http://w.prod/a:b"}}},
		{arg: "deployment/prod/api:jsonpath={.spec.template.metadata.annotations.url}=https://x/",
			want: spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api", For: []string{"jsonpath={.spec.template.metadata.annotations.url}=https://x/"}}},
		{arg: "widgets/w:create", want: spec.Spec{Kind: spec.Resource, Type: typ("widgets"), Name: "w", For: []string{"create"}}},
		{arg: "widgets.example.com/ns/w:ready", want: spec.Spec{Kind: spec.Resource, Type: typ("widgets.example.com"), Namespace: "ns", Name: "w", For: []string{"ready"}}},
		// A TYPE without a rule parses; package cli asks for the rule.
		{arg: "widgets/w", want: spec.Spec{Kind: spec.Resource, Type: typ("widgets"), Name: "w"}},
		{arg: "configmaps/prod/cfg", want: spec.Spec{Kind: spec.Resource, Type: typ("configmaps"), Namespace: "prod", Name: "cfg"}},
		{arg: "configmaps.v1/cfg", want: spec.Spec{Kind: spec.Resource, Type: typ("configmaps.v1"), Name: "cfg"}},
		{arg: "Widgets/w:create", want: spec.Spec{Kind: spec.Resource, Type: typ("Widgets"), Name: "w", For: []string{"create"}}},
		{arg: "Tenant.v2.minio.min.io/prod/t:create", want: spec.Spec{Kind: spec.Resource, Type: typ("Tenant.v2.minio.min.io"), Namespace: "prod", Name: "t", For: []string{"create"}}},
		{arg: "namespaces/prod:delete", want: spec.Spec{Kind: spec.Resource, Type: typ("namespaces"), Name: "prod", For: []string{"delete"}}},

		{arg: "tcp://db:5432", want: spec.Spec{Kind: "tcp", Name: "db:5432"}},
		{arg: "tcp://[::1]:80", want: spec.Spec{Kind: "tcp", Name: "[::1]:80"}},
		{arg: "TCP://db:5432", want: spec.Spec{Kind: "tcp", Name: "db:5432"}, str: "tcp://db:5432"},
		{arg: "tcp://10.0.0.1:65535", want: spec.Spec{Kind: "tcp", Name: "10.0.0.1:65535"}},
		{arg: "http://web/healthz", want: spec.Spec{Kind: "http", Name: "http://web/healthz"}},
		{arg: "https://web.prod.svc:8443/ready?full=1", want: spec.Spec{Kind: "http", Name: "https://web.prod.svc:8443/ready?full=1"},
			str: "https://web.prod.svc:8443/ready?full=REDACTED"},
		{arg: "http://[::1]:8080/", want: spec.Spec{Kind: "http", Name: "http://[::1]:8080/"}},
		{arg: "dns://db", want: spec.Spec{Kind: "dns", Name: "db"}},
		{arg: "dns://db.prod.svc.cluster.local.", want: spec.Spec{Kind: "dns", Name: "db.prod.svc.cluster.local."}},
		{arg: "dns://Example.COM", want: spec.Spec{Kind: "dns", Name: "Example.COM"}},
		// Service records have labels with underscores.
		{arg: "dns://_sip._tcp.example.com", want: spec.Spec{Kind: "dns", Name: "_sip._tcp.example.com"}},
		{arg: "dns://bad_name", want: spec.Spec{Kind: "dns", Name: "bad_name"}},
		{arg: "tcp://my_host:80", want: spec.Spec{Kind: "tcp", Name: "my_host:80"}},

		{arg: "validatingwebhookconfiguration/cert-manager-webhook", want: spec.Spec{Kind: kValidating, Name: "cert-manager-webhook"}},
		{arg: "ValidatingWebhookConfiguration/w", want: spec.Spec{Kind: kValidating, Name: "w"}, str: "validatingwebhookconfiguration/w"},
		{arg: "mutatingwebhookconfigurations/w", want: spec.Spec{Kind: kMutating, Name: "w"}, str: "mutatingwebhookconfiguration/w"},
		{arg: "apiservice/v1beta1.metrics.k8s.io", want: spec.Spec{Kind: kAPIService, Name: "v1beta1.metrics.k8s.io"}},
		// The core group's APIService is "v1.", not a DNS subdomain.
		{arg: "apiservices/v1.", want: spec.Spec{Kind: kAPIService, Name: "v1."}, str: "apiservice/v1."},
		{arg: "apiservice/v1.:condition=Available", want: spec.Spec{Kind: kAPIService, Name: "v1.", For: []string{"condition=Available"}}},

		{arg: "admission:probe.yaml", want: spec.Spec{Kind: spec.Admission, Name: "probe.yaml"}},
		{arg: "admission:/etc/kwait/probe.yaml", want: spec.Spec{Kind: spec.Admission, Name: "/etc/kwait/probe.yaml"}},
		{arg: "Admission:-", want: spec.Spec{Kind: spec.Admission, Name: "-"}, str: "admission:-"},
		{arg: `admission:{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}`,
			want: spec.Spec{Kind: spec.Admission, Name: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}`}},
		{arg: "admission:C:/probes/a:b.yaml", want: spec.Spec{Kind: spec.Admission, Name: "C:/probes/a:b.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			t.Parallel()
			got, err := spec.Parse(tt.arg)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.arg, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.arg, got, tt.want)
			}
			wantStr := tt.str
			if wantStr == "" {
				wantStr = tt.arg
			}
			if s := got.String(); s != wantStr {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.arg, s, wantStr)
			}
			want := spec.Kube
			if _, ok := network.KindOf(got.Kind); ok {
				want = spec.Network
			} else if got.Kind == spec.Admission {
				want = spec.Manifest
			}
			if f := got.Family(); f != want {
				t.Errorf("Parse(%q).Family() = %v, want %v", tt.arg, f, want)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind string
		arg  string
		want spec.Spec
		str  string
	}{
		{kCRD, "tenants.minio.min.io", spec.Spec{Kind: kCRD, Name: "tenants.minio.min.io"}, "crd/tenants.minio.min.io"},
		{"postgres", "db", spec.Spec{Kind: "postgres", Name: "postgres://db"}, "postgres://db"},
		{"postgres", "app:secret@db:6432/app", spec.Spec{Kind: "postgres", Name: "postgres://app:secret@db:6432/app"}, "postgres://REDACTED@db:6432/app"},
		{"postgres", "PostgreSQL://db", spec.Spec{Kind: "postgres", Name: "postgresql://db"}, "postgresql://db"},
		{"mysql", "mariadb://db", spec.Spec{Kind: "mysql", Name: "mariadb://db"}, "mariadb://db"},
		{"redis", ":secret@cache/0", spec.Spec{Kind: "redis", Name: "redis://:secret@cache/0"}, "redis://REDACTED@cache/0"},
		{"amqp", "[::1]:5673", spec.Spec{Kind: "amqp", Name: "amqp://[::1]:5673"}, "amqp://[::1]:5673"},
		{kCRD, "a.b:condition=Established", spec.Spec{Kind: kCRD, Name: "a.b", For: []string{"condition=Established"}}, "crd/a.b:condition=Established"},
		{kDeployment, "api", spec.Spec{Kind: kDeployment, Name: "api"}, "deployment/api"},
		{kDeployment, "prod/api", spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api"}, "deployment/prod/api"},
		{kDeployment, "prod/api:condition=Available", spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api", For: []string{"condition=Available"}}, "deployment/prod/api:condition=Available"},
		{kStatefulSet, "db", spec.Spec{Kind: kStatefulSet, Name: "db"}, "statefulset/db"},
		{kDaemonSet, "kube-system/agent", spec.Spec{Kind: kDaemonSet, Namespace: "kube-system", Name: "agent"}, "daemonset/kube-system/agent"},
		{kJob, "migrate", spec.Spec{Kind: kJob, Name: "migrate"}, "job/migrate"},
		{kService, "prod/web", spec.Spec{Kind: kService, Namespace: "prod", Name: "web"}, "service/prod/web"},
		{kPods, "app=web", spec.Spec{Kind: kPods, Selector: "app=web"}, "pods/app=web"},
		{kPods, "prod/app=web", spec.Spec{Kind: kPods, Namespace: "prod", Selector: "app=web"}, "pods/prod/app=web"},
		{kPods, "app.kubernetes.io/name=x", spec.Spec{Kind: kPods, Selector: "app.kubernetes.io/name=x"}, "pods/app.kubernetes.io/name=x"},
		{kPods, "prod/app.kubernetes.io/name=x", spec.Spec{Kind: kPods, Namespace: "prod", Selector: "app.kubernetes.io/name=x"}, "pods/prod/app.kubernetes.io/name=x"},
		{kPods, "tier in (a,b)", spec.Spec{Kind: kPods, Selector: "tier in (a,b)"}, "pods/tier in (a,b)"},
		{spec.Resource, "widgets.example.com/w", spec.Spec{Kind: spec.Resource, Type: typ("widgets.example.com"), Name: "w"}, "widgets.example.com/w"},
		{spec.Resource, "widgets.v1.example.com/prod/w", spec.Spec{Kind: spec.Resource, Type: typ("widgets.v1.example.com"), Namespace: "prod", Name: "w"}, "widgets.v1.example.com/prod/w"},
		{spec.Resource, "Widgets/w", spec.Spec{Kind: spec.Resource, Type: typ("Widgets"), Name: "w"}, "Widgets/w"},
		{spec.Resource, "deployment/x:create", spec.Spec{Kind: spec.Resource, Type: typ("deployment"), Name: "x", For: []string{"create"}}, "deployment/x:create"},
		{kDeployment, "prod/api", spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api"}, "deployment/prod/api"},
		{"deploy", "api", spec.Spec{Kind: kDeployment, Name: "api"}, "deployment/api"},
		{"customresourcedefinitions", "a.b", spec.Spec{Kind: kCRD, Name: "a.b"}, "crd/a.b"},
		{kPods, "web-0:condition=Ready", spec.Spec{Kind: kPods, Name: "web-0", For: []string{"condition=Ready"}}, "pods/web-0:condition=Ready"},
		{"dns", "_sip._tcp.example.com", spec.Spec{Kind: "dns", Name: "_sip._tcp.example.com"}, "dns://_sip._tcp.example.com"},
		{spec.Resource, "widgets/prod/w:jsonpath={.status.phase}=Running", spec.Spec{Kind: spec.Resource, Type: typ("widgets"), Namespace: "prod", Name: "w", For: []string{"jsonpath={.status.phase}=Running"}}, "widgets/prod/w:jsonpath={.status.phase}=Running"},
		{"tcp", "db:5432", spec.Spec{Kind: "tcp", Name: "db:5432"}, "tcp://db:5432"},
		{"tcp", "[::1]:80", spec.Spec{Kind: "tcp", Name: "[::1]:80"}, "tcp://[::1]:80"},
		{"http", "http://web/healthz", spec.Spec{Kind: "http", Name: "http://web/healthz"}, "http://web/healthz"},
		{"http", "https://web:8443", spec.Spec{Kind: "http", Name: "https://web:8443"}, "https://web:8443"},
		{"dns", "db.prod.svc.cluster.local.", spec.Spec{Kind: "dns", Name: "db.prod.svc.cluster.local."}, "dns://db.prod.svc.cluster.local."},
		{kAPIService, "v1.", spec.Spec{Kind: kAPIService, Name: "v1."}, "apiservice/v1."},
		{"apiservices", "v1beta1.metrics.k8s.io", spec.Spec{Kind: kAPIService, Name: "v1beta1.metrics.k8s.io"}, "apiservice/v1beta1.metrics.k8s.io"},
		{kValidating, "w", spec.Spec{Kind: kValidating, Name: "w"}, "validatingwebhookconfiguration/w"},
		{spec.Admission, "-", spec.Spec{Kind: spec.Admission, Name: "-"}, "admission:-"},
		{spec.Admission, "probes/issuer.yaml", spec.Spec{Kind: spec.Admission, Name: "probes/issuer.yaml"}, "admission:probes/issuer.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.arg, func(t *testing.T) {
			t.Parallel()
			got, err := spec.ParseKind(tt.kind, tt.arg)
			if err != nil {
				t.Fatalf("ParseKind(%s, %q): %v", tt.kind, tt.arg, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseKind(%s, %q) = %#v, want %#v", tt.kind, tt.arg, got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("ParseKind(%s, %q).String() = %q, want %q", tt.kind, tt.arg, s, tt.str)
			}
		})
	}
}

// badArg is an invalid target: Parse (or ParseKind with kind) must refuse
// it with a *spec.Error naming arg (or wantArg, when arg holds a password
// that must be hidden) and giving a reason containing reason.
type badArg struct {
	kind    string // empty: Parse
	arg     string
	wantArg string // empty: arg
	reason  string
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []badArg{
		{arg: "", reason: "empty target"},
		{arg: "   ", reason: "empty target"},
		{arg: "\t\n", reason: "empty target"},
		{arg: "deployment", reason: "want KIND/NAME"},
		{arg: "deployment/", reason: "want KIND/NAME"},
		{arg: "crd/", reason: "want KIND/NAME"},
		{arg: "crd/prod/a.b", reason: "cluster-scoped"},
		{arg: "crd/widgets", reason: `"widgets" is not PLURAL.GROUP`},
		{arg: "crd/Widgets.example.com", reason: `name "Widgets.example.com"`},
		{arg: "deployment/Bad_NS/api", reason: `namespace "Bad_NS"`},
		{arg: "deployment/a.b/api", reason: `namespace "a.b"`},
		{arg: "deployment//api", reason: "empty namespace"},
		{arg: "deployment/prod/", reason: "empty name"},
		{arg: "deployment/api_v2", reason: `name "api_v2"`},
		{arg: "deployment/API", reason: `name "API"`},
		{arg: "deployment/a b", reason: `name "a b"`},
		{arg: "deployment/a\nb", reason: `name "a\nb"`},
		{arg: "deployment/prod/api/extra", reason: `name "api/extra"`},
		{arg: "deployment/x:", reason: "empty rule after ':'"},
		{arg: "crd/a.b:", reason: "empty rule after ':'"},
		{arg: "namespaces/prod/x:delete", reason: "namespaces is cluster-scoped"},
		{arg: "Namespace/prod/x", reason: "namespaces is cluster-scoped"},
		{arg: "pods/app=web:condition=Ready", reason: `name "app=web"`},
		{arg: "-widgets/w", reason: `resource type "-widgets"`},
		{arg: "widgets./w", reason: `resource type "widgets."`},
		{arg: "widgets_x/w:create", reason: `resource type "widgets_x"`},
		{arg: "widgets/w:", reason: "empty rule after ':'"},
		{arg: "widgets/Bad_NS/w:create", reason: `namespace "Bad_NS"`},
		{arg: "ftp://x", reason: `unknown scheme "ftp"`},
		{arg: "couchdb://app:secret@db:5432/app", wantArg: "couchdb://REDACTED@db:5432/app", reason: `unknown scheme "couchdb"`},
		{arg: "user:secret@db://x", wantArg: "REDACTED@db://x", reason: `unknown scheme "REDACTED@db"`},
		{arg: "tcp://user:secret@db:5432", wantArg: "tcp://REDACTED@db:5432", reason: "takes no USER:PASSWORD@"},
		{arg: "dns://user:secret@db", wantArg: "dns://REDACTED@db", reason: "takes no USER:PASSWORD@"},
		{arg: "://x", reason: `unknown scheme ""`},
		{arg: "tcp://db", reason: "missing port"},
		{arg: "tcp://", reason: "missing port"},
		{arg: "tcp://db:0", reason: `port "0"`},
		{arg: "tcp://db:70000", reason: `port "70000"`},
		{arg: "tcp://db:abc", reason: `port "abc"`},
		{arg: "tcp://db:+80", reason: `port "+80"`},
		{arg: "tcp://db:0000080", reason: `port "0000080"`},
		{arg: "tcp://db:", reason: "missing port"},
		{arg: "tcp://:80", reason: "missing host"},
		{arg: "tcp://::1:80", reason: "too many colons"},
		{arg: "http://", reason: "missing host"},
		{arg: "https:///healthz", reason: "missing host"},
		{arg: "http://web:abc/", reason: `invalid port ":abc"`},
		{arg: "http://user:secret@", wantArg: "http://REDACTED@", reason: "missing host"},
		{arg: "http://user:secret@:80/", wantArg: "http://REDACTED@:80/", reason: "missing host"},
		{arg: "http://user:secret@web:abc/", wantArg: "http://REDACTED@web:abc/", reason: `invalid port ":abc"`},
		{arg: "http://user:se@cret@web:abc/", wantArg: "http://REDACTED@web:abc/", reason: `invalid port ":abc"`},
		{arg: "http://user:secret@[::1/", wantArg: "http://REDACTED@[::1/", reason: "missing ']' in host"},
		{arg: "https://user:secret@web/%zz", wantArg: "https://REDACTED@web/%zz", reason: "invalid URL escape"},
		{arg: "dns://a b", reason: `label "a b" has invalid character`},
		{arg: "dns://db:53", reason: `label "db:53" has invalid character`},
		{arg: "dns://", reason: "empty host name"},
		{arg: "pods/", reason: "want KIND/NAME"},
		{arg: "pods/ ", reason: "empty label selector"},
		{arg: "pods/prod/ ", reason: "empty label selector"},
		{arg: "pods/=x", reason: "bad label selector"},
		{arg: "pods/tier in (a,b", reason: "bad label selector"},
		{arg: "pods/a=b=c", reason: "bad label selector"},
		{arg: "pods/prod/", reason: "bad label selector"},
		{arg: "pods/app=web:", reason: "empty rule after ':'"},
		{arg: "pods/\x00", reason: "empty label selector"},
		{arg: "admission:", reason: "no manifest"},
		{arg: "admission: ", reason: "no manifest"},
		{arg: "validatingwebhookconfiguration/prod/w", reason: "cluster-scoped"},
		{arg: "validatingwebhookconfiguration/v1.", reason: `name "v1."`},
		{arg: "apiservice/prod/v1.", reason: "cluster-scoped"},
		{arg: "apiservice/a b", reason: `name "a b"`},
		{arg: "apiservice/..", reason: `name ".."`},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			t.Parallel()
			got, err := spec.Parse(tt.arg)
			checkBad(t, tt, got, err)
		})
	}
}

func TestParseKindErrors(t *testing.T) {
	t.Parallel()
	tests := []badArg{
		{kind: kCRD, arg: "", reason: "empty name"},
		{kind: kCRD, arg: "widgets", reason: "not PLURAL.GROUP"},
		{kind: kCRD, arg: "prod/a.b", reason: "cluster-scoped"},
		{kind: kCRD, arg: "a.b:", reason: "empty rule"},
		{kind: kDeployment, arg: "", reason: "empty name"},
		{kind: kDeployment, arg: "API", reason: `name "API"`},
		{kind: kDeployment, arg: "Bad_NS/api", reason: `namespace "Bad_NS"`},
		{kind: kStatefulSet, arg: "prod/", reason: "empty name"},
		{kind: kDaemonSet, arg: "/agent", reason: "empty namespace"},
		{kind: kJob, arg: "a/b/c", reason: `name "b/c"`},
		{kind: kService, arg: "web:", reason: "empty rule"},
		{kind: kPods, arg: "", reason: "empty label selector"},
		{kind: kPods, arg: " ", reason: "empty label selector"},
		{kind: kPods, arg: "tier in (", reason: "bad label selector"},
		{kind: kPods, arg: "prod/=x", reason: "bad label selector"},
		{kind: spec.Resource, arg: "widgets", reason: "want TYPE/NAME"},
		{kind: spec.Resource, arg: "/w", reason: "empty resource type"},
		{kind: spec.Resource, arg: "widgets_x/w", reason: `resource type "widgets_x"`},
		{kind: spec.Resource, arg: "clusterroles/prod/admin", reason: "cluster-scoped"},
		{kind: "widgets", arg: "w", reason: `unknown kind "widgets"`},
		{kind: kPods, arg: "app=web:condition=Ready", reason: `name "app=web"`},
		{kind: spec.Resource, arg: "widgets/", reason: "empty name"},
		{kind: spec.Resource, arg: "widgets/Bad_NS/w", reason: `namespace "Bad_NS"`},
		{kind: "tcp", arg: "", reason: "missing port"},
		{kind: "tcp", arg: "db", reason: "missing port"},
		{kind: "tcp", arg: "tcp://db:80", reason: "too many colons"},
		{kind: "tcp", arg: "db:0", reason: `port "0"`},
		{kind: "tcp", arg: "db:65536", reason: `port "65536"`},
		{kind: "tcp", arg: ":80", reason: "missing host"},
		{kind: "http", arg: "", reason: "want an absolute http:// or https:// URL"},
		{kind: "http", arg: "web/healthz", reason: "want an absolute http:// or https:// URL"},
		{kind: "http", arg: "ftp://web/", reason: "want an absolute http:// or https:// URL"},
		{kind: "http", arg: "http://", reason: "missing host"},
		{kind: "http", arg: "user:secret@web", wantArg: "REDACTED@web", reason: "want an absolute http:// or https:// URL"},
		{kind: "http", arg: "http:user:secret@web", wantArg: "REDACTED@web", reason: "missing host"},
		{kind: "http", arg: "ftp://user:secret@web", wantArg: "ftp://REDACTED@web", reason: "want an absolute http:// or https:// URL"},
		{kind: "http", arg: "http://user:secret@web:99999999999999999999/", wantArg: "http://REDACTED@web:99999999999999999999/", reason: `port "99999999999999999999"`},
		{kind: "http", arg: "http://web:0/", reason: `port "0"`},
		{kind: "http", arg: "https://web:65536", reason: `port "65536"`},
		{kind: "dns", arg: "", reason: "empty host name"},
		{kind: "dns", arg: "-db", reason: "starts or ends with a hyphen"},
		{kind: "dns", arg: "db..prod", reason: "empty label"},
		{kind: "dns", arg: "u:secret@db", wantArg: "REDACTED@db", reason: "takes no USER:PASSWORD@"},
		{kind: "tcp", arg: "u:secret@db:5432", wantArg: "REDACTED@db:5432", reason: "takes no USER:PASSWORD@"},
		{kind: "postgres", arg: "redis://db", reason: "not a postgres URL"},
		{kind: "postgres", arg: "u:secret@db:0", wantArg: "REDACTED@db:0", reason: `port "0"`},
		{kind: "redis", arg: "cache/x", reason: "database number"},
		{kind: "mysql", arg: "db?ssl=1", wantArg: "db?ssl=REDACTED", reason: "a query is not supported"},
		{kind: "amqp", arg: "", reason: "want amqp://HOST[:PORT]"},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.arg, func(t *testing.T) {
			t.Parallel()
			got, err := spec.ParseKind(tt.kind, tt.arg)
			checkBad(t, tt, got, err)
		})
	}
}

func checkBad(t *testing.T, tt badArg, got spec.Spec, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("parse %q = %#v, want an error", tt.arg, got)
	}
	var se *spec.Error
	if !errors.As(err, &se) {
		t.Fatalf("parse %q: error %v is a %T, want a *spec.Error", tt.arg, err, err)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("parse %q: error is not one line: %q", tt.arg, msg)
	}
	wantArg := tt.wantArg
	if wantArg == "" {
		wantArg = tt.arg
	}
	if se.Arg != wantArg {
		t.Errorf("parse %q: error names %q, want %q", tt.arg, se.Arg, wantArg)
	}
	if !strings.HasPrefix(msg, "invalid target "+strconv.Quote(wantArg)+": ") {
		t.Errorf("parse %q: error %q does not start by naming the target %q", tt.arg, msg, wantArg)
	}
	if !strings.Contains(se.Reason, tt.reason) {
		t.Errorf("parse %q: reason %q does not contain %q", tt.arg, se.Reason, tt.reason)
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("parse %q: error shows the password: %q", tt.arg, msg)
	}
	if !reflect.DeepEqual(got, spec.Spec{}) {
		t.Errorf("parse %q: failed but returned %#v, want the zero Spec", tt.arg, got)
	}
}

func TestParseSelector(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, err string
	}{
		{in: "app=web", want: "app=web"},
		{in: "tier in (b,a), app = web", want: "app=web,tier in (a,b)"},
		{in: "zone=a,!canary,app.kubernetes.io/name=x", want: "app.kubernetes.io/name=x,!canary,zone=a"},
		{in: "a==b", want: "a==b"},
		{in: "", err: "empty label selector"},
		{in: " \t", err: "empty label selector"},
		{in: "\x00", err: "empty label selector"},
		{in: "=x", err: "bad label selector"},
		{in: "a in (", err: "bad label selector"},
		{in: "x/y/z=1", err: "bad label selector"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := spec.ParseSelector(tt.in)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseSelector(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.err)
				}
				if strings.ContainsAny(err.Error(), "\r\n") {
					t.Errorf("ParseSelector(%q): error is not one line: %q", tt.in, err)
				}
			case err != nil:
				t.Fatalf("ParseSelector(%q): %v", tt.in, err)
			case got != tt.want:
				t.Errorf("ParseSelector(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateNamespace(t *testing.T) {
	t.Parallel()
	for ns, ok := range map[string]bool{
		"prod": true, "kube-system": true, "a": true,
		"": false, "Bad_NS": false, "a.b": false, "-a": false, strings.Repeat("a", 64): false, "a\nb": false,
	} {
		err := spec.ValidateNamespace(ns)
		if (err == nil) != ok {
			t.Errorf("ValidateNamespace(%q) = %v, want ok=%v", ns, err, ok)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("ValidateNamespace(%q): error is not one line: %q", ns, err)
		}
	}
}

// TestStringRules covers specs the CLI builds, with several --for rules.
func TestStringRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    spec.Spec
		want string
	}{
		{spec.Spec{Kind: spec.Resource, Type: typ("widgets.example.com"), Namespace: "prod", Name: "w", For: []string{"condition=Ready", "jsonpath={.x}=1"}},
			"widgets.example.com/prod/w:condition=Ready,jsonpath={.x}=1"},
		{spec.Spec{Kind: kPods, Namespace: "prod", Selector: "app=web"}, "pods/prod/app=web"},
		{spec.Spec{Kind: "tcp", Name: "db:5432"}, "tcp://db:5432"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// TestWithRules: rules replace the kind's own rule, and a pods target's
// selector becomes the name of the one pod they judge.
func TestWithRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arg    string
		rules  []string
		want   spec.Spec
		str    string
		reason string // non-empty: WithRules must fail with a reason containing it
	}{
		{arg: "deployment/prod/api", rules: []string{"condition=Available", "jsonpath={.x}=1"},
			want: spec.Spec{Kind: kDeployment, Namespace: "prod", Name: "api", For: []string{"condition=Available", "jsonpath={.x}=1"}},
			str:  "deployment/prod/api:condition=Available,jsonpath={.x}=1"},
		{arg: "widgets.example.com/w", rules: []string{"delete"},
			want: spec.Spec{Kind: spec.Resource, Type: typ("widgets.example.com"), Name: "w", For: []string{"delete"}},
			str:  "widgets.example.com/w:delete"},
		{arg: "pods/prod/web-0", rules: []string{"condition=Ready"},
			want: spec.Spec{Kind: kPods, Namespace: "prod", Name: "web-0", For: []string{"condition=Ready"}},
			str:  "pods/prod/web-0:condition=Ready"},
		{arg: "pods/prod/app=web", rules: []string{"condition=Ready"}, reason: "a rule judges one pod by name"},
		{arg: "pods/tier in (a,b)", rules: []string{"delete"}, reason: "a rule judges one pod by name"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			t.Parallel()
			s, err := spec.Parse(tt.arg)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.arg, err)
			}
			got, err := s.WithRules(tt.rules, nil)
			if tt.reason != "" {
				var se *spec.Error
				if !errors.As(err, &se) || !strings.Contains(se.Reason, tt.reason) {
					t.Fatalf("WithRules(%q) = %#v, %v; want a *spec.Error with reason containing %q", tt.rules, got, err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("WithRules(%q): %v", tt.rules, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WithRules(%q) = %#v, want %#v", tt.rules, got, tt.want)
			}
			if str := got.String(); str != tt.str {
				t.Errorf("WithRules(%q).String() = %q, want %q", tt.rules, str, tt.str)
			}
		})
	}
}

// TestParseRules: a target's own rules are parsed once, into Rules, and
// its name keeps them as written; a bad rule is readiness.ParseRule's error.
func TestParseRules(t *testing.T) {
	t.Parallel()
	s, err := spec.Parse("deployment/prod/api:condition=Available")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ParseRules()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != 1 || got.Rules[0].String() != "condition=Available=True" || got.String() != "deployment/prod/api:condition=Available" {
		t.Errorf("ParseRules() = %#v (%s), want one rule condition=Available=True, named as written", got.Rules, got)
	}
	bad, err := spec.Parse("widgets/w:jsonpath=")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.ParseRules(); err == nil || !strings.HasPrefix(err.Error(), "invalid --for ") {
		t.Errorf("ParseRules() of %s: error %v, want an invalid --for error", bad, err)
	}
}
