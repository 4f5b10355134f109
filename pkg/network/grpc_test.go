package network

import (
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/kwait-dev/kwait/pkg/target"
)

// grpcAnswer is a fake health server's answer: a gRPC status, and when it
// is 0 a HealthCheckResponse with status serving.
type grpcAnswer struct {
	code    string
	message string
	serving int
}

// grpcServer serves answer to Health/Check over HTTP/2, without TLS (h2c)
// or with it, and sends the service each request asked about on asked.
func grpcServer(t *testing.T, tls bool, answer grpcAnswer) (srv *httptest.Server, asked <-chan string) {
	t.Helper()
	ch := make(chan string, 10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/grpc.health.v1.Health/Check" || r.Header.Get("Content-Type") != "application/grpc" || r.ProtoMajor != 2 {
			http.Error(w, "not a health check", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		service := ""
		if len(body) > 5 {
			_, _, n := protowire.ConsumeTag(body[5:])
			s, _ := protowire.ConsumeString(body[5+n:])
			service = s
		}
		ch <- service
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
		if answer.code == "0" {
			msg := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), uint64(answer.serving))
			_, _ = w.Write(append(binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg))), msg...))
		}
		w.Header().Set("Grpc-Status", answer.code)
		w.Header().Set("Grpc-Message", answer.message)
	})
	srv = httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = nil
	if tls {
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Config.Protocols = new(http.Protocols)
		srv.Config.Protocols.SetUnencryptedHTTP2(true)
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, ch
}

// TestGRPCAnswers: every branch of grpc's rule, against an HTTP/2 server
// answering as grpc-go's health server does.
func TestGRPCAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		service string
		answer  grpcAnswer
		phase   target.Phase
		reason  string
	}{
		{"serving", "", grpcAnswer{code: "0", serving: 1}, target.PhaseReady, ""},
		{"service serving", "/my.pkg.Svc", grpcAnswer{code: "0", serving: 1}, target.PhaseReady, ""},
		{"not serving", "", grpcAnswer{code: "0", serving: 2}, target.PhasePending, "NOT_SERVING"},
		{"unknown", "", grpcAnswer{code: "0", serving: 0}, target.PhasePending, "UNKNOWN"},
		{"service unknown", "", grpcAnswer{code: "0", serving: 3}, target.PhasePending, "SERVICE_UNKNOWN"},
		{"not found", "/my.pkg.Svc", grpcAnswer{code: "5", message: "unknown%20service"}, target.PhasePending, "NOT_FOUND: unknown service"},
		{"unimplemented", "", grpcAnswer{code: "12", message: "unknown service grpc.health.v1.Health"}, target.PhaseFailed,
			"no grpc.health.v1.Health service (UNIMPLEMENTED)"},
		{"unavailable", "", grpcAnswer{code: "14", message: "shutting down"}, target.PhasePending, "gRPC status 14: shutting down"},
		{"no status", "", grpcAnswer{code: ""}, target.PhasePending, "not a gRPC server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, asked := grpcServer(t, false, tc.answer)
			s, err := NewServer("grpc://"+srv.Listener.Addr().String()+tc.service, fastPoll(), nil, TLSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			st := s.check(testContext(t))
			if st.Phase != tc.phase || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("check = %v %q, want %v %q", st.Phase, st.Reason, tc.phase, tc.reason)
			}
			if got := <-asked; got != strings.TrimPrefix(tc.service, "/") {
				t.Errorf("asked about service %q, want %q", got, strings.TrimPrefix(tc.service, "/"))
			}
		})
	}
}

// TestGRPCOverTLS: grpcs:// verifies the server against --ca-file; without
// it, the unknown authority is the reason.
func TestGRPCOverTLS(t *testing.T) {
	t.Parallel()
	srv, _ := grpcServer(t, true, grpcAnswer{code: "0", serving: 1})
	url := "grpcs://" + srv.Listener.Addr().String()
	s, err := NewServer(url, fastPoll(), nil, TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.check(testContext(t)); st.Phase != target.PhasePending || !strings.Contains(st.Reason, "unknown authority") {
		t.Errorf("without the CA: check = %v %q, want pending, unknown authority", st.Phase, st.Reason)
	}
	s, err = NewServer(url, fastPoll(), nil, TLSOptions{CAFile: writeCA(t, srv)})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.check(testContext(t)); st.Phase != target.PhaseReady {
		t.Errorf("with the CA: check = %v %q, want ready", st.Phase, st.Reason)
	}
}

// writeCA writes the test server's certificate as a CA file.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pemCert(srv.Certificate().Raw), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
