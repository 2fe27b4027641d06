package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pqloop/pqloop/codec/pq"
	"github.com/pqloop/pqloop/crypto/pqkey"
	"github.com/pqloop/pqloop/pqnet"
)

// keygen writes a new PQ channel key pair: FILE (private, 0600) and
// FILE.pub, and prints the public key's fingerprint.
func keygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pqloop keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "private key `file` to write (the public key goes to FILE.pub)")
	comment := fs.String("comment", "", "comment stored with the public key")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: pqloop keygen --out FILE [--comment TEXT]")
		return 2
	}
	fp, err := pqkey.Keygen(*out, rand.Reader, *comment)
	if err != nil {
		fmt.Fprintln(stderr, "pqloop keygen:", err)
		return 1
	}
	fmt.Fprintf(stdout, "private key: %s\npublic key:  %s%s\nfingerprint: %s\n", *out, *out, pqkey.PublicKeySuffix, fp)
	return 0
}

// connect serves a local plaintext listener and forwards each connection
// through the PQ channel, so unmodified clients reach a pq listener.
func connect(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("pqloop connect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "local plaintext `address` to accept on")
	server := fs.String("server", "", "the pq listener's `host:port`")
	serverKey := fs.String("server-key", "", "the server's public key `file` (FILE.pub from keygen)")
	key := fs.String("key", "", "this client's private key `file`: authenticate with it (pqIK); without it the client is anonymous (pqNK)")
	proto := fs.String("proto", "h2,http/1.1", "inner protocols to offer, in order of preference")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *server == "" || *serverKey == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: pqloop connect --listen ADDR --server HOST:PORT --server-key FILE [--key FILE] [--proto h2,http/1.1]")
		return 2
	}
	cfg, err := clientConfig(*serverKey, *key, *proto)
	if err != nil {
		fmt.Fprintln(stderr, "pqloop connect:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stderr, "pqloop connect: %s → %s (server %s)\n", *listen, *server, pqkey.Fingerprint(cfg.ServerKey))
	if err := pqnet.Forward(ctx, *listen, *server, cfg); err != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "pqloop connect:", err)
		return 1
	}
	return 0
}

func clientConfig(serverKeyFile, keyFile, protos string) (*pq.ClientConfig, error) {
	pub, err := pqkey.LoadPublicKey(serverKeyFile)
	if err != nil {
		return nil, fmt.Errorf("--server-key: %w", err)
	}
	cfg := &pq.ClientConfig{ServerKey: pub, Protocols: strings.Split(protos, ",")}
	if keyFile != "" {
		if cfg.StaticKey, err = pqkey.LoadPrivateKey(keyFile); err != nil {
			return nil, fmt.Errorf("--key: %w", err)
		}
	}
	return cfg, nil
}
