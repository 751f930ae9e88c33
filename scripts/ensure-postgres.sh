#!/usr/bin/env bash
# Use the PostgreSQL server on 127.0.0.1:5432 when it answers; otherwise install
# Debian's package and start a cluster on loopback (needs root, as on CI).
set -uo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || python3 - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
}
ready && exit 0
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "PostgreSQL is not running and installing it needs root" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || exit 1
fi
ver="$(ls /etc/postgresql | sort -V | tail -1)"
conf="/etc/postgresql/$ver/main"
grep -q "ipoc-test" "$conf/pg_hba.conf" || sed -i '1i host all all 127.0.0.1/32 trust # ipoc-test' "$conf/pg_hba.conf"
sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "$conf/postgresql.conf"
pg_ctlcluster --skip-systemctl-redirect "$ver" main start || pg_ctlcluster "$ver" main start || exit 1
for _ in $(seq 1 30); do ready && break; sleep 1; done
su postgres -c "psql -tAc \"select 1 from pg_database where datname='test'\"" | grep -q 1 || su postgres -c "createdb test"
ready
