// Command loadgen measures order submission through the real HTTP API
// against a bare SQL baseline (issue 6, `make bench-load`).
//
// For each concurrency level it runs N virtual dealers, spread over the demo
// dealer accounts dealer01…dealerNN@demo.test: each logs in once, reads the
// season's catalogue once, then submits orders of -lines realistic SKUs with
// a fresh Idempotency-Key each, retrying network errors with the same key,
// until -orders orders or -duration have passed. In the same run (-db) the
// same orders are written straight into PostgreSQL by a bare Go loop with
// the transaction shape of a submission, at the same concurrency (see
// baseline.go). It prints one line per level:
//
//	load: concurrency=C orders_per_s=X baseline_orders_per_s=B ratio=X/B p99_ms=P errors=E rss_mb=M baseline_p99_ms=Q ...
//
// Each level runs in -rounds rounds (a baseline phase, then an HTTP phase,
// each of -orders/rounds orders or -duration/rounds), so that noise from
// other work on the machine falls on both alike; the line sums the rounds.
// rss_mb is the server's peak resident memory (VmHWM of -server-pid).
// Only loopback URLs are accepted. Progress goes to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sizerun/sizerun/cmd/loadgen/loadclient"
	"github.com/sizerun/sizerun/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type config struct {
	urls          []string
	db            string
	levels        []int
	orders        int64
	duration      time.Duration
	lines         int
	serverPID     int
	season        string
	dealers       int
	password      string
	seed          uint64
	baselineConns int
	rounds        int
	loginParallel int
	timeout       time.Duration
	retryFor      time.Duration
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	urls := fs.String("url", "http://127.0.0.1:8080", "server base URL (comma-separated for several servers); loopback only")
	fs.StringVar(&c.db, "db", "", "PostgreSQL URL of the server's database, for the baseline (empty: no baseline); loopback only")
	levels := fs.String("concurrency", "1,16,64,256", "concurrent virtual dealers; a comma-separated list runs one level after the other")
	fs.Int64Var(&c.orders, "orders", 2000, "at most this many orders per level (per phase)")
	fs.DurationVar(&c.duration, "duration", 15*time.Second, "at most this long per level (per phase)")
	fs.IntVar(&c.lines, "lines", 50, "lines per order")
	fs.IntVar(&c.serverPID, "server-pid", 0, "pid of the server, to report its memory (0: not reported)")
	fs.StringVar(&c.season, "season", "SS27", "season to order for")
	fs.IntVar(&c.dealers, "dealers", 38, "demo dealer accounts to use: dealer01 … dealerNN@demo.test")
	fs.StringVar(&c.password, "password", "demo-pass-27", "password of the dealer accounts")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated orders")
	fs.IntVar(&c.baselineConns, "baseline-conns", 40, "connection pool of the baseline (the server's pool is 40)")
	fs.IntVar(&c.loginParallel, "login-parallel", 1, "logins at a time while the virtual dealers sign in (each costs the server a 19 MiB argon2id hash)")
	fs.IntVar(&c.rounds, "rounds", 3, "rounds per level, each a baseline then an HTTP phase of -orders/rounds orders or -duration/rounds")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "timeout of one HTTP attempt")
	fs.DurationVar(&c.retryFor, "retry-for", 30*time.Second, "how long a submission keeps retrying network errors")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, u := range strings.Split(*urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			if err := loadclient.CheckLoopback(u); err != nil {
				return c, err
			}
			c.urls = append(c.urls, u)
		}
	}
	if c.db != "" {
		if err := loadclient.CheckLoopback(c.db); err != nil {
			return c, fmt.Errorf("-db: %w", err)
		}
	}
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1024 {
			return c, fmt.Errorf("-concurrency: %q is not a number from 1 to 1024", s)
		}
		c.levels = append(c.levels, n)
	}
	switch {
	case len(c.urls) == 0:
		return c, errors.New("-url is required")
	case c.orders <= 0 && c.duration <= 0:
		return c, errors.New("set -orders or -duration: every run is bounded")
	case c.duration <= 0 || c.duration > time.Hour:
		return c, errors.New("-duration must be from 1s to 1h")
	case c.lines < 1 || c.lines > 5000:
		return c, errors.New("-lines must be from 1 to 5000")
	case c.dealers < 1 || c.dealers > 99:
		return c, errors.New("-dealers must be from 1 to 99")
	case c.baselineConns < 1:
		return c, errors.New("-baseline-conns must be positive")
	case c.loginParallel < 1 || c.loginParallel > 256:
		return c, errors.New("-login-parallel must be from 1 to 256")
	case c.rounds < 1 || c.rounds > 20:
		return c, errors.New("-rounds must be from 1 to 20")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	maxLevel := 0
	for _, l := range c.levels {
		maxLevel = max(maxLevel, l)
	}
	client, err := loadclient.New(c.urls, loadclient.Options{Conns: maxLevel, Timeout: c.timeout, RetryFor: c.retryFor})
	if err != nil {
		return err
	}
	pool := &sessionPool{client: client, season: c.season, password: c.password, dealers: c.dealers, parallel: c.loginParallel, log: stderr}

	var baseline func(level int, prefix string, seed uint64, orders int64, dur time.Duration) *baselineRun
	if c.db != "" {
		db, err := postgres.Open(ctx, c.db)
		if err != nil {
			return err
		}
		defer db.Close()
		base, err := loadBaseCatalog(ctx, db, c.season)
		if err != nil {
			return err
		}
		baseline = func(level int, prefix string, seed uint64, orders int64, dur time.Duration) *baselineRun {
			db.SetMaxOpenConns(min(level, c.baselineConns))
			db.SetMaxIdleConns(min(level, c.baselineConns))
			r := runBaseline(ctx, db, base, pool.dealerCodes(level), pool.styles, c.season, c.lines, seed, prefix, orders, dur)
			return &r
		}
	}
	for _, level := range c.levels {
		if err := pool.ensure(ctx, level); err != nil {
			return err
		}
		runLevel(ctx, c, level, client, pool, stdout, stderr, baseline)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// runLevel measures one level in c.rounds rounds, each a baseline phase
// then an HTTP phase with the same orders, and prints the level's line.
// Alternating spreads the noise of other work on the machine over both.
func runLevel(ctx context.Context, c config, level int, client *loadclient.Client, pool *sessionPool,
	stdout, stderr io.Writer, baseline func(level int, prefix string, seed uint64, orders int64, dur time.Duration) *baselineRun) {
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	orders, dur := c.orders/int64(c.rounds), c.duration/time.Duration(c.rounds)
	var b *baselineRun
	var rep loadclient.Report
	retries0 := client.Retries.Load()
	for round := range c.rounds {
		if ctx.Err() != nil {
			break
		}
		seed := c.seed*100000 + uint64(level)*100 + uint64(round)
		prefix := fmt.Sprintf("%s-%d", stamp, round)
		if baseline != nil {
			fmt.Fprintf(stderr, "loadgen: level %d round %d/%d: baseline (bare SQL loop)\n", level, round+1, c.rounds)
			r := baseline(level, "bl-"+prefix, seed, orders, dur)
			if r.firstErr != nil {
				fmt.Fprintf(stderr, "loadgen: baseline errors: %d, first: %v\n", r.errors, r.firstErr)
			}
			b = b.merge(*r)
		}
		fmt.Fprintf(stderr, "loadgen: level %d round %d/%d: HTTP\n", level, round+1, c.rounds)
		rep = loadclient.Merge(rep, loadclient.Drive(ctx, loadclient.Plan{
			Client: client, Sessions: pool.sessions[:level], Styles: pool.styles, Season: c.season, Lines: c.lines,
			Seed: seed, Prefix: "lg-" + prefix, MaxOrders: orders, Duration: dur,
		}))
		client.CloseIdle()
	}
	if rep.Errors > 0 {
		fmt.Fprintf(stderr, "loadgen: level %d: %d errors: by status %v, by code %v\n", level, rep.Errors, rep.ByStatus, rep.ByCode)
	}
	ms := func(d []time.Duration, p float64) float64 { return loadclient.Ms(loadclient.Percentile(d, p)) }
	line := fmt.Sprintf("load: concurrency=%d orders_per_s=%.1f", level, rep.PerSecond(rep.Acked))
	if b != nil {
		ratio := 0.0
		if bps := b.perSecond(); bps > 0 {
			ratio = rep.PerSecond(rep.Acked) / bps
		}
		line += fmt.Sprintf(" baseline_orders_per_s=%.1f ratio=%.2f", b.perSecond(), ratio)
	} else {
		line += " baseline_orders_per_s=n/a ratio=n/a"
	}
	line += fmt.Sprintf(" p99_ms=%.1f errors=%d", ms(rep.Latencies, 99), rep.Errors)
	mem := " rss_mb=n/a"
	if c.serverPID > 0 {
		if hwm, rss, err := serverMemory(c.serverPID); err != nil {
			fmt.Fprintf(stderr, "loadgen: server memory: %v\n", err)
		} else {
			mem = fmt.Sprintf(" rss_mb=%.1f rss_now_mb=%.1f", hwm, rss)
		}
	}
	line += mem
	if b != nil {
		line += fmt.Sprintf(" baseline_p50_ms=%.1f baseline_p99_ms=%.1f baseline_orders=%d baseline_errors=%d",
			ms(b.latencies, 50), ms(b.latencies, 99), b.orders, b.errors)
	}
	line += fmt.Sprintf(" p50_ms=%.1f p95_ms=%.1f lines_per_s=%.0f orders=%d retries=%d",
		ms(rep.Latencies, 50), ms(rep.Latencies, 95), rep.PerSecond(rep.Lines), rep.Acked, client.Retries.Load()-retries0)
	fmt.Fprintln(stdout, line)
}

// sessionPool holds the virtual dealers' sessions across levels: virtual
// dealer i logs in and reads the catalogue once, the first time a level
// needs it, before the level is measured. Logins run -login-parallel at a
// time: each costs the server an argon2id hash of 19 MiB, and 256 at once
// would measure the logins' memory, not the orders'.
type sessionPool struct {
	client   *loadclient.Client
	season   string
	password string
	dealers  int
	parallel int
	log      io.Writer
	sessions []*loadclient.Session
	styles   []loadclient.Style // orderable styles, from the first session's catalogue
}

func (p *sessionPool) ensure(ctx context.Context, n int) error {
	from := len(p.sessions)
	if n <= from {
		return nil
	}
	fmt.Fprintf(p.log, "loadgen: logging in virtual dealers %d to %d\n", from+1, n)
	p.sessions = append(p.sessions, make([]*loadclient.Session, n-from)...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, p.parallel)
	for i := from; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("dealer%02d@demo.test", i%p.dealers+1)
			s, err := p.client.Login(ctx, i%p.client.Servers(), email, p.password)
			if err == nil {
				var st []loadclient.Style
				if st, err = p.client.Styles(ctx, s, p.season); err == nil {
					mu.Lock()
					if p.styles == nil && i == 0 {
						p.styles = loadclient.Orderable(st)
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			p.sessions[i] = s
		}()
	}
	wg.Wait()
	if firstErr != nil {
		p.sessions = p.sessions[:from]
		return firstErr
	}
	if len(p.styles) == 0 {
		return fmt.Errorf("season %s has no orderable styles", p.season)
	}
	return nil
}

// dealerCodes are the dealers of the first n sessions.
func (p *sessionPool) dealerCodes(n int) []string {
	out := make([]string, n)
	for i, s := range p.sessions[:n] {
		out[i] = s.Dealer
	}
	return out
}

// serverMemory reads the peak (VmHWM) and current (VmRSS) resident memory
// of a process, in MB.
func serverMemory(pid int) (hwm, rss float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	vals := map[string]float64{}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 2 && f[1] == "kB" {
			n, err := strconv.ParseFloat(f[0], 64)
			if err == nil {
				vals[k] = n / 1024
			}
		}
	}
	if len(vals) != 2 {
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return 0, 0, fmt.Errorf("/proc/%d/status: found only %v", pid, keys)
	}
	return vals["VmHWM"], vals["VmRSS"], nil
}
