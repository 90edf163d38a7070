package storetest

import (
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// testContactRequests pins the call-back queue: one request per code, kept
// apart from feedback, listed oldest first, handled once.
func testContactRequests(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)

	list, err := f.s.ContactRequests(f.ctx, doorstep.ContactFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("empty store lists %v, %v", list, err)
	}
	_, err = f.s.ContactRequestFor(f.ctx, ref(d, 1))
	wantCode(t, "ContactRequestFor with none", err, doorstep.ENOTFOUND)

	r1 := &doorstep.ContactRequest{Token: ref(d, 1), IssuedAt: t0(), Name: "Sam", Phone: "07700 900123",
		BestTime: doorstep.ContactEvening, SafeToLeaveMessage: doorstep.AnswerNo, Language: "pl", CreatedAt: t0().Add(time.Hour)}
	if err := f.s.CreateContactRequest(f.ctx, r1); err != nil {
		t.Fatalf("CreateContactRequest: %v", err)
	}
	if !doorstep.ValidID(r1.ID) || r1.OfficerID != o.ID || r1.Handled() {
		t.Fatalf("stored request %+v: want an ID, the device's officer, not handled", r1)
	}
	got, err := f.s.ContactRequestFor(f.ctx, ref(d, 1))
	if err != nil {
		t.Fatalf("ContactRequestFor: %v", err)
	}
	if got.ID != r1.ID || got.Name != "Sam" || got.Phone != "07700 900123" || got.Email != "" || got.BestTime != doorstep.ContactEvening ||
		got.SafeToLeaveMessage != doorstep.AnswerNo || got.Language != "pl" || !got.CreatedAt.Equal(r1.CreatedAt) || !got.IssuedAt.Equal(t0()) {
		t.Fatalf("read back %+v, stored %+v", got, r1)
	}

	// one per code
	again := &doorstep.ContactRequest{Token: ref(d, 1), Email: "sam@example.org"}
	wantCode(t, "second request for a code", f.s.CreateContactRequest(f.ctx, again), doorstep.ECONFLICT)

	// refused input stores nothing
	long := strings.Repeat("x", doorstep.MaxContactName+1)
	for _, c := range []struct {
		name string
		r    *doorstep.ContactRequest
		code string
	}{
		{"no phone or email", &doorstep.ContactRequest{Token: ref(d, 2), Name: "Sam"}, doorstep.EINVALID},
		{"blank phone", &doorstep.ContactRequest{Token: ref(d, 2), Phone: "   "}, doorstep.EINVALID},
		{"long name", &doorstep.ContactRequest{Token: ref(d, 2), Phone: "101", Name: long}, doorstep.EINVALID},
		{"long phone", &doorstep.ContactRequest{Token: ref(d, 2), Phone: strings.Repeat("1", doorstep.MaxContactPhone+1)}, doorstep.EINVALID},
		{"invalid UTF-8", &doorstep.ContactRequest{Token: ref(d, 2), Phone: "101", Name: "\xff"}, doorstep.EINVALID},
		{"best time", &doorstep.ContactRequest{Token: ref(d, 2), Phone: "101", BestTime: "midnight"}, doorstep.EINVALID},
		{"safe answer", &doorstep.ContactRequest{Token: ref(d, 2), Phone: "101", SafeToLeaveMessage: "maybe"}, doorstep.EINVALID},
		{"unknown device", &doorstep.ContactRequest{Token: doorstep.TokenRef{DeviceID: 9999, Counter: 1}, Phone: "101"}, doorstep.ENOTFOUND},
	} {
		wantCode(t, c.name, f.s.CreateContactRequest(f.ctx, c.r), c.code)
	}
	if _, err := f.s.ContactRequestFor(f.ctx, ref(d, 2)); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("a refused request was stored: %v", err)
	}

	// kept apart from feedback: feedback on the same code carries nothing of it
	f.feedback(ref(d, 1), 5)
	fb, err := f.s.FeedbackFor(f.ctx, ref(d, 1))
	if err != nil {
		t.Fatal(err)
	}
	if fb.Comment != "thank you" || strings.Contains(fb.Comment+fb.AgeBand+fb.Language, "07700") {
		t.Fatalf("feedback %+v", fb)
	}
	for _, c := range f.changes(d) {
		if c.Feedback != nil && strings.Contains(c.Feedback.Comment, "07700") {
			t.Fatal("contact details reached the device feed")
		}
	}

	r2 := &doorstep.ContactRequest{Token: ref(d, 2), Email: "b@example.org", CreatedAt: t0().Add(2 * time.Hour)}
	r3 := &doorstep.ContactRequest{Token: ref(d, 3), Phone: "101", CreatedAt: t0().Add(30 * time.Minute)}
	for _, r := range []*doorstep.ContactRequest{r2, r3} {
		if err := f.s.CreateContactRequest(f.ctx, r); err != nil {
			t.Fatalf("CreateContactRequest: %v", err)
		}
	}
	wantIDs := func(what string, filter doorstep.ContactFilter, want ...string) {
		t.Helper()
		list, err := f.s.ContactRequests(f.ctx, filter)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var got []string
		for _, r := range list {
			got = append(got, r.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: listed %v, want %v (oldest first)", what, got, want)
		}
	}
	wantIDs("open", doorstep.ContactFilter{}, r3.ID, r1.ID, r2.ID)
	wantIDs("limit", doorstep.ContactFilter{Limit: 2}, r3.ID, r1.ID)

	// handled once: the first time and actor stay
	h, err := f.s.MarkContactHandled(f.ctx, r1.ID, "desk-1", t0().Add(3*time.Hour))
	if err != nil {
		t.Fatalf("MarkContactHandled: %v", err)
	}
	if !h.Handled() || !h.HandledAt.Equal(t0().Add(3*time.Hour)) || h.HandledBy != "desk-1" || h.Phone != r1.Phone {
		t.Fatalf("handled %+v", h)
	}
	h, err = f.s.MarkContactHandled(f.ctx, r1.ID, "desk-2", t0().Add(4*time.Hour))
	if err != nil || h.HandledBy != "desk-1" || !h.HandledAt.Equal(t0().Add(3*time.Hour)) {
		t.Fatalf("marking twice: %+v %v", h, err)
	}
	_, err = f.s.MarkContactHandled(f.ctx, doorstep.NewID(t0()), "desk-1", t0())
	wantCode(t, "MarkContactHandled unknown", err, doorstep.ENOTFOUND)
	wantIDs("open after handling", doorstep.ContactFilter{}, r3.ID, r2.ID)
	wantIDs("all", doorstep.ContactFilter{IncludeHandled: true}, r3.ID, r1.ID, r2.ID)
}

// testContactPurge pins retention: requests created before the cut-off go,
// handled or not, with their one-per-code index; later ones stay.
func testContactPurge(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	n, err := f.s.PurgeContactRequests(f.ctx, t0())
	if err != nil || n != 0 {
		t.Fatalf("purging an empty store: %d, %v", n, err)
	}
	at := []time.Duration{-48 * time.Hour, -time.Hour, -time.Millisecond, 0, time.Millisecond, time.Hour}
	var ids []string
	for i, off := range at {
		r := &doorstep.ContactRequest{Token: ref(d, uint32(i+1)), Phone: "101", CreatedAt: t0().Add(off)}
		if err := f.s.CreateContactRequest(f.ctx, r); err != nil {
			t.Fatalf("CreateContactRequest: %v", err)
		}
		ids = append(ids, r.ID)
	}
	if _, err := f.s.MarkContactHandled(f.ctx, ids[0], "desk", t0()); err != nil {
		t.Fatal(err)
	}
	n, err = f.s.PurgeContactRequests(f.ctx, t0())
	if err != nil || n != 3 {
		t.Fatalf("purge before t0: %d deleted, %v; want 3", n, err)
	}
	list, err := f.s.ContactRequests(f.ctx, doorstep.ContactFilter{IncludeHandled: true})
	if err != nil || len(list) != 3 || list[0].ID != ids[3] || list[2].ID != ids[5] {
		t.Fatalf("after purge: %v, %v", list, err)
	}
	for i := 1; i <= 3; i++ {
		_, err := f.s.ContactRequestFor(f.ctx, ref(d, uint32(i)))
		wantCode(t, "ContactRequestFor a purged request", err, doorstep.ENOTFOUND)
	}
	_, err = f.s.MarkContactHandled(f.ctx, ids[1], "desk", t0())
	wantCode(t, "MarkContactHandled a purged request", err, doorstep.ENOTFOUND)
	// the code is free again: a new request for it may be made (within the code's own life)
	if err := f.s.CreateContactRequest(f.ctx, &doorstep.ContactRequest{Token: ref(d, 1), Phone: "101", CreatedAt: t0()}); err != nil {
		t.Fatalf("a request after purge: %v", err)
	}
	n, err = f.s.PurgeContactRequests(f.ctx, t0().Add(2*time.Hour))
	if err != nil || n != 4 {
		t.Fatalf("purge all: %d, %v; want 4", n, err)
	}
	if n, err = f.s.PurgeContactRequests(f.ctx, t0().Add(2*time.Hour)); err != nil || n != 0 {
		t.Fatalf("purging again: %d, %v", n, err)
	}
}

// testContactClosed: after Close every contact method answers EUNAVAILABLE.
func testContactClosed(t *testing.T, open Opener) {
	f := newFixture(t, open)
	d := f.device(f.officer())
	if err := f.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wantCode(t, "CreateContactRequest after Close", f.s.CreateContactRequest(f.ctx, &doorstep.ContactRequest{Token: ref(d, 1), Phone: "101"}), doorstep.EUNAVAILABLE)
	_, err := f.s.ContactRequestFor(f.ctx, ref(d, 1))
	wantCode(t, "ContactRequestFor after Close", err, doorstep.EUNAVAILABLE)
	_, err = f.s.ContactRequests(f.ctx, doorstep.ContactFilter{})
	wantCode(t, "ContactRequests after Close", err, doorstep.EUNAVAILABLE)
	_, err = f.s.MarkContactHandled(f.ctx, doorstep.NewID(t0()), "desk", t0())
	wantCode(t, "MarkContactHandled after Close", err, doorstep.EUNAVAILABLE)
	_, err = f.s.PurgeContactRequests(f.ctx, t0())
	wantCode(t, "PurgeContactRequests after Close", err, doorstep.EUNAVAILABLE)
}
