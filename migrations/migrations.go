// Package migrations holds the versioned SQL schema of Sizerun, embedded in the
// binary and applied with goose (see postgres.Migrate).
package migrations

import "embed"

// FS holds the numbered SQL files. Each runs in its own transaction.
//
//go:embed *.sql
var FS embed.FS
