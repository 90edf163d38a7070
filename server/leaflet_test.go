package server_test

import (
	"bytes"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/server"
)

func withLeaflets(t testing.TB) func(*server.Options) {
	lib, err := leaflet.Default()
	if err != nil {
		t.Fatal(err)
	}
	return func(o *server.Options) { o.Leaflets = lib }
}

func TestVictimPageShowsRightsAndLeaflet(t *testing.T) {
	e := newEnv(t, withLeaflets(t))
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	m := issueMutation(p, 1, text, tok)
	m.Issuance.CrimeRef = "CR/1234/26"
	if rec := e.push(p, m); rec.Code != 200 {
		t.Fatalf("push %d %s", rec.Code, rec.Body)
	}
	_, rec := e.open("/F/" + text)
	wantPage(t, rec, 200, "1. To be able to understand and to be understood", "Victim Support Supportline", `href="tel:08081689111"`,
		`href="/F/`+text+`/leaflet.pdf"`, `<section class="rights" lang="en" dir="ltr"`)
	if strings.Contains(rec.Body.String(), "CR/1234/26") {
		t.Fatal("the victim page shows the crime reference")
	}

	// an unsynced code follows the browser's language
	other, _ := e.sign(p, 2, t0())
	req := http.Header{"Accept-Language": {"cy-GB, en;q=0.5"}}
	rec = e.do("GET", "/F/"+other, nil, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<section class="rights" lang="cy"`) {
		t.Fatalf("Welsh browser -> %d, no Welsh rights section", rec.Code)
	}

	rec = e.do("GET", "/F/"+text+"/leaflet.pdf", nil, nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF")) {
		t.Fatalf("leaflet.pdf -> %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = bytes.NewReader(rec.Body.Bytes())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		txt := string(out)
		if !strings.Contains(txt, "Alex Smith") || !strings.Contains(txt, "1234AB") || strings.Contains(txt, "CR/1234/26") {
			t.Fatalf("leaflet text: want the officer, not the crime ref:\n%s", txt)
		}
	}
	// refused codes get pages, not PDFs
	mid := len(text) / 2
	_, rec = e.open("/F/" + text[:mid] + flip(text[mid]) + text[mid+1:] + "/leaflet.pdf")
	wantPage(t, rec, 404, "could not find this feedback code")
}

func TestLeafletDownloadsRateLimited(t *testing.T) {
	e := newEnv(t, withLeaflets(t), func(o *server.Options) { o.LeafletsPerMinute = 1 })
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	if rec := e.do("GET", "/F/"+text+"/leaflet.pdf", nil, nil); rec.Code != 200 {
		t.Fatalf("first download %d", rec.Code)
	}
	_, rec := e.open("/F/" + text + "/leaflet.pdf")
	wantPage(t, rec, http.StatusTooManyRequests, "wait a minute")
}

func TestNoLeafletsNoLink(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	_, rec := e.open("/F/" + text)
	if strings.Contains(rec.Body.String(), "leaflet.pdf") {
		t.Fatal("a link to a leaflet the server cannot render")
	}
	_, rec = e.open("/F/" + text + "/leaflet.pdf")
	wantPage(t, rec, 404)
}
