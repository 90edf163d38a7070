package doorstep

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status at the edge (server.statusFor)
// and to one exit status in the command line.
const (
	EINVALID      = "invalid"      // malformed or out-of-range input
	ENOTFOUND     = "not_found"    // no such record, or a forged token
	ECONFLICT     = "conflict"     // already exists, already answered, already used
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed (a trainer on an admin route)
	EREVOKED      = "revoked"      // the device has been revoked
	EEXPIRED      = "expired"      // a token or pairing code past its expiry
	ETOOLARGE     = "too_large"    // body or field over its limit
	ERATELIMIT    = "rate_limited" // too many requests from one client
	EUNAVAILABLE  = "unavailable"  // the store is closed or not ready
	EINTERNAL     = "internal"     // a bug or an I/O failure; details are logged, not shown
)

// Error is the one error type of the domain. Code is machine readable, Message is
// safe to show to the person who caused it (it never carries secrets or victim data).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("doorstep: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain, or a
// generic message for any other error (whose text may hold internals).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
