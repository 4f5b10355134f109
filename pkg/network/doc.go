// Package network holds kwait's network targets: a TCP port that accepts
// connections, an HTTP endpoint that answers with an expected status (and,
// optionally, body), a DNS name that resolves, and database, queue and
// RPC servers (PostgreSQL, MySQL, Redis, AMQP, memcached, MongoDB, Kafka,
// gRPC health) that answer the first packets of their protocol as ready
// servers do (Server), in TLS where the URL asks for it (TLSOptions). Kinds
// is their table, which kwait's command line reads for its subcommands,
// grammar, flags and builder.
//
// All poll: each attempt runs under its own short timeout bounded by
// the context Wait was given, and attempts are spaced by a capped
// exponential backoff (see Poll). Network trouble is always "not yet", never
// failure for good: a refused connection, a 503, an unresolvable name or an
// untrusted certificate may all be fixed while kwait waits. Only the
// context ends a wait that never becomes ready. The exceptions are a
// Redis server refusing the password the user gave, and a gRPC server
// without the health service. Poll.Gone turns any of
// them around, to wait until it stops answering.
package network
