package sync

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"time"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
)

// Limits on what a device may send in one request.
const (
	MaxPushMutations = 500
	MaxPushBytes     = 1 << 20
	MaxPairBytes     = 4 << 10
	DefaultPullLimit = 500
	MaxPullLimit     = 1000

	MaxDeviceNameLen = 64
	MaxCrimeRefLen   = 40
	MaxReasonLen     = 200
	maxShortField    = 64
)

// PairRequest is what a device sends to pair with a pairing code.
type PairRequest struct {
	Code       string `json:"code"`
	DeviceName string `json:"device_name"`
}

// PairResponse is everything a device needs to work offline: who it is, whom it
// belongs to, where feedback URLs point and the key that signs its tokens.
type PairResponse struct {
	DeviceID uint32           `json:"device_id"`
	Officer  doorstep.Officer `json:"officer"`
	// Credential authenticates sync calls as "Authorization: Bearer <credential>".
	// The server keeps only its hash.
	Credential string `json:"credential"`
	// TokenKey signs the device's feedback tokens (HMAC-SHA256); base64 in JSON.
	TokenKey          []byte    `json:"token_key"`
	PublicURL         string    `json:"public_url"`
	TokenValidityDays int       `json:"token_validity_days"`
	ServerTime        time.Time `json:"server_time"`
	ServerHLC         string    `json:"server_hlc"`
}

// PushRequest is one batch from a device's outbox.
type PushRequest struct {
	Mutations []doorstep.Mutation `json:"mutations"`
}

// PushResponse acknowledges a batch.
type PushResponse struct {
	doorstep.PushResult
	ServerHLC string `json:"server_hlc"`
}

// PullResponse is one page of the change feed.
type PullResponse struct {
	Changes   []doorstep.Change `json:"changes"`
	Cursor    string            `json:"cursor"`
	More      bool              `json:"more"`
	ServerHLC string            `json:"server_hlc"`
}

// ErrorResponse is the JSON body of every API error.
type ErrorResponse struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// EncodeCursor makes the opaque cursor a device stores: the 8-byte big-endian
// server sequence, base64url.
func EncodeCursor(seq uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// DecodeCursor parses a cursor made by EncodeCursor; "" is the start of the feed.
func DecodeCursor(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 8 || base64.RawURLEncoding.EncodeToString(b) != s {
		return 0, doorstep.Errorf(doorstep.EINVALID, "malformed cursor")
	}
	return binary.BigEndian.Uint64(b), nil
}

// DecodeStrict reads one JSON value of at most limit bytes into v, refusing
// unknown fields, invalid UTF-8 and trailing data with EINVALID (ETOOLARGE past
// the limit). Every JSON body the server accepts goes through it.
func DecodeStrict(r io.Reader, limit int64, v any) error {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return doorstep.Errorf(doorstep.EINVALID, "reading body: %v", err)
	}
	if int64(len(body)) > limit {
		return doorstep.Errorf(doorstep.ETOOLARGE, "body over %d bytes", limit)
	}
	if !utf8.Valid(body) {
		return doorstep.Errorf(doorstep.EINVALID, "body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return doorstep.Errorf(doorstep.EINVALID, "malformed JSON: %s", jsonErrorText(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return doorstep.Errorf(doorstep.EINVALID, "malformed JSON: data after the object")
	}
	return nil
}

func jsonErrorText(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "field " + te.Field + " must be " + te.Type.String()
	}
	s := err.Error()
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

// DecodePair reads and checks a pairing request.
func DecodePair(r io.Reader) (*PairRequest, error) {
	var p PairRequest
	if err := DecodeStrict(r, MaxPairBytes, &p); err != nil {
		return nil, err
	}
	if p.Code == "" || len(p.Code) > maxShortField {
		return nil, doorstep.Errorf(doorstep.EINVALID, "code is required (at most %d characters)", maxShortField)
	}
	if err := checkText("device_name", p.DeviceName, MaxDeviceNameLen); err != nil {
		return nil, err
	}
	return &p, nil
}

// DecodePush reads a push batch and checks its shape: at least one and at most
// MaxPushMutations mutations with consecutive IDs. It does not judge the
// mutations themselves: a well-formed mutation that can never apply is rejected
// one by one (CheckMutation), so that it does not block the device.
func DecodePush(r io.Reader) (*PushRequest, error) {
	var p PushRequest
	if err := DecodeStrict(r, MaxPushBytes, &p); err != nil {
		return nil, err
	}
	if len(p.Mutations) == 0 {
		return nil, doorstep.Errorf(doorstep.EINVALID, "push holds no mutations")
	}
	if len(p.Mutations) > MaxPushMutations {
		return nil, doorstep.Errorf(doorstep.ETOOLARGE, "push holds %d mutations, at most %d", len(p.Mutations), MaxPushMutations)
	}
	for i, m := range p.Mutations {
		if m.ID == 0 {
			return nil, doorstep.Errorf(doorstep.EINVALID, "mutation ids start at 1")
		}
		if i > 0 && m.ID != p.Mutations[i-1].ID+1 {
			return nil, doorstep.Errorf(doorstep.EINVALID, "mutation ids must be consecutive (%d after %d)", m.ID, p.Mutations[i-1].ID)
		}
	}
	return &p, nil
}

// checkText refuses text that is too long, not UTF-8, or holds control characters.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return doorstep.Errorf(doorstep.EINVALID, "%s is longer than %d bytes", field, max)
	}
	if !utf8.ValidString(s) {
		return doorstep.Errorf(doorstep.EINVALID, "%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return doorstep.Errorf(doorstep.EINVALID, "%s holds control characters", field)
		}
	}
	return nil
}
