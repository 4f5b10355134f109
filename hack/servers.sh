#!/usr/bin/env bash
# servers.sh: installs the database and queue servers the e2e protocol tests
# start themselves (e2e/protocols_test.go): PostgreSQL, MariaDB, Redis,
# RabbitMQ, memcached, from Debian packages, when missing. The packages' own system
# services are never started: a policy-rc.d refuses them while apt runs, so
# nothing keeps listening on 5432, 3306, 6379 or 5672 afterwards.
set -euo pipefail

packages=(postgresql mariadb-server redis-server rabbitmq-server memcached)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
((${#missing[@]})) || exit 0

as_root=()
[[ $(id -u) == 0 ]] || as_root=(sudo)
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  # Exit status 101: "action forbidden" to invoke-rc.d, which the
  # packages' maintainer scripts use to start their services.
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  trap '"${as_root[@]}" rm -f "$policy"' EXIT
fi
"$(dirname "$0")/apt-install.sh" "${missing[@]}"
