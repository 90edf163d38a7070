package server

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/gin-gonic/gin"
)

// Limits on the victim's form.
const (
	maxFormBody   = 16 << 10
	maxCommentLen = 2000 // characters
)

// visit is what a feedback token resolves to.
type visit struct {
	token    string
	tok      qrcode.Token
	device   *doorstep.Device
	officer  *doorstep.Officer
	issuance *doorstep.Issuance // nil until the device has synced the issue
	answered bool
}

// resolve verifies the token in the path and gathers its visit. Forged,
// malformed or unknown codes are ENOTFOUND, expired or voided ones EEXPIRED,
// and codes from a revoked device that never synced EREVOKED (unless they
// were answered before the device was revoked).
func (s *Server) resolve(c *gin.Context) (*visit, error) {
	ctx := c.Request.Context()
	text := c.Param("token")
	tok, err := qrcode.Parse(text)
	if err != nil {
		return nil, err
	}
	d, err := s.store.Device(ctx, tok.Ref.DeviceID)
	if err != nil {
		return nil, err
	}
	key, err := s.keys.open(d.KeyCiphertext)
	if err != nil {
		return nil, fmt.Errorf("device %d: %w", d.ID, err)
	}
	if tok, err = qrcode.Verify(key, text, s.now()); err != nil {
		return nil, err
	}
	v := &visit{token: text, tok: tok, device: d}
	switch _, err := s.store.FeedbackFor(ctx, tok.Ref); doorstep.ErrorCode(err) {
	case "":
		v.answered = true
	case doorstep.ENOTFOUND:
	default:
		return nil, err
	}
	switch is, err := s.store.Issuance(ctx, tok.Ref); doorstep.ErrorCode(err) {
	case "":
		if is.Voided && !v.answered {
			return nil, doorstep.Errorf(doorstep.EEXPIRED, "this code was cancelled by the officer")
		}
		v.issuance = is
	case doorstep.ENOTFOUND:
		if d.Revoked() && !v.answered {
			return nil, doorstep.Errorf(doorstep.EREVOKED, "this code's device was revoked before the code synced")
		}
	default:
		return nil, err
	}
	if v.officer, err = s.store.Officer(ctx, d.OfficerID); err != nil {
		return nil, err
	}
	noteVisitLanguage(c, v)
	return v, nil
}

// discreet reports whether v's page must keep police naming out of its first
// lines. That is so for codes issued in discreet mode (domestic abuse and
// other victims at risk), and for every code whose issue has not synced yet:
// until then the server cannot know, and a page that is discreet by mistake
// costs nothing while one that is not could put a victim at risk. The <title>
// of every victim page is neutral whatever the code (the strings test checks
// it): it is what shows in tab lists and browser history.
func (v *visit) discreet() bool { return v.issuance == nil || v.issuance.Discreet }

// path is the visit's page path, relative to the public URL.
func (v *visit) path() string { return "/F/" + v.token }

// handleFeedbackPage shows the form, or says the code is already answered.
func (s *Server) handleFeedbackPage() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := s.resolve(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		t := s.messages(c)
		if v.answered {
			s.message(c, http.StatusOK, refusal{t.AlreadyTitle, t.AlreadyBody}, v)
			return
		}
		s.renderForm(c, http.StatusOK, v, &feedbackForm{}, nil)
	}
}

// handleFeedbackSubmit stores a victim's answers and sends them on to the
// thank-you page.
func (s *Server) handleFeedbackSubmit() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := s.resolve(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		if v.answered {
			s.errorPage(c, doorstep.Errorf(doorstep.ECONFLICT, "feedback for this code is already in"))
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
		if !s.checkCSRF(c, values.Get(csrfField)) {
			t := s.messages(c)
			s.message(c, http.StatusForbidden, t.CSRF, nil)
			return
		}
		form, problems := parseFeedbackForm(values)
		if len(problems) > 0 {
			s.renderForm(c, http.StatusBadRequest, v, form, problems)
			return
		}
		f := &doorstep.Feedback{
			Token:    v.tok.Ref,
			Rating:   form.Rating,
			Respect:  form.Respect,
			Rights:   form.Rights,
			Updates:  form.Updates,
			Comment:  form.Comment,
			AgeBand:  form.AgeBand,
			Language: s.messages(c).Lang,
			IssuedAt: v.tok.IssuedAt,
		}
		if err := s.store.SubmitFeedback(c.Request.Context(), f); err != nil {
			s.errorPage(c, err)
			return
		}
		s.metrics.feedbackReceived()
		c.Redirect(http.StatusSeeOther, v.path()+"/thanks")
		c.Abort()
	}
}

// handleThanks thanks the victim once the feedback is in.
func (s *Server) handleThanks() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := s.resolve(c)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		if !v.answered {
			c.Redirect(http.StatusSeeOther, v.path())
			c.Abort()
			return
		}
		t := s.messages(c)
		s.message(c, http.StatusOK, refusal{t.ThanksTitle, t.ThanksBody}, v)
	}
}

// readForm reads a urlencoded form body of at most maxFormBody bytes.
func readForm(c *gin.Context) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, doorstep.Errorf(doorstep.EINVALID, "the form must be sent as application/x-www-form-urlencoded")
	}
	body, err := readLimited(c, maxFormBody)
	if err != nil {
		return nil, err
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, doorstep.Errorf(doorstep.EINVALID, "the form is malformed")
	}
	return values, nil
}

// feedbackForm is the victim's answers, as parsed (and as re-shown when some
// are refused).
type feedbackForm struct {
	Rating                   int // 0 when missing or refused
	Respect, Rights, Updates string
	Comment                  string
	AgeBand                  string // one of ageBands, or empty
}

// ageBands are the optional age bands, as stored in Feedback.AgeBand.
func ageBands() []string {
	return []string{"under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-plus"}
}

// csrfField is the form's hidden CSRF field. Fields the form does not have
// are ignored.
const csrfField = "csrf"

// problem is what is wrong with one answer on the form.
type problem int

const (
	problemForm       problem = iota + 1 // a field sent twice
	problemRating                        // missing or not 1..5
	problemAnswer                        // not yes, no or unsure
	problemComment                       // over maxCommentLen characters
	problemCommentBad                    // not UTF-8, or control characters
	problemAge                           // not one of ageBands
)

// parseFeedbackForm checks the victim's answers. It returns what it could
// read and, for each refused field, its problem.
func parseFeedbackForm(values url.Values) (*feedbackForm, map[string]problem) {
	f := &feedbackForm{}
	problems := map[string]problem{}
	for name, vs := range values {
		if len(vs) > 1 {
			problems[formErrorField(name)] = problemForm
		}
	}
	switch r := values.Get("rating"); r {
	case "1", "2", "3", "4", "5":
		f.Rating = int(r[0] - '0')
	default:
		problems["rating"] = problemRating
	}
	for _, q := range []struct {
		name string
		dst  *string
	}{{"respect", &f.Respect}, {"rights", &f.Rights}, {"updates", &f.Updates}} {
		switch a := values.Get(q.name); a {
		case "", doorstep.AnswerYes, doorstep.AnswerNo, doorstep.AnswerUnsure:
			*q.dst = a
		default:
			problems[q.name] = problemAnswer
		}
	}
	if a := values.Get("age"); a != "" {
		if slices.Contains(ageBands(), a) {
			f.AgeBand = a
		} else {
			problems["age"] = problemAge
		}
	}
	comment := strings.TrimSpace(values.Get("comment"))
	switch {
	case !utf8.ValidString(comment) || hasControl(comment):
		problems["comment"] = problemCommentBad
	case utf8.RuneCountInString(comment) > maxCommentLen:
		problems["comment"] = problemComment
		f.Comment = comment
	default:
		f.Comment = comment
	}
	return f, problems
}

// formErrorField is where a problem with field name is shown.
func formErrorField(name string) string {
	switch name {
	case "rating", "respect", "rights", "updates", "comment", "age":
		return name
	}
	return "rating"
}

// hasControl reports control characters other than tab and line breaks.
func hasControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// renderForm shows the feedback form for v, with form's answers filled in
// and problems (field -> message key) explained.
func (s *Server) renderForm(c *gin.Context, status int, v *visit, form *feedbackForm, problems map[string]problem) {
	t := s.messages(c)
	o := v.officer
	date := t.date(v.tok.IssuedAt.In(s.loc))
	p := s.newPage(c, t.PageTitle)
	if v.discreet() {
		p.Heading = fmt.Sprintf(t.DiscreetHeading, date)
		p.Officer = fmt.Sprintf(t.VisitOfficer, o.CollarNumber, o.Name, o.Borough)
	} else {
		p.Heading = fmt.Sprintf(t.VisitHeading, o.CollarNumber, o.Name, o.Borough, date)
	}
	p.ContactURL = s.contactURL(c, v)
	p.Action = v.path()
	p.CSRF = s.issueCSRF(c)
	p.Comment = form.Comment
	p.CommentMax = maxCommentLen
	p.CommentHelp = fmt.Sprintf(t.CommentHelp, maxCommentLen)
	for i, label := range t.RatingLabels {
		val := string(rune('1' + i))
		p.Ratings = append(p.Ratings, choice{ID: "rating-" + val, Name: "rating", Value: val, Label: label, Checked: form.Rating == i+1})
	}
	for _, q := range []struct{ name, text, answer string }{
		{"respect", t.QuestionRespect, form.Respect},
		{"rights", t.QuestionRights, form.Rights},
		{"updates", t.QuestionUpdates, form.Updates},
	} {
		qq := question{Name: q.name, Text: q.text}
		for _, a := range []struct{ value, label string }{
			{doorstep.AnswerYes, t.AnswerYes}, {doorstep.AnswerNo, t.AnswerNo}, {doorstep.AnswerUnsure, t.AnswerUnsure},
		} {
			qq.Choices = append(qq.Choices, choice{ID: q.name + "-" + a.value, Name: q.name, Value: a.value, Label: a.label, Checked: q.answer == a.value})
		}
		p.Questions = append(p.Questions, qq)
	}
	p.AgeBands = append(p.AgeBands, choice{ID: "age-none", Name: "age", Value: "", Label: t.AgeNotSay, Checked: form.AgeBand == ""})
	for _, band := range ageBands() {
		label := strings.Replace(band, "-", "–", 1)
		switch band {
		case "under-18":
			label = t.AgeUnder18
		case "65-plus":
			label = t.AgeOver65
		}
		p.AgeBands = append(p.AgeBands, choice{ID: "age-" + band, Name: "age", Value: band, Label: label, Checked: form.AgeBand == band})
	}
	for _, field := range []string{"rating", "respect", "rights", "updates", "age", "comment"} {
		pr, ok := problems[field]
		if !ok {
			continue
		}
		text := t.problem(pr)
		p.ErrorFor[field] = text
		p.Errors = append(p.Errors, fieldError{Field: field, Text: text})
	}
	s.addRights(c, p, v)
	s.render(c, status, pageFeedback, p)
}

// problem explains a problem with an answer.
func (t *messages) problem(p problem) string {
	switch p {
	case problemRating:
		return t.ErrRating
	case problemAnswer:
		return t.ErrAnswer
	case problemComment:
		return fmt.Sprintf(t.ErrComment, maxCommentLen)
	case problemCommentBad:
		return t.ErrCommentBad
	case problemAge:
		return t.ErrAge
	default:
		return t.ErrForm
	}
}
