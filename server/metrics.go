package server

import (
	"runtime"
	"strconv"

	"github.com/pqloop/pqloop/engine"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metricsSet is the registry the admin port exposes.
type metricsSet struct {
	registry *prometheus.Registry
}

func newMetricsSet(s *Server) *metricsSet {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		s.http.Metrics,
		&engineCollector{s: s},
	)
	if s.mcp != nil {
		reg.MustRegister(mcpCollector{srv: s.mcp})
	}
	for _, c := range s.extras {
		if p, ok := c.(*pqComponent); ok {
			reg.MustRegister(pqCollector{l: p.pqd})
		}
	}
	return &metricsSet{registry: reg}
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	descOpen      = desc("pqloop_connections_open", "Open client connections.")
	descAccepted  = desc("pqloop_connections_accepted_total", "Connections accepted.")
	descClosed    = desc("pqloop_connections_closed_total", "Connections closed.")
	descRefused   = desc("pqloop_connections_refused_total", "Connections refused at accept, by reason.", "reason")
	descBytesIn   = desc("pqloop_bytes_received_total", "Bytes read from client connections.")
	descBytesOut  = desc("pqloop_bytes_sent_total", "Bytes written to client connections.")
	descBusy      = desc("pqloop_loop_busy_ratio", "Share of the last second each event loop spent in callbacks.", "loop")
	descBusySecs  = desc("pqloop_loop_busy_seconds_total", "Time each event loop spent in callbacks.", "loop")
	descLoopCPU   = desc("pqloop_loop_cpu", "The CPU each event loop's thread is pinned to (-1: not pinned).", "loop")
	descTimeouts  = desc("pqloop_connection_timeouts_total", "Connections closed by a deadline, by kind.", "kind")
	descPauses    = desc("pqloop_backpressure_pauses_total", "Times a connection's input was held back because its output was over the bound.")
	descQueued    = desc("pqloop_offload_queue_length", "Jobs waiting for an offload worker.")
	descActive    = desc("pqloop_offload_active", "Offload jobs running.")
	descOffloaded = desc("pqloop_offload_jobs_total", "Offload jobs completed.")
	descReady     = desc("pqloop_ready", "1 when the server takes traffic, 0 while starting or draining.")
	descReloads   = desc("pqloop_config_reloads_total", "Configuration reloads, by result.", "result")
	descBuild     = desc("pqloop_build_info", "Build information.", "version", "goversion")
)

// engineCollector reads the engine's per-loop counters at scrape time.
type engineCollector struct{ s *Server }

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOpen, descAccepted, descClosed, descRefused, descBytesIn, descBytesOut,
		descBusy, descBusySecs, descLoopCPU, descTimeouts, descPauses, descQueued, descActive, descOffloaded,
		descReady, descReloads, descBuild} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	eng := c.s.eng
	var accepted, closed, in, out, pauses uint64
	var open int64
	var timeouts [engine.TimeoutKinds]uint64
	eng.EachLoop(func(l *engine.Loop) {
		st := &l.Stats
		accepted += st.Accepted.Load()
		closed += st.Closed.Load()
		open += st.Open.Load()
		in += st.BytesIn.Load()
		out += st.BytesOut.Load()
		pauses += st.Paused.Load()
		for k := range timeouts {
			timeouts[k] += st.Timeouts[k].Load()
		}
		id := strconv.Itoa(l.ID)
		ch <- prometheus.MustNewConstMetric(descBusy, prometheus.GaugeValue, float64(st.BusyRatio.Load())/1e6, id)
		ch <- prometheus.MustNewConstMetric(descBusySecs, prometheus.CounterValue, float64(st.BusyNanos.Load())/1e9, id)
		ch <- prometheus.MustNewConstMetric(descLoopCPU, prometheus.GaugeValue, float64(l.CPU), id)
	})
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descOpen, float64(open))
	counter(descAccepted, accepted)
	counter(descClosed, closed)
	counter(descRefused, eng.Refused.MaxConns.Load(), engine.RefusedMaxConns)
	counter(descRefused, eng.Refused.MaxConnsPerIP.Load(), engine.RefusedMaxConnsPerIP)
	counter(descRefused, eng.Refused.Draining.Load(), engine.RefusedDraining)
	counter(descBytesIn, in)
	counter(descBytesOut, out)
	for k := engine.TimeoutNone + 1; int(k) < engine.TimeoutKinds; k++ {
		counter(descTimeouts, timeouts[k], k.String())
	}
	counter(descPauses, pauses)
	if p := eng.Pool(); p != nil {
		gauge(descQueued, float64(p.Queued()))
		gauge(descActive, float64(p.Active.Load()))
		counter(descOffloaded, p.Done.Load())
	}
	ready := 0.0
	if code, _ := c.s.readiness(); code == 200 {
		ready = 1
	}
	gauge(descReady, ready)
	counter(descReloads, c.s.reloads.ok.Load(), "ok")
	counter(descReloads, c.s.reloads.failed.Load(), "rejected")
	gauge(descBuild, 1, Version, runtime.Version())
}
