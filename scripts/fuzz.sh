#!/usr/bin/env bash
# scripts/fuzz.sh — run every Go fuzz target for $FUZZTIME each, one at a time
# (`go test -fuzz` takes one package and one target). `make fuzz` runs them
# for 60s each; `make test` for 4s each, after the test suite, so that every
# parser of outside input is explored a little on every run (issue 6). A
# crash fails the run, and Go writes its input to the package's
# testdata/fuzz: fix the bug and commit the input, which then joins the
# seed corpus that plain `go test` replays.
# Environment: FUZZTIME (default 60s), GO (default go); DATABASE_URL as for
# the tests (the API targets run against PostgreSQL).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

go="${GO:-go}"
fuzztime="${FUZZTIME:-60s}"
mapfile -t dirs < <(git ls-files -co --exclude-standard -- '*_test.go' | xargs -r grep -l '^func Fuzz' | xargs -r -n1 dirname | sort -u)
if [ "${#dirs[@]}" -eq 0 ]; then
  log "no fuzz targets found"
  exit 0
fi
for dir in "${dirs[@]}"; do
  for name in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //' | sort -u); do
    log "$dir $name for $fuzztime"
    "$go" test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" "./$dir"
  done
done
