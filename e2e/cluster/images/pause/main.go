// Command pause is the sandbox ("pause") image of the e2e cluster's real
// node: it holds a pod's namespaces and does nothing until TERM or INT.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
