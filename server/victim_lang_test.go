package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/server"
)

func (e *env) get(path string, header http.Header) (string, *http.Response) {
	e.t.Helper()
	rec := e.do("GET", path, nil, header)
	return rec.Body.String(), rec.Result()
}

func langDir(t *testing.T, body string) (string, string) {
	t.Helper()
	m := regexp.MustCompile(`<html lang="([^"]*)" dir="([^"]*)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no <html lang dir> in %.300s", body)
	}
	return m[1], m[2]
}

func TestVictimLanguageNegotiation(t *testing.T) {
	lib, err := leaflet.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *server.Options) { o.Leaflets = lib })
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	page := "/F/" + text

	// English by default, with the switcher listing every leaflet language
	body, _ := e.get(page, nil)
	if l, d := langDir(t, body); l != "en" || d != "ltr" {
		t.Fatalf("default page is %s %s", l, d)
	}
	for _, l := range lib.Languages() {
		if !strings.Contains(body, `href="?lang=`+l+`" lang="`+l+`"`) {
			t.Errorf("switcher lacks %s", l)
		}
	}
	if !strings.Contains(body, `aria-current="true">English`) || strings.Contains(body, "<script") {
		t.Fatal("switcher does not mark English as current, or uses script")
	}

	// Accept-Language
	body, _ = e.get(page, http.Header{"Accept-Language": {"pl-PL,pl;q=0.9,en;q=0.5"}})
	if l, _ := langDir(t, body); l != "pl" || !strings.Contains(body, "Szybkie wyjście") || !strings.Contains(body, "21 listopada 2026") || !strings.Contains(body, "Twoje 12 praw") {
		t.Fatalf("Polish browser got %s: %.400s", l, body)
	}

	// the switcher: ?lang=ar, remembered in a cookie holding only the tag
	body, resp := e.get(page+"?lang=ar", http.Header{"Accept-Language": {"pl"}})
	if l, d := langDir(t, body); l != "ar" || d != "rtl" || !strings.Contains(body, "خروج سريع") {
		t.Fatalf("?lang=ar gave %s %s", l, d)
	}
	var lang *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "doorstep_lang" {
			lang = c
		}
	}
	if lang == nil || lang.Value != "ar" || !lang.HttpOnly || lang.Path != "/F/" || lang.MaxAge != 0 || !lang.Expires.IsZero() || lang.SameSite != http.SameSiteLaxMode {
		t.Fatalf("language cookie %+v: want ar, HttpOnly, Lax, /F/, session only", lang)
	}
	// web-only Arabic content: the contacts come from English, marked so
	if !strings.Contains(body, `<div lang="en" dir="ltr"><h2>Help and support</h2>`) {
		t.Fatal("Arabic page lacks the English support contacts")
	}
	rec := e.do("GET", page, nil, http.Header{"Cookie": {"doorstep_lang=ar"}, "Accept-Language": {"pl"}})
	if l, _ := langDir(t, rec.Body.String()); l != "ar" {
		t.Fatalf("cookie ignored: %s", l)
	}
	// unknown values are ignored, never reflected
	for _, bad := range []string{"?lang=xx", "?lang=%3Cscript%3E", "?lang=EN"} {
		body, resp := e.get(page+bad, nil)
		if l, _ := langDir(t, body); l != "en" || len(resp.Cookies()) > 1 || strings.Contains(body, "<script>") {
			t.Fatalf("%s gave %s, cookies %v", bad, l, resp.Cookies())
		}
	}
	rec = e.do("GET", page, nil, http.Header{"Cookie": {"doorstep_lang=zz"}})
	if l, _ := langDir(t, rec.Body.String()); l != "en" {
		t.Fatalf("bad cookie gave %s", l)
	}

	// once the issue syncs, its language beats the browser's
	m := issueMutation(p, 1, text, tok)
	m.Issuance.Language = "ro"
	if rec := e.push(p, m); rec.Code != 200 {
		t.Fatalf("push %d %s", rec.Code, rec.Body)
	}
	body, _ = e.get(page, http.Header{"Accept-Language": {"pl"}})
	if l, _ := langDir(t, body); l != "ro" {
		t.Fatalf("synced Romanian code shows %s", l)
	}
	// the submit stores the page's language
	v, _ := e.open(page)
	if rec := e.submit(v, answers("rating", "5", "age", "65-plus")); rec.Code != http.StatusSeeOther {
		t.Fatalf("submit %d", rec.Code)
	}
	if fb := e.feedbackFor(p, 1); fb.Language != "ro" || fb.AgeBand != "65-plus" {
		t.Fatalf("stored %+v", fb)
	}
	body, _ = e.get(page+"/thanks", nil)
	if !strings.Contains(body, "Vă mulțumim pentru părere") {
		t.Fatalf("Romanian thank-you page: %.300s", body)
	}
}

// TestVictimDiscreet: until the issue syncs, and for discreet codes, the
// first lines name no officer; every title is neutral.
func TestVictimDiscreet(t *testing.T) {
	lib, err := leaflet.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *server.Options) { o.Leaflets = lib })
	o := e.officer()
	p := e.pair(o)
	h1 := regexp.MustCompile(`<h1>([^<]*)</h1>`)
	title := regexp.MustCompile(`<title>([^<]*)</title>`)
	heading := func(path string) (string, string) {
		t.Helper()
		body, _ := e.get(path, nil)
		m, tt := h1.FindStringSubmatch(body), title.FindStringSubmatch(body)
		if m == nil || tt == nil || !strings.Contains(body, "Alex Smith") {
			t.Fatalf("page %.400s", body)
		}
		return m[1], tt[1]
	}
	plain, ptok := e.sign(p, 1, t0())
	discreet, dtok := e.sign(p, 2, t0())
	for _, path := range []string{"/F/" + plain, "/F/" + discreet} {
		if h, tt := heading(path); strings.Contains(h, "1234AB") || strings.Contains(h, "Smith") || tt != "Your feedback" {
			t.Fatalf("unsynced code: <h1>%s</h1> <title>%s</title>", h, tt)
		}
	}
	pdfTitle := func(path string) string {
		t.Helper()
		rec := e.do("GET", path+"/leaflet.pdf", nil, nil)
		if rec.Code != 200 {
			t.Fatalf("leaflet %d", rec.Code)
		}
		cmd := exec.Command("pdfinfo", "-")
		cmd.Stdin = bytes.NewReader(rec.Body.Bytes())
		out, err := cmd.Output()
		if err != nil {
			t.Skipf("pdfinfo: %v", err)
		}
		return string(out)
	}
	if _, err := exec.LookPath("pdfinfo"); err == nil {
		if info := pdfTitle("/F/" + plain); strings.Contains(strings.ToLower(info), "police") {
			t.Fatalf("unsynced code's leaflet names the police:\n%s", info)
		}
	}
	m1, m2 := issueMutation(p, 1, plain, ptok), issueMutation(p, 2, discreet, dtok)
	m2.Issuance.Discreet = true
	m2.Issuance.ID = m1.Issuance.ID[:35] + "f"
	if rec := e.push(p, m1, m2); rec.Code != 200 || strings.Contains(rec.Body.String(), "rejected") {
		t.Fatalf("push %d %s", rec.Code, rec.Body)
	}
	if _, err := exec.LookPath("pdfinfo"); err == nil {
		if info := pdfTitle("/F/" + plain); !strings.Contains(strings.ToLower(info), "police") {
			t.Fatalf("a synced, not discreet code's leaflet is discreet:\n%s", info)
		}
	}
	if h, tt := heading("/F/" + plain); !strings.Contains(h, "1234AB Alex Smith") || tt != "Your feedback" {
		t.Fatalf("synced plain code: <h1>%s</h1> <title>%s</title>", h, tt)
	}
	if h, tt := heading("/F/" + discreet); strings.Contains(h, "1234AB") || tt != "Your feedback" {
		t.Fatalf("synced discreet code: <h1>%s</h1> <title>%s</title>", h, tt)
	}
}

func TestVictimAgeBand(t *testing.T) {
	e := newEnv(t)
	p := e.pair(e.officer())
	text, _ := e.sign(p, 1, t0())
	v, rec := e.open("/F/" + text)
	wantPage(t, rec, 200, `name="age" value="18-24"`, "Prefer not to say", "Under 18", "65 or over")
	wantPage(t, e.submit(v, answers("rating", "3", "age", "17")), 400, "Choose an age band")
	wantPage(t, e.submit(v, url.Values{"rating": {"3"}, "age": {"18-24", "25-34"}}), 400, "could not read the form")
	if rec := e.submit(v, answers("rating", "3", "age", "")); rec.Code != http.StatusSeeOther {
		t.Fatalf("no age band -> %d", rec.Code)
	}
	if fb := e.feedbackFor(p, 1); fb.AgeBand != "" {
		t.Fatalf("age band %q stored for prefer not to say", fb.AgeBand)
	}
}
