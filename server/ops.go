package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	doorstep "github.com/doorstep-project/doorstep"

	"github.com/gin-gonic/gin"
)

// handleHealthz answers 200 while the process runs.
func (s *Server) handleHealthz() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.String(http.StatusOK, "ok\n")
	}
}

// handleReadyz answers 200 only while the store is open and serving.
func (s *Server) handleReadyz() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.store.Ready(); err != nil {
			c.String(http.StatusServiceUnavailable, "not ready\n")
			return
		}
		c.String(http.StatusOK, "ready\n")
	}
}

// handleMetrics writes the Prometheus text exposition.
func (s *Server) handleMetrics() gin.HandlerFunc {
	return func(c *gin.Context) {
		var buf bytes.Buffer
		var stats *StoreStats
		if s.storeStats != nil {
			st := s.storeStats()
			stats = &st
		}
		if err := s.metrics.write(&buf, s.store.Ready() == nil, stats); err != nil {
			s.fail(c, err)
			return
		}
		c.Data(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", buf.Bytes())
	}
}

// handleOpenAPI serves the OpenAPI document of /api/v1.
func (s *Server) handleOpenAPI() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", s.openapi)
	}
}

// CheckServerKey tells whether key is the server key of the store: it opens
// the sealed token key of the first paired device it finds. A store with no
// device passes. Run it at start, so that a restored store started with the
// wrong key (or a new one) fails at once instead of refusing every code.
func CheckServerKey(ctx context.Context, store doorstep.Store, key []byte) error {
	k, err := newKeyring(key)
	if err != nil {
		return err
	}
	officers, err := store.Officers(ctx)
	if err != nil {
		return fmt.Errorf("checking the server key: %w", err)
	}
	for _, o := range officers {
		devices, err := store.Devices(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("checking the server key: %w", err)
		}
		for _, d := range devices {
			if len(d.KeyCiphertext) == 0 {
				continue
			}
			if _, err := k.open(d.KeyCiphertext); err != nil {
				return errors.New("the server key does not open the paired devices' keys: it is not this store's server key (restore the server.key kept with the backup, or set DOORSTEP_SERVER_KEY)")
			}
			return nil
		}
	}
	return nil
}
