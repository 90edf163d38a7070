package doorstep

import (
	"context"
	"time"
)

// ContactRequest is a victim's "please contact me": a call-back request for
// the victim care desk, with only the contact details the victim chose to
// give. It is kept apart from the feedback (its own store, never in a
// Feedback record, a feedback listing, an export or a log line) and deleted
// after a retention period (ContactStore.PurgeContactRequests).
//
// It names the visit (Token, OfficerID, IssuedAt) so that the desk knows
// which case to call about; the victim is told so on the form.
type ContactRequest struct {
	ID        string    `json:"id"` // assigned by the store, time ordered
	Token     TokenRef  `json:"token"`
	OfficerID string    `json:"officer_id"` // from the device record
	IssuedAt  time.Time `json:"issued_at"`  // the visit, from the token

	Name  string `json:"name,omitempty"`  // optional: how to address the victim
	Phone string `json:"phone,omitempty"` // at least one of Phone and Email
	Email string `json:"email,omitempty"`
	// BestTime is one of the ContactTime constants, empty for any time.
	BestTime string `json:"best_time,omitempty"`
	// SafeToLeaveMessage is AnswerYes or AnswerNo (empty: not said). When it
	// is not yes, the desk must not leave a voicemail, text or email that
	// says who is calling.
	SafeToLeaveMessage string `json:"safe_to_leave_message,omitempty"`
	// Language is the tag of the language the victim prefers to be contacted in.
	Language string `json:"language,omitempty"`

	CreatedAt time.Time  `json:"created_at"`
	HandledAt *time.Time `json:"handled_at"`
	HandledBy string     `json:"handled_by,omitempty"` // account username or "admin-token"
}

// Handled reports whether the desk has dealt with the request.
func (r *ContactRequest) Handled() bool { return r.HandledAt != nil }

// Best times to call a victim back.
const (
	ContactMorning   = "morning"   // 8am to 12 noon
	ContactAfternoon = "afternoon" // 12 noon to 5pm
	ContactEvening   = "evening"   // 5pm to 8pm
)

// Limits on a contact request's fields, in characters.
const (
	MaxContactName  = 100
	MaxContactPhone = 32
	MaxContactEmail = 254
)

// ContactFilter narrows a contact request listing.
type ContactFilter struct {
	// IncludeHandled lists handled requests too; by default only open ones.
	IncludeHandled bool
	// Limit caps the number listed; zero or less means no cap.
	Limit int
}

// ContactStore keeps victims' call-back requests, apart from their feedback.
type ContactStore interface {
	// CreateContactRequest stores r, assigning r.ID and r.CreatedAt (when
	// zero) and r.OfficerID from the device. One request per code: ECONFLICT
	// when the token already has one. EINVALID without a phone number or an
	// email address, or with a field over its limit or an unknown best time;
	// ENOTFOUND for an unknown device.
	CreateContactRequest(ctx context.Context, r *ContactRequest) error
	// ContactRequestFor returns the request made with a code, ENOTFOUND when none.
	ContactRequestFor(ctx context.Context, ref TokenRef) (*ContactRequest, error)
	// ContactRequests lists requests oldest first (the order the desk works
	// them), open ones only unless the filter says otherwise.
	ContactRequests(ctx context.Context, filter ContactFilter) ([]*ContactRequest, error)
	// MarkContactHandled records that by handled the request at now and
	// returns it. Marking it again keeps the first time and actor. ENOTFOUND
	// for an unknown (or purged) request.
	MarkContactHandled(ctx context.Context, id, by string, now time.Time) (*ContactRequest, error)
	// PurgeContactRequests deletes every request created before before,
	// handled or not, and returns how many it deleted. The retention job calls
	// it; the retention period is a promise to victims, so an unhandled
	// request is deleted too.
	PurgeContactRequests(ctx context.Context, before time.Time) (int, error)
}
