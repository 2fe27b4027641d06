// Command pqloop is the pqloop server and its tools.
//
//	pqloop serve [--config FILE] [--listen ADDR] [--admin ADDR] [flags]
//	pqloop config check FILE | pqloop config print [flags]
//	pqloop keygen --out FILE
//	pqloop connect --listen ADDR --server HOST:PORT --server-key FILE [--key FILE]
//	pqloop version
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/pqloop/pqloop/server"
	"github.com/pqloop/pqloop/server/config"
)

const usage = `usage:
  pqloop serve [--config FILE] [--listen ADDR] [--admin ADDR] [--set section.key=value ...]
  pqloop config check FILE
  pqloop config print [flags]
  pqloop keygen --out FILE
  pqloop connect --listen ADDR --server HOST:PORT --server-key FILE [--key FILE] [--proto h2|http/1.1]
  pqloop version
`

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func run(args, env []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], env, stderr)
	case "config":
		return config.Command(args[1:], env, stdout, stderr)
	case "keygen":
		return keygen(args[1:], stdout, stderr)
	case "connect":
		return connect(args[1:], stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "pqloop %s (%s %s/%s)\n", server.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "pqloop: unknown command %q\n%s", args[0], usage)
	return 2
}

func serve(args, env []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("pqloop serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := config.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(flags.Config, env, flags)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	srv, err := server.New(cfg, server.Options{ConfigPath: flags.Config, Flags: flags, Env: env, LogOutput: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "pqloop:", err)
		return 1
	}
	if err := srv.Run(); err != nil {
		srv.Logger().Error("exit", "err", err)
		return 1
	}
	return 0
}
