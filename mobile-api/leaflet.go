package mobileapi

import (
	"bytes"
	"sort"
	"strings"
	"sync"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/qrcode"
	bolt "go.etcd.io/bbolt"
)

// leafletCache holds what rendering needs and is costly to build: the renderer
// (fonts read once per process), the embedded content set, and the content set
// with the pulled versions swapped in, rebuilt only when a pull changes them.
type leafletCache struct {
	once     sync.Once
	renderer *leaflet.Renderer
	builtin  *leaflet.Library
	err      error

	mu     sync.Mutex
	key    string           // the pulled versions lib was built from
	lib    *leaflet.Library // builtin with the pulled content swapped in
	parsed map[string]*leaflet.Content
}

// leafletContent is the content picked for one leaflet.
type leafletContent struct {
	content  *leaflet.Content
	fallback *leaflet.Content // English, printed when content cannot be
}

// leafletDetails are the visit's details printed on the leaflet.
type leafletDetails struct {
	opts     IssueOptions
	officer  doorstep.Officer
	url      string
	qr       *qrcode.Code // url, encoded once for both the PNG and the leaflet
	issuedAt time.Time
}

func (c *leafletCache) init() error {
	c.once.Do(func() {
		if c.builtin, c.err = leaflet.Default(); c.err != nil {
			return
		}
		c.renderer, c.err = leaflet.NewRenderer()
	})
	return c.err
}

// check refuses pulled content the device could not print or show.
func (c *leafletCache) check(cv *doorstep.ContentVersion) error {
	lc, err := leaflet.ParseContent(cv.Body)
	if err != nil {
		return err
	}
	if lc.Language != cv.Language {
		return doorstep.Errorf(doorstep.EINVALID, "content for %q declares language %q", cv.Language, lc.Language)
	}
	return nil
}

// content picks the content for lang: the version last pulled for it, else the
// one built in. lang may be any tag the content set matches ("pt-BR" gets
// "pt"); a language the device has no content for is refused, naming those it
// has.
func (c *leafletCache) content(tx *bolt.Tx, lang string) (*leafletContent, string, error) {
	lib, err := c.library(tx)
	if err != nil {
		return nil, "", err
	}
	tag := strings.ToLower(lang)
	lc, ok := lib.Get(tag)
	if !ok {
		m := lib.Match(tag)
		if m != leaflet.DefaultLanguage || tag == "en" || strings.HasPrefix(tag, "en-") {
			lc, ok = lib.Get(m)
		}
	}
	if !ok {
		return nil, "", doorstep.Errorf(doorstep.EINVALID, "unknown language %.16q: leaflets are available in %s", lang, strings.Join(lib.Languages(), ", "))
	}
	en, _ := lib.Get(leaflet.DefaultLanguage)
	return &leafletContent{content: lc, fallback: en}, lc.Language, nil
}

// library is the built-in content set with the pulled versions swapped in.
func (c *leafletCache) library(tx *bolt.Tx) (*leaflet.Library, error) {
	if err := c.init(); err != nil {
		return nil, doorstep.Errorf(doorstep.EINTERNAL, "the built-in leaflet content cannot be read: %v", err)
	}
	var pulled []*doorstep.ContentVersion
	var key strings.Builder
	err := bucket(tx, bucketContent).ForEach(func(_, v []byte) error {
		var cv doorstep.ContentVersion
		if err := jsonUnmarshal(v, &cv); err != nil {
			return err
		}
		pulled = append(pulled, &cv)
		key.WriteString(cv.Language + "@" + cv.Version + "\n")
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lib != nil && c.key == key.String() {
		return c.lib, nil
	}
	sort.Slice(pulled, func(i, j int) bool { return pulled[i].Language < pulled[j].Language })
	lib := c.builtin
	parsed := make(map[string]*leaflet.Content, len(pulled))
	for _, cv := range pulled {
		id := cv.Language + "@" + cv.Version
		lc := c.parsed[id]
		if lc == nil {
			var err error
			if lc, err = leaflet.ParseContent(cv.Body); err != nil {
				continue // Sync stores only content that parses; keep the built-in one
			}
		}
		parsed[id] = lc
		lib = lib.With(lc)
	}
	c.key, c.lib, c.parsed = key.String(), lib, parsed
	return lib, nil
}

// render renders the leaflet as PDF and returns it with the content version
// it printed.
func (c *leafletCache) render(lc *leafletContent, det leafletDetails) ([]byte, string, error) {
	var buf bytes.Buffer
	version, err := c.renderer.Render(&buf, lc.content, leaflet.Options{
		Format:       det.opts.Format,
		LargePrint:   det.opts.LargePrint,
		Discreet:     det.opts.Discreet,
		Language:     lc.content.Language,
		OfficerName:  det.officer.Name,
		CollarNumber: det.officer.CollarNumber,
		Borough:      det.officer.Borough,
		CrimeRef:     det.opts.CrimeRef,
		IssuedAt:     det.issuedAt,
		FeedbackURL:  det.url,
		QR:           det.qr,
		Fallback:     lc.fallback,
	})
	if err != nil {
		return nil, "", err
	}
	return buf.Bytes(), version, nil
}
