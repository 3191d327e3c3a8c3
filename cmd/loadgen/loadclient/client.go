// Package loadclient is the client side of the load generator (cmd/loadgen)
// and the crash soak (cmd/soak): dealer sessions that log in, read the
// catalogue and submit orders through Sizerun's JSON API (api.md) with an
// Idempotency-Key, retrying network failures with the same key; the orders
// they submit; and latency statistics. It only talks to loopback addresses.
package loadclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// CheckLoopback refuses a URL (http://… or postgres://…) whose host is not a
// loopback address: the load tools must never be pointed at another machine.
// A PostgreSQL URL without a host (a Unix socket) is local and accepted.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad URL: %w", err)
	}
	host := u.Hostname()
	if host == "" {
		if strings.HasPrefix(u.Scheme, "postgres") {
			if h := u.Query().Get("host"); h == "" || strings.HasPrefix(h, "/") {
				return nil
			}
		}
		return fmt.Errorf("URL %q has no host", redact(u))
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing non-loopback host %q: the load tools only run against this machine", host)
	}
	return nil
}

func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

// Client talks to one or more servers of the same deployment. Requests of a
// session go to its server; retries rotate over all of them, which also
// proves that any server can answer for any session.
type Client struct {
	urls     []string
	hc       *http.Client
	retryFor time.Duration
	// Retries counts the attempts that were repeated (network errors, 502-504).
	Retries atomic.Int64
}

// Options configure a Client.
type Options struct {
	Conns    int           // idle keep-alive connections to keep per server
	Timeout  time.Duration // per attempt
	RetryFor time.Duration // how long one submission may keep retrying
}

// New returns a client for the given base URLs (http://127.0.0.1:8080),
// refusing any that are not on a loopback address.
func New(urls []string, o Options) (*Client, error) {
	if len(urls) == 0 {
		return nil, errors.New("no server URL")
	}
	clean := make([]string, len(urls))
	for i, u := range urls {
		if err := CheckLoopback(u); err != nil {
			return nil, err
		}
		clean[i] = strings.TrimRight(u, "/")
	}
	if o.Conns <= 0 {
		o.Conns = 16
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.RetryFor <= 0 {
		o.RetryFor = 30 * time.Second
	}
	tr := &http.Transport{
		Proxy:               nil, // never through a proxy: loopback only
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.Conns * len(urls),
		MaxIdleConnsPerHost: o.Conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	hc := &http.Client{Transport: tr, Timeout: o.Timeout,
		// Never follow a redirect: it could lead off this machine.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Client{urls: clean, hc: hc, retryFor: o.RetryFor}, nil
}

// Servers is the number of base URLs.
func (c *Client) Servers() int { return len(c.urls) }

// CloseIdle closes idle connections (after a level, before the next).
func (c *Client) CloseIdle() { c.hc.CloseIdleConnections() }

// Session is a logged-in user bound to one server.
type Session struct {
	Email  string
	Dealer string // dealer code, for dealers
	Token  string
	Server int // index of the server its requests go to first
}

// Login signs in with email and password on the given server.
func (c *Client) Login(ctx context.Context, server int, email, password string) (*Session, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	var out struct {
		Token string `json:"token"`
		User  struct {
			Dealer *string `json:"dealer"`
		} `json:"user"`
	}
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		var st int
		var b []byte
		st, b, err = c.do(ctx, c.urls[(server+attempt)%len(c.urls)], http.MethodPost, "/api/v1/auth/token", "", body, nil)
		if err == nil && st == http.StatusOK {
			if err := json.Unmarshal(b, &out); err != nil {
				return nil, fmt.Errorf("login %s: %w", email, err)
			}
			s := &Session{Email: email, Token: out.Token, Server: server % len(c.urls)}
			if out.User.Dealer != nil {
				s.Dealer = *out.User.Dealer
			}
			return s, nil
		}
		if err == nil {
			return nil, fmt.Errorf("login %s: HTTP %d: %s", email, st, snippet(b))
		}
		if sleepCtx(ctx, backoff(attempt)) != nil {
			break
		}
	}
	return nil, fmt.Errorf("login %s: %w", email, err)
}

// Style is what the load needs of a catalogue style (api.md "Catalogue").
type Style struct {
	Code   string  `json:"code"`
	Price  *string `json:"price"` // nil: not sold at the caller's price list
	Colors []struct {
		Code string `json:"code"`
	} `json:"colors"`
	Sizes       []string `json:"sizes"`
	MinOrderQty int      `json:"min_order_qty"`
}

// Styles reads the season's styles at the session's price.
func (c *Client) Styles(ctx context.Context, s *Session, season string) ([]Style, error) {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		var st int
		var b []byte
		st, b, err = c.do(ctx, c.urls[(s.Server+attempt)%len(c.urls)], http.MethodGet,
			"/api/v1/seasons/"+url.PathEscape(season)+"/styles", s.Token, nil, nil)
		if err == nil && st == http.StatusOK {
			var out struct {
				Items []Style `json:"items"`
			}
			if err := json.Unmarshal(b, &out); err != nil {
				return nil, fmt.Errorf("styles: %w", err)
			}
			return out.Items, nil
		}
		if err == nil {
			return nil, fmt.Errorf("styles: HTTP %d: %s", st, snippet(b))
		}
		if sleepCtx(ctx, backoff(attempt)) != nil {
			break
		}
	}
	return nil, fmt.Errorf("styles: %w", err)
}

// Result is the outcome of one submission, after any retries.
type Result struct {
	Status   int    // final HTTP status; 0 when no answer came
	Code     string // api.md error code, for refusals
	Message  string
	Number   string // the order number, on 201
	TotalQty int
	Lines    int
	Replayed bool // Idempotent-Replayed: true
	Attempts int
	Latency  time.Duration // from the first attempt to the final answer
	Err      error         // network error when no answer came
}

// OK reports whether the order was acknowledged (201).
func (r Result) OK() bool { return r.Status == http.StatusCreated }

// Submit posts an order with an Idempotency-Key. Network errors and
// 502/503/504 are retried with the same key and body (rotating over the
// servers) for up to the client's RetryFor; any other answer is final.
func (c *Client) Submit(ctx context.Context, s *Session, body []byte, key string) Result {
	start := time.Now()
	hdr := map[string]string{"Idempotency-Key": key}
	var r Result
	for attempt := 0; ; attempt++ {
		r.Attempts = attempt + 1
		st, b, h, err := c.doH(ctx, c.urls[(s.Server+attempt)%len(c.urls)], http.MethodPost, "/api/v1/orders", s.Token, body, hdr)
		r.Status, r.Err = st, err
		retry := err != nil || st == http.StatusBadGateway || st == http.StatusServiceUnavailable || st == http.StatusGatewayTimeout
		if !retry {
			r.Latency = time.Since(start)
			if st == http.StatusCreated {
				var o struct {
					Number   string            `json:"number"`
					TotalQty int               `json:"total_qty"`
					Lines    []json.RawMessage `json:"lines"`
				}
				if err := json.Unmarshal(b, &o); err != nil || o.Number == "" {
					r.Status, r.Err = 0, fmt.Errorf("201 without an order: %s", snippet(b))
					return r
				}
				r.Number, r.TotalQty, r.Lines = o.Number, o.TotalQty, len(o.Lines)
				r.Replayed = h.Get("Idempotent-Replayed") == "true"
				return r
			}
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			_ = json.Unmarshal(b, &e)
			r.Code, r.Message = e.Error.Code, e.Error.Message
			return r
		}
		if ctx.Err() != nil || time.Since(start) > c.retryFor {
			r.Latency = time.Since(start)
			if r.Err == nil {
				r.Err = fmt.Errorf("HTTP %d", st)
			}
			r.Status = 0
			return r
		}
		c.Retries.Add(1)
		if sleepCtx(ctx, backoff(attempt)) != nil {
			r.Latency, r.Status = time.Since(start), 0
			if r.Err == nil {
				r.Err = ctx.Err()
			}
			return r
		}
	}
}

func (c *Client) do(ctx context.Context, base, method, path, token string, body []byte, hdr map[string]string) (int, []byte, error) {
	st, b, _, err := c.doH(ctx, base, method, path, token, body, hdr)
	return st, b, err
}

// doH runs one request and reads the whole answer (so that the connection
// can be reused).
func (c *Client) doH(ctx context.Context, base, method, path, token string, body []byte, hdr map[string]string) (int, []byte, http.Header, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	return res.StatusCode, b, res.Header, nil
}

func backoff(attempt int) time.Duration {
	d := 50 * time.Millisecond << min(attempt, 5)
	return min(d, time.Second)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func snippet(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
