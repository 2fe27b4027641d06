package loadgen

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// Result is what a run measured. Its JSON form is the one object the -json
// flag prints; latencies are in milliseconds.
type Result struct {
	Protocol    Protocol          `json:"proto"`
	URL         string            `json:"url"`
	Connections int               `json:"connections"`
	Depth       int               `json:"depth"`
	Rate        float64           `json:"rate,omitempty"` // open-loop target, requests/s
	Seconds     float64           `json:"duration_s"`
	Requests    uint64            `json:"requests"`
	RPS         float64           `json:"rps"`
	BytesPerSec float64           `json:"bytes_per_sec"`
	MeanMs      float64           `json:"mean_ms"`
	P50Ms       float64           `json:"p50_ms"`
	P90Ms       float64           `json:"p90_ms"`
	P99Ms       float64           `json:"p99_ms"`
	P999Ms      float64           `json:"p999_ms"`
	MaxMs       float64           `json:"max_ms"`
	Status      map[string]uint64 `json:"status"`
	Non2xx      uint64            `json:"non_2xx"` // responses whose status is not 2xx
	Errors      uint64            `json:"errors"`
	Timeouts    uint64            `json:"timeouts"`
	FirstError  string            `json:"first_error,omitempty"`
	// StealPercent is the share of the machine's CPU time the hypervisor
	// took during the measured window (/proc/stat), -1 when unknown.
	StealPercent float64 `json:"steal_pct"`
	// ToolCPUPercent is the load generator's own CPU use during the
	// measured window, in percent of one core, -1 when unknown. Near 100
	// per core it was given, the tool's queueing is in the latencies.
	ToolCPUPercent float64 `json:"tool_cpu_pct"`
}

func newResult(cfg *Config, s *stats, window time.Duration, firstErr error) *Result {
	ms := func(q float64) float64 { return float64(s.latency.ValueAtQuantile(q)) / 1e3 }
	res := &Result{
		Protocol:    cfg.Protocol,
		URL:         cfg.URL.String(),
		Connections: cfg.Connections,
		Depth:       cfg.Depth,
		Rate:        cfg.Rate,
		Seconds:     window.Seconds(),
		Requests:    s.requests,
		MeanMs:      s.latency.Mean() / 1e3,
		P50Ms:       ms(50),
		P90Ms:       ms(90),
		P99Ms:       ms(99),
		P999Ms:      ms(99.9),
		MaxMs:       float64(s.latency.Max()) / 1e3,
		Status:      make(map[string]uint64, len(s.status)),
		Errors:      s.errors,
		Timeouts:    s.timeouts,
	}
	if window > 0 {
		res.RPS = float64(s.requests) / window.Seconds()
		res.BytesPerSec = float64(s.bytes) / window.Seconds()
	}
	for code, n := range s.status {
		res.Status[strconv.Itoa(code)] = n
		if code < 200 || code > 299 {
			res.Non2xx += n
		}
	}
	if firstErr != nil {
		res.FirstError = firstErr.Error()
	}
	return res
}

// WriteText prints the result for a person.
func (r *Result) WriteText(w io.Writer) {
	loop := "closed loop"
	if r.Rate > 0 {
		loop = fmt.Sprintf("open loop at %.0f req/s, latency from intended send time", r.Rate)
	}
	fmt.Fprintf(w, "%s %s: %d connections × %d in flight, %s\n", r.Protocol, r.URL, r.Connections, r.Depth, loop)
	fmt.Fprintf(w, "  requests   %d in %.2fs = %.1f req/s, %.2f MB/s read\n", r.Requests, r.Seconds, r.RPS, r.BytesPerSec/1e6)
	fmt.Fprintf(w, "  latency    mean %.3fms  p50 %.3fms  p90 %.3fms  p99 %.3fms  p99.9 %.3fms  max %.3fms\n",
		r.MeanMs, r.P50Ms, r.P90Ms, r.P99Ms, r.P999Ms, r.MaxMs)
	codes := make([]string, 0, len(r.Status))
	for c := range r.Status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	fmt.Fprint(w, "  status    ")
	for _, c := range codes {
		fmt.Fprintf(w, " %s: %d", c, r.Status[c])
	}
	fmt.Fprintf(w, "\n  errors     %d  timeouts %d\n", r.Errors, r.Timeouts)
	if r.StealPercent >= 0 {
		fmt.Fprintf(w, "  host       %.1f%% of CPU time stolen by the hypervisor during the window\n", r.StealPercent)
	}
	if r.ToolCPUPercent >= 0 {
		fmt.Fprintf(w, "  loadgen    %.0f%% of a core busy during the window\n", r.ToolCPUPercent)
	}
	if r.FirstError != "" {
		fmt.Fprintf(w, "  first error: %s\n", r.FirstError)
	}
}
