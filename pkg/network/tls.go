package network

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSOptions say how every TLS client of a run (https, rediss://, amqps://,
// grpcs://, postgres:// with an sslmode, mongodb:// with tls=true) checks
// the servers it talks to and how it presents itself. One value serves
// every target: the files are read when a target is made.
type TLSOptions struct {
	// CAFile names a PEM file of certificates trusted in addition to the
	// system roots.
	CAFile string
	// CertFile and KeyFile name a client certificate and its private key
	// (PEM), sent to servers that ask for one; both or neither. Neither
	// the key nor the certificate's contents ever appear in an error.
	CertFile, KeyFile string
	// ServerName is the name the server's certificate must hold, and the
	// name sent in the TLS handshake (SNI), instead of the target's host:
	// for a server reached by an address its certificate does not name.
	ServerName string
	// Insecure skips verification of the server's certificate. It excludes
	// CAFile.
	Insecure bool
}

// verification is how much of a server's certificate is checked.
type verification int

const (
	// verifyFull checks the chain and that the certificate names the
	// server (the default).
	verifyFull verification = iota
	// verifyChain checks only the chain (PostgreSQL's sslmode=verify-ca).
	verifyChain
	// verifyNone checks nothing (PostgreSQL's sslmode=require and
	// prefer): the connection is encrypted, the server not authenticated.
	verifyNone
	// verifyChainIfCA is verifyChain when a CA file is given, else
	// verifyNone: libpq's sslmode=require with a root certificate file.
	verifyChainIfCA
)

// Config returns the TLS client configuration the options describe, for a
// server reached as host. Its errors name the file at fault.
func (o TLSOptions) Config(host string) (*tls.Config, error) {
	return o.config(host, verifyFull)
}

func (o TLSOptions) config(host string, v verification) (*tls.Config, error) {
	switch {
	case o.Insecure && o.CAFile != "":
		return nil, errors.New("insecure and a CA file exclude each other")
	case o.CertFile != "" && o.KeyFile == "":
		return nil, errors.New("a client certificate needs its private key")
	case o.KeyFile != "" && o.CertFile == "":
		return nil, errors.New("a client key needs its certificate")
	}
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if o.ServerName != "" {
		cfg.ServerName = o.ServerName
	}
	if o.CAFile != "" {
		pool, err := caPool(o.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			// Its message names what is wrong with the pair, never their
			// contents.
			return nil, fmt.Errorf("client certificate %s and key %s: %w", o.CertFile, o.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if v == verifyChainIfCA {
		v = verifyNone
		if o.CAFile != "" {
			v = verifyChain
		}
	}
	switch {
	case o.Insecure, v == verifyNone:
		cfg.InsecureSkipVerify = true //nolint:gosec // asked for: --insecure, or sslmode=require
	case v == verifyChain:
		cfg.InsecureSkipVerify = true //nolint:gosec // the chain is verified below, the name is not
		roots := cfg.RootCAs
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChainOf(cs, roots) }
	}
	return cfg, nil
}

// verifyChainOf checks that the server's certificate chains to roots (the
// system's when nil), whatever names it holds.
func verifyChainOf(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}

// caPool is the system roots plus the certificates of file.
func caPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		// No system roots to add to: the CA file is all there is.
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s has no PEM certificates", file)
	}
	return pool, nil
}

// CheckServerName checks a name given for the servers' certificates
// (TLSOptions.ServerName): a host name or an IP address, as a target's
// host is.
func CheckServerName(name string) error { return checkHost(name) }
