package server

import doorstep "github.com/doorstep-project/doorstep"

// spanish is the victim pages in Spanish, not yet checked by a fluent speaker.
func spanish() *messages {
	return &messages{
		Lang: "es", Dir: "ltr", Name: "Español",

		Languages:        "Idioma",
		LanguagesHeading: "Elija un idioma",

		QuickExit:     "Salida rápida",
		QuickExitHelp: "Sale de esta página al instante y abre la previsión del tiempo.",
		SkipToContent: "Ir al contenido principal",

		DateFormat:      "%[1]d de %[2]s de %[3]d",
		Months:          [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		PageTitle:       "Su opinión",
		VisitHeading:    "Su opinión sobre %[1]s %[2]s, %[3]s, %[4]s",
		DiscreetHeading: "Su opinión sobre la visita del %[1]s",
		VisitOfficer:    "Le atendió %[1]s %[2]s, %[3]s.",
		Intro:           "Cuéntenos cómo fue la visita. Se tarda alrededor de un minuto. Sus respuestas ayudan a los agentes a saber qué hacen bien y qué pueden mejorar.",
		Privacy:         "No le preguntamos quién es. Por favor, no escriba su nombre ni sus datos de contacto en el comentario: si quiere que le contactemos, use el enlace de abajo.",

		RatingLegend: "En general, ¿cómo valora la ayuda del agente?",
		RatingLabels: [5]string{"1 – muy mala", "2 – mala", "3 – regular", "4 – buena", "5 – excelente"},

		QuestionRespect: "¿Le trató el agente con respeto?",
		QuestionRights:  "¿Le explicó el agente sus derechos como víctima?",
		QuestionUpdates: "¿Sabe cómo obtener información sobre cómo avanza su caso?",
		AnswerYes:       "Sí",
		AnswerNo:        "No",
		AnswerUnsure:    "No estoy seguro/a",
		Optional:        "(opcional)",

		CommentLabel: "¿Hay algo más que quiera decirnos?",
		CommentHelp:  "Opcional. Hasta %[1]d caracteres.",
		Submit:       "Enviar opinión",

		AgeLegend:  "Su edad",
		AgeUnder18: "Menos de 18",
		AgeOver65:  "65 o más",
		AgeNotSay:  "Prefiero no decirlo",
		ErrAge:     "Elija un grupo de edad o «Prefiero no decirlo».",

		ContactLink:      "Pida que le contactemos",
		ContactTitle:     "Pida que le contactemos",
		ContactIntro:     "Si quiere que el servicio de atención a víctimas le contacte sobre su caso, deje los datos que acepte que usemos. Solo los usaremos para contactarle.",
		ContactApart:     "Sus datos se guardan aparte de su opinión, solo los ve el servicio de atención a víctimas y se borran a los %[1]d días. El servicio verá a qué visita se refiere.",
		ContactName:      "Su nombre",
		ContactNameHelp:  "¿Cómo quiere que nos dirijamos a usted?",
		ContactPhone:     "Número de teléfono",
		ContactEmail:     "Correo electrónico",
		ContactEither:    "Indique un teléfono, un correo electrónico o ambos.",
		ContactBestTime:  "¿Cuál es el mejor momento para contactarle?",
		TimeAny:          "Cualquier momento",
		TimeMorning:      "Por la mañana, de 8:00 a 12:00",
		TimeAfternoon:    "Por la tarde, de 12:00 a 17:00",
		TimeEvening:      "Al final de la tarde, de 17:00 a 20:00",
		ContactSafe:      "¿Es seguro dejarle un mensaje o decir quién llama?",
		SafeYes:          "Sí",
		SafeNo:           "No – hablen solo conmigo",
		ContactLanguage:  "¿En qué idioma quiere que le hablemos?",
		ContactSubmit:    "Pedir que me contacten",
		ContactSentTitle: "Hemos recibido su solicitud",
		ContactSentBody:  "El servicio de atención a víctimas se pondrá en contacto con usted. Si está en peligro ahora, llame al 999.",
		ContactAlready:   "Ya tenemos una solicitud de contacto hecha con este código. Si sus datos han cambiado o es urgente, llame al 101. Si está en peligro ahora, llame al 999.",
		Emergency:        "Si está en peligro ahora, llame al 999.",
		ErrContactNeeded: "Indique un teléfono o un correo electrónico.",
		ErrPhone:         "Escriba un teléfono usando solo cifras, espacios y +, hasta %[1]d caracteres.",
		ErrEmail:         "Escriba un correo electrónico como nombre@example.com.",
		ErrName:          "El nombre es demasiado largo: como máximo %[1]d caracteres.",
		ErrTextBad:       "El texto tiene caracteres que no podemos guardar. Vuelva a escribirlo.",
		ErrChoice:        "Elija una de las opciones o deje la pregunta sin responder.",

		ErrorSummary:  "Revise sus respuestas",
		ErrRating:     "Elija una valoración del 1 al 5.",
		ErrAnswer:     "Elija sí, no o no estoy seguro/a, o deje la pregunta sin responder.",
		ErrComment:    "El comentario es demasiado largo: como máximo %[1]d caracteres.",
		ErrCommentBad: "El comentario tiene caracteres que no podemos guardar. Vuelva a escribirlo.",
		ErrForm:       "No hemos podido leer el formulario. Vuelva a cargar la página e inténtelo de nuevo.",

		ThanksTitle: "Gracias por su opinión",
		ThanksBody:  "Sus respuestas nos han llegado. Ayudan a los agentes a saber qué hacen bien y qué pueden mejorar.",

		AlreadyTitle: "Gracias – ya hemos recibido la opinión de este código",
		AlreadyBody:  "Cada código solo se puede usar una vez, y este ya se ha usado. Si no fue usted, o quiere añadir algo, contacte con la policía en el número de su folleto.",

		RightsHeading:   "Sus derechos como víctima",
		SupportHeading:  "Apoyo",
		DownloadLeaflet: "Descargar de nuevo el folleto (PDF)",

		Refusals: map[string]refusal{
			doorstep.ENOTFOUND: {"No hemos encontrado este código",
				"Compruebe que la dirección está escrita exactamente como aparece en el folleto, incluidas las mayúsculas."},
			doorstep.EEXPIRED: {"Este código ya está cerrado",
				"Los códigos están abiertos durante un tiempo limitado después de la visita, o hasta que el agente los cancela, y este ya no se puede usar. Gracias por querer ayudar."},
			doorstep.EREVOKED: {"Este código ya no se puede usar",
				"El dispositivo que creó este código se ha retirado del servicio y el código nunca nos llegó. Lo sentimos: si quiere dar su opinión, contacte con la policía en el número de su folleto."},
			doorstep.ECONFLICT: {"Ya hemos recibido la opinión de este código",
				"Cada código solo se puede usar una vez, y este ya se ha usado. Sus nuevas respuestas no se han guardado."},
			doorstep.EINVALID: {"Revise sus respuestas",
				"Parte de lo enviado no se ha podido aceptar. Vuelva atrás e inténtelo de nuevo."},
			doorstep.ETOOLARGE: {"Ha enviado demasiado",
				"Acorte el comentario e inténtelo de nuevo."},
			doorstep.ERATELIMIT: {"Espere un minuto",
				"Hemos recibido muchas respuestas desde su conexión en poco tiempo. Espere un minuto e inténtelo de nuevo."},
			doorstep.EUNAVAILABLE: {"El servicio no está disponible ahora",
				"Inténtelo de nuevo dentro de unos minutos."},
			doorstep.EINTERNAL: {"Algo ha fallado por nuestra parte",
				"Puede que sus respuestas no se hayan guardado. Inténtelo de nuevo dentro de unos minutos."},
		},
		PageNotFound: refusal{"Página no encontrada", "No hay nada en esta dirección. Si la copió de un folleto, compruébela."},
		CSRF: refusal{"Vuelva a cargar la página",
			"El formulario había caducado o venía de otra página, así que no se ha guardado nada. Vuelva atrás, cargue de nuevo la página y envíe sus respuestas otra vez."},
	}
}
