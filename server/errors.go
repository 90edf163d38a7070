package server

import (
	"net/http"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	"github.com/gin-gonic/gin"
)

// statusFor is the one mapping from doorstep error codes to HTTP statuses.
func statusFor(code string) int {
	switch code {
	case "":
		return http.StatusOK
	case doorstep.EINVALID:
		return http.StatusBadRequest
	case doorstep.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case doorstep.EFORBIDDEN, doorstep.EREVOKED:
		return http.StatusForbidden
	case doorstep.ENOTFOUND:
		return http.StatusNotFound
	case doorstep.ECONFLICT:
		return http.StatusConflict
	case doorstep.EEXPIRED:
		return http.StatusGone
	case doorstep.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case doorstep.ERATELIMIT:
		return http.StatusTooManyRequests
	case doorstep.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorResponse is the API's error body for err.
func errorResponse(err error) (int, *dsync.ErrorResponse) {
	code := doorstep.ErrorCode(err)
	var body dsync.ErrorResponse
	body.Error.Code = code
	body.Error.Message = doorstep.ErrorMessage(err)
	return statusFor(code), &body
}

// apiError answers err as sync.ErrorResponse JSON and logs internal errors
// (their text may hold internals, so it is never shown).
func (s *Server) apiError(c *gin.Context, err error) {
	s.logInternal(c, err)
	status, body := errorResponse(err)
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="doorstep"`)
	}
	c.AbortWithStatusJSON(status, body)
}

// logInternal logs err when it is not a domain error the caller caused.
func (s *Server) logInternal(c *gin.Context, err error) {
	if code := doorstep.ErrorCode(err); code == doorstep.EINTERNAL || code == doorstep.EUNAVAILABLE {
		s.log.ErrorContext(c.Request.Context(), "request failed",
			"request_id", requestID(c), "route", routeOf(c), "code", code, "err", err)
	}
}
