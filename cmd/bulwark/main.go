// Command bulwark is the whole product: the web server and its
// administration commands. See `bulwark help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"bulwark/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
