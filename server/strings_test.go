package server

import (
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/doorstep-project/doorstep/leaflet"
)

// TestCatalogComplete checks every language's strings against English: none
// empty, the same format verbs, the same refusals; the same languages as the
// leaflet content, with the same direction; only English marked reviewed.
func TestCatalogComplete(t *testing.T) {
	c := newCatalog()
	en := c.get("en")
	verbs := regexp.MustCompile(`%\[\d\][sd]`)
	lib, err := leaflet.Default()
	if err != nil {
		t.Fatal(err)
	}
	langs := slices.Clone(c.order)
	sort.Strings(langs)
	want := slices.Clone(lib.Languages())
	sort.Strings(want)
	if !slices.Equal(langs, want) {
		t.Fatalf("victim pages speak %v, the leaflets %v", langs, want)
	}
	for _, lang := range c.order {
		m := c.get(lang)
		if m.Lang != lang {
			t.Fatalf("catalog entry %q holds %q", lang, m.Lang)
		}
		lc, _ := lib.Get(lang)
		if m.Dir != lc.Direction {
			t.Errorf("%s: dir %q, leaflet content says %q", lang, m.Dir, lc.Direction)
		}
		if m.Reviewed != (lang == "en") {
			t.Errorf("%s: Reviewed %v: only English is reviewed so far", lang, m.Reviewed)
		}
		mv, ev := reflect.ValueOf(m).Elem(), reflect.ValueOf(en).Elem()
		for i := 0; i < mv.NumField(); i++ {
			f := mv.Type().Field(i)
			switch f.Type.Kind() {
			case reflect.String:
				got, ref := mv.Field(i).String(), ev.Field(i).String()
				if strings.TrimSpace(got) == "" {
					t.Errorf("%s: %s is empty", lang, f.Name)
				}
				if g, w := verbs.FindAllString(got, -1), verbs.FindAllString(ref, -1); !sameSet(g, w) {
					t.Errorf("%s: %s has verbs %v, English %v", lang, f.Name, g, w)
				}
			case reflect.Array:
				for j := 0; j < mv.Field(i).Len(); j++ {
					if mv.Field(i).Index(j).String() == "" {
						t.Errorf("%s: %s[%d] is empty", lang, f.Name, j)
					}
				}
			}
		}
		for code := range en.Refusals {
			r, ok := m.Refusals[code]
			if !ok || r.Title == "" || r.Body == "" {
				t.Errorf("%s: refusal %s missing", lang, code)
			}
		}
		if len(m.Refusals) != len(en.Refusals) || m.PageNotFound.Title == "" || m.CSRF.Title == "" {
			t.Errorf("%s: refusals incomplete", lang)
		}
	}
}

// TestTitlesAreNeutral: a victim page's <title> shows in tab lists and
// history, so no title, in any language, names the police.
func TestTitlesAreNeutral(t *testing.T) {
	police := []string{"police", "polic", "heddlu", "polis", "شرطة", "پولیس", "পুলিশ", "officer", "swyddog", "funkcjonariusz", "ofițer", "agente", "memur", "ضابط", "افسر", "অফিসার"}
	c := newCatalog()
	for _, lang := range c.order {
		m := c.get(lang)
		titles := []string{m.PageTitle, m.ThanksTitle, m.AlreadyTitle, m.ContactTitle, m.ContactSentTitle, m.PageNotFound.Title, m.CSRF.Title}
		for _, r := range m.Refusals {
			titles = append(titles, r.Title)
		}
		for _, title := range titles {
			for _, p := range police {
				if strings.Contains(strings.ToLower(title), p) {
					t.Errorf("%s: title %q names the police (%q)", lang, title, p)
				}
			}
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func TestCatalogMatch(t *testing.T) {
	c := newCatalog()
	for in, want := range map[string]string{
		"":                        "en",
		"pl-PL,pl;q=0.9,en;q=0.8": "pl",
		"pt-BR":                   "pt",
		"ar-EG,ar;q=0.9":          "ar",
		"ur-PK":                   "ur",
		"cy-GB,en-GB;q=0.5":       "cy",
		"de-DE,fr;q=0.8":          "en",
		"en-GB,ro;q=0.5":          "en",
		"ro":                      "ro",
		";;;garbage":              "en",
		strings.Repeat("x", 600):  "en",
	} {
		if got := c.match(in); got != want {
			t.Errorf("match(%.40q) = %q, want %q", in, got, want)
		}
	}
}
