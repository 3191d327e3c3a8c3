package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/seed"
)

// password is the password of every demo account.
const password = "demo-pass-27"

// site is one portal server process on a fresh copy of the demo database.
type site struct {
	origin string // "http://127.0.0.1:PORT"
	db     *sqlx.DB
}

// startSite clones the demo database, starts `portal serve` on a free
// loopback port against it and waits until it is ready. The server stops
// when the test ends; its log is shown when the test failed.
func startSite(t *testing.T) *site {
	t.Helper()
	db, dbURL := pgtest.NewFrom(t, "demo", func(ctx context.Context, db *sqlx.DB) error {
		return seed.Demo(ctx, db, io.Discard)
	})
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &site{origin: fmt.Sprintf("http://127.0.0.1:%d", port), db: db}

	log := &syncBuffer{}
	cmd := exec.Command(portalBin, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dbURL,
		fmt.Sprintf("PORT=%d", port),
		"SIZERUN_JWT_SECRET=e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz",
		"SIZERUN_LOGIN_PER_CLIENT=10000",
		"SIZERUN_LOGIN_PER_ACCOUNT=10000",
		"SIZERUN_LOG_LEVEL=warn",
	)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", portalBin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() && log.Len() > 0 {
			t.Logf("portal serve log:\n%s", log.String())
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.origin + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-exited:
			t.Fatalf("portal serve exited before it was ready:\n%s", log.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("portal serve not ready at %s within 30s (last error %v):\n%s", s.origin, err, log.String())
		}
	}
}

// hasPage reports whether the server answers a GET of path (as someone
// signed out) with anything but 404: a registered page redirects to the
// sign-in page.
func (s *site) hasPage(path string) bool {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(s.origin + path)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode != http.StatusNotFound
}

// requirePage fails the test at once, with a message for whoever wires
// cmd/portal, when the server has no page at path.
func (s *site) requirePage(t *testing.T, path, wiring string) {
	t.Helper()
	if !s.hasPage(path) {
		t.Fatalf("the portal serves no page at %s (404): the page is missing or not wired in cmd/portal/serve.go (%s)", path, wiring)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.b.String())
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}
