#!/usr/bin/env bash
# Prints the version of the checked-out commit, as `git describe --tags`
# says it: v0.2.0 on a tag, v0.2.0-3-gabc1234 three commits after one, with
# "-dirty" when the work tree has uncommitted changes. Before the first tag
# (or in a clone without tags) it prints v0.0.0-N-gabc1234, N being the
# number of commits, so every build still says which commit it is; outside
# git, v0.0.0-dev.
#
# Usage: hack/version.sh            the version (v0.2.0-3-gabc1234)
#        hack/version.sh --chart    the same without the leading v (Helm chart versions)
set -euo pipefail
cd "$(dirname "$0")/.."

version() {
	if ! git rev-parse --git-dir >/dev/null 2>&1; then
		echo v0.0.0-dev
		return
	fi
	# Only release tags (v1.2.3, v1.2.3-rc.1) count; --abbrev=7 keeps the
	# form the same in the fallback and as the repository grows.
	if git describe --tags --match 'v[0-9]*.[0-9]*.[0-9]*' --abbrev=7 --dirty 2>/dev/null; then
		return
	fi
	local dirty=
	git diff --quiet HEAD -- 2>/dev/null || dirty=-dirty
	echo "v0.0.0-$(git rev-list --count HEAD)-g$(git rev-parse --short=7 HEAD)$dirty"
}

v=$(version)
case ${1:-} in
	--chart) echo "${v#v}" ;;
	"") echo "$v" ;;
	*) echo "usage: $0 [--chart]" >&2; exit 2 ;;
esac
