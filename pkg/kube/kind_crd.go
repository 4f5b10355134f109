package kube

import (
	"context"
	"fmt"
	"slices"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
	"github.com/kwait-dev/kwait/pkg/target"
)

// crd waits until a CustomResourceDefinition is Established with its names
// accepted and then until every served version of it is listed in
// discovery, the point from which a client can create its custom resources
// without "no matches for kind".
type crd struct {
	name string
	c    *Client
	// siblings are the run's other CRD targets of the same group.
	siblings *member
}

func (t *crd) Name() string { return "crd/" + t.name }

func (t *crd) Wait(ctx context.Context, report target.Report) error {
	defer t.siblings.established()
	def, err := t.c.established(ctx, t.name, "", false, report)
	if err != nil {
		return err
	}
	t.siblings.hold(ctx, func(pending int) {
		report(fmt.Sprintf("established, asking discovery once %d more CRD(s) of %s are", pending, def.Spec.Group))
	})
	return t.c.served(ctx, def, report)
}

// established waits until the CRD called name is Established and its names
// accepted, and returns it. prefix starts every reason it reports. With
// absentOK, a CRD that does not exist ends the wait too, returning nil.
func (c *Client) established(ctx context.Context, name, prefix string, absentOK bool, report target.Report) (*apiextensionsv1.CustomResourceDefinition, error) {
	var def *apiextensionsv1.CustomResourceDefinition
	eval := readiness.One(func(got *apiextensionsv1.CustomResourceDefinition) target.Status {
		st := readiness.CRD(got)
		if st.Phase == target.PhaseReady {
			def = got
		}
		return st
	})
	withPrefix := func(objs []*unstructured.Unstructured) target.Status {
		if absentOK && len(objs) == 0 {
			return target.Ready()
		}
		st := eval(objs)
		if st.Phase != target.PhaseReady && prefix != "" {
			st.Reason = prefix + st.Reason
		}
		return st
	}
	if err := until(ctx, c.streams, c.resourceFor(crdType(), ""), byName(name), withPrefix, report); err != nil {
		return nil, err
	}
	return def, nil
}

// served polls discovery until every served version of def lists its
// plural, or an earlier document of the run did (see plurals). The apiserver installs a CRD's handler shortly after it reports
// Established, and discovery is the place clients (Helm, kubectl) look.
func (c *Client) served(ctx context.Context, def *apiextensionsv1.CustomResourceDefinition, report target.Report) error {
	retry := newRetry(20*time.Millisecond, time.Second)
	for _, v := range def.Spec.Versions {
		if !v.Served {
			continue
		}
		gv := def.Spec.Group + "/" + v.Name
		for !c.plurals.has(gv, def.Spec.Names.Plural) {
			resources, err := c.versions.Resources(ctx, gv)
			if err == nil {
				c.plurals.add(gv, resources)
			}
			if err == nil && slices.ContainsFunc(resources, func(r metav1.APIResource) bool { return r.Name == def.Spec.Names.Plural }) {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				report("established, discovery of " + gv + ": " + describe(err))
			} else {
				report("established, not yet served in discovery of " + gv)
			}
			if err := retry.wait(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// crdType is the API type of CustomResourceDefinitions.
func crdType() apitype.Type {
	t, _ := apitype.Lookup("apiextensions.k8s.io", "customresourcedefinitions")
	return t
}
