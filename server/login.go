package server

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

// loginCSRFCookie is the sign-in form's double-submit cookie (the form
// comes before any session): its field is the HMAC of the cookie under the
// server's CSRF key, with a "login:" prefix so that it cannot stand in for a
// victim page's field.
const loginCSRFCookie = "doorstep_login_csrf"

func (d *dash) loginCSRF(c *gin.Context) string {
	val, err := c.Cookie(loginCSRFCookie)
	if err != nil || !validCSRFCookie(val) {
		val = randomToken()
		http.SetCookie(c.Writer, &http.Cookie{
			Name: loginCSRFCookie, Value: val, Path: "/login",
			HttpOnly: true, Secure: d.s.secureCookies, SameSite: http.SameSiteLaxMode,
		})
	}
	return d.s.csrfMAC("login:" + val)
}

func (d *dash) checkLoginCSRF(c *gin.Context, field string) bool {
	val, err := c.Cookie(loginCSRFCookie)
	if err != nil || !validCSRFCookie(val) || field == "" {
		return false
	}
	return hmac.Equal([]byte(field), []byte(d.s.csrfMAC("login:"+val)))
}

// safeNext keeps a post-sign-in redirect on the dashboard.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/dashboard") && !strings.ContainsAny(next, "\\\r\n") && !strings.HasPrefix(next, "//") {
		return next
	}
	return "/dashboard"
}

func (d *dash) renderLogin(c *gin.Context, status int, next, username, problem string) {
	p := &dashPage{Title: "Sign in – Doorstep dashboard", CSRF: d.loginCSRF(c), Next: safeNext(next), Username: username, Error: problem}
	d.render(c, status, "login", p)
}

func (d *dash) handleLoginPage() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		if sess, err := d.s.currentSession(c); err == nil && sess != nil {
			c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
			return
		}
		d.renderLogin(c, http.StatusOK, c.Query("next"), "", "")
	}
}

func lockMessage(wait time.Duration) string {
	m := int(wait.Round(time.Minute) / time.Minute)
	if m < 1 {
		return "Too many failed sign-ins. Wait a minute, then try again."
	}
	return fmt.Sprintf("Too many failed sign-ins. Wait %d minutes, then try again.", m)
}

func (d *dash) handleLogin() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		values, err := readForm(c)
		if err != nil {
			d.renderLogin(c, http.StatusBadRequest, "", "", doorstep.ErrorMessage(err))
			return
		}
		next, user, pass := values.Get("next"), strings.TrimSpace(values.Get("username")), values.Get("password")
		if !d.checkLoginCSRF(c, values.Get(csrfField)) {
			d.renderLogin(c, http.StatusForbidden, next, user, "This form had expired. Please sign in again.")
			return
		}
		ip := "addr:" + c.ClientIP()
		userKey := "user:" + user
		if wait := max(d.throttle.wait(userKey), d.throttle.wait(ip)); wait > 0 {
			c.Header("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
			d.renderLogin(c, http.StatusTooManyRequests, next, user, lockMessage(wait))
			return
		}
		ctx := c.Request.Context()
		var a *doorstep.Account
		ok := false
		if validUsername(user) && len(pass) <= maxPasswordLen {
			a, err = d.s.store.AccountByUsername(ctx, user)
			switch doorstep.ErrorCode(err) {
			case "":
				ok = verifyPassword(a.PasswordHash, pass)
			case doorstep.ENOTFOUND:
				verifyPassword([]byte(dummyPasswordHash), pass) // as slow as a real account
			default:
				d.fail(c, err)
				return
			}
		}
		if !ok {
			d.throttle.fail(userKey, loginUserFailures)
			d.throttle.fail(ip, loginAddrFailures)
			d.s.log.InfoContext(ctx, "sign-in failed", "request_id", requestID(c))
			d.renderLogin(c, http.StatusUnauthorized, next, user, "Wrong username or password.")
			return
		}
		d.throttle.clear(userKey)
		now := d.s.now().UTC()
		id, hash := newSessionID()
		sess := &doorstep.Session{IDHash: hash, Username: a.Username, Role: a.Role, CSRF: randomToken(),
			CreatedAt: now, ExpiresAt: now.Add(sessionLifetime)}
		if err := d.s.store.CreateSession(ctx, sess); err != nil {
			d.fail(c, err)
			return
		}
		if n, err := d.s.store.PurgeSessions(ctx, now); err != nil {
			d.s.log.WarnContext(ctx, "purging expired sessions", "err", err)
		} else if n > 0 {
			d.s.log.InfoContext(ctx, "expired sessions purged", "count", n)
		}
		d.s.setSessionCookie(c, id)
		d.s.log.InfoContext(ctx, "signed in", "request_id", requestID(c), "actor", a.Username, "role", a.Role)
		c.Redirect(http.StatusSeeOther, safeNext(next))
	}
}

// handleLogout ends the session (the store forgets it) and clears the cookie.
func (d *dash) handleLogout() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		sess, err := d.s.currentSession(c)
		if err != nil {
			d.fail(c, err)
			return
		}
		if sess == nil {
			c.Redirect(http.StatusSeeOther, "/login")
			return
		}
		values, err := readForm(c)
		if err != nil {
			d.fail(c, err)
			return
		}
		if !checkSessionCSRF(sess, values.Get(csrfField)) {
			d.fail(c, doorstep.Errorf(doorstep.EFORBIDDEN, "this form had expired; go back, reload the page and try again"))
			return
		}
		if err := d.s.store.DeleteSession(c.Request.Context(), sess.IDHash); err != nil {
			d.fail(c, err)
			return
		}
		d.s.setSessionCookie(c, "")
		c.Redirect(http.StatusSeeOther, "/login")
	}
}
