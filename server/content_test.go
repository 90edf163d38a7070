package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/server"
)

// englishBody is the embedded English content with a new version and intro.
func englishBody(t *testing.T, version, intro string) string {
	lib, err := leaflet.Default()
	if err != nil {
		t.Fatal(err)
	}
	en, _ := lib.Get("en")
	c := *en
	c.Version, c.Intro = version, intro
	b, err := leaflet.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type contentInfo struct {
	Language    string  `json:"language"`
	Version     string  `json:"version"`
	Reviewed    bool    `json:"reviewed"`
	PublishedAt *string `json:"published_at"`
}

func (e *env) contentOf(lang string) contentInfo {
	var list []contentInfo
	e.admin("GET", "/api/v1/admin/content", "", http.StatusOK, &list)
	for _, c := range list {
		if c.Language == lang {
			return c
		}
	}
	e.t.Fatalf("no %s in the content list %+v", lang, list)
	return contentInfo{}
}

// An admin publishes new content: refused when malformed (nothing stored),
// used at once by victim pages, refused again for the same version, kept
// across a restart and fed to devices.
func TestPublishContent(t *testing.T) {
	e := newEnv(t, withLeaflets(t))
	before := e.contentOf("en")
	if before.PublishedAt != nil || before.Version == "" {
		t.Fatalf("embedded English listed as %+v", before)
	}

	for name, body := range map[string]string{
		"not json":     "{",
		"no rights":    `{"language":"en","version":"x"}`,
		"unknown":      strings.Replace(englishBody(t, "2026-12.1", "Hello"), `{`, `{"evil":1,`, 1),
		"bad utf8":     strings.Replace(englishBody(t, "2026-12.1", "Hello"), "Hello", "\xff", 1),
		"control char": strings.Replace(englishBody(t, "2026-12.1", "Hello"), "Hello", `Hel\u0007lo`, 1),
	} {
		rec := e.admin("POST", "/api/v1/admin/content", body, http.StatusBadRequest, nil)
		if !strings.Contains(rec.Body.String(), `"code":"invalid"`) {
			t.Errorf("%s: %s", name, rec.Body.String())
		}
	}
	if got, err := e.store.LatestContent(context.Background()); err != nil || len(got) != 0 {
		t.Fatalf("refused content was stored: %d versions, %v", len(got), err)
	}

	const intro = "Published intro text for the victims of this test."
	var info contentInfo
	e.admin("POST", "/api/v1/admin/content", englishBody(t, "2026-12.1", intro), http.StatusCreated, &info)
	if info.Version != "2026-12.1" || info.PublishedAt == nil {
		t.Fatalf("publish answered %+v", info)
	}
	if now := e.contentOf("en"); now.Version != "2026-12.1" || now.PublishedAt == nil {
		t.Fatalf("content list after publish: %+v", now)
	}

	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())
	_, rec := e.open("/F/" + text)
	wantPage(t, rec, http.StatusOK, intro)

	rec = e.admin("POST", "/api/v1/admin/content", englishBody(t, "2026-12.1", "Another"), http.StatusConflict, nil)
	apiErr(t, rec, http.StatusConflict, doorstep.ECONFLICT)

	// The device feed carries the published version.
	var pull struct {
		Changes []doorstep.Change `json:"changes"`
	}
	prec := e.do("GET", "/api/v1/device/pull", nil, p.auth())
	if prec.Code != http.StatusOK {
		t.Fatalf("pull: %d %s", prec.Code, prec.Body)
	}
	if err := json.Unmarshal(prec.Body.Bytes(), &pull); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range pull.Changes {
		if c.Kind == doorstep.ChangeContent && c.Content.Language == "en" && c.Content.Version == "2026-12.1" {
			found = true
		}
	}
	if !found {
		t.Fatal("device pull lacks the published content")
	}

	// A restarted server starts from the published version.
	lib, _ := leaflet.Default()
	again, err := server.New(server.Options{Store: e.store, PublicURL: "https://doorstep.example.org",
		AdminTokenHash: server.HashAdminToken(adminToken), ServerKey: e.key, Leaflets: lib, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = again
	if now := e.contentOf("en"); now.Version != "2026-12.1" {
		t.Fatalf("after restart the content is %+v", now)
	}
}
