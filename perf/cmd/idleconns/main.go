// Command idleconns opens many keep-alive HTTP/1.1 connections, sends one
// request on each so the server has fully accepted it, and then holds them
// idle, so perf/bench.sh can read the server's memory per idle connection.
// It prints "ready OPEN FAILED" once every connection is open.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	rawURL := flag.String("url", "http://127.0.0.1:8080/health", "URL to request once per connection")
	n := flag.Int("c", 15000, "connections to open")
	parallel := flag.Int("parallel", 128, "connections being opened at once")
	hold := flag.Duration("hold", time.Minute, "how long to hold the connections (until signalled at most)")
	flag.Parse()
	u, err := url.Parse(*rawURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idleconns:", err)
		os.Exit(2)
	}
	request := []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n")

	conns := make([]net.Conn, *n)
	var failed atomic.Int64
	var firstErr sync.Once
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range *parallel {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(*n); i = next.Add(1) - 1 {
				c, err := openOne(u.Host, request)
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { fmt.Fprintln(os.Stderr, "idleconns: first failure:", err) })
					continue
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	fmt.Printf("ready %d %d\n", int64(*n)-failed.Load(), failed.Load())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(*hold):
	}
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// openOne dials, sends one request and reads its whole response.
func openOne(addr string, request []byte) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(request); err != nil {
		c.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 1024), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}
