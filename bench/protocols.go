package main

import (
	"bufio"
	"context"
	bin "encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// protoSubject: a fake database or queue server on loopback speaking the
// first packets of its protocol, "not now" (starting up, loading, too many
// connections) until the trigger flips it to ready; the flip is the ready
// moment. The real clients of the shell loops (pg_isready, redis-cli,
// mysqladmin) talk to it as to a real server.
type protoSubject struct {
	kind    string
	serve   func(c net.Conn, r *bufio.Reader, ready bool)
	mu      sync.Mutex
	servers map[string]*protoServer
}

type protoServer struct {
	ln    net.Listener
	ready atomic.Bool
}

func newProtoSubject(kind string) *protoSubject {
	serve := map[string]func(net.Conn, *bufio.Reader, bool){
		"postgres": fakePostgres, "redis": fakeRedis, "mysql": fakeMySQL, "amqp": fakeAMQP,
	}[kind]
	return &protoSubject{kind: kind, serve: serve, servers: map[string]*protoServer{}}
}

func (s *protoSubject) next(context.Context) (thing, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return thing{}, err
	}
	ps := &protoServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				s.serve(c, bufio.NewReader(c), ps.ready.Load())
			}()
		}
	}()
	addr := ln.Addr().String()
	s.mu.Lock()
	s.servers[addr] = ps
	s.mu.Unlock()
	return thing{Kind: s.kind, Name: addr, Addr: addr}, nil
}

func (s *protoSubject) trigger(_ context.Context, t thing) (time.Time, error) {
	s.mu.Lock()
	ps := s.servers[t.Addr]
	s.mu.Unlock()
	ps.ready.Store(true)
	return time.Now(), nil
}

func (s *protoSubject) release(t thing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ps, ok := s.servers[t.Addr]; ok {
		ps.ln.Close()
		delete(s.servers, t.Addr)
	}
}

// fakePostgres refuses libpq's SSL and GSS requests, then answers the
// StartupMessage with an MD5 password request (ready: pg_isready calls
// that up) or 57P03 "the database system is starting up".
func fakePostgres(c net.Conn, r *bufio.Reader, ready bool) {
	for {
		var head [8]byte
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		n := bin.BigEndian.Uint32(head[:4])
		if code := bin.BigEndian.Uint32(head[4:]); n == 8 && (code == 80877103 || code == 80877104) {
			_, _ = c.Write([]byte{'N'})
			continue
		}
		_, _ = io.CopyN(io.Discard, r, int64(n)-8)
		if ready {
			_, _ = c.Write([]byte{'R', 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4})
			return
		}
		body := []byte("SFATAL\x00C57P03\x00Mthe database system is starting up\x00\x00")
		_, _ = c.Write(append(bin.BigEndian.AppendUint32([]byte{'E'}, uint32(len(body)+4)), body...))
		return
	}
}

// fakeRedis answers one command: +PONG, or -LOADING.
func fakeRedis(c net.Conn, r *bufio.Reader, ready bool) {
	if _, err := r.ReadSlice('\n'); err != nil {
		return
	}
	if ready {
		_, _ = c.Write([]byte("+PONG\r\n"))
	} else {
		_, _ = c.Write([]byte("-LOADING Redis is loading the dataset in memory\r\n"))
	}
	_, _ = r.ReadSlice('\n') // the rest of the command, or the client leaving
}

// fakeMySQL greets with a protocol-10 handshake and then refuses the login
// (mysqladmin ping calls access denied alive), or sends ERR 1040.
func fakeMySQL(c net.Conn, r *bufio.Reader, ready bool) {
	packet := func(seq byte, body []byte) {
		_, _ = c.Write(append([]byte{byte(len(body)), byte(len(body) >> 8), byte(len(body) >> 16), seq}, body...))
	}
	if !ready {
		packet(0, append([]byte{0xff, 0x10, 0x04}, "Too many connections"...))
		return
	}
	hs := []byte("\x0a10.11.0-fake\x00")
	hs = append(hs, 1, 0, 0, 0)            // connection id
	hs = append(hs, "abcdefgh\x00"...)     // scramble part 1, filler
	hs = append(hs, 0x01, 0x82, 33, 2, 0)  // capabilities (low), charset, status
	hs = append(hs, 0x08, 0x00, 21)        // capabilities (high), scramble length
	hs = append(hs, make([]byte, 10)...)   // reserved
	hs = append(hs, "ijklmnopqrst\x00"...) // scramble part 2
	hs = append(hs, "mysql_native_password\x00"...)
	packet(0, hs)
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return
	}
	_, _ = io.CopyN(io.Discard, r, int64(head[0])|int64(head[1])<<8|int64(head[2])<<16)
	packet(head[3]+1, append([]byte{0xff, 0x15, 0x04, '#'}, "28000Access denied for user"...))
}

// fakeAMQP answers the protocol header with Connection.Start, or closes
// without a word, as a broker still booting behind a proxy does.
func fakeAMQP(c net.Conn, r *bufio.Reader, ready bool) {
	var header [8]byte
	if _, err := io.ReadFull(r, header[:]); err != nil || !ready {
		return
	}
	_, _ = c.Write([]byte{1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 10, 0xce})
}

// The shell loops the protocol targets replace.
const (
	pgIsReadyLoop  = `until pg_isready -q -h 127.0.0.1 -p PORT; do sleep 2; done`
	redisPingLoop  = `until redis-cli -h 127.0.0.1 -p PORT ping | grep -q PONG; do sleep 2; done`
	mysqladminLoop = `until mysqladmin --no-defaults -h 127.0.0.1 -P PORT --connect-timeout=2 ping >/dev/null 2>&1; do sleep 2; done`
	amqpNcLoop     = `until nc -z 127.0.0.1 PORT; do sleep 2; done`
)

// protocolWaiters: kwait and the loop for a database or queue.
func (b *bench) protocolWaiters(kind string) []waiter {
	kw := b.cfg.kwait
	loop := map[string][2]string{
		"postgres": {"pg_isready loop", pgIsReadyLoop}, "redis": {"redis-cli ping loop", redisPingLoop},
		"mysql": {"mysqladmin ping loop", mysqladminLoop}, "amqp": {"nc loop", amqpNcLoop},
	}[kind]
	return []waiter{
		{Key: "kwait", Name: "kwait", Show: fmt.Sprintf("kwait %s 127.0.0.1:PORT --timeout %s", kind, timeout),
			argv: func(t thing) []string { return []string{kw, kind, t.Addr, "--timeout", timeout} }},
		{Key: "loop", Name: loop[0], Period: 2 * time.Second, Show: loop[1], argv: shell(loop[1])},
	}
}
