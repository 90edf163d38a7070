package qrcode

import (
	"encoding/base32"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// Test fixtures are functions, not package variables, so no test can change
// another's.
func testKey() []byte     { return []byte("0123456789abcdef0123456789abcdef") }
func otherKey() []byte    { return []byte("fedcba9876543210fedcba9876543210") }
func testTime() time.Time { return time.Date(2026, 11, 21, 14, 37, 0, 0, time.UTC) }

// signed returns a token for tests, failing the test if Sign fails.
func signed(t testing.TB, ref doorstep.TokenRef) string {
	t.Helper()
	s, _, err := Sign(testKey(), ref, testTime(), DefaultValidity)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return s
}

// rawToken builds a token byte by byte, independently of Sign, with a valid MAC
// under key, so that tests can make tokens Sign refuses to make.
func rawToken(key []byte, version uint8, dev, ctr, minutes uint32, days uint16) string {
	b := make([]byte, 15, 31)
	b[0] = version
	binary.BigEndian.PutUint32(b[1:], dev)
	binary.BigEndian.PutUint32(b[5:], ctr)
	binary.BigEndian.PutUint32(b[9:], minutes)
	binary.BigEndian.PutUint16(b[13:], days)
	b = append(b, mac(key, b)...)
	return strings.TrimRight(base32.StdEncoding.EncodeToString(b), "=")
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := doorstep.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
}

func TestSignRoundTrip(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		name     string
		ref      doorstep.TokenRef
		issued   time.Time
		validity time.Duration
		wantIss  time.Time
		wantDays int
	}{
		{"default", doorstep.TokenRef{DeviceID: 7, Counter: 1}, testTime(), DefaultValidity, testTime(), 90},
		{"zero ref", doorstep.TokenRef{}, testTime(), DefaultValidity, testTime(), 90},
		{"max ref", doorstep.TokenRef{DeviceID: math.MaxUint32, Counter: math.MaxUint32}, testTime(), DefaultValidity, testTime(), 90},
		{"seconds truncated", doorstep.TokenRef{DeviceID: 1, Counter: 2}, testTime().Add(59*time.Second + 999*time.Millisecond), DefaultValidity, testTime(), 90},
		{"non-UTC zone", doorstep.TokenRef{DeviceID: 1, Counter: 2}, testTime().In(ny), DefaultValidity, testTime(), 90},
		{"epoch", doorstep.TokenRef{DeviceID: 1, Counter: 2}, time.Unix(0, 0), DefaultValidity, time.Unix(0, 0).UTC(), 90},
		{"last minute", doorstep.TokenRef{DeviceID: 1, Counter: 2}, time.Unix(math.MaxUint32*60, 0), 24 * time.Hour, time.Unix(math.MaxUint32*60, 0).UTC(), 1},
		{"1ns rounds up to a day", doorstep.TokenRef{DeviceID: 3, Counter: 4}, testTime(), 1, testTime(), 1},
		{"one day", doorstep.TokenRef{DeviceID: 3, Counter: 4}, testTime(), 24 * time.Hour, testTime(), 1},
		{"a day and a bit", doorstep.TokenRef{DeviceID: 3, Counter: 4}, testTime(), 24*time.Hour + time.Nanosecond, testTime(), 2},
		{"max days", doorstep.TokenRef{DeviceID: 3, Counter: 4}, testTime(), math.MaxUint16 * 24 * time.Hour, testTime(), math.MaxUint16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, tok, err := Sign(testKey(), tt.ref, tt.issued, tt.validity)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if len(s) != TokenLen {
				t.Fatalf("len(token) = %d, want %d", len(s), TokenLen)
			}
			if strings.Trim(s, alphabet) != "" {
				t.Fatalf("token %q has characters outside upper-case base32", s)
			}
			want := Token{
				Version:   1,
				Ref:       tt.ref,
				IssuedAt:  tt.wantIss,
				ExpiresAt: tt.wantIss.Add(time.Duration(tt.wantDays) * 24 * time.Hour),
			}
			if tok != want {
				t.Fatalf("Sign token = %+v, want %+v", tok, want)
			}
			if tok.IssuedAt.Location() != time.UTC {
				t.Fatalf("IssuedAt location = %v, want UTC", tok.IssuedAt.Location())
			}
			parsed, err := Parse(s)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if parsed != want {
				t.Fatalf("Parse = %+v, want %+v", parsed, want)
			}
			verified, err := Verify(testKey(), s, tt.wantIss)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if verified != want {
				t.Fatalf("Verify = %+v, want %+v", verified, want)
			}
			// The layout is the documented one, built independently of Sign.
			minutes := uint32(tt.wantIss.Unix() / 60)
			if raw := rawToken(testKey(), 1, tt.ref.DeviceID, tt.ref.Counter, minutes, uint16(tt.wantDays)); raw != s {
				t.Fatalf("Sign = %s, byte-by-byte layout gives %s", s, raw)
			}
		})
	}
}

func TestSignDeterministicAndKeyed(t *testing.T) {
	ref := doorstep.TokenRef{DeviceID: 42, Counter: 9}
	a := signed(t, ref)
	if b := signed(t, ref); a != b {
		t.Fatalf("same input signed twice: %s != %s", a, b)
	}
	c, _, err := Sign(otherKey(), ref, testTime(), DefaultValidity)
	if err != nil {
		t.Fatal(err)
	}
	if a[:24] != c[:24] || a == c {
		t.Fatalf("another key should change only the MAC: %s vs %s", a, c)
	}
	if d := signed(t, doorstep.TokenRef{DeviceID: 42, Counter: 10}); d == a {
		t.Fatal("another counter gave the same token")
	}
}

func TestSignRejects(t *testing.T) {
	ref := doorstep.TokenRef{DeviceID: 1, Counter: 1}
	tests := []struct {
		name     string
		key      []byte
		issued   time.Time
		validity time.Duration
	}{
		{"nil key", nil, testTime(), DefaultValidity},
		{"15-byte key", make([]byte, 15), testTime(), DefaultValidity},
		{"zero validity", testKey(), testTime(), 0},
		{"negative validity", testKey(), testTime(), -time.Hour},
		{"65536 days", testKey(), testTime(), 65536 * 24 * time.Hour},
		{"65535 days and a bit", testKey(), testTime(), 65535*24*time.Hour + 1},
		{"max duration", testKey(), testTime(), math.MaxInt64},
		{"before epoch", testKey(), time.Unix(-1, 0), DefaultValidity},
		{"zero time", testKey(), time.Time{}, DefaultValidity},
		{"minutes overflow uint32", testKey(), time.Unix((math.MaxUint32+1)*60, 0), DefaultValidity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, tok, err := Sign(tt.key, ref, tt.issued, tt.validity)
			wantCode(t, err, doorstep.EINVALID)
			if s != "" || tok != (Token{}) {
				t.Fatalf("Sign returned %q, %+v with an error", s, tok)
			}
		})
	}
	// A 16-byte key is enough.
	if _, _, err := Sign(make([]byte, 16), ref, testTime(), DefaultValidity); err != nil {
		t.Fatalf("16-byte key: %v", err)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	good := signed(t, doorstep.TokenRef{DeviceID: 1234, Counter: 56})
	last := good[len(good)-1]
	// The last character holds 3 data bits and 2 padding bits; flipping the
	// lowest bit changes only padding.
	nonCanonical := good[:len(good)-1] + string(alphabet[strings.IndexByte(alphabet, last)^1])

	minutes := uint32(testTime().Unix() / 60)
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"one character", "A"},
		{"one character short", good[:len(good)-1]},
		{"one character long", good + "A"},
		{"twice", good + good},
		{"lower case", strings.ToLower(good)},
		{"one lower-case letter", good[:10] + strings.ToLower(good[10:11]) + good[11:]},
		{"padded to 56", good + "======"},
		{"padding replaces last", good[:len(good)-1] + "="},
		{"padding inside", good[:20] + "=" + good[21:]},
		{"non-canonical trailing bits", nonCanonical},
		{"digit 0", good[:5] + "0" + good[6:]},
		{"digit 1", good[:5] + "1" + good[6:]},
		{"digit 8", good[:5] + "8" + good[6:]},
		{"space", good[:5] + " " + good[6:]},
		{"NUL", good[:5] + "\x00" + good[6:]},
		{"leading space", " " + good[:len(good)-1]},
		{"trailing newline", good[:len(good)-1] + "\n"},
		{"non-ASCII", good[:5] + "É" + good[7:]},
		{"base32hex alphabet", strings.Repeat("V", TokenLen)},
		{"version 0", rawToken(testKey(), 0, 1, 2, minutes, 90)},
		{"version 2", rawToken(testKey(), 2, 1, 2, minutes, 90)},
		{"version 255", rawToken(testKey(), 255, 1, 2, minutes, 90)},
		{"zero days", rawToken(testKey(), 1, 1, 2, minutes, 0)},
	}
	if nonCanonical == good || len(nonCanonical) != TokenLen {
		t.Fatal("bad non-canonical fixture")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.in)
			wantCode(t, err, doorstep.ENOTFOUND)
			if tok != (Token{}) {
				t.Fatalf("Parse returned %+v with an error", tok)
			}
			if msg := doorstep.ErrorMessage(err); !strings.Contains(msg, "not recognised") {
				t.Fatalf("message %q is not clear", msg)
			}
			_, err = Verify(testKey(), tt.in, testTime())
			wantCode(t, err, doorstep.ENOTFOUND)
		})
	}

	// The fixtures are otherwise good: the same decoded bytes under the
	// standard (lenient) decoder, and a valid MAC for the version fixtures.
	lenient, err := base32.StdEncoding.DecodeString(nonCanonical + "======")
	if err != nil {
		t.Fatalf("non-canonical fixture is not base32 at all: %v", err)
	}
	strict, _ := base32.StdEncoding.DecodeString(good + "======")
	if string(lenient) != string(strict) {
		t.Fatal("non-canonical fixture decodes to other bytes: it tests nothing")
	}
	if _, err := Verify(testKey(), rawToken(testKey(), 1, 1, 2, minutes, 90), testTime()); err != nil {
		t.Fatalf("version 1 fixture does not verify: %v", err)
	}
}

func TestEverySubstitutionRejected(t *testing.T) {
	good := signed(t, doorstep.TokenRef{DeviceID: 77, Counter: 3})
	n := 0
	for i := 0; i < len(good); i++ {
		for _, c := range []byte(alphabet) {
			if c == good[i] {
				continue
			}
			bad := good[:i] + string(c) + good[i+1:]
			n++
			if tok, err := Verify(testKey(), bad, testTime()); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
				t.Errorf("substitution %q at %d: Verify = %+v, %v; want ENOTFOUND", c, i, tok, err)
			}
		}
	}
	if n != TokenLen*31 {
		t.Fatalf("tried %d substitutions, want %d", n, TokenLen*31)
	}
}

func TestTruncationRejected(t *testing.T) {
	good := signed(t, doorstep.TokenRef{DeviceID: 77, Counter: 3})
	for i := 0; i < len(good); i++ {
		if _, err := Parse(good[:i]); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
			t.Errorf("Parse(first %d chars) = %v, want ENOTFOUND", i, err)
		}
		if _, err := Parse(good[i+1:]); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
			t.Errorf("Parse(without first %d chars) = %v, want ENOTFOUND", i+1, err)
		}
	}
}

func TestVerify(t *testing.T) {
	ref := doorstep.TokenRef{DeviceID: 5, Counter: 6}
	s, tok, err := Sign(testKey(), ref, testTime(), DefaultValidity)
	if err != nil {
		t.Fatal(err)
	}
	exp := testTime().Add(90 * 24 * time.Hour)
	if !tok.ExpiresAt.Equal(exp) {
		t.Fatalf("ExpiresAt = %v, want %v", tok.ExpiresAt, exp)
	}
	tests := []struct {
		name      string
		key       []byte
		now       time.Time
		wantCode  string
		wantToken bool
	}{
		{"at issue", testKey(), testTime(), "", true},
		{"device clock behind", testKey(), testTime().Add(-48 * time.Hour), "", true},
		{"last instant", testKey(), exp.Add(-time.Nanosecond), "", true},
		{"at expiry", testKey(), exp, doorstep.EEXPIRED, true},
		{"long after", testKey(), exp.AddDate(5, 0, 0), doorstep.EEXPIRED, true},
		{"at expiry in another zone", testKey(), exp.In(time.FixedZone("X", 3600)), doorstep.EEXPIRED, true},
		{"wrong key", otherKey(), testTime(), doorstep.ENOTFOUND, false},
		{"wrong key and expired", otherKey(), exp, doorstep.ENOTFOUND, false},
		// Not a zero byte: HMAC pads keys with zeros, so key||0x00 is the same key.
		{"key one byte longer", append(testKey(), 'x'), testTime(), doorstep.ENOTFOUND, false},
		{"last key byte differs", append(testKey()[:31], 'g'), testTime(), doorstep.ENOTFOUND, false},
		{"short key", testKey()[:15], testTime(), doorstep.EINTERNAL, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Verify(tt.key, s, tt.now)
			wantCode(t, err, tt.wantCode)
			want := Token{}
			if tt.wantToken {
				want = tok
			}
			if got != want {
				t.Fatalf("Verify token = %+v, want %+v", got, want)
			}
			if tt.wantCode == doorstep.EEXPIRED && !strings.Contains(doorstep.ErrorMessage(err), "19 February 2027") {
				t.Fatalf("expired message %q does not say when", doorstep.ErrorMessage(err))
			}
		})
	}
}

func TestFeedbackURL(t *testing.T) {
	tok := signed(t, doorstep.TokenRef{DeviceID: 1, Counter: 1})
	tests := []struct {
		public string
		want   string // "" means EINVALID
	}{
		{"https://doorstep.example.police.uk", "HTTPS://DOORSTEP.EXAMPLE.POLICE.UK/F/" + tok},
		{"https://doorstep.example.police.uk/", "HTTPS://DOORSTEP.EXAMPLE.POLICE.UK/F/" + tok},
		{"http://127.0.0.1:8080", "HTTP://127.0.0.1:8080/F/" + tok},
		{"HTTPS://Feedback.Example.UK", "HTTPS://FEEDBACK.EXAMPLE.UK/F/" + tok},
		{"https://example.police.uk/doorstep", "HTTPS://EXAMPLE.POLICE.UK/doorstep/F/" + tok},
		{"https://example.police.uk/Doorstep/v1/", "HTTPS://EXAMPLE.POLICE.UK/Doorstep/v1/F/" + tok},
		{"https://example.police.uk//", "HTTPS://EXAMPLE.POLICE.UK/F/" + tok},
		{"https://[::1]:8443", "HTTPS://[::1]:8443/F/" + tok},
		{"ftp://example.police.uk", ""},
		{"javascript:alert(1)", ""},
		{"mailto:x@example.uk", ""},
		{"example.police.uk", ""},
		{"//example.police.uk", ""},
		{"/relative/path", ""},
		{"", ""},
		{"https://", ""},
		{"https:example.police.uk", ""},
		{"https://example.police.uk?x=1", ""},
		{"https://example.police.uk/?", ""},
		{"https://example.police.uk/#frag", ""},
		{"https://example.police.uk#", ""},
		{"https://user:pw@example.police.uk", ""},
		{"https://user@example.police.uk", ""},
		{"https://@example.police.uk", ""},
		{"https://exa mple.police.uk", ""},
		{"https://example.police.uk:port", ""},
		{"https://example.police.uk\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.public, func(t *testing.T) {
			got, err := FeedbackURL(tt.public, tok)
			if tt.want == "" {
				wantCode(t, err, doorstep.EINVALID)
				if got != "" {
					t.Fatalf("got %q with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("FeedbackURL: %v", err)
			}
			if got != tt.want {
				t.Fatalf("FeedbackURL = %q, want %q", got, tt.want)
			}
			// The server finds the token in the path again.
			i := strings.Index(got[len("HTTPS://"):], "/")
			path := got[len("HTTPS://")+i:]
			if p, ok := TokenFromPath(path); !ok || p != tok {
				t.Fatalf("TokenFromPath(%q) = %q, %v", path, p, ok)
			}
		})
	}

	for _, bad := range []string{"", tok[:49], strings.ToLower(tok), tok + "=", "../../etc/passwd"} {
		if _, err := FeedbackURL("https://example.police.uk", bad); doorstep.ErrorCode(err) != doorstep.EINVALID {
			t.Errorf("FeedbackURL with token %q: err = %v, want EINVALID", bad, err)
		}
	}
}

func TestTokenFromPath(t *testing.T) {
	tok := signed(t, doorstep.TokenRef{DeviceID: 1, Counter: 1})
	tests := []struct {
		path string
		want string
		ok   bool
	}{
		{"/F/" + tok, tok, true},
		{"/doorstep/F/" + tok, tok, true},
		{"/F/ABC", "ABC", true}, // shape is for Parse to judge
		{"/F/", "", false},
		{"/F", "", false},
		{"", "", false},
		{"/", "", false},
		{"/f/" + tok, "", false},
		{"F/" + tok, "", false},
		{"/F/" + tok + "/", "", false},
		{"/F/" + tok + "/x", "", false},
		{"/X/" + tok, "", false},
	}
	for _, tt := range tests {
		got, ok := TokenFromPath(tt.path)
		if got != tt.want || ok != tt.ok {
			t.Errorf("TokenFromPath(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}
