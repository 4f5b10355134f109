package network

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// reason reduces the error of one attempt to the few words a person can act
// on: "connection refused", "no such host", "timed out after 5s",
// "x509: certificate signed by unknown authority". It drops the operation,
// addresses and URL, which the target's name already says, and anything
// that changes from one attempt to the next (times, ports), so that the
// same trouble gives the same reason and is reported once.
//
// timeout is the attempt timeout, named when an attempt ran out of time.
func reason(err error, timeout time.Duration) string {
	var (
		proxyErr   *proxyError
		opErr      *net.OpError
		dnsErr     *net.DNSError
		authority  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		timeoutErr interface{ Timeout() bool }
	)
	switch {
	case errors.As(err, &proxyErr):
		return proxyErr.Error()
	case errors.As(err, &opErr) && isProxyOp(opErr.Op):
		// Go marks a failed dial to the proxy, and a failed SOCKS
		// handshake, with the operation; the cause reads as the target's.
		return "proxy: " + reason(opErr.Err, timeout)
	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return "no such host"
		case dnsErr.IsTimeout:
			return timedOut(timeout)
		}
		// "read udp 127.0.0.1:43363->10.0.0.10:53: read: connection
		// refused" names a new source port on every attempt; the cause
		// alone reads the same each time.
		msg := dnsErr.Err
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return msg
	case errors.As(err, &authority):
		// Its message may go on about a candidate authority; the gist is this.
		return "x509: certificate signed by unknown authority"
	case errors.As(err, &hostname):
		return hostname.Error()
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			// The full message carries the current time, new on every attempt.
			return "x509: certificate has expired or is not yet valid"
		}
		return invalid.Error()
	case errors.As(err, &recordErr):
		return recordErr.Error()
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &timeoutErr) && timeoutErr.Timeout():
		return timedOut(timeout)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by peer"
	}
	return innermost(err).Error()
}

func isProxyOp(op string) bool {
	return op == "proxyconnect" || strings.HasPrefix(op, "socks ")
}

func timedOut(d time.Duration) string {
	return "timed out after " + d.String()
}

// innermost peels the wrappers that only add the operation and addresses:
// "Get \"http://db/\": dial tcp 10.0.0.1:5432: connect: connection refused"
// becomes "connection refused".
func innermost(err error) error {
	for {
		var next error
		switch e := err.(type) {
		case *url.Error:
			next = e.Err
		case *net.OpError:
			next = e.Err
		case *os.SyscallError:
			next = e.Err
		}
		if next == nil {
			return err
		}
		err = next
	}
}
