package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	stdsync "sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds the doorstep command into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	bin := filepath.Join(t.TempDir(), "doorstep")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is a running doorstep serve.
type proc struct {
	cmd    *exec.Cmd
	mu     stdsync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	url    string
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Write(b)
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// startServe runs serve on addr with data and waits for /healthz.
func startServe(t *testing.T, bin, data, addr string, env ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{}), url: "http://" + addr}
	p.cmd = exec.Command(bin, "serve", "--data", data, "--addr", addr)
	p.cmd.Env = append(cleanEnv(), env...)
	p.cmd.Stdout = p
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("serve exited: %s", p.output())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve not healthy in 10 s: %s", p.output())
	return nil
}

// stop sends SIGTERM and wants exit 0.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("serve did not stop within 15 s of SIGTERM: %s", p.output())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("serve exit %d after SIGTERM, want 0: %s", code, p.output())
	}
}

// cleanEnv is the environment without DOORSTEP_* variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DOORSTEP_") {
			env = append(env, kv)
		}
	}
	return env
}

// runBin runs the binary to completion.
func runBin(t *testing.T, bin string, stdin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// mustRun runs the binary and wants exit 0; it returns stdout.
func mustRun(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	code, out, errs := runBin(t, bin, "", env, args...)
	if code != 0 {
		t.Fatalf("doorstep %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func jsonField(t *testing.T, s, field string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %q", s)
	}
	return m[field]
}

// TestServeEndToEnd runs the real binary: a generated admin token, admin
// calls over HTTP, a second server refused on the same data dir, SIGTERM,
// restart, backup and restore.
func TestServeEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	p := startServe(t, bin, data, addr)

	m := regexp.MustCompile(`Admin token \(printed this once[^\n]*\n\n\s+(\S+)\n`).FindStringSubmatch(p.output())
	if m == nil {
		t.Fatalf("no generated admin token printed:\n%s", p.output())
	}
	token := m[1]
	if fi, err := os.Stat(filepath.Join(data, "server.key")); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("server.key: %v %v", fi, err)
	}
	hash, err := os.ReadFile(filepath.Join(data, "admin-token.sha256"))
	if err != nil || bytes.Contains(hash, []byte(token)) {
		t.Fatalf("admin token hash file: %q %v", hash, err)
	}
	env := []string{"DOORSTEP_SERVER=" + p.url, "DOORSTEP_ADMIN_TOKEN=" + token}

	out := mustRun(t, bin, env, "admin", "officer", "add", "--collar", "1234AB", "--name", "Alex Smith", "--borough", "Hackney", "--team", "Response 1")
	officer, _ := jsonField(t, out, "id").(string)
	if officer == "" {
		t.Fatalf("officer add printed %s", out)
	}
	out = mustRun(t, bin, env, "admin", "pairing-code", "--officer", officer)
	if code, _ := jsonField(t, out, "code").(string); len(code) != 10 {
		t.Fatalf("pairing-code printed %s", out)
	}
	if out = mustRun(t, bin, env, "admin", "devices", "--officer", officer); strings.TrimSpace(out) != "[]" {
		t.Fatalf("devices printed %s", out)
	}
	out = mustRun(t, bin, env, "admin", "summary", "--officer", officer)
	if jsonField(t, out, "issued") != 0.0 || jsonField(t, out, "mean_rating") != nil {
		t.Fatalf("summary printed %s", out)
	}
	code, out, errs := runBin(t, bin, "correct horse battery\n", env, "admin", "account", "add", "--username", "trainer1", "--role", "trainer")
	if code != 0 || jsonField(t, out, "role") != "trainer" {
		t.Fatalf("account add: %d %s %s", code, out, errs)
	}
	// publish a new version of the English leaflet content, then refuse it again
	raw, err := os.ReadFile(filepath.Join("..", "..", "leaflet", "content", "en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var content map[string]any
	if err := json.Unmarshal(raw, &content); err != nil {
		t.Fatal(err)
	}
	content["version"] = "2099-01.1"
	raw, _ = json.Marshal(content)
	contentFile := filepath.Join(t.TempDir(), "en.json")
	if err := os.WriteFile(contentFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if out = mustRun(t, bin, env, "admin", "content", "publish", "--file", contentFile); jsonField(t, out, "version") != "2099-01.1" {
		t.Fatalf("content publish printed %s", out)
	}
	if out = mustRun(t, bin, env, "admin", "content", "list"); !strings.Contains(out, `"version": "2099-01.1"`) {
		t.Fatalf("content list after publish: %s", out)
	}
	if code, _, errs := runBin(t, bin, "", env, "admin", "content", "publish", "--file", contentFile); code != 1 || !strings.Contains(errs, "2099-01.1") {
		t.Fatalf("republishing a version: exit %d, %s", code, errs)
	}
	// refusals: wrong token, bad usage, unknown device
	code, _, errs = runBin(t, bin, "", []string{"DOORSTEP_SERVER=" + p.url, "DOORSTEP_ADMIN_TOKEN=wrong-token-wrong-token"}, "admin", "officers")
	if code != 1 || !strings.Contains(errs, "wrong admin token") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("wrong token: exit %d, %q", code, errs)
	}
	if code, _, errs = runBin(t, bin, "", env, "admin", "officer", "add", "--collar", "1"); code != 2 {
		t.Fatalf("missing flags: exit %d, %q", code, errs)
	}
	if code, _, errs = runBin(t, bin, "", env, "admin", "device", "revoke", "999"); code != 1 || !strings.Contains(errs, "404") {
		t.Fatalf("revoke unknown device: exit %d, %q", code, errs)
	}

	// a second server on the same data dir fails fast with one clear line
	start := time.Now()
	code, _, errs = runBin(t, bin, "", nil, "serve", "--data", data, "--addr", freeAddr(t))
	if code != 1 || time.Since(start) > 5*time.Second || !strings.Contains(errs, "in use by another process") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("second serve: exit %d after %v: %q", code, time.Since(start), errs)
	}

	// backup while serving
	backup := filepath.Join(t.TempDir(), "backup.db")
	mustRun(t, bin, env, "backup", "--out", backup)
	if fi, err := os.Stat(backup); err != nil || fi.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	p.stop(t)

	// restart: the generated token still works and is not printed again
	p = startServe(t, bin, data, addr)
	if strings.Contains(p.output(), token) || !strings.Contains(p.output(), "generated on first start") {
		t.Fatalf("restart output:\n%s", p.output())
	}
	mustRun(t, bin, env, "admin", "officers")
	p.stop(t)

	// restore into a new dir, refused into a non-empty one
	if code, _, errs = runBin(t, bin, "", nil, "restore", "--from", backup, "--data", data); code != 1 || !strings.Contains(errs, "not empty") {
		t.Fatalf("restore into the live data dir: exit %d %q", code, errs)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte("not a store"), 0o600)
	restored := filepath.Join(t.TempDir(), "restored")
	if code, _, errs = runBin(t, bin, "", nil, "restore", "--from", junk, "--data", restored); code != 1 || !strings.Contains(errs, "not a usable") {
		t.Fatalf("restore of junk: exit %d %q", code, errs)
	}
	os.RemoveAll(restored)
	mustRun(t, bin, nil, "restore", "--from", backup, "--data", restored)
	key, _ := os.ReadFile(filepath.Join(data, "server.key"))
	os.WriteFile(filepath.Join(restored, "server.key"), key, 0o600)
	addr2 := freeAddr(t)
	p2 := startServe(t, bin, restored, addr2, "DOORSTEP_ADMIN_TOKEN="+token)
	out = mustRun(t, bin, []string{"DOORSTEP_SERVER=" + p2.url, "DOORSTEP_ADMIN_TOKEN=" + token}, "admin", "officers")
	if !strings.Contains(out, officer) {
		t.Fatalf("restored store lacks the officer: %s", out)
	}
	p2.stop(t)
}

// TestServeHelpAndUsage checks -h and bad flags.
func TestServeHelpAndUsage(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"serve", "-h"}, func(string) string { return "" }, nil, &out, &errs); err != nil {
		t.Fatalf("serve -h: %v", err)
	}
	for _, want := range []string{"--data", "DOORSTEP_DATA", "--addr", "DOORSTEP_ADDR", "--public-url", "DOORSTEP_PUBLIC_URL", "--token-validity", "--log-format", "DOORSTEP_ADMIN_TOKEN", "DOORSTEP_SERVER_KEY"} {
		if !strings.Contains(errs.String()+out.String(), want) {
			t.Errorf("serve -h lacks %s", want)
		}
	}
	err := run(context.Background(), []string{"serve", "--log-format", "xml"}, func(string) string { return "" }, nil, io.Discard, io.Discard)
	if exitCode(err, io.Discard) != 2 {
		t.Fatalf("bad --log-format: %v", err)
	}
	// the flag wins over the environment
	env := func(k string) string {
		if k == "DOORSTEP_LOG_FORMAT" {
			return "yaml"
		}
		return ""
	}
	err = run(context.Background(), []string{"serve", "--log-format", "bogus"}, env, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Fatalf("flag did not win over the environment: %v", err)
	}
	err = run(context.Background(), []string{"serve", "--data", t.TempDir()}, env, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"yaml"`) {
		t.Fatalf("environment not read: %v", err)
	}
}

// TestFullLoop is the offline loop through the binary: pair, issue offline
// while the server is down, a victim answers before sync, two syncs link it.
func TestFullLoop(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	state := filepath.Join(t.TempDir(), "phone")
	addr := freeAddr(t)
	const token = "loop-admin-token-0123456789"
	p := startServe(t, bin, data, addr, "DOORSTEP_ADMIN_TOKEN="+token)
	env := []string{"DOORSTEP_SERVER=" + p.url, "DOORSTEP_ADMIN_TOKEN=" + token}
	out := mustRun(t, bin, env, "admin", "officer", "add", "--collar", "1234AB", "--name", "Alex Smith", "--borough", "Hackney")
	officer := jsonField(t, out, "id").(string)
	code := jsonField(t, mustRun(t, bin, env, "admin", "pairing-code", "--officer", officer), "code").(string)
	mustRun(t, bin, nil, "device", "--state", state, "pair", "--server", p.url, "--code", code)
	p.stop(t)

	dir := t.TempDir()
	out = mustRun(t, bin, nil, "device", "--state", state, "issue", "--crime-ref", "CR/1234/26", "--pdf", filepath.Join(dir, "l.pdf"), "--qr", filepath.Join(dir, "q.png"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	feedbackURL := lines[len(lines)-1]
	if !strings.HasPrefix(feedbackURL, "HTTP://127.0.0.1:") || !strings.Contains(feedbackURL, "/F/") {
		t.Fatalf("issue printed %q", out)
	}
	p = startServe(t, bin, data, addr, "DOORSTEP_ADMIN_TOKEN="+token)

	// the victim, as a browser without JavaScript
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Get(feedbackURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("Alex Smith")) {
		t.Fatalf("victim page %d: %s", resp.StatusCode, page)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatal("no CSRF field")
	}
	resp, err = client.PostForm(feedbackURL, url.Values{"csrf": {string(csrf[1])}, "rating": {"4"}, "comment": {"Kind and clear, thank you"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("Thank you")) || !strings.HasSuffix(resp.Request.URL.Path, "/thanks") {
		t.Fatalf("submit ended %d at %s: %s", resp.StatusCode, resp.Request.URL, page)
	}
	summary := func() string {
		return strings.Join(strings.Fields(mustRun(t, bin, env, "admin", "summary", "--officer", officer)), "")
	}
	if s := summary(); !strings.Contains(s, `"issued":0,"responses":1,"unlinked":1`) {
		t.Fatalf("before sync: %s", s)
	}
	mustRun(t, bin, nil, "device", "--state", state, "sync")
	mustRun(t, bin, nil, "device", "--state", state, "sync")
	if s := summary(); !strings.Contains(s, `"issued":1,"responses":1,"unlinked":0`) {
		t.Fatalf("after sync: %s", s)
	}
	out = mustRun(t, bin, nil, "device", "--state", state, "feedback")
	if !strings.Contains(out, "Kind and clear, thank you") {
		t.Fatalf("device feedback printed %q", out)
	}
	p.stop(t)
	logs := p.output()
	sc := bufio.NewScanner(strings.NewReader(logs))
	tok := feedbackURL[strings.LastIndex(feedbackURL, "/")+1:]
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, tok) || strings.Contains(line, "Kind and clear") || strings.Contains(line, "CR/1234/26") {
			t.Fatalf("the server logged a token, comment or crime ref: %s", line)
		}
	}
}
