package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"
)

// csrfCookie holds a random value; the form's hidden csrf field holds its
// HMAC under a key derived from the server key (double submit, signed). A
// page on another site can make a browser send the cookie but cannot read it,
// so it cannot compute the field.
const csrfCookie = "doorstep_csrf"

// csrfCookieLen is the length of the cookie value: 32 bytes, base64url.
const csrfCookieLen = 43

// issueCSRF returns the form field value for the caller's CSRF cookie,
// setting a new cookie when there is none (or a malformed one).
func (s *Server) issueCSRF(c *gin.Context) string {
	val, err := c.Cookie(csrfCookie)
	if err != nil || !validCSRFCookie(val) {
		var b [32]byte
		_, _ = rand.Read(b[:])
		val = base64.RawURLEncoding.EncodeToString(b[:])
		http.SetCookie(c.Writer, &http.Cookie{
			Name:     csrfCookie,
			Value:    val,
			Path:     "/F/",
			HttpOnly: true,
			Secure:   s.secureCookies,
			SameSite: http.SameSiteLaxMode,
		})
	}
	return s.csrfMAC(val)
}

// checkCSRF reports whether field matches the request's CSRF cookie.
func (s *Server) checkCSRF(c *gin.Context, field string) bool {
	val, err := c.Cookie(csrfCookie)
	if err != nil || !validCSRFCookie(val) || field == "" {
		return false
	}
	return hmac.Equal([]byte(field), []byte(s.csrfMAC(val)))
}

func (s *Server) csrfMAC(cookie string) string {
	m := hmac.New(sha256.New, s.keys.csrfKey)
	m.Write([]byte(cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func validCSRFCookie(v string) bool {
	if len(v) != csrfCookieLen {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}
