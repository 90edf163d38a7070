package leaflet

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
)

func defaultLibrary(t testing.TB) *Library {
	t.Helper()
	lib, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func TestDefaultLibrary(t *testing.T) {
	lib := defaultLibrary(t)
	want := []string{"en", "ar", "bn", "cy", "es", "pl", "pt", "ro", "tr", "ur"}
	if got := lib.Languages(); !slices.Equal(got, want) {
		t.Fatalf("Languages() = %v, want %v", got, want)
	}
	type status struct {
		reviewed, pdf bool
		dir           string
	}
	wantStatus := map[string]status{
		"en": {true, true, "ltr"}, "cy": {false, true, "ltr"},
		"pl": {false, true, "ltr"}, "ro": {false, true, "ltr"}, "pt": {false, true, "ltr"},
		"es": {false, true, "ltr"}, "tr": {false, true, "ltr"},
		"ar": {false, false, "rtl"}, "ur": {false, false, "rtl"}, "bn": {false, false, "ltr"},
	}
	for _, lang := range want {
		c, ok := lib.Get(lang)
		if !ok || c.Language != lang {
			t.Fatalf("Get(%q) = %v, %v", lang, c, ok)
		}
		if got := (status{c.Reviewed, c.PDFSupported, c.Direction}); got != wantStatus[lang] {
			t.Errorf("%s: reviewed, pdf, direction = %v, want %v", lang, got, wantStatus[lang])
		}
		if c.Version != "2021-04.1" {
			t.Errorf("%s: version %q", lang, c.Version)
		}
		if len(c.Rights) != 12 {
			t.Errorf("%s: %d rights", lang, len(c.Rights))
		}
	}
	if _, ok := lib.Get("fr"); ok {
		t.Error("Get(fr) found content")
	}
}

// TestContactsAreSourced pins every printed number to the facts file: a number
// that is not sourced must never be printed.
func TestContactsAreSourced(t *testing.T) {
	sourced := map[string]bool{"08 08 16 89 111": true, "0808 2000 247": true, "0300 123 2040": true, "999": true, "101": true, "0800 1111": true}
	lib := defaultLibrary(t)
	for _, lang := range lib.Languages() {
		c, _ := lib.Get(lang)
		if c.FocusDesk.Phone != "" {
			t.Errorf("%s: Victim Focus Desk number %q is not in the sources", lang, c.FocusDesk.Phone)
		}
		if !c.PDFSupported {
			continue
		}
		var phones []string
		for _, ct := range c.Contacts {
			if !sourced[ct.Phone] {
				t.Errorf("%s: %s has unsourced number %q", lang, ct.Name, ct.Phone)
			}
			phones = append(phones, ct.Phone)
		}
		for p := range sourced {
			if !slices.Contains(phones, p) {
				t.Errorf("%s: contacts lack %s", lang, p)
			}
		}
		all, _ := json.Marshal(c)
		if !bytes.Contains(all, []byte("18001 101")) {
			t.Errorf("%s: no textphone 18001 101", lang)
		}
		if !strings.Contains(c.Labels["no_number"], "101") {
			t.Errorf("%s: no_number label %q does not point to 101", lang, c.Labels["no_number"])
		}
	}
}

func TestRomanianUsesCommaBelow(t *testing.T) {
	c, _ := defaultLibrary(t).Get("ro")
	body, _ := json.Marshal(c)
	if bytes.ContainsAny(body, "şţŞŢ") {
		t.Error("Romanian content uses cedilla ş/ţ instead of comma-below ș/ț")
	}
	if !bytes.ContainsRune(body, 'ș') || !bytes.ContainsRune(body, 'ț') {
		t.Error("Romanian content lacks ș or ț")
	}
}

func TestMatch(t *testing.T) {
	lib := defaultLibrary(t)
	for _, tc := range []struct{ accept, want string }{
		{"", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"cy", "cy"},
		{"cy-GB,en-GB;q=0.8", "cy"},
		{"pl-PL,pl;q=0.9,en;q=0.5", "pl"},
		{"pt-BR", "pt"},
		{"pt-PT", "pt"},
		{"es-419", "es"},
		{"fr-FR,ro;q=0.5", "ro"},
		{"tr", "tr"},
		{"ar-EG", "ar"},
		{"ur-PK", "ur"},
		{"bn-BD", "bn"},
		{"zh-CN", "en"},
		{"*", "en"},
		{";;;q=x", "en"},
		{strings.Repeat("en,", 2000), "en"},
	} {
		if got := lib.Match(tc.accept); got != tc.want {
			t.Errorf("Match(%.30q) = %q, want %q", tc.accept, got, tc.want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	lib := defaultLibrary(t)
	for _, lang := range lib.Languages() {
		c, _ := lib.Get(lang)
		body, err := Marshal(c)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		back, err := ParseContent(body)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("%s: round trip changed the content", lang)
		}
	}
	if _, err := Marshal(&Content{Language: "en"}); doorstep.ErrorCode(err) != doorstep.EINVALID {
		t.Errorf("Marshal of invalid content: %v", err)
	}
}

func TestWith(t *testing.T) {
	lib := defaultLibrary(t)
	old, _ := lib.Get("pl")
	body, _ := Marshal(old)
	next, err := ParseContent(bytes.Replace(body, []byte(`"2021-04.1"`), []byte(`"2026-02.1"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	lib2 := lib.With(next)
	if c, _ := lib2.Get("pl"); c.Version != "2026-02.1" {
		t.Errorf("With: pl version %q", c.Version)
	}
	if c, _ := lib.Get("pl"); c.Version != "2021-04.1" {
		t.Errorf("With changed the original library: %q", c.Version)
	}

	fr := *old
	fr.Language = "fr"
	lib3 := lib.With(&fr)
	if !slices.Contains(lib3.Languages(), "fr") || lib3.Match("fr-CA") != "fr" {
		t.Errorf("With(fr): languages %v, Match %q", lib3.Languages(), lib3.Match("fr-CA"))
	}
	if lib.Match("fr-CA") != "en" {
		t.Error("With changed the original matcher")
	}

	ar, _ := lib.Get("ar")
	notPrintable := *ar
	notPrintable.Language = "en"
	if c, _ := lib.With(&notPrintable).Get("en"); !c.PDFSupported {
		t.Error("With replaced English by content that cannot be printed")
	}
}

func TestParseContentNormalizesToNFC(t *testing.T) {
	c, _ := defaultLibrary(t).Get("ro")
	body, _ := Marshal(c)
	// ș written as s + combining comma below.
	body = bytes.Replace(body, []byte("Informații"), []byte("Informat\u0326ii"), 1)
	got, err := ParseContent(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Rights[0].Gist, "Informații") || strings.ContainsRune(got.Rights[0].Gist, '\u0326') {
		t.Errorf("gist not normalized: %q", got.Rights[0].Gist)
	}
}

func TestParseContentRejects(t *testing.T) {
	en, _ := defaultLibrary(t).Get("en")
	good, err := Marshal(en)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	labels := func(m map[string]any) map[string]any { return m["labels"].(map[string]any) }
	rights := func(m map[string]any) []any { return m["rights"].([]any) }

	for _, tc := range []struct {
		name, want string
		body       []byte
	}{
		{"empty", "JSON ends early", nil},
		{"not JSON", "syntax", []byte("leaflet")},
		{"array", "must be", []byte("[]")},
		{"null", "BCP 47", []byte("null")},
		{"too large", "over the 65536 byte limit", append(bytes.Repeat([]byte(" "), MaxContentSize), good...)},
		{"invalid UTF-8", "not valid UTF-8", bytes.Replace(good, []byte("Officer"), []byte("Off\xffcer"), 1)},
		{"trailing data", "data after", append(slices.Clone(good), []byte(`{}`)...)},
		{"unknown field", "unknown field \"colour\"", edit(func(m map[string]any) { m["colour"] = "blue" })},
		{"unknown contact field", "unknown field \"email\"", edit(func(m map[string]any) { m["focus_desk"].(map[string]any)["email"] = "x" })},
		{"wrong type", "field rights", edit(func(m map[string]any) { m["rights"] = "all of them" })},
		{"eleven rights", "has 11 rights", edit(func(m map[string]any) { m["rights"] = rights(m)[:11] })},
		{"thirteen rights", "has 13 rights", edit(func(m map[string]any) { m["rights"] = append(rights(m), rights(m)[0]) })},
		{"misnumbered", "numbered 1 to 12", edit(func(m map[string]any) { rights(m)[4].(map[string]any)["number"] = 7 })},
		{"empty gist", "needs a title and a gist", edit(func(m map[string]any) { rights(m)[2].(map[string]any)["gist"] = " " })},
		{"bad language", "not a BCP 47 tag", edit(func(m map[string]any) { m["language"] = "english!" })},
		{"non-canonical language", "must be written \"en\"", edit(func(m map[string]any) { m["language"] = "EN" })},
		{"bad version", "version", edit(func(m map[string]any) { m["version"] = "2021 April" })},
		{"bad direction", "direction", edit(func(m map[string]any) { m["direction"] = "up" })},
		{"printable rtl", "right-to-left", edit(func(m map[string]any) { m["direction"] = "rtl" })},
		{"missing label", "label \"scan\"", edit(func(m map[string]any) { delete(labels(m), "scan") })},
		{"eleven months", "not 12", edit(func(m map[string]any) { labels(m)["months"] = "a,b,c,d,e,f,g,h,i,j,k" })},
		{"date format", "lacks {year}", edit(func(m map[string]any) { labels(m)["date_format"] = "{day} {month}" })},
		{"fallback note", "fallback_note", edit(func(m map[string]any) { labels(m)["fallback_note"] = "English only" })},
		{"label key", "label key", edit(func(m map[string]any) { labels(m)["Scan"] = "x" })},
		{"long label", "over the limit of 500", edit(func(m map[string]any) { labels(m)["scan"] = strings.Repeat("x", 501) })},
		{"control character", "U+0007", edit(func(m map[string]any) { m["intro"] = "Ring\abell" })},
		{"newline", "U+000A", edit(func(m map[string]any) { m["title"] = "Two\nlines" })},
		{"replacement character", "U+FFFD", edit(func(m map[string]any) { m["title"] = "Broken \ufffd" })},
		{"bad phone", "may hold only digits", edit(func(m map[string]any) { m["contacts"].([]any)[0].(map[string]any)["phone"] = "call us" })},
		{"long intro", "over the limit of 2000", edit(func(m map[string]any) { m["intro"] = strings.Repeat("word ", 401) })},
		{"no contacts", "needs contacts", edit(func(m map[string]any) { m["contacts"] = []any{} })},
		{"no title", "name and a title", edit(func(m map[string]any) { m["title"] = "" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseContent(tc.body)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if doorstep.ErrorCode(err) != doorstep.EINVALID {
				t.Errorf("code %q, want %q (%v)", doorstep.ErrorCode(err), doorstep.EINVALID, err)
			}
			if msg := doorstep.ErrorMessage(err); !strings.Contains(msg, tc.want) {
				t.Errorf("message %q lacks %q", msg, tc.want)
			}
		})
	}
}

func TestWebOnlyContentNeedsOnlyRights(t *testing.T) {
	ar, _ := defaultLibrary(t).Get("ar")
	if ar.EnhancedRights != "" || len(ar.Contacts) != 0 {
		t.Fatal("expected web-only Arabic content without leaflet sections")
	}
	if ar.Labels["pdf_name"] == "" {
		t.Error("Arabic lacks pdf_name")
	}
}
