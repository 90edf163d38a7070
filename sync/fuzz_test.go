package sync_test

import (
	"bytes"
	"encoding/json"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
)

// FuzzDecodePush: the push decoder never panics, and what it accepts is a
// bounded batch of consecutive mutation IDs that survives a JSON round trip.
func FuzzDecodePush(f *testing.F) {
	f.Add([]byte(`{"mutations":[{"id":1,"kind":"issue","issuance":{"id":"0190a1b2-0000-7000-8000-000000000000","token":{"device_id":1,"counter":1},"hlc":"0000000000000001000000000"}}]}`))
	f.Add([]byte(`{"mutations":[{"id":7,"kind":"void","void":{"issuance_id":"x","hlc":"y"}},{"id":8}]}`))
	f.Add([]byte(`{"mutations":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := dsync.DecodePush(bytes.NewReader(body))
		if err != nil {
			if doorstep.ErrorCode(err) == doorstep.EINTERNAL {
				t.Fatalf("decode error without a code: %v", err)
			}
			return
		}
		if n := len(p.Mutations); n == 0 || n > dsync.MaxPushMutations {
			t.Fatalf("accepted %d mutations", n)
		}
		for i := 1; i < len(p.Mutations); i++ {
			if p.Mutations[i].ID != p.Mutations[i-1].ID+1 {
				t.Fatal("accepted non-consecutive ids")
			}
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := dsync.DecodePush(bytes.NewReader(again)); err != nil {
			t.Fatalf("re-encoded batch refused: %v", err)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add("")
	f.Add(dsync.EncodeCursor(42))
	f.Add("AAAAAAAAAAB")
	f.Fuzz(func(t *testing.T, s string) {
		seq, err := dsync.DecodeCursor(s)
		if err == nil && s != "" && dsync.EncodeCursor(seq) != s {
			t.Fatalf("cursor %q accepted but encodes as %q", s, dsync.EncodeCursor(seq))
		}
	})
}
