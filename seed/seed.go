// Package seed loads the demo data set of api.md ("Demo data"): the catalogue
// of seasons AW25 to SS27, dealers and their order history, suppliers,
// fabrics and bills of materials, stock, invoices, returns, feedback and the
// demo accounts (password demo-pass-27). The data set is the same on every
// run: it is generated from fixed random streams and fixed dates, never from
// the clock.
package seed

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/postgres"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "demo-pass-27"

const (
	markerKey   = "demo_loaded"
	markerValue = "v1"
	lockKey     = 727275 // advisory lock: one seeder at a time
)

// Demo loads the demo data set into db in one transaction. It is idempotent:
// when the data set (its settings marker or dealer D001) is already there it
// says so on out and changes nothing. Progress goes to out: a progress bar
// when out is a terminal, plain "seed: <step> n/total" lines otherwise.
func Demo(ctx context.Context, db *sqlx.DB, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	start := time.Now()
	var loaded bool
	const probe = `SELECT EXISTS (SELECT 1 FROM settings WHERE key = $1) OR EXISTS (SELECT 1 FROM dealers WHERE code = 'D001')`
	if err := db.GetContext(ctx, &loaded, probe, markerKey); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if loaded {
		fmt.Fprintln(out, "demo data already loaded")
		return nil
	}

	p := buildPlan()
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	already := false
	err = postgres.Transact(ctx, db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
			return err
		}
		// Checked again under the lock: another seeder may have finished meanwhile.
		if err := tx.GetContext(ctx, &already, probe, markerKey); err != nil || already {
			return err
		}
		l := &loader{ctx: ctx, tx: tx, p: p, hash: hash}
		steps := l.steps()
		prog := newProgress(out, len(steps))
		for _, s := range steps {
			prog.start(s.name)
			done, total, err := s.run()
			if err != nil {
				prog.abort()
				return fmt.Errorf("%s: %w", s.name, err)
			}
			prog.step(s.name, done, total)
		}
		prog.finish()
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if already {
		fmt.Fprintln(out, "demo data already loaded")
		return nil
	}
	fmt.Fprintf(out, "seed: demo data loaded in %.1fs: %s\n", time.Since(start).Seconds(), p.describe())
	return nil
}

// progress shows the steps as a bar on a terminal and as lines elsewhere.
type progress struct {
	out io.Writer
	bar *progressbar.ProgressBar
}

func newProgress(out io.Writer, steps int) *progress {
	p := &progress{out: out}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(steps,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription("seed"),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) start(name string) {
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("seed: %-28s", name))
	}
}

func (p *progress) step(name string, done, total int) {
	if p.bar != nil {
		p.bar.Add(1)
		return
	}
	fmt.Fprintf(p.out, "seed: %s %d/%d\n", name, done, total)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

func (p *progress) abort() {
	if p.bar != nil {
		p.bar.Exit()
		fmt.Fprintln(p.out)
	}
}
