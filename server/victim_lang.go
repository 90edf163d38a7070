package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Language negotiation for the victim pages. The language is, in order:
//
//  1. ?lang=xx on a GET, from the switcher (plain links, no script); it is
//     remembered in a cookie that holds only the language tag;
//  2. that cookie;
//  3. the language the officer issued the code in, once the issue has synced
//     (chosen with the victim at the scene, so it beats a phone's settings);
//  4. the browser's Accept-Language;
//  5. English.
//
// The cookie is a session cookie (no expiry), HttpOnly and SameSite=Lax, on
// /F/ only: it leaves as little trace as a shared phone allows.
const (
	langCookie   = "doorstep_lang"
	langQuery    = "lang"
	ctxLang      = "doorstep.lang"
	ctxVisitLang = "doorstep.visit_lang"
)

// langLink is one entry of the language switcher.
type langLink struct {
	Lang, Dir, Name, Href string
	Current               bool
}

// language returns the victim's language for this request, negotiating it
// once per request.
func (s *Server) language(c *gin.Context) string {
	if l := c.GetString(ctxLang); l != "" {
		return l
	}
	l := s.negotiate(c)
	c.Set(ctxLang, l)
	return l
}

func (s *Server) negotiate(c *gin.Context) string {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		if q := c.Query(langQuery); s.catalog.has(q) {
			http.SetCookie(c.Writer, &http.Cookie{
				Name:     langCookie,
				Value:    q,
				Path:     "/F/",
				HttpOnly: true,
				Secure:   s.secureCookies,
				SameSite: http.SameSiteLaxMode,
			})
			return q
		}
	}
	if ck, err := c.Cookie(langCookie); err == nil && s.catalog.has(ck) {
		return ck
	}
	if l := c.GetString(ctxVisitLang); s.catalog.has(l) {
		return l
	}
	return s.catalog.match(c.GetHeader("Accept-Language"))
}

// noteVisitLanguage tells negotiation the language a synced code was issued
// in. resolve calls it before any page text is chosen.
func noteVisitLanguage(c *gin.Context, v *visit) {
	if v != nil && v.issuance != nil {
		c.Set(ctxVisitLang, v.issuance.Language)
	}
}

// languageLinks is the switcher: every language in its own name, linking to
// the same page with ?lang=.
func (s *Server) languageLinks(current string) []langLink {
	links := make([]langLink, 0, len(s.catalog.order))
	for _, l := range s.catalog.order {
		m := s.catalog.get(l)
		links = append(links, langLink{Lang: l, Dir: m.Dir, Name: m.Name, Href: "?" + langQuery + "=" + l, Current: l == current})
	}
	return links
}
