package qrcode

import (
	"encoding/base32"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// FuzzParse checks that Parse never panics, refuses only with ENOTFOUND, and
// accepts only canonical tokens: what it accepts, rebuilt from the returned
// Token and the MAC bytes, re-encodes to exactly the input.
func FuzzParse(f *testing.F) {
	good, _, err := Sign(testKey(), doorstep.TokenRef{DeviceID: 12, Counter: 345}, testTime(), DefaultValidity)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, strings.ToLower(good), good[:49], good + "======", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		vtok, verr := Verify(testKey(), s, testTime())
		if err != nil {
			if c := doorstep.ErrorCode(err); c != doorstep.ENOTFOUND {
				t.Fatalf("Parse(%q) error code %q, want ENOTFOUND", s, c)
			}
			if tok != (Token{}) {
				t.Fatalf("Parse(%q) returned %+v with an error", s, tok)
			}
			if doorstep.ErrorCode(verr) != doorstep.ENOTFOUND || vtok != (Token{}) {
				t.Fatalf("Verify(%q) = %+v, %v after Parse refused it", s, vtok, verr)
			}
			return
		}
		if len(s) != TokenLen || tok.Version != 1 {
			t.Fatalf("Parse accepted %q as %+v", s, tok)
		}
		// Rebuild the bytes from the Token, take the MAC from a lenient
		// decode, and re-encode independently of the package's encoder.
		lenient, derr := base32.StdEncoding.DecodeString(s + "======")
		if derr != nil || len(lenient) != 31 {
			t.Fatalf("Parse accepted %q, which is not base32 (%v)", s, derr)
		}
		days := tok.ExpiresAt.Sub(tok.IssuedAt) / (24 * time.Hour)
		if tok.IssuedAt.Add(days*24*time.Hour) != tok.ExpiresAt || days < 1 || days > 65535 {
			t.Fatalf("Parse(%q): expiry %v is not a whole 1..65535 days after %v", s, tok.ExpiresAt, tok.IssuedAt)
		}
		b := make([]byte, 15, 31)
		b[0] = tok.Version
		binary.BigEndian.PutUint32(b[1:], tok.Ref.DeviceID)
		binary.BigEndian.PutUint32(b[5:], tok.Ref.Counter)
		binary.BigEndian.PutUint32(b[9:], uint32(tok.IssuedAt.Unix()/60))
		binary.BigEndian.PutUint16(b[13:], uint16(days))
		b = append(b, lenient[15:]...)
		if re := strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="); re != s {
			t.Fatalf("Parse accepted %q, which re-encodes to %q", s, re)
		}
		// Verify agrees with Parse on the content whenever the MAC is good.
		if verr == nil && vtok != tok {
			t.Fatalf("Verify(%q) = %+v, Parse = %+v", s, vtok, tok)
		}
	})
}
