package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
	dsync "github.com/doorstep-project/doorstep/sync"
)

// sources hands out distinct loopback source addresses (127.10.0.1 on), so
// that each simulated victim or device is its own client to the server's
// per-address rate limits, as real ones are.
type sources struct{ n atomic.Uint32 }

func (s *sources) next() net.IP {
	for {
		n := s.n.Add(1)
		a, b, c := byte(10+n>>16), byte(n>>8), byte(n)
		if c == 0 || c == 255 || a >= 250 {
			continue
		}
		return net.IPv4(127, a, b, c)
	}
}

// newClient is an HTTP client that connects from src (nil: any) and never
// follows redirects.
func newClient(src net.IP, conns int) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if src != nil {
		d.LocalAddr = &net.TCPAddr{IP: src}
	}
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			DialContext:         d.DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			DisableCompression:  true,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// statusError is a non-2xx answer.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %.300s", e.code, e.body) }

func is5xx(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.code >= 500
}

// api is a client of one server's JSON API.
type api struct {
	base string
	hc   *http.Client
}

func (a *api) do(ctx context.Context, method, path, bearer string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &statusError{resp.StatusCode, string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// device is a paired device driven over the wire protocol.
type device struct {
	id        uint32
	cred      string
	key       []byte
	officerID string
	public    string
	nextMut   uint64
	counter   uint32
	wall      int64
	cursor    string
}

// newOfficer creates an officer with a unique collar number.
func (a *api) newOfficer(ctx context.Context, n int) (string, error) {
	var o struct {
		ID string `json:"id"`
	}
	err := a.do(ctx, "POST", "/api/v1/admin/officers", adminToken, map[string]string{
		"collar_number": fmt.Sprintf("B%05dXX", n), "name": fmt.Sprintf("Bench Officer %d", n),
		"borough": "Hackney", "team": "Response " + strconv.Itoa(n%4+1),
	}, &o)
	return o.ID, err
}

// pairingCode issues a pairing code for an officer.
func (a *api) pairingCode(ctx context.Context, officerID string) (string, error) {
	var pc struct {
		Code string `json:"code"`
	}
	err := a.do(ctx, "POST", "/api/v1/admin/pairing-codes", adminToken, map[string]string{"officer_id": officerID}, &pc)
	return pc.Code, err
}

// pairDevice creates an officer and pairs a device for it over HTTP, from a
// source address of its own (pairing is rate-limited per address).
func pairDevice(ctx context.Context, base string, src *sources, n int) (*device, error) {
	admin := &api{base: base, hc: newClient(nil, 4)}
	oid, err := admin.newOfficer(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("officer: %w", err)
	}
	code, err := admin.pairingCode(ctx, oid)
	if err != nil {
		return nil, fmt.Errorf("pairing code: %w", err)
	}
	dc := &api{base: base, hc: newClient(src.next(), 1)}
	var pr dsync.PairResponse
	if err := dc.do(ctx, "POST", "/api/v1/device/pair", "", dsync.PairRequest{Code: code, DeviceName: fmt.Sprintf("bench-%d", n)}, &pr); err != nil {
		return nil, fmt.Errorf("pair: %w", err)
	}
	return &device{id: pr.DeviceID, cred: pr.Credential, key: pr.TokenKey, officerID: pr.Officer.ID, public: pr.PublicURL, nextMut: 1, wall: time.Now().UnixMilli()}, nil
}

// pairDevices pairs n devices, a few at a time.
func pairDevices(ctx context.Context, base string, src *sources, first, n int) ([]*device, error) {
	devs := make([]*device, n)
	errs := make([]error, n)
	var wg gosync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			devs[i], errs[i] = pairDevice(ctx, base, src, first+i)
		}()
	}
	wg.Wait()
	return devs, errors.Join(errs...)
}

// sign makes the token of the device's next code, as the device does offline.
func (d *device) sign(now time.Time) (string, doorstep.TokenRef, qrcode.Token, error) {
	d.counter++
	ref := doorstep.TokenRef{DeviceID: d.id, Counter: d.counter}
	text, tok, err := qrcode.Sign(d.key, ref, now, qrcode.DefaultValidity)
	return text, ref, tok, err
}

// issueMutations makes n issue mutations, numbered on from the device's
// outbox, with tokens signed by its key. It returns their token texts too.
func (d *device) issueMutations(n int) ([]doorstep.Mutation, []string, error) {
	now := time.Now()
	muts := make([]doorstep.Mutation, n)
	texts := make([]string, n)
	for i := range n {
		text, ref, tok, err := d.sign(now)
		if err != nil {
			return nil, nil, err
		}
		d.wall++
		if w := now.UnixMilli(); w > d.wall {
			d.wall = w
		}
		muts[i] = doorstep.Mutation{ID: d.nextMut, Kind: doorstep.MutationIssue, Issuance: &doorstep.Issuance{
			ID: doorstep.NewID(now), Token: ref, TokenText: text, OfficerID: d.officerID,
			IssuedAt: now.UTC(), ExpiresAt: tok.ExpiresAt, CrimeRef: "CR/" + strconv.Itoa(int(ref.Counter)) + "/26",
			Language: "en", Format: doorstep.FormatA4, ContentVersion: "bench",
			HLC: dsync.HLC{Wall: d.wall}.String(),
		}}
		texts[i] = text
		d.nextMut++
	}
	return muts, texts, nil
}

// push sends one batch and checks every mutation was applied.
func (d *device) push(ctx context.Context, a *api, muts []doorstep.Mutation) error {
	var resp dsync.PushResponse
	if err := a.do(ctx, "POST", "/api/v1/device/push", d.cred, dsync.PushRequest{Mutations: muts}, &resp); err != nil {
		return err
	}
	if len(resp.Results) != len(muts) {
		return fmt.Errorf("push: %d results for %d mutations", len(resp.Results), len(muts))
	}
	for _, r := range resp.Results {
		if r.Status != "applied" {
			return fmt.Errorf("push: mutation %d %s: %s", r.ID, r.Status, r.Reason)
		}
	}
	return nil
}

// pull fetches one page after cursor.
func (d *device) pull(ctx context.Context, a *api, cursor string, limit int) (*dsync.PullResponse, error) {
	var resp dsync.PullResponse
	q := "/api/v1/device/pull?limit=" + strconv.Itoa(limit)
	if cursor != "" {
		q += "&cursor=" + url.QueryEscape(cursor)
	}
	err := a.do(ctx, "GET", q, d.cred, nil, &resp)
	return &resp, err
}

// pullAll pulls the device's feed from its cursor to the end, at most
// maxPages pages, and returns the number of changes.
func (d *device) pullAll(ctx context.Context, a *api, limit, maxPages int) (int, int, error) {
	n, pages := 0, 0
	for pages < maxPages {
		resp, err := d.pull(ctx, a, d.cursor, limit)
		if err != nil {
			return n, pages, err
		}
		pages++
		n += len(resp.Changes)
		d.cursor = resp.Cursor
		if !resp.More {
			break
		}
	}
	return n, pages, nil
}

// victim is one victim's browser: its own address, its CSRF cookie.
type victim struct {
	base   string
	hc     *http.Client
	cookie string
	field  string
}

func newVictim(base string, src net.IP) *victim {
	return &victim{base: base, hc: newClient(src, 1)}
}

func (v *victim) close() { v.hc.CloseIdleConnections() }

// page GETs the feedback page of a code and keeps the CSRF cookie and field.
func (v *victim) page(ctx context.Context, token string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", v.base+"/F/"+token, nil)
	if err != nil {
		return err
	}
	if v.cookie != "" {
		req.Header.Set("Cookie", "doorstep_csrf="+v.cookie)
	}
	resp, err := v.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.StatusCode, string(b)}
	}
	for _, c := range resp.Cookies() {
		if c.Name == "doorstep_csrf" {
			v.cookie = c.Value
		}
	}
	const marker = `name="csrf" value="`
	i := bytes.Index(b, []byte(marker))
	if i < 0 || v.cookie == "" {
		return errors.New("feedback page without a CSRF field or cookie")
	}
	rest := b[i+len(marker):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return errors.New("feedback page with a malformed CSRF field")
	}
	v.field = string(rest[:j])
	return nil
}

// submit POSTs the feedback form; 303 to the thank-you page is success.
func (v *victim) submit(ctx context.Context, token string, rating int) error {
	form := url.Values{"rating": {strconv.Itoa(rating)}, "respect": {"yes"}, "rights": {"yes"}, "updates": {"unsure"},
		"comment": {"Kind and clear, explained what happens next."}, "csrf": {v.field}}
	req, err := http.NewRequestWithContext(ctx, "POST", v.base+"/F/"+token, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "doorstep_csrf="+v.cookie)
	resp, err := v.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusSeeOther {
		return &statusError{resp.StatusCode, string(b)}
	}
	return nil
}
