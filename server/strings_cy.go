package server

import doorstep "github.com/doorstep-project/doorstep"

// welsh is the victim pages in Welsh: complete, not yet checked by a fluent
// speaker (as leaflet/content/cy.json).
func welsh() *messages {
	return &messages{
		Lang: "cy", Dir: "ltr", Name: "Cymraeg",

		Languages:        "Iaith",
		LanguagesHeading: "Dewiswch iaith",

		QuickExit:     "Gadael yn gyflym",
		QuickExitHelp: "Yn gadael y dudalen hon ar unwaith am ragolygon y tywydd.",
		SkipToContent: "Neidio i'r prif gynnwys",

		DateFormat:      "%[1]d %[2]s %[3]d",
		Months:          [12]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"},
		PageTitle:       "Eich adborth",
		VisitHeading:    "Eich adborth ar %[1]s %[2]s, %[3]s, %[4]s",
		DiscreetHeading: "Eich adborth ar eich ymweliad ar %[1]s",
		VisitOfficer:    "Fe welsoch chi %[1]s %[2]s, %[3]s.",
		Intro:           "Dywedwch wrthym sut aeth yr ymweliad. Mae'n cymryd tua munud. Mae eich atebion yn helpu swyddogion i ddysgu beth maen nhw'n ei wneud yn dda a beth y gallan nhw ei wneud yn well.",
		Privacy:         "Nid yw eich adborth yn gofyn pwy ydych chi. Peidiwch ag ysgrifennu eich enw na'ch manylion cyswllt yn eich sylw: i ni gysylltu â chi, defnyddiwch y ddolen isod.",

		RatingLegend: "At ei gilydd, sut fyddech chi'n graddio help y swyddog?",
		RatingLabels: [5]string{"1 – gwael iawn", "2 – gwael", "3 – gweddol", "4 – da", "5 – ardderchog"},

		QuestionRespect: "A wnaeth y swyddog eich trin â pharch?",
		QuestionRights:  "A wnaeth y swyddog egluro eich hawliau fel dioddefwr?",
		QuestionUpdates: "Ydych chi'n gwybod sut i gael y newyddion diweddaraf am eich achos?",
		AnswerYes:       "Ie",
		AnswerNo:        "Na",
		AnswerUnsure:    "Ddim yn siŵr",
		Optional:        "(dewisol)",

		CommentLabel: "Unrhyw beth arall yr hoffech ei ddweud wrthym?",
		CommentHelp:  "Dewisol. Hyd at %[1]d nod.",
		Submit:       "Anfon adborth",

		AgeLegend:  "Eich oedran",
		AgeUnder18: "O dan 18",
		AgeOver65:  "65 neu drosodd",
		AgeNotSay:  "Mae'n well gennyf beidio â dweud",
		ErrAge:     "Dewiswch fand oedran, neu dewiswch beidio â dweud.",

		ContactLink:      "Gofyn i ni gysylltu â chi",
		ContactTitle:     "Gofyn i ni gysylltu â chi",
		ContactIntro:     "Os hoffech i'r ddesg gofal dioddefwyr gysylltu â chi am eich achos, rhowch y manylion rydych chi'n fodlon i ni eu defnyddio. Byddwn yn eu defnyddio i gysylltu â chi yn unig.",
		ContactApart:     "Cedwir eich manylion ar wahân i'ch adborth, dim ond y ddesg gofal dioddefwyr sy'n eu gweld, ac fe'u dilëir ar ôl %[1]d diwrnod. Bydd y ddesg yn gweld pa ymweliad yw hwn.",
		ContactName:      "Eich enw",
		ContactNameHelp:  "Sut hoffech chi i ni eich cyfarch?",
		ContactPhone:     "Rhif ffôn",
		ContactEmail:     "Cyfeiriad e-bost",
		ContactEither:    "Rhowch rif ffôn, cyfeiriad e-bost, neu'r ddau.",
		ContactBestTime:  "Pryd yw'r amser gorau i gysylltu â chi?",
		TimeAny:          "Unrhyw bryd",
		TimeMorning:      "Bore, 8am i 12 hanner dydd",
		TimeAfternoon:    "Prynhawn, 12 hanner dydd i 5pm",
		TimeEvening:      "Noswaith, 5pm i 8pm",
		ContactSafe:      "A yw'n ddiogel i ni adael neges, neu ddweud pwy sy'n galw?",
		SafeYes:          "Ydy",
		SafeNo:           "Nac ydy – siaradwch â fi yn unig",
		ContactLanguage:  "Pa iaith ddylen ni ei defnyddio?",
		ContactSubmit:    "Gofyn am gysylltiad",
		ContactSentTitle: "Mae eich cais gennym",
		ContactSentBody:  "Bydd y ddesg gofal dioddefwyr yn cysylltu â chi. Os ydych chi mewn perygl nawr, ffoniwch 999.",
		ContactAlready:   "Mae gennym gais yn barod i gysylltu â chi o'r cod hwn. Os yw eich manylion wedi newid neu os yw'n fater brys, ffoniwch 101. Os ydych chi mewn perygl nawr, ffoniwch 999.",
		Emergency:        "Os ydych chi mewn perygl nawr, ffoniwch 999.",
		ErrContactNeeded: "Rhowch rif ffôn neu gyfeiriad e-bost.",
		ErrPhone:         "Rhowch rif ffôn gan ddefnyddio digidau, bylchau a + yn unig, hyd at %[1]d nod.",
		ErrEmail:         "Rhowch gyfeiriad e-bost fel enw@enghraifft.com.",
		ErrName:          "Mae eich enw yn rhy hir: cadwch ef i %[1]d nod.",
		ErrTextBad:       "Mae hwn yn cynnwys nodau na allwn eu cadw. Teipiwch ef eto.",
		ErrChoice:        "Dewiswch un o'r opsiynau, neu gadewch y cwestiwn heb ei ateb.",

		ErrorSummary:  "Gwiriwch eich atebion",
		ErrRating:     "Dewiswch radd o 1 i 5.",
		ErrAnswer:     "Dewiswch ie, na neu ddim yn siŵr, neu gadewch y cwestiwn heb ei ateb.",
		ErrComment:    "Mae eich sylw yn rhy hir: cadwch ef i %[1]d nod.",
		ErrCommentBad: "Mae eich sylw yn cynnwys nodau na allwn eu cadw. Teipiwch ef eto.",
		ErrForm:       "Nid oeddem yn gallu darllen y ffurflen. Ail-lwythwch y dudalen a rhowch gynnig arall arni.",

		ThanksTitle: "Diolch am eich adborth",
		ThanksBody:  "Mae eich atebion wedi ein cyrraedd. Maen nhw'n helpu swyddogion i ddysgu beth maen nhw'n ei wneud yn dda a beth y gallan nhw ei wneud yn well.",

		AlreadyTitle: "Diolch – mae adborth ar gyfer y cod hwn eisoes wedi dod i law",
		AlreadyBody:  "Gellir defnyddio pob cod adborth unwaith, ac mae'r un hwn wedi'i ddefnyddio. Os nad chi oedd hynny, neu os hoffech ychwanegu rhywbeth, cysylltwch â'r heddlu ar y rhif yn eich taflen.",

		RightsHeading:   "Eich hawliau fel dioddefwr",
		SupportHeading:  "Cymorth",
		DownloadLeaflet: "Lawrlwytho eich taflen eto (PDF)",

		Refusals: map[string]refusal{
			doorstep.ENOTFOUND: {"Ni allem ddod o hyd i'r cod adborth hwn",
				"Gwiriwch fod y cyfeiriad wedi'i deipio yn union fel y mae wedi'i argraffu ar eich taflen, gan gynnwys priflythrennau."},
			doorstep.EEXPIRED: {"Mae'r cod adborth hwn wedi cau",
				"Mae codau adborth ar agor am gyfnod cyfyngedig ar ôl yr ymweliad, neu nes i'r swyddog eu canslo, ac ni ellir defnyddio'r un hwn mwyach. Diolch am fod eisiau helpu."},
			doorstep.EREVOKED: {"Ni ellir defnyddio'r cod adborth hwn mwyach",
				"Mae'r ddyfais a wnaeth y cod hwn wedi'i thynnu'n ôl o wasanaeth, ac ni chyrhaeddodd y cod ni. Mae'n ddrwg gennym: cysylltwch â'r heddlu ar y rhif yn eich taflen os hoffech roi adborth."},
			doorstep.ECONFLICT: {"Mae adborth ar gyfer y cod hwn eisoes wedi dod i law",
				"Gellir defnyddio pob cod adborth unwaith, ac mae'r un hwn wedi'i ddefnyddio. Nid yw eich atebion newydd wedi'u cadw."},
			doorstep.EINVALID: {"Gwiriwch eich atebion",
				"Nid oedd modd derbyn rhywfaint o'r hyn a anfonwyd. Ewch yn ôl a rhowch gynnig arall arni."},
			doorstep.ETOOLARGE: {"Roedd hynny'n ormod i'w anfon",
				"Byrhewch eich sylw a rhowch gynnig arall arni."},
			doorstep.ERATELIMIT: {"Arhoswch funud",
				"Rydym wedi cael llawer o atebion o'ch cysylltiad mewn amser byr. Arhoswch funud a rhowch gynnig arall arni."},
			doorstep.EUNAVAILABLE: {"Nid yw'r gwasanaeth ar gael ar hyn o bryd",
				"Rhowch gynnig arall arni ymhen ychydig funudau."},
			doorstep.EINTERNAL: {"Aeth rhywbeth o'i le ar ein hochr ni",
				"Efallai nad yw eich atebion wedi'u cadw. Rhowch gynnig arall arni ymhen ychydig funudau."},
		},
		PageNotFound: refusal{"Heb ddod o hyd i'r dudalen", "Does dim byd yn y cyfeiriad hwn. Os gwnaethoch ei deipio o daflen, gwiriwch ef."},
		CSRF: refusal{"Ail-lwythwch y dudalen",
			"Roedd eich ffurflen wedi dod i ben neu wedi dod o dudalen arall, felly ni chadwyd dim. Ewch yn ôl, ail-lwythwch y dudalen ac anfonwch eich atebion eto."},
	}
}
