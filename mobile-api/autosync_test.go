package mobileapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// events is a SyncListener that hands what it hears to the test.
type events struct {
	done   chan *SyncReport
	failed chan [2]any // code, retryInMillis
}

func newEvents() *events {
	return &events{done: make(chan *SyncReport, 16), failed: make(chan [2]any, 16)}
}

func (e *events) SyncDone(r *SyncReport) { e.done <- r }
func (e *events) SyncFailed(code, _ string, retry int64) {
	e.failed <- [2]any{code, retry}
}

func (e *events) waitDone(t *testing.T, what string) *SyncReport {
	t.Helper()
	select {
	case r := <-e.done:
		return r
	case <-time.After(15 * time.Second):
		t.Fatalf("no completed background sync %s", what)
		return nil
	}
}

func (e *events) waitFailed(t *testing.T, what string) (string, int64) {
	t.Helper()
	select {
	case f := <-e.failed:
		return f[0].(string), f[1].(int64)
	case <-time.After(15 * time.Second):
		t.Fatalf("no failed background sync %s", what)
		return "", 0
	}
}

// The background loop pushes a new code without being asked, keeps retrying by
// itself through an outage (nothing new is written meanwhile), and stops for
// good once the device is revoked.
func TestAutoSync(t *testing.T) {
	e := newEnv(t, nil)
	target, _ := url.Parse(e.url)
	var down atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	link := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(link.Close)

	d, officer := e.device(t.TempDir(), link.URL)
	ev := newEvents()
	// A long interval: every sync below is caused by a nudge or a retry, never
	// by the timer.
	d.StartAutoSync(time.Hour.Milliseconds(), ev)
	ev.waitDone(t, "at start")

	if _, err := d.Issue(&IssueOptions{CrimeRef: "CR/1/26"}); err != nil {
		t.Fatal(err)
	}
	if r := ev.waitDone(t, "after an issue"); r.Pushed != 1 {
		t.Fatalf("sync after issue pushed %d, want 1", r.Pushed)
	}
	e.checkServerHolds(d, officer, 1)

	down.Store(true)
	if _, err := d.Issue(&IssueOptions{CrimeRef: "CR/2/26"}); err != nil {
		t.Fatal(err)
	}
	code, retry := ev.waitFailed(t, "during the outage")
	if retry <= 0 || retry > time.Hour.Milliseconds() {
		t.Fatalf("failure during outage (%s) retries in %d ms, want a bounded positive wait", code, retry)
	}
	down.Store(false)
	// No Issue, no Sync call: the loop's own retry must deliver the code.
	for {
		r := ev.waitDone(t, "after the outage")
		if r.Pending == 0 {
			break
		}
	}
	e.checkServerHolds(d, officer, 2)

	s, _ := d.Status()
	e.admin("POST", fmt.Sprintf("/api/v1/admin/devices/%d/revoke", s.DeviceID), nil, nil)
	d.StartAutoSync(time.Hour.Milliseconds(), ev) // restarts: syncs at once
	for {
		code, retry = ev.waitFailed(t, "after revocation")
		if retry == -1 {
			break
		}
	}
	if code != doorstep.EREVOKED {
		t.Fatalf("revoked device's loop stopped with %q, want %q", code, doorstep.EREVOKED)
	}
	d.StopAutoSync() // the loop has ended by itself: stopping again is harmless
}

func TestRetryWaitBounds(t *testing.T) {
	initial, max := 100*time.Millisecond, 2*time.Second
	for n := 1; n < 12; n++ {
		w := retryWait(n, initial, max)
		hi := initial << (n - 1)
		if hi > max {
			hi = max
		}
		if w > hi || w < hi*3/4 {
			t.Fatalf("retryWait(%d) = %v, want within [%v, %v]", n, w, hi*3/4, hi)
		}
	}
}
