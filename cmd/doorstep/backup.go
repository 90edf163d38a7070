package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/doorstep-project/doorstep/bolt"
)

const backupUsage = `Usage: doorstep backup --server URL --token T --out FILE

Streams a hot, consistent copy of the server's store to FILE (written to a
temporary file, synced, then renamed: FILE is whole or absent). The server key
(DATA/server.key or DOORSTEP_SERVER_KEY) is not in the copy: keep it safe
beside it, as codes of paired devices cannot be verified without it.

Flags (each also from the environment variable named beside it):
`

const restoreUsage = `Usage: doorstep restore --from FILE --data DIR

Writes a new data dir DIR from a backup FILE, after checking that FILE is a
whole Doorstep store. DIR must not exist or be empty. Copy the old server.key
into DIR (or set DOORSTEP_SERVER_KEY) before "doorstep serve --data DIR".

Flags (each also from the environment variable named beside it):
`

// runBackup runs "doorstep backup".
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stderr, backupUsage, "")
	serverURL := fs.String("server", "", "server `URL`")
	token := fs.String("token", "", "admin `TOKEN`")
	out := fs.String("out", "", "backup `FILE` to write")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("backup: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usagef("backup: --out FILE is required")
	}
	c, err := newAdminClient(*serverURL, *token, 0)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	n, err := fetchBackup(ctx, c, f)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("backup: %w (nothing written to %s)", err, *out)
	}
	if err := commitTemp(f, *out, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup: %d bytes written to %s\n", n, *out)
	return nil
}

// fetchBackup copies the server's backup stream into f.
func fetchBackup(ctx context.Context, c *adminClient, f *os.File) (int64, error) {
	resp, err := c.request(ctx, "GET", "/api/v1/admin/backup", nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(f, resp.Body)
	if err != nil {
		return n, fmt.Errorf("the transfer was cut after %d bytes: %v", n, err)
	}
	if n == 0 {
		return 0, errors.New("the server sent an empty backup")
	}
	return n, nil
}

// runRestore runs "doorstep restore".
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", stderr, restoreUsage, "")
	from := fs.String("from", "", "backup `FILE`")
	data := fs.String("data", "", "new data `DIR`")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("restore: unexpected argument %q", fs.Arg(0))
	}
	if *from == "" || *data == "" {
		return usagef("restore: --from FILE and --data DIR are required")
	}
	if err := emptyDir(*data); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	f, err := os.Open(*from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	path := filepath.Join(*data, bolt.DefaultFileName)
	if err := bolt.Restore(f, path); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restore: %s written from %s\n"+
		"Next: copy the old data dir's %s into %s (or set DOORSTEP_SERVER_KEY), then doorstep serve --data %s\n",
		path, *from, serverKeyFile, *data, *data)
	return nil
}

// emptyDir refuses a dir that exists and holds anything.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: restore writes a new data dir only", dir)
	}
	return nil
}
