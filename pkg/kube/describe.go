package kube

import (
	"errors"
	"net"
	"os"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// describe turns an error from the API into a short reason to wait on. The
// apiserver's own words are kept where they say what is wrong (Forbidden
// names the user, verb, resource and namespace); network errors are reduced
// to their cause so an outage reads the same on every retry and is logged
// once.
func describe(err error) string {
	var op *net.OpError
	switch {
	case apierrors.IsForbidden(err):
		return "forbidden: " + oneLine(err.Error())
	case apierrors.IsUnauthorized(err):
		return "unauthorized: the credentials were rejected"
	case apierrors.IsNotFound(err):
		return "resource type not served yet: " + oneLine(err.Error())
	case errors.As(err, &op):
		cause := op.Err
		var sys *os.SyscallError
		if errors.As(cause, &sys) {
			cause = sys.Err // "connection refused", not "connect: connection refused"
		}
		return "apiserver unreachable: " + oneLine(cause.Error())
	}
	return "apiserver: " + oneLine(err.Error())
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
