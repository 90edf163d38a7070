package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

// The trainer dashboard: server-rendered pages for signed-in accounts
// (admins and trainers), working without script. Figures come from the
// store's aggregates kept on write; the comments from its feedback indexes.
// Opening an officer's page, a scope's comments or an export is audited.

const (
	dashComments    = 50 // comments per page
	dashAlerts      = 10
	dashShortlist   = 10
	dashTrendWeeks  = 26
	dashDailyMaxDay = 45 // a range up to this many days is charted by day, longer by week
	dashMaxRange    = 2 * 366 * 24 * time.Hour
)

// dash is the dashboard's state, built once with the routes.
type dash struct {
	s        *Server
	pages    map[string]*template.Template
	err      error
	css      []byte
	throttle *loginThrottle
}

// dashboardRoutes adds the sign-in pages and the dashboard.
func (s *Server) dashboardRoutes() {
	d := &dash{s: s, throttle: newLoginThrottle(s.now)}
	d.pages, d.err = parseDashboardPages()
	if d.err == nil {
		d.css, d.err = webFS.ReadFile("web/static/dashboard.css")
	}
	r := s.router
	r.GET("/static/dashboard.css", d.handleCSS())
	r.GET("/login", d.handleLoginPage())
	r.POST("/login", d.handleLogin())
	r.POST("/logout", d.handleLogout())
	g := r.Group("/dashboard", noStore(), d.auth())
	g.GET("", d.handleOverview())
	g.GET("/officers/:id", d.handleOfficer())
	g.POST("/officers/:id/flags", d.handleAddFlag())
	g.POST("/flags/:flag/delete", d.handleDeleteFlag())
	g.POST("/feedback/:ref/review", d.handleReview())
	g.GET("/export.csv", d.handleExport())
}

func parseDashboardPages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range []string{"login", "view", "message"} {
		t, err := template.New(name).Funcs(dashFuncs()).ParseFS(webFS, "web/dashboard_layout.html", "web/dashboard_"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("server: parsing dashboard page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

func dashFuncs() template.FuncMap {
	return template.FuncMap{
		"mean": func(m *float64) string {
			if m == nil {
				return "–"
			}
			return strconv.FormatFloat(*m, 'f', 2, 64)
		},
		"pct": func(r *float64) string {
			if r == nil {
				return "–"
			}
			return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
		},
		"fixed": func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
		"rows": func(rows []officerRow, caption string) officerTable {
			return officerTable{Rows: rows, Caption: caption}
		},
		"args": func(c commentRow, p *dashPage, flag bool, prefix string) commentArgs {
			return commentArgs{C: c, P: p, Flag: flag, Prefix: prefix}
		},
	}
}

func (d *dash) handleCSS() gin.HandlerFunc {
	return func(c *gin.Context) {
		if d.err != nil {
			d.s.fail(c, d.err)
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, "text/css; charset=utf-8", d.css)
	}
}

// dashPage is what every dashboard template reads.
type dashPage struct {
	Title   string
	Session *doorstep.Session
	CSRF    string
	Crumbs  []link
	Self    string // this page's URL, for forms to come back to

	// sign-in
	Next, Username, Error string

	// message pages
	Body string

	// views
	Heading      string
	Officer      *doorstep.Officer
	Figures      figures
	Rule         string
	Status       []string // shortlist / coaching remarks on an officer page
	DistChart    template.HTML
	Dist         []distRow
	TrendChart   template.HTML
	Trend        []trendRow
	TrendCaption string
	GroupHeading string
	Groups       []groupRow
	Officers     []officerRow
	Shortlist    []officerRow
	Coaching     []officerRow
	Alerts       []commentRow
	Comments     []commentRow
	OlderURL     string
	Filter       filterView
	ExportURL    string
	ClearURL     string
	Flags        []flagView
	ScopeFields  []hidden
}

type link struct{ Href, Label string }

type officerTable struct {
	Rows    []officerRow
	Caption string
}

// commentArgs are what the "comment" template reads: the comment, the page
// (for the CSRF token and the way back), whether to offer a flag form, and
// the prefix of its element ids.
type commentArgs struct {
	C      commentRow
	P      *dashPage
	Flag   bool
	Prefix string
}

type hidden struct{ Name, Value string }

type figures struct {
	Responses, CodesIssued, Issued, Unlinked int
	Rate, Mean                               *float64
}

func figuresOf(st doorstep.Stats) figures {
	return figures{Responses: st.Responses, CodesIssued: st.CodesIssued(), Issued: st.Issued, Unlinked: st.Unlinked,
		Rate: st.ResponseRate(), Mean: st.Mean()}
}

type distRow struct {
	Rating, Count int
	Share         string
}

type trendRow struct {
	Label             string
	Issued, Responses int
	Mean              *float64
}

type groupRow struct {
	Label, Href string
	Officers    int
	figures
}

type officerRow struct {
	Name, Collar, Href, Borough, Team string
	figures
	Lower, Upper float64
}

type commentRow struct {
	Ref, Anchor, ReviewURL   string
	OfficerName, OfficerHref string
	Rating                   int
	Received, Visit          string
	Respect, Rights, Updates string
	Comment, Language        string
	Reviewed, Linked, Low    bool
	FlagURL                  string
}

type flagView struct {
	Kind, Note, By, At, Feedback, DeleteURL string
	OfficerName, OfficerHref                string
}

// filterView is the comment filter as the form shows it.
type filterView struct {
	MinRating, MaxRating int
	From, To             string
	Ratings              []int
	Active               bool
}

// dashFilter is a parsed filter.
type dashFilter struct {
	view     filterView
	store    doorstep.FeedbackFilter
	from, to time.Time // days (UTC), to exclusive
	before   time.Time // paging: comments received before this
}

const dateForm = "2006-01-02"

// parseFilter reads rating and date filters from the query: min_rating,
// max_rating (1–5), from and to (YYYY-MM-DD, to inclusive), before (paging).
func parseFilter(q url.Values) (dashFilter, error) {
	var f dashFilter
	f.view.Ratings = []int{1, 2, 3, 4, 5}
	for _, r := range []struct {
		name string
		dst  *int
	}{{"min_rating", &f.view.MinRating}, {"max_rating", &f.view.MaxRating}} {
		if v := q.Get(r.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 5 {
				return f, doorstep.Errorf(doorstep.EINVALID, "%s must be 1 to 5", r.name)
			}
			*r.dst = n
		}
	}
	if f.view.MinRating > 0 && f.view.MaxRating > 0 && f.view.MinRating > f.view.MaxRating {
		return f, doorstep.Errorf(doorstep.EINVALID, "the lowest rating is above the highest")
	}
	for _, r := range []struct {
		name string
		dst  *time.Time
		view *string
	}{{"from", &f.from, &f.view.From}, {"to", &f.to, &f.view.To}} {
		v := q.Get(r.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(dateForm, v)
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			return f, doorstep.Errorf(doorstep.EINVALID, "%s must be a date (YYYY-MM-DD)", r.name)
		}
		*r.dst, *r.view = t, v
	}
	if !f.to.IsZero() {
		f.to = f.to.AddDate(0, 0, 1) // the "to" day is included
	}
	if !f.from.IsZero() && !f.to.IsZero() && !f.from.Before(f.to) {
		return f, doorstep.Errorf(doorstep.EINVALID, "the start date is after the end date")
	}
	if v := q.Get("before"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, doorstep.Errorf(doorstep.EINVALID, "before must be a time")
		}
		f.before = t
	}
	f.view.Active = f.view.MinRating > 0 || f.view.MaxRating > 0 || f.view.From != "" || f.view.To != ""
	f.store = doorstep.FeedbackFilter{MinRating: f.view.MinRating, MaxRating: f.view.MaxRating, From: f.from, To: f.to}
	if !f.before.IsZero() && (f.to.IsZero() || f.before.Before(f.to)) {
		f.store.To = f.before
	}
	return f, nil
}

// query is the filter (and scope) as URL parameters.
func (f dashFilter) query(scope doorstep.Scope) url.Values {
	q := url.Values{}
	if scope.OfficerID == "" {
		if scope.Borough != "" {
			q.Set("borough", scope.Borough)
		}
		if scope.Team != "" {
			q.Set("team", scope.Team)
		}
	}
	if f.view.MinRating > 0 {
		q.Set("min_rating", strconv.Itoa(f.view.MinRating))
	}
	if f.view.MaxRating > 0 {
		q.Set("max_rating", strconv.Itoa(f.view.MaxRating))
	}
	if f.view.From != "" {
		q.Set("from", f.view.From)
	}
	if f.view.To != "" {
		q.Set("to", f.view.To)
	}
	return q
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// scopeOf reads ?borough= and ?team= (checked like an officer's fields).
func scopeOf(c *gin.Context) (doorstep.Scope, error) {
	var sc doorstep.Scope
	var err error
	if sc.Borough, err = checkField("borough", c.Query("borough"), 64, false); err != nil {
		return sc, err
	}
	if sc.Team, err = checkField("team", c.Query("team"), 64, false); err != nil {
		return sc, err
	}
	if sc.Team != "" && sc.Borough == "" {
		return sc, doorstep.Errorf(doorstep.EINVALID, "a team is chosen within its borough")
	}
	return sc, nil
}

func scopeURL(sc doorstep.Scope) string {
	q := url.Values{}
	if sc.Borough != "" {
		q.Set("borough", sc.Borough)
	}
	if sc.Team != "" {
		q.Set("team", sc.Team)
	}
	return withQuery("/dashboard", q)
}

func officerURL(id string) string { return "/dashboard/officers/" + url.PathEscape(id) }

func officerLabel(o *doorstep.Officer) string {
	if o == nil {
		return "Unknown officer"
	}
	return o.CollarNumber + " " + o.Name
}

// newPage starts a dashboard page for the signed-in account.
func (d *dash) newPage(c *gin.Context, title string) *dashPage {
	p := &dashPage{Title: title + " – Doorstep dashboard", Heading: title, Self: c.Request.URL.RequestURI()}
	if v, ok := c.Get(ctxSession); ok {
		p.Session = v.(*doorstep.Session)
		p.CSRF = p.Session.CSRF
	}
	p.Rule = fmt.Sprintf("An officer is shortlisted with at least %d responses and a mean rating whose lower 95%% confidence bound "+
		"(Wilson score) is %.1f or more, so that many good ratings count for more than a few. A likely training need: at least %d "+
		"responses and an upper bound under %.1f. Low-rating alerts: every rating of %d or less until someone marks it reviewed.",
		doorstep.ShortlistMinResponses, doorstep.ShortlistMinBound, doorstep.ShortlistMinResponses, doorstep.CoachingMaxBound, doorstep.AlertMaxRating)
	return p
}

// render writes a dashboard page, rendered to a buffer first.
func (d *dash) render(c *gin.Context, status int, name string, p *dashPage) {
	if d.err != nil {
		d.s.fail(c, d.err)
		return
	}
	var buf bytes.Buffer
	if err := d.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		d.s.log.ErrorContext(c.Request.Context(), "rendering a dashboard page", "request_id", requestID(c), "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Something went wrong on our side.\n"))
		c.Abort()
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// fail answers err on a dashboard page.
func (d *dash) fail(c *gin.Context, err error) {
	d.s.logInternal(c, err)
	code := doorstep.ErrorCode(err)
	msg := doorstep.ErrorMessage(err)
	if code == doorstep.EINTERNAL || code == doorstep.EUNAVAILABLE {
		msg = "Something went wrong on our side. Please try again in a few minutes."
	}
	p := d.newPage(c, "There is a problem")
	p.Body = msg
	d.render(c, statusFor(code), "message", p)
}

// audit records that the signed-in account viewed feedback.
func (d *dash) audit(c *gin.Context, action, officerID, detail string) error {
	return d.s.store.AppendAudit(c.Request.Context(), &doorstep.AuditEntry{
		At: d.s.now().UTC(), Actor: actorOf(c), Action: action, OfficerID: officerID, Detail: detail})
}

func (d *dash) handleOverview() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		sc, err := scopeOf(c)
		if err != nil {
			d.fail(c, err)
			return
		}
		f, err := parseFilter(c.Request.URL.Query())
		if err != nil {
			d.fail(c, err)
			return
		}
		title := "Force overview"
		switch {
		case sc.Team != "":
			title = "Team " + sc.Team + ", " + sc.Borough
		case sc.Borough != "":
			title = "Borough " + sc.Borough
		}
		p := d.newPage(c, title)
		p.Crumbs = []link{{"/dashboard", "Force"}}
		if sc.Borough != "" {
			p.Crumbs = append(p.Crumbs, link{scopeURL(doorstep.Scope{Borough: sc.Borough}), sc.Borough})
		}
		if sc.Team != "" {
			p.Crumbs = append(p.Crumbs, link{scopeURL(sc), sc.Team})
		}
		if err := d.audit(c, "view_scope", "", sc.String()); err != nil {
			d.fail(c, err)
			return
		}
		if err := d.fillFigures(c, p, sc, f); err != nil {
			d.fail(c, err)
			return
		}
		// boroughs, teams or officers below this scope
		officers, err := d.s.store.OfficerStats(ctx, sc)
		if err != nil {
			d.fail(c, err)
			return
		}
		if sc.Team == "" {
			groups, err := d.s.store.Groups(ctx)
			if err != nil {
				d.fail(c, err)
				return
			}
			p.GroupHeading = "Boroughs"
			if sc.Borough != "" {
				p.GroupHeading = "Teams in " + sc.Borough
			}
			for _, g := range groups {
				switch {
				case sc.Borough == "" && g.Team == "":
					p.Groups = append(p.Groups, groupRow{Label: g.Borough, Href: scopeURL(doorstep.Scope{Borough: g.Borough}), Officers: g.Officers, figures: figuresOf(g.Stats)})
				case sc.Borough != "" && g.Borough == sc.Borough && g.Team != "":
					p.Groups = append(p.Groups, groupRow{Label: g.Team, Href: scopeURL(doorstep.Scope{Borough: g.Borough, Team: g.Team}), Officers: g.Officers, figures: figuresOf(g.Stats)})
				}
			}
		}
		if sc.Borough != "" {
			sort.SliceStable(officers, func(i, j int) bool { return officers[i].Responses > officers[j].Responses })
			for _, o := range officers {
				p.Officers = append(p.Officers, rowOf(o))
			}
		}
		p.Shortlist, p.Coaching = shortlists(officers)
		byID := map[string]*doorstep.Officer{}
		for _, o := range officers {
			byID[o.Officer.ID] = o.Officer
		}
		// the newest flags on officers in scope
		flags, err := d.s.store.Flags(ctx, "", 500)
		if err != nil {
			d.fail(c, err)
			return
		}
		for _, fl := range flags {
			if o := byID[fl.OfficerID]; o != nil && len(p.Flags) < dashAlerts {
				v := d.flagView(fl)
				v.OfficerName, v.OfficerHref = officerLabel(o), officerURL(o.ID)
				if fl.Feedback != nil {
					v.OfficerHref += "#c-" + v.Feedback
				}
				p.Flags = append(p.Flags, v)
			}
		}
		if err := d.fillComments(c, p, sc, f, byID); err != nil {
			d.fail(c, err)
			return
		}
		d.render(c, http.StatusOK, "view", p)
	}
}

func rowOf(o doorstep.OfficerStats) officerRow {
	return officerRow{Name: o.Officer.Name, Collar: o.Officer.CollarNumber, Href: officerURL(o.Officer.ID),
		Borough: o.Officer.Borough, Team: o.Officer.Team, figures: figuresOf(o.Stats),
		Lower: o.MeanLowerBound(), Upper: o.MeanUpperBound()}
}

// shortlists picks the recognition shortlist (highest lower bound first)
// and the likely training needs (lowest upper bound first).
func shortlists(all []doorstep.OfficerStats) (short, coach []officerRow) {
	var s, c []doorstep.OfficerStats
	for _, o := range all {
		if o.Shortlisted() {
			s = append(s, o)
		}
		if o.NeedsCoaching() {
			c = append(c, o)
		}
	}
	sort.SliceStable(s, func(i, j int) bool { return s[i].MeanLowerBound() > s[j].MeanLowerBound() })
	sort.SliceStable(c, func(i, j int) bool { return c[i].MeanUpperBound() < c[j].MeanUpperBound() })
	for i := 0; i < len(s) && i < dashShortlist; i++ {
		short = append(short, rowOf(s[i]))
	}
	for i := 0; i < len(c) && i < dashShortlist; i++ {
		coach = append(coach, rowOf(c[i]))
	}
	return short, coach
}

// fillFigures adds the scope's headline figures, rating distribution and trend.
func (d *dash) fillFigures(c *gin.Context, p *dashPage, sc doorstep.Scope, f dashFilter) error {
	ctx := c.Request.Context()
	st, err := d.s.store.ScopeStats(ctx, sc)
	if err != nil {
		return err
	}
	p.Figures = figuresOf(st)
	for i, n := range st.Ratings {
		share := "–"
		if st.Responses > 0 {
			share = strconv.FormatFloat(float64(n)*100/float64(st.Responses), 'f', 1, 64) + "%"
		}
		p.Dist = append(p.Dist, distRow{Rating: i + 1, Count: n, Share: share})
	}
	p.DistChart = distributionSVG(st.Ratings, p.Heading)

	end, start := f.to, f.from
	if end.IsZero() {
		end = d.s.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	}
	if start.IsZero() || end.Sub(start) > dashMaxRange {
		start = end.AddDate(0, 0, -7*dashTrendWeeks)
	}
	days, err := d.s.store.ScopeDaily(ctx, sc, start, end)
	if err != nil {
		return err
	}
	byDay := end.Sub(start) <= dashDailyMaxDay*24*time.Hour
	p.Trend = trendRows(days, start, end, byDay)
	unit := "week (weeks start on Monday)"
	if byDay {
		unit = "day"
	}
	p.TrendCaption = fmt.Sprintf("Responses and mean rating per %s of the visit, %s to %s", unit,
		start.Format("2 January 2006"), end.AddDate(0, 0, -1).Format("2 January 2006"))
	p.TrendChart = trendSVG(p.Trend, p.TrendCaption)
	return nil
}

// trendRows buckets the per-day figures by day or by week.
func trendRows(days []doorstep.DayStats, start, end time.Time, byDay bool) []trendRow {
	bucket := func(t time.Time) time.Time {
		t = t.UTC().Truncate(24 * time.Hour)
		if byDay {
			return t
		}
		wd := (int(t.Weekday()) + 6) % 7 // Monday 0
		return t.AddDate(0, 0, -wd)
	}
	var rows []trendRow
	var sums []doorstep.Stats
	index := map[time.Time]int{}
	for t := bucket(start); t.Before(end); {
		index[t] = len(rows)
		label := t.Format("2 Jan")
		if !byDay {
			label = "w/c " + label
		}
		rows = append(rows, trendRow{Label: label})
		sums = append(sums, doorstep.Stats{})
		if byDay {
			t = t.AddDate(0, 0, 1)
		} else {
			t = t.AddDate(0, 0, 7)
		}
	}
	for _, ds := range days {
		if i, ok := index[bucket(ds.Day)]; ok {
			sums[i].Add(ds.Stats)
		}
	}
	for i := range rows {
		rows[i].Issued, rows[i].Responses, rows[i].Mean = sums[i].Issued, sums[i].Responses, sums[i].Mean()
	}
	return rows
}

func answerText(a string) string {
	switch a {
	case doorstep.AnswerYes:
		return "Yes"
	case doorstep.AnswerNo:
		return "No"
	case doorstep.AnswerUnsure:
		return "Not sure"
	}
	return "Not answered"
}

func refString(r doorstep.TokenRef) string { return fmt.Sprintf("%d-%d", r.DeviceID, r.Counter) }

func parseRef(s string) (doorstep.TokenRef, bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return doorstep.TokenRef{}, false
	}
	dev, err1 := strconv.ParseUint(a, 10, 32)
	ctr, err2 := strconv.ParseUint(b, 10, 32)
	if err1 != nil || err2 != nil {
		return doorstep.TokenRef{}, false
	}
	return doorstep.TokenRef{DeviceID: uint32(dev), Counter: uint32(ctr)}, true
}

func (d *dash) comment(f *doorstep.Feedback, o *doorstep.Officer) commentRow {
	ref := refString(f.Token)
	visit := "not yet known"
	if !f.IssuedAt.IsZero() {
		visit = f.IssuedAt.In(d.s.loc).Format("2 Jan 2006")
	}
	return commentRow{
		Ref: ref, Anchor: "c-" + ref, ReviewURL: "/dashboard/feedback/" + ref + "/review",
		OfficerName: officerLabel(o), OfficerHref: officerURL(f.OfficerID), FlagURL: officerURL(f.OfficerID) + "/flags",
		Rating: f.Rating, Received: f.ReceivedAt.In(d.s.loc).Format("2 Jan 2006 15:04"), Visit: visit,
		Respect: answerText(f.Respect), Rights: answerText(f.Rights), Updates: answerText(f.Updates),
		Comment: f.Comment, Language: f.Language, Reviewed: f.Reviewed, Linked: f.Linked(),
		Low: f.Rating <= doorstep.AlertMaxRating,
	}
}

// fillComments adds the alerts and a page of filtered comments, newest first.
func (d *dash) fillComments(c *gin.Context, p *dashPage, sc doorstep.Scope, f dashFilter, officers map[string]*doorstep.Officer) error {
	ctx := c.Request.Context()
	alerts, err := d.s.store.Alerts(ctx, sc, dashAlerts)
	if err != nil {
		return err
	}
	for _, a := range alerts {
		p.Alerts = append(p.Alerts, d.comment(a, officers[a.OfficerID]))
	}
	filter := f.store
	filter.Limit = dashComments + 1
	var list []*doorstep.Feedback
	if err := d.s.store.EachFeedback(ctx, sc, filter, func(fb *doorstep.Feedback) error {
		list = append(list, fb)
		return nil
	}); err != nil {
		return err
	}
	if len(list) > dashComments {
		list = list[:dashComments]
		q := f.query(sc)
		q.Set("before", list[len(list)-1].ReceivedAt.UTC().Format(time.RFC3339Nano))
		p.OlderURL = withQuery(c.Request.URL.Path, q)
	}
	for _, fb := range list {
		p.Comments = append(p.Comments, d.comment(fb, officers[fb.OfficerID]))
	}
	p.Filter = f.view
	p.ClearURL = scopeURL(sc)
	if sc.OfficerID != "" {
		p.ClearURL = officerURL(sc.OfficerID)
	}
	p.ExportURL = withQuery("/dashboard/export.csv", f.query(sc))
	if sc.OfficerID != "" {
		q := f.query(sc)
		q.Set("officer", sc.OfficerID)
		p.ExportURL = withQuery("/dashboard/export.csv", q)
	}
	if sc.Borough != "" {
		p.ScopeFields = append(p.ScopeFields, hidden{"borough", sc.Borough})
	}
	if sc.Team != "" {
		p.ScopeFields = append(p.ScopeFields, hidden{"team", sc.Team})
	}
	return nil
}

func (d *dash) handleOfficer() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		id, err := officerID(c)
		if err != nil {
			d.fail(c, err)
			return
		}
		f, err := parseFilter(c.Request.URL.Query())
		if err != nil {
			d.fail(c, err)
			return
		}
		o, err := d.s.store.Officer(ctx, id)
		if err != nil {
			d.fail(c, err)
			return
		}
		// Opening an officer's page is viewing their feedback: audited first.
		if err := d.audit(c, "view_officer", id, "dashboard"); err != nil {
			d.fail(c, err)
			return
		}
		sc := doorstep.Scope{OfficerID: id}
		p := d.newPage(c, officerLabel(o))
		p.Officer = o
		p.Crumbs = []link{{"/dashboard", "Force"}, {scopeURL(doorstep.Scope{Borough: o.Borough}), o.Borough}}
		if o.Team != "" {
			p.Crumbs = append(p.Crumbs, link{scopeURL(doorstep.Scope{Borough: o.Borough, Team: o.Team}), o.Team})
		}
		if err := d.fillFigures(c, p, sc, f); err != nil {
			d.fail(c, err)
			return
		}
		st, err := d.s.store.ScopeStats(ctx, sc)
		if err != nil {
			d.fail(c, err)
			return
		}
		if st.Responses > 0 {
			p.Status = append(p.Status, fmt.Sprintf("Mean rating %.2f; 95%% confidence %.2f to %.2f from %d responses.",
				*st.Mean(), st.MeanLowerBound(), st.MeanUpperBound(), st.Responses))
		}
		switch {
		case st.Shortlisted():
			p.Status = append(p.Status, "On the recognition shortlist.")
		case st.NeedsCoaching():
			p.Status = append(p.Status, "Likely training need: ratings are consistently low.")
		case st.Responses < doorstep.ShortlistMinResponses:
			p.Status = append(p.Status, fmt.Sprintf("Too few responses (%d of %d) to judge consistency yet.", st.Responses, doorstep.ShortlistMinResponses))
		}
		flags, err := d.s.store.Flags(ctx, id, 0)
		if err != nil {
			d.fail(c, err)
			return
		}
		for _, fl := range flags {
			p.Flags = append(p.Flags, d.flagView(fl))
		}
		if err := d.fillComments(c, p, sc, f, map[string]*doorstep.Officer{id: o}); err != nil {
			d.fail(c, err)
			return
		}
		d.render(c, http.StatusOK, "view", p)
	}
}

func (d *dash) flagView(fl *doorstep.Flag) flagView {
	v := flagView{Kind: fl.Kind, Note: fl.Note, By: fl.By, At: fl.At.In(d.s.loc).Format("2 Jan 2006 15:04"),
		DeleteURL: "/dashboard/flags/" + url.PathEscape(fl.ID) + "/delete"}
	if fl.Feedback != nil {
		v.Feedback = refString(*fl.Feedback)
	}
	return v
}

// formFor reads a dashboard form and checks its CSRF token.
func (d *dash) formFor(c *gin.Context) (url.Values, *doorstep.Session, bool) {
	sess, _ := d.s.currentSession(c)
	values, err := readForm(c)
	if err != nil {
		d.fail(c, err)
		return nil, nil, false
	}
	if !checkSessionCSRF(sess, values.Get(csrfField)) {
		d.fail(c, doorstep.Errorf(doorstep.EFORBIDDEN, "this form had expired; go back, reload the page and try again"))
		return nil, nil, false
	}
	return values, sess, true
}

// back redirects to the dashboard page a form came from.
func back(c *gin.Context, values url.Values, anchor string) {
	to := safeNext(values.Get("return"))
	if anchor != "" && !strings.Contains(to, "#") {
		to += "#" + anchor
	}
	c.Redirect(http.StatusSeeOther, to)
}

func (d *dash) handleAddFlag() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := officerID(c)
		if err != nil {
			d.fail(c, err)
			return
		}
		values, sess, ok := d.formFor(c)
		if !ok {
			return
		}
		note, err := checkNote(values.Get("note"))
		if err != nil {
			d.fail(c, err)
			return
		}
		fl := &doorstep.Flag{OfficerID: id, Kind: values.Get("kind"), Note: note, By: sess.Username, At: d.s.now().UTC()}
		anchor := "flags"
		if v := values.Get("feedback"); v != "" {
			ref, ok := parseRef(v)
			if !ok {
				d.fail(c, doorstep.Errorf(doorstep.EINVALID, "feedback must name a code"))
				return
			}
			fl.Feedback, anchor = &ref, "c-"+v
		}
		if err := d.s.store.AddFlag(c.Request.Context(), fl); err != nil {
			d.fail(c, err)
			return
		}
		d.s.log.InfoContext(c.Request.Context(), "flag added", "request_id", requestID(c), "actor", sess.Username, "officer", id, "kind", fl.Kind)
		back(c, values, anchor)
	}
}

// checkNote checks a flag's note: UTF-8 text of at most MaxFlagNote
// characters, line breaks allowed.
func checkNote(v string) (string, error) {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	if _, err := checkField("note", strings.ReplaceAll(v, "\n", " "), doorstep.MaxFlagNote, false); err != nil {
		return "", err
	}
	return v, nil
}

func (d *dash) handleDeleteFlag() gin.HandlerFunc {
	return func(c *gin.Context) {
		values, sess, ok := d.formFor(c)
		if !ok {
			return
		}
		if err := d.s.store.DeleteFlag(c.Request.Context(), c.Param("flag")); err != nil {
			d.fail(c, err)
			return
		}
		d.s.log.InfoContext(c.Request.Context(), "flag removed", "request_id", requestID(c), "actor", sess.Username)
		back(c, values, "flags")
	}
}

func (d *dash) handleReview() gin.HandlerFunc {
	return func(c *gin.Context) {
		ref, ok := parseRef(c.Param("ref"))
		if !ok {
			d.fail(c, doorstep.Errorf(doorstep.ENOTFOUND, "no such feedback"))
			return
		}
		values, _, ok := d.formFor(c)
		if !ok {
			return
		}
		reviewed := values.Get("reviewed") != "0"
		if _, err := d.s.store.MarkReviewed(c.Request.Context(), ref, reviewed); err != nil {
			d.fail(c, err)
			return
		}
		back(c, values, "c-"+c.Param("ref"))
	}
}
