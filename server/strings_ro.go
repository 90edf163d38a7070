package server

import doorstep "github.com/doorstep-project/doorstep"

// romanian is the victim pages in Romanian (comma-below ș ț), not yet checked
// by a fluent speaker.
func romanian() *messages {
	return &messages{
		Lang: "ro", Dir: "ltr", Name: "Română",

		Languages:        "Limba",
		LanguagesHeading: "Alegeți limba",

		QuickExit:     "Ieșire rapidă",
		QuickExitHelp: "Părăsește imediat această pagină și deschide prognoza meteo.",
		SkipToContent: "Salt la conținutul principal",

		DateFormat:      "%[1]d %[2]s %[3]d",
		Months:          [12]string{"ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie", "octombrie", "noiembrie", "decembrie"},
		PageTitle:       "Părerea dumneavoastră",
		VisitHeading:    "Părerea dumneavoastră despre %[1]s %[2]s, %[3]s, %[4]s",
		DiscreetHeading: "Părerea dumneavoastră despre vizita din %[1]s",
		VisitOfficer:    "Ați vorbit cu %[1]s %[2]s, %[3]s.",
		Intro:           "Spuneți-ne cum a decurs vizita. Durează aproximativ un minut. Răspunsurile dumneavoastră îi ajută pe ofițeri să afle ce fac bine și ce pot face mai bine.",
		Privacy:         "Nu vă întrebăm cine sunteți. Vă rugăm să nu scrieți numele sau datele de contact în comentariu: pentru a fi contactat(ă), folosiți linkul de mai jos.",

		RatingLegend: "În general, cum apreciați ajutorul ofițerului?",
		RatingLabels: [5]string{"1 – foarte slab", "2 – slab", "3 – acceptabil", "4 – bine", "5 – excelent"},

		QuestionRespect: "V-a tratat ofițerul cu respect?",
		QuestionRights:  "V-a explicat ofițerul drepturile pe care le aveți ca victimă?",
		QuestionUpdates: "Știți cum puteți afla noutăți despre cazul dumneavoastră?",
		AnswerYes:       "Da",
		AnswerNo:        "Nu",
		AnswerUnsure:    "Nu sunt sigur(ă)",
		Optional:        "(opțional)",

		CommentLabel: "Mai doriți să ne spuneți ceva?",
		CommentHelp:  "Opțional. Până la %[1]d de caractere.",
		Submit:       "Trimiteți părerea",

		AgeLegend:  "Vârsta dumneavoastră",
		AgeUnder18: "Sub 18 ani",
		AgeOver65:  "65 de ani sau peste",
		AgeNotSay:  "Prefer să nu spun",
		ErrAge:     "Alegeți o grupă de vârstă sau „Prefer să nu spun”.",

		ContactLink:      "Cereți să fiți contactat(ă)",
		ContactTitle:     "Cereți să fiți contactat(ă)",
		ContactIntro:     "Dacă doriți ca biroul de sprijin pentru victime să vă contacteze în legătură cu cazul dumneavoastră, lăsați datele pe care sunteți de acord să le folosim. Le vom folosi doar pentru a vă contacta.",
		ContactApart:     "Datele dumneavoastră sunt păstrate separat de părerea dumneavoastră, le vede doar biroul de sprijin pentru victime și sunt șterse după %[1]d de zile. Biroul va vedea despre ce vizită este vorba.",
		ContactName:      "Numele dumneavoastră",
		ContactNameHelp:  "Cum doriți să ne adresăm?",
		ContactPhone:     "Număr de telefon",
		ContactEmail:     "Adresă de e-mail",
		ContactEither:    "Dați un număr de telefon, o adresă de e-mail sau pe amândouă.",
		ContactBestTime:  "Când este cel mai bine să vă contactăm?",
		TimeAny:          "Oricând",
		TimeMorning:      "Dimineața, între 8:00 și 12:00",
		TimeAfternoon:    "După-amiaza, între 12:00 și 17:00",
		TimeEvening:      "Seara, între 17:00 și 20:00",
		ContactSafe:      "Putem lăsa un mesaj sau spune cine sună, fără niciun risc pentru dumneavoastră?",
		SafeYes:          "Da",
		SafeNo:           "Nu – vorbiți doar cu mine",
		ContactLanguage:  "În ce limbă să vă contactăm?",
		ContactSubmit:    "Cereți să fiți contactat(ă)",
		ContactSentTitle: "Am primit cererea dumneavoastră",
		ContactSentBody:  "Biroul de sprijin pentru victime vă va contacta. Dacă sunteți în pericol acum, sunați la 999.",
		ContactAlready:   "Avem deja o cerere de contact trimisă cu acest cod. Dacă datele dumneavoastră s-au schimbat sau este urgent, sunați la 101. Dacă sunteți în pericol acum, sunați la 999.",
		Emergency:        "Dacă sunteți în pericol acum, sunați la 999.",
		ErrContactNeeded: "Dați un număr de telefon sau o adresă de e-mail.",
		ErrPhone:         "Introduceți un număr de telefon folosind doar cifre, spații și +, până la %[1]d de caractere.",
		ErrEmail:         "Introduceți o adresă de e-mail, de exemplu nume@example.com.",
		ErrName:          "Numele este prea lung: cel mult %[1]d de caractere.",
		ErrTextBad:       "Textul conține caractere pe care nu le putem păstra. Vă rugăm să-l scrieți din nou.",
		ErrChoice:        "Alegeți una dintre opțiuni sau lăsați întrebarea fără răspuns.",

		ErrorSummary:  "Vă rugăm să vă verificați răspunsurile",
		ErrRating:     "Alegeți o notă de la 1 la 5.",
		ErrAnswer:     "Alegeți da, nu sau nu sunt sigur(ă), ori lăsați întrebarea fără răspuns.",
		ErrComment:    "Comentariul este prea lung: cel mult %[1]d de caractere.",
		ErrCommentBad: "Comentariul conține caractere pe care nu le putem păstra. Vă rugăm să-l scrieți din nou.",
		ErrForm:       "Nu am putut citi formularul. Reîncărcați pagina și încercați din nou.",

		ThanksTitle: "Vă mulțumim pentru părere",
		ThanksBody:  "Răspunsurile dumneavoastră au ajuns la noi. Îi ajută pe ofițeri să afle ce fac bine și ce pot face mai bine.",

		AlreadyTitle: "Vă mulțumim – părerea pentru acest cod a fost deja trimisă",
		AlreadyBody:  "Fiecare cod poate fi folosit o singură dată, iar acesta a fost folosit. Dacă nu ați fost dumneavoastră sau doriți să adăugați ceva, contactați poliția la numărul din pliant.",

		RightsHeading:   "Drepturile dumneavoastră ca victimă",
		SupportHeading:  "Sprijin",
		DownloadLeaflet: "Descărcați din nou pliantul (PDF)",

		Refusals: map[string]refusal{
			doorstep.ENOTFOUND: {"Nu am găsit acest cod",
				"Verificați dacă adresa a fost scrisă exact ca în pliant, inclusiv literele mari."},
			doorstep.EEXPIRED: {"Acest cod s-a închis",
				"Codurile rămân deschise o perioadă limitată după vizită sau până când ofițerul le anulează, iar acesta nu mai poate fi folosit. Vă mulțumim că ați dorit să ajutați."},
			doorstep.EREVOKED: {"Acest cod nu mai poate fi folosit",
				"Dispozitivul care a creat acest cod a fost retras din uz, iar codul nu a ajuns niciodată la noi. Ne pare rău: dacă doriți să vă spuneți părerea, contactați poliția la numărul din pliant."},
			doorstep.ECONFLICT: {"Părerea pentru acest cod a fost deja trimisă",
				"Fiecare cod poate fi folosit o singură dată, iar acesta a fost folosit. Noile răspunsuri nu au fost păstrate."},
			doorstep.EINVALID: {"Vă rugăm să vă verificați răspunsurile",
				"O parte din ce ați trimis nu a putut fi acceptată. Întoarceți-vă și încercați din nou."},
			doorstep.ETOOLARGE: {"Ați trimis prea mult",
				"Scurtați comentariul și încercați din nou."},
			doorstep.ERATELIMIT: {"Vă rugăm să așteptați un minut",
				"Am primit multe răspunsuri de la conexiunea dumneavoastră într-un timp scurt. Așteptați un minut și încercați din nou."},
			doorstep.EUNAVAILABLE: {"Serviciul nu este disponibil acum",
				"Încercați din nou peste câteva minute."},
			doorstep.EINTERNAL: {"Ceva nu a funcționat la noi",
				"Este posibil ca răspunsurile să nu fi fost păstrate. Încercați din nou peste câteva minute."},
		},
		PageNotFound: refusal{"Pagina nu a fost găsită", "La această adresă nu există nimic. Dacă ați copiat-o dintr-un pliant, verificați-o."},
		CSRF: refusal{"Vă rugăm să reîncărcați pagina",
			"Formularul a expirat sau a venit de pe altă pagină, așa că nu s-a păstrat nimic. Întoarceți-vă, reîncărcați pagina și trimiteți din nou răspunsurile."},
	}
}
