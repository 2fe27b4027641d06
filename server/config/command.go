package config

import (
	"flag"
	"fmt"
	"io"
)

// Exit codes of Command.
const (
	exitOK      = 0
	exitInvalid = 1 // the configuration has problems; they were printed
	exitUsage   = 2 // the command line was wrong, as the flag package reports it
)

// Command runs `pqloop config <args>` and returns the process exit code:
//
//	check FILE       validate FILE on top of the defaults (environment and flags ignored);
//	                 prints each problem and exits 1, or prints "FILE: ok"
//	print [flags]    print the effective configuration (flags > env > file > defaults) as YAML,
//	                 secrets redacted; takes the same flags as the server (--config, --loops, …)
//
// env is the environment to read PQLOOP_* variables from, as os.Environ gives it.
func Command(args, env []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: pqloop config check FILE | pqloop config print [flags]")
		return exitUsage
	}
	switch args[0] {
	case "check":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: pqloop config check FILE")
			return exitUsage
		}
		if err := Check(args[1]); err != nil {
			fmt.Fprintln(stderr, err)
			return exitInvalid
		}
		fmt.Fprintln(stdout, args[1]+": ok")
		return exitOK
	case "print":
		fs := flag.NewFlagSet("pqloop config print", flag.ContinueOnError)
		fs.SetOutput(stderr)
		flags := BindFlags(fs)
		if err := fs.Parse(args[1:]); err != nil {
			return exitUsage
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "pqloop config print: unexpected argument %q\n", fs.Arg(0))
			return exitUsage
		}
		cfg, err := Load(flags.Config, env, flags)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitInvalid
		}
		out, err := cfg.Redacted().YAML()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitInvalid
		}
		stdout.Write(out)
		return exitOK
	}
	fmt.Fprintf(stderr, "pqloop config: unknown command %q (want check or print)\n", args[0])
	return exitUsage
}
