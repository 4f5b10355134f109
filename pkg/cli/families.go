package cli

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/kwait-dev/kwait/pkg/kind"
	"github.com/kwait-dev/kwait/pkg/network"
	"github.com/kwait-dev/kwait/pkg/spec"
	"github.com/kwait-dev/kwait/pkg/target"
)

// member is one row of a family of targets, with everything the command
// line does with it: its subcommand (name, aliases, help), the flags that
// apply to its targets, how the command's arguments become specs, and how
// a spec becomes a target. Commands, the check of which flags apply and
// the builder all read the rows; nothing lists the members by hand.
type member struct {
	name    string
	aliases []string
	// args, usage and example are the subcommand's help; example is one
	// command line, notes more help after it.
	args, usage, example, notes string
	// applies are the flag groups its targets use.
	applies groups
	// files is the usage of the command's -f (manifest verbs); empty for
	// commands without one.
	files string
	// specs reads the command's arguments (and -f) into specs: the
	// command's parse stage, after the options are read.
	specs func(c *cli.Context, o options, in invocation) ([]spec.Spec, error)
	// build makes the target of one spec, once its manifests are read.
	build func(b *builder, ctx context.Context, sp spec.Spec) (target.Target, error)
}

// families are kwait's tables of targets, each read from its source of
// truth: the kinds of package kind, the resource form, the network kinds
// of package network, and the manifest verbs.
func families() [][]member {
	return [][]member{kindMembers(), {resourceMember()}, networkMembers(), verbMembers()}
}

// members are the rows of every family, in the order of kwait's commands.
func members() []member {
	var out []member
	for _, f := range families() {
		out = append(out, f...)
	}
	return out
}

// memberOf is the row of a spec's kind. The objects of the mixed form's -f
// are waited for as resources, so they are the resource member's.
func memberOf(kindName string) (member, bool) {
	if kindName == spec.Objects {
		kindName = spec.Resource
	}
	for _, m := range members() {
		if m.name == kindName {
			return m, true
		}
	}
	return member{}, false
}

// appliesTo is the flag groups a spec's target uses: its member's, but -l
// and --min only for pods picked by a selector (a rule names one pod), and
// the TLS flags only for network targets that speak TLS.
func appliesTo(sp spec.Spec) groups {
	m, _ := memberOf(sp.Kind)
	applies := m.applies
	if sp.Selector == "" {
		applies &^= groupSelector
	}
	// A database URL speaks TLS only where it asks for it (rediss://,
	// ?sslmode=require).
	if nk, ok := network.KindOf(sp.Kind); ok && !nk.UsesTLS(sp.Name) {
		applies &^= groupTLS
	}
	return applies
}

// kubeRules are the groups of every Kubernetes target judged by a rule.
const kubeRules = groupKube | groupNamespace | groupRules | groupFailure

// kindMembers are package kind's kinds.
func kindMembers() []member {
	var out []member
	for _, k := range kind.All() {
		m := member{name: k.Name, aliases: k.Aliases(), args: k.Args, usage: k.Usage, example: k.Example,
			applies: kubeRules, specs: argSpecs(k.Name), build: (*builder).kubernetes}
		if k.Select == kind.BySelector {
			m.applies |= groupSelector
			m.specs = selectorSpecs(k)
		}
		out = append(out, m)
	}
	return out
}

// resourceMember is any resource, judged by --for rules.
func resourceMember() member {
	return member{
		name: spec.Resource, aliases: []string{"resources"}, args: "TYPE/[NAMESPACE/]NAME...",
		usage:   "wait for any resource to meet every --for rule; TYPE as kubectl takes it (Kind, plural, singular, short name[.VERSION][.GROUP])",
		example: "kwait resource knativeservings.operator.knative.dev/knative-serving -n knative-serving --for condition=Ready",
		applies: kubeRules, specs: argSpecs(spec.Resource), build: (*builder).kubernetes,
	}
}

// networkMembers are package network's kinds: tcp, http, dns and the
// database and queue protocols.
func networkMembers() []member {
	var out []member
	for _, nk := range network.Kinds() {
		applies := groupNetwork
		if nk.HTTP {
			applies |= groupHTTP
		}
		if nk.TLS {
			applies |= groupTLS
		}
		out = append(out, member{name: nk.Name, args: nk.Args, usage: nk.Usage, example: nk.Example, applies: applies,
			specs: argSpecs(nk.Name),
			build: func(b *builder, _ context.Context, sp spec.Spec) (target.Target, error) { return b.network(nk, sp) }})
	}
	return out
}

// verbMembers are the manifest verbs: each reads the objects of manifests
// and does something with every one.
func verbMembers() []member {
	const manifests = groupKube | groupNamespace
	return []member{{
		name: spec.Admission, args: "-f FILE...",
		usage: "wait until the apiserver admits a server-side dry-run create of every object in the manifests " +
			"(YAML or JSON, - for stdin): type served, webhooks answering and allowing it; a denial or Invalid fails the wait",
		example: "kwait admission -f issuer-probe.yaml -n cert-manager",
		notes:   "Nothing is created. RBAC: create on each object's resource; a denial fails at once (exit 1).",
		applies: manifests, files: "manifest whose objects to dry-run create: a file, a directory, or - for stdin (repeatable; also as arguments)",
		specs: manifestSpecs(spec.Admission, nil), build: (*builder).admission,
	}, {
		name: spec.Apply, args: "-f SOURCE...",
		usage: "server-side apply the objects of manifests once their types are served and admission accepts them, " +
			"then wait for them with --for",
		example: "kwait apply -f /etc/kwait/manifests --for condition=Ready --timeout 10m",
		notes: `SOURCE is a file (YAML or JSON, several documents), - for stdin, or a directory: its
   *.yaml, *.yml and *.json files in name order, not recursing, names starting with "." skipped
   (a mounted ConfigMap works). Every object is applied on its own, concurrently: one whose type or
   namespace is not served yet, whose webhook does not answer, or that RBAC forbids, waits and is
   retried; a denial by a webhook or policy, an Invalid object, or a conflict with another field
   manager fails (exit 1). Objects removed from the manifests are not deleted (no pruning).
   RBAC: patch and create on each object by name (create for one that does not exist yet), and list,
   watch by name with --for; discovery needs nothing more, and no CRD is read.`,
		applies: manifests | groupRules | groupFailure | groupApply,
		files:   "manifest to apply: a file, a directory, or - for stdin (repeatable)",
		specs:   manifestSpecs(spec.Apply, checkApply), build: (*builder).apply,
	}, {
		name: spec.Delete, args: "-f SOURCE...",
		usage:   "delete the objects of manifests and wait until they are gone, their finalizers run",
		example: "kwait delete -f /etc/kwait/manifests --timeout 5m",
		notes: `SOURCE as for kwait apply. Every object is deleted (propagation Background) and waited for on its
   own, concurrently; one already gone, or whose type is not served, is done at once. While it waits
   the reason names the finalizers holding it. A denial by a webhook or policy fails (exit 1);
   RBAC Forbidden, 5xx and 429 are retried. RBAC: delete, get, list, watch on each object.`,
		applies: manifests, files: "manifest whose objects to delete: a file, a directory, or - for stdin (repeatable)",
		specs: manifestSpecs(spec.Delete, checkDelete), build: (*builder).delete,
	}}
}
