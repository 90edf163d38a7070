package server

import doorstep "github.com/doorstep-project/doorstep"

// polish is the victim pages in Polish, not yet checked by a fluent speaker.
func polish() *messages {
	return &messages{
		Lang: "pl", Dir: "ltr", Name: "Polski",

		Languages:        "Język",
		LanguagesHeading: "Wybierz język",

		QuickExit:     "Szybkie wyjście",
		QuickExitHelp: "Natychmiast opuszcza tę stronę i otwiera prognozę pogody.",
		SkipToContent: "Przejdź do treści",

		DateFormat:      "%[1]d %[2]s %[3]d",
		Months:          [12]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
		PageTitle:       "Twoja opinia",
		VisitHeading:    "Twoja opinia o %[1]s %[2]s, %[3]s, %[4]s",
		DiscreetHeading: "Twoja opinia o wizycie z dnia %[1]s",
		VisitOfficer:    "Rozmawiałeś(-aś) z %[1]s %[2]s, %[3]s.",
		Intro:           "Powiedz nam, jak przebiegła wizyta. Zajmie to około minuty. Twoje odpowiedzi pomagają funkcjonariuszom dowiedzieć się, co robią dobrze, a co mogą robić lepiej.",
		Privacy:         "Nie pytamy, kim jesteś. Prosimy nie wpisywać w komentarzu swojego imienia ani danych kontaktowych: jeśli chcesz, abyśmy się z Tobą skontaktowali, użyj linku poniżej.",

		RatingLegend: "Jak ogólnie oceniasz pomoc funkcjonariusza?",
		RatingLabels: [5]string{"1 – bardzo źle", "2 – źle", "3 – przeciętnie", "4 – dobrze", "5 – bardzo dobrze"},

		QuestionRespect: "Czy funkcjonariusz traktował Cię z szacunkiem?",
		QuestionRights:  "Czy funkcjonariusz wyjaśnił Ci Twoje prawa jako ofiary przestępstwa?",
		QuestionUpdates: "Czy wiesz, jak uzyskać informacje o postępach w Twojej sprawie?",
		AnswerYes:       "Tak",
		AnswerNo:        "Nie",
		AnswerUnsure:    "Nie wiem",
		Optional:        "(nieobowiązkowe)",

		CommentLabel: "Czy chcesz nam jeszcze coś powiedzieć?",
		CommentHelp:  "Nieobowiązkowe. Do %[1]d znaków.",
		Submit:       "Wyślij opinię",

		AgeLegend:  "Twój wiek",
		AgeUnder18: "Poniżej 18 lat",
		AgeOver65:  "65 lat lub więcej",
		AgeNotSay:  "Wolę nie podawać",
		ErrAge:     "Wybierz przedział wieku albo „Wolę nie podawać”.",

		ContactLink:      "Poproś o kontakt",
		ContactTitle:     "Poproś o kontakt",
		ContactIntro:     "Jeśli chcesz, aby zespół wsparcia ofiar skontaktował się z Tobą w sprawie, podaj dane, których możemy użyć. Użyjemy ich wyłącznie do kontaktu z Tobą.",
		ContactApart:     "Twoje dane są przechowywane oddzielnie od opinii, widzi je tylko zespół wsparcia ofiar i zostaną usunięte po %[1]d dniach. Zespół będzie wiedział, której wizyty dotyczy prośba.",
		ContactName:      "Imię",
		ContactNameHelp:  "Jak mamy się do Ciebie zwracać?",
		ContactPhone:     "Numer telefonu",
		ContactEmail:     "Adres e-mail",
		ContactEither:    "Podaj numer telefonu, adres e-mail albo oba.",
		ContactBestTime:  "Kiedy najlepiej się z Tobą skontaktować?",
		TimeAny:          "W dowolnym czasie",
		TimeMorning:      "Rano, od 8:00 do 12:00",
		TimeAfternoon:    "Po południu, od 12:00 do 17:00",
		TimeEvening:      "Wieczorem, od 17:00 do 20:00",
		ContactSafe:      "Czy możemy bezpiecznie zostawić wiadomość lub powiedzieć, kto dzwoni?",
		SafeYes:          "Tak",
		SafeNo:           "Nie – rozmawiajcie tylko ze mną",
		ContactLanguage:  "W jakim języku mamy się kontaktować?",
		ContactSubmit:    "Poproś o kontakt",
		ContactSentTitle: "Otrzymaliśmy Twoją prośbę",
		ContactSentBody:  "Zespół wsparcia ofiar skontaktuje się z Tobą. Jeśli teraz grozi Ci niebezpieczeństwo, zadzwoń pod 999.",
		ContactAlready:   "Mamy już prośbę o kontakt wysłaną z tego kodu. Jeśli Twoje dane się zmieniły albo sprawa jest pilna, zadzwoń pod 101. Jeśli teraz grozi Ci niebezpieczeństwo, zadzwoń pod 999.",
		Emergency:        "Jeśli teraz grozi Ci niebezpieczeństwo, zadzwoń pod 999.",
		ErrContactNeeded: "Podaj numer telefonu lub adres e-mail.",
		ErrPhone:         "Wpisz numer telefonu, używając tylko cyfr, spacji i znaku +, do %[1]d znaków.",
		ErrEmail:         "Wpisz adres e-mail, na przykład imie@example.com.",
		ErrName:          "Imię jest za długie: maksymalnie %[1]d znaków.",
		ErrTextBad:       "Tekst zawiera znaki, których nie możemy zapisać. Wpisz go ponownie.",
		ErrChoice:        "Wybierz jedną z opcji albo pozostaw pytanie bez odpowiedzi.",

		ErrorSummary:  "Sprawdź swoje odpowiedzi",
		ErrRating:     "Wybierz ocenę od 1 do 5.",
		ErrAnswer:     "Wybierz tak, nie lub nie wiem albo pozostaw pytanie bez odpowiedzi.",
		ErrComment:    "Komentarz jest za długi: maksymalnie %[1]d znaków.",
		ErrCommentBad: "Komentarz zawiera znaki, których nie możemy zapisać. Wpisz go ponownie.",
		ErrForm:       "Nie udało się odczytać formularza. Odśwież stronę i spróbuj ponownie.",

		ThanksTitle: "Dziękujemy za opinię",
		ThanksBody:  "Twoje odpowiedzi do nas dotarły. Pomagają funkcjonariuszom dowiedzieć się, co robią dobrze, a co mogą robić lepiej.",

		AlreadyTitle: "Dziękujemy – opinia z tego kodu została już przesłana",
		AlreadyBody:  "Każdego kodu można użyć tylko raz i ten został już użyty. Jeśli to nie Ty, albo chcesz coś dodać, skontaktuj się z policją pod numerem podanym w ulotce.",

		RightsHeading:   "Twoje prawa jako ofiary przestępstwa",
		SupportHeading:  "Wsparcie",
		DownloadLeaflet: "Pobierz ulotkę ponownie (PDF)",

		Refusals: map[string]refusal{
			doorstep.ENOTFOUND: {"Nie znaleźliśmy tego kodu",
				"Sprawdź, czy adres został wpisany dokładnie tak, jak w ulotce, łącznie z wielkimi literami."},
			doorstep.EEXPIRED: {"Ten kod jest już nieaktywny",
				"Kody są aktywne przez ograniczony czas po wizycie albo do czasu anulowania przez funkcjonariusza i tego kodu nie można już użyć. Dziękujemy za chęć pomocy."},
			doorstep.EREVOKED: {"Tego kodu nie można już użyć",
				"Urządzenie, które utworzyło ten kod, zostało wycofane z użytku, a kod nigdy do nas nie dotarł. Przepraszamy: jeśli chcesz przekazać opinię, skontaktuj się z policją pod numerem podanym w ulotce."},
			doorstep.ECONFLICT: {"Opinia z tego kodu została już przesłana",
				"Każdego kodu można użyć tylko raz i ten został już użyty. Twoje nowe odpowiedzi nie zostały zapisane."},
			doorstep.EINVALID: {"Sprawdź swoje odpowiedzi",
				"Części przesłanych danych nie udało się przyjąć. Wróć i spróbuj ponownie."},
			doorstep.ETOOLARGE: {"Przesłano zbyt dużo danych",
				"Skróć komentarz i spróbuj ponownie."},
			doorstep.ERATELIMIT: {"Poczekaj chwilę",
				"Otrzymaliśmy wiele odpowiedzi z Twojego połączenia w krótkim czasie. Poczekaj minutę i spróbuj ponownie."},
			doorstep.EUNAVAILABLE: {"Usługa jest chwilowo niedostępna",
				"Spróbuj ponownie za kilka minut."},
			doorstep.EINTERNAL: {"Coś poszło nie tak po naszej stronie",
				"Twoje odpowiedzi mogły nie zostać zapisane. Spróbuj ponownie za kilka minut."},
		},
		PageNotFound: refusal{"Nie znaleziono strony", "Pod tym adresem nic nie ma. Jeśli przepisano go z ulotki, sprawdź go."},
		CSRF: refusal{"Odśwież stronę",
			"Formularz wygasł albo pochodził z innej strony, więc nic nie zostało zapisane. Wróć, odśwież stronę i wyślij odpowiedzi ponownie."},
	}
}
