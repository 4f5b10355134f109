package kube

import (
	"context"
	"errors"
	"net"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kwait-dev/kwait/pkg/target"
)

// requestTimeout bounds one LIST or discovery request, so that a hung
// apiserver or load balancer becomes a reason to wait on instead of
// silence. Watches are long by design and bounded by their own timeout.
const requestTimeout = 15 * time.Second

// describe turns an error from the API into a short reason to wait on. The
// apiserver's own words are kept where they say what is wrong (Forbidden
// names the user, verb, resource and namespace); network errors are reduced
// to their cause so an outage reads the same on every retry and is logged
// once.
func describe(err error) string {
	var op *net.OpError
	var silent *NoAnswerError
	switch {
	case errors.As(err, &silent):
		return silent.Error()
	case errors.Is(err, context.DeadlineExceeded):
		// The run's own deadline never gets here: the loops end first.
		return (&NoAnswerError{After: requestTimeout}).Error()
	case apierrors.IsForbidden(err):
		return "forbidden: " + target.Line(err.Error())
	case apierrors.IsUnauthorized(err):
		return "unauthorized: the credentials were rejected"
	case apierrors.IsNotFound(err):
		return "resource type not served yet: " + target.Line(err.Error())
	case errors.As(err, &op):
		cause := op.Err
		var sys *os.SyscallError
		if errors.As(cause, &sys) {
			cause = sys.Err // "connection refused", not "connect: connection refused"
		}
		return "apiserver unreachable: " + target.Line(cause.Error())
	}
	return "apiserver: " + target.Line(err.Error())
}
