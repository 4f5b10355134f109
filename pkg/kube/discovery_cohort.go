package kube

import (
	"context"
	"strings"
	"sync"
	"time"
)

// cohorts let the CRD targets of one group wait for each other before they
// ask discovery whether their resources are served. An operator's CRDs are
// created together and become Established a moment apart; a target that
// asked at once would fetch a discovery document that does not list its
// siblings yet, and each sibling would fetch its own. Held until the last
// of them is Established, they share one fetch (sharedVersions), so N CRDs
// of a group cost N watches and about one discovery request, not 2N.
//
// Holding never delays the run: kwait exits when every target is ready,
// and the held targets are released the moment the last sibling is
// Established. A sibling that is not created at all releases the others
// once no sibling has become Established for cohortQuiet, and no target is
// held longer than cohortMax.
type cohorts struct {
	mu     sync.Mutex
	groups map[string]*cohort
}

// cohort is the CRD targets of one group.
type cohort struct {
	// pending counts the members not Established yet.
	pending int
	// changed is closed and replaced whenever a member becomes
	// Established or leaves.
	changed chan struct{}
}

const (
	cohortQuiet = time.Second
	cohortMax   = 10 * time.Second
)

// member is one CRD target's place in its group's cohort.
type member struct {
	cs    *cohorts
	group string
	done  bool
}

// join adds a CRD target (its name is PLURAL.GROUP) to its group's cohort.
// Targets join when they are built, before any of them waits, so every
// member counts from the start.
func (cs *cohorts) join(crdName string) *member {
	_, group, _ := strings.Cut(crdName, ".")
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.groups == nil {
		cs.groups = map[string]*cohort{}
	}
	g := cs.groups[group]
	if g == nil {
		g = &cohort{changed: make(chan struct{})}
		cs.groups[group] = g
	}
	g.pending++
	return &member{cs: cs, group: group}
}

// established marks the member Established (or gone: a target that ends
// without it must not hold the others). Later calls do nothing.
func (m *member) established() {
	m.cs.mu.Lock()
	defer m.cs.mu.Unlock()
	if m.done {
		return
	}
	m.done = true
	g := m.cs.groups[m.group]
	g.pending--
	close(g.changed)
	g.changed = make(chan struct{})
}

// hold marks the member Established and returns once no member of its
// cohort is still pending, once none has become Established for
// cohortQuiet, after cohortMax, or when ctx ends. status receives how many
// siblings it is waiting for, when it must wait.
func (m *member) hold(ctx context.Context, status func(pending int)) {
	m.established()
	limit := time.NewTimer(cohortMax)
	defer limit.Stop()
	for {
		m.cs.mu.Lock()
		g := m.cs.groups[m.group]
		pending, changed := g.pending, g.changed
		m.cs.mu.Unlock()
		if pending == 0 {
			return
		}
		status(pending)
		quiet := time.NewTimer(cohortQuiet)
		select {
		case <-changed:
			quiet.Stop()
		case <-quiet.C:
			return
		case <-limit.C:
			quiet.Stop()
			return
		case <-ctx.Done():
			quiet.Stop()
			return
		}
	}
}
