// Command etcd is the etcd server (go.etcd.io/etcd/server/v3/etcdmain),
// built from a pinned module version for kwait's local e2e control plane.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
