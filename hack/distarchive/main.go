// Command distarchive writes one release archive of kwait: a .tar.gz or, for
// Windows, a .zip holding the binary, LICENSE and README.md at its top
// level, the way `tar -xzf` / `unzip` users and krew expect.
//
// The bytes depend on nothing but the files and -mtime: every entry has that
// time, owner 0:0 with no user or group names, the mode its kind calls for
// (0755 for the binary, 0644 for the rest) and the order of the arguments;
// the gzip header has no name and no time. Building the same binary twice
// therefore gives the same archive, and the same sha256 in SHA256SUMS and
// in the krew manifest.
//
// Usage:
//
//	distarchive -out kwait_0.1.0_linux_amd64.tar.gz -mtime UNIX \
//	    kwait=PATH/kwait LICENSE=PATH/LICENSE README.md=PATH/README.md
//
// The first file is the executable one.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// entry is one file of the archive: its name there and where it is read from.
type entry struct {
	name, path string
	mode       int64
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "distarchive: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("distarchive", flag.ContinueOnError)
	out := fs.String("out", "", "the archive to write: NAME.tar.gz or NAME.zip")
	mtime := fs.Int64("mtime", -1, "every entry's modification time, seconds since the epoch (the commit time)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return errors.New("-out is required")
	case *mtime < 0:
		return errors.New("-mtime is required")
	case fs.NArg() == 0:
		return errors.New("no files: give NAME=PATH, the executable first")
	}
	var entries []entry
	for i, a := range fs.Args() {
		name, path, ok := strings.Cut(a, "=")
		if !ok || name == "" || path == "" || strings.Contains(name, "/") {
			return fmt.Errorf("%q: want NAME=PATH, NAME without a slash", a)
		}
		mode := int64(0o644)
		if i == 0 {
			mode = 0o755
		}
		entries = append(entries, entry{name, path, mode})
	}
	when := time.Unix(*mtime, 0).UTC()
	var write func(io.Writer, []entry, time.Time) error
	switch {
	case strings.HasSuffix(*out, ".tar.gz"):
		write = writeTarGz
	case strings.HasSuffix(*out, ".zip"):
		write = writeZip
	default:
		return fmt.Errorf("%s: want a name ending in .tar.gz or .zip", *out)
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".distarchive-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp, entries, when); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}

func writeTarGz(w io.Writer, entries []entry, when time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		data, err := os.ReadFile(e.path)
		if err != nil {
			return err
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     e.name,
			Mode:     e.mode,
			Size:     int64(len(data)),
			ModTime:  when,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, entries []entry, when time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		data, err := os.ReadFile(e.path)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: when}
		hdr.SetMode(os.FileMode(e.mode))
		f, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}
