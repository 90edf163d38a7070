package mobileapi

import (
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bolt "go.etcd.io/bbolt"
)

// Stand-in until package leaflet lands: content is only known for English and
// rendering fails.

type leafletCache struct{}

type leafletContent struct{ version string }

// leafletDetails are the visit's details printed on the leaflet.
type leafletDetails struct {
	opts     IssueOptions
	officer  doorstep.Officer
	url      string
	issuedAt time.Time
}

func (c *leafletCache) check(cv *doorstep.ContentVersion) error { return nil }

func (c *leafletCache) content(tx *bolt.Tx, lang string) (*leafletContent, error) {
	if lang != DefaultLanguage {
		return nil, doorstep.Errorf(doorstep.EINVALID, "unknown language %q", lang)
	}
	return &leafletContent{version: "builtin"}, nil
}

func (c *leafletCache) render(lc *leafletContent, det leafletDetails) ([]byte, string, error) {
	return []byte("%PDF-1.4\n%stand-in\n"), lc.version, nil
}
