package mobileapi

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// These tests put the sync client against handlers that only fail, in the ways
// a field network fails: 5xx, 4xx, silence, refused connections. The protocol
// itself is tested against the real server (e2e_test.go).

// counting serves h and counts requests.
func counting(h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	return srv, &n
}

func TestSyncRetries5xxThenGivesUp(t *testing.T) {
	srv, n := counting(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"code":"unavailable","message":"store closed"}}`, http.StatusServiceUnavailable)
	})
	defer srv.Close()
	d := openTest(t, "", nil)
	storePairing(t, d, srv.URL)
	storeIssuance(t, d)
	_, err := d.Sync()
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE {
		t.Fatalf("Sync against 503 = %v, want unavailable", err)
	}
	if got := n.Load(); got != 3 {
		t.Fatalf("%d requests, want MaxAttempts=3", got)
	}
	if !strings.Contains(err.Error(), "after 3 attempts") || !strings.Contains(err.Error(), "503") {
		t.Errorf("error does not say what happened: %v", err)
	}
	if ids := outboxIDs(t, d); len(ids) != 1 {
		t.Fatalf("outbox after failed push = %v, want the mutation kept", ids)
	}
	s, _ := d.Status()
	if s.Revoked {
		t.Fatal("a 5xx marked the device revoked")
	}
}

func TestSyncNeverRetries4xx(t *testing.T) {
	for _, tc := range []struct {
		status  int
		code    string
		revoked bool
	}{
		{http.StatusBadRequest, doorstep.EINVALID, false},
		{http.StatusNotFound, doorstep.ENOTFOUND, false},
		{http.StatusConflict, doorstep.ECONFLICT, false},
		{http.StatusTooManyRequests, doorstep.ERATELIMIT, false},
		{http.StatusUnauthorized, doorstep.EREVOKED, true},
		{http.StatusForbidden, doorstep.EREVOKED, true},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv, n := counting(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				w.Write([]byte(`{"error":{"code":"` + tc.code + `","message":"nope"}}`))
			})
			defer srv.Close()
			d := openTest(t, "", nil)
			storePairing(t, d, srv.URL)
			storeIssuance(t, d)
			_, err := d.Sync()
			if got := doorstep.ErrorCode(err); got != tc.code {
				t.Fatalf("Sync against %d = %v (code %q), want %q", tc.status, err, got, tc.code)
			}
			if got := n.Load(); got != 1 {
				t.Fatalf("%d requests for a %d, want 1 (never retry a 4xx)", got, tc.status)
			}
			s, _ := d.Status()
			if s.Revoked != tc.revoked {
				t.Fatalf("revoked = %v after %d", s.Revoked, tc.status)
			}
			if !tc.revoked {
				return
			}
			if want := "this device has been revoked: ask your admin to pair it again"; ErrorMessage(err) != want {
				t.Errorf("message %q, want %q", ErrorMessage(err), want)
			}
			// A revoked device stops at once: no more requests.
			if _, err := d.Sync(); doorstep.ErrorCode(err) != doorstep.EREVOKED || n.Load() != 1 {
				t.Fatalf("second Sync = %v after %d requests", err, n.Load())
			}
			if _, err := d.Issue(&IssueOptions{}); doorstep.ErrorCode(err) != doorstep.EREVOKED {
				t.Fatalf("Issue on a revoked device = %v", err)
			}
		})
	}
}

// A server that accepts the connection and never answers: Sync fails within
// the per-request timeout times the attempts, not never.
func TestSyncStalledServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv, n := counting(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer srv.Close()
	defer close(release)
	opts := fastOptions()
	opts.RequestTimeoutMillis = 200
	d := openTest(t, "", opts)
	storePairing(t, d, srv.URL)
	storeIssuance(t, d)
	start := time.Now()
	_, err := d.Sync()
	took := time.Since(start)
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE || !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Fatalf("Sync against a stalled server = %v", err)
	}
	if n.Load() != 3 {
		t.Fatalf("%d requests, want 3", n.Load())
	}
	if took > 3*time.Second {
		t.Fatalf("Sync took %v against a stalled server", took)
	}
}

// The whole Sync is bounded too, whatever MaxAttempts says.
func TestSyncWithinBoundsRetries(t *testing.T) {
	srv, _ := counting(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	defer srv.Close()
	opts := fastOptions()
	opts.MaxAttempts = 1000
	opts.InitialBackoffMillis, opts.MaxBackoffMillis = 50, 50
	d := openTest(t, "", opts)
	storePairing(t, d, srv.URL)
	storeIssuance(t, d)
	start := time.Now()
	_, err := d.SyncWithin(400)
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE {
		t.Fatalf("SyncWithin = %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("SyncWithin(400) took %v", took)
	}
}

func TestCancelSyncStopsAStalledSync(t *testing.T) {
	release := make(chan struct{})
	srv, _ := counting(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer srv.Close()
	defer close(release)
	opts := fastOptions()
	opts.RequestTimeoutMillis = 60_000
	d := openTest(t, "", opts)
	storePairing(t, d, srv.URL)
	storeIssuance(t, d)
	time.AfterFunc(150*time.Millisecond, d.CancelSync)
	start := time.Now()
	_, err := d.Sync()
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("cancelled Sync = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancel took %v", took)
	}
}

func TestSyncRetriesRefusedConnections(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	d := openTest(t, "", nil)
	storePairing(t, d, "http://"+addr)
	storeIssuance(t, d)
	_, err = d.Sync()
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("Sync with nobody listening = %v", err)
	}
}

// A captive portal or a wrong URL answers 200 with a web page: no retry, a
// message that points at the URL.
func TestSyncRefusesAnAnswerThatIsNotTheAPI(t *testing.T) {
	srv, n := counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>Welcome to the hotel wifi</html>"))
	})
	defer srv.Close()
	d := openTest(t, "", nil)
	storePairing(t, d, srv.URL)
	storeIssuance(t, d)
	_, err := d.Sync()
	if err == nil || !strings.Contains(err.Error(), "not Doorstep's API") || n.Load() != 1 {
		t.Fatalf("Sync against a web page = %v after %d requests", err, n.Load())
	}
	if ids := outboxIDs(t, d); len(ids) != 1 {
		t.Fatalf("outbox = %v", ids)
	}
}

func TestSyncDoesNotFollowRedirects(t *testing.T) {
	srv, n := counting(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.invalid/", http.StatusFound)
	})
	defer srv.Close()
	d := openTest(t, "", nil)
	storePairing(t, d, srv.URL)
	storeIssuance(t, d)
	if _, err := d.Sync(); err == nil || !strings.Contains(err.Error(), "redirects") || n.Load() != 1 {
		t.Fatalf("Sync against a redirect = %v after %d requests", err, n.Load())
	}
}

func TestBackoffIsCappedExponentialWithJitter(t *testing.T) {
	initial, max := 100*time.Millisecond, time.Second
	for attempt := 1; attempt <= 10; attempt++ {
		base := initial << (attempt - 1)
		if base > max {
			base = max
		}
		seen := map[time.Duration]bool{}
		for range 200 {
			b := backoff(attempt, initial, max)
			if b < base/2 || b > base {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, b, base/2, base)
			}
			seen[b] = true
		}
		if len(seen) < 10 {
			t.Fatalf("backoff(%d) has no jitter: %d distinct values", attempt, len(seen))
		}
	}
	if b := backoff(200, initial, max); b > max {
		t.Fatalf("backoff does not cap on overflow: %v", b)
	}
}

// A peer that accepts TCP connections and never says a word (a dead proxy, a
// half-open NAT): Sync fails within its timeouts instead of hanging.
func TestSyncSilentPeerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			defer c.Close() // held open, never answered, until the test ends
		}
	}()
	opts := fastOptions()
	opts.RequestTimeoutMillis = 300
	d := openTest(t, "", opts)
	storePairing(t, d, "http://"+l.Addr().String())
	storeIssuance(t, d)
	start := time.Now()
	_, err = d.Sync()
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE || !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Fatalf("Sync against a silent peer = %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Sync took %v against a silent peer", took)
	}
	if conns.Load() != 3 {
		t.Fatalf("%d connections, want one per attempt (3)", conns.Load())
	}
}
