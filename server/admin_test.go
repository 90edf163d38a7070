package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/server"
)

func TestOfficers(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	if !doorstep.ValidID(o.ID) || o.CollarNumber != "1234AB" || o.Name != "Alex Smith" || o.Borough != "Hackney" || o.Team != "Response 1" {
		t.Fatalf("created %+v", o)
	}
	var list []doorstep.Officer
	e.admin("GET", "/api/v1/admin/officers", "", http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != o.ID {
		t.Fatalf("list %+v", list)
	}
	rec := e.do("POST", "/api/v1/admin/officers", strings.NewReader(`{"collar_number":"1234AB","name":"Other","borough":"Hackney"}`), adminHeader())
	apiErr(t, rec, http.StatusConflict, doorstep.ECONFLICT)
}

// TestAdminBadInput sends refused requests to every admin endpoint that takes
// a body and checks that each is a 4xx JSON error and that nothing is stored.
func TestAdminBadInput(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	big := `{"collar_number":"1","name":"` + strings.Repeat("a", 20<<10) + `","borough":"b"}`
	cases := []struct {
		name, path, body string
		header           http.Header
		status           int
		code             string
	}{
		{"officer malformed", "/api/v1/admin/officers", `{"collar_number":`, nil, 400, doorstep.EINVALID},
		{"officer unknown field", "/api/v1/admin/officers", `{"collar_number":"9","name":"n","borough":"b","rank":"PC"}`, nil, 400, doorstep.EINVALID},
		{"officer wrong type", "/api/v1/admin/officers", `{"collar_number":9,"name":"n","borough":"b"}`, nil, 400, doorstep.EINVALID},
		{"officer invalid utf8", "/api/v1/admin/officers", "{\"collar_number\":\"9\",\"name\":\"\xff\xfe\",\"borough\":\"b\"}", nil, 400, doorstep.EINVALID},
		{"officer missing name", "/api/v1/admin/officers", `{"collar_number":"9","borough":"b"}`, nil, 400, doorstep.EINVALID},
		{"officer blank collar", "/api/v1/admin/officers", `{"collar_number":"  ","name":"n","borough":"b"}`, nil, 400, doorstep.EINVALID},
		{"officer control char", "/api/v1/admin/officers", `{"collar_number":"9","name":"a\u0007b","borough":"b"}`, nil, 400, doorstep.EINVALID},
		{"officer too long", "/api/v1/admin/officers", `{"collar_number":"12345678901234567","name":"n","borough":"b"}`, nil, 400, doorstep.EINVALID},
		{"officer oversize", "/api/v1/admin/officers", big, nil, 413, doorstep.ETOOLARGE},
		{"officer trailing", "/api/v1/admin/officers", `{"collar_number":"9","name":"n","borough":"b"} {}`, nil, 400, doorstep.EINVALID},
		{"officer array", "/api/v1/admin/officers", `[]`, nil, 400, doorstep.EINVALID},
		{"officer null", "/api/v1/admin/officers", `null`, nil, 400, doorstep.EINVALID},
		{"officer form type", "/api/v1/admin/officers", `{"collar_number":"9","name":"n","borough":"b"}`, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, 400, doorstep.EINVALID},
		{"officer no auth", "/api/v1/admin/officers", `{"collar_number":"9","name":"n","borough":"b"}`, http.Header{"Authorization": nil}, 401, doorstep.EUNAUTHORIZED},
		{"officer wrong token", "/api/v1/admin/officers", `{"collar_number":"9","name":"n","borough":"b"}`, http.Header{"Authorization": {"Bearer nope"}}, 401, doorstep.EUNAUTHORIZED},
		{"officer basic unknown", "/api/v1/admin/officers", `{"collar_number":"9","name":"n","borough":"b"}`, http.Header{"Authorization": {"Basic bm9ib2R5OnBhc3N3b3JkcGFzc3dvcmQ="}}, 401, doorstep.EUNAUTHORIZED},
		{"pairing unknown officer", "/api/v1/admin/pairing-codes", `{"officer_id":"` + doorstep.NewID(t0()) + `"}`, nil, 404, doorstep.ENOTFOUND},
		{"pairing bad id", "/api/v1/admin/pairing-codes", `{"officer_id":"x"}`, nil, 400, doorstep.EINVALID},
		{"pairing unknown field", "/api/v1/admin/pairing-codes", `{"officer_id":"` + o.ID + `","ttl":5}`, nil, 400, doorstep.EINVALID},
		{"pairing no auth", "/api/v1/admin/pairing-codes", `{"officer_id":"` + o.ID + `"}`, http.Header{"Authorization": nil}, 401, doorstep.EUNAUTHORIZED},
		{"account bad role", "/api/v1/admin/accounts", `{"username":"sam","password":"correct horse battery","role":"root"}`, nil, 400, doorstep.EINVALID},
		{"account no role", "/api/v1/admin/accounts", `{"username":"sam","password":"correct horse battery"}`, nil, 400, doorstep.EINVALID},
		{"account short password", "/api/v1/admin/accounts", `{"username":"sam","password":"short","role":"trainer"}`, nil, 400, doorstep.EINVALID},
		{"account bad username", "/api/v1/admin/accounts", `{"username":"Sam Smith","password":"correct horse battery","role":"trainer"}`, nil, 400, doorstep.EINVALID},
		{"account wrong type", "/api/v1/admin/accounts", `{"username":"sam","password":12,"role":"trainer"}`, nil, 400, doorstep.EINVALID},
		{"account no auth", "/api/v1/admin/accounts", `{"username":"sam","password":"correct horse battery","role":"admin"}`, http.Header{"Authorization": nil}, 401, doorstep.EUNAUTHORIZED},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := adminHeader()
			for k, v := range c.header {
				if v == nil {
					h.Del(k)
				} else {
					h[k] = v
				}
			}
			apiErr(t, e.do("POST", c.path, strings.NewReader(c.body), h), c.status, c.code)
		})
	}
	// nothing stored: still one officer, no account, no pairing code usable
	ctx := context.Background()
	if os, err := e.store.Officers(ctx); err != nil || len(os) != 1 {
		t.Fatalf("officers after refused input: %d, %v", len(os), err)
	}
	if _, err := e.store.AccountByUsername(ctx, "sam"); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("account stored from refused input: %v", err)
	}
	if ds, err := e.store.Devices(ctx, o.ID); err != nil || len(ds) != 0 {
		t.Fatalf("devices: %d %v", len(ds), err)
	}
}

func TestAdminGetsNeedAuth(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	for _, path := range []string{
		"/api/v1/admin/officers",
		"/api/v1/admin/officers/" + o.ID + "/devices",
		"/api/v1/admin/officers/" + o.ID + "/summary",
		"/api/v1/admin/officers/" + o.ID + "/feedback",
		"/api/v1/admin/audit",
		"/api/v1/admin/backup",
	} {
		rec := e.do("GET", path, nil, nil)
		apiErr(t, rec, http.StatusUnauthorized, doorstep.EUNAUTHORIZED)
		if rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", path)
		}
	}
	apiErr(t, e.do("POST", "/api/v1/admin/devices/1/revoke", nil, nil), http.StatusUnauthorized, doorstep.EUNAUTHORIZED)
}

func TestAccountsAndRoles(t *testing.T) {
	e := newEnv(t)
	var a map[string]any
	e.admin("POST", "/api/v1/admin/accounts", `{"username":"trainer1","password":"correct horse battery","role":"trainer"}`, http.StatusCreated, &a)
	if a["username"] != "trainer1" || a["role"] != "trainer" || a["id"] == "" {
		t.Fatalf("account %v", a)
	}
	if _, leaked := a["password_hash"]; leaked || strings.Contains(fmt.Sprint(a), "argon2") {
		t.Fatalf("account answer shows the hash: %v", a)
	}
	stored, err := e.store.AccountByUsername(context.Background(), "trainer1")
	if err != nil || !bytes.HasPrefix(stored.PasswordHash, []byte("$argon2id$v=19$")) {
		t.Fatalf("stored hash %q, %v", stored.PasswordHash, err)
	}
	apiErr(t, e.do("POST", "/api/v1/admin/accounts", strings.NewReader(`{"username":"trainer1","password":"another long one","role":"admin"}`), adminHeader()), http.StatusConflict, doorstep.ECONFLICT)
	e.admin("POST", "/api/v1/admin/accounts", `{"username":"boss","password":"a very long password","role":"admin"}`, http.StatusCreated, nil)

	basic := func(user, pass string) http.Header {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(user, pass)
		return http.Header{"Authorization": {req.Header.Get("Authorization")}}
	}
	// a trainer is never an admin
	apiErr(t, e.do("GET", "/api/v1/admin/officers", nil, basic("trainer1", "correct horse battery")), http.StatusForbidden, doorstep.EFORBIDDEN)
	apiErr(t, e.do("POST", "/api/v1/admin/accounts", strings.NewReader(`{"username":"sneaky","password":"correct horse battery","role":"admin"}`),
		basic("trainer1", "correct horse battery")), http.StatusForbidden, doorstep.EFORBIDDEN)
	if _, err := e.store.AccountByUsername(context.Background(), "sneaky"); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("a trainer created an account: %v", err)
	}
	apiErr(t, e.do("GET", "/api/v1/admin/officers", nil, basic("boss", "wrong password!!")), http.StatusUnauthorized, doorstep.EUNAUTHORIZED)
	if rec := e.do("GET", "/api/v1/admin/officers", nil, basic("boss", "a very long password")); rec.Code != http.StatusOK {
		t.Fatalf("admin account -> %d %s", rec.Code, rec.Body)
	}
}

func TestPairingCodesDevicesRevoke(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	var pc struct {
		Code      string    `json:"code"`
		OfficerID string    `json:"officer_id"`
		ExpiresAt time.Time `json:"expires_at"`
		QRSVG     string    `json:"qr_svg"`
	}
	e.admin("POST", "/api/v1/admin/pairing-codes", `{"officer_id":"`+o.ID+`"}`, http.StatusCreated, &pc)
	if len(pc.Code) != 10 || strings.Trim(pc.Code, "23456789ABCDEFGHJKMNPQRSTWXYZ") != "" {
		t.Fatalf("code %q is not 10 characters of the unambiguous alphabet", pc.Code)
	}
	if !pc.ExpiresAt.Equal(t0().Add(24*time.Hour)) || pc.OfficerID != o.ID || !strings.HasPrefix(pc.QRSVG, "<svg") {
		t.Fatalf("pairing code %+v", pc)
	}
	var ds []map[string]any
	e.admin("GET", "/api/v1/admin/officers/"+o.ID+"/devices", "", http.StatusOK, &ds)
	if len(ds) != 0 {
		t.Fatalf("devices before pairing: %v", ds)
	}
	// lower case with a hyphen is the same code
	typed := strings.ToLower(pc.Code[:5] + "-" + pc.Code[5:])
	rec := e.do("POST", "/api/v1/device/pair", strings.NewReader(`{"code":"`+typed+`","device_name":"Pixel"}`), nil)
	if rec.Code != http.StatusCreated {
		t.Fatalf("pair -> %d %s", rec.Code, rec.Body)
	}
	var pr struct {
		DeviceID uint32 `json:"device_id"`
	}
	json.Unmarshal(rec.Body.Bytes(), &pr)
	e.admin("GET", "/api/v1/admin/officers/"+o.ID+"/devices", "", http.StatusOK, &ds)
	if len(ds) != 1 || ds[0]["name"] != "Pixel" || ds[0]["revoked_at"] != nil || ds[0]["last_sync_at"] != nil || ds[0]["paired_at"] == nil {
		t.Fatalf("devices %v", ds)
	}
	for _, k := range []string{"credential_hash", "key_ciphertext", "CredentialHash"} {
		if _, ok := ds[0][k]; ok {
			t.Fatalf("device list shows %s", k)
		}
	}
	var rv map[string]any
	e.admin("POST", fmt.Sprintf("/api/v1/admin/devices/%d/revoke", pr.DeviceID), "", http.StatusOK, &rv)
	if rv["revoked_at"] == nil {
		t.Fatalf("revoke answer %v", rv)
	}
	e.admin("POST", fmt.Sprintf("/api/v1/admin/devices/%d/revoke", pr.DeviceID), "", http.StatusOK, nil) // twice is fine
	apiErr(t, e.do("POST", "/api/v1/admin/devices/999/revoke", nil, adminHeader()), 404, doorstep.ENOTFOUND)
	apiErr(t, e.do("POST", "/api/v1/admin/devices/abc/revoke", nil, adminHeader()), 404, doorstep.ENOTFOUND)
	apiErr(t, e.do("GET", "/api/v1/admin/officers/"+doorstep.NewID(t0())+"/devices", nil, adminHeader()), 404, doorstep.ENOTFOUND)
	apiErr(t, e.do("GET", "/api/v1/admin/officers/not-an-id/devices", nil, adminHeader()), 404, doorstep.ENOTFOUND)

	// expired code
	e.admin("POST", "/api/v1/admin/pairing-codes", `{"officer_id":"`+o.ID+`"}`, http.StatusCreated, &pc)
	e.clock.Set(t0().Add(25 * time.Hour))
	apiErr(t, e.do("POST", "/api/v1/device/pair", strings.NewReader(`{"code":"`+pc.Code+`","device_name":"x"}`), nil), http.StatusGone, doorstep.EEXPIRED)
}

func TestSummaryShape(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	rec := e.admin("GET", "/api/v1/admin/officers/"+o.ID+"/summary", "", http.StatusOK, nil)
	want := `{"issued":0,"responses":0,"unlinked":0,"mean_rating":null,"ratings":{"1":0,"2":0,"3":0,"4":0,"5":0}}`
	if got := strings.TrimSpace(rec.Body.String()); got != want {
		t.Fatalf("summary\n got %s\nwant %s", got, want)
	}
	apiErr(t, e.do("GET", "/api/v1/admin/officers/"+doorstep.NewID(t0())+"/summary", nil, adminHeader()), 404, doorstep.ENOTFOUND)
}

func TestAuditAndOfficerFeedback(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	var audit []doorstep.AuditEntry
	e.admin("GET", "/api/v1/admin/audit", "", http.StatusOK, &audit)
	if len(audit) != 0 {
		t.Fatalf("audit before any view: %v", audit)
	}
	var fbs []doorstep.Feedback
	e.admin("GET", "/api/v1/admin/officers/"+o.ID+"/feedback", "", http.StatusOK, &fbs)
	e.admin("GET", "/api/v1/admin/audit?limit=10", "", http.StatusOK, &audit)
	if len(audit) != 1 || audit[0].Actor != "admin-token" || audit[0].Action != "view_officer" || audit[0].OfficerID != o.ID {
		t.Fatalf("audit %+v", audit)
	}
	apiErr(t, e.do("GET", "/api/v1/admin/audit?limit=0", nil, adminHeader()), 400, doorstep.EINVALID)
	apiErr(t, e.do("GET", "/api/v1/admin/audit?limit=x", nil, adminHeader()), 400, doorstep.EINVALID)
}

func TestBackupRestores(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	rec := e.admin("GET", "/api/v1/admin/backup", "", http.StatusOK, nil)
	if ct := rec.Header().Get("Content-Type"); ct != "application/octet-stream" {
		t.Fatalf("backup content type %q", ct)
	}
	path := t.TempDir() + "/restored.db"
	if err := bolt.Restore(bytes.NewReader(rec.Body.Bytes()), path); err != nil {
		t.Fatalf("backup does not restore: %v", err)
	}
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Officer(context.Background(), o.ID)
	if err != nil || got.Name != o.Name {
		t.Fatalf("restored officer %+v, %v", got, err)
	}
}

func TestAdminAuthFailuresRateLimited(t *testing.T) {
	e := newEnv(t, func(o *server.Options) { o.AuthFailuresPerMinute = 3 })
	wrong := http.Header{"Authorization": {"Bearer guess"}}
	for i := 0; i < 3; i++ {
		apiErr(t, e.do("GET", "/api/v1/admin/officers", nil, wrong), 401, doorstep.EUNAUTHORIZED)
	}
	apiErr(t, e.do("GET", "/api/v1/admin/officers", nil, wrong), 429, doorstep.ERATELIMIT)
	apiErr(t, e.do("GET", "/api/v1/admin/officers", nil, adminHeader()), 429, doorstep.ERATELIMIT)
	e.clock.Set(t0().Add(time.Minute))
	e.admin("GET", "/api/v1/admin/officers", "", 200, nil)
}
