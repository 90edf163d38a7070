package server

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/doorstep-project/doorstep/bolt"
)

// TestOpenAPIListsEveryRoute compares the OpenAPI document with the routes
// gin serves under /api/v1, both ways, method by method.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "d.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(Options{Store: db, PublicURL: "http://127.0.0.1:1", AdminTokenHash: HashAdminToken("x"), ServerKey: bytes.Repeat([]byte{1}, ServerKeySize)})
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	var served []string
	for _, r := range s.router.Routes() {
		if p, ok := strings.CutPrefix(r.Path, "/api/v1"); ok {
			served = append(served, r.Method+" "+param.ReplaceAllString(p, "{$1}"))
		}
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	if strings.Join(served, "\n") != strings.Join(documented, "\n") {
		t.Fatalf("routes and OpenAPI differ\nserved:\n%s\n\ndocumented:\n%s", strings.Join(served, "\n"), strings.Join(documented, "\n"))
	}
	if len(served) < 14 {
		t.Fatalf("only %d API routes", len(served))
	}
}
