package server

import doorstep "github.com/doorstep-project/doorstep"

// portuguese is the victim pages in European Portuguese, not yet checked by
// a fluent speaker.
func portuguese() *messages {
	return &messages{
		Lang: "pt", Dir: "ltr", Name: "Português",

		Languages:        "Idioma",
		LanguagesHeading: "Escolha o idioma",

		QuickExit:     "Saída rápida",
		QuickExitHelp: "Sai imediatamente desta página e abre a previsão do tempo.",
		SkipToContent: "Saltar para o conteúdo principal",

		DateFormat:      "%[1]d de %[2]s de %[3]d",
		Months:          [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		PageTitle:       "A sua opinião",
		VisitHeading:    "A sua opinião sobre %[1]s %[2]s, %[3]s, %[4]s",
		DiscreetHeading: "A sua opinião sobre a visita de %[1]s",
		VisitOfficer:    "Falou com %[1]s %[2]s, %[3]s.",
		Intro:           "Diga-nos como correu a visita. Demora cerca de um minuto. As suas respostas ajudam os agentes a perceber o que fazem bem e o que podem fazer melhor.",
		Privacy:         "Não lhe perguntamos quem é. Não escreva o seu nome nem os seus contactos no comentário: se quiser ser contactado(a), use a ligação abaixo.",

		RatingLegend: "No geral, como avalia a ajuda do agente?",
		RatingLabels: [5]string{"1 – muito má", "2 – má", "3 – razoável", "4 – boa", "5 – excelente"},

		QuestionRespect: "O agente tratou-o(a) com respeito?",
		QuestionRights:  "O agente explicou-lhe os seus direitos como vítima?",
		QuestionUpdates: "Sabe como obter informações sobre o andamento do seu caso?",
		AnswerYes:       "Sim",
		AnswerNo:        "Não",
		AnswerUnsure:    "Não sei",
		Optional:        "(opcional)",

		CommentLabel: "Há mais alguma coisa que nos queira dizer?",
		CommentHelp:  "Opcional. Até %[1]d caracteres.",
		Submit:       "Enviar opinião",

		AgeLegend:  "A sua idade",
		AgeUnder18: "Menos de 18",
		AgeOver65:  "65 ou mais",
		AgeNotSay:  "Prefiro não dizer",
		ErrAge:     "Escolha uma faixa etária ou «Prefiro não dizer».",

		ContactLink:      "Peça-nos que o(a) contactemos",
		ContactTitle:     "Peça-nos que o(a) contactemos",
		ContactIntro:     "Se quiser que o serviço de apoio à vítima o(a) contacte sobre o seu caso, deixe os dados que aceita que usemos. Só os usaremos para o(a) contactar.",
		ContactApart:     "Os seus dados são guardados separadamente da sua opinião, só o serviço de apoio à vítima os vê e são apagados ao fim de %[1]d dias. O serviço saberá a que visita se refere o pedido.",
		ContactName:      "O seu nome",
		ContactNameHelp:  "Como quer que nos dirijamos a si?",
		ContactPhone:     "Número de telefone",
		ContactEmail:     "Endereço de e-mail",
		ContactEither:    "Indique um número de telefone, um endereço de e-mail ou ambos.",
		ContactBestTime:  "Qual é a melhor altura para o(a) contactarmos?",
		TimeAny:          "A qualquer hora",
		TimeMorning:      "De manhã, das 8h às 12h",
		TimeAfternoon:    "À tarde, das 12h às 17h",
		TimeEvening:      "Ao fim do dia, das 17h às 20h",
		ContactSafe:      "É seguro deixarmos uma mensagem ou dizermos quem está a ligar?",
		SafeYes:          "Sim",
		SafeNo:           "Não – falem só comigo",
		ContactLanguage:  "Em que idioma devemos falar consigo?",
		ContactSubmit:    "Pedir contacto",
		ContactSentTitle: "Recebemos o seu pedido",
		ContactSentBody:  "O serviço de apoio à vítima vai contactá-lo(a). Se estiver em perigo agora, ligue 999.",
		ContactAlready:   "Já temos um pedido de contacto feito com este código. Se os seus dados mudaram ou for urgente, ligue 101. Se estiver em perigo agora, ligue 999.",
		Emergency:        "Se estiver em perigo agora, ligue 999.",
		ErrContactNeeded: "Indique um número de telefone ou um endereço de e-mail.",
		ErrPhone:         "Escreva um número de telefone só com algarismos, espaços e +, até %[1]d caracteres.",
		ErrEmail:         "Escreva um endereço de e-mail como nome@example.com.",
		ErrName:          "O nome é demasiado longo: no máximo %[1]d caracteres.",
		ErrTextBad:       "O texto tem caracteres que não conseguimos guardar. Escreva-o de novo.",
		ErrChoice:        "Escolha uma das opções ou deixe a pergunta sem resposta.",

		ErrorSummary:  "Verifique as suas respostas",
		ErrRating:     "Escolha uma avaliação de 1 a 5.",
		ErrAnswer:     "Escolha sim, não ou não sei, ou deixe a pergunta sem resposta.",
		ErrComment:    "O comentário é demasiado longo: no máximo %[1]d caracteres.",
		ErrCommentBad: "O comentário tem caracteres que não conseguimos guardar. Escreva-o de novo.",
		ErrForm:       "Não conseguimos ler o formulário. Recarregue a página e tente de novo.",

		ThanksTitle: "Obrigado pela sua opinião",
		ThanksBody:  "As suas respostas chegaram até nós. Ajudam os agentes a perceber o que fazem bem e o que podem fazer melhor.",

		AlreadyTitle: "Obrigado – a opinião sobre este código já foi enviada",
		AlreadyBody:  "Cada código só pode ser usado uma vez, e este já foi usado. Se não foi o(a) senhor(a), ou se quiser acrescentar algo, contacte a polícia pelo número do seu folheto.",

		RightsHeading:   "Os seus direitos como vítima",
		SupportHeading:  "Apoio",
		DownloadLeaflet: "Descarregar o folheto de novo (PDF)",

		Refusals: map[string]refusal{
			doorstep.ENOTFOUND: {"Não encontrámos este código",
				"Verifique se o endereço foi escrito exatamente como está impresso no folheto, incluindo as maiúsculas."},
			doorstep.EEXPIRED: {"Este código já fechou",
				"Os códigos ficam abertos durante um tempo limitado após a visita, ou até o agente os cancelar, e este já não pode ser usado. Obrigado por querer ajudar."},
			doorstep.EREVOKED: {"Este código já não pode ser usado",
				"O aparelho que criou este código foi retirado de serviço e o código nunca nos chegou. Lamentamos: se quiser dar a sua opinião, contacte a polícia pelo número do seu folheto."},
			doorstep.ECONFLICT: {"A opinião sobre este código já foi enviada",
				"Cada código só pode ser usado uma vez, e este já foi usado. As suas novas respostas não foram guardadas."},
			doorstep.EINVALID: {"Verifique as suas respostas",
				"Parte do que foi enviado não pôde ser aceite. Volte atrás e tente de novo."},
			doorstep.ETOOLARGE: {"Foi enviado demasiado texto",
				"Encurte o comentário e tente de novo."},
			doorstep.ERATELIMIT: {"Aguarde um minuto",
				"Recebemos muitas respostas da sua ligação num curto espaço de tempo. Aguarde um minuto e tente de novo."},
			doorstep.EUNAVAILABLE: {"O serviço não está disponível neste momento",
				"Tente de novo dentro de alguns minutos."},
			doorstep.EINTERNAL: {"Algo correu mal do nosso lado",
				"As suas respostas podem não ter sido guardadas. Tente de novo dentro de alguns minutos."},
		},
		PageNotFound: refusal{"Página não encontrada", "Não há nada neste endereço. Se o copiou de um folheto, verifique-o."},
		CSRF: refusal{"Recarregue a página",
			"O formulário expirou ou veio de outra página, por isso nada foi guardado. Volte atrás, recarregue a página e envie as respostas de novo."},
	}
}
