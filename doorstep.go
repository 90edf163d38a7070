package doorstep

import (
	"time"
)

// Officer is a police officer whose visits victims rate.
type Officer struct {
	ID           string    `json:"id"`
	CollarNumber string    `json:"collar_number"`
	Name         string    `json:"name"`
	Borough      string    `json:"borough"`
	Team         string    `json:"team"`
	CreatedAt    time.Time `json:"created_at"`
}

// PairingCode is a single-use, expiring code an admin gives an officer so that
// one device can pair.
type PairingCode struct {
	Code      string     `json:"code"`
	OfficerID string     `json:"officer_id"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// Device is an officer's paired phone. ID is short and numeric because it is
// carried inside every feedback token.
type Device struct {
	ID        uint32 `json:"id"`
	OfficerID string `json:"officer_id"`
	Name      string `json:"name"`
	// CredentialHash is SHA-256 of the device's sync credential (a 256-bit random secret).
	CredentialHash []byte `json:"-"`
	// KeyCiphertext is the device's token key sealed under the server key; the store
	// never sees the key in clear.
	KeyCiphertext  []byte     `json:"-"`
	PairedAt       time.Time  `json:"paired_at"`
	LastSyncAt     *time.Time `json:"last_sync_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
	LastMutationID uint64     `json:"last_mutation_id"`
}

// Revoked reports whether the device has been revoked.
func (d *Device) Revoked() bool { return d.RevokedAt != nil }

// TokenRef names one feedback code: the issuing device and its per-issue counter.
// It is what a victim's token resolves to, before or after the issue has synced.
type TokenRef struct {
	DeviceID uint32 `json:"device_id"`
	Counter  uint32 `json:"counter"`
}

// Leaflet formats.
const (
	FormatA4      = "a4"
	FormatThermal = "thermal"
)

// Issuance is one feedback code issued by a device at a scene, usually offline.
// Issuances are immutable once stored except for Voided.
type Issuance struct {
	ID        string   `json:"id"` // client-generated, time ordered (UUIDv7)
	Token     TokenRef `json:"token"`
	TokenText string   `json:"token_text"` // the canonical token as printed in the URL
	OfficerID string   `json:"officer_id"`
	// IssuedAt is the device's claimed time; ReceivedAt the server's time when it
	// first stored the issue. Neither alone orders edits: HLC does.
	IssuedAt   time.Time `json:"issued_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	ReceivedAt time.Time `json:"received_at,omitempty"`
	// CrimeRef is the crime reference printed on the leaflet. It never appears in a
	// token, a URL or a log line.
	CrimeRef       string `json:"crime_ref,omitempty"`
	Language       string `json:"language"`
	Format         string `json:"format"`
	LargePrint     bool   `json:"large_print,omitempty"`
	Discreet       bool   `json:"discreet,omitempty"`
	ContentVersion string `json:"content_version"`
	Voided         bool   `json:"voided,omitempty"`
	VoidReason     string `json:"void_reason,omitempty"`
	// HLC is the hybrid logical clock stamp of the last accepted change, in its
	// fixed-width text form (lexicographic order is causal order).
	HLC string `json:"hlc"`
}

// Answers to the short yes/no questions on the victim page.
const (
	AnswerYes    = "yes"
	AnswerNo     = "no"
	AnswerUnsure = "unsure"
)

// Feedback is one victim's answer to one code. Feedback may arrive before the
// device has synced the issue; it is then unlinked (IssuanceID empty) and is
// linked when the issue arrives.
type Feedback struct {
	ID         string    `json:"id"`
	Token      TokenRef  `json:"token"`
	OfficerID  string    `json:"officer_id"` // from the device record, known even when unlinked
	IssuanceID string    `json:"issuance_id,omitempty"`
	Rating     int       `json:"rating"` // 1..5
	Respect    string    `json:"respect,omitempty"`
	Rights     string    `json:"rights,omitempty"`
	Updates    string    `json:"updates,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	AgeBand    string    `json:"age_band,omitempty"`
	Language   string    `json:"language,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	// IssuedAt is the issue time carried by the token, kept so that aggregates can
	// be dated by visit.
	IssuedAt time.Time `json:"issued_at"`
	Reviewed bool      `json:"reviewed,omitempty"`
}

// Linked reports whether the feedback's issue has synced.
func (f *Feedback) Linked() bool { return f.IssuanceID != "" }

// Summary is the per-officer count of issues and feedback, kept on write.
type Summary struct {
	Issued     int            `json:"issued"`
	Responses  int            `json:"responses"`
	Unlinked   int            `json:"unlinked"`
	MeanRating *float64       `json:"mean_rating"`
	Ratings    map[string]int `json:"ratings"`
}

// ContentVersion is one published version of leaflet and victim-page content in
// one language. Body is the leaflet package's JSON; the store keeps it opaque.
type ContentVersion struct {
	Language    string    `json:"language"`
	Version     string    `json:"version"`
	Body        []byte    `json:"body"`
	PublishedAt time.Time `json:"published_at"`
}
