#!/usr/bin/env bash
# binsize.sh [BASE]: measures kwait's binary size and writes it into
# docs/benchmarks.md, between the "binary size" markers (make bench keeps
# that block): the size of the binary of every release platform, built as
# a release builds it, and the packages with the most symbol bytes in the
# linux/amd64 binary (go tool nm -size; the 32 MiB DRBG buffer, which
# takes no room in the file, left out). With BASE (a git ref), each figure
# is given for BASE and for the work tree, with the difference, and the
# packages whose share changed by 2 KB or more are listed too.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOC=$ROOT/docs/benchmarks.md
BASE=${1:-}
PLATFORMS=${RELEASE_PLATFORMS:-linux/amd64 linux/arm64 linux/ppc64le linux/s390x darwin/amd64 darwin/arm64 windows/amd64}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# build SRC OUT: every platform's binary into OUT/OS-ARCH, and an unstripped
# linux/amd64 one for nm, from the source tree SRC.
build() {
  local src=$1 out=$2 p
  mkdir -p "$out"
  for p in $PLATFORMS; do
    (cd "$src" && CGO_ENABLED=0 GOOS=${p%/*} GOARCH=${p#*/} go build -trimpath -tags urfave_cli_no_docs \
      -ldflags '-s -w' -o "$out/${p%/*}-${p#*/}" ./cmd/kwait)
  done
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -o "$out/syms" ./cmd/kwait)
  # package<TAB>bytes, from the symbols that take room in the file.
  go tool nm -size "$out/syms" | awk '
    $3 != "B" && $3 != "b" && $4 != "crypto/internal/fips140/drbg.memory" {
      n = $4; sub(/^type:(\.eq\.)?/, "", n); sub(/^\*/, "", n)
      i = match(n, /\/[^\/]*$/); rest = (i ? substr(n, i) : n); j = index(rest, ".")
      pkg = (j ? substr(n, 1, (i ? i - 1 : 0) + j - 1) : n); size[pkg] += $2
    }
    END { for (p in size) printf "%s\t%d\n", p, size[p] }' | sort >"$out/packages"
}

build "$ROOT" "$TMP/now"
if [[ -n $BASE ]]; then
  mkdir -p "$TMP/base-src"
  git -C "$ROOT" archive "$BASE" | tar -x -C "$TMP/base-src"
  build "$TMP/base-src" "$TMP/base"
fi

size_of() { [[ -f $1 ]] && stat -c %s "$1" || echo 0; }
{
  echo "<!-- binary size: written by hack/binsize.sh${BASE:+ $BASE}; make bench keeps this block -->"
  echo "## Binary size"
  echo
  echo "Release build flags (\`CGO_ENABLED=0 -trimpath -ldflags '-s -w'\`); the release refuses any binary over 20,000,000 bytes."
  echo
  if [[ -n $BASE ]]; then
    echo "| platform | $BASE | this tree | change |"
    echo "| --- | ---: | ---: | ---: |"
  else
    echo "| platform | bytes |"
    echo "| --- | ---: |"
  fi
  for p in $PLATFORMS; do
    now=$(size_of "$TMP/now/${p%/*}-${p#*/}")
    if [[ -n $BASE ]]; then
      base=$(size_of "$TMP/base/${p%/*}-${p#*/}")
      printf '| %s | %d | %d | %+d |\n' "$p" "$base" "$now" $((now - base))
    else
      printf '| %s | %d |\n' "$p" "$now"
    fi
  done
  echo
  echo "The largest packages of the linux/amd64 binary, by symbol bytes (\`go tool nm -size\`):"
  echo
  if [[ -n $BASE ]]; then
    join -t $'\t' -a 1 -a 2 -e 0 -o 0,1.2,2.2 "$TMP/base/packages" "$TMP/now/packages" >"$TMP/joined"
  else
    awk -F'\t' '{print $1 "\t0\t" $2}' "$TMP/now/packages" >"$TMP/joined"
  fi
  if [[ -n $BASE ]]; then
    echo "| package | $BASE | this tree | change |"
    echo "| --- | ---: | ---: | ---: |"
  else
    echo "| package | bytes |"
    echo "| --- | ---: |"
  fi
  {
    sort -t $'\t' -k3,3nr "$TMP/joined" | awk 'NR <= 15'
    [[ -z $BASE ]] || awk -F'\t' '($3 - $2 >= 2000 || $2 - $3 >= 2000)' "$TMP/joined"
  } | awk -F'\t' '!seen[$1]++' | while IFS=$'\t' read -r pkg base now; do
    if [[ -n $BASE ]]; then
      printf '| %s | %d | %d | %+d |\n' "\`$pkg\`" "$base" "$now" $((now - base))
    else
      printf '| %s | %d |\n' "\`$pkg\`" "$now"
    fi
  done
  echo "<!-- end binary size -->"
} >"$TMP/block"

# Replace the block, or add it at the end.
awk -v block="$TMP/block" '
  /^<!-- binary size:/ { skip = 1; while ((getline line < block) > 0) print line; next }
  /^<!-- end binary size -->/ { skip = 0; done = 1; next }
  !skip { print }
  END { if (!done) { print ""; while ((getline line < block) > 0) print line } }' "$DOC" >"$TMP/doc"
cp "$TMP/doc" "$DOC"
echo "binsize.sh: wrote the binary size block of ${DOC#"$ROOT"/}" >&2
