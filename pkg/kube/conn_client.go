package kube

import (
	"fmt"
	"net/http"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Client is what the Kubernetes targets talk to.
type Client struct {
	dynamic  dynamic.Interface
	versions versionDiscovery
	index    *typeIndex
	// namespace is where targets without a namespace of their own live.
	namespace string
	// streams remembers whether the apiserver serves streaming lists, for
	// every target of this client; nil never streams.
	streams *streams
	// plurals are the resources discovery listed so far.
	plurals plurals
	// cohorts group the CRD targets by API group (see discovery_cohort.go).
	cohorts cohorts
}

// Dynamic is the client's dynamic client, for what kwait writes beside its
// waits (Events), over the same connections.
func (c *Client) Dynamic() dynamic.Interface { return c.dynamic }

// NewClient builds a Client for cfg, sharing one HTTP client between the
// dynamic client and discovery. pluginOutput, if not nil, receives the
// lines an exec credential plugin writes to its stderr.
func NewClient(cfg *rest.Config, namespace string, pluginOutput func(line string)) (*Client, error) {
	dcfg := dynamic.ConfigFor(cfg)
	var httpClient *http.Client
	err := withPluginOutput(dcfg, pluginOutput, func() error {
		var err error
		httpClient, err = rest.HTTPClientFor(dcfg)
		return err
	})
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
	return &Client{
		dynamic:   dyn,
		versions:  &sharedVersions{d: restVersions{rc}},
		index:     &typeIndex{rc: rc},
		namespace: namespace,
		streams:   newStreams(),
	}, nil
}
