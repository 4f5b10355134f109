#!/usr/bin/env bash
# apt-install.sh PACKAGE...: installs the Debian packages that are missing,
# as root (or through sudo). A fresh machine may have no package lists yet:
# when the install finds nothing, the lists are updated once and it retries.
set -euo pipefail

missing=()
for pkg in "$@"; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
((${#missing[@]})) || exit 0

command -v apt-get >/dev/null || {
  echo "apt-install.sh: ${missing[*]} missing and there is no apt-get; install it by hand" >&2
  exit 1
}
as_root=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || {
    echo "apt-install.sh: ${missing[*]} missing; install it (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  }
  as_root=(sudo)
fi
echo "installing ${missing[*]} (apt)" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
