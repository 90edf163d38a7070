package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	mobileapi "github.com/doorstep-project/doorstep/mobile-api"
)

// adminPost calls the admin API of a running serve and decodes the answer.
func adminPost(t *testing.T, base, token, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

func adminGet(t *testing.T, base, token, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// The server process is killed with SIGKILL in the middle of pushes, again and
// again; after each restart the device retries. In the end the server holds
// every issue exactly once and the device's outbox is empty: nothing lost,
// nothing doubled.
func TestServerKilledMidPush(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	const token = "kill-test-admin-token-0123456789abcdef"
	env := []string{"DOORSTEP_ADMIN_TOKEN=" + token}
	p := startServe(t, bin, data, addr, env...)

	var officer struct{ ID string }
	adminPost(t, p.url, token, "/api/v1/admin/officers", map[string]string{"collar_number": "1234AB", "name": "Alex Smith", "borough": "Hackney"}, &officer)
	var pc struct{ Code string }
	adminPost(t, p.url, token, "/api/v1/admin/pairing-codes", map[string]string{"officer_id": officer.ID}, &pc)

	d, err := mobileapi.OpenWithOptions(t.TempDir(), &mobileapi.Options{
		RequestTimeoutMillis: 3_000, MaxAttempts: 2, InitialBackoffMillis: 20, MaxBackoffMillis: 100, SyncTimeoutMillis: 8_000,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Pair(p.url, pc.Code, "kill test phone"); err != nil {
		t.Fatal(err)
	}

	const rounds, perRound = 8, 40
	issued := 0
	kills := 0
	for r := 0; r < rounds; r++ {
		for i := 0; i < perRound; i++ {
			if _, err := d.Issue(&mobileapi.IssueOptions{CrimeRef: fmt.Sprintf("CR/%d/26", issued), Format: "thermal"}); err != nil {
				t.Fatal(err)
			}
			issued++
		}
		synced := make(chan error, 1)
		go func() { _, err := d.Sync(); synced <- err }()
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill() // SIGKILL
			<-p.done
			kills++
		}
		<-synced // fails or succeeds; either way the next round goes on from what was stored
		p = startServe(t, bin, data, addr, env...)
	}
	rep, err := d.Sync()
	if err != nil {
		t.Fatalf("final sync: %v", err)
	}
	if rep.Pending != 0 {
		t.Fatalf("outbox still holds %d mutations", rep.Pending)
	}
	var sum struct{ Issued int }
	adminGet(t, p.url, token, "/api/v1/admin/officers/"+officer.ID+"/summary", &sum)
	if sum.Issued != issued {
		t.Fatalf("server holds %d issues after %d kills, want exactly %d", sum.Issued, kills, issued)
	}
	st, err := d.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Synced != issued || st.Rejected != 0 {
		t.Fatalf("device status %+v, want %d synced and none rejected", st, issued)
	}
	t.Logf("%d SIGKILLs of the server mid-push; %d issues held exactly once", kills, issued)
}
