// Command protoserver runs a real server of a protocol kwait waits for, on
// 127.0.0.1, for the e2e protocol tests:
//
//	protoserver kafka PORT               franz-go's kfake cluster, one broker
//	protoserver grpc PORT [CERT KEY]     grpc-go's health server (TLS with
//	                                     CERT and KEY)
//	protoserver grpc-bare PORT           a gRPC server without any service
//	protoserver mongodb PORT DIR [TLSPORT CERT KEY]
//	                                     FerretDB, the MongoDB protocol over
//	                                     SQLite in DIR (and over TLS on TLSPORT)
//
// The gRPC server starts NOT_SERVING for "" and for the service "kwait.Test";
// each line on standard input sets both: SERVING, NOT_SERVING or UNKNOWN.
// Every server runs until SIGTERM or SIGINT.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/twmb/franz-go/pkg/kfake"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "protoserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: protoserver kafka|grpc PORT [CERT KEY]")
	}
	port, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	switch args[0] {
	case "kafka":
		c, err := kfake.NewCluster(kfake.Ports(port), kfake.NumBrokers(1))
		if err != nil {
			return err
		}
		defer c.Close()
		<-ctx.Done()
		return nil
	case "grpc":
		return serveGRPC(ctx, port, args[2:], true)
	case "grpc-bare":
		return serveGRPC(ctx, port, nil, false)
	case "mongodb":
		return serveMongoDB(ctx, port, args[2:])
	}
	return fmt.Errorf("unknown server %q", args[0])
}

func serveMongoDB(ctx context.Context, port int, args []string) error {
	if len(args) != 1 && len(args) != 4 {
		return fmt.Errorf("usage: protoserver mongodb PORT DIR [TLSPORT CERT KEY]")
	}
	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))},
		Handler:  "sqlite",
		// A directory URI: FerretDB keeps a database file per database in it.
		SQLiteURL: "file:" + args[0] + "/",
	}
	if len(args) == 4 {
		cfg.Listener.TLS = net.JoinHostPort("127.0.0.1", args[1])
		cfg.Listener.TLSCertFile, cfg.Listener.TLSKeyFile = args[2], args[3]
	}
	f, err := ferretdb.New(cfg)
	if err != nil {
		return err
	}
	return f.Run(ctx)
}

func serveGRPC(ctx context.Context, port int, tlsFiles []string, withHealth bool) error {
	var opts []grpc.ServerOption
	if len(tlsFiles) == 2 {
		cert, err := tls.LoadX509KeyPair(tlsFiles[0], tlsFiles[1])
		if err != nil {
			return err
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})))
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	srv := grpc.NewServer(opts...)
	h := health.NewServer()
	set := func(s healthpb.HealthCheckResponse_ServingStatus) {
		h.SetServingStatus("", s)
		h.SetServingStatus("kwait.Test", s)
	}
	set(healthpb.HealthCheckResponse_NOT_SERVING)
	if withHealth {
		healthpb.RegisterHealthServer(srv, h)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			if v, ok := healthpb.HealthCheckResponse_ServingStatus_value[in.Text()]; ok {
				set(healthpb.HealthCheckResponse_ServingStatus(v))
				fmt.Println("status", in.Text())
			}
		}
	}()
	<-ctx.Done()
	return nil
}
