package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/server"
)

// victim is one feedback code with the page's CSRF cookie and field.
type victim struct {
	path    string
	cookies []*http.Cookie
	csrf    string
	page    string
}

// open GETs the feedback page and keeps its CSRF cookie and field.
func (e *env) open(path string) (*victim, *httptest.ResponseRecorder) {
	e.t.Helper()
	rec := e.do("GET", path, nil, nil)
	v := &victim{path: path, cookies: rec.Result().Cookies(), page: rec.Body.String()}
	if m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(v.page); m != nil {
		v.csrf = m[1]
	}
	return v, rec
}

func (e *env) submit(v *victim, values url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	if _, ok := values["csrf"]; !ok {
		values.Set("csrf", v.csrf)
	}
	return e.form(v.path, values, v.cookies)
}

func answers(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// feedbackCount is how many feedback records the store holds for the officer.
func (e *env) feedbackCount(officerID string) int {
	e.t.Helper()
	fbs, err := e.store.OfficerFeedback(context.Background(), officerID, doorstep.FeedbackFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(fbs)
}

func wantPage(t *testing.T, rec *httptest.ResponseRecorder, status int, says ...string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %.600s", rec.Code, status, rec.Body)
	}
	body := rec.Body.String()
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("content type %q", rec.Header().Get("Content-Type"))
	}
	for _, s := range says {
		if !strings.Contains(body, s) {
			t.Fatalf("page lacks %q:\n%s", s, body)
		}
	}
	for _, s := range []string{`<html lang="en" dir="ltr">`, "Quick exit", `href="https://www.bbc.co.uk/weather"`} {
		if !strings.Contains(body, s) {
			t.Fatalf("victim page lacks %q", s)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Fatal("victim page has script or inline style")
	}
	h := rec.Header()
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") || strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Fatalf("security headers %v", h)
	}
}

func TestVictimGoodSubmitThenSecond(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	v, rec := e.open("/F/" + text)
	wantPage(t, rec, 200, "1234AB", "Alex Smith", "Hackney", "21 November 2026", `name="rating"`, `name="comment"`,
		"treat you with respect", "explain your rights", "get updates", "Not sure")
	if v.csrf == "" || len(v.cookies) != 1 {
		t.Fatalf("no CSRF field or cookie: %v", v.cookies)
	}
	ck := v.cookies[0]
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("CSRF cookie %+v: want HttpOnly, Secure (https public URL), SameSite=Lax", ck)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatal("victim page may be cached")
	}

	rec = e.submit(v, answers("rating", "4", "respect", "yes", "rights", "no", "updates", "unsure", "comment", "Kind and clear, thank you"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/F/"+text+"/thanks" {
		t.Fatalf("submit -> %d %q", rec.Code, rec.Header().Get("Location"))
	}
	_, rec = e.open("/F/" + text + "/thanks")
	wantPage(t, rec, 200, "Thank you for your feedback")

	fb, err := e.store.FeedbackFor(context.Background(), doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: 1})
	if err != nil {
		t.Fatal(err)
	}
	if fb.Rating != 4 || fb.Respect != "yes" || fb.Rights != "no" || fb.Updates != "unsure" || fb.Comment != "Kind and clear, thank you" ||
		fb.OfficerID != o.ID || !fb.IssuedAt.Equal(t0()) || fb.Linked() {
		t.Fatalf("stored %+v", fb)
	}
	s := e.summary(o.ID)
	if s["responses"] != 1.0 || s["unlinked"] != 1.0 || s["mean_rating"] != 4.0 {
		t.Fatalf("summary %v", s)
	}

	// the same form again: refused, nothing more stored
	rec = e.submit(v, answers("rating", "1", "comment", "again"))
	wantPage(t, rec, http.StatusConflict, "already in")
	// a GET now says so, without a form
	_, rec = e.open("/F/" + text)
	wantPage(t, rec, 200, "already in")
	if strings.Contains(rec.Body.String(), "<form") {
		t.Fatal("an answered code still shows the form")
	}
	if n := e.feedbackCount(o.ID); n != 1 {
		t.Fatalf("%d feedback stored, want 1", n)
	}
	if !strings.Contains(e.do("GET", "/metrics", nil, nil).Body.String(), "doorstep_feedback_received_total 1\n") {
		t.Fatal("feedback metric is not 1")
	}
	logs := e.logs.String()
	for _, secret := range []string{text, "Kind and clear", v.csrf} {
		if strings.Contains(logs, secret) {
			t.Fatalf("logs hold %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "route=/F/:token") {
		t.Fatalf("logs do not name the route template:\n%s", logs)
	}
}

func TestVictimRefusedCodes(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	mid := len(text) / 2
	forged := text[:mid] + flip(text[mid]) + text[mid+1:]
	unknownDevice := "AEAAAAAC" + text[8:] // device 2, which does not exist

	for _, c := range []struct {
		name, path string
		status     int
		says       string
	}{
		{"forged", "/F/" + forged, 404, "could not find this feedback code"},
		{"truncated", "/F/" + text[:len(text)-3], 404, "could not find this feedback code"},
		{"lower case", "/F/" + strings.ToLower(text), 404, "could not find this feedback code"},
		{"unknown device", "/F/" + unknownDevice, 404, "could not find this feedback code"},
		{"garbage", "/F/%3Cscript%3E", 404, "could not find this feedback code"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, rec := e.open(c.path)
			wantPage(t, rec, c.status, c.says)
			rec = e.form(c.path, answers("rating", "5"), nil)
			wantPage(t, rec, c.status, c.says)
		})
	}
	if n := e.feedbackCount(o.ID); n != 0 {
		t.Fatalf("%d feedback stored for refused codes", n)
	}
}

func TestVictimExpired(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	v, _ := e.open("/F/" + text)
	e.clock.Set(tok.ExpiresAt)
	_, rec := e.open("/F/" + text)
	wantPage(t, rec, http.StatusGone, "has closed")
	wantPage(t, e.submit(v, answers("rating", "5")), http.StatusGone, "has closed")
	if n := e.feedbackCount(o.ID); n != 0 {
		t.Fatalf("%d feedback stored for an expired code", n)
	}
}

func TestVictimRevokedDevice(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	synced, stok := e.sign(p, 1, t0())
	never, _ := e.sign(p, 2, t0())
	if rec := e.push(p, issueMutation(p, 1, synced, stok)); rec.Code != 200 {
		t.Fatalf("push %d %s", rec.Code, rec.Body)
	}
	vNever, _ := e.open("/F/" + never)
	e.admin("POST", "/api/v1/admin/devices/1/revoke", "", 200, nil)

	_, rec := e.open("/F/" + never)
	wantPage(t, rec, http.StatusForbidden, "can no longer be used")
	wantPage(t, e.submit(vNever, answers("rating", "3")), http.StatusForbidden, "can no longer be used")

	v, rec := e.open("/F/" + synced)
	wantPage(t, rec, 200, "Alex Smith", `name="rating"`)
	rec = e.submit(v, answers("rating", "5"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("submit on a synced code of a revoked device -> %d %s", rec.Code, rec.Body)
	}
	if n := e.feedbackCount(o.ID); n != 1 {
		t.Fatalf("%d feedback stored, want 1 (the synced code's)", n)
	}
	s := e.summary(o.ID)
	if s["responses"] != 1.0 || s["unlinked"] != 0.0 {
		t.Fatalf("summary %v", s)
	}
}

func TestVictimVoidedCode(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	m := issueMutation(p, 1, text, tok)
	void := doorstep.Mutation{ID: 2, Kind: doorstep.MutationVoid, Void: &doorstep.Void{IssuanceID: m.Issuance.ID, Reason: "printed twice", HLC: "000001a1fda7e04000000009"}}
	if rec := e.push(p, m, void); rec.Code != 200 || strings.Contains(rec.Body.String(), "rejected") {
		t.Fatalf("push %d %s", rec.Code, rec.Body)
	}
	_, rec := e.open("/F/" + text)
	wantPage(t, rec, http.StatusGone, "has closed")
}

func TestVictimBadInput(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	v, _ := e.open("/F/" + text)
	long := strings.Repeat("é", 2001)
	for _, c := range []struct {
		name   string
		values url.Values
		status int
		says   string
	}{
		{"rating 0", answers("rating", "0"), 400, "Choose a rating from 1 to 5"},
		{"rating 6", answers("rating", "6"), 400, "Choose a rating from 1 to 5"},
		{"rating x", answers("rating", "x"), 400, "Choose a rating from 1 to 5"},
		{"rating missing", answers("comment", "hello"), 400, "Choose a rating from 1 to 5"},
		{"rating twice", url.Values{"rating": {"4", "5"}}, 400, "could not read the form"},
		{"answer out of set", answers("rating", "4", "respect", "maybe"), 400, "Choose yes, no or not sure"},
		{"comment too long", answers("rating", "4", "comment", long), 400, "too long"},
		{"comment invalid utf8", answers("rating", "4", "comment", "bad \xff byte"), 400, "characters we cannot store"},
		{"comment control", answers("rating", "4", "comment", "bell\x07"), 400, "characters we cannot store"},
		{"missing csrf", answers("rating", "4", "csrf", ""), 403, "reload the page"},
		{"wrong csrf", answers("rating", "4", "csrf", strings.Repeat("A", 43)), 403, "reload the page"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := e.submit(v, c.values)
			wantPage(t, rec, c.status, c.says)
			if c.status == 400 && !strings.Contains(rec.Body.String(), `name="rating"`) {
				t.Fatal("a refused form is not shown again")
			}
		})
	}
	// the long comment is shown again for the victim to shorten
	rec := e.submit(v, answers("rating", "4", "comment", long))
	if !strings.Contains(rec.Body.String(), long) || !strings.Contains(rec.Body.String(), `value="4" checked`) {
		t.Fatal("refused answers are not kept in the form")
	}
	// no cookie at all
	wantPage(t, e.form(v.path, answers("rating", "4", "csrf", v.csrf), nil), 403, "reload the page")
	// a cookie from another browser with this browser's field
	v2, _ := e.open("/F/" + text)
	wantPage(t, e.form(v.path, answers("rating", "4", "csrf", v.csrf), v2.cookies), 403, "reload the page")
	// oversize body, wrong content type
	big := answers("rating", "4", "csrf", v.csrf, "comment", strings.Repeat("a", 20<<10))
	wantPage(t, e.submit(v, big), http.StatusRequestEntityTooLarge, "too much")
	req := httptest.NewRequest("POST", v.path, strings.NewReader(`{"rating":4}`))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range v.cookies {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	wantPage(t, rec, 400, "Please check your answers")

	if n := e.feedbackCount(o.ID); n != 0 {
		t.Fatalf("%d feedback stored from refused input", n)
	}
	// exactly at the limit is accepted
	rec = e.submit(v, answers("rating", "2", "comment", strings.Repeat("é", 2000)))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("2,000-character comment -> %d", rec.Code)
	}
}

func TestVictimRateLimit(t *testing.T) {
	e := newEnv(t, func(o *server.Options) { o.SubmitsPerMinute = 2 })
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	v, _ := e.open("/F/" + text)
	for i := 0; i < 2; i++ {
		wantPage(t, e.submit(v, answers("rating", "9")), 400, "Choose a rating")
	}
	wantPage(t, e.submit(v, answers("rating", "4")), http.StatusTooManyRequests, "wait a minute")
	e.clock.Set(t0().Add(time.Minute))
	if rec := e.submit(v, answers("rating", "4")); rec.Code != http.StatusSeeOther {
		t.Fatalf("after a minute -> %d", rec.Code)
	}
}

func TestVictimHeadAndStyle(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	if rec := e.do("HEAD", "/F/"+text, nil, nil); rec.Code != 200 {
		t.Fatalf("HEAD -> %d", rec.Code)
	}
	rec := e.do("GET", "/static/style.css", nil, nil)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") || !strings.Contains(rec.Body.String(), ".quick-exit") {
		t.Fatalf("style.css -> %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}
