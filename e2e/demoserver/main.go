// Command demoserver stands in for a database port and an HTTP health
// endpoint in kwait's demo: after --delay it accepts TCP connections on
// --tcp and answers GET /health with 200 on --http, until it is killed or
// --lifetime passes.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	tcpAddr := flag.String("tcp", "127.0.0.1:25432", "TCP address to accept connections on")
	httpAddr := flag.String("http", "127.0.0.1:25080", "HTTP address serving /health")
	delay := flag.Duration("delay", 3*time.Second, "wait this long before listening")
	lifetime := flag.Duration("lifetime", 5*time.Minute, "exit after this long")
	flag.Parse()

	time.Sleep(*delay) // the point of the demo: the endpoints come up late
	ln, err := net.Listen("tcp", *tcpAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demoserver:", err)
		os.Exit(1)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	srv := &http.Server{Addr: *httpAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			fmt.Fprintln(os.Stderr, "demoserver:", err)
			os.Exit(1)
		}
	}()
	fmt.Printf("demoserver: listening on tcp %s and http %s\n", *tcpAddr, *httpAddr)
	time.Sleep(*lifetime)
}
