#!/usr/bin/env bash
# Runs shellcheck (Debian's package, installed when missing)
# over every shell script of the repository: each file git knows of (tracked,
# or new and not ignored) that is named *.sh or starts with a sh or bash
# shebang. Settings are in .shellcheckrc.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v shellcheck >/dev/null || hack/apt-install.sh shellcheck

scripts=()
while IFS= read -r -d '' f; do
  [[ -f $f ]] || continue # deleted but not yet committed
  if [[ $f == *.sh ]] || head -n1 "$f" | grep -qE '^#!.*[/ ](ba)?sh( |$)'; then
    scripts+=("$f")
  fi
done < <(git ls-files -z --cached --others --exclude-standard)
((${#scripts[@]})) || { echo "shellcheck.sh: no scripts found" >&2; exit 1; }
shellcheck "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
