package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

const (
	// sessionCookie holds a dashboard session's random 256-bit ID; the store
	// keeps only its SHA-256.
	sessionCookie = "doorstep_session"
	// sessionLifetime is how long a sign-in lasts (a working shift and a bit).
	sessionLifetime = 10 * time.Hour
	ctxSession      = "doorstep.session"
	// sessionCSRFHeader carries the session's CSRF token on admin API calls
	// that change something and are authenticated by the session cookie.
	sessionCSRFHeader = "X-CSRF-Token"
)

// newSessionID returns a random session ID for the cookie and its hash for
// the store.
func newSessionID() (string, []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(id))
	return id, h[:]
}

func hashSessionID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// setSessionCookie sets (or, with an empty id, clears) the session cookie.
func (s *Server) setSessionCookie(c *gin.Context, id string) {
	ck := &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.secureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	if id == "" {
		ck.MaxAge = -1
	}
	// A live session's cookie has no expiry of its own: the browser drops it
	// when it closes, and the store refuses it after sessionLifetime, so a
	// browser with a wrong clock neither loses it early nor keeps it late.
	http.SetCookie(c.Writer, ck)
}

// currentSession returns the live session named by the request's cookie,
// nil when there is none (no cookie, unknown or expired).
func (s *Server) currentSession(c *gin.Context) (*doorstep.Session, error) {
	if v, ok := c.Get(ctxSession); ok {
		return v.(*doorstep.Session), nil
	}
	id, err := c.Cookie(sessionCookie)
	if err != nil || len(id) != 43 {
		return nil, nil
	}
	sess, err := s.store.Session(c.Request.Context(), hashSessionID(id), s.now())
	switch doorstep.ErrorCode(err) {
	case "":
		c.Set(ctxSession, sess)
		return sess, nil
	case doorstep.ENOTFOUND:
		return nil, nil
	}
	return nil, err
}

// auth admits a signed-in account (admin or trainer) and sends
// anyone else to the sign-in page, remembering where they were going.
func (d *dash) auth() gin.HandlerFunc {
	return func(c *gin.Context) {
		sess, err := d.s.currentSession(c)
		if err != nil {
			d.fail(c, err)
			return
		}
		if sess == nil {
			next := "/dashboard"
			if c.Request.Method == http.MethodGet {
				next = c.Request.URL.RequestURI()
			}
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
			c.Abort()
			return
		}
		c.Set(ctxActor, sess.Username)
		c.Next()
	}
}

// checkSessionCSRF reports whether a form's csrf field matches the session's token.
func checkSessionCSRF(sess *doorstep.Session, field string) bool {
	return sess != nil && field != "" && subtle.ConstantTimeCompare([]byte(field), []byte(sess.CSRF)) == 1
}

// adminSession authenticates an admin API call by dashboard session: ok is
// false when the request carries no live session. A trainer's session is
// refused (EFORBIDDEN); an admin's is admitted, but a call that changes
// something must also carry the session's CSRF token in X-CSRF-Token.
func (s *Server) adminSession(c *gin.Context) (actor string, ok bool, err error) {
	sess, err := s.currentSession(c)
	if err != nil {
		return "", true, err
	}
	if sess == nil {
		return "", false, nil
	}
	if sess.Role != doorstep.RoleAdmin {
		return "", true, doorstep.Errorf(doorstep.EFORBIDDEN, "the admin API is for admins; a %s account cannot use it", sess.Role)
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !checkSessionCSRF(sess, c.GetHeader(sessionCSRFHeader)) {
			return "", true, doorstep.Errorf(doorstep.EFORBIDDEN, "send the session's CSRF token in %s", sessionCSRFHeader)
		}
	}
	return sess.Username, true, nil
}
