package doorstep

import (
	"context"
	"math"
	"strings"
	"time"
)

// Scope names the part of the force a dashboard view covers: the whole force
// (zero Scope), one borough, one team of a borough, or one officer. OfficerID,
// when set, wins over Borough and Team.
type Scope struct {
	Borough   string `json:"borough,omitempty"`
	Team      string `json:"team,omitempty"` // only within Borough
	OfficerID string `json:"officer_id,omitempty"`
}

// Force reports whether the scope is the whole force.
func (s Scope) Force() bool { return s == Scope{} }

// String describes the scope for people and the audit log.
func (s Scope) String() string {
	switch {
	case s.OfficerID != "":
		return "officer " + s.OfficerID
	case s.Team != "":
		return "team " + s.Borough + " / " + s.Team
	case s.Borough != "":
		return "borough " + s.Borough
	}
	return "force"
}

// Valid reports whether the scope is well formed: a team needs its borough,
// and names hold no control characters.
func (s Scope) Valid() bool {
	if s.Team != "" && s.Borough == "" {
		return false
	}
	for _, v := range []string{s.Borough, s.Team, s.OfficerID} {
		if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return false
		}
	}
	return true
}

// Stats are the figures of a scope or of one day of it, read from aggregates
// kept on write. Issued counts synced issuances that are not voided;
// Responses all feedback, linked or not; Unlinked the feedback whose issue
// has not synced (zero in per-day figures).
type Stats struct {
	Issued    int    `json:"issued"`
	Responses int    `json:"responses"`
	Unlinked  int    `json:"unlinked"`
	RatingSum int    `json:"rating_sum"`
	Ratings   [5]int `json:"ratings"` // Ratings[0] counts rating 1
}

// Mean is the mean rating, nil without responses.
func (s Stats) Mean() *float64 {
	if s.Responses == 0 {
		return nil
	}
	m := float64(s.RatingSum) / float64(s.Responses)
	return &m
}

// CodesIssued is the number of codes known to have been issued: the synced,
// non-voided issuances plus the codes answered before their issue synced
// (a victim could only answer a code that had been issued).
func (s Stats) CodesIssued() int { return s.Issued + s.Unlinked }

// ResponseRate is Responses ÷ CodesIssued, capped at 1 (a code answered and
// voided afterwards keeps its response but leaves Issued), nil when no code
// is known to have been issued.
func (s Stats) ResponseRate() *float64 {
	n := s.CodesIssued()
	if n <= 0 {
		return nil
	}
	r := math.Min(1, float64(s.Responses)/float64(n))
	return &r
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Issued += o.Issued
	s.Responses += o.Responses
	s.Unlinked += o.Unlinked
	s.RatingSum += o.RatingSum
	for i := range s.Ratings {
		s.Ratings[i] += o.Ratings[i]
	}
}

// Shortlist rule: an officer is on the recognition shortlist with at least
// ShortlistMinResponses responses and a lower confidence bound of the mean
// rating (MeanLowerBound) of at least ShortlistMinBound. The bound makes a
// handful of fives count for less than hundreds of them: it is the Wilson
// score interval's lower end (95 %) of the rating mapped onto 0..1.
const (
	ShortlistMinResponses = 10
	ShortlistMinBound     = 4.0
	// AlertMaxRating: feedback rated at most this raises a low-rating alert
	// until a trainer marks it reviewed.
	AlertMaxRating = 2
	// CoachingMaxBound: an officer with at least ShortlistMinResponses
	// responses whose mean rating's upper bound (95 %) is below this is
	// listed as a likely training need.
	CoachingMaxBound = 3.5
)

// wilsonZ is the normal quantile of a two-sided 95 % interval.
const wilsonZ = 1.959963984540054

// MeanLowerBound is the Wilson lower bound of the mean rating on the 1..5
// scale, 0 without responses.
func (s Stats) MeanLowerBound() float64 {
	lo, _ := s.meanBounds()
	return lo
}

// MeanUpperBound is the Wilson upper bound of the mean rating, 0 without responses.
func (s Stats) MeanUpperBound() float64 {
	_, hi := s.meanBounds()
	return hi
}

func (s Stats) meanBounds() (float64, float64) {
	if s.Responses == 0 {
		return 0, 0
	}
	n := float64(s.Responses)
	p := (float64(s.RatingSum)/n - 1) / 4 // 1..5 onto 0..1
	z2 := wilsonZ * wilsonZ
	centre := (p + z2/(2*n)) / (1 + z2/n)
	half := wilsonZ / (1 + z2/n) * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return 1 + 4*math.Max(0, centre-half), 1 + 4*math.Min(1, centre+half)
}

// Shortlisted reports whether the figures meet the recognition shortlist rule.
func (s Stats) Shortlisted() bool {
	return s.Responses >= ShortlistMinResponses && s.MeanLowerBound() >= ShortlistMinBound
}

// NeedsCoaching reports whether the figures show a likely training need.
func (s Stats) NeedsCoaching() bool {
	return s.Responses >= ShortlistMinResponses && s.MeanUpperBound() < CoachingMaxBound
}

// DayStats are a scope's figures for one day (UTC) of visits: issuances by
// the day they were issued, feedback by the day of the visit it rates.
type DayStats struct {
	Day time.Time `json:"day"` // midnight UTC
	Stats
}

// OfficerStats are one officer's figures.
type OfficerStats struct {
	Officer *Officer `json:"officer"`
	Stats
}

// GroupStats are the figures of one borough (Team empty) or one team.
type GroupStats struct {
	Borough  string `json:"borough"`
	Team     string `json:"team,omitempty"`
	Officers int    `json:"officers"`
	Stats
}

// Flag kinds.
const (
	FlagRecognition = "recognition"
	FlagCoaching    = "coaching"
)

// Flag marks an officer, or one piece of an officer's feedback, for
// recognition or for coaching, with a note.
type Flag struct {
	ID        string    `json:"id"` // assigned by the store, time ordered
	OfficerID string    `json:"officer_id"`
	Feedback  *TokenRef `json:"feedback,omitempty"` // nil: the officer as a whole
	Kind      string    `json:"kind"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// MaxFlagNote is the longest note a flag takes, in characters.
const MaxFlagNote = 1000

// DashboardStore serves the trainer dashboard from aggregates kept on write.
type DashboardStore interface {
	// ScopeStats returns the scope's figures. ENOTFOUND for an unknown
	// officer; an unknown borough or team has zero figures.
	ScopeStats(ctx context.Context, scope Scope) (Stats, error)
	// ScopeDaily returns the scope's per-day figures for days in [from, to),
	// oldest first, leaving out days with nothing; a zero end is open.
	ScopeDaily(ctx context.Context, scope Scope, from, to time.Time) ([]DayStats, error)
	// Groups lists every borough and every team with their figures, by
	// borough then team (a borough's own line first).
	Groups(ctx context.Context) ([]GroupStats, error)
	// OfficerStats lists the figures of every officer in scope.
	OfficerStats(ctx context.Context, scope Scope) ([]OfficerStats, error)
	// EachFeedback calls fn with the scope's feedback that passes filter,
	// newest received first, until fn returns an error (returned) or the
	// feedback runs out. Limit caps the number of calls.
	EachFeedback(ctx context.Context, scope Scope, filter FeedbackFilter, fn func(*Feedback) error) error
	// Alerts lists the scope's feedback rated AlertMaxRating or lower that no
	// one has marked reviewed, newest first, at most limit (all when ≤ 0).
	Alerts(ctx context.Context, scope Scope, limit int) ([]*Feedback, error)
	// MarkReviewed marks the feedback of a code reviewed (or not) and returns
	// it; a reviewed low rating no longer raises an alert. ENOTFOUND when the
	// code has no feedback.
	MarkReviewed(ctx context.Context, ref TokenRef, reviewed bool) (*Feedback, error)
	// AddFlag stores f, assigning ID and At (when zero). EINVALID for an
	// unknown kind, a note over MaxFlagNote or no By; ENOTFOUND for an
	// unknown officer, or feedback that is not the officer's.
	AddFlag(ctx context.Context, f *Flag) error
	// Flags lists flags newest first: one officer's, or every officer's for
	// an empty officerID; at most limit (all when ≤ 0).
	Flags(ctx context.Context, officerID string, limit int) ([]*Flag, error)
	// DeleteFlag removes a flag; ENOTFOUND when there is none.
	DeleteFlag(ctx context.Context, id string) error
}

// Session is a signed-in dashboard account. The store keeps it under the
// SHA-256 of the random session ID held in the browser's cookie, so a copy
// of the store does not hold usable sessions.
type Session struct {
	IDHash    []byte    `json:"id_hash"`
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	CSRF      string    `json:"csrf"` // the token every dashboard form carries
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionStore keeps dashboard sessions.
type SessionStore interface {
	// CreateSession stores s. EINVALID without an ID hash, username or expiry.
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with that ID hash. ENOTFOUND when there is
	// none or it has expired at now.
	Session(ctx context.Context, idHash []byte, now time.Time) (*Session, error)
	// DeleteSession removes a session; removing a missing one is no error.
	DeleteSession(ctx context.Context, idHash []byte) error
	// PurgeSessions deletes every session expired at now and says how many.
	PurgeSessions(ctx context.Context, now time.Time) (int, error)
}
