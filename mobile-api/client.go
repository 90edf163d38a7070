package mobileapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
)

// maxAnswerBytes bounds what the device reads from one answer (a pull page of
// 1000 changes with leaflet content fits many times over).
const maxAnswerBytes = 64 << 20

// request is one call of the device API.
type request struct {
	what       string // "pairing", "push", "pull": names the call in messages
	method     string
	url        string
	credential string // bearer credential, "" for pairing
	body       []byte
}

// apiError is a 4xx answer. It is never retried.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Attempts is how many times the request was sent: after a lost answer, a
	// refusal may be the server's reaction to the request's own first copy.
	Attempts int
}

func (e *apiError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

// fatalError is an answer that retrying will not change: not Doorstep's API, a
// redirect, an oversized body.
type fatalError struct{ msg string }

func (e *fatalError) Error() string { return e.msg }

// call runs r, retrying network errors, timeouts and 5xx answers with capped
// exponential backoff and jitter, at most MaxAttempts times and never past ctx's
// deadline; it decodes a 2xx answer into out. A 4xx answer comes back at once as
// *apiError.
func (d *Device) call(ctx context.Context, r request, out any) error {
	host := hostOf(r.url)
	for attempt := 1; ; attempt++ {
		err := d.try(ctx, r, out)
		if err == nil {
			return nil
		}
		var ae *apiError
		var fe *fatalError
		if errors.As(err, &ae) {
			ae.Attempts = attempt
			return ae
		}
		if errors.As(err, &fe) {
			return doorstep.Errorf(doorstep.EINVALID, "%s with %s failed: %s", r.what, host, fe.msg)
		}
		if cerr := ctx.Err(); cerr != nil {
			return stopped(ctx, r.what, err)
		}
		if attempt >= d.opts.MaxAttempts {
			return doorstep.Errorf(doorstep.EUNAVAILABLE, "%s with %s failed after %d attempts: %v", r.what, host, attempt, err)
		}
		wait := backoff(attempt, millis(d.opts.InitialBackoffMillis), millis(d.opts.MaxBackoffMillis))
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return doorstep.Errorf(doorstep.EUNAVAILABLE, "%s with %s failed after %d attempts (out of time to retry): %v", r.what, host, attempt, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return stopped(ctx, r.what, err)
		case <-t.C:
		}
	}
}

// stopped explains why a call ended with its context.
func stopped(ctx context.Context, what string, last error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return doorstep.Errorf(doorstep.EUNAVAILABLE, "%s ran out of time: %v", what, last)
	}
	return doorstep.Errorf(doorstep.EUNAVAILABLE, "%s cancelled", what)
}

// backoff is the wait before retry number attempt (1 for the first retry):
// initial doubled per attempt, capped at max, half of it random ("equal jitter")
// so that devices coming back online together spread out.
func backoff(attempt int, initial, max time.Duration) time.Duration {
	b := initial
	for i := 1; i < attempt && b < max; i++ {
		b *= 2
	}
	if b > max || b <= 0 {
		b = max
	}
	half := b / 2
	return half + rand.N(b-half+1)
}

// try runs r once, within the per-request timeout.
func (d *Device) try(ctx context.Context, r request, out any) error {
	limit := millis(d.opts.RequestTimeoutMillis)
	rctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(rctx, r.method, r.url, body)
	if err != nil {
		return &fatalError{msg: fmt.Sprintf("bad request: %v", err)}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "doorstep-device/1")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.credential != "" {
		req.Header.Set("Authorization", "Bearer "+r.credential)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return netError(ctx, rctx, limit, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return netError(ctx, rctx, limit, err)
	}
	if len(data) > maxAnswerBytes {
		return &fatalError{msg: fmt.Sprintf("the answer is larger than %d bytes", maxAnswerBytes)}
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		if err := json.Unmarshal(data, out); err != nil {
			return &fatalError{msg: fmt.Sprintf("the server's answer is not Doorstep's API (HTTP %d, %s): is the server URL right?", s, resp.Header.Get("Content-Type"))}
		}
		return nil
	case s >= 400 && s < 500:
		ae := &apiError{Status: s}
		var er dsync.ErrorResponse
		if json.Unmarshal(data, &er) == nil {
			ae.Code, ae.Message = er.Error.Code, er.Error.Message
		}
		if ae.Message == "" {
			ae.Message = http.StatusText(s)
		}
		return ae
	case s >= 500:
		msg := http.StatusText(s)
		var er dsync.ErrorResponse
		if json.Unmarshal(data, &er) == nil && er.Error.Message != "" {
			msg = er.Error.Message
		}
		return fmt.Errorf("the server answered HTTP %d (%s)", s, msg)
	case s >= 300 && s < 400:
		return &fatalError{msg: fmt.Sprintf("the server redirects to %q (HTTP %d): pair with the server's own URL", resp.Header.Get("Location"), s)}
	default:
		return &fatalError{msg: fmt.Sprintf("unexpected HTTP %d", s)}
	}
}

// netError names a transport failure: a timeout of this request, or the cause.
func netError(ctx, rctx context.Context, limit time.Duration, err error) error {
	if ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %v", limit)
	}
	var ne *net.OpError
	if errors.As(err, &ne) && ne.Err != nil {
		return fmt.Errorf("network error: %v", ne.Err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("network error: %v", err)
}

// hostOf is the host of u for messages (never the path, which could hold a token).
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "the server"
	}
	return p.Host
}

// checkServerURL normalises a server or public URL: http or https, a host, no
// query or fragment, no trailing slash.
func checkServerURL(what, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", doorstep.Errorf(doorstep.EINVALID, "%s %q is not an http(s) URL such as https://doorstep.example.org", what, raw)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}
