package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/doorstep-project/doorstep/leaflet"
	dsync "github.com/doorstep-project/doorstep/sync"
)

const adminUsage = `Usage: doorstep admin [--server URL] [--token T] COMMAND [flags]

Calls the admin API of a Doorstep server and prints its JSON answer.
--server (DOORSTEP_SERVER) is the server's URL; --token (DOORSTEP_ADMIN_TOKEN)
the admin token. Both may also follow the command.

Commands:
  officer add --collar C --name N --borough B [--team T]
  officers                          list officers
  pairing-code --officer ID         a single-use code to pair one of the officer's devices
  devices --officer ID              the officer's devices
  device revoke ID                  the device can no longer sync
  summary --officer ID              codes issued, responses, ratings
  account add --username U --role admin|trainer
                                    a dashboard account; the password is read from stdin
  audit [--limit N]                 who viewed which officer's feedback
  content list                      the leaflet content in force, per language
  content publish --file F          publish a new version of one language's content
                                    (JSON as in leaflet/content/; "-" reads stdin)
`

// adminClient calls the admin API.
type adminClient struct {
	server, token string
	http          *http.Client
}

// runAdmin runs "doorstep admin ...".
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("admin", stderr, adminUsage, "")
	serverURL := fs.String("server", "", "server `URL`")
	token := fs.String("token", "", "admin `TOKEN`")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return usagef("admin: no command given")
	}
	name := rest[0]
	rest = rest[1:]
	if (name == "officer" || name == "account" || name == "device" || name == "content") && len(rest) > 0 {
		name += " " + rest[0]
		rest = rest[1:]
	}
	sub := newFlagSet("admin "+name, stderr, adminUsage, "")
	sub.StringVar(serverURL, "server", *serverURL, "server `URL`")
	sub.StringVar(token, "token", *token, "admin `TOKEN`")
	build, err := adminCommand(name, sub)
	if err != nil {
		fmt.Fprint(stderr, adminUsage)
		return err
	}
	if help, err := parseFlags(sub, rest, func(string) string { return "" }); help || err != nil {
		return err
	}
	method, path, body, err := build(stdin, sub.Args())
	if err != nil {
		return err
	}
	c, err := newAdminClient(*serverURL, *token, 30*time.Second)
	if err != nil {
		return err
	}
	out, err := c.call(ctx, method, path, body)
	if err != nil {
		return fmt.Errorf("admin %s: %w", name, err)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(out)
	}
	pretty.WriteByte('\n')
	_, err = stdout.Write(pretty.Bytes())
	return err
}

// adminCommand declares the flags of command name on fs and returns how to
// build its request once they are parsed.
func adminCommand(name string, fs *flag.FlagSet) (func(stdin io.Reader, args []string) (string, string, any, error), error) {
	noArgs := func(args []string) error {
		if len(args) > 0 {
			return usagef("admin %s: unexpected argument %q", name, args[0])
		}
		return nil
	}
	need := func(flagName, v string) error {
		if strings.TrimSpace(v) == "" {
			return usagef("admin %s: --%s is required", name, flagName)
		}
		return nil
	}
	switch name {
	case "officer add":
		collar := fs.String("collar", "", "collar `NUMBER`")
		full := fs.String("name", "", "officer's `NAME`")
		borough := fs.String("borough", "", "`BOROUGH`")
		team := fs.String("team", "", "`TEAM`")
		return func(_ io.Reader, args []string) (string, string, any, error) {
			if err := errors.Join(noArgs(args), need("collar", *collar), need("name", *full), need("borough", *borough)); err != nil {
				return "", "", nil, firstUsage(err)
			}
			return "POST", "/api/v1/admin/officers", map[string]string{"collar_number": *collar, "name": *full, "borough": *borough, "team": *team}, nil
		}, nil
	case "officers":
		return func(_ io.Reader, args []string) (string, string, any, error) {
			return "GET", "/api/v1/admin/officers", nil, noArgs(args)
		}, nil
	case "pairing-code", "devices", "summary":
		officer := fs.String("officer", "", "officer `ID`")
		return func(_ io.Reader, args []string) (string, string, any, error) {
			if err := errors.Join(noArgs(args), need("officer", *officer)); err != nil {
				return "", "", nil, firstUsage(err)
			}
			switch name {
			case "pairing-code":
				return "POST", "/api/v1/admin/pairing-codes", map[string]string{"officer_id": *officer}, nil
			case "devices":
				return "GET", "/api/v1/admin/officers/" + url.PathEscape(*officer) + "/devices", nil, nil
			}
			return "GET", "/api/v1/admin/officers/" + url.PathEscape(*officer) + "/summary", nil, nil
		}, nil
	case "device revoke":
		return func(_ io.Reader, args []string) (string, string, any, error) {
			if len(args) != 1 {
				return "", "", nil, usagef("admin device revoke: give one device ID")
			}
			return "POST", "/api/v1/admin/devices/" + url.PathEscape(args[0]) + "/revoke", nil, nil
		}, nil
	case "account add":
		user := fs.String("username", "", "`USERNAME`")
		role := fs.String("role", "", "`ROLE`: admin or trainer")
		return func(stdin io.Reader, args []string) (string, string, any, error) {
			if err := errors.Join(noArgs(args), need("username", *user), need("role", *role)); err != nil {
				return "", "", nil, firstUsage(err)
			}
			pass, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return "", "", nil, fmt.Errorf("admin account add: reading the password from stdin: %w", err)
			}
			pass = strings.TrimRight(pass, "\r\n")
			if pass == "" {
				return "", "", nil, usagef("admin account add: give the password on stdin (echo \"$PASSWORD\" | doorstep admin account add ...)")
			}
			return "POST", "/api/v1/admin/accounts", map[string]string{"username": *user, "password": pass, "role": *role}, nil
		}, nil
	case "content list":
		return func(_ io.Reader, args []string) (string, string, any, error) {
			return "GET", "/api/v1/admin/content", nil, noArgs(args)
		}, nil
	case "content publish":
		file := fs.String("file", "", "content `FILE` (- for stdin)")
		return func(stdin io.Reader, args []string) (string, string, any, error) {
			if err := errors.Join(noArgs(args), need("file", *file)); err != nil {
				return "", "", nil, firstUsage(err)
			}
			r := stdin
			if *file != "-" {
				f, err := os.Open(*file)
				if err != nil {
					return "", "", nil, fmt.Errorf("admin content publish: %w", err)
				}
				defer f.Close()
				r = f
			}
			body, err := io.ReadAll(io.LimitReader(r, leaflet.MaxContentSize+1))
			if err != nil {
				return "", "", nil, fmt.Errorf("admin content publish: reading %s: %w", *file, err)
			}
			if !json.Valid(body) {
				return "", "", nil, fmt.Errorf("admin content publish: %s is not JSON", *file)
			}
			return "POST", "/api/v1/admin/content", json.RawMessage(body), nil
		}, nil
	case "audit":
		limit := fs.Int("limit", 100, "at most `N` entries")
		return func(_ io.Reader, args []string) (string, string, any, error) {
			return "GET", fmt.Sprintf("/api/v1/admin/audit?limit=%d", *limit), nil, noArgs(args)
		}, nil
	}
	return nil, usagef("admin: unknown command %q", name)
}

// firstUsage returns the first error joined by errors.Join.
func firstUsage(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[0]
	}
	return err
}

// newAdminClient checks the server URL and token. timeout 0 means none (a
// backup may stream for long; its context bounds it).
func newAdminClient(serverURL, token string, timeout time.Duration) (*adminClient, error) {
	if serverURL == "" {
		return nil, usagef("--server URL (or DOORSTEP_SERVER) is required")
	}
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--server %q is not an http(s) URL", serverURL)
	}
	if token == "" {
		return nil, usagef("--token (or DOORSTEP_ADMIN_TOKEN) is required")
	}
	return &adminClient{server: strings.TrimRight(serverURL, "/"), token: token, http: &http.Client{Timeout: timeout}}, nil
}

// request sends one request and returns the response when it is 2xx; any
// other status becomes the server's error message.
func (c *adminClient) request(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("no answer from %s: %v", c.server, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var er dsync.ErrorResponse
	if json.Unmarshal(data, &er) == nil && er.Error.Message != "" {
		return nil, fmt.Errorf("%s (HTTP %d)", er.Error.Message, resp.StatusCode)
	}
	return nil, fmt.Errorf("the server answered HTTP %d: is %s a Doorstep server?", resp.StatusCode, c.server)
}

// call sends one request and returns the whole 2xx body.
func (c *adminClient) call(ctx context.Context, method, path string, body any) ([]byte, error) {
	resp, err := c.request(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	return data, nil
}
