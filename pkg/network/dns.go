package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// DNS is ready once its host name resolves to at least one address.
//
// Every lookup failure is "not yet": NXDOMAIN (the Service may not exist
// yet), a server failure, a timeout. Lookups go through the resolver given
// to NewDNS, which reads /etc/hosts and the pod's search domains as any
// other lookup in the pod would.
type DNS struct {
	host     string
	poll     Poll
	resolver *net.Resolver
}

// NewDNS returns a DNS target for host, a host name (a trailing dot makes
// it fully qualified) or an IP address. A nil resolver means
// net.DefaultResolver.
func NewDNS(host string, p Poll, r *net.Resolver) (*DNS, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	if err := checkHost(host); err != nil {
		return nil, fmt.Errorf("invalid host %q: %w", host, err)
	}
	if r == nil {
		r = net.DefaultResolver
	}
	return &DNS{host: host, poll: p, resolver: r}, nil
}

// Name is "dns://HOST".
func (d *DNS) Name() string { return "dns://" + d.host }

// Wait polls until the name resolves or ctx is done.
func (d *DNS) Wait(ctx context.Context, report target.Report) error {
	return poll(ctx, d.poll, report, d.check)
}

func (d *DNS) check(ctx context.Context) target.Status {
	addrs, err := d.resolver.LookupHost(ctx, d.host)
	switch {
	case err != nil:
		return target.Pending("%s", reason(err, d.poll.AttemptTimeout))
	case len(addrs) == 0:
		return target.Pending("no addresses")
	}
	return target.Ready()
}

// checkHost accepts an IP address (an IPv6 one may carry a zone) or a host
// name in the style of RFC 1123: dot-separated labels of 1-63 letters,
// digits, hyphens and underscores (found in real DNS names such as SRV
// owners), not starting or ending with a hyphen, at most 253 characters in
// all, with an optional trailing dot.
func checkHost(host string) error {
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	name := strings.TrimSuffix(host, ".")
	switch {
	case name == "":
		return errors.New("empty host name")
	case len(name) > 253:
		return errors.New("host name longer than 253 characters")
	}
	for label := range strings.SplitSeq(name, ".") {
		if err := checkLabel(label); err != nil {
			return err
		}
	}
	return nil
}

func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New("empty label in host name")
	case len(label) > 63:
		return fmt.Errorf("label %q longer than 63 characters", label)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("label %q starts or ends with a hyphen", label)
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("label %q has invalid character %q", label, c)
		}
	}
	return nil
}
