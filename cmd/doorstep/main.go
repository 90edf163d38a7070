// Command doorstep is the one binary of Doorstep: the server (serve, backup,
// restore), the admin client (admin) and the officer's device (device).
//
// main only wires things together; each subcommand lives in its own file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is bad usage: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCode prints err as one line and maps it to the contract's exit codes:
// 0 ok, 1 failure, 2 bad usage.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "doorstep: %s (see doorstep -h)\n", ue.msg)
		return 2
	}
	fmt.Fprintf(stderr, "doorstep: %s\n", err)
	return 1
}

const usage = `doorstep: feedback codes and Victims' Code leaflets for frontline officers.

Usage:
  doorstep serve   [--data DIR] [--addr HOST:PORT] [--public-url URL] ...
  doorstep admin   --server URL --token T  officer add|pairing-code|devices|device revoke|account add|summary ...
  doorstep device  --state DIR pair|issue|sync|feedback ...
  doorstep backup  --server URL --token T --out FILE
  doorstep restore --from FILE --data DIR [--server-key-file FILE]

Run "doorstep COMMAND -h" for a command's flags. Every flag can also be set
with a DOORSTEP_* environment variable (--public-url: DOORSTEP_PUBLIC_URL).
`

// run is the whole program; tests call it with their own arguments, environment
// and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "admin":
		return runAdmin(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], getenv, stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], getenv, stdout, stderr)
	case "device":
		return runDevice(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return usagef("unknown command %q", args[0])
	}
}
