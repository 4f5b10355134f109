// Package kube waits for things in the Kubernetes API: CRDs, workloads,
// Jobs, pods, Services and any resource's condition. Every target lists and
// then watches the objects it needs, narrowed by a field or label selector,
// and judges them with the pure rules of package readiness.
//
// To stay small it uses only the dynamic client and converts the few types
// it judges from unstructured objects; typed clientsets and client-go's
// discovery package would link in every API group's types.
package kube

import (
	"context"
	"encoding/json"
	"fmt"

	"golang.org/x/sync/singleflight"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Client is what the Kubernetes targets talk to.
type Client struct {
	Dynamic   dynamic.Interface
	Discovery Discovery
	// Namespace is where targets without a namespace of their own live.
	Namespace string
}

// Discovery answers which resources the apiserver serves in one
// group/version.
type Discovery interface {
	// Resources lists the resources served in groupVersion ("apps/v1").
	Resources(ctx context.Context, groupVersion string) ([]metav1.APIResource, error)
}

// NewClient builds a Client for cfg, sharing one HTTP client between the
// dynamic client and discovery.
func NewClient(cfg *rest.Config, namespace string) (*Client, error) {
	dcfg := dynamic.ConfigFor(cfg)
	httpClient, err := rest.HTTPClientFor(dcfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfigAndClient(dcfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	dcfg.GroupVersion = nil
	dcfg.APIPath = "/apis"
	rc, err := rest.UnversionedRESTClientForConfigAndClient(dcfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return &Client{Dynamic: dyn, Discovery: &sharedDiscovery{d: restDiscovery{rc}}, Namespace: namespace}, nil
}

// sharedDiscovery lets targets that ask for the same group/version at the
// same moment (CRDs of one operator, established together) share one
// request instead of sending one each.
type sharedDiscovery struct {
	d     Discovery
	calls singleflight.Group
}

func (s *sharedDiscovery) Resources(ctx context.Context, groupVersion string) ([]metav1.APIResource, error) {
	v, err, _ := s.calls.Do(groupVersion, func() (any, error) { return s.d.Resources(ctx, groupVersion) })
	if err != nil {
		return nil, err
	}
	return v.([]metav1.APIResource), nil
}

// restDiscovery reads discovery documents with plain GETs, one group/version
// at a time.
type restDiscovery struct{ rc rest.Interface }

func (d restDiscovery) Resources(ctx context.Context, groupVersion string) ([]metav1.APIResource, error) {
	raw, err := d.rc.Get().AbsPath("/apis", groupVersion).Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var list metav1.APIResourceList
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("discovery %s: %w", groupVersion, err)
	}
	return list.APIResources, nil
}
