package doorstep

import (
	"context"
	"io"
	"time"
)

// Store is everything the server keeps. The bolt package implements it on one
// bbolt file; the storetest package pins its behaviour so that another backend
// (PostgreSQL, for a replicated deployment) can be swapped in unseen.
//
// Every method that changes state does so atomically: it either stores all of
// its change or none of it. After Close every method returns EUNAVAILABLE.
//
// Pushed issuances carry token text the store must verify with the device's
// key, which only the server can unseal: a backend takes a token verifier when
// it is constructed (bolt.Options.CheckToken) and calls it through
// sync.CheckMutation inside the write transaction.
type Store interface {
	OfficerStore
	DeviceStore
	SyncStore
	FeedbackStore
	ContentStore
	AccountStore
	ContactStore
	RetentionStore
	DashboardStore // dashboard.go
	SessionStore   // dashboard.go

	// Backup writes a consistent copy of the whole store to w while it keeps serving.
	Backup(ctx context.Context, w io.Writer) (int64, error)
	// Ready reports nil while the store is open and serving.
	Ready() error
	Close() error
}

// OfficerStore keeps officers.
type OfficerStore interface {
	// CreateOfficer assigns o.ID and o.CreatedAt when empty. ECONFLICT when the
	// collar number is already taken.
	CreateOfficer(ctx context.Context, o *Officer) error
	Officer(ctx context.Context, id string) (*Officer, error)
	Officers(ctx context.Context) ([]*Officer, error)
	// Summary is read from aggregates kept on write, not computed by a scan.
	// Issued counts the officer's synced issuances that are not voided; voiding
	// an answered code keeps its response. ENOTFOUND for an unknown officer.
	Summary(ctx context.Context, officerID string) (*Summary, error)
}

// DeviceStore keeps pairing codes and devices.
type DeviceStore interface {
	// CreatePairingCode stores a new code. ENOTFOUND when the officer is unknown,
	// ECONFLICT when the code already exists.
	CreatePairingCode(ctx context.Context, pc *PairingCode) error
	// Pair redeems code at now and stores d as a new device of the code's officer,
	// in one transaction: it assigns d.ID, d.OfficerID and d.PairedAt. ENOTFOUND for
	// an unknown code, ECONFLICT for a used one, EEXPIRED for an expired one.
	Pair(ctx context.Context, code string, now time.Time, d *Device) (*Officer, error)
	Device(ctx context.Context, id uint32) (*Device, error)
	Devices(ctx context.Context, officerID string) ([]*Device, error)
	// RevokeDevice marks the device revoked at now and records a revocation change
	// in the feed. Revoking twice keeps the first time.
	RevokeDevice(ctx context.Context, id uint32, now time.Time) (*Device, error)
}

// Mutation kinds a device may push.
const (
	MutationIssue = "issue" // create (or, for an existing ID, update by HLC) an issuance
	MutationVoid  = "void"  // void an issuance, kept pending when the issue has not arrived
)

// Mutation is one operation from a device's outbox. IDs are 1, 2, 3… per device.
type Mutation struct {
	ID       uint64    `json:"id"`
	Kind     string    `json:"kind"`
	Issuance *Issuance `json:"issuance,omitempty"`
	Void     *Void     `json:"void,omitempty"`
}

// Void cancels an issuance (a code printed by mistake, a spoiled leaflet).
type Void struct {
	IssuanceID string `json:"issuance_id"`
	Reason     string `json:"reason,omitempty"`
	HLC        string `json:"hlc"`
}

// Mutation result statuses.
const (
	StatusApplied  = "applied"
	StatusRejected = "rejected" // never retried; Reason says why
)

// MutationResult acknowledges one mutation.
type MutationResult struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// PushResult is the outcome of applying one batch.
type PushResult struct {
	LastMutationID uint64           `json:"last_mutation_id"`
	Results        []MutationResult `json:"results"`
}

// Change kinds in the pull feed.
const (
	ChangeIssuance   = "issuance"
	ChangeFeedback   = "feedback"
	ChangeContent    = "content"
	ChangeRevocation = "revocation"
)

// Change is one entry of the server's change feed, as a device sees it.
type Change struct {
	Seq        uint64          `json:"seq"`
	Kind       string          `json:"kind"`
	Issuance   *Issuance       `json:"issuance,omitempty"`
	Feedback   *Feedback       `json:"feedback,omitempty"`
	Content    *ContentVersion `json:"content,omitempty"`
	Revocation *Device         `json:"revocation,omitempty"`
}

// SyncStore applies device pushes and serves the change feed.
type SyncStore interface {
	// ApplyMutations applies muts for the device in one transaction together with
	// the device's LastMutationID and LastSyncAt. Mutations with IDs at or below
	// LastMutationID are skipped and answered as they were first answered; a gap
	// (first new ID > LastMutationID+1) is refused with ECONFLICT and stores nothing.
	// A mutation that can never succeed is rejected with a reason and still
	// advances LastMutationID. EINVALID for ID 0 or non-consecutive IDs. Feedback already received for an issuance's token is
	// linked in the same transaction. ERevoked for a revoked device.
	ApplyMutations(ctx context.Context, deviceID uint32, muts []Mutation, now time.Time) (*PushResult, error)
	// Changes returns up to limit changes after the cursor that the device may see
	// (its own issuances, feedback on its codes, content, its revocation), in
	// commit order, and the cursor to resume from.
	Changes(ctx context.Context, deviceID uint32, after uint64, limit int) (changes []Change, next uint64, more bool, err error)
}

// FeedbackStore keeps victims' feedback.
type FeedbackStore interface {
	// Issuance returns the synced issuance for a token, ENOTFOUND when it has not synced.
	Issuance(ctx context.Context, ref TokenRef) (*Issuance, error)
	// SubmitFeedback stores f for its token: ECONFLICT when the token already has
	// feedback, EEXPIRED for a voided code, EREVOKED for a never-synced code of a
	// revoked device, ENOTFOUND for an unknown device, EINVALID for a rating
	// outside 1..5. It links f to the issuance when that has synced, sets f.OfficerID
	// from the device, updates the aggregates and the device's feed, all at once.
	SubmitFeedback(ctx context.Context, f *Feedback) error
	// FeedbackFor returns the feedback given for a token, ENOTFOUND when none.
	FeedbackFor(ctx context.Context, ref TokenRef) (*Feedback, error)
	// OfficerFeedback lists an officer's feedback, newest first.
	OfficerFeedback(ctx context.Context, officerID string, filter FeedbackFilter) ([]*Feedback, error)
}

// FeedbackFilter narrows a feedback listing. Zero values mean no restriction.
type FeedbackFilter struct {
	MinRating, MaxRating int
	From, To             time.Time // received in [From, To)
	Limit                int
}

// ContentStore keeps published leaflet content.
type ContentStore interface {
	// PublishContent stores a new version and adds it to every device's feed.
	// ECONFLICT when that language already has that version.
	PublishContent(ctx context.Context, c *ContentVersion) error
	// LatestContent returns the newest published version of every language.
	LatestContent(ctx context.Context) ([]*ContentVersion, error)
}

// Account roles.
const (
	RoleAdmin   = "admin"
	RoleTrainer = "trainer"
)

// Account is a person who signs in to the dashboard.
type Account struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	PasswordHash []byte    `json:"-"`
	Role         string    `json:"role"`
	CreatedAt    time.Time `json:"created_at"`
}

// AuditEntry records that someone viewed or exported officer-linked feedback.
type AuditEntry struct {
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`  // account username, or "admin-token"
	Action    string    `json:"action"` // "view_officer", "export"
	OfficerID string    `json:"officer_id,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// AccountStore keeps dashboard accounts and the audit log.
type AccountStore interface {
	// CreateAccount assigns ID and CreatedAt. ECONFLICT when the username is taken.
	CreateAccount(ctx context.Context, a *Account) error
	AccountByUsername(ctx context.Context, username string) (*Account, error)
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// Audit lists entries newest first.
	Audit(ctx context.Context, limit int) ([]*AuditEntry, error)
}
