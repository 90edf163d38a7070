package doorstep

import (
	"context"
	"time"
)

// RetentionStore forgets victims' free text after its retention period. The
// server's retention job calls it (with ContactStore.PurgeContactRequests for
// call-back requests); the period is the operator's (doorstep serve
// --retention-text).
type RetentionStore interface {
	// PurgeFeedbackText blanks the free-text comment of every feedback
	// received before before, wherever the store keeps a copy of it (the
	// feedback record and the devices' change feed), and returns how many
	// feedback records it changed. Ratings, answers, links and aggregates
	// are kept, so summaries do not change; a second call with the same time
	// changes nothing and returns 0.
	PurgeFeedbackText(ctx context.Context, before time.Time) (int, error)
}
