package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

// maxAdminBody bounds an admin API request body.
const maxAdminBody = 16 << 10

// decodeJSON reads one JSON object of at most limit bytes from the request
// into v: unknown fields, invalid UTF-8, trailing data and a content type
// other than JSON are refused.
func decodeJSON(c *gin.Context, limit int64, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return doorstep.Errorf(doorstep.EINVALID, "send the body as application/json")
		}
	}
	body, err := readLimited(c, limit)
	if err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return doorstep.Errorf(doorstep.EINVALID, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return doorstep.Errorf(doorstep.EINVALID, "malformed JSON: %s", jsonError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return doorstep.Errorf(doorstep.EINVALID, "malformed JSON: data after the object")
	}
	return nil
}

// readLimited reads the whole body, ETOOLARGE past limit bytes.
func readLimited(c *gin.Context, limit int64) ([]byte, error) {
	if c.Request.ContentLength > limit {
		return nil, doorstep.Errorf(doorstep.ETOOLARGE, "the body is over %d bytes", limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, doorstep.Errorf(doorstep.ETOOLARGE, "the body is over %d bytes", limit)
	}
	if err != nil {
		return nil, doorstep.Errorf(doorstep.EINVALID, "reading the body failed")
	}
	return body, nil
}

// jsonError is a short, safe description of a decoding error.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "field " + te.Field + " must be " + te.Type.String()
	}
	s := err.Error()
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}
