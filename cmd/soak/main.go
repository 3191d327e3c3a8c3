// Command soak is the crash soak of issue 6 (`make soak`): it starts two
// `portal serve` processes on one database, drives orders over both with
// virtual dealers (cmd/loadgen/loadclient: fresh Idempotency-Key per order,
// network errors retried with the same key, rotating to the other server),
// SIGKILLs a server at least -kills times mid-run and restarts it, replays
// every acknowledged order's request, and then checks in SQL that
//
//   - every order acknowledged with 201 is stored, exactly once, under its key;
//   - no key produced two orders;
//   - no order of the run is half-written: it has lines, its totals equal
//     the sum of its lines, it has an event, its key record is complete;
//   - the rollup summary (rollup_sku_slots, if the schema has it) equals a
//     GROUP BY over the order lines;
//   - each replay returned the original order (Idempotent-Replayed: true).
//
// It prints one line on stdout,
//
//	soak: acknowledged=A stored=S lost=L duplicates=D kills=K
//
// and exits with status 1 unless lost and duplicates are 0, every other
// check passed, and the servers were killed as often as asked. Details go to
// stderr. Only loopback addresses are used.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sizerun/sizerun/cmd/loadgen/loadclient"
	"github.com/sizerun/sizerun/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

type config struct {
	portal      string
	db          string
	duration    time.Duration
	concurrency int
	lines       int
	kills       int
	season      string
	dealers     int
	password    string
	logDir      string
	replays     int
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	secs := 60
	if v := getenv("SOAK_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 86400 {
			return c, fmt.Errorf("SOAK_SECONDS: %q is not a number of seconds from 5 to 86400", v)
		}
		secs = n
	}
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.portal, "portal", "bin/portal", "the portal binary")
	fs.StringVar(&c.db, "db", getenv("DATABASE_URL"), "PostgreSQL URL of a migrated database with the demo data (loopback only)")
	fs.DurationVar(&c.duration, "duration", time.Duration(secs)*time.Second, "length of the load (default: $SOAK_SECONDS or 60s)")
	fs.IntVar(&c.concurrency, "concurrency", 16, "virtual dealers, spread over both servers")
	fs.IntVar(&c.lines, "lines", 20, "lines per order")
	fs.IntVar(&c.kills, "kills", 3, "SIGKILLs during the run (at least 2), alternating between the servers")
	fs.StringVar(&c.season, "season", "SS27", "season to order for")
	fs.IntVar(&c.dealers, "dealers", 38, "demo dealer accounts to use: dealer01 … dealerNN@demo.test")
	fs.StringVar(&c.password, "password", "demo-pass-27", "password of the dealer accounts")
	fs.StringVar(&c.logDir, "logs", "", "folder for the servers' logs (default: a new temporary folder)")
	fs.IntVar(&c.replays, "replays", 5000, "replay every order acknowledged after a retry, and at most this many others (0: all)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.db == "":
		return c, errors.New("-db (or DATABASE_URL) is required")
	case c.duration < 5*time.Second || c.duration > 24*time.Hour:
		return c, errors.New("the run must last from 5s to 24h")
	case c.kills < 2:
		return c, errors.New("-kills must be at least 2")
	case c.concurrency < 1 || c.concurrency > 256:
		return c, errors.New("-concurrency must be from 1 to 256")
	case c.lines < 1 || c.lines > 1000:
		return c, errors.New("-lines must be from 1 to 1000")
	case c.dealers < 1 || c.dealers > 99:
		return c, errors.New("-dealers must be from 1 to 99")
	}
	if err := loadclient.CheckLoopback(c.db); err != nil {
		return c, fmt.Errorf("-db: %w", err)
	}
	return c, nil
}

// ack is an acknowledged (201) order.
type ack struct {
	key     string
	number  string
	body    []byte
	session *loadclient.Session
	retried bool // acknowledged after a network error (a kill)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (bool, error) {
	c, err := parse(args, getenv, stderr)
	if err != nil {
		return false, err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "soak: "+format+"\n", a...) }
	portal, err := filepath.Abs(c.portal)
	if err != nil {
		return false, err
	}
	if c.logDir == "" {
		if c.logDir, err = os.MkdirTemp("", "sizerun-soak-"); err != nil {
			return false, err
		}
	}
	secret := fmt.Sprintf("soak-secret-%016x%016x", rand.Uint64(), rand.Uint64())
	servers := make([]*server, 2)
	for i := range servers {
		port, err := freePort()
		if err != nil {
			return false, err
		}
		servers[i] = &server{name: fmt.Sprintf("server%d", i+1), bin: portal, port: port, logDir: c.logDir,
			env: []string{"DATABASE_URL=" + c.db, "PORT=" + strconv.Itoa(port), "SIZERUN_JWT_SECRET=" + secret,
				"SIZERUN_LOGIN_PER_CLIENT=1000000", "SIZERUN_LOGIN_PER_ACCOUNT=1000000"}}
	}
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for _, s := range servers {
		if err := s.start(ctx); err != nil {
			return false, err
		}
		logf("%s listening on 127.0.0.1:%d (pid %d, log %s)", s.name, s.port, s.pid(), s.logPath())
	}

	client, err := loadclient.New([]string{servers[0].url(), servers[1].url()},
		loadclient.Options{Conns: c.concurrency, Timeout: 30 * time.Second, RetryFor: 90 * time.Second})
	if err != nil {
		return false, err
	}
	sessions := make([]*loadclient.Session, c.concurrency)
	var styles []loadclient.Style
	for i := range sessions {
		email := fmt.Sprintf("dealer%02d@demo.test", i%c.dealers+1)
		if sessions[i], err = client.Login(ctx, i%2, email, c.password); err != nil {
			return false, err
		}
		if i == 0 {
			st, err := client.Styles(ctx, sessions[0], c.season)
			if err != nil {
				return false, err
			}
			if styles = loadclient.Orderable(st); len(styles) == 0 {
				return false, fmt.Errorf("season %s has no orderable styles", c.season)
			}
		}
	}

	prefix := "soak-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var mu sync.Mutex
	acks := map[string]ack{}
	byNumber := map[string]string{} // number → key
	var ackDupes, retried, replayedInRun atomic.Int64
	var firstErrs []string
	onResult := func(vu int, key string, o loadclient.Order, r loadclient.Result) {
		mu.Lock()
		defer mu.Unlock()
		if !r.OK() {
			if len(firstErrs) < 5 {
				firstErrs = append(firstErrs, fmt.Sprintf("%s: status %d %s %s %v", key, r.Status, r.Code, r.Message, r.Err))
			}
			return
		}
		if r.Attempts > 1 {
			retried.Add(1)
		}
		if r.Replayed {
			replayedInRun.Add(1)
		}
		if k, ok := byNumber[r.Number]; ok && k != key {
			ackDupes.Add(1) // one order number acknowledged for two keys
		}
		byNumber[r.Number] = key
		acks[key] = ack{key: key, number: r.Number, body: o.Body(), session: sessions[vu], retried: r.Attempts > 1}
	}

	// The killer: SIGKILL the servers in turn at evenly spread moments
	// (with jitter), restarting each after a short pause.
	var kills atomic.Int64
	killCtx, stopKiller := context.WithCancel(ctx)
	killerDone := make(chan error, 1)
	start := time.Now()
	go func() {
		var err error
		for k := 0; k < c.kills && err == nil; k++ {
			slot := c.duration / time.Duration(c.kills+1)
			at := start.Add(slot*time.Duration(k+1) + time.Duration(rand.Int64N(int64(slot/4))) - slot/8)
			select {
			case <-killCtx.Done():
				killerDone <- nil
				return
			case <-time.After(time.Until(at)):
			}
			s := servers[k%2]
			logf("SIGKILL %s (pid %d) at %.1fs", s.name, s.pid(), time.Since(start).Seconds())
			s.kill()
			kills.Add(1)
			time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
			if err = s.start(ctx); err == nil {
				logf("%s restarted (pid %d) at %.1fs", s.name, s.pid(), time.Since(start).Seconds())
			}
		}
		killerDone <- err
	}()

	logf("driving %d virtual dealers over both servers for %s (%d lines per order)", c.concurrency, c.duration, c.lines)
	rep := loadclient.Drive(ctx, loadclient.Plan{Client: client, Sessions: sessions, Styles: styles, Season: c.season,
		Lines: c.lines, Seed: rand.Uint64(), Prefix: prefix, Duration: c.duration, OnResult: onResult})
	stopKiller()
	if err := <-killerDone; err != nil {
		return false, fmt.Errorf("restarting a server: %w", err)
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	logf("load done: submitted=%d acknowledged=%d errors=%d (by status %v) retried_then_acknowledged=%d replayed_during_run=%d network_retries=%d",
		rep.Submitted, rep.Acked, rep.Errors, rep.ByStatus, retried.Load(), replayedInRun.Load(), client.Retries.Load())
	for _, e := range firstErrs {
		logf("error: %s", e)
	}

	// Every acknowledged request again, with its key: the original order must come back.
	replayed, replayBad := replayAll(ctx, client, acks, c.replays, logf)

	db, err := postgres.Open(ctx, c.db)
	if err != nil {
		return false, err
	}
	defer db.Close()
	res, err := check(ctx, db, prefix, acks)
	if err != nil {
		return false, err
	}
	res.duplicates += int(ackDupes.Load())
	logf("checks: half_written=%d incomplete_keys=%d rollup=%s rollup_mismatches=%d open_order_mismatches=%d replays=%d replay_mismatches=%d errors=%d",
		res.halfWritten, res.incompleteKeys, res.rollup, res.rollupMismatches, res.openMismatches, replayed, replayBad, rep.Errors)
	fmt.Fprintf(stdout, "soak: acknowledged=%d stored=%d lost=%d duplicates=%d kills=%d\n",
		len(acks), res.stored, res.lost, res.duplicates, kills.Load())

	ok := res.lost == 0 && res.duplicates == 0 && res.halfWritten == 0 && res.incompleteKeys == 0 &&
		res.rollupMismatches == 0 && res.openMismatches == 0 && replayBad == 0 && int(kills.Load()) >= c.kills && len(acks) > 0
	if !ok {
		logf("FAILED")
	}
	return ok, nil
}

// replayAll resubmits acknowledged requests with their keys, eight at a
// time: every one acknowledged after a retry, and all others or at most max
// of them (a random sample); it counts those that did not return the
// original order as a replay.
func replayAll(ctx context.Context, client *loadclient.Client, acks map[string]ack, max int, logf func(string, ...any)) (int, int) {
	list := make([]ack, 0, len(acks))
	others := 0
	for _, a := range acks { // map order: a random sample
		if !a.retried {
			if max > 0 && others >= max {
				continue
			}
			others++
		}
		list = append(list, a)
	}
	var bad, done atomic.Int64
	var reported atomic.Int64
	work := make(chan ack)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				r := client.Submit(ctx, a.session, a.body, a.key)
				done.Add(1)
				if !r.OK() || !r.Replayed || r.Number != a.number {
					bad.Add(1)
					if reported.Add(1) <= 5 {
						logf("replay of %s: status %d replayed=%v number %q, want %q (%s %v)", a.key, r.Status, r.Replayed, r.Number, a.number, r.Code, r.Err)
					}
				}
			}
		}()
	}
	for _, a := range list {
		if ctx.Err() != nil {
			break
		}
		work <- a
	}
	close(work)
	wg.Wait()
	return int(done.Load()), int(bad.Load())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// server is one `portal serve` process, restarted after each kill.
type server struct {
	name   string
	bin    string
	port   int
	env    []string
	logDir string
	starts int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func (s *server) url() string     { return fmt.Sprintf("http://127.0.0.1:%d", s.port) }
func (s *server) logPath() string { return filepath.Join(s.logDir, s.name+".log") }

func (s *server) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// start runs the server and waits until /readyz answers 200.
func (s *server) start(ctx context.Context) error {
	f, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "serve")
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", s.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.starts++
	s.mu.Unlock()

	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("%s exited during start; see %s", s.name, s.logPath())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		res, err := hc.Get(s.url() + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not become ready in 30s; see %s", s.name, s.logPath())
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// stop ends the server gracefully (SIGTERM, then SIGKILL after 10s).
func (s *server) stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}
