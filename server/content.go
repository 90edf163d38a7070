package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/gin-gonic/gin"
)

// library is the Victims' Code content victim pages and leaflet downloads use
// now: the embedded set with every published version applied. Nil when the
// server runs without leaflets.
func (s *Server) library() *leaflet.Library { return s.leaflets.Load() }

// applyPublished lays the store's latest published content over the embedded
// set, at start: what an admin published survives restarts.
func (s *Server) applyPublished(ctx context.Context, lib *leaflet.Library) (*leaflet.Library, error) {
	published, err := s.store.LatestContent(ctx)
	if err != nil {
		return nil, fmt.Errorf("server: reading published leaflet content: %w", err)
	}
	for _, cv := range published {
		c, err := leaflet.ParseContent(cv.Body)
		if err != nil {
			return nil, fmt.Errorf("server: published content %s %s no longer parses: %w", cv.Language, cv.Version, err)
		}
		lib = lib.With(c)
	}
	return lib, nil
}

// contentInfo describes one language's content in the admin API.
type contentInfo struct {
	Language     string     `json:"language"`
	Version      string     `json:"version"`
	Name         string     `json:"name"`
	Reviewed     bool       `json:"reviewed"`
	PDFSupported bool       `json:"pdf_supported"`
	PublishedAt  *time.Time `json:"published_at,omitempty"` // nil: the embedded default
}

func infoOf(c *leaflet.Content, at *time.Time) contentInfo {
	return contentInfo{Language: c.Language, Version: c.Version, Name: c.Name, Reviewed: c.Reviewed, PDFSupported: c.PDFSupported, PublishedAt: at}
}

// handleContentList lists the content in force, one entry per language.
func (s *Server) handleContentList() gin.HandlerFunc {
	return func(c *gin.Context) {
		lib := s.library()
		if lib == nil {
			c.JSON(http.StatusOK, []contentInfo{})
			return
		}
		published, err := s.store.LatestContent(c.Request.Context())
		if err != nil {
			s.apiError(c, err)
			return
		}
		at := map[string]time.Time{}
		for _, cv := range published {
			at[cv.Language+"\x00"+cv.Version] = cv.PublishedAt
		}
		out := []contentInfo{}
		for _, lang := range lib.Languages() {
			lc, _ := lib.Get(lang)
			var when *time.Time
			if t, ok := at[lc.Language+"\x00"+lc.Version]; ok {
				when = &t
			}
			out = append(out, infoOf(lc, when))
		}
		c.JSON(http.StatusOK, out)
	}
}

// handleContentPublish publishes a new version of one language's content (the
// leaflet package's JSON, checked strictly). Victim pages use it at once;
// devices receive it on their next pull and print it from then on.
func (s *Server) handleContentPublish() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.library() == nil {
			s.apiError(c, doorstep.Errorf(doorstep.EUNAVAILABLE, "this server runs without leaflet content"))
			return
		}
		body, err := readLimited(c, leaflet.MaxContentSize)
		if err != nil {
			s.apiError(c, err)
			return
		}
		lc, err := leaflet.ParseContent(body)
		if err != nil {
			s.apiError(c, err)
			return
		}
		canonical, err := leaflet.Marshal(lc)
		if err != nil {
			s.apiError(c, err)
			return
		}
		s.contentMu.Lock()
		defer s.contentMu.Unlock()
		next := s.library().With(lc)
		if got, _ := next.Get(lc.Language); got != lc {
			s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "content for %q cannot replace the current one (English must stay printable)", lc.Language))
			return
		}
		cv := &doorstep.ContentVersion{Language: lc.Language, Version: lc.Version, Body: canonical, PublishedAt: s.now().UTC()}
		if err := s.store.PublishContent(c.Request.Context(), cv); err != nil {
			s.apiError(c, err)
			return
		}
		s.leaflets.Store(next)
		s.log.Info("leaflet content published", "language", cv.Language, "version", cv.Version, "actor", actorOf(c))
		c.JSON(http.StatusCreated, infoOf(lc, &cv.PublishedAt))
	}
}
