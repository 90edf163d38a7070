package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

const dashPassword = "correct horse battery staple"

// account creates a dashboard account through the admin API.
func (e *env) account(username, role string) {
	e.t.Helper()
	e.admin("POST", "/api/v1/admin/accounts", fmt.Sprintf(`{"username":%q,"password":%q,"role":%q}`, username, dashPassword, role), http.StatusCreated, nil)
}

// user is a browser: its cookies, kept by name.
type user struct {
	e       *env
	cookies map[string]*http.Cookie
}

func (e *env) user() *user { return &user{e: e, cookies: map[string]*http.Cookie{}} }

func (u *user) keep(rec *httptest.ResponseRecorder) {
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(u.cookies, c.Name)
		} else {
			u.cookies[c.Name] = c
		}
	}
}

func (u *user) do(method, target string, values url.Values, header http.Header) *httptest.ResponseRecorder {
	u.e.t.Helper()
	var body io.Reader
	if values != nil {
		body = strings.NewReader(values.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if values != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	for _, c := range u.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	u.e.srv.ServeHTTP(rec, req)
	u.keep(rec)
	return rec
}

func (u *user) get(target string) *httptest.ResponseRecorder { return u.do("GET", target, nil, nil) }

// csrfOf is the CSRF field of the first form on a page.
func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field on the page:\n%.2000s", body)
	}
	return html.UnescapeString(m[1])
}

// login signs in through the form and returns the response to the POST.
func (u *user) login(name, password string) *httptest.ResponseRecorder {
	u.e.t.Helper()
	page := u.get("/login")
	if page.Code != http.StatusOK {
		u.e.t.Fatalf("GET /login -> %d", page.Code)
	}
	return u.do("POST", "/login", url.Values{"csrf": {csrfOf(u.e.t, page.Body.String())}, "username": {name}, "password": {password}}, nil)
}

// signedIn is a user signed in as a new account with the role.
func (e *env) signedIn(name, role string) *user {
	e.t.Helper()
	e.account(name, role)
	u := e.user()
	if rec := u.login(name, dashPassword); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dashboard" {
		e.t.Fatalf("sign-in -> %d %q: %.500s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	return u
}

func wantDashPage(t *testing.T, rec *httptest.ResponseRecorder, status int, says ...string) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %.1500s", rec.Code, status, rec.Body)
	}
	body := rec.Body.String()
	for _, s := range says {
		if !strings.Contains(body, s) {
			t.Fatalf("page lacks %q:\n%s", s, body)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Fatal("dashboard page has script or inline style")
	}
	if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatal("no CSP")
	}
	return body
}

func TestDashboardSignInTable(t *testing.T) {
	e := newEnv(t)
	e.account("trainer1", doorstep.RoleTrainer)
	anon := e.user()
	for _, path := range []string{"/dashboard", "/dashboard/officers/0192b3c4-0000-7000-8000-000000000000", "/dashboard/export.csv?min_rating=1"} {
		rec := anon.get(path)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Fatalf("anonymous GET %s -> %d %q, want 303 to the sign-in page", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	if rec := anon.do("POST", "/dashboard/feedback/1-1/review", url.Values{"reviewed": {"1"}}, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("anonymous POST -> %d, want 303", rec.Code)
	}

	cases := []struct {
		name           string
		user, password string
		csrf           string // "" takes the page's
		want           int
	}{
		{"wrong password", "trainer1", "not the password", "", http.StatusUnauthorized},
		{"unknown user", "nobody", dashPassword, "", http.StatusUnauthorized},
		{"forged csrf", "trainer1", dashPassword, "forged", http.StatusForbidden},
		{"no csrf", "trainer1", dashPassword, "-", http.StatusForbidden},
		{"good", "trainer1", dashPassword, "", http.StatusSeeOther},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := e.user()
			page := u.get("/login?next=%2Fdashboard%3Fborough%3DHackney")
			wantDashPage(t, page, http.StatusOK, `<html lang="en-GB"`, `name="username"`, `name="password"`, `autocomplete="current-password"`)
			csrf := csrfOf(t, page.Body.String())
			switch c.csrf {
			case "-":
				csrf = ""
			case "":
			default:
				csrf = c.csrf
			}
			rec := u.do("POST", "/login", url.Values{"csrf": {csrf}, "username": {c.user}, "password": {c.password}, "next": {"/dashboard?borough=Hackney"}}, nil)
			if rec.Code != c.want {
				t.Fatalf("POST /login -> %d, want %d: %.500s", rec.Code, c.want, rec.Body)
			}
			sess := u.cookies["doorstep_session"]
			if c.want != http.StatusSeeOther {
				if sess != nil {
					t.Fatal("a refused sign-in set a session cookie")
				}
				if u.get("/dashboard").Code != http.StatusSeeOther {
					t.Fatal("a refused sign-in opened the dashboard")
				}
				return
			}
			if rec.Header().Get("Location") != "/dashboard?borough=Hackney" {
				t.Fatalf("sign-in redirects to %q", rec.Header().Get("Location"))
			}
			if sess == nil || !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || len(sess.Value) != 43 {
				t.Fatalf("session cookie %+v: want HttpOnly, Secure (https public URL), SameSite=Lax, 256-bit value", sess)
			}
			body := wantDashPage(t, u.get("/dashboard"), http.StatusOK, "Force overview", "Signed in as trainer1")
			if rec := u.do("POST", "/logout", url.Values{"csrf": {"wrong"}}, nil); rec.Code != http.StatusForbidden {
				t.Fatalf("logout with a wrong CSRF token -> %d, want 403", rec.Code)
			}
			old := *sess
			rec = u.do("POST", "/logout", url.Values{"csrf": {csrfOf(t, body)}}, nil)
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" || u.cookies["doorstep_session"] != nil {
				t.Fatalf("logout -> %d %q, cookie %v", rec.Code, rec.Header().Get("Location"), u.cookies["doorstep_session"])
			}
			u.cookies["doorstep_session"] = &old // a copied cookie is dead after logout
			if rec := u.get("/dashboard"); rec.Code != http.StatusSeeOther {
				t.Fatalf("the old session cookie still opens the dashboard: %d", rec.Code)
			}
		})
	}
	// An open redirect is refused: next stays on the dashboard.
	u := e.user()
	page := u.get("/login")
	rec := u.do("POST", "/login", url.Values{"csrf": {csrfOf(t, page.Body.String())}, "username": {"trainer1"}, "password": {dashPassword}, "next": {"//evil.example/x"}}, nil)
	if rec.Header().Get("Location") != "/dashboard" {
		t.Fatalf("next=//evil.example redirected to %q", rec.Header().Get("Location"))
	}
}

func TestDashboardLockout(t *testing.T) {
	e := newEnv(t)
	e.account("trainer1", doorstep.RoleTrainer)
	u := e.user()
	for i := 0; i < 5; i++ {
		if rec := u.login("trainer1", "wrong password "+strconv.Itoa(i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d -> %d, want 401", i+1, rec.Code)
		}
	}
	rec := u.login("trainer1", dashPassword)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("right password after 5 failures -> %d, want 429 with Retry-After", rec.Code)
	}
	wantDashPage(t, rec, http.StatusTooManyRequests, "Too many failed sign-ins")
	// another username from the same address is not locked yet
	e.account("trainer2", doorstep.RoleTrainer)
	if rec := e.user().login("trainer2", dashPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("another account -> %d", rec.Code)
	}
	e.clock.Set(t0().Add(31 * time.Second))
	if rec := u.login("trainer1", dashPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("after the lock -> %d, want 303", rec.Code)
	}
	u = e.user()
	// five failures lock it again for 30 s; one more after that doubles the lock
	e.clock.Set(t0().Add(40 * time.Second))
	for i := 0; i < 5; i++ {
		u.login("trainer1", "wrong")
	}
	e.clock.Set(t0().Add(71 * time.Second))
	if rec := u.login("trainer1", "wrong again"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("after the 30 s lock -> %d, want 401 (checked)", rec.Code)
	}
	e.clock.Set(t0().Add(71*time.Second + 45*time.Second))
	if rec := u.login("trainer1", dashPassword); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("45 s into a 60 s lock -> %d, want 429", rec.Code)
	}
	e.clock.Set(t0().Add(71*time.Second + 61*time.Second))
	if rec := u.login("trainer1", dashPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("after the 60 s lock -> %d, want 303", rec.Code)
	}
	// per address: 20 failures over many usernames lock the address
	e2 := newEnv(t)
	e2.account("trainer9", doorstep.RoleTrainer)
	v := e2.user()
	for i := 0; i < 20; i++ {
		v.login("guess"+strconv.Itoa(i), "wrong")
	}
	if rec := v.login("trainer9", dashPassword); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one address -> %d, want 429", rec.Code)
	}
}

func TestDashboardTrainerSessionRefusedOnAdminAPI(t *testing.T) {
	e := newEnv(t)
	trainer := e.signedIn("trainer1", doorstep.RoleTrainer)
	admin := e.signedIn("admin1", doorstep.RoleAdmin)
	body := `{"collar_number":"9999","name":"New Officer","borough":"Camden"}`
	json := http.Header{"Content-Type": {"application/json"}}
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/admin/audit", ""},
		{"GET", "/api/v1/admin/officers", ""},
		{"POST", "/api/v1/admin/officers", body},
		{"POST", "/api/v1/admin/accounts", `{"username":"mallory","password":"0123456789abcdef","role":"admin"}`},
		{"GET", "/api/v1/admin/backup", ""},
	} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		req.Header = json.Clone()
		req.AddCookie(trainer.cookies["doorstep_session"])
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		apiErr(t, rec, http.StatusForbidden, doorstep.EFORBIDDEN)
	}
	if rec := admin.do("GET", "/api/v1/admin/audit", nil, nil); rec.Code != http.StatusOK {
		t.Fatalf("admin session GET audit -> %d", rec.Code)
	}
	req := func(h http.Header) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/api/v1/admin/officers", strings.NewReader(body))
		r.Header = h
		r.AddCookie(admin.cookies["doorstep_session"])
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, r)
		return rec
	}
	apiErr(t, req(json.Clone()), http.StatusForbidden, doorstep.EFORBIDDEN) // no CSRF header
	page := admin.get("/dashboard")
	h := json.Clone()
	h.Set("X-CSRF-Token", csrfOf(t, page.Body.String()))
	if rec := req(h); rec.Code != http.StatusCreated {
		t.Fatalf("admin session POST with its CSRF token -> %d: %s", rec.Code, rec.Body)
	}
}

// dashSeed is a small force: two boroughs, three teams, five officers with
// real issues pushed by paired devices and feedback submitted to the store.
type dashSeed struct {
	officers map[string]*doorstep.Officer // by collar number
}

func (e *env) dashSeed() *dashSeed {
	e.t.Helper()
	ctx := context.Background()
	s := &dashSeed{officers: map[string]*doorstep.Officer{}}
	type plan struct {
		collar, name, borough, team string
		issued                      int
		ratings                     []int
		unlinked                    int // answered codes beyond issued, not synced
	}
	rep := func(r, n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = r
		}
		return out
	}
	plans := []plan{
		{"1001", "Ada Star", "Hackney", "Response 1", 25, rep(5, 20), 2}, // shortlisted
		{"1002", "Ben Few", "Hackney", "Response 1", 5, rep(5, 3), 0},    // too few
		{"1003", "Cy Low", "Hackney", "Response 2", 14, rep(1, 11), 1},   // training need
		{"1004", "Di Mixed", "Camden", "Neighbourhood", 10, []int{3, 4, 2, 5, 4}, 0},
		{"1005", "Ed None", "Camden", "", 0, nil, 0},
	}
	for _, p := range plans {
		o := &doorstep.Officer{CollarNumber: p.collar, Name: p.name, Borough: p.borough, Team: p.team}
		if err := e.store.CreateOfficer(ctx, o); err != nil {
			e.t.Fatal(err)
		}
		s.officers[p.collar] = o
		if p.issued == 0 && len(p.ratings) == 0 {
			continue
		}
		dev := e.pair(o)
		var muts []doorstep.Mutation
		for i := 0; i < p.issued; i++ {
			text, tok := e.sign(dev, uint32(i+1), t0().Add(-time.Duration(i)*24*time.Hour))
			muts = append(muts, issueMutation(dev, uint64(i+1), text, tok))
		}
		if rec := e.push(dev, muts...); rec.Code != http.StatusOK {
			e.t.Fatalf("push -> %d: %s", rec.Code, rec.Body)
		}
		for i, r := range append(p.ratings, rep(4, p.unlinked)...) {
			ctr := uint32(i + 1)
			if i >= len(p.ratings) {
				ctr = uint32(p.issued + i - len(p.ratings) + 1) // never pushed
			}
			fb := &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: dev.resp.DeviceID, Counter: ctr}, Rating: r,
				Respect: doorstep.AnswerYes, Comment: fmt.Sprintf("%s feedback %d rated %d", p.name, i, r),
				IssuedAt: t0().Add(-time.Duration(i) * 24 * time.Hour), ReceivedAt: t0().Add(-time.Duration(i)*24*time.Hour + time.Hour)}
			if err := e.store.SubmitFeedback(ctx, fb); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	return s
}

// figure finds the figure shown after a <dt> label.
func figure(t *testing.T, body, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<dt>` + regexp.QuoteMeta(label) + `</dt><dd>([^<]*)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %q figure on the page", label)
	}
	return strings.TrimSpace(m[1])
}

func wantFigures(t *testing.T, body string, st doorstep.Stats) {
	t.Helper()
	if got, want := figure(t, body, "Responses"), strconv.Itoa(st.Responses); got != want {
		t.Errorf("Responses shown %s, store says %s", got, want)
	}
	if got, want := figure(t, body, "Codes issued"), strconv.Itoa(st.Issued+st.Unlinked); got != want {
		t.Errorf("Codes issued shown %s, store says %s", got, want)
	}
	if st.Responses > 0 {
		if got, want := figure(t, body, "Mean rating"), strconv.FormatFloat(*st.Mean(), 'f', 2, 64); got != want {
			t.Errorf("Mean rating shown %s, store says %s", got, want)
		}
	}
	if r := st.ResponseRate(); r != nil {
		if got, want := figure(t, body, "Response rate"), strconv.FormatFloat(*r*100, 'f', 1, 64)+"%"; got != want {
			t.Errorf("Response rate shown %s, store says %s", got, want)
		}
	}
	for i, n := range st.Ratings {
		if !strings.Contains(body, fmt.Sprintf(`<th scope="row">%d star</th><td>%d</td>`, i+1, n)) {
			t.Errorf("distribution table lacks %d star: %d", i+1, n)
		}
	}
}

func TestDashboardFiguresMatchStoreAndAreAudited(t *testing.T) {
	e := newEnv(t)
	seed := e.dashSeed()
	u := e.signedIn("trainer1", doorstep.RoleTrainer)
	ctx := context.Background()

	force, err := e.store.ScopeStats(ctx, doorstep.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if force.Responses != 20+3+11+5+2+1 || force.Issued != 25+5+14+10 || force.Unlinked != 3 {
		t.Fatalf("force stats %+v", force)
	}
	body := wantDashPage(t, u.get("/dashboard"), http.StatusOK, "Force overview", "<svg", "<title id=\"dist-title\">", "<desc", "Boroughs", "Hackney", "Camden",
		"Recognition shortlist", "1001 Ada Star", "Likely training needs", "1003 Cy Low", "Low-rating alerts")
	wantFigures(t, body, force)
	if strings.Contains(body[strings.Index(body, "Recognition shortlist"):strings.Index(body, "Likely training needs")], "Ben Few") {
		t.Fatal("an officer with 3 responses is on the shortlist")
	}

	hackney, _ := e.store.ScopeStats(ctx, doorstep.Scope{Borough: "Hackney"})
	body = wantDashPage(t, u.get("/dashboard?borough=Hackney"), http.StatusOK, "Borough Hackney", "Teams in Hackney", "Response 1", "Response 2", "1002 Ben Few")
	wantFigures(t, body, hackney)
	team, _ := e.store.ScopeStats(ctx, doorstep.Scope{Borough: "Hackney", Team: "Response 1"})
	if team.Responses != 20+3+2 {
		t.Fatalf("team stats %+v", team)
	}
	body = wantDashPage(t, u.get("/dashboard?borough=Hackney&team=Response+1"), http.StatusOK, "Team Response 1, Hackney", "1001 Ada Star", "1002 Ben Few")
	wantFigures(t, body, team)
	if strings.Contains(body, "Cy Low feedback") {
		t.Fatal("a team page shows another team's comments")
	}

	ada := seed.officers["1001"]
	st, _ := e.store.ScopeStats(ctx, doorstep.Scope{OfficerID: ada.ID})
	body = wantDashPage(t, u.get("/dashboard/officers/"+ada.ID), http.StatusOK, "1001 Ada Star", "Collar number 1001", "On the recognition shortlist", "Ada Star feedback 0 rated 5", "Treated with respect?")
	wantFigures(t, body, st)
	if st.Unlinked != 2 || st.Issued != 25 || *st.ResponseRate() != 22.0/27.0 {
		t.Fatalf("Ada's stats %+v", st)
	}
	// newest first
	if strings.Index(body, "Ada Star feedback 0 rated") > strings.Index(body, "Ada Star feedback 5 rated") {
		t.Fatal("comments are not newest first")
	}
	ed := seed.officers["1005"]
	body = wantDashPage(t, u.get("/dashboard/officers/"+ed.ID), http.StatusOK, "no codes issued yet", "no responses yet", "No feedback matches")

	if rec := u.get("/dashboard/officers/0192b3c4-0000-7000-8000-000000000000"); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown officer -> %d", rec.Code)
	}
	var audit []doorstep.AuditEntry
	e.admin("GET", "/api/v1/admin/audit", "", http.StatusOK, &audit)
	views := map[string]int{}
	for _, a := range audit {
		if a.Actor != "trainer1" {
			t.Fatalf("audit entry by %q", a.Actor)
		}
		views[a.Action+" "+a.OfficerID+" "+a.Detail]++
	}
	if views["view_officer "+ada.ID+" dashboard"] != 1 || views["view_officer "+ed.ID+" dashboard"] != 1 || views["view_scope  force"] != 1 || views["view_scope  borough Hackney"] != 1 {
		t.Fatalf("audit holds %v", views)
	}
}

func TestDashboardFilters(t *testing.T) {
	e := newEnv(t)
	seed := e.dashSeed()
	u := e.signedIn("trainer1", doorstep.RoleTrainer)
	di := seed.officers["1004"] // ratings 3,4,2,5,4 on days 0..-4
	comments := func(body string) string { return body[strings.Index(body, `id="comments-heading"`):] }
	body := comments(wantDashPage(t, u.get("/dashboard/officers/"+di.ID+"?min_rating=4"), http.StatusOK, "Clear filter"))
	for i, r := range []int{3, 4, 2, 5, 4} {
		has := strings.Contains(body, fmt.Sprintf("Di Mixed feedback %d rated %d", i, r))
		if has != (r >= 4) {
			t.Fatalf("min_rating=4: feedback rated %d shown %v", r, has)
		}
	}
	body = comments(wantDashPage(t, u.get("/dashboard/officers/"+di.ID+"?max_rating=3&min_rating=2"), http.StatusOK))
	if !strings.Contains(body, "rated 3") || !strings.Contains(body, "rated 2") || strings.Contains(body, "Di Mixed feedback 1 rated 4") {
		t.Fatal("rating range 2–3 filter")
	}
	// received 20 Nov 11:30 (i=1) and 19 Nov (i=2) only
	body = comments(wantDashPage(t, u.get("/dashboard/officers/"+di.ID+"?from=2026-11-19&to=2026-11-20"), http.StatusOK))
	for i, want := range []bool{false, true, true, false, false} {
		if has := strings.Contains(body, fmt.Sprintf("Di Mixed feedback %d ", i)); has != want {
			t.Fatalf("date filter: feedback %d shown %v, want %v", i, has, want)
		}
	}
	// scope filter on the overview
	body = comments(wantDashPage(t, u.get("/dashboard?borough=Camden&max_rating=2"), http.StatusOK))
	if !strings.Contains(body, "Di Mixed feedback 2 rated 2") || strings.Contains(body, "Cy Low feedback") {
		t.Fatal("borough + rating filter")
	}
	for _, bad := range []string{"?min_rating=6", "?min_rating=x", "?from=2026-13-01", "?min_rating=4&max_rating=2", "?from=2026-11-20&to=2026-11-01", "?team=A"} {
		if rec := u.get("/dashboard" + bad); rec.Code != http.StatusBadRequest {
			t.Fatalf("GET /dashboard%s -> %d, want 400", bad, rec.Code)
		}
	}
}

func TestDashboardFlagsAlertsReview(t *testing.T) {
	e := newEnv(t)
	seed := e.dashSeed()
	u := e.signedIn("trainer1", doorstep.RoleTrainer)
	ctx := context.Background()
	cy := seed.officers["1003"]
	alerts, err := e.store.Alerts(ctx, doorstep.Scope{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 11+1 { // Cy's eleven 1s and Di's 2
		t.Fatalf("%d alerts", len(alerts))
	}
	page := u.get("/dashboard/officers/" + cy.ID)
	body := wantDashPage(t, page, http.StatusOK, "Likely training need", "Low-rating alerts", "Mark reviewed")
	csrf := csrfOf(t, body)
	ref := fmt.Sprintf("%d-%d", alerts[0].Token.DeviceID, alerts[0].Token.Counter)

	// forged CSRF changes nothing
	if rec := u.do("POST", "/dashboard/feedback/"+ref+"/review", url.Values{"csrf": {"x"}, "reviewed": {"1"}}, nil); rec.Code != http.StatusForbidden {
		t.Fatalf("review with a forged token -> %d", rec.Code)
	}
	self := "/dashboard/officers/" + cy.ID
	rec := u.do("POST", "/dashboard/feedback/"+ref+"/review", url.Values{"csrf": {csrf}, "reviewed": {"1"}, "return": {self}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != self+"#c-"+ref {
		t.Fatalf("review -> %d %q", rec.Code, rec.Header().Get("Location"))
	}
	fb, _ := e.store.FeedbackFor(ctx, alerts[0].Token)
	if !fb.Reviewed {
		t.Fatal("feedback not marked reviewed")
	}
	after, _ := e.store.Alerts(ctx, doorstep.Scope{OfficerID: cy.ID}, 0)
	if len(after) != 10 {
		t.Fatalf("%d alerts after a review, want 10", len(after))
	}
	body = wantDashPage(t, u.get(self), http.StatusOK, "<strong>reviewed</strong>", "Mark not reviewed")

	// flag the officer and one feedback
	for _, v := range []url.Values{
		{"csrf": {csrf}, "kind": {"coaching"}, "note": {"Book onto the victim care refresher.\nSecond line."}, "return": {self}},
		{"csrf": {csrf}, "kind": {"recognition"}, "note": {"Handled a hard call well"}, "feedback": {ref}, "return": {self}},
	} {
		e.clock.Set(e.clock.Now().Add(time.Minute))
		if rec := u.do("POST", "/dashboard/officers/"+cy.ID+"/flags", v, nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("flag -> %d: %s", rec.Code, rec.Body)
		}
	}
	if rec := u.do("POST", "/dashboard/officers/"+cy.ID+"/flags", url.Values{"csrf": {csrf}, "kind": {"praise"}}, nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("flag of an unknown kind -> %d", rec.Code)
	}
	other := seed.officers["1001"]
	if rec := u.do("POST", "/dashboard/officers/"+other.ID+"/flags", url.Values{"csrf": {csrf}, "kind": {"coaching"}, "feedback": {ref}}, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("flagging another officer's feedback -> %d, want 404", rec.Code)
	}
	flags, _ := e.store.Flags(ctx, cy.ID, 0)
	if len(flags) != 2 || flags[0].Kind != doorstep.FlagRecognition || flags[0].Feedback == nil || flags[1].By != "trainer1" {
		t.Fatalf("flags %+v", flags)
	}
	body = wantDashPage(t, u.get(self), http.StatusOK, "Coaching", "Book onto the victim care refresher.", "Recognition", "Handled a hard call well", "(feedback <a href=\"#c-"+ref+"\">")
	m := regexp.MustCompile(`action="(/dashboard/flags/[^"]+/delete)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no remove button")
	}
	if rec := u.do("POST", m[1], url.Values{"csrf": {csrf}, "return": {self}}, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove flag -> %d", rec.Code)
	}
	if flags, _ := e.store.Flags(ctx, cy.ID, 0); len(flags) != 1 {
		t.Fatalf("%d flags after removing one", len(flags))
	}
	wantDashPage(t, u.get("/dashboard?borough=Hackney"), http.StatusOK, "Recent flags", "1003 Cy Low", "Book onto the victim care refresher.")
	if body := u.get("/dashboard?borough=Camden").Body.String(); strings.Contains(body, "Book onto") {
		t.Fatal("Camden's overview lists a Hackney officer's flag")
	}
}

func TestDashboardExportCSV(t *testing.T) {
	e := newEnv(t)
	seed := e.dashSeed()
	ctx := context.Background()
	di := seed.officers["1004"]
	dev := e.pair(di)
	tricky := []string{
		"=HYPERLINK(\"http://evil.example\",\"click\")",
		"Polite, calm and \"kind\",\nexplained everything;\r\nthank you — Zażółć ✓",
		"+44 20 7946 0000", "-1", "@SUM(A1)", "\tTabbed",
	}
	for i, c := range tricky {
		text, tok := e.sign(dev, uint32(i+1), t0())
		if rec := e.push(dev, issueMutation(dev, uint64(i+1), text, tok)); rec.Code != http.StatusOK {
			t.Fatal(rec.Body)
		}
		fb := &doorstep.Feedback{Token: tok.Ref, Rating: 5, Comment: c, Language: "pl", ReceivedAt: t0().Add(time.Duration(i+2) * time.Hour)}
		if err := e.store.SubmitFeedback(ctx, fb); err != nil {
			t.Fatal(err)
		}
	}
	u := e.signedIn("trainer1", doorstep.RoleTrainer)
	rec := u.get("/dashboard/export.csv?officer=" + di.ID)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv; charset=utf-8") || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("export -> %d %v", rec.Code, rec.Header())
	}
	raw := rec.Body.String()
	if !strings.Contains(raw, "\r\n") {
		t.Fatal("rows do not end in CRLF (RFC 4180)")
	}
	r := csv.NewReader(strings.NewReader(raw))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export does not parse as CSV: %v", err)
	}
	header := rows[0]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	if len(rows) != 1+5+len(tricky) {
		t.Fatalf("%d rows, want header + %d", len(rows), 5+len(tricky))
	}
	comments := map[string]bool{}
	for _, row := range rows[1:] {
		if row[col["officer_id"]] != di.ID || row[col["collar_number"]] != "1004" || row[col["officer_name"]] != "Di Mixed" {
			t.Fatalf("row %v", row)
		}
		comments[row[col["comment"]]] = true
	}
	// newest first
	if rows[1][col["comment"]] != "'\tTabbed" {
		t.Fatalf("first row comment %q, want the newest", rows[1][col["comment"]])
	}
	for _, want := range []string{
		"'=HYPERLINK(\"http://evil.example\",\"click\")",
		"Polite, calm and \"kind\",\nexplained everything;\nthank you — Zażółć ✓", // encoding/csv reads \r\n in a quoted field as \n
		"'+44 20 7946 0000", "'-1", "'@SUM(A1)", "'\tTabbed",
	} {
		if !comments[want] {
			t.Fatalf("export lacks comment %q; has %v", want, comments)
		}
	}
	for c := range comments {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Fatalf("a cell starts with a formula character: %q", c)
		}
	}
	// filters apply; scope exports audited
	rec = u.get("/dashboard/export.csv?max_rating=2")
	rows, err = csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+12 {
		t.Fatalf("force export of ratings ≤ 2: %d rows", len(rows))
	}
	for _, row := range rows[1:] {
		if n, _ := strconv.Atoi(row[col["rating"]]); n > 2 {
			t.Fatalf("filtered export holds rating %d", n)
		}
	}
	var audit []doorstep.AuditEntry
	e.admin("GET", "/api/v1/admin/audit", "", http.StatusOK, &audit)
	got := map[string]bool{}
	for _, a := range audit {
		got[a.Actor+" "+a.Action+" "+a.OfficerID+" "+a.Detail] = true
	}
	if !got["trainer1 export "+di.ID+" officer "+di.ID] || !got["trainer1 export  force; max_rating=2"] {
		b, _ := json.Marshal(audit)
		t.Fatalf("audit lacks the exports: %s", b)
	}
}
