package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

func testChangesOrder(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	is1 := newIssuance(d, 1)
	f.pushApplied(d, issue(1, is1))
	if err := f.s.PublishContent(f.ctx, &doorstep.ContentVersion{Language: "en", Version: "2026-11", Body: []byte(`{"title":"Your rights"}`)}); err != nil {
		t.Fatal(err)
	}
	f.feedback(ref(d, 1), 5)
	f.pushApplied(d, void(2, is1.ID, "spoiled", hlc(50)))
	if _, err := f.s.RevokeDevice(f.ctx, d.ID, t0().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ch := f.changes(d)
	var kinds []string
	for i, c := range ch {
		kinds = append(kinds, c.Kind)
		if i > 0 && c.Seq <= ch[i-1].Seq {
			t.Fatalf("feed sequence not increasing: %d after %d", c.Seq, ch[i-1].Seq)
		}
	}
	want := []string{doorstep.ChangeIssuance, doorstep.ChangeContent, doorstep.ChangeFeedback, doorstep.ChangeIssuance, doorstep.ChangeRevocation}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("feed kinds %v, want commit order %v", kinds, want)
	}
	if ch[0].Issuance == nil || ch[0].Issuance.ID != is1.ID || ch[0].Issuance.Voided {
		t.Fatalf("first change = %+v, want the live issuance", ch[0])
	}
	if ch[1].Content == nil || string(ch[1].Content.Body) != `{"title":"Your rights"}` {
		t.Fatalf("content change = %+v", ch[1].Content)
	}
	if ch[3].Issuance == nil || !ch[3].Issuance.Voided {
		t.Fatalf("fourth change = %+v, want the voided issuance", ch[3])
	}
}

func testChangesPaging(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	var muts []doorstep.Mutation
	for i := 1; i <= 25; i++ {
		muts = append(muts, issue(uint64(i), newIssuance(d, uint32(i))))
	}
	f.pushApplied(d, muts...)
	all, _, more, err := f.s.Changes(f.ctx, d.ID, 0, 100)
	if err != nil || more || len(all) != 25 {
		t.Fatalf("Changes(0, 100) = %d changes, more %v, err %v; want 25, false", len(all), more, err)
	}
	var paged []doorstep.Change
	cur := uint64(0)
	for _, wantLen := range []int{10, 10, 5} {
		page, next, more, err := f.s.Changes(f.ctx, d.ID, cur, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != wantLen || more != (wantLen == 10) {
			t.Fatalf("page after %d: %d changes, more %v; want %d, %v", cur, len(page), more, wantLen, wantLen == 10)
		}
		if next != page[len(page)-1].Seq {
			t.Fatalf("next = %d, want the last change's sequence %d", next, page[len(page)-1].Seq)
		}
		paged = append(paged, page...)
		cur = next
	}
	if !reflect.DeepEqual(paged, all) {
		t.Fatalf("pages joined differ from one pull")
	}
	page, next, more, err := f.s.Changes(f.ctx, d.ID, cur, 10)
	if err != nil || len(page) != 0 || more || next != cur {
		t.Fatalf("Changes at the end = %d changes, next %d, more %v, err %v; want none, %d, false", len(page), next, more, err, cur)
	}
	// New changes are found from the stored cursor.
	f.pushApplied(d, issue(26, newIssuance(d, 26)))
	page, _, _, err = f.s.Changes(f.ctx, d.ID, cur, 10)
	if err != nil || len(page) != 1 || page[0].Issuance.Token.Counter != 26 {
		t.Fatalf("Changes after a new push = %+v, %v", page, err)
	}
	_, _, _, err = f.s.Changes(f.ctx, 999_999, 0, 10)
	wantCode(t, "Changes(unknown device)", err, doorstep.ENOTFOUND)
}

func testChangesVisibility(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a, b := f.officer(), f.officer()
	a1, a2, b1 := f.device(a), f.device(a), f.device(b)
	f.pushApplied(a1, issue(1, newIssuance(a1, 1)))
	f.pushApplied(a2, issue(1, newIssuance(a2, 1)))
	f.pushApplied(b1, issue(1, newIssuance(b1, 1)))
	f.feedback(ref(a1, 1), 5)
	f.feedback(ref(a2, 1), 4)
	f.feedback(ref(b1, 2), 3) // unlinked, still b1's
	if err := f.s.PublishContent(f.ctx, &doorstep.ContentVersion{Language: "cy", Version: "1", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RevokeDevice(f.ctx, a2.ID, t0().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	late := f.device(b) // paired after the content was published

	for _, c := range []struct {
		d                                         *doorstep.Device
		issuances, feedback, content, revocations int
	}{
		{a1, 1, 1, 1, 0}, {a2, 1, 1, 1, 1}, {b1, 1, 1, 1, 0}, {late, 0, 0, 1, 0},
	} {
		ch := f.changes(c.d)
		got := fmt.Sprint(count(ch, doorstep.ChangeIssuance), count(ch, doorstep.ChangeFeedback), count(ch, doorstep.ChangeContent), count(ch, doorstep.ChangeRevocation))
		want := fmt.Sprint(c.issuances, c.feedback, c.content, c.revocations)
		if got != want {
			t.Fatalf("device %d sees issuances, feedback, content, revocations %s; want %s", c.d.ID, got, want)
		}
		for _, x := range ch {
			switch {
			case x.Issuance != nil && x.Issuance.Token.DeviceID != c.d.ID,
				x.Feedback != nil && x.Feedback.Token.DeviceID != c.d.ID,
				x.Revocation != nil && x.Revocation.ID != c.d.ID:
				t.Fatalf("device %d sees another device's change %+v", c.d.ID, x)
			}
		}
	}
}

func testContent(t *testing.T, open Opener) {
	f := newFixture(t, open)
	if got, err := f.s.LatestContent(f.ctx); err != nil || len(got) != 0 {
		t.Fatalf("LatestContent on an empty store = %v, %v", got, err)
	}
	publish := func(lang, version, body string) error {
		return f.s.PublishContent(f.ctx, &doorstep.ContentVersion{Language: lang, Version: version, Body: []byte(body)})
	}
	for _, c := range [][3]string{{"en", "2026-10", `{"v":1}`}, {"cy", "2026-10", `{"v":"cy1"}`}, {"en", "2026-11", `{"v":2}`}} {
		if err := publish(c[0], c[1], c[2]); err != nil {
			t.Fatalf("PublishContent(%s %s): %v", c[0], c[1], err)
		}
	}
	wantCode(t, "PublishContent(existing version)", publish("en", "2026-10", `{"v":"again"}`), doorstep.ECONFLICT)
	wantCode(t, "PublishContent(no language)", publish("", "1", `{}`), doorstep.EINVALID)

	got, err := f.s.LatestContent(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	latest := map[string]string{}
	for _, c := range got {
		if c.PublishedAt.IsZero() {
			t.Fatalf("content %s %s has no PublishedAt", c.Language, c.Version)
		}
		latest[c.Language] = c.Version + " " + string(c.Body)
	}
	want := map[string]string{"en": `2026-11 {"v":2}`, "cy": `2026-10 {"v":"cy1"}`}
	if !reflect.DeepEqual(latest, want) {
		t.Fatalf("LatestContent = %v, want %v", latest, want)
	}
	// Every device, however late it pairs, reads every version from its feed.
	d := f.device(f.officer())
	if n := count(f.changes(d), doorstep.ChangeContent); n != 3 {
		t.Fatalf("device feed holds %d content changes, want 3", n)
	}
}

func testAccounts(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := &doorstep.Account{Username: "trainer.jones", PasswordHash: []byte("$argon2id$hash"), Role: doorstep.RoleTrainer}
	if err := f.s.CreateAccount(f.ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if a.ID == "" || a.CreatedAt.IsZero() {
		t.Fatalf("CreateAccount did not assign ID and CreatedAt: %+v", a)
	}
	dup := &doorstep.Account{Username: "trainer.jones", PasswordHash: []byte("x"), Role: doorstep.RoleAdmin}
	wantCode(t, "CreateAccount(taken username)", f.s.CreateAccount(f.ctx, dup), doorstep.ECONFLICT)
	wantCode(t, "CreateAccount(unknown role)",
		f.s.CreateAccount(f.ctx, &doorstep.Account{Username: "x", PasswordHash: []byte("x"), Role: "root"}), doorstep.EINVALID)
	got, err := f.s.AccountByUsername(f.ctx, "trainer.jones")
	if err != nil {
		t.Fatalf("AccountByUsername: %v", err)
	}
	if got.ID != a.ID || got.Role != doorstep.RoleTrainer || string(got.PasswordHash) != "$argon2id$hash" {
		t.Fatalf("AccountByUsername = %+v (hash %q), want %+v", got, got.PasswordHash, a)
	}
	_, err = f.s.AccountByUsername(f.ctx, "nobody")
	wantCode(t, "AccountByUsername(unknown)", err, doorstep.ENOTFOUND)
}

func testAudit(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	for i := 0; i < 5; i++ {
		e := &doorstep.AuditEntry{Actor: "trainer.jones", Action: "view_officer", OfficerID: o.ID, Detail: fmt.Sprint(i)}
		if i == 0 {
			e.At = t0()
		}
		if err := f.s.AppendAudit(f.ctx, e); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		if e.Seq == 0 || e.At.IsZero() || i == 0 && !e.At.Equal(t0()) {
			t.Fatalf("AppendAudit did not assign Seq and At: %+v", e)
		}
	}
	three, err := f.s.Audit(f.ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for i, e := range three {
		details = append(details, e.Detail)
		if i > 0 && e.Seq >= three[i-1].Seq {
			t.Fatalf("Audit not newest first by Seq")
		}
	}
	if fmt.Sprint(details) != "[4 3 2]" {
		t.Fatalf("Audit(3) details %v, want [4 3 2]", details)
	}
	if all, _ := f.s.Audit(f.ctx, 0); len(all) != 5 || all[4].Detail != "0" || all[4].Actor != "trainer.jones" || all[4].OfficerID != o.ID {
		t.Fatalf("Audit(0) = %d entries, want all 5, oldest last", len(all))
	}
}
