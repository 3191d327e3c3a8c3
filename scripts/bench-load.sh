#!/usr/bin/env bash
# scripts/bench-load.sh — `make bench-load`: order submission under load,
# through the real server, against a bare SQL baseline (issue 6).
#
# Builds bin/portal and bin/loadgen, drops and recreates the database
# sizerun_load on the project's PostgreSQL (scripts/db.sh url), migrates it,
# loads the demo data, raises the credit limits of dealers D001–D038 so that
# credit refusals do not dominate the run and sets overdue_hold_days to 100
# years so that the server's overdue-hold sweep (the demo has overdue
# invoices) puts none of them on hold, runs VACUUM (ANALYZE) so that the
# first level does not meet the fresh load's autovacuum, starts
# `portal serve` (GOMAXPROCS left at its default) on a free loopback port,
# runs cmd/loadgen at each concurrency level, stops the server and prints
# one line per level on stdout:
#
#   load: concurrency=C orders_per_s=X baseline_orders_per_s=B ratio=X/B p99_ms=P errors=E rss_mb=M ...
#
# Progress goes to stderr; the server's log goes to $TMPDIR.
# Environment: LOAD_LEVELS (default 1,16,64,256), LOAD_ORDERS (per level and
# phase, default 2000), LOAD_DURATION (per level and phase, default 15s),
# LOAD_LINES (default 50), LOAD_PORT (default: a free port), PORTAL_BIN (a
# portal binary to use instead of building bin/portal). Extra arguments go
# to cmd/loadgen.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

LOAD_DB=sizerun_load
base="$(scripts/db.sh url)"
# Same server and credentials, other database: replace the URL's path.
load_url="$(printf '%s' "$base" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$LOAD_DB#")"
[ "$load_url" != "$base" ] || die "could not derive the load database URL from $(printf '%s' "$base" | sed -E 's#:[^:@/]*@#:xxxxx@#')"
command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql-client)"

mkdir -p bin
portal="${PORTAL_BIN:-bin/portal}"
if [ -z "${PORTAL_BIN:-}" ]; then
  log "building bin/portal"
  go build -o bin/portal ./cmd/portal
fi
log "building bin/loadgen"
go build -o bin/loadgen ./cmd/loadgen

log "recreating database $LOAD_DB"
psql "$base" -Xq -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $LOAD_DB WITH (FORCE)" -c "CREATE DATABASE $LOAD_DB" >&2
secret="load-bench-only-secret-$(random_hex 16)"
DATABASE_URL="$load_url" "$portal" migrate up >&2
DATABASE_URL="$load_url" "$portal" seed --demo >&2
echo >&2
# The load is about throughput, not credit: give the dealers it uses room,
# and keep the overdue-hold sweep from putting any of them on hold.
psql "$load_url" -Xq -v ON_ERROR_STOP=1 \
  -c "UPDATE dealers SET credit_limit = 900000000000 WHERE code BETWEEN 'D001' AND 'D038'" \
  -c "UPDATE settings SET value = '36500' WHERE key = 'overdue_hold_days'" >&2
# The seed has just written every table: let the first level not meet the
# autovacuum and autoanalyze that a freshly loaded database is due (both the
# baseline and the server would, in whichever phase it fell).
log "vacuum analyze of the fresh database"
PGOPTIONS='-c client_min_messages=error' psql "$load_url" -Xq -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE)" >&2

port="${LOAD_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/sizerun-load.XXXXXX")"
log "starting the server on 127.0.0.1:$port (log: $tmp/server.log)"
DATABASE_URL="$load_url" PORT="$port" SIZERUN_JWT_SECRET="$secret" \
  SIZERUN_LOGIN_PER_CLIENT=1000000 SIZERUN_LOGIN_PER_ACCOUNT=1000000 \
  "$portal" serve 2>"$tmp/server.log" &
server=$!
stop_server() {
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
}
trap stop_server EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$server" 2>/dev/null || die "the server exited; see $tmp/server.log"
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || die "the server did not become ready; see $tmp/server.log"

log "load: levels ${LOAD_LEVELS:-1,16,64,256}, ${LOAD_ORDERS:-2000} orders or ${LOAD_DURATION:-15s} per level and phase, ${LOAD_LINES:-50} lines per order"
bin/loadgen -url "http://127.0.0.1:$port" -db "$load_url" -server-pid "$server" \
  -concurrency "${LOAD_LEVELS:-1,16,64,256}" -orders "${LOAD_ORDERS:-2000}" \
  -duration "${LOAD_DURATION:-15s}" -lines "${LOAD_LINES:-50}" "$@"
