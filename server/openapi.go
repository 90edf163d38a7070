package server

import (
	"encoding/json"
	"fmt"
)

// openAPIDocument is the OpenAPI 3 description of /api/v1, kept beside the
// routes (web/openapi.json); a test checks that it lists every API route.
func openAPIDocument() ([]byte, error) {
	b, err := webFS.ReadFile("web/openapi.json")
	if err != nil {
		return nil, fmt.Errorf("server: openapi document: %w", err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.OpenAPI == "" || len(doc.Paths) == 0 {
		return nil, fmt.Errorf("server: openapi document is malformed: %v", err)
	}
	return b, nil
}
