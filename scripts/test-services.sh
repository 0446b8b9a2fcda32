#!/usr/bin/env bash
# Installs and starts, on loopback only, what the test suite needs on a fresh Debian machine:
#   - protoc (checks that the committed gRPC code matches proto/)
#   - PostgreSQL on 127.0.0.1:5432 with trust auth for local connections (user root, database test)
# Idempotent: safe to run again on a machine where everything is already up.
set -euo pipefail

log() { printf '[test-services %(%H:%M:%S)T] %s\n' -1 "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need=()
command -v protoc >/dev/null || need+=(protobuf-compiler)
[ -f /usr/include/google/protobuf/timestamp.proto ] || need+=(libprotobuf-dev)
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
if ((${#need[@]})); then
  log "apt-get install ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! port_open 5432; then
  version=$(ls /etc/postgresql | sort -n | tail -n 1)
  conf=/etc/postgresql/$version/main
  # Loopback only, trust for local connections: a throwaway test server, never a production setting.
  grep -q "^listen_addresses = '127.0.0.1'" "$conf/postgresql.conf" ||
    echo "listen_addresses = '127.0.0.1'" | as_root tee -a "$conf/postgresql.conf" >/dev/null
  if ! as_root grep -q '^host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"; then
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_root tee "$conf/pg_hba.conf.new" >/dev/null
    as_root sh -c "cat '$conf/pg_hba.conf' >> '$conf/pg_hba.conf.new' && mv '$conf/pg_hba.conf.new' '$conf/pg_hba.conf'"
  fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 40); do port_open 5432 && break; sleep 0.25; done
fi
port_open 5432 || { log "PostgreSQL did not open 127.0.0.1:5432"; exit 1; }

psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -tAc "$1" 2>/dev/null || as_root runuser -u postgres -- psql -tAc "$1"; }
psql -h 127.0.0.1 -U root -d postgres -tAc 'select 1' >/dev/null 2>&1 ||
  psql_admin "create role root superuser login" >/dev/null
for db in root test; do
  psql -h 127.0.0.1 -U root -d postgres -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1 ||
    psql -h 127.0.0.1 -U root -d postgres -c "create database $db" >/dev/null
done
log "PostgreSQL ready on 127.0.0.1:5432 (user root, database test); protoc $(protoc --version)"
