package server

import (
	"fmt"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"golang.org/x/text/language"
)

// messages are every string a person reads on the victim pages, in one
// language. Translations add a function like english and an entry in
// newCatalog; templates refer to fields by name, so a missing string fails
// the page tests rather than showing a blank.
type messages struct {
	Lang, Dir string // <html lang dir>
	// Name is the language's own name, for the switcher.
	Name string
	// Reviewed is false for a translation no fluent speaker has checked yet
	// (as in leaflet/content/README.md); the page then says so, in English.
	Reviewed bool

	Languages        string // the header link to the language switcher
	LanguagesHeading string

	QuickExit     string
	QuickExitHelp string
	SkipToContent string

	// DateFormat writes a visit date: %[1]d day, %[2]s month name, %[3]d year.
	DateFormat string
	Months     [12]string

	PageTitle    string
	VisitHeading string // %[1]s collar number, %[2]s name, %[3]s borough, %[4]s date
	// DiscreetHeading and VisitOfficer replace VisitHeading on discreet pages
	// (see discreet in victim.go): the first lines name no officer.
	DiscreetHeading string // %[1]s date
	VisitOfficer    string // %[1]s collar number, %[2]s name, %[3]s borough
	Intro           string
	Privacy         string

	RatingLegend string
	RatingLabels [5]string // for 1..5

	QuestionRespect string
	QuestionRights  string
	QuestionUpdates string
	AnswerYes       string
	AnswerNo        string
	AnswerUnsure    string
	Optional        string

	CommentLabel string
	CommentHelp  string // %[1]d is the limit in characters
	Submit       string

	AgeLegend  string
	AgeUnder18 string
	AgeOver65  string
	AgeNotSay  string
	ErrAge     string

	// the "please contact me" page
	ContactLink      string
	ContactTitle     string
	ContactIntro     string
	ContactApart     string // %[1]d is the retention period in days
	ContactName      string
	ContactNameHelp  string
	ContactPhone     string
	ContactEmail     string
	ContactEither    string
	ContactBestTime  string
	TimeAny          string
	TimeMorning      string
	TimeAfternoon    string
	TimeEvening      string
	ContactSafe      string
	SafeYes          string
	SafeNo           string
	ContactLanguage  string
	ContactSubmit    string
	ContactSentTitle string
	ContactSentBody  string
	ContactAlready   string
	Emergency        string
	ErrContactNeeded string
	ErrPhone         string // %[1]d is the limit in characters
	ErrEmail         string
	ErrName          string // %[1]d is the limit in characters
	ErrTextBad       string
	ErrChoice        string

	ErrorSummary  string
	ErrRating     string
	ErrAnswer     string
	ErrComment    string // %[1]d is the limit in characters
	ErrCommentBad string
	ErrForm       string

	ThanksTitle string
	ThanksBody  string

	AlreadyTitle string
	AlreadyBody  string

	RightsHeading   string
	SupportHeading  string
	DownloadLeaflet string

	// Titles and bodies of the pages that refuse, by doorstep error code.
	Refusals map[string]refusal
	// PageNotFound is for addresses that are not feedback codes at all.
	PageNotFound refusal
	// CSRF is the refusal of a submit without a valid form token.
	CSRF refusal
}

// date writes t (already in the pages' time zone) in the language.
func (m *messages) date(t time.Time) string {
	return fmt.Sprintf(m.DateFormat, t.Day(), m.Months[t.Month()-1], t.Year())
}

// refusal is a page that explains why the victim cannot go on.
type refusal struct {
	Title, Body string
}

// catalog holds the messages of every language the victim pages speak, and
// the matcher that picks one for a browser's Accept-Language.
type catalog struct {
	byLang  map[string]*messages
	order   []string // the switcher's order: English, Welsh, then as the leaflets
	matcher language.Matcher
}

// defaultLang is the language of the victim pages when nothing better matches.
const defaultLang = "en"

func newCatalog() catalog {
	all := []*messages{english(), welsh(), polish(), romanian(), portuguese(), spanish(), turkish(), arabic(), urdu(), bengali()}
	c := catalog{byLang: make(map[string]*messages, len(all))}
	tags := make([]language.Tag, 0, len(all))
	for _, m := range all {
		c.byLang[m.Lang] = m
		c.order = append(c.order, m.Lang)
		tags = append(tags, language.MustParse(m.Lang))
	}
	c.matcher = language.NewMatcher(tags)
	return c
}

// get returns the messages for lang, or the default language's.
func (c catalog) get(lang string) *messages {
	if m, ok := c.byLang[lang]; ok {
		return m
	}
	return c.byLang[defaultLang]
}

// has reports whether lang is one of the catalog's tags, exactly.
func (c catalog) has(lang string) bool {
	_, ok := c.byLang[lang]
	return ok
}

// match picks the catalog language that best serves an Accept-Language
// value: the default when none does or the value cannot be parsed.
func (c catalog) match(acceptLanguage string) string {
	if acceptLanguage == "" || len(acceptLanguage) > 512 {
		return defaultLang
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return defaultLang
	}
	_, i, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return defaultLang
	}
	return c.order[i]
}

func english() *messages {
	return &messages{
		Lang: "en", Dir: "ltr", Name: "English", Reviewed: true,

		Languages:        "Language",
		LanguagesHeading: "Choose a language",

		QuickExit:     "Quick exit",
		QuickExitHelp: "Leaves this page at once for a weather forecast.",
		SkipToContent: "Skip to main content",

		DateFormat:      "%[1]d %[2]s %[3]d",
		Months:          [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		PageTitle:       "Your feedback",
		VisitHeading:    "Your feedback on %[1]s %[2]s, %[3]s, %[4]s",
		DiscreetHeading: "Your feedback on your visit of %[1]s",
		VisitOfficer:    "You saw %[1]s %[2]s, %[3]s.",
		Intro:           "Tell us how the visit went. It takes about a minute. Your answers help officers learn what they do well and what they can do better.",
		Privacy:         "Your feedback does not ask who you are. Please do not write your name or contact details in your comment: to be contacted, use the link below.",

		RatingLegend: "Overall, how would you rate the officer's help?",
		RatingLabels: [5]string{"1 – very poor", "2 – poor", "3 – fair", "4 – good", "5 – excellent"},

		QuestionRespect: "Did the officer treat you with respect?",
		QuestionRights:  "Did the officer explain your rights as a victim?",
		QuestionUpdates: "Do you know how to get updates on your case?",
		AnswerYes:       "Yes",
		AnswerNo:        "No",
		AnswerUnsure:    "Not sure",
		Optional:        "(optional)",

		CommentLabel: "Anything else you would like to tell us?",
		CommentHelp:  "Optional. Up to %[1]d characters.",
		Submit:       "Send feedback",

		AgeLegend:  "Your age",
		AgeUnder18: "Under 18",
		AgeOver65:  "65 or over",
		AgeNotSay:  "Prefer not to say",
		ErrAge:     "Choose an age band, or prefer not to say.",

		ContactLink:      "Ask us to contact you",
		ContactTitle:     "Ask us to contact you",
		ContactIntro:     "If you would like the victim care desk to contact you about your case, leave the details you are happy for us to use. We will use them only to contact you.",
		ContactApart:     "Your details are kept apart from your feedback, only the victim care desk sees them, and they are deleted after %[1]d days. The desk will see which visit this is about.",
		ContactName:      "Your name",
		ContactNameHelp:  "How would you like us to address you?",
		ContactPhone:     "Phone number",
		ContactEmail:     "Email address",
		ContactEither:    "Give a phone number, an email address, or both.",
		ContactBestTime:  "When is the best time to contact you?",
		TimeAny:          "Any time",
		TimeMorning:      "Morning, 8am to 12 noon",
		TimeAfternoon:    "Afternoon, 12 noon to 5pm",
		TimeEvening:      "Evening, 5pm to 8pm",
		ContactSafe:      "Is it safe for us to leave a message, or to say who is calling?",
		SafeYes:          "Yes",
		SafeNo:           "No – only speak to me",
		ContactLanguage:  "Which language should we use?",
		ContactSubmit:    "Ask to be contacted",
		ContactSentTitle: "We have your request",
		ContactSentBody:  "The victim care desk will contact you. If you are in danger now, call 999.",
		ContactAlready:   "We already have a request to be contacted from this code. If your details have changed or it is urgent, call 101. If you are in danger now, call 999.",
		Emergency:        "If you are in danger now, call 999.",
		ErrContactNeeded: "Give a phone number or an email address.",
		ErrPhone:         "Enter a phone number using digits, spaces and + only, up to %[1]d characters.",
		ErrEmail:         "Enter an email address like name@example.com.",
		ErrName:          "Your name is too long: please keep it to %[1]d characters.",
		ErrTextBad:       "This holds characters we cannot store. Please retype it.",
		ErrChoice:        "Choose one of the options, or leave the question unanswered.",

		ErrorSummary:  "Please check your answers",
		ErrRating:     "Choose a rating from 1 to 5.",
		ErrAnswer:     "Choose yes, no or not sure, or leave the question unanswered.",
		ErrComment:    "Your comment is too long: please keep it to %[1]d characters.",
		ErrCommentBad: "Your comment holds characters we cannot store. Please retype it.",
		ErrForm:       "We could not read the form. Please reload the page and try again.",

		ThanksTitle: "Thank you for your feedback",
		ThanksBody:  "Your answers have reached us. They help officers learn what they do well and what they can do better.",

		AlreadyTitle: "Thank you – feedback for this code is already in",
		AlreadyBody:  "Each feedback code can be used once, and this one has been. If that was not you, or you want to add something, please contact the police force on the number in your leaflet.",

		RightsHeading:   "Your rights as a victim",
		SupportHeading:  "Support",
		DownloadLeaflet: "Download your leaflet again (PDF)",

		Refusals: map[string]refusal{
			doorstep.ENOTFOUND: {"We could not find this feedback code",
				"Please check that the address was typed exactly as printed on your leaflet, including capital letters."},
			doorstep.EEXPIRED: {"This feedback code has closed",
				"Feedback codes stay open for a limited time after the visit, or until the officer cancels them, and this one can no longer be used. Thank you for wanting to help."},
			doorstep.EREVOKED: {"This feedback code can no longer be used",
				"The device that made this code has been withdrawn from service, and the code never reached us. We are sorry: please contact the police force on the number in your leaflet if you want to give feedback."},
			doorstep.ECONFLICT: {"Feedback for this code is already in",
				"Each feedback code can be used once, and this one has been. Your new answers have not been stored."},
			doorstep.EINVALID: {"Please check your answers",
				"Some of what was sent could not be accepted. Please go back and try again."},
			doorstep.ETOOLARGE: {"That was too much to send",
				"Please shorten your comment and try again."},
			doorstep.ERATELIMIT: {"Please wait a minute",
				"We have had many answers from your connection in a short time. Please wait a minute and try again."},
			doorstep.EUNAVAILABLE: {"The service is not available just now",
				"Please try again in a few minutes."},
			doorstep.EINTERNAL: {"Something went wrong on our side",
				"Your answers may not have been stored. Please try again in a few minutes."},
		},
		PageNotFound: refusal{"Page not found", "There is nothing at this address. If you typed it from a leaflet, please check it."},
		CSRF: refusal{"Please reload the page",
			"Your form had expired or came from another page, so nothing was stored. Please go back, reload the page and send your answers again."},
	}
}
