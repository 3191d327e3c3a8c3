// Command portal is Sizerun's one binary: the web server, migrations, demo
// data and user administration (api.md "Operations").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/config"
	"github.com/sizerun/sizerun/postgres"
)

const usage = `usage: portal <command>

commands:
  serve                          run the web server (portal and JSON API)
  migrate up|down|status         apply, roll back one, or list migrations
  seed --demo                    load the demo data set (idempotent)
  user add --email E --role R [--dealer CODE | --supplier CODE] [--name N] [--locale en|zh|ko]
                                 add a user; the password is read from SIZERUN_PASSWORD or stdin
  version                        print the version

configuration comes from the environment; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

// run is main without the process: tests call it with their own arguments,
// streams and environment.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "portal", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()

	switch args[0] {
	case "serve":
		if err := cfg.RequireSecret(); err != nil {
			return err
		}
		return serve(ctx, cfg, db, log)
	case "migrate":
		if len(args) != 2 {
			return errors.New("usage: portal migrate up|down|status")
		}
		return postgres.Migrate(ctx, db, args[1], stdout)
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		fs.SetOutput(stderr)
		demo := fs.Bool("demo", false, "load the demo data set")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if !*demo {
			return errors.New("usage: portal seed --demo")
		}
		return seedDemo(ctx, db, stdout)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return errors.New("usage: portal user add --email E --role R [--dealer CODE | --supplier CODE]")
		}
		fs := flag.NewFlagSet("user add", flag.ContinueOnError)
		fs.SetOutput(stderr)
		var u auth.NewUser
		var role string
		fs.StringVar(&u.Email, "email", "", "email address (the login)")
		fs.StringVar(&role, "role", "", "dealer, planner, supplier or admin")
		fs.StringVar(&u.DealerCode, "dealer", "", "dealer code, for dealers")
		fs.StringVar(&u.SupplierCode, "supplier", "", "supplier code, for suppliers")
		fs.StringVar(&u.Name, "name", "", "display name")
		fs.StringVar(&u.Locale, "locale", "en", "en, zh or ko")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		u.Role = auth.Role(role)
		u.Password = getenv("SIZERUN_PASSWORD")
		if u.Password == "" {
			fmt.Fprint(stderr, "password: ")
			b, err := io.ReadAll(io.LimitReader(stdin, 1024))
			if err != nil {
				return err
			}
			u.Password = string(trimNewline(b))
		}
		svc := auth.NewService(authdb.New(db), nil, auth.DefaultLimits)
		id, err := svc.AddUser(ctx, u)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %d added: %s (%s)\n", id, strings.ToLower(strings.TrimSpace(u.Email)), u.Role)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
		return bi.Main.Version
	}
	return "dev"
}
