package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/kwait-dev/kwait/pkg/target"
)

// TCP is ready once a TCP connection to its address succeeds. The
// connection is closed at once without sending anything, so it works for
// any protocol but says only that something listens.
type TCP struct {
	addr string
	poll Poll
}

// NewTCP returns a TCP target for addr, HOST:PORT with a numeric port
// (IPv6 hosts in brackets: "[::1]:5432").
func NewTCP(addr string, p Poll) (*TCP, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	if err := checkHostPort(addr); err != nil {
		return nil, fmt.Errorf("invalid tcp address %q: %w", addr, err)
	}
	return &TCP{addr: addr, poll: p}, nil
}

// Name is "tcp://HOST:PORT".
func (t *TCP) Name() string { return "tcp://" + t.addr }

// Wait polls until a connection succeeds or ctx is done.
func (t *TCP) Wait(ctx context.Context, report target.Report) error {
	return poll(ctx, t.poll, report, t.check)
}

func (t *TCP) check(ctx context.Context) target.Status {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return target.Pending("%s", reason(err, t.poll.AttemptTimeout))
	}
	// The connection was made, which is all we wanted; a close error
	// changes nothing.
	_ = conn.Close()
	return target.Ready()
}

func checkHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		var addrErr *net.AddrError
		if errors.As(err, &addrErr) {
			return errors.New(addrErr.Err)
		}
		return err
	}
	if host == "" {
		return errors.New("missing host")
	}
	if err := checkHost(host); err != nil {
		return err
	}
	return checkPort(port)
}

// checkPort accepts a decimal port 1-65535. Service names ("http") are not
// accepted: a wait should not depend on /etc/services in the image.
func checkPort(port string) error {
	if port == "" {
		return errors.New("missing port")
	}
	if len(port) > 5 || !allDigits(port) {
		return fmt.Errorf("port %q is not a number 1-65535", port)
	}
	if n, _ := strconv.Atoi(port); n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number 1-65535", port)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
