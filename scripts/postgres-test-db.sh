#!/usr/bin/env bash
# Prints the URL of a throw-away PostgreSQL database for one test run. Uses the server on 127.0.0.1:5432
# when one answers; otherwise installs PostgreSQL if needed and starts a private cluster on port 5433.
set -euo pipefail
name="portal_test_$$_$(date +%s)"
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  host=127.0.0.1; port=5432
else
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  fi
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  dir=/tmp/portal-pg; host=127.0.0.1; port=5433
  if ! pg_isready -q -h $host -p $port 2>/dev/null; then
    rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir" 2>/dev/null || true
    run() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
    run "$bin/initdb -D $dir/data -U postgres --auth=trust" >&2
    run "$bin/pg_ctl -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off' -l $dir/log -w start" >&2
  fi
fi
psql -q -h $host -p $port -U postgres -c "CREATE DATABASE $name" >&2
echo "postgresql://postgres@$host:$port/$name"
