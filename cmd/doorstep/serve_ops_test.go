package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	stdsync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/qrcode"
	dsync "github.com/doorstep-project/doorstep/sync"
)

const opsToken = "ops-admin-token-0123456789"

// waitFor polls until the server's output holds s.
func (p *proc) waitFor(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if strings.Contains(p.output(), s) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("serve never said %q:\n%s", s, p.output())
}

// waitExit waits for the process and wants exit 0 within d.
func (p *proc) waitExit(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("serve did not exit within %v:\n%s", d, p.output())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("serve exit %d, want 0:\n%s", code, p.output())
	}
}

// halfRequest opens a connection and sends an admin POST whose body is cut
// in the middle: the request is in flight until rest is written.
func halfRequest(t *testing.T, addr, body string) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	head := "POST /api/v1/admin/officers HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + opsToken +
		"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n"
	half := len(body) / 2
	if _, err := io.WriteString(c, head+body[:half]); err != nil {
		t.Fatal(err)
	}
	return c, body[half:]
}

// TestServeFinishesInFlightRequestsOnSIGTERM: a request in flight when
// SIGTERM arrives completes (201, stored), new connections are refused, the
// store closes cleanly and serve exits 0.
func TestServeFinishesInFlightRequestsOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	p := startServe(t, bin, data, addr, "DOORSTEP_ADMIN_TOKEN="+opsToken)
	conn, rest := halfRequest(t, addr, `{"collar_number":"7001DR","name":"Drain Test","borough":"Camden","team":"Nights"}`)
	time.Sleep(300 * time.Millisecond) // the server has read the headers: the request is active
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitFor(t, "shutting down")
	time.Sleep(100 * time.Millisecond) // the log line comes just before the listener closes
	if resp, err := http.Get(p.url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("a new request was served while draining: %d", resp.StatusCode)
	}
	select {
	case <-p.done:
		t.Fatalf("serve exited with a request in flight:\n%s", p.output())
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := io.WriteString(conn, rest); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v\n%s", err, p.output())
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(b), "7001DR") {
		t.Fatalf("in-flight request answered %d %s", resp.StatusCode, b)
	}
	p.waitExit(t, 15*time.Second)
	if !strings.Contains(p.output(), "stopped") {
		t.Fatalf("no clean stop logged:\n%s", p.output())
	}
	// the officer was stored and the store reopens without recovery
	p = startServe(t, bin, data, addr, "DOORSTEP_ADMIN_TOKEN="+opsToken)
	out := mustRun(t, bin, []string{"DOORSTEP_SERVER=" + p.url, "DOORSTEP_ADMIN_TOKEN=" + opsToken}, "admin", "officers")
	if !strings.Contains(out, "7001DR") {
		t.Fatalf("the drained request's officer is missing: %s", out)
	}
	p.stop(t)
}

// TestServeShutdownIsBounded: a request that never finishes is cut at
// --shutdown-timeout and serve still exits 0.
func TestServeShutdownIsBounded(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	p := startServe(t, bin, filepath.Join(t.TempDir(), "data"), addr, "DOORSTEP_ADMIN_TOKEN="+opsToken, "DOORSTEP_SHUTDOWN_TIMEOUT=1s")
	halfRequest(t, addr, `{"collar_number":"7002DR","name":"Never Finishes"}`)
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitExit(t, 6*time.Second)
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Fatalf("serve exited after %v: it did not wait for the request in flight", took)
	}
	if !strings.Contains(p.output(), "cut") {
		t.Fatalf("cutting the request was not logged:\n%s", p.output())
	}
}

// device is a device paired over HTTP, with its officer.
type device struct {
	resp dsync.PairResponse
}

func postJSON(t *testing.T, url, auth string, in, out any) int {
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", url, err)
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(body, out); err != nil {
			t.Errorf("POST %s: %s", url, body)
		}
	}
	return resp.StatusCode
}

func pairDevice(t *testing.T, base string, n int) *device {
	t.Helper()
	var o doorstep.Officer
	if st := postJSON(t, base+"/api/v1/admin/officers", opsToken, map[string]string{
		"collar_number": fmt.Sprintf("%04dLD", n), "name": fmt.Sprintf("Load Officer %d", n), "borough": "Hackney", "team": "Load"}, &o); st != 201 {
		t.Fatalf("officer add: %d", st)
	}
	var pc struct{ Code string }
	if st := postJSON(t, base+"/api/v1/admin/pairing-codes", opsToken, map[string]string{"officer_id": o.ID}, &pc); st != 201 {
		t.Fatalf("pairing code: %d", st)
	}
	d := &device{}
	if st := postJSON(t, base+"/api/v1/device/pair", "", dsync.PairRequest{Code: pc.Code, DeviceName: "load phone"}, &d.resp); st != 201 {
		t.Fatalf("pair: %d", st)
	}
	return d
}

func (d *device) token(t *testing.T, counter uint32) (string, qrcode.Token) {
	text, tok, err := qrcode.Sign(d.resp.TokenKey, doorstep.TokenRef{DeviceID: d.resp.DeviceID, Counter: counter}, time.Now(), 90*24*time.Hour)
	if err != nil {
		t.Error(err)
	}
	return text, tok
}

// push sends one issue mutation.
func (d *device) push(t *testing.T, base string, id uint64) int {
	text, tok := d.token(t, uint32(id))
	m := doorstep.Mutation{ID: id, Kind: doorstep.MutationIssue, Issuance: &doorstep.Issuance{
		ID: doorstep.NewID(tok.IssuedAt), Token: tok.Ref, TokenText: text, OfficerID: d.resp.Officer.ID,
		IssuedAt: tok.IssuedAt, ExpiresAt: tok.ExpiresAt, CrimeRef: "CR/LOAD", Language: "en", Format: doorstep.FormatA4,
		ContentVersion: "1", HLC: dsync.HLC{Wall: tok.IssuedAt.UnixMilli()}.String(),
	}}
	return postJSON(t, base+"/api/v1/device/push", d.resp.Credential, dsync.PushRequest{Mutations: []doorstep.Mutation{m}}, nil)
}

// victimClient opens one feedback page for its CSRF cookie and field; the
// field is the cookie's MAC, so it serves every later submit of this client.
type victimClient struct {
	c    *http.Client
	csrf string
}

func newVictim(t *testing.T, feedbackURL string) *victimClient {
	jar, _ := cookiejar.New(nil)
	v := &victimClient{c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := v.c.Get(feedbackURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on %s (%d)", feedbackURL, resp.StatusCode)
	}
	v.csrf = string(m[1])
	return v
}

func (v *victimClient) submit(feedbackURL string, rating int) (int, error) {
	resp, err := v.c.PostForm(feedbackURL, url.Values{"csrf": {v.csrf}, "rating": {fmt.Sprint(rating)}, "comment": {"load comment"}})
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// localURL is a feedback URL on the test's server (the public URL is its address).
func localURL(base, text string) string { return base + "/F/" + text }

// TestBackupUnderWriteLoad takes hot backups with the backup command while
// devices push and victims submit, and checks each copy: a consistent
// snapshot holding at least everything acknowledged before it began and no
// more than was sent by its end, whose aggregates agree with its records.
// A last backup after the load restores (with the server key kept apart) to
// a data dir that serves the same summaries; without its key, or with the
// wrong one, it is refused clearly.
func TestBackupUnderWriteLoad(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	p := startServe(t, bin, data, addr, "DOORSTEP_ADMIN_TOKEN="+opsToken, "DOORSTEP_SUBMITS_PER_MINUTE=0")
	env := []string{"DOORSTEP_SERVER=" + p.url, "DOORSTEP_ADMIN_TOKEN=" + opsToken}

	const devices = 3
	devs := make([]*device, devices)
	for i := range devs {
		devs[i] = pairDevice(t, p.url, i+1)
	}
	var acked, sent [devices]atomic.Int64 // feedback acknowledged / sent, per officer
	var pushes atomic.Int64
	stop := make(chan struct{})
	var wg stdsync.WaitGroup
	for i, d := range devs {
		wg.Add(1)
		go func() { // the device pushes its codes one by one
			defer wg.Done()
			for id := uint64(1); ; id++ {
				select {
				case <-stop:
					return
				default:
				}
				if st := d.push(t, p.url, id); st != 200 {
					t.Errorf("push %d: %d", id, st)
					return
				}
				pushes.Add(1)
			}
		}()
		for k := uint32(0); k < 2; k++ {
			wg.Add(1)
			go func() { // victims answer codes, some before their issue syncs
				defer wg.Done()
				text, _ := d.token(t, 1_000_000+k)
				v := newVictim(t, localURL(p.url, text))
				for c := uint32(1 + k); ; c += 2 {
					select {
					case <-stop:
						return
					default:
					}
					text, _ := d.token(t, c)
					sent[i].Add(1)
					st, err := v.submit(localURL(p.url, text), 1+int(c%5))
					if err != nil || st != http.StatusSeeOther && st != http.StatusOK {
						t.Errorf("submit: %d %v", st, err)
						return
					}
					acked[i].Add(1)
				}
			}()
		}
	}
	stopLoad := func() { close(stop); wg.Wait() }
	defer func() {
		select {
		case <-stop:
		default:
			stopLoad()
		}
	}()

	sum := func(a *[devices]atomic.Int64) (s [devices]int64) {
		for i := range a {
			s[i] = a[i].Load()
		}
		return
	}
	time.Sleep(500 * time.Millisecond)
	dir := t.TempDir()
	for round := 0; round < 3; round++ {
		before := sum(&acked)
		backup := filepath.Join(dir, fmt.Sprintf("hot-%d.db", round))
		mustRun(t, bin, env, "backup", "--out", backup)
		after := sum(&sent)
		snap := openCopy(t, backup)
		for i, d := range devs {
			s, err := snap.Summary(context.Background(), d.resp.Officer.ID)
			if err != nil {
				t.Fatal(err)
			}
			if int64(s.Responses) < before[i] || int64(s.Responses) > after[i] {
				t.Errorf("backup %d, officer %d: %d responses, want %d..%d", round, i, s.Responses, before[i], after[i])
			}
			checkAggregates(t, snap, d.resp.Officer.ID, s)
		}
		snap.Close()
		time.Sleep(200 * time.Millisecond)
	}
	if t.Failed() {
		return
	}
	stopLoad()
	total := sum(&acked)
	if total[0] < 20 || pushes.Load() < 20 {
		t.Fatalf("too little load to mean anything: %v submits, %d pushes", total, pushes.Load())
	}
	t.Logf("load: %v feedback submits, %d pushes", total, pushes.Load())

	final := filepath.Join(dir, "final.db")
	mustRun(t, bin, env, "backup", "--out", final)
	live := summaries(t, bin, env, devs)

	// restore without the key: serve refuses to make one up
	noKey := filepath.Join(t.TempDir(), "nokey")
	out := mustRun(t, bin, nil, "restore", "--from", final, "--data", noKey)
	if !strings.Contains(out, "DOORSTEP_SERVER_KEY") {
		t.Fatalf("restore without a key says: %s", out)
	}
	code, _, errs := runBin(t, bin, "", []string{"DOORSTEP_ADMIN_TOKEN=" + opsToken}, "serve", "--data", noKey, "--addr", freeAddr(t))
	if code != 1 || !strings.Contains(errs, "server key") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("serve on a restored dir without its key: exit %d %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(noKey, "server.key")); err == nil {
		t.Fatal("serve made up a server key for a restored store")
	}
	// the key named where it is kept serves the restored dir
	kept := filepath.Join(t.TempDir(), "kept.key")
	os.WriteFile(kept, mustRead(t, filepath.Join(data, "server.key")), 0o400)
	pk := startServe(t, bin, noKey, freeAddr(t), "DOORSTEP_ADMIN_TOKEN="+opsToken, "DOORSTEP_SERVER_KEY_FILE="+kept)
	if got := summaries(t, bin, []string{"DOORSTEP_SERVER=" + pk.url, "DOORSTEP_ADMIN_TOKEN=" + opsToken}, devs); got != live {
		t.Fatalf("summaries with --server-key-file differ\nlive: %s\ngot:  %s", live, got)
	}
	pk.stop(t)
	if _, err := os.Stat(filepath.Join(noKey, "server.key")); err == nil {
		t.Fatal("serve copied the key kept apart into the data dir")
	}
	// a key lost for good: serve starts only when told, with a new key
	if code, _, errs = runBin(t, bin, "", nil, "serve", "--data", noKey, "--addr", freeAddr(t), "--replace-lost-server-key", "--server-key-file", kept); code != 2 {
		t.Fatalf("--replace-lost-server-key with a key given: exit %d %q", code, errs)
	}
	lost := filepath.Join(t.TempDir(), "lost")
	mustRun(t, bin, nil, "restore", "--from", final, "--data", lost)
	pl := startServe(t, bin, lost, freeAddr(t), "DOORSTEP_ADMIN_TOKEN="+opsToken, "DOORSTEP_REPLACE_LOST_SERVER_KEY=true")
	if got := summaries(t, bin, []string{"DOORSTEP_SERVER=" + pl.url, "DOORSTEP_ADMIN_TOKEN=" + opsToken}, devs); got != live {
		t.Fatalf("summaries with a replaced key differ\nlive: %s\ngot:  %s", live, got)
	}
	pl.stop(t)
	if newKey := mustRead(t, filepath.Join(lost, "server.key")); len(newKey) != 32 || bytes.Equal(newKey, mustRead(t, kept)) {
		t.Fatal("--replace-lost-server-key did not write a new key")
	}
	// the wrong key is refused by restore, and leaves nothing behind
	wrongKey := filepath.Join(t.TempDir(), "wrong.key")
	os.WriteFile(wrongKey, bytes.Repeat([]byte{3}, 32), 0o600)
	wrong := filepath.Join(t.TempDir(), "wrong")
	code, _, errs = runBin(t, bin, "", nil, "restore", "--from", final, "--data", wrong, "--server-key-file", wrongKey)
	if code != 1 || !strings.Contains(errs, "not this store's server key") {
		t.Fatalf("restore with a wrong key: exit %d %q", code, errs)
	}
	if entries, _ := os.ReadDir(wrong); len(entries) != 0 {
		t.Fatalf("a refused restore left %v", entries)
	}
	code, _, errs = runBin(t, bin, "", []string{"DOORSTEP_SERVER_KEY=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))},
		"restore", "--from", final, "--data", filepath.Join(t.TempDir(), "wrong-env"))
	if code != 1 || !strings.Contains(errs, "not this store's server key") {
		t.Fatalf("restore with a wrong DOORSTEP_SERVER_KEY: exit %d %q", code, errs)
	}

	// the key kept apart, here as base64 the way a secrets manager holds it
	key, _ := os.ReadFile(filepath.Join(data, "server.key"))
	keyFile := filepath.Join(t.TempDir(), "kept-apart.key")
	os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600)
	restored := filepath.Join(t.TempDir(), "restored")
	mustRun(t, bin, nil, "restore", "--from", final, "--data", restored, "--server-key-file", keyFile)
	p.stop(t)
	p2 := startServe(t, bin, restored, freeAddr(t), "DOORSTEP_ADMIN_TOKEN="+opsToken)
	env2 := []string{"DOORSTEP_SERVER=" + p2.url, "DOORSTEP_ADMIN_TOKEN=" + opsToken}
	if got := summaries(t, bin, env2, devs); got != live {
		t.Fatalf("restored summaries differ\nlive:     %s\nrestored: %s", live, got)
	}
	// a device of the restored server still syncs: its sealed key opens
	if st := devs[0].push(t, p2.url, uint64(pushesOf(t, bin, env2, devs[0]))+1); st != 200 {
		t.Fatalf("push to the restored server: %d", st)
	}
	p2.stop(t)
}

// pushesOf is how many issues the device's officer has on the server (every
// push of the test is one issue, none voided).
func pushesOf(t *testing.T, bin string, env []string, d *device) int {
	t.Helper()
	var s doorstep.Summary
	json.Unmarshal([]byte(mustRun(t, bin, env, "admin", "summary", "--officer", d.resp.Officer.ID)), &s)
	return s.Issued
}

// summaries is every officer's summary, as the admin command prints them.
func summaries(t *testing.T, bin string, env []string, devs []*device) string {
	t.Helper()
	var b strings.Builder
	for _, d := range devs {
		b.WriteString(strings.Join(strings.Fields(mustRun(t, bin, env, "admin", "summary", "--officer", d.resp.Officer.ID)), ""))
		b.WriteByte('\n')
	}
	return b.String()
}

// openCopy restores a backup file into a store of its own and opens it.
func openCopy(t *testing.T, backup string) *bolt.DB {
	t.Helper()
	f, err := os.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	path := filepath.Join(t.TempDir(), bolt.DefaultFileName)
	if err := bolt.Restore(f, path); err != nil {
		t.Fatalf("the backup does not restore: %v", err)
	}
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// checkAggregates compares a summary kept on write with the records of the
// same snapshot.
func checkAggregates(t *testing.T, db *bolt.DB, officer string, s *doorstep.Summary) {
	t.Helper()
	fbs, err := db.OfficerFeedback(context.Background(), officer, doorstep.FeedbackFilter{})
	if err != nil {
		t.Fatal(err)
	}
	unlinked, ratings := 0, map[string]int{}
	for _, f := range fbs {
		if !f.Linked() {
			unlinked++
		}
		ratings[fmt.Sprint(f.Rating)]++
	}
	if len(fbs) != s.Responses || unlinked != s.Unlinked {
		t.Errorf("officer %s: summary %d responses (%d unlinked), records %d (%d unlinked)", officer, s.Responses, s.Unlinked, len(fbs), unlinked)
	}
	for k, n := range s.Ratings {
		if ratings[k] != n {
			t.Errorf("officer %s: %d ratings of %s in the summary, %d in the records", officer, n, k, ratings[k])
		}
	}
}

// TestServeTLS serves HTTPS from certificate files, with https feedback URLs.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	addr := freeAddr(t)
	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", filepath.Join(dir, "data"), "--addr", addr, "--log-format", "json"}, envMap(map[string]string{
			"DOORSTEP_TLS_CERT": certFile, "DOORSTEP_TLS_KEY": keyFile, "DOORSTEP_ADMIN_TOKEN": opsToken,
		}), nil, io.Discard, &logs)
	}()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var resp *http.Response
	var err error
	for i := 0; i < 200; i++ {
		if resp, err = client.Get("https://" + addr + "/readyz"); err == nil {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("no HTTPS answer: %v\n%s", err, logs.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("readyz over TLS: %d %+v", resp.StatusCode, resp.TLS)
	}
	var o doorstep.Officer
	req, _ := http.NewRequest("POST", "https://"+addr+"/api/v1/admin/officers", strings.NewReader(`{"collar_number":"1TLS","name":"Tee Ls","borough":"Hackney","team":"A"}`))
	req.Header.Set("Authorization", "Bearer "+opsToken)
	req.Header.Set("Content-Type", "application/json")
	if resp, err = client.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("officer add over TLS: %v %v", resp, err)
	}
	json.NewDecoder(resp.Body).Decode(&o)
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, `"public_url":"https://127.0.0.1:`) {
		t.Fatalf("public URL is not https by default:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("--log-format json wrote a line that is not JSON: %q", line)
		}
		if m["msg"] == "request" && m["request_id"] == "" {
			t.Fatalf("request line without an ID: %s", line)
		}
	}
	if !strings.Contains(out, `"tls":true`) || !strings.Contains(out, `"msg":"stopped"`) || !strings.Contains(out, `"msg":"retention pass"`) {
		t.Fatalf("JSON logs lack the serving, retention or stopped line:\n%s", out)
	}
}

// TestServeTLSFlagsAndHelp: -h documents every flag with its environment
// variable; TLS flags go in pairs and bad files fail with one clear line.
func TestServeTLSFlagsAndHelp(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"serve", "-h"}, envMap(nil), nil, &out, &errs); err != nil {
		t.Fatal(err)
	}
	help := out.String() + errs.String()
	for _, f := range []string{"tls-cert", "tls-key", "trusted-proxies", "submits-per-minute", "retention-contact", "retention-text", "retention-every", "shutdown-timeout", "log-format"} {
		if !strings.Contains(help, "--"+f) || !strings.Contains(help, envName(f)) {
			t.Errorf("serve -h lacks --%s or %s", f, envName(f))
		}
	}
	for name, args := range map[string][]string{
		"cert without key":   {"--tls-cert", "x.pem"},
		"negative submits":   {"--submits-per-minute", "-1"},
		"retention too fast": {"--retention-every", "1s"},
		"retention in years": {"--retention-text", "5y"},
	} {
		err := run(context.Background(), append([]string{"serve", "--data", t.TempDir()}, args...), envMap(nil), nil, io.Discard, io.Discard)
		if exitCode(err, io.Discard) != 2 {
			t.Errorf("%s: %v, want bad usage", name, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.pem"), []byte("not a certificate"), 0o600)
	err := run(context.Background(), []string{"serve", "--data", t.TempDir(), "--tls-cert", filepath.Join(dir, "c.pem"), "--tls-key", filepath.Join(dir, "c.pem")}, envMap(nil), nil, io.Discard, io.Discard)
	if exitCode(err, io.Discard) != 1 || !strings.Contains(err.Error(), "TLS certificate") {
		t.Fatalf("a bad certificate: %v", err)
	}
	err = run(context.Background(), []string{"serve", "--data", t.TempDir(), "--addr", freeAddr(t)}, envMap(map[string]string{"DOORSTEP_TRUSTED_PROXIES": "10.0.0.0/8, nonsense"}), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "trusted proxies") {
		t.Fatalf("a bad trusted proxy: %v", err)
	}
}

// TestCertReloads: a renewed certificate is served without a restart.
func TestCertReloads(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	r, err := newCertReloader(certFile, keyFile, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r.now = func() time.Time { return now }
	first, _ := r.get(nil)
	// renew: a new pair in the same files, newer modification times
	selfSigned(t, dir)
	later := time.Now().Add(time.Hour)
	os.Chtimes(certFile, later, later)
	os.Chtimes(keyFile, later, later)
	if c, _ := r.get(nil); c != first {
		t.Fatal("reloaded before the recheck interval")
	}
	now = now.Add(certRecheck)
	second, _ := r.get(nil)
	if second == first || bytes.Equal(second.Certificate[0], first.Certificate[0]) {
		t.Fatal("the renewed certificate was not picked up")
	}
	// a broken renewal keeps the last good pair
	os.WriteFile(certFile, []byte("garbage"), 0o600)
	os.Chtimes(certFile, later.Add(time.Hour), later.Add(time.Hour))
	now = now.Add(certRecheck)
	if c, err := r.get(nil); err != nil || c != second {
		t.Fatalf("a broken renewal: %v", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "doorstep test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

type lockedBuffer struct {
	mu stdsync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeEnforcesRetentionFlags: records older than --retention-contact
// and --retention-text are purged by the job serve runs at start; newer ones
// stay. The old records are written into the store directly, dated two days
// back.
func TestServeEnforcesRetentionFlags(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	p := startServe(t, bin, data, addr, "DOORSTEP_ADMIN_TOKEN="+opsToken)
	d := pairDevice(t, p.url, 1)
	p.stop(t)

	db, err := bolt.Open(filepath.Join(data, bolt.DefaultFileName), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	old, recent := time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour)
	ref := func(c uint32) doorstep.TokenRef { return doorstep.TokenRef{DeviceID: d.resp.DeviceID, Counter: c} }
	for c, at := range map[uint32]time.Time{1: old, 2: recent} {
		if err := db.SubmitFeedback(ctx, &doorstep.Feedback{Token: ref(c), Rating: 5, Comment: fmt.Sprintf("comment %d", c), IssuedAt: at, ReceivedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateContactRequest(ctx, &doorstep.ContactRequest{Token: ref(c), Phone: "07700 900123", IssuedAt: at, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	p = startServe(t, bin, data, addr, "DOORSTEP_ADMIN_TOKEN="+opsToken, "DOORSTEP_RETENTION_CONTACT=1d", "DOORSTEP_RETENTION_TEXT=1d", "DOORSTEP_LOG_FORMAT=json")
	p.waitFor(t, `"msg":"retention pass"`)
	if !strings.Contains(p.output(), `"contact_requests_deleted":1,"feedback_texts_blanked":1`) {
		t.Fatalf("retention pass:\n%s", p.output())
	}
	p.stop(t)
	db, err = bolt.Open(filepath.Join(data, bolt.DefaultFileName), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for c, want := range map[uint32]string{1: "", 2: "comment 2"} {
		fb, err := db.FeedbackFor(ctx, ref(c))
		if err != nil || fb.Comment != want || fb.Rating != 5 {
			t.Errorf("feedback %d: %+v %v, want comment %q", c, fb, err, want)
		}
		_, err = db.ContactRequestFor(ctx, ref(c))
		if gone := doorstep.ErrorCode(err) == doorstep.ENOTFOUND; gone != (c == 1) {
			t.Errorf("contact request %d: %v", c, err)
		}
	}
}

// TestOperationsDocListsEveryFlag keeps docs/operations.md in step with the
// flags of serve, backup and restore.
func TestOperationsDocListsEveryFlag(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	flagLine := regexp.MustCompile(`(?m)^  --([a-z-]+) .*\((DOORSTEP_[A-Z_]+)\)$`)
	for _, cmd := range []string{"serve", "backup", "restore"} {
		var out, errs bytes.Buffer
		if err := run(context.Background(), []string{cmd, "-h"}, envMap(nil), nil, &out, &errs); err != nil {
			t.Fatal(err)
		}
		found := flagLine.FindAllStringSubmatch(out.String()+errs.String(), -1)
		if len(found) < 3 {
			t.Fatalf("%s -h lists %d flags", cmd, len(found))
		}
		for _, m := range found {
			if !bytes.Contains(doc, []byte("`--"+m[1])) || !bytes.Contains(doc, []byte(m[2])) {
				t.Errorf("docs/operations.md lacks %s --%s (%s)", cmd, m[1], m[2])
			}
		}
	}
}
