package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

const (
	ctxRequestID = "doorstep.request_id"
	// contentSecurityPolicy allows nothing inline: styles come from /static.
	contentSecurityPolicy = "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// routeOf is the route template that matched (/F/:token), never the path,
// which may hold a token.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// validRequestID accepts a caller's X-Request-ID when it is short and plain.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// observe gives every request an ID, security headers, one log line and its
// metrics. It runs first, so it also sees what recovery answers.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		id := c.GetHeader("X-Request-ID")
		if !validRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		h := c.Writer.Header()
		h.Set("X-Request-ID", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		defer s.record(c, id, start) // deferred, so that an aborted response is counted too
		c.Next()
	}
}

// record logs a request and counts it in the metrics.
func (s *Server) record(c *gin.Context, id string, start time.Time) {
	route, status, took := routeOf(c), c.Writer.Status(), time.Since(start)
	s.metrics.request(route, c.Request.Method, status, took)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("took", took),
		slog.Int("bytes", c.Writer.Size()),
	)
}

// recoverPanics turns a handler's panic into a 500 (a JSON error for the API,
// a page for people) and logs it. http.ErrAbortHandler passes through: it
// aborts a response already under way, such as a backup stream that failed.
func (s *Server) recoverPanics() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			err := fmt.Errorf("panic: %v", v)
			if c.Writer.Written() {
				s.log.ErrorContext(c.Request.Context(), "panic after the response started", "request_id", requestID(c), "route", routeOf(c), "err", err)
				panic(http.ErrAbortHandler)
			}
			s.fail(c, err)
		}()
		c.Next()
	}
}

// fail answers err in the form the route speaks: JSON under /api/, a page
// elsewhere.
func (s *Server) fail(c *gin.Context, err error) {
	if isAPI(c) {
		s.apiError(c, err)
		return
	}
	s.errorPage(c, err)
}

func isAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// noRoute and noMethod answer unknown paths and methods.
func (s *Server) noRoute() gin.HandlerFunc {
	return func(c *gin.Context) {
		s.fail(c, doorstep.Errorf(doorstep.ENOTFOUND, "there is nothing at this address"))
	}
}

func (s *Server) noMethod() gin.HandlerFunc {
	return func(c *gin.Context) {
		_, body := errorResponse(doorstep.Errorf(doorstep.EINVALID, "method %s is not allowed here", c.Request.Method))
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, body)
	}
}

// noStore keeps answers out of caches: they carry tokens, feedback or secrets.
func noStore() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Next()
	}
}
