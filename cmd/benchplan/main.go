// Command benchplan runs the whole planning chain on the demo season in a
// scratch database and prints how Sizerun's plan compares with the plan head
// office would have guessed, as one line on stdout:
//
//	plan: season=SS27 demand_units=D sizerun_excess_units=E1 sizerun_shortage_units=S1 guessed_excess_units=E2 guessed_shortage_units=S2 excess_value_avoided=V
//
// V is the excess value avoided at cost (guessed minus Sizerun, in the list
// price list's currency; negative if Sizerun made more excess).
//
// The chain: clone the scratch database (-db, default sizerun_plan) from a
// template holding the migrated schema and the demo data (built once per
// -template-salt, which scripts/bench-plan.sh derives from migrations/ and
// seed/), draft one production order for all of the season's uncovered
// demand through the aggregation service as planner@demo.test, release it,
// and read the plan-versus-demand report. The database of DATABASE_URL is
// only used to create the clone and is never written; the command refuses
// to run the chain in it.
//
// No order is cancelled after the release: Sizerun refuses to cancel an
// order once it is in production, and no demo order of the open season has
// shipped (so none can be returned). The "other cause" excess is therefore
// 0 here; the hand-computed test season exercises it.
//
// Progress, the parameters and the comparison at other growth factors and
// base seasons go to stderr.
package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"sort"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/migrations"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/planreport/plandb"
	"github.com/sizerun/sizerun/postgres"
	"github.com/sizerun/sizerun/seed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv("DATABASE_URL"), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchplan:", err)
		os.Exit(1)
	}
}

type config struct {
	DB      string
	Salt    string
	Season  string
	Overage string
	Growth  string
	Base    string
	Planner string
}

// scratchMark is the comment on the scratch database: the only kind of
// database the command drops.
const scratchMark = "benchplan scratch database"

var dbName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,40}$`)

func run(ctx context.Context, args []string, baseURL string, out, log io.Writer) error {
	var c config
	fs := flag.NewFlagSet("benchplan", flag.ContinueOnError)
	fs.SetOutput(log)
	fs.StringVar(&c.DB, "db", "sizerun_plan", "scratch database, recreated from the template on every run")
	fs.StringVar(&c.Salt, "template-salt", "", "rebuild the template when this changes (scripts/bench-plan.sh: a hash of migrations/ and seed/)")
	fs.StringVar(&c.Season, "season", "SS27", "season to plan")
	fs.StringVar(&c.Overage, "overage", "0", "overage % of the production order (the portal's default is 0)")
	fs.StringVar(&c.Growth, "growth", planreport.GrowthMatch, `growth factor of the guessed plan, or "match" (scaled to the season's demand)`)
	fs.StringVar(&c.Base, "base", "", "base season of the guessed plan (default: the season before)")
	fs.StringVar(&c.Planner, "planner", "planner@demo.test", "the planner who drafts and releases")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !dbName.MatchString(c.DB) {
		return fmt.Errorf("-db %q is not a plain database name", c.DB)
	}
	if _, err := withDB(baseURL, c.DB); err != nil {
		return err
	}
	admin, err := postgres.Open(ctx, baseURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	var current string
	if err := admin.GetContext(ctx, &current, `SELECT current_database()`); err != nil {
		return err
	}
	if current == c.DB {
		return fmt.Errorf("-db %s is the database of DATABASE_URL; the bench writes only to a clone", c.DB)
	}

	// Only a database this command created (marked by its comment) is dropped.
	var mark sql.NullString
	err = admin.GetContext(ctx, &mark, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, c.DB)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case mark.String != scratchMark:
		return fmt.Errorf("database %s exists and was not created by benchplan; choose another -db", c.DB)
	}
	tmpl, err := ensureTemplate(ctx, admin, baseURL, c.DB, c.Salt, log)
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if mark.Valid {
		if _, err := admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE %s WITH (FORCE)`, c.DB)); err != nil {
			return err
		}
	}
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, c.DB, tmpl)); err != nil {
		return err
	}
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`COMMENT ON DATABASE %s IS '%s'`, c.DB, scratchMark)); err != nil {
		return err
	}
	fmt.Fprintf(log, "benchplan: cloned %s from %s\n", c.DB, tmpl)
	scratchURL, err := withDB(baseURL, c.DB)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, scratchURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return chain(ctx, db, c, out, log)
}

// chain drafts and releases the season's production order and reports.
func chain(ctx context.Context, db *sqlx.DB, c config, out, log io.Writer) error {
	u, err := authdb.New(db).UserByEmail(ctx, c.Planner)
	if err != nil {
		return fmt.Errorf("planner %s: %w", c.Planner, err)
	}
	p := u.Principal
	agg := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	po, err := agg.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: c.Season, OveragePct: c.Overage}, "")
	e, _ := apperr.As(err)
	switch {
	case e != nil && e.Code == apperr.Validation && len(e.Details) == 1 && e.Details[0].Field == "styles":
		fmt.Fprintf(log, "benchplan: %s has no uncovered demand; nothing to release\n", c.Season)
	case err != nil:
		return fmt.Errorf("draft: %w", err)
	default:
		if po, err = agg.Release(ctx, p, po.Number); err != nil {
			return fmt.Errorf("release %s: %w", po.Number, err)
		}
		fmt.Fprintf(log, "benchplan: released %s: %d lines, demand %d, stock %d, planned %d, overage %s%%\n",
			po.Number, len(po.Lines), po.Totals.DemandQty, po.Totals.StockQty, po.Totals.PlannedQty, aggregation.FormatOverage(po.OverageBP))
	}

	rep := planreport.NewService(plandb.New(db))
	r, err := rep.Report(ctx, p, planreport.Params{Season: c.Season, Base: c.Base, Growth: c.Growth, Level: "season"})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	base := "none"
	if r.Base.ID != 0 {
		base = r.Base.Code
	}
	fmt.Fprintf(log, "benchplan: guessed plan from %s × %s (matched growth %s), overage %s%%; values in %s at cost\n",
		base, planreport.FormatGrowth(r.Growth), planreport.FormatGrowth(r.GrowthMatched), aggregation.FormatOverage(r.OverageBP), r.Currency)
	for _, x := range []struct {
		name string
		f    planreport.PlanFigures
	}{{"Sizerun", r.Totals.Sizerun}, {"guessed", r.Totals.Guessed}} {
		fmt.Fprintf(log, "benchplan: %-7s planned for %6d, supply %6d (made %6d + stock %4d), excess %6d = rounding/overage %6d + other %6d, shortage %6d\n",
			x.name, x.f.Target, x.f.Supply, x.f.Made, x.f.StockUsed, x.f.Excess, x.f.RoundingExcess, x.f.OtherExcess, x.f.Shortage)
	}

	// Context: the same comparison from every earlier season, at growth 1.00
	// and at the matched growth.
	seasons, err := rep.Seasons(ctx, p)
	if err != nil {
		return err
	}
	sort.Slice(seasons, func(i, j int) bool { return seasons[i].StartsOn.After(seasons[j].StartsOn) })
	for _, b := range seasons {
		if !b.StartsOn.Before(r.Season.StartsOn) {
			continue
		}
		for _, g := range []string{"1.00", planreport.GrowthMatch} {
			x, err := rep.Report(ctx, p, planreport.Params{Season: c.Season, Base: b.Code, Growth: g, Level: "season"})
			if err != nil {
				return err
			}
			fmt.Fprintf(log, "benchplan:   base %s growth %-6s guessed excess %6d shortage %6d  excess value avoided %12s  shortage avoided %6d\n",
				b.Code, planreport.FormatGrowth(x.Growth), x.Totals.Guessed.Excess, x.Totals.Guessed.Shortage,
				x.Saving.ExcessCost, x.Saving.ShortageUnits)
		}
	}

	fmt.Fprintf(out, "plan: season=%s demand_units=%d sizerun_excess_units=%d sizerun_shortage_units=%d guessed_excess_units=%d guessed_shortage_units=%d excess_value_avoided=%s\n",
		r.Season.Code, r.Totals.Demand, r.Totals.Sizerun.Excess, r.Totals.Sizerun.Shortage,
		r.Totals.Guessed.Excess, r.Totals.Guessed.Shortage, r.Saving.ExcessCost)
	return nil
}

// ensureTemplate returns the template database with the migrated schema and
// the demo data, building it when missing (one builder at a time).
func ensureTemplate(ctx context.Context, admin *sqlx.DB, baseURL, scratch, salt string, log io.Writer) (string, error) {
	h := sha256.New()
	names, _ := fs.Glob(migrations.FS, "*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.FS, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	h.Write([]byte(salt))
	prefix := scratch + "_tmpl_"
	tmpl := prefix + hex.EncodeToString(h.Sum(nil))[:12]

	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727276)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(727276)`)
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tmpl); err != nil {
		return "", err
	}
	if exists {
		return tmpl, nil
	}
	var stale []string
	if err := conn.SelectContext(ctx, &stale, `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2`, prefix, tmpl); err != nil {
		return "", err
	}
	for _, d := range stale {
		if dbName.MatchString(d) {
			conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s`, d))
		}
	}
	fmt.Fprintf(log, "benchplan: building %s (schema and demo data)\n", tmpl)
	wip := tmpl + "_wip"
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, wip)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, wip)); err != nil {
		return "", err
	}
	wipURL, err := withDB(baseURL, wip)
	if err != nil {
		return "", err
	}
	db, err := postgres.Open(ctx, wipURL)
	if err != nil {
		return "", err
	}
	err = postgres.Migrate(ctx, db, "up", io.Discard)
	if err == nil {
		err = seed.Demo(ctx, db, io.Discard)
	}
	db.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, wip, tmpl)); err != nil {
		return "", err
	}
	return tmpl, nil
}

// withDB is base with its database replaced by name; base must be a URL.
func withDB(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}
