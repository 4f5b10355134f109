package kube

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// plurals remembers every resource a discovery document listed during the
// run, by group/version, so that CRDs of one group established one after
// the other need one discovery request between them rather than one each:
// a CRD whose plural an earlier document of its group/version already
// listed is served. (A CRD deleted during the run stays listed here; kwait
// waits for CRDs to appear, not to go.)
type plurals struct {
	mu   sync.Mutex
	seen map[string]bool // "group/version resource"
}

func (p *plurals) add(gv string, rs []metav1.APIResource) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	for _, r := range rs {
		p.seen[gv+" "+r.Name] = true
	}
}

func (p *plurals) has(gv, plural string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[gv+" "+plural]
}
