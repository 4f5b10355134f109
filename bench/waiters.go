package main

import (
	"strings"
	"time"
)

// thing is one object or endpoint a waiter waits for.
type thing struct {
	Kind string // crd, deployment, tcp, http
	Name string // CRD or Deployment name, unique in the run
	NS   string // Deployment namespace
	Addr string // tcp: 127.0.0.1:PORT
	URL  string // http
}

// key names the thing for the observer ("crd/NAME").
func (t thing) key() string { return t.Kind + "/" + t.Name }

// waiter is one way to wait for a thing: kwait, kubectl wait, a shell loop
// from a chart.
type waiter struct {
	Key  string // stable id
	Name string // as shown in tables
	// Show is the command as the document shows it, with NAME, NS, PORT,
	// URL standing for the thing.
	Show string
	// UA is the user agent prefix of its requests ("" for none).
	UA string
	// Period is how often it polls; 0 when it watches.
	Period time.Duration
	// Existing is set when the command only works on an object that
	// already exists (it is left out of the "not there yet" cases).
	Existing bool
	argv     func(t thing) []string
}

// Loop commands are run by bash exactly as written in Show, with the
// placeholders replaced.
func shell(show string) func(t thing) []string {
	return func(t thing) []string {
		r := strings.NewReplacer("NAME", t.Name, "NS", t.NS, "PORT", port(t.Addr), "URL", t.URL)
		return []string{"bash", "-c", r.Replace(show)}
	}
}

func port(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

const (
	kwaitUA   = "kwait/"
	kubectlUA = "kubectl/"
	timeout   = "2m"
)

// The shell loops, as charts write them.
const (
	crdLoop        = `until kubectl get crd NAME -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' | grep -q True; do sleep 5; done`
	deploymentLoop = `until [ "$(kubectl get deployment NAME -n NS -o jsonpath='{.status.availableReplicas}')" = 1 ]; do sleep 2; done`
	ncLoop         = `until nc -z 127.0.0.1 PORT; do sleep 2; done`
	curlLoop       = `until curl -fsS -o /dev/null URL; do sleep 2; done`
)

// waiters lists the competitors for one kind of thing. The first is always
// kwait with its defaults.
func (b *bench) waiters(kind string) []waiter {
	kw, kc := b.cfg.kwait, b.cfg.kubectl
	switch kind {
	case "crd":
		return []waiter{
			{Key: "kwait", Name: "kwait", UA: kwaitUA, Show: "kwait crd NAME --timeout " + timeout,
				argv: func(t thing) []string { return []string{kw, "crd", t.Name, "--timeout", timeout} }},
			{Key: "kubectl-wait-create", Name: "kubectl wait --for=create", UA: kubectlUA, Period: 500 * time.Millisecond,
				Show: "kubectl wait --for=create --for=condition=Established crd/NAME --timeout=" + timeout,
				argv: func(t thing) []string {
					return []string{kc, "wait", "--for=create", "--for=condition=Established", "crd/" + t.Name, "--timeout=" + timeout}
				}},
			{Key: "kubectl-wait", Name: "kubectl wait", UA: kubectlUA, Existing: true,
				Show: "kubectl wait --for=condition=Established crd/NAME --timeout=" + timeout,
				argv: func(t thing) []string {
					return []string{kc, "wait", "--for=condition=Established", "crd/" + t.Name, "--timeout=" + timeout}
				}},
			{Key: "loop", Name: "sleep-5 loop", UA: kubectlUA, Period: 5 * time.Second, Show: crdLoop, argv: shell(crdLoop)},
		}
	case "deployment":
		return []waiter{
			{Key: "kwait", Name: "kwait", UA: kwaitUA, Show: "kwait deployment NS/NAME --timeout " + timeout,
				argv: func(t thing) []string { return []string{kw, "deployment", t.NS + "/" + t.Name, "--timeout", timeout} }},
			{Key: "kubectl-wait", Name: "kubectl wait", UA: kubectlUA,
				Show: "kubectl wait --for=condition=Available deployment/NAME -n NS --timeout=" + timeout,
				argv: func(t thing) []string {
					return []string{kc, "wait", "--for=condition=Available", "deployment/" + t.Name, "-n", t.NS, "--timeout=" + timeout}
				}},
			{Key: "rollout-status", Name: "kubectl rollout status", UA: kubectlUA,
				Show: "kubectl rollout status deployment/NAME -n NS --timeout=" + timeout,
				argv: func(t thing) []string {
					return []string{kc, "rollout", "status", "deployment/" + t.Name, "-n", t.NS, "--timeout=" + timeout}
				}},
			{Key: "loop", Name: "sleep-2 loop", UA: kubectlUA, Period: 2 * time.Second, Show: deploymentLoop, argv: shell(deploymentLoop)},
		}
	case "tcp":
		return []waiter{
			{Key: "kwait", Name: "kwait", Show: "kwait tcp 127.0.0.1:PORT --timeout " + timeout,
				argv: func(t thing) []string { return []string{kw, "tcp", t.Addr, "--timeout", timeout} }},
			{Key: "kwait-fast", Name: "kwait --max-interval 100ms", Period: 100 * time.Millisecond,
				Show: "kwait tcp 127.0.0.1:PORT --max-interval 100ms --timeout " + timeout,
				argv: func(t thing) []string {
					return []string{kw, "tcp", t.Addr, "--max-interval", "100ms", "--timeout", timeout}
				}},
			{Key: "loop", Name: "nc loop", Period: 2 * time.Second, Show: ncLoop, argv: shell(ncLoop)},
		}
	case "http":
		return []waiter{
			{Key: "kwait", Name: "kwait", Show: "kwait http URL --status 200 --timeout " + timeout,
				argv: func(t thing) []string { return []string{kw, "http", t.URL, "--status", "200", "--timeout", timeout} }},
			{Key: "kwait-fast", Name: "kwait --max-interval 100ms", Period: 100 * time.Millisecond,
				Show: "kwait http URL --status 200 --max-interval 100ms --timeout " + timeout,
				argv: func(t thing) []string {
					return []string{kw, "http", t.URL, "--status", "200", "--max-interval", "100ms", "--timeout", timeout}
				}},
			{Key: "loop", Name: "curl loop", Period: 2 * time.Second, Show: curlLoop, argv: shell(curlLoop)},
		}
	case "postgres", "redis", "mysql", "amqp":
		return b.protocolWaiters(kind)
	}
	panic("unknown kind " + kind)
}

// waiter finds one competitor by key.
func (b *bench) waiter(kind, key string) waiter {
	for _, w := range b.waiters(kind) {
		if w.Key == key {
			return w
		}
	}
	panic("unknown waiter " + kind + "/" + key)
}
