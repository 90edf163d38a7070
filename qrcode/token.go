package qrcode

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"math"
	"net/url"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// Token layout; see the package documentation.
const (
	tokenVersion = 1  // byte 0
	headerLen    = 15 // bytes 0..14, covered by the MAC
	macLen       = 16 // HMAC-SHA256 truncated to 128 bits
	rawLen       = headerLen + macLen
	minKeyLen    = 16
	day          = 24 * time.Hour
)

// TokenLen is the length of an encoded token: 31 bytes in unpadded base32.
const TokenLen = 50

// DefaultValidity is how long a feedback code stays valid unless the caller
// chooses otherwise.
const DefaultValidity = 90 * day

// feedbackPath is the path segment in front of the token in a feedback URL.
const feedbackPath = "/F/"

// enc is RFC 4648 base32 (upper case) without padding. Decoding with it alone is
// not enough to be canonical: Parse also checks the alphabet and re-encodes.
var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

// Token is the decoded content of a feedback token, without its MAC.
type Token struct {
	Version   uint8
	Ref       doorstep.TokenRef // DeviceID, Counter
	IssuedAt  time.Time         // truncated to the minute, UTC
	ExpiresAt time.Time         // IssuedAt plus the validity in whole days
}

// Sign issues a token for ref, issued at issuedAt (truncated to the minute) and
// valid for validity, rounded up to whole days. It returns the encoded token
// (TokenLen characters) and its decoded form.
//
// The key must be at least 16 bytes; the validity must come to 1..65535 days;
// issuedAt must lie between the Unix epoch and the year 10000. Anything else is
// EINVALID.
func Sign(key []byte, ref doorstep.TokenRef, issuedAt time.Time, validity time.Duration) (string, Token, error) {
	if len(key) < minKeyLen {
		return "", Token{}, doorstep.Errorf(doorstep.EINVALID, "token key must be at least %d bytes, got %d", minKeyLen, len(key))
	}
	if validity <= 0 {
		return "", Token{}, doorstep.Errorf(doorstep.EINVALID, "token validity must be positive, got %v", validity)
	}
	days := validity / day
	if validity%day != 0 {
		days++
	}
	if days > math.MaxUint16 {
		return "", Token{}, doorstep.Errorf(doorstep.EINVALID, "token validity must be at most %d days, got %d", math.MaxUint16, days)
	}
	unix := issuedAt.Unix()
	if unix < 0 {
		return "", Token{}, doorstep.Errorf(doorstep.EINVALID, "token issue time %s is before 1970", issuedAt.UTC().Format(time.RFC3339))
	}
	minutes := unix / 60
	if minutes > math.MaxUint32 {
		return "", Token{}, doorstep.Errorf(doorstep.EINVALID, "token issue time is too far in the future")
	}

	var raw [rawLen]byte
	raw[0] = tokenVersion
	binary.BigEndian.PutUint32(raw[1:5], ref.DeviceID)
	binary.BigEndian.PutUint32(raw[5:9], ref.Counter)
	binary.BigEndian.PutUint32(raw[9:13], uint32(minutes))
	binary.BigEndian.PutUint16(raw[13:15], uint16(days))
	copy(raw[headerLen:], mac(key, raw[:headerLen]))

	return enc.EncodeToString(raw[:]), tokenFromHeader(raw[:headerLen]), nil
}

// Parse decodes a token's structure without checking its MAC (the key is found
// by the device ID it carries; see Verify). Only the canonical encoding is
// accepted: exactly TokenLen characters of upper-case base32 (A-Z, 2-7), no
// padding, unused trailing bits zero, format version 1 and a validity of at
// least one day. Anything malformed is ENOTFOUND: to a victim a mistyped, cut
// or forged code is a code that does not exist.
func Parse(s string) (Token, error) {
	raw, err := decode(s)
	if err != nil {
		return Token{}, err
	}
	return tokenFromHeader(raw[:headerLen]), nil
}

// Verify parses s, checks its MAC under key and checks that it has not expired
// at now. A bad MAC is ENOTFOUND (and returns a zero Token: nothing in a forged
// code is to be trusted). An expired code is EEXPIRED when now is at or after
// ExpiresAt; the Token is then returned alongside the error, its content being
// authentic. A key shorter than 16 bytes is a server fault: EINTERNAL.
func Verify(key []byte, s string, now time.Time) (Token, error) {
	if len(key) < minKeyLen {
		return Token{}, doorstep.Errorf(doorstep.EINTERNAL, "token key must be at least %d bytes", minKeyLen)
	}
	raw, err := decode(s)
	if err != nil {
		return Token{}, err
	}
	if !hmac.Equal(raw[headerLen:], mac(key, raw[:headerLen])) {
		return Token{}, doorstep.Errorf(doorstep.ENOTFOUND, "this feedback code is not recognised; please check it was typed exactly as printed")
	}
	tok := tokenFromHeader(raw[:headerLen])
	if !now.Before(tok.ExpiresAt) {
		return tok, doorstep.Errorf(doorstep.EEXPIRED, "this feedback code expired on %s", tok.ExpiresAt.Format("2 January 2006"))
	}
	return tok, nil
}

// decode checks that s is a canonical token and returns its bytes.
func decode(s string) ([rawLen]byte, error) {
	var raw [rawLen]byte
	if len(s) != TokenLen {
		return raw, notRecognised("it should be %d characters long, not %d", TokenLen, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return raw, notRecognised("character %d is not one of A-Z or 2-7", i+1)
		}
	}
	n, err := enc.Decode(raw[:], []byte(s))
	if err != nil || n != rawLen {
		return raw, notRecognised("it is not valid base32")
	}
	// The last character carries 5 bits of which only 3 are data; a decoder
	// ignores the other 2, so re-encode to refuse a second spelling of one code.
	if enc.EncodeToString(raw[:]) != s {
		return raw, notRecognised("it is not in canonical form")
	}
	if raw[0] != tokenVersion {
		return raw, notRecognised("unknown format version %d", raw[0])
	}
	if binary.BigEndian.Uint16(raw[13:15]) == 0 {
		return raw, notRecognised("its validity is zero days")
	}
	return raw, nil
}

func notRecognised(format string, args ...any) error {
	return doorstep.Errorf(doorstep.ENOTFOUND, "this feedback code is not recognised: "+format, args...)
}

// tokenFromHeader decodes the 15 MAC-covered bytes of a structurally valid token.
func tokenFromHeader(h []byte) Token {
	issued := time.Unix(int64(binary.BigEndian.Uint32(h[9:13]))*60, 0).UTC()
	days := time.Duration(binary.BigEndian.Uint16(h[13:15]))
	return Token{
		Version: h[0],
		Ref: doorstep.TokenRef{
			DeviceID: binary.BigEndian.Uint32(h[1:5]),
			Counter:  binary.BigEndian.Uint32(h[5:9]),
		},
		IssuedAt:  issued,
		ExpiresAt: issued.Add(days * day),
	}
}

// mac is HMAC-SHA256(key, header) truncated to macLen bytes.
func mac(key, header []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(header)
	return m.Sum(nil)[:macLen]
}

// FeedbackURL returns the URL a victim scans: the public URL with its scheme and
// host upper-cased, its path prefix unchanged (one trailing slash or more
// dropped), then "/F/" and the token. With an upper-case host and no path
// prefix every character is in the QR alphanumeric set, which keeps the code
// small. The public URL must be absolute http or https with a host and no
// user info, query or fragment, and the token must be well formed; otherwise
// EINVALID.
func FeedbackURL(publicURL, token string) (string, error) {
	if strings.ContainsAny(publicURL, "?#") {
		return "", doorstep.Errorf(doorstep.EINVALID, "public URL must not have a query or fragment")
	}
	u, err := url.Parse(publicURL)
	if err != nil {
		return "", doorstep.Errorf(doorstep.EINVALID, "public URL is not a valid URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", doorstep.Errorf(doorstep.EINVALID, "public URL must start with http:// or https://")
	}
	if u.Opaque != "" || u.Host == "" {
		return "", doorstep.Errorf(doorstep.EINVALID, "public URL must have a host")
	}
	if u.User != nil {
		return "", doorstep.Errorf(doorstep.EINVALID, "public URL must not carry a user name or password")
	}
	if _, err := decode(token); err != nil {
		return "", doorstep.Errorf(doorstep.EINVALID, "feedback token is malformed: %s", doorstep.ErrorMessage(err))
	}
	prefix := strings.TrimRight(u.EscapedPath(), "/")
	return strings.ToUpper(scheme+"://"+u.Host) + prefix + feedbackPath + token, nil
}

// TokenFromPath returns the token of a feedback URL's path: the part after a
// final "/F/" (so a path prefix in front is allowed). It reports false when p
// has no "/F/" or nothing, or another path segment, after it. It does not check
// the token; Parse or Verify does.
func TokenFromPath(p string) (string, bool) {
	i := strings.LastIndex(p, feedbackPath)
	if i < 0 {
		return "", false
	}
	tok := p[i+len(feedbackPath):]
	if tok == "" || strings.Contains(tok, "/") {
		return "", false
	}
	return tok, true
}
