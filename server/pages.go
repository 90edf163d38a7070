package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

//go:embed web/*.html web/openapi.json web/static/*
var webFS embed.FS

// pageNames are the victim page templates, each drawn inside web/layout.html.
const (
	pageFeedback = "feedback"
	pageMessage  = "message"
)

// parsePages parses every page with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template)
	for _, name := range []string{pageFeedback, pageMessage} {
		t, err := template.New(name).ParseFS(webFS, "web/layout.html", "web/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("server: parsing page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what every victim page template reads.
type page struct {
	T            *messages
	Title        string
	QuickExitURL string

	// message pages
	Body string

	// the feedback form
	Heading     string
	Action      string
	CSRF        string
	Errors      []fieldError
	ErrorFor    map[string]string
	Ratings     []choice
	Questions   []question
	Comment     string
	CommentHelp string
	CommentMax  int

	// rights and support from the leaflet content, and the leaflet download
	Rights     *rightsView
	LeafletURL string
}

type fieldError struct{ Field, Text string }

type choice struct {
	ID, Name, Value, Label string
	Checked                bool
}

type question struct {
	Name, Text string
	Choices    []choice
}

// rightsView is the part of the leaflet content a victim page shows.
type rightsView struct {
	Lang, Dir               string
	Heading, SupportHeading string
	Intro                   string
	Rights                  []rightsSection
	Support                 []supportContact
}

type rightsSection struct {
	Title      string
	Paragraphs []string
}

type supportContact struct {
	Name, Phone, Hours, Note string
	Tel                      template.URL // tel: and digits only, built by telURI
}

// messages are the UI strings in the victim's language. Every page takes
// them from here, so that language negotiation (Accept-Language, a switcher)
// lands in one place; until then it is English.
func (s *Server) messages(c *gin.Context) *messages {
	return s.catalog.get(defaultLang)
}

// newPage starts a page in the victim's language.
func (s *Server) newPage(c *gin.Context, title string) *page {
	return &page{T: s.messages(c), Title: title, QuickExitURL: QuickExitURL, ErrorFor: map[string]string{}}
}

// render writes a page with status. The page is rendered to a buffer first,
// so that a template failure becomes a clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.ErrorContext(c.Request.Context(), "rendering a page", "request_id", requestID(c), "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Something went wrong on our side. Please try again in a few minutes.\n"))
		c.Abort()
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// errorPage answers err with a kind page for people.
func (s *Server) errorPage(c *gin.Context, err error) {
	s.logInternal(c, err)
	code := doorstep.ErrorCode(err)
	t := s.messages(c)
	r, ok := t.Refusals[code]
	if !ok {
		r = t.Refusals[doorstep.EINTERNAL]
	}
	if code == doorstep.ENOTFOUND && c.Param("token") == "" {
		r = t.PageNotFound
	}
	s.message(c, statusFor(code), r, nil)
}

// message renders a message page.
func (s *Server) message(c *gin.Context, status int, r refusal, v *visit) {
	p := s.newPage(c, r.Title)
	p.Body = r.Body
	if v != nil {
		s.addRights(c, p, v)
	}
	s.render(c, status, pageMessage, p)
}

// handleStyle serves the pages' one style sheet.
func (s *Server) handleStyle() gin.HandlerFunc {
	css, err := webFS.ReadFile("web/static/style.css")
	return func(c *gin.Context) {
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, "text/css; charset=utf-8", css)
	}
}
