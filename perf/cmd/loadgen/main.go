// Command loadgen drives an HTTP/1.1, cleartext HTTP/2 or PQ-channel server
// and reports requests/s, bytes/s, latency percentiles, status counts,
// errors and timeouts. See docs/PERFORMANCE.md.
//
//	loadgen -url http://127.0.0.1:8080/health -c 64 -d 10s
//	loadgen -proto h2c -c 16 -m 16 -d 10s -url http://127.0.0.1:8080/health
//	loadgen -rate 50000 -c 64 -d 30s -json -url http://127.0.0.1:8080/health
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/pqloop/pqloop/codec/header"
	"github.com/pqloop/pqloop/perf/loadgen"
)

// headerFlags collects repeated -H flags.
type headerFlags struct{ list header.List }

func (h *headerFlags) String() string { return fmt.Sprint(len(h.list), " headers") }
func (h *headerFlags) Set(s string) error {
	f, err := loadgen.ParseHeader(s)
	if err != nil {
		return err
	}
	h.list = append(h.list, f)
	return nil
}

func main() {
	var (
		rawURL    = flag.String("url", "http://127.0.0.1:8080/health", "request URL")
		proto     = flag.String("proto", "h1", "h1 (HTTP/1.1), h2c (HTTP/2 prior knowledge) or pq (PQ channel)")
		conns     = flag.Int("c", 64, "connections")
		pipeline  = flag.Int("p", 1, "h1: requests pipelined per connection")
		streams   = flag.Int("m", 1, "h2c: concurrent streams per connection")
		duration  = flag.Duration("d", 10*time.Second, "measured duration (with -n and no -d: bounded by -n only)")
		requests  = flag.Int64("n", 0, "measured requests (0: bounded by -d only)")
		warmup    = flag.Duration("warmup", 0, "load before measuring starts")
		rate      = flag.Float64("rate", 0, "open loop: requests/s over all connections, latency from intended send time")
		timeout   = flag.Duration("timeout", loadgen.DefaultTimeout, "per-request timeout")
		method    = flag.String("method", "GET", "request method")
		bodyFile  = flag.String("body-file", "", "file whose content is the request body")
		reconnect = flag.Bool("reconnect", false, "a new connection per request (measures handshakes/s)")
		asJSON    = flag.Bool("json", false, "print one JSON object instead of text")
		cpuProf   = flag.String("cpuprofile", "", "write the load generator's own CPU profile to this file")
		pqFlags   pqOptions
		headers   headerFlags
	)
	flag.Var(&headers, "H", "request header 'Name: value' (repeatable)")
	flag.StringVar(&pqFlags.serverKey, "server-key", "", "pq: file with the server's static public key")
	flag.StringVar(&pqFlags.key, "key", "", "pq: file with our static private key (omit for an anonymous client)")
	flag.StringVar(&pqFlags.inner, "inner", "h1", "pq: HTTP inside the channel, h1 or h2c")
	flag.Parse()
	if *requests > 0 && !flagSet("d") {
		*duration = 0 // -n alone means "this many requests", however long they take
	}
	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	if err := runMain(*rawURL, *proto, loadgen.Config{
		Connections: *conns,
		Duration:    *duration,
		Requests:    *requests,
		Warmup:      *warmup,
		Rate:        *rate,
		Timeout:     *timeout,
		Reconnect:   *reconnect,
		Method:      *method,
		Header:      headers.list,
	}, *pipeline, *streams, *bodyFile, pqFlags, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", strings.TrimPrefix(err.Error(), "loadgen: "))
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func flagSet(name string) (set bool) {
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func runMain(rawURL, proto string, cfg loadgen.Config, pipeline, streams int, bodyFile string, pq pqOptions, asJSON bool) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	cfg.URL = u
	switch proto {
	case "h1":
		cfg.Protocol, cfg.Depth = loadgen.HTTP1, pipeline
	case "h2c":
		cfg.Protocol, cfg.Depth = loadgen.H2C, streams
	case "pq":
		if cfg.Protocol, cfg.Dial, err = pq.dialer(u.Host); err != nil {
			return err
		}
		cfg.Depth = pipeline
		if cfg.Protocol == loadgen.H2C {
			cfg.Depth = streams
		}
	default:
		return fmt.Errorf("unknown -proto %q (want h1, h2c or pq)", proto)
	}
	if bodyFile != "" {
		if cfg.Body, err = os.ReadFile(bodyFile); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	res.WriteText(os.Stdout)
	return nil
}
