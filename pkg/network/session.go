package network

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
)

// A session is one attempt's connection to a database or queue server, as
// a protocol's talk sees it: what it writes to, what it reads from, and how
// it turns the connection to TLS part-way (PostgreSQL's SSLRequest). Every
// byte read, before and after TLS, counts against answerLimit.
type session struct {
	ctx  context.Context
	conn net.Conn
	r    *bufio.Reader
	end  endpoint
	// tls is the configuration the target's options and URL give; nil
	// when the URL asks for no TLS.
	tls *tls.Config
}

func newSession(ctx context.Context, conn net.Conn, end endpoint, cfg *tls.Config) *session {
	bounded := &boundedConn{Conn: conn, left: answerLimit}
	return &session{ctx: ctx, conn: bounded, r: bufio.NewReader(bounded), end: end, tls: cfg}
}

func (s *session) write(b []byte) error {
	_, err := s.conn.Write(b)
	return err
}

// startTLS makes the TLS handshake on the connection and reads and writes
// through TLS from then on.
func (s *session) startTLS() error {
	c := tls.Client(s.conn, s.tls)
	if err := c.HandshakeContext(s.ctx); err != nil {
		return err
	}
	s.conn = c
	s.r = bufio.NewReader(c)
	return nil
}

// boundedConn reads at most left bytes, then fails with errAnswerTooLong.
type boundedConn struct {
	net.Conn
	left int
}

func (b *boundedConn) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errAnswerTooLong
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.Conn.Read(p)
	b.left -= n
	return n, err
}
