package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// dashOfficer makes an officer in a borough and team.
func (f *fixture) dashOfficer(borough, team string) *doorstep.Officer {
	f.t.Helper()
	f.n++
	o := &doorstep.Officer{CollarNumber: fmt.Sprintf("PC%04d", f.n), Name: fmt.Sprintf("Officer %d", f.n), Borough: borough, Team: team}
	if err := f.s.CreateOfficer(f.ctx, o); err != nil {
		f.t.Fatalf("CreateOfficer: %v", err)
	}
	return o
}

func testDashboardScopes(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.dashOfficer("Hackney", "A")
	b := f.dashOfficer("Hackney", "B")
	c := f.dashOfficer("Camden", "")
	da, db, dc := f.device(a), f.device(b), f.device(c)
	// a: 3 issued, 2 answered (5, 4), 1 answered before its issue syncs (2)
	f.pushApplied(da, issue(1, newIssuance(da, 1)), issue(2, newIssuance(da, 2)), issue(3, newIssuance(da, 3)))
	f.feedback(ref(da, 1), 5)
	f.feedback(ref(da, 2), 4)
	f.feedback(ref(da, 9), 2)
	// b: 2 issued, one voided after it was answered (1)
	isb := newIssuance(db, 1)
	f.pushApplied(db, issue(1, isb), issue(2, newIssuance(db, 2)))
	f.feedback(ref(db, 1), 1)
	f.pushApplied(db, void(3, isb.ID, "spoiled", hlc(100)))
	// c: 1 issued, 1 answered (3)
	f.pushApplied(dc, issue(1, newIssuance(dc, 1)))
	f.feedback(ref(dc, 1), 3)

	stats := func(s doorstep.Scope) doorstep.Stats {
		t.Helper()
		st, err := f.s.ScopeStats(f.ctx, s)
		if err != nil {
			t.Fatalf("ScopeStats(%v): %v", s, err)
		}
		return st
	}
	want := map[doorstep.Scope]doorstep.Stats{
		{}:                              {Issued: 3 + 1 + 1, Responses: 5, Unlinked: 1, RatingSum: 5 + 4 + 2 + 1 + 3, Ratings: [5]int{1, 1, 1, 1, 1}},
		{Borough: "Hackney"}:            {Issued: 4, Responses: 4, Unlinked: 1, RatingSum: 12, Ratings: [5]int{1, 1, 0, 1, 1}},
		{Borough: "Hackney", Team: "A"}: {Issued: 3, Responses: 3, Unlinked: 1, RatingSum: 11, Ratings: [5]int{0, 1, 0, 1, 1}},
		{Borough: "Hackney", Team: "B"}: {Issued: 1, Responses: 1, RatingSum: 1, Ratings: [5]int{1, 0, 0, 0, 0}},
		{Borough: "Camden"}:             {Issued: 1, Responses: 1, RatingSum: 3, Ratings: [5]int{0, 0, 1, 0, 0}},
		{OfficerID: a.ID}:               {Issued: 3, Responses: 3, Unlinked: 1, RatingSum: 11, Ratings: [5]int{0, 1, 0, 1, 1}},
		{Borough: "Nowhere"}:            {},
	}
	for s, w := range want {
		if got := stats(s); got != w {
			t.Errorf("ScopeStats(%v) = %+v, want %+v", s, got, w)
		}
	}
	// the officer's scope agrees with Summary
	sum := f.summary(a)
	if st := stats(doorstep.Scope{OfficerID: a.ID}); st.Issued != sum.Issued || st.Responses != sum.Responses || st.Unlinked != sum.Unlinked {
		t.Errorf("ScopeStats(officer) %+v disagrees with Summary %+v", st, sum)
	}
	// linking the early feedback moves it from Unlinked at every level
	f.pushApplied(da, issue(4, newIssuance(da, 9)))
	if st := stats(doorstep.Scope{}); st.Unlinked != 0 || st.Issued != 6 || st.Responses != 5 {
		t.Errorf("force after linking: %+v", st)
	}
	if r := stats(doorstep.Scope{Borough: "Hackney", Team: "A"}).ResponseRate(); r == nil || *r != 3.0/4.0 {
		t.Errorf("team A response rate %v, want 0.75", r)
	}
	if r := stats(doorstep.Scope{Borough: "Nowhere"}).ResponseRate(); r != nil {
		t.Errorf("response rate with nothing issued = %v, want nil", *r)
	}
	_, err := f.s.ScopeStats(f.ctx, doorstep.Scope{OfficerID: doorstep.NewID(t0())})
	wantCode(t, "ScopeStats(unknown officer)", err, doorstep.ENOTFOUND)
	_, err = f.s.ScopeStats(f.ctx, doorstep.Scope{Team: "A"})
	wantCode(t, "ScopeStats(team without borough)", err, doorstep.EINVALID)

	days, err := f.s.ScopeDaily(f.ctx, doorstep.Scope{Borough: "Hackney"}, t0().AddDate(0, 0, -1), t0().AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1 || !days[0].Day.Equal(t0().Truncate(24*time.Hour)) || days[0].Responses != 4 || days[0].Issued != 5 {
		t.Errorf("ScopeDaily(Hackney) = %+v", days)
	}
	if days, _ := f.s.ScopeDaily(f.ctx, doorstep.Scope{}, t0().AddDate(0, 0, 1), time.Time{}); len(days) != 0 {
		t.Errorf("ScopeDaily after the only day = %+v", days)
	}

	groups, err := f.s.Groups(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range groups {
		names = append(names, g.Borough+"/"+g.Team)
		if g.Borough == "Hackney" && g.Team == "" && (g.Officers != 2 || g.Responses != 4) {
			t.Errorf("Hackney group %+v", g)
		}
	}
	if got := join(names); got != "Camden/,Hackney/,Hackney/A,Hackney/B" {
		t.Errorf("Groups = %s", got)
	}
	os, err := f.s.OfficerStats(f.ctx, doorstep.Scope{Borough: "Hackney"})
	if err != nil || len(os) != 2 || os[0].Officer.ID != a.ID || os[0].Responses != 3 || os[1].Responses != 1 {
		t.Errorf("OfficerStats(Hackney) = %+v, %v", os, err)
	}
}

func join(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(x)
	}
	return b.String()
}

func testDashboardFeedback(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.dashOfficer("Hackney", "A")
	c := f.dashOfficer("Camden", "")
	da, dc := f.device(a), f.device(c)
	for i, r := range []int{1, 5, 2, 4} {
		fb := &doorstep.Feedback{Token: ref(da, uint32(i+1)), Rating: r, ReceivedAt: t0().Add(time.Duration(i) * time.Hour)}
		if err := f.s.SubmitFeedback(f.ctx, fb); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(dc, 1), Rating: 1, ReceivedAt: t0().Add(10 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	list := func(s doorstep.Scope, fl doorstep.FeedbackFilter) []int {
		t.Helper()
		var out []int
		if err := f.s.EachFeedback(f.ctx, s, fl, func(fb *doorstep.Feedback) error {
			out = append(out, fb.Rating)
			return nil
		}); err != nil {
			t.Fatalf("EachFeedback: %v", err)
		}
		return out
	}
	eq := func(what string, got, want []int) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s = %v, want %v", what, got, want)
			}
		}
	}
	eq("force, newest first", list(doorstep.Scope{}, doorstep.FeedbackFilter{}), []int{1, 4, 2, 5, 1})
	eq("Hackney", list(doorstep.Scope{Borough: "Hackney"}, doorstep.FeedbackFilter{}), []int{4, 2, 5, 1})
	eq("team A, rating 2–4", list(doorstep.Scope{Borough: "Hackney", Team: "A"}, doorstep.FeedbackFilter{MinRating: 2, MaxRating: 4}), []int{4, 2})
	eq("officer, [1h, 3h)", list(doorstep.Scope{OfficerID: a.ID}, doorstep.FeedbackFilter{From: t0().Add(time.Hour), To: t0().Add(3 * time.Hour)}), []int{2, 5})
	eq("force, limit 2", list(doorstep.Scope{}, doorstep.FeedbackFilter{Limit: 2}), []int{1, 4})

	alerts, err := f.s.Alerts(f.ctx, doorstep.Scope{}, 0)
	if err != nil || len(alerts) != 3 || alerts[0].OfficerID != c.ID {
		t.Fatalf("Alerts(force) = %v, %v", alerts, err)
	}
	if al, _ := f.s.Alerts(f.ctx, doorstep.Scope{OfficerID: a.ID}, 0); len(al) != 2 {
		t.Fatalf("Alerts(officer) = %d", len(al))
	}
	fb, err := f.s.MarkReviewed(f.ctx, ref(da, 1), true)
	if err != nil || !fb.Reviewed {
		t.Fatalf("MarkReviewed: %+v, %v", fb, err)
	}
	if got, _ := f.s.FeedbackFor(f.ctx, ref(da, 1)); !got.Reviewed {
		t.Fatal("the reviewed mark was not stored")
	}
	if al, _ := f.s.Alerts(f.ctx, doorstep.Scope{Borough: "Hackney"}, 0); len(al) != 1 || al[0].Rating != 2 {
		t.Fatalf("Alerts after a review = %+v", al)
	}
	if _, err := f.s.MarkReviewed(f.ctx, ref(da, 1), false); err != nil {
		t.Fatal(err)
	}
	if al, _ := f.s.Alerts(f.ctx, doorstep.Scope{Borough: "Hackney"}, 0); len(al) != 2 {
		t.Fatalf("Alerts after un-reviewing = %d", len(al))
	}
	_, err = f.s.MarkReviewed(f.ctx, ref(da, 99), true)
	wantCode(t, "MarkReviewed(no feedback)", err, doorstep.ENOTFOUND)
	// the summary is untouched by reviews
	if s := f.summary(a); s.Responses != 4 {
		t.Fatalf("Summary after reviews %+v", s)
	}
}

func testDashboardFlags(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.officer()
	b := f.officer()
	da := f.device(a)
	f.feedback(ref(da, 1), 5)
	fl1 := &doorstep.Flag{OfficerID: a.ID, Kind: doorstep.FlagCoaching, Note: "refresher", By: "trainer1", At: t0()}
	if err := f.s.AddFlag(f.ctx, fl1); err != nil || !doorstep.ValidID(fl1.ID) {
		t.Fatalf("AddFlag: %v %+v", err, fl1)
	}
	r := ref(da, 1)
	fl2 := &doorstep.Flag{OfficerID: a.ID, Feedback: &r, Kind: doorstep.FlagRecognition, By: "trainer1", At: t0().Add(time.Minute)}
	if err := f.s.AddFlag(f.ctx, fl2); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "AddFlag(unknown kind)", f.s.AddFlag(f.ctx, &doorstep.Flag{OfficerID: a.ID, Kind: "praise", By: "x"}), doorstep.EINVALID)
	wantCode(t, "AddFlag(no by)", f.s.AddFlag(f.ctx, &doorstep.Flag{OfficerID: a.ID, Kind: doorstep.FlagCoaching}), doorstep.EINVALID)
	wantCode(t, "AddFlag(unknown officer)", f.s.AddFlag(f.ctx, &doorstep.Flag{OfficerID: doorstep.NewID(t0()), Kind: doorstep.FlagCoaching, By: "x"}), doorstep.ENOTFOUND)
	wantCode(t, "AddFlag(another officer's feedback)", f.s.AddFlag(f.ctx, &doorstep.Flag{OfficerID: b.ID, Feedback: &r, Kind: doorstep.FlagCoaching, By: "x"}), doorstep.ENOTFOUND)
	got, err := f.s.Flags(f.ctx, a.ID, 0)
	if err != nil || len(got) != 2 || got[0].ID != fl2.ID || got[0].Feedback == nil || *got[0].Feedback != r || got[1].Note != "refresher" {
		t.Fatalf("Flags(a) = %+v, %v", got, err)
	}
	if got, _ := f.s.Flags(f.ctx, b.ID, 0); len(got) != 0 {
		t.Fatalf("Flags(b) = %+v", got)
	}
	if got, _ := f.s.Flags(f.ctx, "", 1); len(got) != 1 || got[0].ID != fl2.ID {
		t.Fatalf("Flags(all, 1) = %+v", got)
	}
	if err := f.s.DeleteFlag(f.ctx, fl2.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteFlag twice", f.s.DeleteFlag(f.ctx, fl2.ID), doorstep.ENOTFOUND)
	if got, _ := f.s.Flags(f.ctx, a.ID, 0); len(got) != 1 || got[0].ID != fl1.ID {
		t.Fatalf("Flags after delete = %+v", got)
	}
}

func testSessions(t *testing.T, open Opener) {
	f := newFixture(t, open)
	h := bytes.Repeat([]byte{1}, 32)
	s := &doorstep.Session{IDHash: h, Username: "trainer1", Role: doorstep.RoleTrainer, CSRF: "tok", CreatedAt: t0(), ExpiresAt: t0().Add(time.Hour)}
	if err := f.s.CreateSession(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "CreateSession(no expiry)", f.s.CreateSession(f.ctx, &doorstep.Session{IDHash: h, Username: "x"}), doorstep.EINVALID)
	got, err := f.s.Session(f.ctx, h, t0().Add(time.Minute))
	if err != nil || got.Username != "trainer1" || got.Role != doorstep.RoleTrainer || got.CSRF != "tok" || !got.ExpiresAt.Equal(s.ExpiresAt) {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	_, err = f.s.Session(f.ctx, h, t0().Add(time.Hour))
	wantCode(t, "Session(expired)", err, doorstep.ENOTFOUND)
	_, err = f.s.Session(f.ctx, bytes.Repeat([]byte{2}, 32), t0())
	wantCode(t, "Session(unknown)", err, doorstep.ENOTFOUND)
	h2 := bytes.Repeat([]byte{3}, 32)
	if err := f.s.CreateSession(f.ctx, &doorstep.Session{IDHash: h2, Username: "admin1", Role: doorstep.RoleAdmin, ExpiresAt: t0().Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.PurgeSessions(f.ctx, t0().Add(90*time.Minute)); err != nil || n != 1 {
		t.Fatalf("PurgeSessions = %d, %v", n, err)
	}
	if _, err := f.s.Session(f.ctx, h2, t0()); err != nil {
		t.Fatalf("a live session was purged: %v", err)
	}
	if err := f.s.DeleteSession(f.ctx, h2); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Session(f.ctx, h2, t0())
	wantCode(t, "Session(deleted)", err, doorstep.ENOTFOUND)
	if err := f.s.DeleteSession(f.ctx, h2); err != nil {
		t.Fatalf("deleting a missing session: %v", err)
	}
}
