#!/usr/bin/env bash
# scripts/bench-plan.sh — `make bench-plan`: run the planning chain on the demo
# season and compare Sizerun's plan with the plan head office would have guessed.
#
# Uses the project's PostgreSQL (scripts/db.sh url) without writing to its
# database: cmd/benchplan clones a scratch database, sizerun_plan, from a
# template with the schema and the demo data (built once per version of
# migrations/ and seed/), drafts and releases SS27's production order through
# the aggregation service, and prints exactly one line on stdout:
#
#   plan: season=SS27 demand_units=D sizerun_excess_units=E1 sizerun_shortage_units=S1 guessed_excess_units=E2 guessed_shortage_units=S2 excess_value_avoided=V
#
# Progress and context (the guess from other base seasons and growth factors)
# go to stderr. sizerun_plan is kept for inspection and recreated on the next
# run. Extra arguments go to cmd/benchplan (e.g. -growth 1.10 -overage 3 -base SS26).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

DATABASE_URL="$(scripts/db.sh url)"
export DATABASE_URL
# The template is rebuilt whenever the schema or the demo data's code changes.
salt="$(git ls-files -co --exclude-standard -- migrations seed | sort | xargs cat | sha1sum | cut -c1-12)"

mkdir -p bin
go build -o bin/benchplan ./cmd/benchplan
bin/benchplan -template-salt "$salt" "$@"
