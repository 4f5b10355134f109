// Package network holds kwait's network targets: a TCP port that accepts
// connections, an HTTP endpoint that answers with an expected status (and,
// optionally, body), and a DNS name that resolves.
//
// All three poll: each attempt runs under its own short timeout bounded by
// the context Wait was given, and attempts are spaced by a capped
// exponential backoff (see Poll). Network trouble is always "not yet", never
// failure for good: a refused connection, a 503, an unresolvable name or an
// untrusted certificate may all be fixed while kwait waits. Only the
// context ends a wait that never becomes ready.
package network
