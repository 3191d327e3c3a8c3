package loadclient

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Plan is one run of virtual dealers submitting orders over HTTP.
type Plan struct {
	Client   *Client
	Sessions []*Session // one per virtual dealer; len(Sessions) is the concurrency
	Styles   []Style    // from Orderable
	Season   string
	Lines    int
	Seed     uint64
	Prefix   string // of the Idempotency-Keys and references; unique per run
	// MaxOrders caps the submissions (0: no cap); Duration caps the time.
	// At least one must be set.
	MaxOrders int64
	Duration  time.Duration
	// OnResult, if set, is called from the submitting goroutine after each
	// submission.
	OnResult func(vu int, key string, o Order, r Result)
}

// Report sums up a run.
type Report struct {
	Submitted int         // submissions made (each with its retries)
	Acked     int         // answered 201
	Lines     int         // order lines acknowledged
	Errors    int         // not answered 201
	ByStatus  map[int]int // final statuses of the errors (0: no answer)
	ByCode    map[string]int
	Elapsed   time.Duration
	Latencies []time.Duration // of every submission, sorted
}

// PerSecond is n per second of the run.
func (r Report) PerSecond(n int) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(n) / r.Elapsed.Seconds()
}

// Drive runs the plan: every virtual dealer submits its orders one after the
// other until the order cap or the time cap is reached (or ctx ends), then
// the run waits for the submissions in flight.
func Drive(ctx context.Context, p Plan) Report {
	if p.Duration <= 0 {
		p.Duration = time.Hour
	}
	ctx, cancel := context.WithTimeout(ctx, p.Duration+p.Client.retryFor+time.Minute)
	defer cancel()
	deadline := time.Now().Add(p.Duration)
	var claimed atomic.Int64
	type part struct {
		rep Report
		lat []time.Duration
	}
	parts := make([]part, len(p.Sessions))
	var wg sync.WaitGroup
	start := time.Now()
	for vu, s := range p.Sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			me := &parts[vu]
			me.rep.ByStatus, me.rep.ByCode = map[int]int{}, map[string]int{}
			for j := 0; ; j++ {
				if ctx.Err() != nil || !time.Now().Before(deadline) {
					return
				}
				if p.MaxOrders > 0 && claimed.Add(1) > p.MaxOrders {
					return
				}
				key := Key(p.Prefix, vu, j)
				o := OrderFor(p.Seed, vu, j, p.Styles, p.Season, key, p.Lines)
				r := p.Client.Submit(ctx, s, o.Body(), key)
				me.rep.Submitted++
				me.lat = append(me.lat, r.Latency)
				if r.OK() {
					me.rep.Acked++
					me.rep.Lines += r.Lines
				} else {
					me.rep.Errors++
					me.rep.ByStatus[r.Status]++
					if r.Code != "" {
						me.rep.ByCode[r.Code]++
					}
				}
				if p.OnResult != nil {
					p.OnResult(vu, key, o, r)
				}
			}
		}()
	}
	wg.Wait()
	total := Report{ByStatus: map[int]int{}, ByCode: map[string]int{}, Elapsed: time.Since(start)}
	for _, pt := range parts {
		total.Submitted += pt.rep.Submitted
		total.Acked += pt.rep.Acked
		total.Lines += pt.rep.Lines
		total.Errors += pt.rep.Errors
		for k, v := range pt.rep.ByStatus {
			total.ByStatus[k] += v
		}
		for k, v := range pt.rep.ByCode {
			total.ByCode[k] += v
		}
		total.Latencies = append(total.Latencies, pt.lat...)
	}
	slices.Sort(total.Latencies)
	return total
}

// Merge sums two reports (runs one after the other): counts and elapsed
// times add up, latencies are merged.
func Merge(a, b Report) Report {
	out := Report{Submitted: a.Submitted + b.Submitted, Acked: a.Acked + b.Acked, Lines: a.Lines + b.Lines,
		Errors: a.Errors + b.Errors, ByStatus: map[int]int{}, ByCode: map[string]int{}, Elapsed: a.Elapsed + b.Elapsed}
	for _, r := range []Report{a, b} {
		for k, v := range r.ByStatus {
			out.ByStatus[k] += v
		}
		for k, v := range r.ByCode {
			out.ByCode[k] += v
		}
	}
	out.Latencies = append(append([]time.Duration(nil), a.Latencies...), b.Latencies...)
	slices.Sort(out.Latencies)
	return out
}

// Percentile is the p-th percentile (0 < p ≤ 100) of sorted durations, by
// the nearest-rank method; 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// Ms is d in milliseconds.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
