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
	pageContact  = "contact"
)

// parsePages parses every page with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template)
	for _, name := range []string{pageFeedback, pageMessage, pageContact} {
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

	// the language switcher (victim_lang.go)
	Languages  []langLink
	Unreviewed bool

	// message pages
	Body       string
	ContactURL string // the "please contact me" link, when the code can still take one

	// the feedback form
	Heading     string
	Officer     string // names the officer below the first lines on discreet pages
	AgeBands    []choice
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

	// the "please contact me" form (contact.go)
	Contact *contactView
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
	SupportLang             string // set when the contacts are in another language (English)
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

// messages are the UI strings in the victim's language, negotiated in
// victim_lang.go. Every page takes them from here.
func (s *Server) messages(c *gin.Context) *messages {
	return s.catalog.get(s.language(c))
}

// newPage starts a page in the victim's language, with the language switcher.
func (s *Server) newPage(c *gin.Context, title string) *page {
	t := s.messages(c)
	return &page{T: t, Title: title, QuickExitURL: QuickExitURL, ErrorFor: map[string]string{},
		Languages: s.languageLinks(t.Lang), Unreviewed: !t.Reviewed}
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
		p.ContactURL = s.contactURL(c, v)
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
