#!/usr/bin/env bash
# Runs a command with STOREIDP_TEST_DATABASE_URL pointing at a throwaway PostgreSQL cluster
# started in a temporary folder on a free loopback port, stopped (and removed) on exit.
# Also exported, for scripts that stop and start the cluster themselves (Tests/Interop/faults.sh):
#   STOREIDP_TEST_PG_DATA   the data folder (its parent holds the socket and the server log `log`)
#   STOREIDP_TEST_PG_BIN    the folder of pg_ctl, psql, …
#   STOREIDP_TEST_PG_RUNAS  the prefix pg_ctl must run under (`runuser -u postgres --` as root), or empty
# The cluster was started with `pg_ctl -D DATA -o "-p PORT -k PARENT -c listen_addresses=127.0.0.1
# -c fsync=off" -l PARENT/log -w start` (PORT is the one in STOREIDP_TEST_DATABASE_URL); start it
# again the same way. It is stopped on exit whether it runs or not.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; }
DIR=$(mktemp -d /tmp/storeidp-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  RUNAS=(runuser -u postgres --)
fi
cleanup() {
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${RUNAS[@]}" "$PGBIN/initdb" -D "$DIR/data" -A trust -U storeidp >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" -l "$DIR/log" -w start >/dev/null
"${RUNAS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U storeidp storeidp_test
export STOREIDP_TEST_DATABASE_URL="postgres://storeidp@127.0.0.1:$PORT/storeidp_test"
export STOREIDP_TEST_PG_DATA="$DIR/data"
export STOREIDP_TEST_PG_BIN="$PGBIN"
export STOREIDP_TEST_PG_RUNAS="${RUNAS[*]}"
echo "PostgreSQL on 127.0.0.1:$PORT"
"$@"
