package mobileapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsbolt "github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/doorstep-project/doorstep/server"
	dsync "github.com/doorstep-project/doorstep/sync"
)

// These tests run the device against the real server (server.New over
// httptest) on a real bolt store in a temporary directory: no fake protocol.

const testAdminToken = "mobileapi-test-admin-token-0123456789"

// testEnv is one running Doorstep server.
type testEnv struct {
	t     testing.TB
	store *dsbolt.DB
	url   string
	// officerCount names officers apart (collar numbers are unique).
	officerCount atomic.Int32
	// pushes counts the push requests the server has received, so that fault
	// tests can act at a given point of a sync.
	pushes atomic.Int64
}

// newEnv starts a server whose clock is now (time.Now when nil).
func newEnv(t testing.TB, now func() time.Time) *testEnv {
	t.Helper()
	key := bytes.Repeat([]byte{0x5a}, 32)
	check, err := server.TokenChecker(key)
	if err != nil {
		t.Fatal(err)
	}
	store, err := dsbolt.Open(filepath.Join(t.TempDir(), "data", "doorstep.db"), dsbolt.Options{CheckToken: check, NoSync: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	srv, err := server.New(server.Options{
		Store: store, PublicURL: url, AdminTokenHash: server.HashAdminToken(testAdminToken), ServerKey: key,
		SubmitsPerMinute: -1, PairsPerMinute: -1, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, store: store, url: url}
	hs.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/device/push" {
			e.pushes.Add(1)
		}
		srv.ServeHTTP(w, r)
	})
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		store.Close()
	})
	return e
}

// admin calls the admin API and decodes a 2xx answer into out.
func (e *testEnv) admin(method, path string, body, out any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		e.t.Fatalf("%s %s -> %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

// officer creates an officer and returns its ID.
func (e *testEnv) officer() string {
	n := e.officerCount.Add(1)
	var o doorstep.Officer
	e.admin("POST", "/api/v1/admin/officers", map[string]string{
		"collar_number": fmt.Sprintf("%04dAB", 1233+n), "name": "Alex Smith", "borough": "Hackney", "team": "Response 1",
	}, &o)
	return o.ID
}

func (e *testEnv) pairingCode(officerID string) string {
	var pc struct {
		Code string `json:"code"`
	}
	e.admin("POST", "/api/v1/admin/pairing-codes", map[string]string{"officer_id": officerID}, &pc)
	return pc.Code
}

// device pairs a new device in dir (a new temporary one when "") for a new
// officer, through serverURL (the server's own URL when "").
func (e *testEnv) device(dir, serverURL string) (*Device, string) {
	e.t.Helper()
	if serverURL == "" {
		serverURL = e.url
	}
	officer := e.officer()
	d := openTest(e.t, dir, nil)
	if err := d.Pair(serverURL, e.pairingCode(officer), "test phone"); err != nil {
		e.t.Fatalf("Pair: %v", err)
	}
	return d, officer
}

func (e *testEnv) summary(officerID string) doorstep.Summary {
	var s doorstep.Summary
	e.admin("GET", "/api/v1/admin/officers/"+officerID+"/summary", nil, &s)
	return s
}

// feedback is a victim's feedback on the code behind url, straight into the store.
func (e *testEnv) feedback(url string, rating int, comment string) {
	e.t.Helper()
	tok, err := qrcode.Parse(url[strings.LastIndex(url, "/")+1:])
	if err != nil {
		e.t.Fatal(err)
	}
	f := &doorstep.Feedback{Token: tok.Ref, Rating: rating, Comment: comment, Respect: doorstep.AnswerYes}
	if err := e.store.SubmitFeedback(context.Background(), f); err != nil {
		e.t.Fatalf("SubmitFeedback: %v", err)
	}
}

// checkServerHolds checks that the server holds every issue of d exactly once.
func (e *testEnv) checkServerHolds(d *Device, officer string, want int) {
	e.t.Helper()
	list, err := d.Issuances(0)
	if err != nil {
		e.t.Fatal(err)
	}
	if list.Count() != want {
		e.t.Fatalf("device has %d issuances, want %d", list.Count(), want)
	}
	s, _ := d.Status()
	for i := range list.Count() {
		it := list.At(i)
		is, err := e.store.Issuance(context.Background(), doorstep.TokenRef{DeviceID: uint32(s.DeviceID), Counter: uint32(it.Counter)})
		if err != nil || is.ID != it.ID {
			e.t.Fatalf("server lacks issue %d (%s): %v", it.Counter, it.ID, err)
		}
	}
	if sum := e.summary(officer); sum.Issued != want {
		e.t.Fatalf("server summary issued = %d, want %d (each issue exactly once)", sum.Issued, want)
	}
	if s.Pending != 0 || s.Synced != want {
		e.t.Fatalf("device status %+v, want nothing pending and %d synced", s, want)
	}
}

func TestEndToEndOfflineLoop(t *testing.T) {
	e := newEnv(t, nil)
	d, officer := e.device("", "")
	s, _ := d.Status()
	if !s.Paired || s.OfficerName != "Alex Smith" || s.PublicURL != e.url || s.ServerURL != e.url || s.DeviceID == 0 {
		t.Fatalf("status after pairing: %+v", s)
	}
	var urls []string
	for i := range 3 {
		is, err := d.Issue(&IssueOptions{CrimeRef: fmt.Sprintf("CR/%d/26", 1000+i)})
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, is.URL)
	}
	// A victim answers before the device syncs: the server takes it, unlinked.
	comment := "Kind and clear, thank you — merci ✓"
	e.feedback(urls[1], 4, comment)
	if sum := e.summary(officer); sum.Responses != 1 || sum.Unlinked != 1 || sum.Issued != 0 {
		t.Fatalf("before sync: %+v", sum)
	}
	rep, err := d.Sync()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pushed != 3 || rep.Rejected != 0 || rep.Feedback != 1 || rep.Pending != 0 {
		t.Fatalf("report %+v", rep)
	}
	if sum := e.summary(officer); sum.Issued != 3 || sum.Responses != 1 || sum.Unlinked != 0 {
		t.Fatalf("after sync: %+v", sum)
	}
	e.checkServerHolds(d, officer, 3)
	fl, err := d.Feedback()
	if err != nil || fl.Count() != 1 {
		t.Fatalf("Feedback = %v", err)
	}
	f := fl.At(0)
	if f.Rating != 4 || f.Comment != comment || f.Respect != "yes" || f.CrimeRef != "CR/1001/26" || f.ReceivedAt == "" {
		t.Fatalf("feedback item %+v", f)
	}
	js, err := d.FeedbackJSON()
	if err != nil || !strings.Contains(js, `"rating":4`) || !strings.Contains(js, "merci ✓") {
		t.Fatalf("FeedbackJSON = %s, %v", js, err)
	}

	// Void one; more feedback comes in; the next sync carries both ways.
	list, _ := d.Issuances(0)
	if err := d.Void(list.At(0).ID, "printed twice"); err != nil {
		t.Fatal(err)
	}
	e.feedback(urls[0], 5, "")
	rep, err = d.Sync()
	if err != nil || rep.Pushed != 1 || rep.Feedback != 1 {
		t.Fatalf("second sync %+v, %v", rep, err)
	}
	is, err := e.store.Issuance(context.Background(), doorstep.TokenRef{DeviceID: uint32(s.DeviceID), Counter: uint32(list.At(0).Counter)})
	if err != nil || !is.Voided || is.VoidReason != "printed twice" {
		t.Fatalf("server issuance after void: %+v, %v", is, err)
	}
	if fl, _ := d.Feedback(); fl.Count() != 2 || fl.At(0).Rating != 5 {
		t.Fatalf("feedback not newest first: %d items", fl.Count())
	}
	// Nothing new: a sync pushes and pulls nothing.
	if rep, err = d.Sync(); err != nil || rep.Pushed != 0 || rep.Feedback != 0 {
		t.Fatalf("idle sync %+v, %v", rep, err)
	}
}

func TestPairingErrors(t *testing.T) {
	e := newEnv(t, nil)
	officer := e.officer()
	code := e.pairingCode(officer)
	d := openTest(t, "", nil)
	if err := d.Pair(e.url, "NOPE234567", ""); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("unknown code: %v", err)
	}
	if err := d.Pair(e.url, code, "first"); err != nil {
		t.Fatal(err)
	}
	other := openTest(t, "", nil)
	err := other.Pair(e.url, code, "second")
	if doorstep.ErrorCode(err) != doorstep.ECONFLICT || !strings.Contains(err.Error(), "already been used") {
		t.Fatalf("used code: %v", err)
	}
	if p, _ := other.Paired(); p {
		t.Fatal("a refused pairing left the device paired")
	}
}

// A revoked device stops at once with a clear error; the admin pairs it again
// into the same state directory and it works as a new device.
func TestRevokedDeviceStopsAndPairsAgain(t *testing.T) {
	e := newEnv(t, nil)
	dir := t.TempDir()
	d, officer := e.device(dir, "")
	if _, err := d.Issue(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	unsynced, err := d.Issue(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := d.Status()
	e.admin("POST", fmt.Sprintf("/api/v1/admin/devices/%d/revoke", s.DeviceID), nil, nil)
	_, err = d.Sync()
	if doorstep.ErrorCode(err) != doorstep.EREVOKED || ErrorMessage(err) != "this device has been revoked: ask your admin to pair it again" {
		t.Fatalf("Sync after revoke = %v", err)
	}
	if s, _ := d.Status(); !s.Revoked {
		t.Fatal("device not marked revoked")
	}
	if _, err := d.Issue(nil); doorstep.ErrorCode(err) != doorstep.EREVOKED {
		t.Fatalf("Issue after revoke = %v", err)
	}
	// The code it never synced is refused to the victim.
	tok, _ := qrcode.Parse(unsynced.URL[strings.LastIndex(unsynced.URL, "/")+1:])
	if err := e.store.SubmitFeedback(context.Background(), &doorstep.Feedback{Token: tok.Ref, Rating: 3}); doorstep.ErrorCode(err) != doorstep.EREVOKED {
		t.Fatalf("feedback on a never-synced code of a revoked device = %v", err)
	}
	if err := d.Pair(e.url, e.pairingCode(officer), "again"); err != nil {
		t.Fatalf("pairing a revoked device again: %v", err)
	}
	s2, _ := d.Status()
	if s2.Revoked || s2.DeviceID == s.DeviceID || s2.Issued != 0 || s2.Pending != 0 {
		t.Fatalf("status after pairing again: %+v", s2)
	}
	if _, err := d.Issue(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Sync(); err != nil {
		t.Fatalf("sync after pairing again: %v", err)
	}
	if sum := e.summary(officer); sum.Issued != 2 {
		t.Fatalf("summary %+v, want the synced issue of each device", sum)
	}
}

// Many issues cross many push batches and pull pages; every page stored with
// its cursor, every issue on the server once.
func TestSyncAcrossManyBatchesAndPages(t *testing.T) {
	e := newEnv(t, nil)
	d, officer := e.device("", "")
	d.pushBatch, d.pullLimit = 5, 4
	var urls []string
	for range 24 {
		is, err := d.Issue(&IssueOptions{Format: doorstep.FormatThermal})
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, is.URL)
	}
	for i := range 8 {
		e.feedback(urls[i*3], 1+i%5, fmt.Sprintf("comment %d", i))
	}
	rep, err := d.Sync()
	if err != nil || rep.Pushed != 24 || rep.Feedback != 8 || rep.Pulled < 32 {
		t.Fatalf("sync %+v, %v", rep, err)
	}
	e.checkServerHolds(d, officer, 24)
	if rep, err = d.Sync(); err != nil || rep.Pulled != 0 {
		t.Fatalf("second sync pulled again: %+v, %v", rep, err)
	}
}

// A device whose clock is hours wrong still syncs, and its later edits order
// after what it saw from the server (HLC observe).
func TestDeviceClockHoursWrong(t *testing.T) {
	for _, skew := range []time.Duration{-5 * time.Hour, 7 * time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			serverNow := func() time.Time { return time.Now().Add(time.Hour) } // the server is 1 h ahead of real time
			e := newEnv(t, serverNow)
			officer := e.officer()
			d := openTest(t, "", nil)
			d.now = func() time.Time { return serverNow().Add(skew) }
			if err := d.Pair(e.url, e.pairingCode(officer), ""); err != nil {
				t.Fatal(err)
			}
			is, err := d.Issue(&IssueOptions{CrimeRef: "CR/1/26"})
			if err != nil {
				t.Fatal(err)
			}
			e.feedback(is.URL, 5, "on time")
			syncedAt := serverNow()
			if _, err := d.Sync(); err != nil {
				t.Fatalf("sync with a clock %v off: %v", skew, err)
			}
			e.checkServerHolds(d, officer, 1)
			s, _ := d.Status()
			ref := doorstep.TokenRef{DeviceID: uint32(s.DeviceID), Counter: 1}
			stored, err := e.store.Issuance(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			// The device's claimed time and the server's receive time side by side.
			if off := stored.IssuedAt.Sub(serverNow()); off > skew+time.Minute || off < skew-time.Minute {
				t.Errorf("issued at %v, %v from the server's clock, want the device's %v", stored.IssuedAt, off, skew)
			}
			// A void made after the sync orders after everything the device saw.
			if err := d.Void(is.ID, "wrong victim"); err != nil {
				t.Fatal(err)
			}
			batch, _, _ := d.nextBatch()
			v := batch[0].Void
			if v == nil || v.HLC <= stored.HLC {
				t.Fatalf("void stamped %v, not after the server's %q", v, stored.HLC)
			}
			if h, err := dsync.ParseHLC(v.HLC); err != nil || h.Wall < syncedAt.UnixMilli() {
				t.Fatalf("void stamped %v (%v), before the server time it observed at sync (%v)", h, err, syncedAt)
			}
			if _, err := d.Sync(); err != nil {
				t.Fatal(err)
			}
			if stored, _ = e.store.Issuance(context.Background(), ref); !stored.Voided {
				t.Fatalf("void from a device %v off not applied: %+v", skew, stored)
			}
			if fl, _ := d.Feedback(); fl.Count() != 1 || fl.At(0).Comment != "on time" {
				t.Fatalf("feedback not pulled")
			}
		})
	}
}

// Content an admin publishes reaches the device by pull and prints from then
// on; content the device cannot read is left aside, the previous kept.
func TestPulledContentPrints(t *testing.T) {
	e := newEnv(t, nil)
	d, _ := e.device("", "")
	lib, err := leaflet.Default()
	if err != nil {
		t.Fatal(err)
	}
	en, _ := lib.Get("en")
	revised := *en
	revised.Version = "2026-11.1"
	revised.Title = "Your rights as a victim of crime (revised)"
	body, err := leaflet.Marshal(&revised)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, cv := range []*doorstep.ContentVersion{
		{Language: "en", Version: revised.Version, Body: body},
		{Language: "cy", Version: "broken.1", Body: []byte(`{"language":"cy"}`)},
	} {
		if err := e.store.PublishContent(ctx, cv); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := d.Sync()
	if err != nil || rep.Content != 1 || rep.ContentUnreadable != 1 {
		t.Fatalf("sync %+v, %v", rep, err)
	}
	is, err := d.Issue(&IssueOptions{Language: "en"})
	if err != nil || is.ContentVersion != "2026-11.1" {
		t.Fatalf("Issue after publishing: version %q, %v", is.ContentVersion, err)
	}
	cy, _ := lib.Get("cy")
	if is, err := d.Issue(&IssueOptions{Language: "cy"}); err != nil || is.ContentVersion != cy.Version {
		t.Fatalf("Issue in Welsh after unreadable content: %v", err)
	}
	// A non-printable language falls back to the pulled English.
	if is, err := d.Issue(&IssueOptions{Language: "ur"}); err != nil || is.ContentVersion != "2026-11.1" {
		t.Fatalf("Issue in Urdu: %+v, %v", is, err)
	}
}
