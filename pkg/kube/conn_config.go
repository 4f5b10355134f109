package kube

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kwait-dev/kwait/pkg/target"
)

// ConfigOptions say where to find the cluster.
type ConfigOptions struct {
	// Kubeconfig is an explicit kubeconfig file (--kubeconfig).
	Kubeconfig string
	// Context is a kubeconfig context to use instead of the current one.
	Context string
	// UserAgent identifies kwait to the apiserver (and in its audit log).
	UserAgent string
	// Warn receives the warnings the apiserver sends with its answers
	// (deprecated APIs); nil drops them. client-go would print them
	// through klog, outside kwait's log.
	Warn func(text string)
}

// warnings hands the apiserver's warnings to a function.
type warnings func(text string)

func (w warnings) HandleWarningHeader(_ int, _ string, text string) {
	if w != nil {
		w(text)
	}
}

// serviceAccountDir is where a pod's service account is mounted, the path
// rest.InClusterConfig reads.
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// TokenFile is a pod's service account token.
const TokenFile = serviceAccountDir + "/token"

// LoadConfig finds the cluster and the default namespace. The rules, in
// order:
//   - an explicit --kubeconfig or --context: that kubeconfig, its context's
//     namespace (else "default");
//   - inside a pod (KUBERNETES_SERVICE_HOST set and a service account token
//     mounted): the service account, its namespace file;
//   - otherwise KUBECONFIG or ~/.kube/config as kubectl finds them.
//
// Client-side rate limits are raised above client-go's defaults (5 QPS)
// because one kwait makes a handful of requests per target, all at start.
// Every request must bring its response headers within answerTimeout
// (conn_answer.go); a few at a time look for a connection (conn_gate.go).
func LoadConfig(o ConfigOptions) (*rest.Config, string, error) {
	cfg, ns, err := load(o)
	if err != nil {
		return nil, "", err
	}
	cfg.QPS, cfg.Burst = 50, 200
	cfg.UserAgent = o.UserAgent
	cfg.WarningHandler = warnings(o.Warn)
	cfg.Wrap(gateConnections(connectSlots, connectHold))
	cfg.Wrap(boundAnswers(answerTimeout)) // outermost: a wait for a slot counts too
	return cfg, ns, nil
}

func load(o ConfigOptions) (*rest.Config, string, error) {
	if o.Kubeconfig == "" && o.Context == "" {
		if cfg, ns, ok, err := inCluster(); ok || err != nil {
			return cfg, ns, err
		}
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.Kubeconfig
	for _, path := range append([]string{rules.ExplicitPath}, rules.Precedence...) {
		if err := readable(path); err != nil {
			return nil, "", fmt.Errorf("kubeconfig: %w", err)
		}
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: o.Context})
	if err := checkReferences(cc, o.Context); err != nil {
		return nil, "", err
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, "", errors.New("no cluster to talk to: not in a pod, and no kubeconfig found (set --kubeconfig or KUBECONFIG)")
		}
		return nil, "", fmt.Errorf("kubeconfig: %s", target.Line(err.Error()))
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig namespace: %w", err)
	}
	return cfg, ns, nil
}

// inCluster builds the config a pod's service account gives. ok is false
// when kwait does not run in a pod.
func inCluster() (*rest.Config, string, bool, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, "", false, nil
	}
	if _, err := os.Stat(serviceAccountDir + "/token"); err != nil {
		return nil, "", false, nil
	}
	for _, f := range []string{"/token", "/ca.crt", "/namespace"} {
		if err := readable(serviceAccountDir + f); err != nil {
			return nil, "", true, fmt.Errorf("in-cluster config: %w", err)
		}
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		return nil, "", true, fmt.Errorf("in-cluster config: %w", err)
	}
	ns := "default"
	if b, err := os.ReadFile(serviceAccountDir + "/namespace"); err == nil && strings.TrimSpace(string(b)) != "" {
		ns = strings.TrimSpace(string(b))
	}
	return cfg, ns, true, nil
}

// fileLimit bounds the files a kubeconfig is made of or names (CA,
// client certificate and key, token): far above any real one.
const fileLimit = 4 << 20

// readable refuses, before anything reads it, a file that would block the
// read or never end it (a FIFO, /dev/zero) or that is larger than
// fileLimit: the run's deadline and signals cannot interrupt a read, and
// client-go reads such files whole. A missing file passes: client-go then
// says so in its own words.
func readable(path string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	case fi.Size() > fileLimit:
		return fmt.Errorf("%s is larger than %d MiB", path, fileLimit>>20)
	}
	return nil
}

// checkReferences checks the files the kubeconfig's context in use names
// (see readable). context overrides the current context.
func checkReferences(cc clientcmd.ClientConfig, context string) error {
	raw, err := cc.RawConfig()
	if err != nil {
		return nil // ClientConfig reports it
	}
	if context == "" {
		context = raw.CurrentContext
	}
	c := raw.Contexts[context]
	if c == nil {
		return nil
	}
	var paths []string
	if cl := raw.Clusters[c.Cluster]; cl != nil {
		paths = append(paths, cl.CertificateAuthority)
	}
	if u := raw.AuthInfos[c.AuthInfo]; u != nil {
		paths = append(paths, u.ClientCertificate, u.ClientKey, u.TokenFile)
	}
	for _, p := range paths {
		if err := readable(p); err != nil {
			return fmt.Errorf("kubeconfig: %w", err)
		}
	}
	return nil
}
