package server

import (
	"errors"
	"io"
	"mime"
	"net/http"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
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
	if c.Request.ContentLength > limit {
		return doorstep.Errorf(doorstep.ETOOLARGE, "the body is over %d bytes", limit)
	}
	return dsync.DecodeStrict(c.Request.Body, limit, v)
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
