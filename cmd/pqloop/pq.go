package main

import (
	"fmt"
	"io"
)

func keygen(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "pqloop keygen: not available in this build")
	return 1
}

func connect(args []string, stderr io.Writer) int {
	fmt.Fprintln(stderr, "pqloop connect: not available in this build")
	return 1
}
