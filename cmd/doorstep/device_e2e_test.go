package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsbolt "github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/doorstep-project/doorstep/server"
)

// deviceTestServer runs the real server on a bolt store and returns its URL,
// the store and a fresh pairing code for one officer.
func deviceTestServer(t *testing.T) (string, *dsbolt.DB, func() string, *httptest.Server) {
	t.Helper()
	key := bytes.Repeat([]byte{3}, 32)
	check, err := server.TokenChecker(key)
	if err != nil {
		t.Fatal(err)
	}
	store, err := dsbolt.Open(filepath.Join(t.TempDir(), "doorstep.db"), dsbolt.Options{CheckToken: check, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	srv, err := server.New(server.Options{Store: store, PublicURL: url, AdminTokenHash: server.HashAdminToken("t"), ServerKey: key, PairsPerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(func() { hs.Close(); store.Close() })
	ctx := context.Background()
	o := &doorstep.Officer{CollarNumber: "1234AB", Name: "Alex Smith", Borough: "Hackney", Team: "Response 1"}
	if err := store.CreateOfficer(ctx, o); err != nil {
		t.Fatal(err)
	}
	n := 0
	code := func() string {
		n++
		pc := &doorstep.PairingCode{Code: "CODE" + strconv.Itoa(n) + "ABCDE", OfficerID: o.ID, ExpiresAt: time.Now().Add(time.Hour)}
		if err := store.CreatePairingCode(ctx, pc); err != nil {
			t.Fatal(err)
		}
		return pc.Code
	}
	return url, store, code, hs
}

func TestDeviceCommandsAgainstTheServer(t *testing.T) {
	url, store, code, _ := deviceTestServer(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	env := map[string]string{"DOORSTEP_STATE": state}

	rc, out, errs := runDeviceCLI(t, env, "device", "pair", "--server", url, "--code", code(), "--name", "test phone")
	if rc != 0 || !strings.Contains(out, "1234AB Alex Smith") {
		t.Fatalf("pair: exit %d, %q, %q", rc, out, errs)
	}
	rc, _, errs = runDeviceCLI(t, env, "device", "pair", "--server", url, "--code", code())
	if rc != 1 || !strings.Contains(errs, "already paired") {
		t.Fatalf("second pair: exit %d, %q", rc, errs)
	}

	pdf, qr := filepath.Join(dir, "l.pdf"), filepath.Join(dir, "q.png")
	rc, out, errs = runDeviceCLI(t, env, "device", "issue", "--crime-ref", "CR/1234/26", "--lang", "en", "--format", "thermal", "--large-print", "--pdf", pdf, "--qr", qr)
	if rc != 0 || errs != "" {
		t.Fatalf("issue: exit %d, %q", rc, errs)
	}
	feedbackURL := strings.TrimSuffix(out, "\n")
	if strings.Contains(feedbackURL, "\n") || !strings.HasPrefix(feedbackURL, strings.ToUpper(url)+"/F/") {
		t.Fatalf("issue printed %q, want the feedback URL on one line", out)
	}
	for _, f := range []struct{ path, magic string }{{pdf, "%PDF-"}, {qr, "\x89PNG"}} {
		if b, err := os.ReadFile(f.path); err != nil || !bytes.HasPrefix(b, []byte(f.magic)) {
			t.Fatalf("%s: %.8q, %v", f.path, b, err)
		}
	}
	rc, _, errs = runDeviceCLI(t, env, "device", "issue", "--crime-ref", "<bad>", "--pdf", pdf, "--qr", qr)
	if rc != 1 || !strings.Contains(errs, "crime reference") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("issue with a bad crime ref: exit %d, %q", rc, errs)
	}

	// The victim answers; the officer syncs and reads it.
	tok, err := qrcode.Parse(feedbackURL[strings.LastIndex(feedbackURL, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	comment := "Très gentil.  Two spaces, kept."
	if err := store.SubmitFeedback(context.Background(), &doorstep.Feedback{Token: tok.Ref, Rating: 4, Comment: comment}); err != nil {
		t.Fatal(err)
	}
	rc, out, errs = runDeviceCLI(t, env, "device", "sync")
	if rc != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "pushed 1") || !strings.Contains(out, "1 new feedback") {
		t.Fatalf("sync: exit %d, %q, %q", rc, out, errs)
	}
	rc, out, _ = runDeviceCLI(t, env, "device", "feedback")
	if rc != 0 || !strings.HasPrefix(out, "4/5 ") || !strings.HasSuffix(out, "  CR/1234/26  "+comment+"\n") {
		t.Fatalf("feedback: exit %d, %q", rc, out)
	}
	rc, out, _ = runDeviceCLI(t, env, "device", "status")
	if rc != 0 || !strings.Contains(out, "issued:    1 (1 synced") || !strings.Contains(out, "pending:   0") {
		t.Fatalf("status: exit %d, %q", rc, out)
	}
	rc, out, _ = runDeviceCLI(t, env, "device", "issued")
	if rc != 0 || !strings.Contains(out, "CR/1234/26") || !strings.HasSuffix(out, "synced\n") {
		t.Fatalf("issued: exit %d, %q", rc, out)
	}
	id := strings.Fields(out)[0]
	if rc, out, _ = runDeviceCLI(t, env, "device", "void", "--id", id, "--reason", "spoiled"); rc != 0 || !strings.Contains(out, "voided") {
		t.Fatalf("void: exit %d, %q", rc, out)
	}

	// Revoked: sync fails at once, exit 1, one line.
	if _, err := store.RevokeDevice(context.Background(), 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	rc, out, errs = runDeviceCLI(t, env, "device", "sync")
	if rc != 1 || out != "" || errs != "doorstep: sync failed: this device has been revoked: ask your admin to pair it again\n" {
		t.Fatalf("sync when revoked: exit %d, %q, %q", rc, out, errs)
	}
}

func TestDeviceSyncFailsClearlyWhenTheServerIsDown(t *testing.T) {
	url, _, code, hs := deviceTestServer(t)
	state := t.TempDir()
	if rc, _, errs := runDeviceCLI(t, nil, "device", "--state", state, "pair", "--server", url, "--code", code()); rc != 0 {
		t.Fatalf("pair: %q", errs)
	}
	hs.Close()
	env := map[string]string{"DOORSTEP_STATE": state, "DOORSTEP_TIMEOUT": "2s"}
	start := time.Now()
	rc, out, errs := runDeviceCLI(t, env, "device", "sync")
	if rc != 1 || out != "" || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "doorstep: sync failed: pull with 127.0.0.1:") || !strings.Contains(errs, "connection refused") {
		t.Fatalf("sync with the server down: exit %d, %q, %q", rc, out, errs)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("sync --timeout 2s took %v", took)
	}
}
