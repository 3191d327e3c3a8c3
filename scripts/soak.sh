#!/usr/bin/env bash
# scripts/soak.sh — `make soak`: the crash soak of issue 6 (not part of `make test`).
#
# Builds bin/portal and bin/soak, drops and recreates the database
# sizerun_soak on the project's PostgreSQL (scripts/db.sh url), migrates it,
# loads the demo data, raises the credit limits of dealers D001–D038 and sets
# overdue_hold_days to 100 years (the soak is about durability, not credit
# or holds), then runs cmd/soak: two `portal
# serve` processes on that database, load over both, at least two SIGKILLs
# with restarts, and the SQL checks. It prints one line on stdout,
#
#   soak: acknowledged=A stored=S lost=L duplicates=D kills=K
#
# and fails unless lost and duplicates are 0 and every other check passed.
# SOAK_SECONDS sets the length of the load (default 60). Extra arguments go
# to cmd/soak (e.g. -concurrency 32 -kills 4). PORTAL_BIN names a portal
# binary to use instead of building bin/portal. Progress goes to stderr.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

SOAK_DB=sizerun_soak
base="$(scripts/db.sh url)"
soak_url="$(printf '%s' "$base" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$SOAK_DB#")"
[ "$soak_url" != "$base" ] || die "could not derive the soak database URL from $(printf '%s' "$base" | sed -E 's#:[^:@/]*@#:xxxxx@#')"
command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql-client)"

mkdir -p bin
portal="${PORTAL_BIN:-bin/portal}"
if [ -z "${PORTAL_BIN:-}" ]; then
  log "building bin/portal"
  go build -o bin/portal ./cmd/portal
fi
log "building bin/soak"
go build -o bin/soak ./cmd/soak

log "recreating database $SOAK_DB"
psql "$base" -Xq -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $SOAK_DB WITH (FORCE)" -c "CREATE DATABASE $SOAK_DB" >&2
DATABASE_URL="$soak_url" "$portal" migrate up >&2
DATABASE_URL="$soak_url" "$portal" seed --demo >&2
echo >&2
psql "$soak_url" -Xq -v ON_ERROR_STOP=1 \
  -c "UPDATE dealers SET credit_limit = 900000000000 WHERE code BETWEEN 'D001' AND 'D038'" \
  -c "UPDATE settings SET value = '36500' WHERE key = 'overdue_hold_days'" >&2

SOAK_SECONDS="${SOAK_SECONDS:-60}" bin/soak -portal "$portal" -db "$soak_url" "$@"
