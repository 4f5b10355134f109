package kube

import (
	"context"
	"time"

	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// apiService waits until an APIService is Available, then until one
// discovery request for its group/version succeeds: the aggregator judges
// availability now and then, and a client's next discovery request must
// not be the first to find the API's server gone.
type apiService struct {
	*object
	c *Client
}

func (a *apiService) Wait(ctx context.Context, report target.Report) error {
	obj, err := a.holding(ctx, report)
	if err != nil {
		return err
	}
	svc, err := typed[readiness.APIServiceFields](obj)
	if err != nil {
		return err
	}
	gv := svc.GroupVersion()
	retry := newRetry(250*time.Millisecond, 2*time.Second)
	for {
		_, err := a.c.versions.Resources(ctx, gv)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		}
		report("Available, but discovery of " + gv + " fails: " + describe(err))
		if err := retry.wait(ctx); err != nil {
			return err
		}
	}
}
