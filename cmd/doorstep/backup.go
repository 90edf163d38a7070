package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/server"
)

const backupUsage = `Usage: doorstep backup --server URL --token T --out FILE

Streams a hot, consistent copy of the server's store to FILE (written to a
temporary file, synced, then renamed: FILE is whole or absent). The server key
(DATA/server.key or DOORSTEP_SERVER_KEY) is not in the copy, on purpose: keep
it apart from the backups (a secrets manager, a KMS), since a backup that
carried it would let its holder forge feedback codes, and restore needs it
(doorstep restore --server-key-file).

Flags (each also from the environment variable named beside it):
`

const restoreUsage = `Usage: doorstep restore --from FILE --data DIR [--server-key-file KEYFILE]

Writes a new data dir DIR from a backup FILE, after checking that FILE is a
whole Doorstep store. DIR must not exist or be empty.

The server key is not in backups, on purpose: it seals the devices' token
keys, and a backup that carried it would give whoever holds the copy
everything needed to forge feedback codes. Keep the key apart (a secrets
manager, a sealed envelope, a KMS), as you would a TLS private key. Then
either --server-key-file KEYFILE copies it into DIR/server.key (KEYFILE is
the 32-byte server.key of the old data dir, or its base64), or leave it where
it is kept and start "doorstep serve --data DIR" with --server-key-file or
DOORSTEP_SERVER_KEY. Either way restore checks that the key opens the
restored devices' keys (with DOORSTEP_SERVER_KEY set it checks that key).
serve refuses to make up a new key for a restored store.

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
	keyFile := fs.String("server-key-file", "", "the server key `FILE` kept apart from the backup (raw 32 bytes, or base64), copied into DIR/server.key")
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
	var key []byte
	fromEnv := false
	if *keyFile != "" {
		var err error
		if key, err = readServerKeyFile(*keyFile); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	} else if v := strings.TrimSpace(getenv("DOORSTEP_SERVER_KEY")); v != "" {
		var err error
		if key, err = decodeKey(v); err != nil || len(key) != server.ServerKeySize {
			return fmt.Errorf("restore: DOORSTEP_SERVER_KEY must be %d bytes in base64", server.ServerKeySize)
		}
		fromEnv = true
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
	if key == nil {
		fmt.Fprintf(stdout, "restore: %s written from %s\n"+
			"Next: doorstep serve --data %[3]s with --server-key-file (or DOORSTEP_SERVER_KEY) naming the server key kept apart from the backup, or put it in %[4]s first\n",
			path, *from, *data, filepath.Join(*data, serverKeyFile))
		return nil
	}
	if err := checkRestoredKey(ctx, path, key); err != nil {
		os.Remove(path)
		return fmt.Errorf("restore: %w (nothing left in %s)", err, *data)
	}
	if fromEnv {
		fmt.Fprintf(stdout, "restore: %s written from %s; DOORSTEP_SERVER_KEY opens its devices' keys\n"+
			"Next: doorstep serve --data %s with the same DOORSTEP_SERVER_KEY\n", path, *from, *data)
		return nil
	}
	if err := writeFileAtomic(filepath.Join(*data, serverKeyFile), key, 0o600); err != nil {
		os.Remove(path)
		return fmt.Errorf("restore: writing the server key: %w", err)
	}
	fmt.Fprintf(stdout, "restore: %s written from %s, server key in %s\nNext: doorstep serve --data %s\n",
		path, *from, filepath.Join(*data, serverKeyFile), *data)
	return nil
}

// readServerKeyFile reads a server key: the raw 32 bytes of a data dir's
// server.key, or their base64 (as in DOORSTEP_SERVER_KEY).
func readServerKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	if len(b) == server.ServerKeySize {
		return b, nil
	}
	if k, err := decodeKey(strings.TrimSpace(string(b))); err == nil && len(k) == server.ServerKeySize {
		return k, nil
	}
	return nil, fmt.Errorf("server key %s is neither %d bytes nor their base64", path, server.ServerKeySize)
}

// checkRestoredKey opens the restored store and checks that key opens its
// devices' sealed keys.
func checkRestoredKey(ctx context.Context, path string, key []byte) error {
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	return server.CheckServerKey(ctx, db, key)
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
