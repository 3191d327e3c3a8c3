#!/usr/bin/env bash
# scripts/bench-rollup.sh — `make bench-rollup`: measure the rollup at scale.
#
# Uses a separate database, sizerun_bench, on the project's PostgreSQL
# (scripts/db.sh url): creates it if missing, migrates it with `portal migrate up`,
# builds the bench season if it is not there yet (cmd/benchdata: 2,000 dealers,
# 500 styles × 5 colours × 7 sizes, 1,000,000 order lines), then measures
# (cmd/benchrollup) and prints exactly one line on stdout:
#
#   rollup: lines=N p50_ms=X p99_ms=Y groupby_p50_ms=Z ratio=Z/X exact=true|false
#
# Progress goes to stderr. Extra arguments go to cmd/benchrollup (e.g. -runs 100).
# BENCH_LINES, BENCH_DEALERS, BENCH_STYLES change the size of a new data set.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

BENCH_DB=sizerun_bench
base="$(scripts/db.sh url)"
# Same server and credentials, other database: replace the URL's path.
bench_url="$(printf '%s' "$base" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$BENCH_DB#")"
[ "$bench_url" != "$base" ] || die "could not derive the bench database URL from $(printf '%s' "$base" | sed -E 's#:[^:@/]*@#:xxxxx@#')"

command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql-client)"
if [ "$(psql "$base" -XAtqc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")" != 1 ]; then
  log "creating database $BENCH_DB"
  psql "$base" -Xqc "CREATE DATABASE $BENCH_DB" >&2
fi

mkdir -p bin
go build -o bin/portal ./cmd/portal
go build -o bin/benchdata ./cmd/benchdata
go build -o bin/benchrollup ./cmd/benchrollup

log "migrating $BENCH_DB"
DATABASE_URL="$bench_url" SIZERUN_JWT_SECRET="${SIZERUN_JWT_SECRET:-bench-only-secret-not-used-for-serving-0000}" \
  bin/portal migrate up >&2

DATABASE_URL="$bench_url" bin/benchdata \
  -lines "${BENCH_LINES:-1000000}" -dealers "${BENCH_DEALERS:-2000}" -styles "${BENCH_STYLES:-500}" >&2

DATABASE_URL="$bench_url" bin/benchrollup "$@"
