package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sizerun/sizerun/postgres/pgtest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRunCommands(t *testing.T) {
	_, url := pgtest.NewFrom(t, "empty", nil)
	ctx := context.Background()
	base := map[string]string{"DATABASE_URL": url}

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"version"}, nil, &out, &errOut, env(nil)); err != nil || !strings.HasPrefix(out.String(), "portal ") {
		t.Errorf("version = %q, %v", out.String(), err)
	}
	if err := run(ctx, []string{"frobnicate"}, nil, &out, &errOut, env(base)); err == nil {
		t.Error("an unknown command was accepted")
	}
	if err := run(ctx, []string{"serve"}, nil, &out, &errOut, env(base)); err == nil || !strings.Contains(err.Error(), "SIZERUN_JWT_SECRET") {
		t.Errorf("serve without a secret = %v, want a refusal naming SIZERUN_JWT_SECRET", err)
	}
	if err := run(ctx, []string{"migrate", "status"}, nil, &out, &errOut, env(base)); err != nil {
		t.Errorf("migrate status: %v", err)
	}

	// seed twice: the second run changes nothing and says so.
	out.Reset()
	if err := run(ctx, []string{"seed", "--demo"}, nil, &out, &errOut, env(base)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"seed", "--demo"}, nil, &out, &errOut, env(base)); err != nil || !strings.Contains(out.String(), "already loaded") {
		t.Errorf("second seed = %q, %v", out.String(), err)
	}

	// user add: password from stdin, then the same email again is refused.
	add := []string{"user", "add", "--email", "New.Planner@Example.test", "--role", "planner"}
	out.Reset()
	if err := run(ctx, add, strings.NewReader("a-long-password\n"), &out, &errOut, env(base)); err != nil || !strings.Contains(out.String(), "new.planner@example.test (planner)") {
		t.Fatalf("user add = %q, %v", out.String(), err)
	}
	if err := run(ctx, add, strings.NewReader("a-long-password\n"), &out, &errOut, env(base)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate user add = %v", err)
	}
	bad := []string{"user", "add", "--email", "d@example.test", "--role", "dealer", "--dealer", "NOPE"}
	if err := run(ctx, bad, strings.NewReader("a-long-password\n"), &out, &errOut, env(base)); err == nil {
		t.Error("a dealer user for an unknown dealer was accepted")
	}
}
