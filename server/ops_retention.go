package server

import (
	"context"
	"fmt"
	"time"
)

// Default retention periods (Options.RetainContact and RetainText).
const (
	// DefaultRetainContact: a call-back request is for the victim care desk
	// to act on within days; a month covers a missed week.
	DefaultRetainContact = 30 * 24 * time.Hour
	// DefaultRetainText: a year of comments for trainers to review.
	DefaultRetainText = 365 * 24 * time.Hour
	// DefaultRetentionEvery is how often RunRetention purges.
	DefaultRetentionEvery = time.Hour
)

// Kinds of purged records, the kind label of doorstep_retention_purged_total.
const (
	purgedContact = "contact_request"
	purgedText    = "feedback_text"
)

func retentionPeriods(contact, text time.Duration) (time.Duration, time.Duration, error) {
	if contact == 0 {
		contact = DefaultRetainContact
	}
	if text == 0 {
		text = DefaultRetainText
	}
	if contact < time.Hour || text < time.Hour {
		return 0, 0, fmt.Errorf("server: retention periods must be at least an hour (contact %v, text %v)", contact, text)
	}
	return contact, text, nil
}

// RetentionResult is what one retention pass purged.
type RetentionResult struct {
	ContactRequests int // call-back requests deleted
	FeedbackTexts   int // feedback comments blanked
}

// PurgeExpired runs one retention pass at the server's clock: it deletes the
// call-back requests created more than RetainContact ago and blanks the
// comments of feedback received more than RetainText ago. It does both even
// when one fails, and returns the first error.
func (s *Server) PurgeExpired(ctx context.Context) (RetentionResult, error) {
	now := s.now()
	var res RetentionResult
	var first error
	n, err := s.store.PurgeContactRequests(ctx, now.Add(-s.retainContact))
	res.ContactRequests = n
	if err != nil {
		first = fmt.Errorf("purging contact requests: %w", err)
	}
	n, err = s.store.PurgeFeedbackText(ctx, now.Add(-s.retainText))
	res.FeedbackTexts = n
	if err != nil && first == nil {
		first = fmt.Errorf("purging feedback text: %w", err)
	}
	s.metrics.retentionPass(now, map[string]int{purgedContact: res.ContactRequests, purgedText: res.FeedbackTexts}, first != nil)
	return res, first
}

// RunRetention enforces the retention periods until ctx is done: a pass at
// once, then one every every (zero means DefaultRetentionEvery). Each pass
// is logged with its counts (never what it purged); a failed pass is logged
// and counted in doorstep_retention_failures_total, and the next one tries
// again.
func (s *Server) RunRetention(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultRetentionEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := s.PurgeExpired(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "retention pass failed", "err", err,
				"contact_requests_deleted", res.ContactRequests, "feedback_texts_blanked", res.FeedbackTexts)
		case err == nil:
			s.log.InfoContext(ctx, "retention pass",
				"contact_requests_deleted", res.ContactRequests, "feedback_texts_blanked", res.FeedbackTexts,
				"contact_retention", s.retainContact.String(), "text_retention", s.retainText.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
