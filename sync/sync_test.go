package sync_test

import (
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
)

func TestHLCOrderAndText(t *testing.T) {
	now := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	c := dsync.NewClock(func() time.Time { return now }, dsync.HLC{})
	a := c.Now()
	b := c.Now() // same millisecond: the counter orders it
	if !a.Less(b) || a.String() >= b.String() {
		t.Fatalf("stamps in one millisecond not ordered: %v %v", a, b)
	}
	got, err := dsync.ParseHLC(b.String())
	if err != nil || got != b {
		t.Fatalf("ParseHLC(%q) = %v, %v", b.String(), got, err)
	}
	for _, bad := range []string{"", "00", strings.Repeat("g", 24), strings.Repeat("A", 24), strings.Repeat("f", 24)} {
		if _, err := dsync.ParseHLC(bad); doorstep.ErrorCode(err) != doorstep.EINVALID {
			t.Errorf("ParseHLC(%q) err = %v, want invalid", bad, err)
		}
	}
}

// A device whose clock is hours behind still stamps its edits after everything
// it has observed from the server.
func TestHLCDeviceClockBehindServer(t *testing.T) {
	server := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	device := server.Add(-5 * time.Hour)
	sc := dsync.NewClock(func() time.Time { return server }, dsync.HLC{})
	dc := dsync.NewClock(func() time.Time { return device }, dsync.HLC{})
	seen := sc.Now()
	dc.Observe(seen)
	edit := dc.Now()
	if !seen.Less(edit) {
		t.Fatalf("device edit %v not after observed server stamp %v", edit, seen)
	}
	// A clock restored from its persisted Last keeps going forward.
	again := dsync.NewClock(func() time.Time { return device }, dc.Last()).Now()
	if !edit.Less(again) {
		t.Fatalf("restored clock went back: %v then %v", edit, again)
	}
}

func TestCursorRoundTripAndCanonical(t *testing.T) {
	for _, seq := range []uint64{0, 1, 255, 1 << 40} {
		got, err := dsync.DecodeCursor(dsync.EncodeCursor(seq))
		if err != nil || got != seq {
			t.Fatalf("cursor %d round trip: %d, %v", seq, got, err)
		}
	}
	if got, err := dsync.DecodeCursor(""); err != nil || got != 0 {
		t.Fatalf("empty cursor: %d %v", got, err)
	}
	for _, bad := range []string{"x", "AAAAAAAAAAA=", "AAAAAAAAAA", "AAAAAAAAAAB", "!!!!!!!!!!!"} {
		if _, err := dsync.DecodeCursor(bad); doorstep.ErrorCode(err) != doorstep.EINVALID {
			t.Errorf("DecodeCursor(%q) err = %v", bad, err)
		}
	}
}

func TestDecodePush(t *testing.T) {
	ok := `{"mutations":[{"id":3,"kind":"void","void":{"issuance_id":"x","hlc":"y"}},{"id":4,"kind":"issue"}]}`
	p, err := dsync.DecodePush(strings.NewReader(ok))
	if err != nil || len(p.Mutations) != 2 || p.Mutations[1].ID != 4 {
		t.Fatalf("DecodePush(ok) = %+v, %v", p, err)
	}
	many := `{"mutations":[` + strings.TrimSuffix(strings.Repeat(`{"id":1},`, dsync.MaxPushMutations+1), ",") + `]}`
	cases := map[string]struct{ body, code string }{
		"empty body":    {"", doorstep.EINVALID},
		"not json":      {"mutations", doorstep.EINVALID},
		"no mutations":  {`{"mutations":[]}`, doorstep.EINVALID},
		"unknown field": {`{"mutations":[{"id":1}],"x":1}`, doorstep.EINVALID},
		"unknown inner": {`{"mutations":[{"id":1,"evil":true}]}`, doorstep.EINVALID},
		"id zero":       {`{"mutations":[{"id":0}]}`, doorstep.EINVALID},
		"gap in batch":  {`{"mutations":[{"id":1},{"id":3}]}`, doorstep.EINVALID},
		"trailing":      {`{"mutations":[{"id":1}]}{}`, doorstep.EINVALID},
		"wrong type":    {`{"mutations":[{"id":"1"}]}`, doorstep.EINVALID},
		"bad utf8":      {"{\"mutations\":[{\"id\":1,\"kind\":\"\xff\"}]}", doorstep.EINVALID},
		"too many":      {many, doorstep.ETOOLARGE},
		"too big":       {`{"mutations":[{"id":1,"kind":"` + strings.Repeat("a", dsync.MaxPushBytes) + `"}]}`, doorstep.ETOOLARGE},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := dsync.DecodePush(strings.NewReader(c.body))
			if got := doorstep.ErrorCode(err); got != c.code {
				t.Fatalf("code %q (%v), want %q", got, err, c.code)
			}
		})
	}
}

func TestDecodePair(t *testing.T) {
	if p, err := dsync.DecodePair(strings.NewReader(`{"code":"ABCD-2345","device_name":"Pixel 8"}`)); err != nil || p.DeviceName != "Pixel 8" {
		t.Fatalf("good pair: %+v %v", p, err)
	}
	for _, bad := range []string{`{}`, `{"code":""}`, `{"code":"A","device_name":"a\u0007b"}`, `{"code":"A","device_name":"` + strings.Repeat("x", 65) + `"}`, `{"code":"A","admin":true}`} {
		if _, err := dsync.DecodePair(strings.NewReader(bad)); doorstep.ErrorCode(err) != doorstep.EINVALID {
			t.Errorf("DecodePair(%s) err = %v", bad, err)
		}
	}
}

func issuanceFor(d *doorstep.Device) *doorstep.Issuance {
	at := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	return &doorstep.Issuance{
		ID: doorstep.NewID(at), Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 7}, TokenText: "TOKEN",
		IssuedAt: at, ExpiresAt: at.Add(90 * 24 * time.Hour), Language: "en", Format: doorstep.FormatA4,
		ContentVersion: "2021-04.1", CrimeRef: "CR/1234/26", HLC: dsync.HLC{Wall: at.UnixMilli()}.String(),
	}
}

func TestCheckMutation(t *testing.T) {
	d := &doorstep.Device{ID: 9, OfficerID: "officer-a"}
	check := func(text string) (doorstep.TokenRef, error) {
		if text != "TOKEN" {
			return doorstep.TokenRef{}, doorstep.Errorf(doorstep.ENOTFOUND, "forged")
		}
		return doorstep.TokenRef{DeviceID: 9, Counter: 7}, nil
	}
	good := issuanceFor(d)
	if r := dsync.CheckMutation(&doorstep.Mutation{ID: 1, Kind: doorstep.MutationIssue, Issuance: good}, d, check); r != "" {
		t.Fatalf("good issuance rejected: %s", r)
	}
	edit := func(f func(*doorstep.Issuance)) *doorstep.Issuance { c := *good; f(&c); return &c }
	cases := map[string]doorstep.Mutation{
		"unknown kind":      {Kind: "delete"},
		"issue without":     {Kind: doorstep.MutationIssue},
		"void without":      {Kind: doorstep.MutationVoid},
		"other officer":     {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.OfficerID = "officer-b" })},
		"other device":      {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.Token.DeviceID = 10 })},
		"forged token":      {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.TokenText = "FORGED" })},
		"ref mismatch":      {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.Token.Counter = 8 })},
		"bad id":            {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.ID = "1" })},
		"bad hlc":           {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.HLC = "yesterday" })},
		"bad format":        {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.Format = "a3" })},
		"expiry before":     {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.ExpiresAt = i.IssuedAt })},
		"long crime ref":    {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.CrimeRef = strings.Repeat("1", 41) })},
		"control crime ref": {Kind: doorstep.MutationIssue, Issuance: edit(func(i *doorstep.Issuance) { i.CrimeRef = "CR\n1" })},
		"void bad id":       {Kind: doorstep.MutationVoid, Void: &doorstep.Void{IssuanceID: "x", HLC: good.HLC}},
		"void bad hlc":      {Kind: doorstep.MutationVoid, Void: &doorstep.Void{IssuanceID: good.ID, HLC: "x"}},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			if r := dsync.CheckMutation(&m, d, check); r == "" {
				t.Fatal("accepted, want a rejection reason")
			}
		})
	}
}

func TestMergeIssuanceVoidByHLC(t *testing.T) {
	d := &doorstep.Device{ID: 9}
	stored := issuanceFor(d)
	early := dsync.HLC{Wall: 1000}.String()
	late := dsync.HLC{Wall: 2000}.String()
	stored.HLC = dsync.HLC{Wall: 500}.String()

	// Two voids arriving in either order end with the later stamp's reason.
	for _, order := range [][]*doorstep.Void{
		{{Reason: "spoiled", HLC: early}, {Reason: "wrong victim", HLC: late}},
		{{Reason: "wrong victim", HLC: late}, {Reason: "spoiled", HLC: early}},
	} {
		cur := stored
		for _, v := range order {
			cur, _ = dsync.ApplyVoid(cur, v)
		}
		if !cur.Voided || cur.VoidReason != "wrong victim" || cur.HLC != late {
			t.Fatalf("order %v: got voided=%v reason=%q hlc=%s", order, cur.Voided, cur.VoidReason, cur.HLC)
		}
	}
	// Immutable fields never change on a re-create.
	again := *stored
	again.CrimeRef = "CR/9999/26"
	again.HLC = late
	got, _ := dsync.MergeIssuance(stored, &again)
	if got.CrimeRef != stored.CrimeRef {
		t.Fatalf("re-create changed an immutable field: %q", got.CrimeRef)
	}
	// A replay of the same record changes nothing.
	if _, changed := dsync.MergeIssuance(stored, stored); changed {
		t.Fatal("replaying the stored issuance reported a change")
	}
	// A void is final: an un-voided re-create does not revive it.
	voided, _ := dsync.ApplyVoid(stored, &doorstep.Void{Reason: "spoiled", HLC: early})
	back := *stored
	back.HLC = late
	if got, _ := dsync.MergeIssuance(voided, &back); !got.Voided {
		t.Fatal("a later re-create un-voided the issuance")
	}
}
