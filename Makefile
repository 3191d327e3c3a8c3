# Makefile — front door for the sizerun dealer ordering portal.
# `make help` lists the targets. The private PostgreSQL cluster and system
# packages are managed by scripts/db.sh and scripts/deps.sh.

GO ?= go

# bash with strict mode for every recipe line.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c

.DEFAULT_GOAL := help
.PHONY: help run test build lint db-stop fuzz bench-rollup bench-load soak bench-plan e2e screenshots

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN { FS = ":.*## " } { printf "  %-13s %s\n", $$1, $$2 }'

# One shell recipe line, so that the variables carry over to the portal.
run: ## Build, migrate, seed demo data and serve the portal on $PORT (default 8080)
	scripts/deps.sh fonts
	DATABASE_URL="$$(scripts/db.sh url)"; export DATABASE_URL; \
	if [ -z "$${SIZERUN_JWT_SECRET:-}" ]; then SIZERUN_JWT_SECRET="$$(scripts/db.sh jwt-secret)"; fi; \
	export SIZERUN_JWT_SECRET; \
	PORT="$${PORT:-8080}"; export PORT; \
	$(GO) build -o bin/portal ./cmd/portal; \
	bin/portal migrate up && bin/portal seed --demo && exec bin/portal serve

# DATABASE_URL is assigned on its own (not as a command prefix) so that a failing
# db.sh stops the recipe. Tests create their own databases from it.
test: ## Run all tests (browser suite included), then 4 s of fuzzing per target, against the private PostgreSQL (or $DATABASE_URL)
	scripts/deps.sh fonts chromium
	DATABASE_URL="$$(scripts/db.sh url)"; export DATABASE_URL; \
	SIZERUN_TEMPLATE_SALT="$$(git ls-files -co --exclude-standard -- '*.go' | sort | xargs cat | sha1sum | cut -c1-12)"; \
	export SIZERUN_TEMPLATE_SALT; \
	$(GO) test -count=1 -p 2 -timeout 9m ./...; \
	GO="$(GO)" FUZZTIME=4s scripts/fuzz.sh

build: ## Build bin/portal
	$(GO) build -o bin/portal ./cmd/portal

lint: ## go vet, plus staticcheck when it is on PATH
	$(GO) vet ./...
	if command -v staticcheck >/dev/null 2>&1; then staticcheck ./...; \
	else echo "staticcheck not on PATH; skipped" >&2; fi

db-stop: ## Stop the private PostgreSQL cluster
	scripts/db.sh stop

fuzz: ## Run each Fuzz target for $FUZZTIME (default 60s), one at a time
	DATABASE_URL="$$(scripts/db.sh url)"; export DATABASE_URL; \
	GO="$(GO)" scripts/fuzz.sh

bench-rollup: ## Rollup at 1M order lines: summary vs plain GROUP BY, while orders stream in
	scripts/bench-rollup.sh

bench-load: ## Orders through the API at 1, 16, 64, 256 dealers vs a bare SQL baseline (docs/performance.md)
	scripts/bench-load.sh

soak: ## Crash soak: two servers, SIGKILLs, every acknowledged order checked ($SOAK_SECONDS, default 60)
	scripts/soak.sh

bench-plan: ## SS27: Sizerun's plan and a guessed plan against demand (one line)
	scripts/bench-plan.sh

e2e: ## Browser tests in Chromium (journeys, tablet, languages); writes docs/screenshots
	scripts/deps.sh fonts chromium
	DATABASE_URL="$$(scripts/db.sh url)"; export DATABASE_URL; \
	SIZERUN_SCREENSHOTS=docs/screenshots $(GO) test -count=1 -timeout 5m ./e2e

screenshots: ## Write the README's screenshots to docs/screenshots
	scripts/deps.sh fonts chromium
	DATABASE_URL="$$(scripts/db.sh url)"; export DATABASE_URL; \
	SIZERUN_SCREENSHOTS=docs/screenshots $(GO) test -count=1 -timeout 5m -run '^TestScreenshots$$' ./e2e
