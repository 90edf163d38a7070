package server

import (
	doorstep "github.com/doorstep-project/doorstep"
)

// messages are every string a person reads on the victim pages, in one
// language. Translations add a function like english and an entry in
// newCatalog; templates refer to fields by name, so a missing string fails
// the page tests rather than showing a blank.
type messages struct {
	Lang, Dir string // <html lang dir>

	QuickExit     string
	QuickExitHelp string
	SkipToContent string

	PageTitle    string
	VisitHeading string // %[1]s collar number, %[2]s name, %[3]s borough, %[4]s date
	Intro        string
	Privacy      string

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

// refusal is a page that explains why the victim cannot go on.
type refusal struct {
	Title, Body string
}

// catalog holds messages by language tag.
type catalog map[string]*messages

// defaultLang is the language of the victim pages until negotiation lands.
const defaultLang = "en"

func newCatalog() catalog {
	return catalog{defaultLang: english()}
}

// get returns the messages for lang, or the default language's.
func (c catalog) get(lang string) *messages {
	if m, ok := c[lang]; ok {
		return m
	}
	return c[defaultLang]
}

func english() *messages {
	return &messages{
		Lang: "en", Dir: "ltr",

		QuickExit:     "Quick exit",
		QuickExitHelp: "Leaves this page at once for a weather forecast.",
		SkipToContent: "Skip to main content",

		PageTitle:    "Your feedback",
		VisitHeading: "Your feedback on %[1]s %[2]s, %[3]s, %[4]s",
		Intro:        "Tell us how the visit went. It takes about a minute. Your answers help officers learn what they do well and what they can do better.",
		Privacy:      "We do not ask for your name or contact details. Please do not write them in your comment.",

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
