package server

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// TestOpenAPIIsWellFormed checks what a client generator trips on: every
// $ref resolves, every {param} of a path is declared as a path parameter,
// every operation has a summary and a success response.
func TestOpenAPIIsWellFormed(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "d.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(Options{Store: db, PublicURL: "http://127.0.0.1:1", AdminTokenHash: HashAdminToken("x"), ServerKey: bytes.Repeat([]byte{1}, ServerKeySize)})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi version %q", v)
	}
	resolve := func(ref string) (any, bool) {
		p, ok := strings.CutPrefix(ref, "#/")
		if !ok {
			return nil, false
		}
		var cur any = doc
		for _, part := range strings.Split(p, "/") {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if r, ok := x.(string); ok && k == "$ref" {
					if _, ok := resolve(r); !ok {
						t.Errorf("%s: $ref %q does not resolve", at, r)
					}
				}
				walk(x, at+"/"+k)
			}
		case []any:
			for i, x := range v {
				walk(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "#")
	deref := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		if r, ok := m["$ref"].(string); ok {
			x, _ := resolve(r)
			m, _ = x.(map[string]any)
		}
		return m
	}
	pathParams := func(list any) map[string]bool {
		out := map[string]bool{}
		l, _ := list.([]any)
		for _, p := range l {
			if m := deref(p); m != nil && m["in"] == "path" {
				out[m["name"].(string)] = true
			}
		}
		return out
	}
	paths, _ := doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, v := range paths {
		item, _ := v.(map[string]any)
		shared := pathParams(item["parameters"])
		for method, o := range item {
			if method == "parameters" {
				continue
			}
			op, _ := o.(map[string]any)
			declared := pathParams(op["parameters"])
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] && !shared[m[1]] {
					t.Errorf("%s %s: path parameter %q is not declared", method, path, m[1])
				}
			}
			if sum, _ := op["summary"].(string); sum == "" {
				t.Errorf("%s %s has no summary", method, path)
			}
			responses, _ := op["responses"].(map[string]any)
			ok := false
			for code := range responses {
				ok = ok || code[0] == '2' || code[0] == '3'
			}
			if !ok {
				t.Errorf("%s %s has no success response", method, path)
			}
		}
	}
}
