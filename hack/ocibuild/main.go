// Command ocibuild assembles kwait's container image from binaries built
// beforehand: one layer holding /kwait and the CA bundle, on nothing
// (scratch), run as 65532:65532 with the exec-form entrypoint /kwait. With
// one platform it writes that image; with several, an OCI image index of
// them. The result is an OCI archive (a tar of an OCI image layout).
//
// Every timestamp is the -created time (the commit's), every file owner is
// 0:0 and every list is in a fixed order, so building the same binaries
// twice gives the same digests: the layers, configs, manifests, index and
// even the archive are byte for byte the same.
//
// It is built on go-containerregistry (the library behind crane and ko)
// rather than a Dockerfile engine because no daemon or registry is needed and
// nothing it writes carries the time of the build.
//
// Usage:
//
//	ocibuild -out FILE.oci.tar -ca CA.crt -version V [-tag T] -revision SHA -created UNIX \
//	    -platform linux/amd64=PATH/kwait [-platform linux/arm64=PATH/kwait ...] [-index]
//
// It prints the digest of what index.json points at (the index, or the
// image when there is one platform and no -index).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// platformFlag collects -platform OS/ARCH=BINARY in the order given.
type platformFlag []platformBinary

type platformBinary struct{ os, arch, binary string }

func (p *platformFlag) String() string { return fmt.Sprint(*p) }

func (p *platformFlag) Set(s string) error {
	platform, binary, ok := strings.Cut(s, "=")
	goos, arch, ok2 := strings.Cut(platform, "/")
	if !ok || !ok2 || goos == "" || arch == "" || binary == "" {
		return fmt.Errorf("%q: want OS/ARCH=BINARY", s)
	}
	*p = append(*p, platformBinary{goos, arch, binary})
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "ocibuild: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("ocibuild", flag.ContinueOnError)
	var (
		platforms platformFlag
		spec      imageSpec
		out       = fs.String("out", "", "the OCI archive to write")
		created   = fs.Int64("created", -1, "creation time, seconds since the epoch (the commit time)")
		index     = fs.Bool("index", false, "write an image index even for one platform")
	)
	fs.Var(&platforms, "platform", "OS/ARCH=BINARY, repeatable: a platform and its static kwait binary")
	fs.StringVar(&spec.caBundle, "ca", "/etc/ssl/certs/ca-certificates.crt", "the CA bundle to put at "+caPath)
	fs.StringVar(&spec.version, "version", "", "the version kwait prints (label org.opencontainers.image.version)")
	fs.StringVar(&spec.tag, "tag", "", "the archive's tag (annotation org.opencontainers.image.ref.name; default -version)")
	fs.StringVar(&spec.revision, "revision", "", "the commit (label org.opencontainers.image.revision)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case *out == "":
		return errors.New("-out is required")
	case len(platforms) == 0:
		return errors.New("at least one -platform is required")
	case spec.version == "" || spec.revision == "":
		return errors.New("-version and -revision are required")
	case *created < 0:
		return errors.New("-created is required")
	}
	spec.created = time.Unix(*created, 0).UTC()
	if spec.tag == "" {
		spec.tag = spec.version
	}
	spec.platforms = platforms
	digest, err := writeArchive(*out, spec, *index)
	if err != nil {
		return err
	}
	fmt.Println(digest)
	return nil
}
