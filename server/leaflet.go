package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/gin-gonic/gin"
)

// content picks the leaflet content in the page's language (victim_lang.go:
// the switcher, then the language the code was issued in, then the
// browser's), else the best match for the browser.
func (s *Server) content(c *gin.Context, v *visit) *leaflet.Content {
	lib := s.library()
	if lc, ok := lib.Get(s.language(c)); ok {
		return lc
	}
	lc, _ := lib.Get(lib.Match(c.GetHeader("Accept-Language")))
	return lc
}

// addRights adds the victim's rights and support contacts, and the link to
// download the leaflet again, when leaflet content is configured.
func (s *Server) addRights(c *gin.Context, p *page, v *visit) {
	lib := s.library()
	if lib == nil {
		return
	}
	lc := s.content(c, v)
	if lc == nil {
		return
	}
	r := &rightsView{Lang: lc.Language, Dir: lc.Direction, Heading: lc.Label("your_rights"), SupportHeading: lc.Label("contacts"), Intro: lc.Intro}
	if r.Heading == "" {
		r.Heading = p.T.RightsHeading
	}
	if r.SupportHeading == "" {
		r.SupportHeading = p.T.SupportHeading
	}
	for _, right := range lc.Rights {
		r.Rights = append(r.Rights, rightsSection{Title: strconv.Itoa(right.Number) + ". " + right.Title, Paragraphs: []string{right.Gist}})
	}
	support := lc
	if lc.FocusDesk.Name == "" && len(lc.Contacts) == 0 { // web-only content: contacts in English
		if en, ok := lib.Get(leaflet.DefaultLanguage); ok && en != lc {
			support = en
			r.SupportLang = en.Language
			r.SupportHeading = en.Label("contacts")
		}
	}
	noNumber := support.Label("no_number")
	for _, ct := range append([]leaflet.Contact{support.FocusDesk}, support.Contacts...) {
		if ct.Name == "" {
			continue
		}
		sc := supportContact{Name: ct.Name, Phone: ct.Phone, Hours: ct.Hours, Note: ct.Note}
		if sc.Phone == "" {
			sc.Phone = noNumber
		} else {
			sc.Tel = telURI(ct.Phone)
		}
		r.Support = append(r.Support, sc)
	}
	p.Rights = r
	if v != nil {
		p.LeafletURL = v.path() + "/leaflet.pdf"
	}
}

// telURI is a tel: link for a phone number as printed ("0808 2000 247").
func telURI(phone string) template.URL {
	b := []byte("tel:")
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; c >= '0' && c <= '9' || c == '+' && len(b) == 4 {
			b = append(b, c)
		}
	}
	if len(b) == 4 {
		return ""
	}
	return template.URL(b)
}

// handleLeafletPDF renders the visit's leaflet again, without the crime
// reference (the server may not have it, and a URL must never carry it).
func (s *Server) handleLeafletPDF() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.library() == nil {
			s.errorPage(c, doorstep.Errorf(doorstep.ENOTFOUND, "leaflets are not configured"))
			return
		}
		v, err := s.resolve(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		if !s.leafletLimit.allow(c.ClientIP()) {
			s.errorPage(c, doorstep.Errorf(doorstep.ERATELIMIT, "too many leaflet downloads"))
			return
		}
		feedbackURL, err := qrcode.FeedbackURL(s.publicURL, v.token)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		opt := leaflet.Options{
			Format:       doorstep.FormatA4,
			OfficerName:  v.officer.Name,
			CollarNumber: v.officer.CollarNumber,
			Borough:      v.officer.Borough,
			IssuedAt:     v.tok.IssuedAt.In(s.loc),
			FeedbackURL:  feedbackURL,
			CreationDate: v.tok.IssuedAt,
		}
		if is := v.issuance; is != nil {
			opt.LargePrint = is.LargePrint
		}
		opt.Discreet = v.discreet() // discreet until the issue syncs and says otherwise
		var buf bytes.Buffer
		if _, err := s.renderer.Render(&buf, s.content(c, v), opt); err != nil {
			s.errorPage(c, fmt.Errorf("rendering a leaflet: %w", err))
			return
		}
		c.Header("Content-Disposition", `inline; filename="leaflet.pdf"`)
		c.Data(http.StatusOK, "application/pdf", buf.Bytes())
	}
}
