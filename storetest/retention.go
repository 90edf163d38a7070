package storetest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// RunRetention checks doorstep.RetentionStore with injected times: feedback
// comments received before the cut-off are blanked everywhere the store
// keeps them, everything else about the feedback and every summary stays as
// it was, later comments are untouched, and a second pass changes nothing.
// Stores that do not implement RetentionStore fail it.
func RunRetention(t *testing.T, open Opener) {
	t.Run("PurgeFeedbackText", func(t *testing.T) {
		t.Parallel()
		testPurgeFeedbackText(t, open)
	})
}

func testPurgeFeedbackText(t *testing.T, open Opener) {
	f := newFixture(t, open)
	rs, ok := f.s.(doorstep.RetentionStore)
	if !ok {
		t.Fatalf("%T does not implement doorstep.RetentionStore", f.s)
	}
	o := f.officer()
	d := f.device(o)
	day := 24 * time.Hour
	submit := func(counter uint32, rating int, comment string, received time.Time) {
		t.Helper()
		fb := &doorstep.Feedback{Token: ref(d, counter), Rating: rating, Respect: doorstep.AnswerYes,
			Comment: comment, IssuedAt: t0(), ReceivedAt: received}
		if err := f.s.SubmitFeedback(f.ctx, fb); err != nil {
			t.Fatalf("SubmitFeedback: %v", err)
		}
	}
	// code 1 synced before its feedback; code 2 after (its feedback is linked
	// then, a second copy in the feed); code 3 never synced; code 4 has no
	// comment; code 5 is answered later and must keep its comment.
	f.pushApplied(d, issue(1, newIssuance(d, 1)))
	submit(1, 5, "old comment one", t0().Add(time.Hour))
	submit(2, 4, "old comment two", t0().Add(2*time.Hour))
	submit(3, 2, "old comment three", t0().Add(3*time.Hour))
	submit(4, 3, "", t0().Add(4*time.Hour))
	submit(5, 1, "recent comment five", t0().Add(40*day))
	f.pushApplied(d, issue(2, newIssuance(d, 2)))

	before := map[uint32]*doorstep.Feedback{}
	for c := uint32(1); c <= 5; c++ {
		fb, err := f.s.FeedbackFor(f.ctx, ref(d, c))
		if err != nil {
			t.Fatalf("FeedbackFor %d: %v", c, err)
		}
		before[c] = fb
	}
	sum := f.summary(o)
	cut := t0().Add(30 * day)

	n, err := rs.PurgeFeedbackText(f.ctx, cut)
	if err != nil || n != 3 {
		t.Fatalf("PurgeFeedbackText = %d, %v; want 3 comments blanked", n, err)
	}
	for c := uint32(1); c <= 5; c++ {
		got, err := f.s.FeedbackFor(f.ctx, ref(d, c))
		if err != nil {
			t.Fatalf("FeedbackFor %d: %v", c, err)
		}
		want := *before[c]
		if c <= 3 {
			want.Comment = ""
		}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("feedback %d after purge:\n got %+v\nwant %+v", c, got, &want)
		}
	}
	if got := f.summary(o); !reflect.DeepEqual(got, sum) {
		t.Errorf("summary changed by the purge: %+v, was %+v", got, sum)
	}
	list, err := f.s.OfficerFeedback(f.ctx, o.ID, doorstep.FeedbackFilter{})
	if err != nil || len(list) != 5 {
		t.Fatalf("OfficerFeedback: %d, %v", len(list), err)
	}
	feedbackChanges := 0
	for _, c := range f.changes(d) {
		if c.Kind != doorstep.ChangeFeedback || c.Feedback == nil {
			continue
		}
		feedbackChanges++
		if strings.HasPrefix(c.Feedback.Comment, "old comment") {
			t.Errorf("change %d still carries a purged comment: %q", c.Seq, c.Feedback.Comment)
		}
		if c.Feedback.Token.Counter == 5 && c.Feedback.Comment != "recent comment five" {
			t.Errorf("change %d lost a comment within retention: %q", c.Seq, c.Feedback.Comment)
		}
	}
	if feedbackChanges < 5 {
		t.Errorf("the feed holds %d feedback changes, want at least 5", feedbackChanges)
	}

	if n, err := rs.PurgeFeedbackText(f.ctx, cut); err != nil || n != 0 {
		t.Fatalf("second PurgeFeedbackText = %d, %v; want 0", n, err)
	}
	if n, err := rs.PurgeFeedbackText(f.ctx, t0().Add(41*day)); err != nil || n != 1 {
		t.Fatalf("PurgeFeedbackText past the last = %d, %v; want 1", n, err)
	}
	if fb, _ := f.s.FeedbackFor(f.ctx, ref(d, 5)); fb == nil || fb.Comment != "" || fb.Rating != 1 {
		t.Fatalf("feedback 5 after its purge: %+v", fb)
	}
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = rs.PurgeFeedbackText(f.ctx, cut)
	wantCode(t, "PurgeFeedbackText after Close", err, doorstep.EUNAVAILABLE)
}
