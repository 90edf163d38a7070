package server

import (
	"bytes"
	"net/http"

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
