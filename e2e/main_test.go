package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium is Debian's browser, which `scripts/deps.sh chromium` installs.
const chromium = "/usr/bin/chromium"

var (
	// portalBin is the portal binary every test serves from.
	portalBin string
	// browser is the context of the one browser the tests share; each test
	// opens its own tabs in browser contexts of their own (separate cookies
	// and cache).
	browser context.Context
)

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	if _, err := os.Stat(chromium); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL e2e: %s is missing (%v).\n"+
			"The browser tests need Debian's chromium: run `scripts/deps.sh chromium` (make e2e and make test do).\n",
			chromium, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "sizerun-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	portalBin = os.Getenv("SIZERUN_E2E_PORTAL")
	if portalBin == "" {
		portalBin = filepath.Join(tmp, "portal")
		if err := buildPortal(portalBin); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL e2e: build cmd/portal:", err)
			return 1
		}
	}

	stop, err := startBrowser(filepath.Join(tmp, "profile"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL e2e: start %s: %v\n", chromium, err)
		return 1
	}
	defer stop()
	return m.Run()
}

// buildPortal builds ./cmd/portal, the binary `make run` serves, to out.
func buildPortal(out string) error {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, "github.com/sizerun/sizerun/cmd/portal")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// startBrowser starts headless Chromium with a fresh profile in dir and sets
// browser. The flags keep it from talking to any host but the test server.
func startBrowser(dir string) (stop func(), err error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop = func() { cancel(); cancelAlloc() }

	// The first Do starts the browser and ties it to ctx, so it gets no
	// deadline of its own; a watchdog bounds it instead.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		err = fmt.Errorf("the browser did not start within 60s")
	}
	if err != nil {
		stop()
		return nil, err
	}
	browser = ctx
	return stop, nil
}
