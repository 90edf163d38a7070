package leaflet

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// defaultContent is the content set shipped with the binary, one JSON file per
// language (see content/README.md for sources and review status).
//
//go:embed content/*.json
var defaultContent embed.FS

// Limits on content bodies and fields.
const (
	MaxContentSize = 64 << 10 // bytes of one language's JSON body
	maxTitle       = 300      // runes in a title, name or short line
	maxText        = 2000     // runes in a paragraph
	maxLabels      = 100
	maxLabelKey    = 40
	maxLabelValue  = 500
	maxListItems   = 20
	maxPhone       = 30
	maxVersion     = 32
	numRights      = 12
	// DefaultLanguage is printed when nothing better matches, and is the language
	// leaflets fall back to for scripts the PDF renderer cannot draw.
	DefaultLanguage = "en"
)

// requiredLabels returns the labels the renderer prints; content that can be
// printed (PDFSupported) must carry all of them.
func requiredLabels() []string {
	return []string{
		"org", "your_visit", "officer", "collar", "borough", "crime_ref", "date",
		"months", "date_format", "scan", "feedback_url", "feedback_note",
		"your_rights", "enhanced", "time_limits", "vps", "focus_desk", "no_number",
		"contacts", "version", "page", "discreet_title", "code_note",
	}
}

// Right is one of the twelve rights of the Victims' Code.
type Right struct {
	Number int    `json:"number"`
	Title  string `json:"title"` // the right's short title
	Gist   string `json:"gist"`  // one plain sentence or two on what it means
}

// Contact is a service a victim can call. Phone is empty when no sourced number
// is known: the leaflet then prints the "no_number" label instead of a number.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Hours string `json:"hours"`
	Note  string `json:"note"`
}

// Content is the leaflet and victim-page text of one language at one version.
// Treat a *Content obtained from a Library as read-only: libraries share them.
type Content struct {
	Language string `json:"language"` // BCP 47 tag, canonical form ("en", "cy", "pt")
	Version  string `json:"version"`  // content version printed on the leaflet, e.g. "2021-04.1"
	Name     string `json:"name"`     // the language's own name, for a language switcher
	// Direction is "ltr" or "rtl".
	Direction string `json:"direction"`
	// Reviewed is false for a translation no fluent speaker has checked yet.
	Reviewed bool `json:"reviewed"`
	// PDFSupported is false for scripts the PDF renderer cannot shape (Arabic,
	// Urdu, Bengali): their leaflets are printed in English with a line pointing
	// to the victim page, where the browser renders the language. Such content
	// needs only the title, intro and rights; the other fields may be empty.
	PDFSupported    bool      `json:"pdf_supported"`
	Title           string    `json:"title"`
	Intro           string    `json:"intro"`
	Rights          []Right   `json:"rights"`
	EnhancedRights  string    `json:"enhanced_rights"`
	TimeLimits      []string  `json:"time_limits"`
	VictimStatement string    `json:"victim_statement"`
	FocusDesk       Contact   `json:"focus_desk"`
	Contacts        []Contact `json:"contacts"`
	// Labels are short interface texts. Printable content carries every key the
	// renderer prints (see content/README.md); "months" is the twelve month
	// names, comma separated, and "date_format" places {day}, {month}, {year}.
	// English also carries "fallback_note" with {language} and {url}. Optional:
	// "name_en" (the language's English name) and "pdf_name" (the language's own
	// name as fpdf can draw it: for Arabic script, presentation forms in visual
	// order). Other keys are kept for the web pages.
	Labels map[string]string `json:"labels"`
}

// Label returns the label for key, or "".
func (c *Content) Label(key string) string { return c.Labels[key] }

// Library is one content set: every language it holds, and the matcher that
// picks one for a browser's Accept-Language. A Library is immutable and safe
// for concurrent use.
type Library struct {
	byLang  map[string]*Content
	langs   []string // sorted, DefaultLanguage first
	matcher language.Matcher
}

// Default parses the content set embedded in the binary. It parses on every
// call: call it once and keep the Library.
func Default() (*Library, error) {
	entries, err := defaultContent.ReadDir("content")
	if err != nil {
		return nil, err
	}
	var all []*Content
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		body, err := defaultContent.ReadFile("content/" + e.Name())
		if err != nil {
			return nil, err
		}
		c, err := ParseContent(body)
		if err != nil {
			return nil, doorstep.Errorf(doorstep.EINTERNAL, "embedded content %s: %s", e.Name(), doorstep.ErrorMessage(err))
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); c.Language != want {
			return nil, doorstep.Errorf(doorstep.EINTERNAL, "embedded content %s declares language %q", e.Name(), c.Language)
		}
		all = append(all, c)
	}
	return newLibrary(all)
}

// NewLibrary builds a library from parsed contents, one per language. It must
// hold printable English content, which leaflets fall back to.
func NewLibrary(contents ...*Content) (*Library, error) {
	for _, c := range contents {
		if c == nil {
			return nil, doorstep.Errorf(doorstep.EINVALID, "nil content")
		}
		if err := validate(c); err != nil {
			return nil, err
		}
	}
	return newLibrary(contents)
}

func newLibrary(contents []*Content) (*Library, error) {
	l := &Library{byLang: make(map[string]*Content, len(contents))}
	for _, c := range contents {
		if _, dup := l.byLang[c.Language]; dup {
			return nil, doorstep.Errorf(doorstep.EINVALID, "language %q given twice", c.Language)
		}
		l.byLang[c.Language] = c
	}
	en, ok := l.byLang[DefaultLanguage]
	if !ok || !en.PDFSupported {
		return nil, doorstep.Errorf(doorstep.EINVALID, "a content set needs printable %q content", DefaultLanguage)
	}
	l.index()
	return l, nil
}

func (l *Library) index() {
	l.langs = slices.Sorted(maps.Keys(l.byLang))
	i := slices.Index(l.langs, DefaultLanguage)
	copy(l.langs[1:i+1], l.langs[:i])
	l.langs[0] = DefaultLanguage
	tags := make([]language.Tag, len(l.langs))
	for i, lang := range l.langs {
		tags[i] = language.Make(lang)
	}
	l.matcher = language.NewMatcher(tags)
}

// Get returns the content of one language, by its tag as Languages lists it.
func (l *Library) Get(lang string) (*Content, bool) {
	c, ok := l.byLang[lang]
	return c, ok
}

// Languages returns the library's language tags, sorted, DefaultLanguage first.
func (l *Library) Languages() []string { return slices.Clone(l.langs) }

// Match returns the library language that best serves an Accept-Language header
// value (or a bare tag such as "pl" or "pt-BR"), and DefaultLanguage when none
// does or the value cannot be parsed.
func (l *Library) Match(acceptLanguage string) string {
	if acceptLanguage == "" || len(acceptLanguage) > 1024 {
		return DefaultLanguage
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return DefaultLanguage
	}
	_, i, conf := l.matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(l.langs) {
		return DefaultLanguage
	}
	return l.langs[i]
}

// With returns a copy of the library with c added or replacing the content of
// its language (an admin publishing a new version). c must come from
// ParseContent (or have passed it): With does not validate it. Replacing English
// with content that cannot be printed is ignored, since leaflets fall back to it.
func (l *Library) With(c *Content) *Library {
	n := &Library{byLang: maps.Clone(l.byLang)}
	if c != nil && (c.Language != DefaultLanguage || c.PDFSupported) {
		n.byLang[c.Language] = c
	}
	n.index()
	return n
}

// ParseContent parses and checks one language's content body: at most
// MaxContentSize bytes of valid UTF-8 JSON, no unknown fields, no trailing data,
// all twelve rights numbered 1 to 12, fields within their limits, no control
// characters, and, for printable content, every label the renderer prints. Text
// is normalised to NFC. Every refusal is a doorstep.EINVALID error whose message
// says what is wrong.
func ParseContent(body []byte) (*Content, error) {
	if len(body) > MaxContentSize {
		return nil, doorstep.Errorf(doorstep.EINVALID, "content is %d bytes, over the %d byte limit", len(body), MaxContentSize)
	}
	if !utf8.Valid(body) {
		return nil, doorstep.Errorf(doorstep.EINVALID, "content is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var c Content
	if err := dec.Decode(&c); err != nil {
		return nil, doorstep.Errorf(doorstep.EINVALID, "content is not valid: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, doorstep.Errorf(doorstep.EINVALID, "content has data after its JSON object")
	}
	normalize(&c)
	if err := validate(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// jsonProblem words a decoding error without echoing large input back.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "JSON syntax error at byte " + strconv.Itoa(int(syn.Offset))
	case errors.As(err, &typ):
		return "field " + typ.Field + " must be " + typ.Type.String()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON ends early"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

// Marshal encodes content in the form ParseContent reads, after checking it.
func Marshal(c *Content) ([]byte, error) {
	if c == nil {
		return nil, doorstep.Errorf(doorstep.EINVALID, "nil content")
	}
	if err := validate(c); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, doorstep.Errorf(doorstep.EINVALID, "cannot encode content: %v", err)
	}
	if b.Len() > MaxContentSize {
		return nil, doorstep.Errorf(doorstep.EINVALID, "encoded content is %d bytes, over the %d byte limit", b.Len(), MaxContentSize)
	}
	return b.Bytes(), nil
}

// eachText calls fn with a pointer to every human-readable string of c.
func eachText(c *Content, fn func(field string, s *string)) {
	fn("name", &c.Name)
	fn("title", &c.Title)
	fn("intro", &c.Intro)
	for i := range c.Rights {
		fn("rights["+strconv.Itoa(i)+"].title", &c.Rights[i].Title)
		fn("rights["+strconv.Itoa(i)+"].gist", &c.Rights[i].Gist)
	}
	fn("enhanced_rights", &c.EnhancedRights)
	for i := range c.TimeLimits {
		fn("time_limits["+strconv.Itoa(i)+"]", &c.TimeLimits[i])
	}
	fn("victim_statement", &c.VictimStatement)
	contact := func(name string, ct *Contact) {
		fn(name+".name", &ct.Name)
		fn(name+".phone", &ct.Phone)
		fn(name+".hours", &ct.Hours)
		fn(name+".note", &ct.Note)
	}
	contact("focus_desk", &c.FocusDesk)
	for i := range c.Contacts {
		contact("contacts["+strconv.Itoa(i)+"]", &c.Contacts[i])
	}
	for _, k := range slices.Sorted(maps.Keys(c.Labels)) {
		v := c.Labels[k]
		fn("labels."+k, &v)
		if v != c.Labels[k] { // only normalize writes: validate must not write
			c.Labels[k] = v
		}
	}
}

func normalize(c *Content) {
	eachText(c, func(_ string, s *string) { *s = norm.NFC.String(*s) })
}

func invalid(format string, args ...any) error {
	return doorstep.Errorf(doorstep.EINVALID, format, args...)
}

// validate checks c without changing it.
func validate(c *Content) error {
	tag, err := language.Parse(c.Language)
	if err != nil || c.Language == "" || len(c.Language) > 35 {
		return invalid("language %q is not a BCP 47 tag", clip(c.Language))
	}
	if tag.String() != c.Language {
		return invalid("language %q must be written %q", clip(c.Language), tag.String())
	}
	if c.Version == "" || len(c.Version) > maxVersion || strings.IndexFunc(c.Version, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_')
	}) >= 0 {
		return invalid("version %q must be 1 to %d letters, digits, '.', '-' or '_'", clip(c.Version), maxVersion)
	}
	switch c.Direction {
	case "ltr":
	case "rtl":
		if c.PDFSupported {
			return invalid("right-to-left content cannot be printed: set pdf_supported to false")
		}
	default:
		return invalid("direction must be \"ltr\" or \"rtl\", not %q", clip(c.Direction))
	}
	if len(c.Rights) != numRights {
		return invalid("content has %d rights; the Victims' Code has %d", len(c.Rights), numRights)
	}
	for i, r := range c.Rights {
		if r.Number != i+1 {
			return invalid("rights[%d] has number %d; rights must be numbered 1 to %d in order", i, r.Number, numRights)
		}
		if strings.TrimSpace(r.Title) == "" || strings.TrimSpace(r.Gist) == "" {
			return invalid("right %d needs a title and a gist", r.Number)
		}
	}
	if len(c.TimeLimits) > maxListItems || len(c.Contacts) > maxListItems {
		return invalid("at most %d time limits and %d contacts", maxListItems, maxListItems)
	}
	if len(c.Labels) > maxLabels {
		return invalid("content has %d labels, over the limit of %d", len(c.Labels), maxLabels)
	}
	for k := range c.Labels {
		if k == "" || len(k) > maxLabelKey || strings.IndexFunc(k, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
		}) >= 0 {
			return invalid("label key %q must be 1 to %d of a-z, 0-9 and '_'", clip(k), maxLabelKey)
		}
	}
	var bad error
	eachText(c, func(field string, s *string) {
		if bad != nil {
			return
		}
		limit := maxTitle
		switch {
		case field == "intro" || field == "enhanced_rights" || field == "victim_statement" || strings.HasSuffix(field, ".gist"):
			limit = maxText
		case strings.HasPrefix(field, "labels."):
			limit = maxLabelValue
		case strings.HasSuffix(field, ".phone"):
			limit = maxPhone
		}
		if n := utf8.RuneCountInString(*s); n > limit {
			bad = invalid("%s is %d characters, over the limit of %d", field, n, limit)
			return
		}
		if i := strings.IndexFunc(*s, badRune); i >= 0 {
			r, _ := utf8.DecodeRuneInString((*s)[i:])
			bad = invalid("%s contains the character U+%04X, which is not allowed", field, r)
			return
		}
		if strings.HasSuffix(field, ".phone") && strings.IndexFunc(*s, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r == ' ' || r == '+' || r == '(' || r == ')' || r == '-')
		}) >= 0 {
			bad = invalid("%s %q may hold only digits, spaces and + ( ) -", field, *s)
		}
	})
	if bad != nil {
		return bad
	}
	if strings.TrimSpace(c.Name) == "" || strings.TrimSpace(c.Title) == "" {
		return invalid("content needs a name and a title")
	}
	if c.PDFSupported {
		if err := validatePrintable(c); err != nil {
			return err
		}
	}
	return nil
}

// validatePrintable checks what the PDF renderer needs.
func validatePrintable(c *Content) error {
	switch {
	case strings.TrimSpace(c.Intro) == "":
		return invalid("printable content needs an intro")
	case strings.TrimSpace(c.EnhancedRights) == "":
		return invalid("printable content needs enhanced_rights")
	case len(c.TimeLimits) == 0:
		return invalid("printable content needs time_limits")
	case strings.TrimSpace(c.VictimStatement) == "":
		return invalid("printable content needs victim_statement")
	case strings.TrimSpace(c.FocusDesk.Name) == "" || strings.TrimSpace(c.FocusDesk.Hours) == "":
		return invalid("printable content needs the focus desk's name and hours")
	case len(c.Contacts) == 0:
		return invalid("printable content needs contacts")
	}
	for i, t := range c.TimeLimits {
		if strings.TrimSpace(t) == "" {
			return invalid("time_limits[%d] is empty", i)
		}
	}
	for i, ct := range c.Contacts {
		if strings.TrimSpace(ct.Name) == "" {
			return invalid("contacts[%d] needs a name", i)
		}
	}
	for _, k := range requiredLabels() {
		if strings.TrimSpace(c.Labels[k]) == "" {
			return invalid("printable content needs the label %q", k)
		}
	}
	if n := len(strings.Split(c.Labels["months"], ",")); n != 12 {
		return invalid("label \"months\" has %d comma-separated names, not 12", n)
	}
	for _, p := range []string{"{day}", "{month}", "{year}"} {
		if !strings.Contains(c.Labels["date_format"], p) {
			return invalid("label \"date_format\" lacks %s", p)
		}
	}
	for _, p := range []string{"{page}", "{pages}"} {
		if !strings.Contains(c.Labels["page"], p) {
			return invalid("label \"page\" lacks %s", p)
		}
	}
	if c.Language == DefaultLanguage {
		note := c.Labels["fallback_note"]
		if !strings.Contains(note, "{language}") || !strings.Contains(note, "{url}") {
			return invalid("%q content needs the label \"fallback_note\" with {language} and {url}", DefaultLanguage)
		}
	}
	return nil
}

// badRune refuses control characters (text is wrapped by the renderer, so
// newlines are not needed), the replacement character that marks a broken
// conversion, and code points that are not characters.
func badRune(r rune) bool {
	return unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r) ||
		(r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
