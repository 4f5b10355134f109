package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kwait-dev/kwait/pkg/apitype"
)

// versionDiscovery answers which resources the apiserver serves in one
// group/version, the document a CRD target checks for its resource.
type versionDiscovery interface {
	// Resources lists the resources served in groupVersion ("apps/v1").
	Resources(ctx context.Context, groupVersion string) ([]metav1.APIResource, error)
}

// sharedVersions lets targets that ask for the same group/version at the
// same moment (CRDs of one operator, established together) share one
// request instead of sending one each.
type sharedVersions struct {
	d     versionDiscovery
	calls singleflight.Group
}

func (s *sharedVersions) Resources(ctx context.Context, groupVersion string) ([]metav1.APIResource, error) {
	v, err, _ := s.calls.Do(groupVersion, func() (any, error) { return s.d.Resources(ctx, groupVersion) })
	if err != nil {
		return nil, err
	}
	return v.([]metav1.APIResource), nil
}

// restVersions reads discovery documents with plain GETs, one group/version
// at a time.
type restVersions struct{ rc rest.Interface }

func (d restVersions) Resources(ctx context.Context, groupVersion string) ([]metav1.APIResource, error) {
	var list metav1.APIResourceList
	if err := getJSON(ctx, d.rc, versionPath(groupVersion), "", &list); err != nil {
		return nil, err
	}
	return list.APIResources, nil
}

func versionPath(groupVersion string) string {
	if !strings.Contains(groupVersion, "/") {
		return "/api/" + groupVersion
	}
	return "/apis/" + groupVersion
}

// typeIndex is every type the apiserver serves, read with aggregated
// discovery (one request for the core group, one for all others) and shared
// by all targets of a run. A target that does not find its type asks again
// later with a time: the index is fetched anew unless it is newer than that.
type typeIndex struct {
	rc    rest.Interface
	calls singleflight.Group

	mu      sync.Mutex
	fetched map[string]served // by root: "/api" or "/apis"
}

// served is what one discovery root lists.
type served struct {
	at    time.Time
	types []apitype.Type
	// stale are the groups of aggregated APIs whose servers did not
	// answer: their types are unknown, not absent.
	stale []string
}

// aggregatedAccept asks for aggregated discovery and takes the legacy
// documents from an apiserver that predates it.
const aggregatedAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"

// served returns what root ("/api" for the core group, "/apis" for every
// other) lists, in discovery order, fetched no earlier than since.
func (x *typeIndex) served(ctx context.Context, root string, since time.Time) (served, error) {
	x.mu.Lock()
	f, ok := x.fetched[root]
	x.mu.Unlock()
	if ok && !f.at.Before(since) {
		return f, nil
	}
	v, err, _ := x.calls.Do(root, func() (any, error) {
		at := time.Now()
		got, err := x.fetch(ctx, root)
		if err != nil {
			return served{}, err
		}
		got.at = at
		x.mu.Lock()
		defer x.mu.Unlock()
		if x.fetched == nil {
			x.fetched = map[string]served{}
		}
		x.fetched[root] = got
		return got, nil
	})
	if err != nil {
		return served{}, err
	}
	return v.(served), nil
}

func (x *typeIndex) fetch(ctx context.Context, root string) (served, error) {
	var doc struct {
		Kind string `json:"kind"`
		// Items of the aggregated document, APIGroupDiscoveryList.
		Items []aggregatedGroup `json:"items"`
		// The legacy documents: APIVersions (/api), APIGroupList (/apis).
		Versions []string          `json:"versions"`
		Groups   []metav1.APIGroup `json:"groups"`
	}
	if err := getJSON(ctx, x.rc, root, aggregatedAccept, &doc); err != nil {
		return served{}, err
	}
	switch doc.Kind {
	case "APIGroupDiscoveryList":
		return fromAggregated(doc.Items), nil
	case "APIVersions":
		var out served
		for _, v := range doc.Versions {
			x.addLegacy(ctx, &out, "", v)
		}
		return out, nil
	case "APIGroupList":
		var out served
		for _, g := range doc.Groups {
			x.addLegacy(ctx, &out, g.Name, g.PreferredVersion.Version)
			for _, v := range g.Versions {
				if v.Version != g.PreferredVersion.Version {
					x.addLegacy(ctx, &out, g.Name, v.Version)
				}
			}
		}
		return out, nil
	}
	return served{}, fmt.Errorf("discovery %s: unexpected document kind %q", root, doc.Kind)
}

// addLegacy adds the types of one group/version, read from its own document
// on an apiserver without aggregated discovery. A document that cannot be
// read (an aggregated API whose server is down) makes the group stale.
func (x *typeIndex) addLegacy(ctx context.Context, out *served, group, version string) {
	gv := version
	if group != "" {
		gv = group + "/" + version
	}
	var list metav1.APIResourceList
	if err := getJSON(ctx, x.rc, versionPath(gv), "", &list); err != nil {
		out.stale = append(out.stale, group)
		return
	}
	for _, r := range list.APIResources {
		if strings.Contains(r.Name, "/") {
			continue // a subresource
		}
		out.types = append(out.types, apitype.Type{Group: group, Version: version, Resource: r.Name, Singular: r.SingularName,
			Kind: r.Kind, ShortNames: r.ShortNames, Namespaced: r.Namespaced, Verbs: r.Verbs})
	}
}

// aggregatedGroup is the part of an apidiscovery.k8s.io/v2
// APIGroupDiscovery kwait reads; the package of those types would link in
// their protobuf code, which kwait does not use.
type aggregatedGroup struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	// Versions come in the group's order of preference.
	Versions []struct {
		Version string `json:"version"`
		// Freshness is "Stale" when the apiserver could not read an
		// aggregated API's document.
		Freshness string `json:"freshness"`
		Resources []struct {
			Resource         string   `json:"resource"`
			SingularResource string   `json:"singularResource"`
			Scope            string   `json:"scope"` // Namespaced or Cluster
			ShortNames       []string `json:"shortNames"`
			Verbs            []string `json:"verbs"`
			ResponseKind     *struct {
				Kind string `json:"kind"`
			} `json:"responseKind"`
		} `json:"resources"`
	} `json:"versions"`
}

func fromAggregated(groups []aggregatedGroup) served {
	var out served
	for _, g := range groups {
		for _, v := range g.Versions {
			if v.Freshness == "Stale" {
				out.stale = append(out.stale, g.Metadata.Name)
			}
			for _, r := range v.Resources {
				t := apitype.Type{Group: g.Metadata.Name, Version: v.Version, Resource: r.Resource, Singular: r.SingularResource,
					ShortNames: r.ShortNames, Namespaced: r.Scope == "Namespaced", Verbs: r.Verbs}
				if r.ResponseKind != nil {
					t.Kind = r.ResponseKind.Kind
				}
				out.types = append(out.types, t)
			}
		}
	}
	return out
}

// getJSON GETs path and decodes the JSON answer into out.
func getJSON(ctx context.Context, rc rest.Interface, path, accept string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req := rc.Get().AbsPath(path)
	if accept != "" {
		req = req.SetHeader("Accept", accept)
	}
	raw, err := req.Do(ctx).Raw()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("discovery %s: %w", path, err)
	}
	return nil
}
