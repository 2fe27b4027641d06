package pqnet

import (
	"context"
	"io"
	"net"
	"sync"

	"github.com/pqloop/pqloop/codec/pq"
)

// Forward listens on listenAddr for plaintext TCP and tunnels each
// connection through the secure channel to serverAddr, so tools that speak
// plain HTTP (curl, h2load) reach a pq listener. It returns when ctx ends
// or the listener fails. This is `pqloop connect`.
func Forward(ctx context.Context, listenAddr, serverAddr string, cfg *pq.ClientConfig) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", listenAddr)
	if err != nil {
		return err
	}
	return ForwardListener(ctx, ln, serverAddr, cfg)
}

// ForwardListener is Forward on a listener the caller opened; it closes ln
// when ctx ends.
func ForwardListener(ctx context.Context, ln net.Listener, serverAddr string, cfg *pq.ClientConfig) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		local, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			forwardOne(ctx, local, serverAddr, cfg)
		}()
	}
}

func forwardOne(ctx context.Context, local net.Conn, serverAddr string, cfg *pq.ClientConfig) {
	defer local.Close()
	remote, err := Dial(ctx, "tcp", serverAddr, cfg)
	if err != nil {
		return
	}
	defer remote.Close()
	stop := context.AfterFunc(ctx, func() { local.Close(); remote.Close() })
	defer stop()

	done := make(chan struct{})
	go func() {
		defer close(done)
		// Server to local: an orderly close half-closes the local socket.
		if _, err := io.Copy(local, remote); err == nil {
			if tc, ok := local.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
		} else {
			local.Close()
		}
	}()
	// Local to server: EOF from the local client becomes a close record.
	if _, err := io.Copy(remote, local); err == nil {
		remote.CloseWrite()
	} else {
		remote.Close()
	}
	<-done
}
