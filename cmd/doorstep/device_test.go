package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runDeviceCLI runs "doorstep ARGS" with env as the environment and returns
// the exit code, stdout and stderr.
func runDeviceCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	code := exitCode(err, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestDeviceUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"device"},
		{"device", "status"},
		{"device", "--state", dir},
		{"device", "--state", dir, "bogus"},
		{"device", "--state", dir, "issue", "--qr", "q.png"},
		{"device", "--state", dir, "issue", "--pdf", "l.pdf", "--qr", "q.png", "--format", "a5"},
		{"device", "--state", dir, "issue", "--nope"},
		{"device", "--state", dir, "pair", "--server", "http://x"},
		{"device", "--state", dir, "void"},
		{"device", "--state", dir, "sync", "extra"},
		{"device", "--state", dir, "sync", "--timeout", "soon"},
	} {
		code, _, stderr := runDeviceCLI(t, nil, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", args, code, stderr)
		}
	}
}

func TestDeviceUnpaired(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := runDeviceCLI(t, map[string]string{"DOORSTEP_STATE": dir}, "device", "status")
	if code != 0 || !strings.HasPrefix(out, "not paired") {
		t.Fatalf("status: exit %d, %q", code, out)
	}
	for _, args := range [][]string{
		{"device", "--state", dir, "issue", "--pdf", filepath.Join(dir, "l.pdf"), "--qr", filepath.Join(dir, "q.png")},
		{"device", "--state", dir, "sync"},
	} {
		code, out, stderr := runDeviceCLI(t, nil, args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 1 || out != "" || len(lines) != 1 || !strings.Contains(stderr, "not paired") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and one line", args, code, out, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "l.pdf")); !os.IsNotExist(err) {
		t.Errorf("a failed issue wrote the leaflet: %v", err)
	}
	// --state may follow the command too.
	if code, out, _ := runDeviceCLI(t, nil, "device", "status", "--state", dir); code != 0 || !strings.HasPrefix(out, "not paired") {
		t.Fatalf("status --state: exit %d, %q", code, out)
	}
}

func TestDeviceHelp(t *testing.T) {
	code, out, _ := runDeviceCLI(t, nil, "device", "help")
	if code != 0 || !strings.Contains(out, "issue") || !strings.Contains(out, "--crime-ref") {
		t.Fatalf("device help: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"device", "-h"}, {"device", "issue", "-h"}} {
		if code, _, errs := runDeviceCLI(t, nil, args...); code != 0 || !strings.Contains(errs, "Usage: doorstep device") {
			t.Errorf("%q: exit %d, %q", args, code, errs)
		}
	}
}

func TestDeviceWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "q.png")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := deviceWriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("file holds %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
	if err := deviceWriteFile(filepath.Join(dir, "missing", "q.png"), []byte("x")); err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Fatalf("write into a missing dir = %v", err)
	}
}
