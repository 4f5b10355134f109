// Command coredns is CoreDNS (github.com/coredns/coredns, Apache License 2.0)
// with only the plugins the real node's cluster DNS uses: errors, health,
// ready, cache and kubernetes. Without the rest (cloud DNS providers,
// forward, etcd, ...) it builds in a fraction of the stock binary's time, and
// no Corefile can make it send a query anywhere but the apiserver.
// Built by e2e/cluster/build.sh node; run as a pod by e2e/cluster/node.sh.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() {
	// The plugins' order in a server block, as in CoreDNS's plugin.cfg.
	dnsserver.Directives = []string{"ready", "health", "errors", "cache", "kubernetes"}
	coremain.Run()
}
