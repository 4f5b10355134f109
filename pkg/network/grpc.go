package network

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/http2"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/kwait-dev/kwait/pkg/target"
)

// grpc is gRPC readiness by the standard health service, as the kubelet's
// gRPC probe and grpc-health-probe judge it: a grpc.health.v1.Health/Check
// call for SERVICE (grpc://HOST:PORT/SERVICE), or for the server as a
// whole (grpc://HOST:PORT):
//   - status SERVING: ready;
//   - NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN: not yet, naming it;
//   - gRPC status UNIMPLEMENTED: failed for good, exit 1: the server has no
//     health service, and waiting will not give it one;
//   - gRPC status NOT_FOUND (the health server does not know SERVICE yet),
//     any other gRPC status, an HTTP status other than 200: not yet, with
//     the status and its message;
//   - a refused connection, a timeout, a TLS failure: not yet.
//
// grpc:// is HTTP/2 without TLS (h2c); grpcs:// is over TLS, verified as
// --ca-file, --insecure and --server-name say, with the client certificate
// of --cert-file and --key-file if given. Both need a port: gRPC has no
// standard one.
var grpc = protocol{
	schemes:    []string{"grpc"},
	tlsSchemes: []string{"grpcs"},
	form:       "grpc[s]://HOST:PORT[/SERVICE]",
	usage:      "wait for gRPC servers' health service to say SERVING (grpc.health.v1; grpcs:// for TLS)",
	example:    "kwait grpc api:50051/my.package.Service",
	check:      grpcCheck,
	talk:       grpcTalk,
	alpn:       []string{"h2"},
}

func grpcCheck(u *url.URL) error {
	service := strings.TrimPrefix(u.Path, "/")
	for _, r := range service {
		if !(r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("want a service name (package.Service) after the port, if anything; %q is not one", service)
		}
	}
	return nil
}

// gRPC status codes kwait names.
const (
	grpcNotFound      = 5
	grpcUnimplemented = 12
)

var grpcServing = [...]string{"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"}

func grpcTalk(s *session) (target.Status, error) {
	cc, err := (&http2.Transport{}).NewClientConn(s.conn)
	if err != nil {
		return target.Status{}, err
	}
	defer cc.Close()
	var msg []byte
	if service := s.end.db; service != "" { // the path: grpc://HOST:PORT/SERVICE
		msg = protowire.AppendTag(msg, 1, protowire.BytesType)
		msg = protowire.AppendString(msg, service)
	}
	body := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg))) // not compressed, length
	scheme := "http"
	if s.end.tls {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost,
		scheme+"://"+s.end.addr+"/grpc.health.v1.Health/Check", bytes.NewReader(append(body, msg...)))
	if err != nil {
		return target.Status{}, err
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	req.Header.Set("User-Agent", "kwait")
	resp, err := cc.RoundTrip(req)
	if err != nil {
		return target.Status{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return target.Pending("HTTP %d, not a gRPC answer", resp.StatusCode), nil
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, answerLimit))
	if err != nil {
		return target.Status{}, err
	}
	// A call that fails at once sends its status in the headers alone.
	code, message := resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message")
	if code == "" {
		code, message = resp.Trailer.Get("Grpc-Status"), resp.Trailer.Get("Grpc-Message")
	}
	return grpcJudge(code, message, reply), nil
}

// grpcJudge applies the rules of grpc to a call's status and reply.
func grpcJudge(code, message string, reply []byte) target.Status {
	n, err := strconv.Atoi(code)
	switch {
	case err != nil:
		return unexpected("gRPC")
	case n == grpcUnimplemented:
		return target.Failed("the server has no grpc.health.v1.Health service (UNIMPLEMENTED)")
	case n == grpcNotFound:
		return target.Pending("NOT_FOUND: %s", printable(grpcMessage(message)))
	case n != 0:
		return target.Pending("gRPC status %d: %s", n, printable(grpcMessage(message)))
	}
	status, err := grpcHealth(reply)
	switch {
	case err != nil:
		return unexpected("gRPC health")
	case status == 1:
		return target.Ready()
	case status >= 0 && status < len(grpcServing):
		return target.Pending("%s", grpcServing[status])
	}
	return target.Pending("health status %d", status)
}

// grpcHealth reads the status of one length-prefixed, uncompressed
// HealthCheckResponse (field 1, an enum; absent means 0, UNKNOWN).
func grpcHealth(reply []byte) (int, error) {
	if len(reply) < 5 || reply[0] != 0 || int(binary.BigEndian.Uint32(reply[1:])) != len(reply)-5 {
		return 0, errors.New("not one uncompressed message")
	}
	b := reply[5:]
	status := 0
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
		if num == 1 && typ == protowire.VarintType {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, protowire.ParseError(n)
			}
			status, b = int(int32(v)), b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
	}
	return status, nil
}

// grpcMessage decodes grpc-message's percent-encoding.
func grpcMessage(m string) string {
	if d, err := url.PathUnescape(m); err == nil {
		return d
	}
	return m
}
