package kube

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kwait-dev/kwait/pkg/target"
)

// unauthorizedGrace is how long the apiserver may answer 401 before kwait
// gives up. A token can be rejected for a moment while it is rotated or
// while an apiserver starts and loads its authenticators; a wrong one is
// rejected for good.
const unauthorizedGrace = 3 * time.Second

// misconfig tells the errors no retry can fix from those worth waiting on.
// Each loop that retries API requests keeps one.
type misconfig struct {
	// unauthorizedSince is when the current run of 401 answers began.
	unauthorizedSince time.Time
	// now is the clock, time.Now when nil.
	now func() time.Time
}

// check returns a *target.ConfigError when err shows kwait is misconfigured:
//   - the apiserver's certificate does not verify (unknown authority, wrong
//     host name, expired): the CA kwait trusts is not the apiserver's;
//   - 401 Unauthorized, still answered unauthorizedGrace after the first.
//
// Forbidden is not among them: RBAC may be granted later (a chart's Role
// created after its hook Job starts). Any other error ends a run of 401s.
func (m *misconfig) check(err error) error {
	if cause := tlsCause(err); cause != nil {
		return &target.ConfigError{Reason: "kubeconfig's CA does not verify the apiserver: " + target.Line(cause.Error())}
	}
	if !apierrors.IsUnauthorized(err) {
		m.ok()
		return nil
	}
	now := time.Now()
	if m.now != nil {
		now = m.now()
	}
	if m.unauthorizedSince.IsZero() {
		m.unauthorizedSince = now
	}
	if now.Sub(m.unauthorizedSince) >= unauthorizedGrace {
		return &target.ConfigError{Reason: "apiserver rejects the credentials (401 Unauthorized)"}
	}
	return nil
}

// ok records a request that succeeded.
func (m *misconfig) ok() { m.unauthorizedSince = time.Time{} }

// tlsCause is the certificate verification error err wraps, or nil.
func tlsCause(err error) error {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown):
		return unknown
	case errors.As(err, &host):
		return host
	case errors.As(err, &invalid):
		return invalid
	case errors.As(err, &verify):
		return verify
	}
	return nil
}
