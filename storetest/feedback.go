package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

func testFeedback(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	is := newIssuance(d, 1)
	f.pushApplied(d, issue(1, is))

	fb := &doorstep.Feedback{
		Token: ref(d, 1), Rating: 4, Respect: doorstep.AnswerYes, Rights: doorstep.AnswerNo,
		Updates: doorstep.AnswerUnsure, Comment: "Kind and clear. Zażółć — ✓", AgeBand: "35-44", Language: "pl",
	}
	if err := f.s.SubmitFeedback(f.ctx, fb); err != nil {
		t.Fatalf("SubmitFeedback: %v", err)
	}
	if !doorstep.ValidID(fb.ID) || fb.ReceivedAt.IsZero() || fb.OfficerID != o.ID || fb.IssuanceID != is.ID || !fb.IssuedAt.Equal(is.IssuedAt) {
		t.Fatalf("SubmitFeedback did not fill in the record: %+v", fb)
	}
	got, err := f.s.FeedbackFor(f.ctx, ref(d, 1))
	if err != nil {
		t.Fatalf("FeedbackFor: %v", err)
	}
	if got.ID != fb.ID || got.Rating != 4 || got.Comment != fb.Comment || got.Respect != "yes" || got.Rights != "no" ||
		got.Updates != "unsure" || got.AgeBand != "35-44" || got.Language != "pl" || !got.Linked() || !got.ReceivedAt.Equal(fb.ReceivedAt) {
		t.Fatalf("FeedbackFor = %+v, want %+v", got, fb)
	}
	_, err = f.s.FeedbackFor(f.ctx, ref(d, 2))
	wantCode(t, "FeedbackFor(no feedback)", err, doorstep.ENOTFOUND)

	ch := f.changes(d)
	last := ch[len(ch)-1]
	if last.Kind != doorstep.ChangeFeedback || last.Feedback == nil || last.Feedback.ID != fb.ID || last.Feedback.Comment != fb.Comment {
		t.Fatalf("device feed ends with %+v, want the feedback", last)
	}
}

func testFeedbackTwice(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	f.pushApplied(d, issue(1, newIssuance(d, 1)))
	first := f.feedback(ref(d, 1), 5)
	second := &doorstep.Feedback{Token: ref(d, 1), Rating: 1, Comment: "changed my mind"}
	wantCode(t, "second SubmitFeedback for one code", f.s.SubmitFeedback(f.ctx, second), doorstep.ECONFLICT)
	got, _ := f.s.FeedbackFor(f.ctx, ref(d, 1))
	if got.ID != first.ID || got.Rating != 5 {
		t.Fatalf("a refused second submit replaced the feedback: %+v", got)
	}
	s := f.summary(o)
	if s.Responses != 1 || s.Ratings["1"] != 0 || s.Ratings["5"] != 1 {
		t.Fatalf("Summary after a refused second submit = %+v, want one 5-star response", s)
	}
	if n := count(f.changes(d), doorstep.ChangeFeedback); n != 1 {
		t.Fatalf("feed holds %d feedback changes, want 1", n)
	}
}

func testFeedbackBeforeIssue(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	// Offline all day: victims answer before the device syncs.
	fb := f.feedback(ref(d, 7), 3)
	if fb.Linked() || fb.OfficerID != o.ID {
		t.Fatalf("feedback before its issue: %+v, want unlinked with the device's officer", fb)
	}
	s := f.summary(o)
	if s.Issued != 0 || s.Responses != 1 || s.Unlinked != 1 || s.MeanRating == nil || *s.MeanRating != 3 || s.Ratings["3"] != 1 {
		t.Fatalf("Summary before the issue syncs = %+v", s)
	}

	is := newIssuance(d, 7)
	f.pushApplied(d, issue(1, is), issue(2, newIssuance(d, 8)))
	got, err := f.s.FeedbackFor(f.ctx, ref(d, 7))
	if err != nil {
		t.Fatal(err)
	}
	if got.IssuanceID != is.ID || got.ID != fb.ID || got.Rating != 3 {
		t.Fatalf("feedback after its issue synced = %+v, want linked to %s", got, is.ID)
	}
	s = f.summary(o)
	if s.Issued != 2 || s.Responses != 1 || s.Unlinked != 0 || *s.MeanRating != 3 {
		t.Fatalf("Summary after the issue syncs = %+v", s)
	}
	// The device learns of the link: its feed's last word on the code is linked.
	var lastFb *doorstep.Feedback
	for _, c := range f.changes(d) {
		if c.Kind == doorstep.ChangeFeedback && c.Feedback.Token == ref(d, 7) {
			lastFb = c.Feedback
		}
	}
	if lastFb == nil || lastFb.IssuanceID != is.ID {
		t.Fatalf("device feed's last feedback for the code = %+v, want linked", lastFb)
	}
	// Replaying the push links nothing twice.
	f.pushApplied(d, issue(1, is), issue(2, newIssuance(d, 8)))
	if s2 := f.summary(o); s2.Unlinked != 0 || s2.Responses != 1 || s2.Issued != 2 {
		t.Fatalf("Summary after a replay = %+v", s2)
	}
}

func testFeedbackRefused(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	dead := newIssuance(d, 2)
	f.pushApplied(d, issue(1, newIssuance(d, 1)), issue(2, dead), void(3, dead.ID, "spoiled", hlc(100)))

	for _, r := range []int{0, 6, -1} {
		wantCode(t, fmt.Sprintf("SubmitFeedback(rating %d)", r),
			f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(d, 1), Rating: r}), doorstep.EINVALID)
	}
	wantCode(t, "SubmitFeedback(unknown answer)",
		f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(d, 1), Rating: 3, Respect: "maybe"}), doorstep.EINVALID)
	wantCode(t, "SubmitFeedback(unknown device)",
		f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: 999_999, Counter: 1}, Rating: 3}), doorstep.ENOTFOUND)
	wantCode(t, "SubmitFeedback(voided code)",
		f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(d, 2), Rating: 3}), doorstep.EEXPIRED)

	if _, err := f.s.RevokeDevice(f.ctx, d.ID, t0().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Synced before revocation: still valid. Never synced: refused.
	f.feedback(ref(d, 1), 5)
	wantCode(t, "SubmitFeedback(revoked device, code never synced)",
		f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(d, 3), Rating: 3}), doorstep.EREVOKED)
	if s := f.summary(o); s.Responses != 1 || s.Issued != 1 {
		t.Fatalf("Summary = %+v, want 1 issued (one voided) and 1 response", s)
	}
}

func testFeedbackConcurrent(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	const distinct, same = 48, 16
	var wg sync.WaitGroup
	errs := make([]error, distinct+same)
	for i := 0; i < distinct+same; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counter := uint32(i + 1)
			if i >= distinct {
				counter = 1000 // everyone else answers one code
			}
			errs[i] = f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(d, counter), Rating: 1 + i%5})
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil && i >= distinct:
			won++
		case err != nil && i < distinct:
			t.Fatalf("SubmitFeedback %d: %v", i, err)
		case err != nil:
			wantCode(t, "concurrent submit for one code", err, doorstep.ECONFLICT)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent submits for one code succeeded, want 1", won)
	}
	s := f.summary(o)
	total := 0
	for _, n := range s.Ratings {
		total += n
	}
	if s.Responses != distinct+1 || s.Unlinked != distinct+1 || total != distinct+1 {
		t.Fatalf("Summary = %+v, want %d responses, all unlinked", s, distinct+1)
	}
	if n := count(f.changes(d), doorstep.ChangeFeedback); n != distinct+1 {
		t.Fatalf("feed holds %d feedback changes, want %d", n, distinct+1)
	}
}

func testOfficerFeedback(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o, other := f.officer(), f.officer()
	d, od := f.device(o), f.device(other)
	for i := 1; i <= 6; i++ {
		fb := &doorstep.Feedback{Token: ref(d, uint32(i)), Rating: i%5 + 1, ReceivedAt: t0().Add(time.Duration(i) * time.Hour)}
		if err := f.s.SubmitFeedback(f.ctx, fb); err != nil {
			t.Fatal(err)
		}
	}
	f.feedback(ref(od, 1), 5)

	list := func(filter doorstep.FeedbackFilter) []int {
		t.Helper()
		fbs, err := f.s.OfficerFeedback(f.ctx, o.ID, filter)
		if err != nil {
			t.Fatalf("OfficerFeedback: %v", err)
		}
		var hours []int
		for _, fb := range fbs {
			if fb.OfficerID != o.ID {
				t.Fatalf("OfficerFeedback lists another officer's feedback")
			}
			hours = append(hours, int(fb.ReceivedAt.Sub(t0())/time.Hour))
		}
		return hours
	}
	check := func(name string, filter doorstep.FeedbackFilter, want ...int) {
		t.Helper()
		if got := list(filter); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("OfficerFeedback %s: receive hours %v, want %v", name, got, want)
		}
	}
	// Ratings by hour: 1→2, 2→3, 3→4, 4→5, 5→1, 6→2.
	check("all, newest first", doorstep.FeedbackFilter{}, 6, 5, 4, 3, 2, 1)
	check("limit", doorstep.FeedbackFilter{Limit: 2}, 6, 5)
	check("min rating", doorstep.FeedbackFilter{MinRating: 4}, 4, 3)
	check("max rating", doorstep.FeedbackFilter{MaxRating: 2}, 6, 5, 1)
	check("from", doorstep.FeedbackFilter{From: t0().Add(4 * time.Hour)}, 6, 5, 4)
	check("to (exclusive)", doorstep.FeedbackFilter{To: t0().Add(3 * time.Hour)}, 2, 1)
	check("window and rating", doorstep.FeedbackFilter{From: t0().Add(2 * time.Hour), To: t0().Add(6 * time.Hour), MinRating: 3}, 4, 3, 2)
	_, err := f.s.OfficerFeedback(f.ctx, doorstep.NewID(t0()), doorstep.FeedbackFilter{})
	wantCode(t, "OfficerFeedback(unknown officer)", err, doorstep.ENOTFOUND)
}

func testSummary(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o, other := f.officer(), f.officer()
	d, od := f.device(o), f.device(other)
	s := f.summary(o)
	if s.Issued != 0 || s.Responses != 0 || s.Unlinked != 0 || s.MeanRating != nil || len(s.Ratings) != 5 {
		t.Fatalf("empty Summary = %+v, want zeros, nil mean and keys 1..5", s)
	}
	for k := 1; k <= 5; k++ {
		if n, ok := s.Ratings[fmt.Sprint(k)]; !ok || n != 0 {
			t.Fatalf("empty Summary.Ratings = %v, want keys 1..5 at 0", s.Ratings)
		}
	}
	var muts []doorstep.Mutation
	for i := 1; i <= 4; i++ {
		muts = append(muts, issue(uint64(i), newIssuance(d, uint32(i))))
	}
	f.pushApplied(d, muts...)
	f.feedback(ref(d, 1), 5)
	f.feedback(ref(d, 2), 4)
	f.feedback(ref(d, 3), 4)
	f.feedback(ref(d, 9), 1) // not synced yet
	f.feedback(ref(od, 1), 2)

	s = f.summary(o)
	if s.Issued != 4 || s.Responses != 4 || s.Unlinked != 1 || s.MeanRating == nil || *s.MeanRating != 3.5 {
		t.Fatalf("Summary = %+v (mean %v), want 4 issued, 4 responses, 1 unlinked, mean 3.5", s, s.MeanRating)
	}
	want := map[string]int{"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}
	if fmt.Sprint(s.Ratings) != fmt.Sprint(want) {
		t.Fatalf("Summary.Ratings = %v, want %v", s.Ratings, want)
	}
	// Voiding an answered code uncounts the issuance, never the response.
	is1, _ := f.s.Issuance(f.ctx, ref(d, 1))
	f.pushApplied(d, void(5, is1.ID, "wrong victim", hlc(500)))
	s = f.summary(o)
	if s.Issued != 3 || s.Responses != 4 {
		t.Fatalf("Summary after voiding an answered code = %+v, want 3 issued, 4 responses", s)
	}
	if s := f.summary(other); s.Issued != 0 || s.Responses != 1 || s.Unlinked != 1 || *s.MeanRating != 2 {
		t.Fatalf("other officer's Summary = %+v", s)
	}
	_, err := f.s.Summary(f.ctx, doorstep.NewID(t0()))
	wantCode(t, "Summary(unknown officer)", err, doorstep.ENOTFOUND)
}
