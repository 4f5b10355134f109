// Package kind is kwait's one table of the Kubernetes kinds it waits for
// with a readiness rule of its own: their names, the API type each names,
// what kwait lists and watches to judge it (and so the RBAC it needs), how
// the objects are selected, the rule, and the help text. The subcommands,
// the target grammar, the target builder, --help and the library chart's
// tables all come from it. Adding a kind means adding a row here and its
// rule in package readiness.
package kind

import (
	"strings"

	"github.com/kwait-dev/kwait/pkg/apitype"
	"github.com/kwait-dev/kwait/pkg/readiness"
)

// Kind is one kind of Kubernetes target.
type Kind struct {
	// Name is the subcommand and the prefix of the mixed form.
	Name string
	// Type is the API type the kind names; a --for rule given to a target
	// of this kind applies to the object of this type with the target's name.
	Type apitype.Type
	// Watch is the type kwait lists and watches to judge readiness.
	Watch apitype.Type
	// Select says which objects of Watch are judged.
	Select Selection
	// Args, Usage and Example are the subcommand's help; Example is one
	// command line.
	Args, Usage, Example string
	// Judge builds the readiness rule.
	Judge func(Params) readiness.Judge
	// Then is what kwait waits for once the rule holds on the object.
	Then Then
	// LooseNames is set for kinds whose object names need not be DNS
	// subdomains (the APIService of the core group is "v1."): their names
	// are checked as any object's.
	LooseNames bool
}

// Then is what a target waits for beyond its rule on the object, which
// the object alone cannot tell.
type Then int

const (
	// ThenNothing: the rule is all.
	ThenNothing Then = iota
	// ThenServed (CRDs): discovery serves every served version of the
	// CRD's resource.
	ThenServed
	// ThenEndpoints (webhook configurations): every Service a webhook
	// calls has a ready endpoint, judged as the service kind judges it.
	ThenEndpoints
	// ThenDiscovery (APIServices): the APIService's group/version answers
	// discovery.
	ThenDiscovery
)

// Selection is how a kind's target picks the objects it judges.
type Selection int

const (
	// ByName is the one object named NAME, with a field selector on
	// metadata.name, which RBAC resourceNames can narrow.
	ByName Selection = iota
	// ByServiceName is the objects labelled kubernetes.io/service-name=NAME
	// (a Service's EndpointSlices); RBAC cannot narrow a label selector.
	ByServiceName
	// BySelector is the objects a label selector matches.
	BySelector
)

// Params are the settings a rule may take from the command line.
type Params struct {
	// Min is how many ready pods a pods target needs at least.
	Min int
}

// Aliases are the other spellings the subcommand answers to: the type's
// plural, singular and short names, in lower case.
func (k Kind) Aliases() []string {
	var out []string
	add := func(s string) {
		if s != "" && s != k.Name && !contains(out, s) {
			out = append(out, s)
		}
	}
	add(k.Type.Resource)
	add(k.Type.Singular)
	for _, s := range k.Type.ShortNames {
		add(s)
	}
	return out
}

// Lookup finds the kind a spelling names: its name, or any way kubectl
// names its type (kind in any case, plural, singular, short name, each
// optionally with version and group: "Deployment", "deploy",
// "deployments.apps", "deployment.v1.apps").
func Lookup(spelling string) (Kind, bool) {
	all := All()
	for _, k := range all {
		if strings.EqualFold(spelling, k.Name) {
			return k, true
		}
	}
	n, err := apitype.ParseName(spelling)
	if err != nil {
		return Kind{}, false
	}
	types := make([]apitype.Type, len(all))
	for i, k := range all {
		types[i] = k.Type
	}
	t, err := apitype.Resolve(n, types)
	if err != nil {
		return Kind{}, false
	}
	for _, k := range all {
		if k.Type.GVR() == t.GVR() {
			return k, true
		}
	}
	return Kind{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
