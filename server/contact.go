package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

// contactView is what the "please contact me" form reads.
type contactView struct {
	Action, CSRF       string
	Apart              string
	Name, Phone, Email string
	NameMax, PhoneMax  int
	EmailMax           int
	Times, Safe        []choice
	Languages          []option
}

// option is one entry of a <select>.
type option struct {
	Value, Label, Lang string
	Selected           bool
}

// contactForm is a victim's call-back request as typed.
type contactForm struct {
	Name, Phone, Email, BestTime, Safe, Language string
}

// contactURL is the link to the contact form for v, or "" when the code
// already has a request (or the store cannot say).
func (s *Server) contactURL(c *gin.Context, v *visit) string {
	if _, err := s.store.ContactRequestFor(c.Request.Context(), v.tok.Ref); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		return ""
	}
	return v.path() + "/contact"
}

// handleContactPage shows the contact form, or says the request is in.
func (s *Server) handleContactPage() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := s.resolve(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		t := s.messages(c)
		switch _, err := s.store.ContactRequestFor(c.Request.Context(), v.tok.Ref); doorstep.ErrorCode(err) {
		case "":
			s.message(c, http.StatusOK, refusal{t.ContactSentTitle, t.ContactAlready}, v)
			return
		case doorstep.ENOTFOUND:
		default:
			s.errorPage(c, err)
			return
		}
		s.renderContact(c, http.StatusOK, v, &contactForm{Language: t.Lang}, nil)
	}
}

// handleContactSubmit stores a call-back request and sends the victim on to
// a page saying it is in. Nothing of it is logged.
func (s *Server) handleContactSubmit() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := s.resolve(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		if !s.submitLimit.allow(c.ClientIP()) {
			s.errorPage(c, doorstep.Errorf(doorstep.ERATELIMIT, "too many submits"))
			return
		}
		values, err := readForm(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		t := s.messages(c)
		if !s.checkCSRF(c, values.Get(csrfField)) {
			s.message(c, http.StatusForbidden, t.CSRF, nil)
			return
		}
		form, problems := s.parseContactForm(values)
		if len(problems) > 0 {
			s.renderContact(c, http.StatusBadRequest, v, form, problems)
			return
		}
		r := &doorstep.ContactRequest{
			Token: v.tok.Ref, IssuedAt: v.tok.IssuedAt,
			Name: form.Name, Phone: form.Phone, Email: form.Email,
			BestTime: form.BestTime, SafeToLeaveMessage: form.Safe, Language: form.Language,
			CreatedAt: s.now().UTC(),
		}
		if err := s.store.CreateContactRequest(c.Request.Context(), r); err != nil {
			if doorstep.ErrorCode(err) == doorstep.ECONFLICT {
				s.message(c, http.StatusConflict, refusal{t.ContactSentTitle, t.ContactAlready}, v)
				return
			}
			s.errorPage(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, v.path()+"/contact/sent")
		c.Abort()
	}
}

// handleContactSent confirms the request.
func (s *Server) handleContactSent() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := s.resolve(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		if _, err := s.store.ContactRequestFor(c.Request.Context(), v.tok.Ref); err != nil {
			if doorstep.ErrorCode(err) == doorstep.ENOTFOUND {
				c.Redirect(http.StatusSeeOther, v.path()+"/contact")
				c.Abort()
				return
			}
			s.errorPage(c, err)
			return
		}
		t := s.messages(c)
		s.message(c, http.StatusOK, refusal{t.ContactSentTitle, t.ContactSentBody}, v)
	}
}

// Problems with the contact form, beside the feedback form's.
const (
	problemContactNeeded problem = iota + 100 // neither phone nor email
	problemPhone                              // not a phone number, or too long
	problemEmail                              // not an email address, or too long
	problemName                               // too long
	problemTextBad                            // not UTF-8, or control characters
	problemChoice                             // not one of the options
)

// contactFields are the form's fields, in the order problems are listed.
func contactFields() []string {
	return []string{"contact", "name", "phone", "email", "best_time", "safe", "language"}
}

// parseContactForm checks a call-back request as typed.
func (s *Server) parseContactForm(values url.Values) (*contactForm, map[string]problem) {
	f := &contactForm{}
	problems := map[string]problem{}
	for name, vs := range values {
		if len(vs) > 1 {
			field := name
			if !strings.Contains(strings.Join(contactFields(), " "), name) || name == "contact" {
				field = "contact"
			}
			problems[field] = problemForm
		}
	}
	text := func(name string, max int, tooLong problem) string {
		v := strings.TrimSpace(values.Get(name))
		switch {
		case !utf8.ValidString(v) || hasControl(v):
			problems[name] = problemTextBad
			return ""
		case utf8.RuneCountInString(v) > max:
			problems[name] = tooLong
		}
		return v
	}
	f.Name = text("name", doorstep.MaxContactName, problemName)
	f.Phone = text("phone", doorstep.MaxContactPhone, problemPhone)
	f.Email = text("email", doorstep.MaxContactEmail, problemEmail)
	if _, bad := problems["phone"]; !bad && f.Phone != "" && !validPhone(f.Phone) {
		problems["phone"] = problemPhone
	}
	if _, bad := problems["email"]; !bad && f.Email != "" && !validEmail(f.Email) {
		problems["email"] = problemEmail
	}
	if f.Phone == "" && f.Email == "" && problems["phone"] == 0 && problems["email"] == 0 {
		problems["contact"] = problemContactNeeded
	}
	switch b := values.Get("best_time"); b {
	case "", doorstep.ContactMorning, doorstep.ContactAfternoon, doorstep.ContactEvening:
		f.BestTime = b
	default:
		problems["best_time"] = problemChoice
	}
	switch a := values.Get("safe"); a {
	case "", doorstep.AnswerYes, doorstep.AnswerNo:
		f.Safe = a
	default:
		problems["safe"] = problemChoice
	}
	switch l := values.Get("language"); {
	case l == "":
	case s.catalog.has(l):
		f.Language = l
	default:
		problems["language"] = problemChoice
	}
	return f, problems
}

// validPhone accepts digits, spaces, brackets, hyphens and one leading +,
// with at least three digits (101, 999 and 18001 101 are numbers too).
func validPhone(p string) bool {
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '(' || r == ')' || r == '-':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 3
}

// validEmail is deliberately loose: one @, something before it, a dotted
// domain after it, no spaces. The desk checks the rest by writing.
func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && !strings.Contains(domain, "@") && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.ContainsAny(e, " \t\r\n<>\"")
}

// renderContact shows the contact form with form's values and problems.
func (s *Server) renderContact(c *gin.Context, status int, v *visit, form *contactForm, problems map[string]problem) {
	t := s.messages(c)
	p := s.newPage(c, t.ContactTitle)
	// the form promises what the retention job (ops_retention.go) does
	days := max(1, int((s.retainContact+24*time.Hour-1)/(24*time.Hour)))
	cv := &contactView{
		Action: v.path() + "/contact", CSRF: s.issueCSRF(c),
		Apart: fmt.Sprintf(t.ContactApart, days),
		Name:  form.Name, Phone: form.Phone, Email: form.Email,
		NameMax: doorstep.MaxContactName, PhoneMax: doorstep.MaxContactPhone, EmailMax: doorstep.MaxContactEmail,
	}
	for _, o := range []struct{ value, label string }{
		{"", t.TimeAny}, {doorstep.ContactMorning, t.TimeMorning}, {doorstep.ContactAfternoon, t.TimeAfternoon}, {doorstep.ContactEvening, t.TimeEvening},
	} {
		id := "best_time-" + o.value
		if o.value == "" {
			id = "best_time-any"
		}
		cv.Times = append(cv.Times, choice{ID: id, Name: "best_time", Value: o.value, Label: o.label, Checked: form.BestTime == o.value})
	}
	for _, o := range []struct{ value, label string }{{doorstep.AnswerYes, t.SafeYes}, {doorstep.AnswerNo, t.SafeNo}} {
		cv.Safe = append(cv.Safe, choice{ID: "safe-" + o.value, Name: "safe", Value: o.value, Label: o.label, Checked: form.Safe == o.value})
	}
	lang := form.Language
	if lang == "" {
		lang = t.Lang
	}
	for _, l := range s.catalog.order {
		m := s.catalog.get(l)
		cv.Languages = append(cv.Languages, option{Value: l, Label: m.Name, Lang: l, Selected: l == lang})
	}
	p.Contact = cv
	for _, field := range contactFields() {
		pr, ok := problems[field]
		if !ok {
			continue
		}
		text := t.contactProblem(pr)
		p.ErrorFor[field] = text
		anchor := field
		if field == "contact" {
			anchor = "phone"
		}
		p.Errors = append(p.Errors, fieldError{Field: anchor, Text: text})
	}
	s.render(c, status, pageContact, p)
}

// contactProblem explains a problem with the contact form.
func (t *messages) contactProblem(p problem) string {
	switch p {
	case problemContactNeeded:
		return t.ErrContactNeeded
	case problemPhone:
		return fmt.Sprintf(t.ErrPhone, doorstep.MaxContactPhone)
	case problemEmail:
		return t.ErrEmail
	case problemName:
		return fmt.Sprintf(t.ErrName, doorstep.MaxContactName)
	case problemTextBad:
		return t.ErrTextBad
	case problemChoice:
		return t.ErrChoice
	default:
		return t.ErrForm
	}
}

// handleContactList lists call-back requests for the victim care desk:
// open ones oldest first, or all with ?all=true. Reading them is audited.
func (s *Server) handleContactList() gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, err := listLimit(c)
		if err != nil {
			s.apiError(c, err)
			return
		}
		all := false
		switch c.Query("all") {
		case "", "false":
		case "true":
			all = true
		default:
			s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "all must be true or false"))
			return
		}
		ctx := c.Request.Context()
		entry := &doorstep.AuditEntry{At: s.now().UTC(), Actor: actorOf(c), Action: "view_contact_requests", Detail: "admin API contact request list"}
		if err := s.store.AppendAudit(ctx, entry); err != nil {
			s.apiError(c, err)
			return
		}
		list, err := s.store.ContactRequests(ctx, doorstep.ContactFilter{IncludeHandled: all, Limit: limit})
		if err != nil {
			s.apiError(c, err)
			return
		}
		if list == nil {
			list = []*doorstep.ContactRequest{}
		}
		c.JSON(http.StatusOK, list)
	}
}

// handleContactHandled marks a call-back request handled by the caller. It
// is audited; marking it again keeps the first time.
func (s *Server) handleContactHandled() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if !doorstep.ValidID(id) {
			s.apiError(c, doorstep.Errorf(doorstep.ENOTFOUND, "no such contact request"))
			return
		}
		ctx := c.Request.Context()
		r, err := s.store.MarkContactHandled(ctx, id, actorOf(c), s.now().UTC())
		if err != nil {
			s.apiError(c, err)
			return
		}
		entry := &doorstep.AuditEntry{At: s.now().UTC(), Actor: actorOf(c), Action: "contact_handled", OfficerID: r.OfficerID, Detail: "contact request " + id}
		if err := s.store.AppendAudit(ctx, entry); err != nil {
			s.apiError(c, err)
			return
		}
		c.JSON(http.StatusOK, r)
	}
}
