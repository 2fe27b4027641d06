package httpd

import (
	"strconv"
	"sync/atomic"

	"github.com/pqloop/pqloop/codec/http1"
	"github.com/pqloop/pqloop/httpx"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts requests per loop: each loop adds to its own counters
// (atomics only so that a scrape may read them; no two loops share a cache
// line), and the collector sums the loops when Prometheus scrapes.
type Metrics struct {
	routes          []string // label per route index, "unmatched" first
	reasons         []string
	reasonIndex     map[string]int
	loops           []*loopMetrics
	panics          atomic.Uint64
	offloadRejected atomic.Uint64

	requests, duration, bad, panicDesc, rejectedDesc *prometheus.Desc
}

// durationBuckets are the request-duration histogram's upper bounds in
// seconds: a loop-served request takes microseconds, an offloaded one may
// take seconds.
var durationBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// bucketNanos are durationBuckets in nanoseconds, for a comparison without
// floating point on the request path.
var bucketNanos = func() []int64 {
	b := make([]int64, len(durationBuckets))
	for i, s := range durationBuckets {
		b[i] = int64(s * 1e9)
	}
	return b
}()

// bucketOf is the first bucket whose bound is at least nanos, or
// len(durationBuckets) when it exceeds them all.
func bucketOf(nanos int64) int {
	for i, ub := range bucketNanos {
		if nanos <= ub {
			return i
		}
	}
	return len(bucketNanos)
}

type methodIndex uint8

const (
	methodGET methodIndex = iota
	methodHEAD
	methodPOST
	methodPUT
	methodDELETE
	methodOPTIONS
	methodPATCH
	methodOther
	methodCount
)

var methodNames = [methodCount]string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "other"}

func methodOf(m []byte) methodIndex {
	for i := methodGET; i < methodOther; i++ {
		if string(m) == methodNames[i] {
			return i
		}
	}
	return methodOther
}

// statusCodes are the codes counted by their own label; others count as
// their class ("2xx"…).
var statusCodes = []int{100, 101, 200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405, 406, 408,
	409, 411, 413, 414, 415, 417, 422, 429, 431, 500, 501, 502, 503, 504, 505}

const statusClasses = 5 // 1xx..5xx for the rest

var statusSlot = func() (t [600]uint8) {
	for i := range t {
		t[i] = uint8(len(statusCodes) + i/100 - 1)
	}
	for i, c := range statusCodes {
		t[c] = uint8(i)
	}
	return t
}()

var statusLabels = func() []string {
	l := make([]string, 0, len(statusCodes)+statusClasses)
	for _, c := range statusCodes {
		l = append(l, strconv.Itoa(c))
	}
	for c := 1; c <= statusClasses; c++ {
		l = append(l, strconv.Itoa(c)+"xx")
	}
	return l
}()

// statusCount is len(statusCodes) + statusClasses.
const statusCount = 32 + statusClasses

func slotOfStatus(code int) int {
	if code < 100 || code >= 600 {
		return len(statusCodes) + 4 // count nonsense as 5xx
	}
	return int(statusSlot[code])
}

type loopMetrics struct {
	requests []atomic.Uint64 // [route][method][status]
	buckets  []atomic.Uint64 // [route][bucket]: requests in that bucket only (past the last: none)
	count    []atomic.Uint64 // [route]
	sumNanos []atomic.Uint64 // [route]
	bad      []atomic.Uint64 // [reason]
	_        [64]byte
}

func newMetrics(rt *httpx.Router, loops int) *Metrics {
	m := &Metrics{routes: []string{"unmatched"}, reasonIndex: map[string]int{}}
	if rt != nil {
		for _, r := range rt.Routes {
			m.routes = append(m.routes, r.Path)
		}
	}
	m.reasons = append(append([]string{}, http1.Reasons...), "h2_protocol_error", "h2_enhance_your_calm")
	for i, r := range m.reasons {
		m.reasonIndex[r] = i
	}
	nr := len(m.routes)
	for range loops {
		m.loops = append(m.loops, &loopMetrics{
			requests: make([]atomic.Uint64, nr*int(methodCount)*statusCount),
			buckets:  make([]atomic.Uint64, nr*len(durationBuckets)),
			count:    make([]atomic.Uint64, nr),
			sumNanos: make([]atomic.Uint64, nr),
			bad:      make([]atomic.Uint64, len(m.reasons)),
		})
	}
	m.requests = prometheus.NewDesc("pqloop_http_requests_total", "HTTP requests answered, by route, method and status code.", []string{"route", "method", "code"}, nil)
	m.duration = prometheus.NewDesc("pqloop_http_request_duration_seconds", "Time from a complete request to its response, by route.", []string{"route"}, nil)
	m.bad = prometheus.NewDesc("pqloop_http_bad_requests_total", "Requests refused by the protocol codecs, by reason.", []string{"reason"}, nil)
	m.panicDesc = prometheus.NewDesc("pqloop_http_handler_panics_total", "Handler panics turned into 500 responses.", nil, nil)
	m.rejectedDesc = prometheus.NewDesc("pqloop_offload_rejected_total", "Requests answered 503 because the offload pool was full.", nil, nil)
	return m
}

// record counts a finished exchange.
func (s *Server) record(x *exchange) {
	ls := x.c.ls
	d := x.c.link.Loop().Now() - x.start
	s.recordStatus(ls.metrics, x.route, x.method, x.w.Status, d)
	if s.limits.Load().AccessLog {
		s.logAccess(x, d)
	}
}

func (s *Server) recordStatus(lm *loopMetrics, route int, method methodIndex, status int, nanos int64) {
	r := route + 1 // Unmatched is -1
	lm.requests[(r*int(methodCount)+int(method))*statusCount+slotOfStatus(status)].Add(1)
	// One add for the bucket the duration falls in; the scrape makes the
	// counts cumulative, so the request path does not.
	if b := bucketOf(nanos); b < len(durationBuckets) {
		lm.buckets[r*len(durationBuckets)+b].Add(1)
	}
	lm.count[r].Add(1)
	lm.sumNanos[r].Add(uint64(nanos))
}

func (m *Metrics) badRequest(lm *loopMetrics, reason string) {
	if i, ok := m.reasonIndex[reason]; ok {
		lm.bad[i].Add(1)
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.requests
	ch <- m.duration
	ch <- m.bad
	ch <- m.panicDesc
	ch <- m.rejectedDesc
}

// Collect implements prometheus.Collector: it sums the loops.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	nr, nb := len(m.routes), len(durationBuckets)
	for r := 0; r < nr; r++ {
		for meth := 0; meth < int(methodCount); meth++ {
			for st := 0; st < statusCount; st++ {
				i := (r*int(methodCount)+meth)*statusCount + st
				var v uint64
				for _, lm := range m.loops {
					v += lm.requests[i].Load()
				}
				if v > 0 {
					ch <- prometheus.MustNewConstMetric(m.requests, prometheus.CounterValue, float64(v), m.routes[r], methodNames[meth], statusLabels[st])
				}
			}
		}
		var count, sum uint64
		buckets := make(map[float64]uint64, nb)
		for _, lm := range m.loops {
			count += lm.count[r].Load()
			sum += lm.sumNanos[r].Load()
			var cumulative uint64
			for b, ub := range durationBuckets {
				cumulative += lm.buckets[r*nb+b].Load()
				buckets[ub] += cumulative
			}
		}
		if count > 0 {
			ch <- prometheus.MustNewConstHistogram(m.duration, count, float64(sum)/1e9, buckets, m.routes[r])
		}
	}
	for i, reason := range m.reasons {
		var v uint64
		for _, lm := range m.loops {
			v += lm.bad[i].Load()
		}
		ch <- prometheus.MustNewConstMetric(m.bad, prometheus.CounterValue, float64(v), reason)
	}
	ch <- prometheus.MustNewConstMetric(m.panicDesc, prometheus.CounterValue, float64(m.panics.Load()))
	ch <- prometheus.MustNewConstMetric(m.rejectedDesc, prometheus.CounterValue, float64(m.offloadRejected.Load()))
}
