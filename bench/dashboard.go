package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// trainer is a signed-in dashboard user: a browser with a session cookie.
type trainer struct {
	base string
	hc   *http.Client
}

// signInTrainer creates a trainer account through the admin API and signs
// in through the login form (CSRF cookie and field from GET /login).
func signInTrainer(ctx context.Context, base string) (*trainer, error) {
	a := &api{base: base, hc: newClient(nil, 2)}
	const user, pass = "bench-trainer", "bench-trainer-password-0123456789"
	if err := a.do(ctx, "POST", "/api/v1/admin/accounts", adminToken, map[string]string{"username": user, "password": pass, "role": "trainer"}, nil); err != nil {
		return nil, fmt.Errorf("create trainer: %w", err)
	}
	jar, _ := cookiejar.New(nil)
	hc := newClient(nil, 2)
	hc.Jar = jar
	body, err := get(ctx, hc, base+"/login")
	if err != nil {
		return nil, fmt.Errorf("login page: %w", err)
	}
	const marker = `name="csrf" value="`
	i := bytes.Index(body, []byte(marker))
	if i < 0 {
		return nil, errors.New("login page without a CSRF field")
	}
	rest := body[i+len(marker):]
	field := string(rest[:bytes.IndexByte(rest, '"')])
	form := url.Values{"username": {user}, "password": {pass}, "csrf": {field}}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("sign in: %w", &statusError{resp.StatusCode, string(b)})
	}
	return &trainer{base: base, hc: hc}, nil
}

// officerPage GETs an officer's dashboard page (which the server audits).
func (t *trainer) officerPage(ctx context.Context, officerID string) error {
	_, err := get(ctx, t.hc, t.base+"/dashboard/officers/"+officerID)
	return err
}

func get(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{resp.StatusCode, string(b)}
	}
	return b, nil
}
