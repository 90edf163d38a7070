package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/server"
	dsync "github.com/doorstep-project/doorstep/sync"
)

func TestPairAnswersEverythingTheDeviceNeeds(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	r := p.resp
	if r.DeviceID == 0 || r.Officer.ID != o.ID || r.Officer.Name != "Alex Smith" {
		t.Fatalf("pair response %+v", r)
	}
	if r.PublicURL != "https://doorstep.example.org" || r.TokenValidityDays != 90 || len(r.TokenKey) != 32 {
		t.Fatalf("public url %q, validity %d, key %d bytes", r.PublicURL, r.TokenValidityDays, len(r.TokenKey))
	}
	if _, err := dsync.ParseHLC(r.ServerHLC); err != nil {
		t.Fatalf("server hlc %q: %v", r.ServerHLC, err)
	}
	if !strings.HasPrefix(r.Credential, "1.") || len(r.Credential) != 2+43 {
		t.Fatalf("credential %q", r.Credential)
	}
	d, err := e.store.Device(context.Background(), r.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.CredentialHash) != 32 || strings.Contains(string(d.KeyCiphertext), string(r.TokenKey)) || len(d.KeyCiphertext) < 32+16 {
		t.Fatalf("stored credential hash %d bytes, sealed key %d bytes", len(d.CredentialHash), len(d.KeyCiphertext))
	}
	if strings.Contains(e.logs.String(), r.Credential[2:]) {
		t.Fatal("the credential is in the logs")
	}
}

func TestPairRefusals(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	var pc struct{ Code string }
	e.admin("POST", "/api/v1/admin/pairing-codes", `{"officer_id":"`+o.ID+`"}`, http.StatusCreated, &pc)
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed", `{"code":`, 400, doorstep.EINVALID},
		{"unknown field", `{"code":"` + pc.Code + `","device_name":"x","extra":1}`, 400, doorstep.EINVALID},
		{"wrong type", `{"code":12}`, 400, doorstep.EINVALID},
		{"no code", `{"device_name":"x"}`, 400, doorstep.EINVALID},
		{"invalid utf8", "{\"code\":\"" + pc.Code + "\",\"device_name\":\"\xff\"}", 400, doorstep.EINVALID},
		{"oversize", `{"code":"` + pc.Code + `","device_name":"` + strings.Repeat("x", 5000) + `"}`, 413, doorstep.ETOOLARGE},
		{"unknown code", `{"code":"ZZZZZZZZZZ","device_name":"x"}`, 404, doorstep.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			apiErr(t, e.do("POST", "/api/v1/device/pair", strings.NewReader(c.body), nil), c.status, c.code)
		})
	}
	if ds, _ := e.store.Devices(context.Background(), o.ID); len(ds) != 0 {
		t.Fatalf("refused pairings stored %d devices", len(ds))
	}
	ok := `{"code":"` + pc.Code + `","device_name":"x"}`
	if rec := e.do("POST", "/api/v1/device/pair", strings.NewReader(ok), nil); rec.Code != 201 {
		t.Fatalf("pair -> %d %s", rec.Code, rec.Body)
	}
	apiErr(t, e.do("POST", "/api/v1/device/pair", strings.NewReader(ok), nil), 409, doorstep.ECONFLICT)
}

func TestPairRateLimited(t *testing.T) {
	e := newEnv(t, func(o *server.Options) { o.PairsPerMinute = 3 })
	for i := 0; i < 3; i++ {
		apiErr(t, e.do("POST", "/api/v1/device/pair", strings.NewReader(`{"code":"ZZZZZZZZZZ"}`), nil), 404, doorstep.ENOTFOUND)
	}
	apiErr(t, e.do("POST", "/api/v1/device/pair", strings.NewReader(`{"code":"ZZZZZZZZZZ"}`), nil), 429, doorstep.ERATELIMIT)
}

func TestPushPull(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	good := issueMutation(p, 1, text, tok)
	forgedText, forgedTok := e.sign(p, 2, t0())
	forged := issueMutation(p, 2, forgedText[:10]+flip(forgedText[10])+forgedText[11:], forgedTok)

	rec := e.push(p, good, forged)
	if rec.Code != 200 {
		t.Fatalf("push -> %d %s", rec.Code, rec.Body)
	}
	var pr dsync.PushResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &pr); err != nil {
		t.Fatal(err)
	}
	if pr.LastMutationID != 2 || len(pr.Results) != 2 || pr.Results[0].Status != doorstep.StatusApplied ||
		pr.Results[1].Status != doorstep.StatusRejected || !strings.Contains(pr.Results[1].Reason, "token") {
		t.Fatalf("push response %+v", pr)
	}
	if _, err := dsync.ParseHLC(pr.ServerHLC); err != nil {
		t.Fatalf("push server hlc: %v", err)
	}
	// replay answers the same; a gap is a conflict
	rec = e.push(p, good, forged)
	var again dsync.PushResponse
	json.Unmarshal(rec.Body.Bytes(), &again)
	if rec.Code != 200 || again.LastMutationID != 2 || again.Results[1].Status != doorstep.StatusRejected {
		t.Fatalf("replay -> %d %s", rec.Code, rec.Body)
	}
	gap := issueMutation(p, 5, text, tok)
	apiErr(t, e.push(p, gap), 409, doorstep.ECONFLICT)

	if s := e.summary(o.ID); s["issued"] != 1.0 {
		t.Fatalf("summary after push %v", s)
	}
	metrics := e.do("GET", "/metrics", nil, nil).Body.String()
	for _, want := range []string{`doorstep_sync_mutations_total{status="applied"} 1`, `doorstep_sync_mutations_total{status="rejected"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// pull in pages of one
	var cursor string
	var kinds []string
	for i := 0; i < 10; i++ {
		rec := e.do("GET", "/api/v1/device/pull?limit=1&cursor="+cursor, nil, p.auth())
		if rec.Code != 200 {
			t.Fatalf("pull -> %d %s", rec.Code, rec.Body)
		}
		var page dsync.PullResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		if _, err := dsync.ParseHLC(page.ServerHLC); err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			kinds = append(kinds, c.Kind)
		}
		cursor = page.Cursor
		if !page.More {
			break
		}
	}
	if len(kinds) != 1 || kinds[0] != doorstep.ChangeIssuance {
		t.Fatalf("pulled %v, want the one issuance", kinds)
	}
	rec = e.do("GET", "/api/v1/device/pull?cursor="+cursor, nil, p.auth())
	if !strings.Contains(rec.Body.String(), `"changes":[]`) {
		t.Fatalf("empty page is not an empty list: %s", rec.Body)
	}
}

func TestDeviceAPIRefusals(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	other := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	good, _ := json.Marshal(dsync.PushRequest{Mutations: []doorstep.Mutation{issueMutation(p, 1, text, tok)}})
	wrongSecret := strings.TrimSuffix(p.resp.Credential, p.resp.Credential[len(p.resp.Credential)-1:]) + flip(p.resp.Credential[len(p.resp.Credential)-1])
	for _, c := range []struct {
		name, method, path, body, auth string
		status                         int
		code                           string
	}{
		{"push no auth", "POST", "/api/v1/device/push", string(good), "", 401, doorstep.EUNAUTHORIZED},
		{"push wrong secret", "POST", "/api/v1/device/push", string(good), "Bearer " + wrongSecret, 401, doorstep.EUNAUTHORIZED},
		{"push other device's id", "POST", "/api/v1/device/push", string(good), "Bearer " + strings.Replace(p.resp.Credential, "1.", "2.", 1), 401, doorstep.EUNAUTHORIZED},
		{"push unknown device", "POST", "/api/v1/device/push", string(good), "Bearer 99." + strings.Repeat("A", 43), 401, doorstep.EUNAUTHORIZED},
		{"push garbage credential", "POST", "/api/v1/device/push", string(good), "Bearer garbage", 401, doorstep.EUNAUTHORIZED},
		{"push admin token", "POST", "/api/v1/device/push", string(good), "Bearer " + adminToken, 401, doorstep.EUNAUTHORIZED},
		{"push malformed", "POST", "/api/v1/device/push", `{"mutations":[`, "", 400, doorstep.EINVALID},
		{"push unknown field", "POST", "/api/v1/device/push", `{"mutations":[],"x":1}`, "", 400, doorstep.EINVALID},
		{"push empty", "POST", "/api/v1/device/push", `{"mutations":[]}`, "", 400, doorstep.EINVALID},
		{"push wrong type", "POST", "/api/v1/device/push", `{"mutations":"x"}`, "", 400, doorstep.EINVALID},
		{"push invalid utf8", "POST", "/api/v1/device/push", "{\"mutations\":[{\"id\":1,\"kind\":\"\xff\"}]}", "", 400, doorstep.EINVALID},
		{"push oversize", "POST", "/api/v1/device/push", `{"mutations":[{"id":1,"kind":"` + strings.Repeat("x", 1<<20) + `"}]}`, "", 413, doorstep.ETOOLARGE},
		{"pull bad cursor", "GET", "/api/v1/device/pull?cursor=%%%", "", "", 400, doorstep.EINVALID},
		{"pull bad cursor 2", "GET", "/api/v1/device/pull?cursor=AAAA", "", "", 400, doorstep.EINVALID},
		{"pull bad limit", "GET", "/api/v1/device/pull?limit=0", "", "", 400, doorstep.EINVALID},
		{"pull huge limit", "GET", "/api/v1/device/pull?limit=100000", "", "", 400, doorstep.EINVALID},
		{"pull no auth", "GET", "/api/v1/device/pull", "", "-", 401, doorstep.EUNAUTHORIZED},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := p.auth()
			switch c.auth {
			case "":
				if strings.HasSuffix(c.name, "no auth") {
					h.Del("Authorization")
				}
			case "-":
				h.Del("Authorization")
			default:
				h.Set("Authorization", c.auth)
			}
			var body = strings.NewReader(c.body)
			apiErr(t, e.do(c.method, c.path, body, h), c.status, c.code)
		})
	}
	if s := e.summary(o.ID); s["issued"] != 0.0 {
		t.Fatalf("refused pushes stored issues: %v", s)
	}
	d, _ := e.store.Device(context.Background(), p.resp.DeviceID)
	if d.LastMutationID != 0 {
		t.Fatalf("refused pushes moved the device's last mutation to %d", d.LastMutationID)
	}
	_ = other
}

func TestRevokedDeviceCannotSync(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	e.admin("POST", "/api/v1/admin/devices/1/revoke", "", 200, nil)
	apiErr(t, e.push(p, issueMutation(p, 1, text, tok)), http.StatusForbidden, doorstep.EREVOKED)
	apiErr(t, e.do("GET", "/api/v1/device/pull", nil, p.auth()), http.StatusForbidden, doorstep.EREVOKED)
	if s := e.summary(o.ID); s["issued"] != 0.0 {
		t.Fatalf("a revoked device's push was stored: %v", s)
	}
}

// flip changes one base32 / base64url character into another.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
