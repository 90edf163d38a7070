package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/doorstep-project/doorstep/server"
	dsync "github.com/doorstep-project/doorstep/sync"
)

const adminToken = "test-admin-token-0123456789"

// testClock is a settable clock for the server and the store.
type testClock struct {
	mu stdsync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func t0() time.Time { return time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC) }

// env is a server on a real bolt store in a temporary directory.
type env struct {
	t     testing.TB
	srv   *server.Server
	store *bolt.DB
	clock *testClock
	key   []byte
	logs  *bytes.Buffer
}

func newEnv(t testing.TB, mod ...func(*server.Options)) *env {
	t.Helper()
	clock := &testClock{t: t0()}
	key := bytes.Repeat([]byte{7}, server.ServerKeySize)
	check, err := server.TokenChecker(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(t.TempDir(), bolt.DefaultFileName), bolt.Options{NoSync: true, CheckToken: check, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := new(bytes.Buffer)
	opts := server.Options{
		Store:            db,
		PublicURL:        "https://doorstep.example.org",
		AdminTokenHash:   server.HashAdminToken(adminToken),
		ServerKey:        key,
		Logger:           slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil)),
		Now:              clock.Now,
		SubmitsPerMinute: -1,
		PairsPerMinute:   -1,
	}
	for _, m := range mod {
		m(&opts)
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, store: db, clock: clock, key: key, logs: logs}
}

type lockedWriter struct {
	mu stdsync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// do serves one request and returns the recorder.
func (e *env) do(method, target string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, target, body)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

func adminHeader() http.Header {
	return http.Header{"Authorization": {"Bearer " + adminToken}, "Content-Type": {"application/json"}}
}

// admin calls the admin API with the admin token and wants status.
func (e *env) admin(method, path, body string, want int, out any) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	rec := e.do(method, path, r, adminHeader())
	if rec.Code != want {
		e.t.Fatalf("%s %s -> %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, rec.Body, err)
		}
	}
	return rec
}

// apiErr decodes an API error body and checks its code.
func apiErr(t *testing.T, rec *httptest.ResponseRecorder, wantStatus int, wantCode string) {
	t.Helper()
	if rec.Code != wantStatus {
		t.Fatalf("status %d, want %d: %s", rec.Code, wantStatus, rec.Body)
	}
	var er dsync.ErrorResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &er); err != nil {
		t.Fatalf("error body is not an ErrorResponse: %q", rec.Body)
	}
	if er.Error.Code != wantCode || er.Error.Message == "" {
		t.Fatalf("error %+v, want code %q and a message", er.Error, wantCode)
	}
}

func (e *env) officer() *doorstep.Officer {
	e.t.Helper()
	var o doorstep.Officer
	e.admin("POST", "/api/v1/admin/officers", `{"collar_number":"1234AB","name":"Alex Smith","borough":"Hackney","team":"Response 1"}`, http.StatusCreated, &o)
	return &o
}

// paired is a device paired through the API.
type paired struct {
	resp dsync.PairResponse
}

func (p *paired) auth() http.Header {
	return http.Header{"Authorization": {"Bearer " + p.resp.Credential}, "Content-Type": {"application/json"}}
}

func (e *env) pair(o *doorstep.Officer) *paired {
	e.t.Helper()
	var pc struct {
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expires_at"`
		QRSVG     string    `json:"qr_svg"`
	}
	e.admin("POST", "/api/v1/admin/pairing-codes", `{"officer_id":"`+o.ID+`"}`, http.StatusCreated, &pc)
	rec := e.do("POST", "/api/v1/device/pair", strings.NewReader(`{"code":"`+pc.Code+`","device_name":"Pixel 7"}`), http.Header{"Content-Type": {"application/json"}})
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("pair -> %d: %s", rec.Code, rec.Body)
	}
	p := &paired{}
	if err := json.Unmarshal(rec.Body.Bytes(), &p.resp); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// sign makes the device's token for counter, issued at issued.
func (e *env) sign(p *paired, counter uint32, issued time.Time) (string, qrcode.Token) {
	e.t.Helper()
	text, tok, err := qrcode.Sign(p.resp.TokenKey, doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: counter}, issued, 90*24*time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return text, tok
}

// issueMutation is an issue of token text by the device.
func issueMutation(p *paired, id uint64, text string, tok qrcode.Token) doorstep.Mutation {
	return doorstep.Mutation{ID: id, Kind: doorstep.MutationIssue, Issuance: &doorstep.Issuance{
		ID: doorstep.NewID(tok.IssuedAt), Token: tok.Ref, TokenText: text, OfficerID: p.resp.Officer.ID,
		IssuedAt: tok.IssuedAt, ExpiresAt: tok.ExpiresAt, Language: "en", Format: doorstep.FormatA4,
		ContentVersion: "1", HLC: dsync.HLC{Wall: tok.IssuedAt.UnixMilli()}.String(),
	}}
}

func (e *env) push(p *paired, muts ...doorstep.Mutation) *httptest.ResponseRecorder {
	e.t.Helper()
	b, err := json.Marshal(dsync.PushRequest{Mutations: muts})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do("POST", "/api/v1/device/push", bytes.NewReader(b), p.auth())
}

func (e *env) summary(officerID string) map[string]any {
	e.t.Helper()
	var s map[string]any
	e.admin("GET", "/api/v1/admin/officers/"+officerID+"/summary", "", http.StatusOK, &s)
	return s
}

// form posts a urlencoded form with the given cookies.
func (e *env) form(target string, values url.Values, cookies []*http.Cookie) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

func TestNewRefusesBadOptions(t *testing.T) {
	e := newEnv(t)
	good := server.Options{Store: e.store, PublicURL: "https://x.example", AdminTokenHash: server.HashAdminToken("t"), ServerKey: e.key}
	for name, mod := range map[string]func(*server.Options){
		"no store":           func(o *server.Options) { o.Store = nil },
		"ftp public url":     func(o *server.Options) { o.PublicURL = "ftp://x.example" },
		"public url path":    func(o *server.Options) { o.PublicURL = "https://x.example/app" },
		"short server key":   func(o *server.Options) { o.ServerKey = o.ServerKey[:16] },
		"no admin hash":      func(o *server.Options) { o.AdminTokenHash = nil },
		"validity too short": func(o *server.Options) { o.TokenValidity = time.Minute },
	} {
		o := good
		mod(&o)
		if _, err := server.New(o); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := server.New(good); err != nil {
		t.Fatalf("good options: %v", err)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t)
	if rec := e.do("GET", "/healthz", nil, nil); rec.Code != 200 {
		t.Fatalf("healthz %d", rec.Code)
	}
	if rec := e.do("GET", "/readyz", nil, nil); rec.Code != 200 {
		t.Fatalf("readyz %d", rec.Code)
	}
	o := e.officer()
	e.do("GET", "/api/v1/admin/officers/"+o.ID+"/summary", nil, nil) // 401
	rec := e.do("GET", "/metrics", nil, nil)
	body := rec.Body.String()
	for _, want := range []string{
		`doorstep_http_requests_total{route="/api/v1/admin/officers",method="POST",status="201"} 1`,
		`doorstep_http_requests_total{route="/api/v1/admin/officers/:id/summary",method="GET",status="401"} 1`,
		`doorstep_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 1`,
		`doorstep_sync_mutations_total{status="applied"} 0`,
		`doorstep_feedback_received_total 0`,
		`doorstep_store_ready 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("metrics content type %q", ct)
	}
	e.store.Close()
	if rec := e.do("GET", "/readyz", nil, nil); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz after close %d, want 503", rec.Code)
	}
	if rec := e.do("GET", "/healthz", nil, nil); rec.Code != 200 {
		t.Fatalf("healthz after close %d, want 200", rec.Code)
	}
	apiErr(t, e.do("GET", "/api/v1/admin/officers", nil, adminHeader()), http.StatusServiceUnavailable, doorstep.EUNAVAILABLE)
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	apiErr(t, e.do("GET", "/api/v1/nothing", nil, nil), http.StatusNotFound, doorstep.ENOTFOUND)
	rec := e.do("GET", "/nothing", nil, nil)
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "Page not found") {
		t.Fatalf("GET /nothing -> %d %s", rec.Code, rec.Body)
	}
	rec = e.do("DELETE", "/api/v1/admin/officers", nil, adminHeader())
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE officers -> %d", rec.Code)
	}
}
