package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/server"
)

// metricsBody scrapes /metrics.
func (e *env) metricsBody() string {
	e.t.Helper()
	rec := e.do("GET", "/metrics", nil, nil)
	if rec.Code != 200 {
		e.t.Fatalf("metrics %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetricsCountBackups(t *testing.T) {
	e := newEnv(t)
	e.officer()
	if body := e.metricsBody(); !strings.Contains(body, "doorstep_backup_last_success_timestamp_seconds 0\n") {
		t.Fatal("a backup before any was taken")
	}
	rec := e.admin("GET", "/api/v1/admin/backup", "", http.StatusOK, nil)
	body := e.metricsBody()
	for _, want := range []string{
		`doorstep_backups_total{result="ok"} 1`,
		`doorstep_backups_total{result="failed"} 0`,
		"doorstep_backup_last_success_timestamp_seconds " + itoa(t0().Unix()) + "\n",
		"doorstep_backup_last_size_bytes " + itoa(int64(rec.Body.Len())) + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMetricsShowStoreStats(t *testing.T) {
	var e *env
	e = newEnv(t, func(o *server.Options) {
		o.StoreStats = func() server.StoreStats {
			st := e.store.Stats()
			return server.StoreStats{FileBytes: st.FileBytes, DataBytes: st.DataBytes, ReadTxTotal: st.ReadTxTotal,
				OpenReadTx: st.OpenReadTx, PageWritesTotal: st.PageWritesTotal, WriteTime: 1500 * time.Millisecond}
		}
	})
	e.officer()
	body := e.metricsBody()
	for _, want := range []string{
		"# TYPE doorstep_bolt_file_size_bytes gauge",
		"# TYPE doorstep_bolt_read_tx_total counter",
		"doorstep_bolt_open_read_tx 0\n",
		"doorstep_bolt_write_seconds_total 1.5\n",
		"# TYPE doorstep_bolt_page_writes_total counter",
		`doorstep_retention_purged_total{kind="contact_request"} 0`,
		`doorstep_retention_purged_total{kind="feedback_text"} 0`,
		"doorstep_retention_last_success_timestamp_seconds 0\n",
		"# TYPE doorstep_goroutines gauge",
		"# TYPE doorstep_heap_inuse_bytes gauge",
		`doorstep_build_info{go_version="go`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	size := metricValue(t, body, "doorstep_bolt_file_size_bytes")
	data := metricValue(t, body, "doorstep_bolt_data_size_bytes")
	writes := metricValue(t, body, "doorstep_bolt_page_writes_total")
	if size <= 0 || data <= 0 || data > size || writes <= 0 {
		t.Errorf("bbolt figures: file %v, data %v, page writes %v", size, data, writes)
	}
	// without the hook there are no bbolt lines
	if body := newEnv(t).metricsBody(); strings.Contains(body, "doorstep_bolt_") {
		t.Errorf("metrics without Options.StoreStats show bbolt figures")
	}
}

// metricValue reads an unlabelled sample.
func metricValue(t *testing.T, body, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			if err := json.Unmarshal([]byte(v), &f); err != nil {
				t.Fatalf("%s: %q", name, line)
			}
			return f
		}
	}
	t.Fatalf("no sample %s", name)
	return 0
}

// TestRetentionJob runs the retention job with an injected clock: nothing
// goes before its time, everything goes after, the feedback's rating and the
// summary stay, and the metrics count what went.
func TestRetentionJob(t *testing.T) {
	e := newEnv(t, func(o *server.Options) {
		o.RetainContact = 30 * 24 * time.Hour
		o.RetainText = 365 * 24 * time.Hour
	})
	ctx := context.Background()
	o := e.officer()
	p := e.pair(o)
	ref := func(c uint32) doorstep.TokenRef { return doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: c} }
	if err := e.store.SubmitFeedback(ctx, &doorstep.Feedback{Token: ref(1), Rating: 4, Comment: "He listened to me", IssuedAt: t0()}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateContactRequest(ctx, &doorstep.ContactRequest{Token: ref(1), Phone: "07700 900123", IssuedAt: t0()}); err != nil {
		t.Fatal(err)
	}
	sum := e.summary(o.ID)
	day := 24 * time.Hour
	step := func(at time.Duration, wantContacts, wantTexts int) {
		t.Helper()
		e.clock.Set(t0().Add(at))
		res, err := e.srv.PurgeExpired(ctx)
		if err != nil || res.ContactRequests != wantContacts || res.FeedbackTexts != wantTexts {
			t.Fatalf("at +%v: PurgeExpired = %+v, %v; want %d contacts, %d texts", at, res, err, wantContacts, wantTexts)
		}
	}
	step(29*day, 0, 0)
	if _, err := e.store.ContactRequestFor(ctx, ref(1)); err != nil {
		t.Fatalf("contact request gone before its time: %v", err)
	}
	step(31*day, 1, 0)
	if _, err := e.store.ContactRequestFor(ctx, ref(1)); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("contact request after retention: %v", err)
	}
	step(364*day, 0, 0)
	if fb, _ := e.store.FeedbackFor(ctx, ref(1)); fb == nil || fb.Comment != "He listened to me" {
		t.Fatalf("comment gone before its time: %+v", fb)
	}
	step(366*day, 0, 1)
	fb, err := e.store.FeedbackFor(ctx, ref(1))
	if err != nil || fb.Comment != "" || fb.Rating != 4 {
		t.Fatalf("feedback after text retention: %+v, %v", fb, err)
	}
	if got := e.summary(o.ID); !equalJSON(got, sum) {
		t.Fatalf("summary changed: %v, was %v", got, sum)
	}
	body := e.metricsBody()
	for _, want := range []string{
		`doorstep_retention_purged_total{kind="contact_request"} 1`,
		`doorstep_retention_purged_total{kind="feedback_text"} 1`,
		"doorstep_retention_failures_total 0\n",
		"doorstep_retention_last_success_timestamp_seconds " + itoa(t0().Add(366*day).Unix()) + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestRunRetentionLoop runs the background loop on a fast ticker: a record
// that expires while it runs goes at its next pass, and the loop stops with
// its context.
func TestRunRetentionLoop(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	o := e.officer()
	p := e.pair(o)
	ref := doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: 7}
	if err := e.store.CreateContactRequest(ctx, &doorstep.ContactRequest{Token: ref, Email: "v@example.org", IssuedAt: t0()}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); e.srv.RunRetention(ctx, 5*time.Millisecond) }()
	e.clock.Set(t0().Add(server.DefaultRetainContact + time.Hour))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := e.store.ContactRequestFor(ctx, ref); doorstep.ErrorCode(err) == doorstep.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the retention loop did not purge an expired contact request")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunRetention did not stop with its context")
	}
	if !strings.Contains(e.logs.String(), "retention pass") || strings.Contains(e.logs.String(), "v@example.org") {
		t.Fatalf("retention logs:\n%s", e.logs)
	}
}

func TestNewRefusesShortRetention(t *testing.T) {
	e := newEnv(t)
	_, err := server.New(server.Options{Store: e.store, PublicURL: "https://x.example", AdminTokenHash: server.HashAdminToken("t"),
		ServerKey: e.key, RetainText: time.Minute})
	if err == nil {
		t.Fatal("New accepted a retention of a minute")
	}
}

func TestCheckServerKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := server.CheckServerKey(ctx, e.store, bytes.Repeat([]byte{9}, server.ServerKeySize)); err != nil {
		t.Fatalf("a store without devices: %v", err)
	}
	e.pair(e.officer())
	if err := server.CheckServerKey(ctx, e.store, e.key); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	err := server.CheckServerKey(ctx, e.store, bytes.Repeat([]byte{9}, server.ServerKeySize))
	if err == nil || !strings.Contains(err.Error(), "not this store's server key") {
		t.Fatalf("a wrong key: %v", err)
	}
}

// TestJSONLogs: with a JSON handler every line is one JSON object, requests
// carry their request ID (the caller's, when it sends a plain one), and
// neither tokens, comments nor credentials appear.
func TestJSONLogs(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(o *server.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs}, nil))
	})
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	v, _ := e.open("/F/" + text)
	if rec := e.submit(v, answers("rating", "5", "comment", "Secret comment 4711")); rec.Code >= 400 {
		t.Fatalf("submit %d", rec.Code)
	}
	h := adminHeader()
	h.Set("X-Request-ID", "trace-abc.123")
	e.do("GET", "/api/v1/admin/officers", nil, h)
	h.Set("X-Request-ID", "bad id with spaces")
	e.do("GET", "/api/v1/admin/officers", nil, h)

	var requests, traced int
	ids := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		for _, secret := range []string{text, "Secret comment", adminToken, p.resp.Credential, "bad id"} {
			if strings.Contains(line, secret) {
				t.Fatalf("log line holds %q: %s", secret, line)
			}
		}
		if m["msg"] != "request" {
			continue
		}
		requests++
		id, _ := m["request_id"].(string)
		if id == "" || ids[id] {
			t.Fatalf("request line without a unique request_id: %s", line)
		}
		ids[id] = true
		if id == "trace-abc.123" {
			traced++
		}
		if r, _ := m["route"].(string); strings.Contains(r, "/F/") && r != "/F/:token" {
			t.Fatalf("route logged as a path: %s", line)
		}
	}
	if requests < 5 || traced != 1 {
		t.Fatalf("%d request lines, %d with the caller's ID:\n%s", requests, traced, logs.String())
	}
}

// TestTrustedProxies: X-Forwarded-For names the client only when the peer
// is a trusted proxy; otherwise the peer is the client (rate limits key on it).
func TestTrustedProxies(t *testing.T) {
	wrong := http.Header{"Authorization": {"Bearer wrong-token-wrong-token"}}
	from := func(xff string) http.Header {
		h := wrong.Clone()
		h.Set("X-Forwarded-For", xff)
		return h
	}
	// httptest requests come from 192.0.2.1
	trusted := newEnv(t, func(o *server.Options) { o.TrustedProxies = []string{"192.0.2.0/24"}; o.AuthFailuresPerMinute = 1 })
	trusted.do("GET", "/api/v1/admin/officers", nil, from("203.0.113.5"))
	if rec := trusted.do("GET", "/api/v1/admin/officers", nil, from("203.0.113.5")); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("same forwarded client twice: %d, want 429", rec.Code)
	}
	if rec := trusted.do("GET", "/api/v1/admin/officers", nil, from("203.0.113.6")); rec.Code != http.StatusUnauthorized {
		t.Fatalf("another forwarded client: %d, want 401", rec.Code)
	}
	untrusted := newEnv(t, func(o *server.Options) { o.AuthFailuresPerMinute = 1 })
	untrusted.do("GET", "/api/v1/admin/officers", nil, from("203.0.113.5"))
	if rec := untrusted.do("GET", "/api/v1/admin/officers", nil, from("203.0.113.6")); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For from an untrusted peer: %d, want 429", rec.Code)
	}
	if _, err := server.New(server.Options{Store: untrusted.store, PublicURL: "https://x.example", AdminTokenHash: server.HashAdminToken("t"),
		ServerKey: untrusted.key, TrustedProxies: []string{"not-an-address"}}); err == nil {
		t.Fatal("New accepted a malformed trusted proxy")
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }
