package kube

import (
	"crypto/x509"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kwait-dev/kwait/pkg/target"
)

func TestMisconfigTLS(t *testing.T) {
	t.Parallel()
	var m misconfig
	err := &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api", Err: x509.UnknownAuthorityError{}}
	got := m.check(err)
	if !target.IsConfig(got) || !strings.HasPrefix(got.Error(), "kubeconfig's CA does not verify the apiserver: x509:") {
		t.Errorf("check(unknown authority) = %v, want a misconfiguration naming the CA", got)
	}
	if got := m.check(errors.New("connection refused")); got != nil {
		t.Errorf("check(connection refused) = %v, want nil", got)
	}
	gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
	if got := m.check(apierrors.NewForbidden(gr, "x", errors.New("no"))); got != nil {
		t.Errorf("check(forbidden) = %v, want nil: RBAC may come later", got)
	}
}

func TestMisconfigUnauthorizedAfterGrace(t *testing.T) {
	t.Parallel()
	clock := time.Unix(0, 0)
	m := misconfig{now: func() time.Time { return clock }}
	unauthorized := apierrors.NewUnauthorized("Unauthorized")
	if got := m.check(unauthorized); got != nil {
		t.Fatalf("first 401: %v, want nil", got)
	}
	clock = clock.Add(unauthorizedGrace / 2)
	if got := m.check(unauthorized); got != nil {
		t.Fatalf("401 within the grace: %v, want nil", got)
	}
	m.ok() // a request got through: the next 401 starts a new grace
	clock = clock.Add(unauthorizedGrace)
	if got := m.check(unauthorized); got != nil {
		t.Fatalf("401 after a success: %v, want nil", got)
	}
	clock = clock.Add(unauthorizedGrace)
	got := m.check(unauthorized)
	if !target.IsConfig(got) || got.Error() != "apiserver rejects the credentials (401 Unauthorized)" {
		t.Errorf("401 after the grace: %v, want a misconfiguration", got)
	}
}
