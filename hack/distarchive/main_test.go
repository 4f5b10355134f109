package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// files writes a fake binary, LICENSE and README.md and returns the
// arguments naming them, the binary first.
func files(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var args []string
	for _, f := range [][2]string{{"kwait", "\x7fELF binary"}, {"LICENSE", "license"}, {"README.md", "# kwait"}} {
		p := filepath.Join(dir, f[0])
		if err := os.WriteFile(p, []byte(f[1]), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, f[0]+"="+p)
	}
	return args
}

// build writes the archive named name twice, with a file's time changed
// in between, and fails unless both are the same bytes; it returns them.
func build(t *testing.T, name string) []byte {
	t.Helper()
	args := files(t)
	var got [][]byte
	for i := range 2 {
		out := filepath.Join(t.TempDir(), name)
		if err := run(append([]string{"-out", out, "-mtime", "1700000000"}, args...)); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, data)
		// The files' own times and modes must not reach the archive.
		p := args[0][len("kwait="):]
		if err := os.Chtimes(p, time.Now(), time.Now().Add(time.Duration(i+1)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Fatalf("%s: two runs over the same files gave different bytes", name)
	}
	return got[0]
}

func TestTarGzIsReproducibleAndFlat(t *testing.T) {
	data := build(t, "kwait_0.1.0_linux_amd64.tar.gz")
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header names %q at %v, want neither", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		wantMode := int64(0o644)
		if hdr.Name == "kwait" {
			wantMode = 0o755
		}
		if hdr.Mode != wantMode || hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" ||
			hdr.ModTime.Unix() != 1700000000 {
			t.Errorf("%s: mode %o, owner %d:%d (%q:%q), time %v; want %o, 0:0 unnamed, 1700000000",
				hdr.Name, hdr.Mode, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname, hdr.ModTime.Unix(), wantMode)
		}
	}
	if got := names; len(got) != 3 || got[0] != "kwait" || got[1] != "LICENSE" || got[2] != "README.md" {
		t.Errorf("entries %q, want kwait LICENSE README.md", got)
	}
}

func TestZipIsReproducibleAndFlat(t *testing.T) {
	data := build(t, "kwait_0.1.0_windows_amd64.zip")
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(time.Unix(1700000000, 0)) {
			t.Errorf("%s: modified %v, want 1700000000", f.Name, f.Modified)
		}
	}
	if len(names) != 3 || names[0] != "kwait" || names[2] != "README.md" {
		t.Errorf("entries %q, want kwait LICENSE README.md", names)
	}
	if m := zr.File[0].Mode(); m.Perm() != 0o755 {
		t.Errorf("the binary's mode is %v, want 0755", m)
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"-mtime", "1", "a=b"},
		{"-out", "x.tar.gz", "a=b"},
		{"-out", "x.tar.gz", "-mtime", "1"},
		{"-out", "x.tar.gz", "-mtime", "1", "noequals"},
		{"-out", "x.tar.gz", "-mtime", "1", "dir/a=b"},
		{"-out", "x.rar", "-mtime", "1", "a=b"},
	} {
		if err := run(args); err == nil {
			t.Errorf("run(%q) accepted it", args)
		}
	}
}
