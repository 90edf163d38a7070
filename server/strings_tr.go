package server

import doorstep "github.com/doorstep-project/doorstep"

// turkish is the victim pages in Turkish, not yet checked by a fluent speaker.
func turkish() *messages {
	return &messages{
		Lang: "tr", Dir: "ltr", Name: "Türkçe",

		Languages:        "Dil",
		LanguagesHeading: "Dil seçin",

		QuickExit:     "Hızlı çıkış",
		QuickExitHelp: "Bu sayfadan hemen çıkar ve hava durumunu açar.",
		SkipToContent: "Ana içeriğe geç",

		DateFormat:      "%[1]d %[2]s %[3]d",
		Months:          [12]string{"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"},
		PageTitle:       "Görüşünüz",
		VisitHeading:    "%[1]s %[2]s, %[3]s, %[4]s hakkındaki görüşünüz",
		DiscreetHeading: "%[1]s tarihli ziyaret hakkındaki görüşünüz",
		VisitOfficer:    "Görüştüğünüz kişi: %[1]s %[2]s, %[3]s.",
		Intro:           "Ziyaretin nasıl geçtiğini bize anlatın. Yaklaşık bir dakika sürer. Yanıtlarınız, memurların neyi iyi yaptıklarını ve neyi daha iyi yapabileceklerini öğrenmelerine yardımcı olur.",
		Privacy:         "Kim olduğunuzu sormuyoruz. Lütfen yorumunuza adınızı veya iletişim bilgilerinizi yazmayın: sizinle iletişime geçmemizi istiyorsanız aşağıdaki bağlantıyı kullanın.",

		RatingLegend: "Genel olarak memurun yardımını nasıl değerlendirirsiniz?",
		RatingLabels: [5]string{"1 – çok kötü", "2 – kötü", "3 – orta", "4 – iyi", "5 – mükemmel"},

		QuestionRespect: "Memur size saygılı davrandı mı?",
		QuestionRights:  "Memur size mağdur olarak haklarınızı açıkladı mı?",
		QuestionUpdates: "Davanızla ilgili gelişmeleri nasıl öğrenebileceğinizi biliyor musunuz?",
		AnswerYes:       "Evet",
		AnswerNo:        "Hayır",
		AnswerUnsure:    "Emin değilim",
		Optional:        "(isteğe bağlı)",

		CommentLabel: "Bize söylemek istediğiniz başka bir şey var mı?",
		CommentHelp:  "İsteğe bağlı. En fazla %[1]d karakter.",
		Submit:       "Görüşü gönder",

		AgeLegend:  "Yaşınız",
		AgeUnder18: "18 yaş altı",
		AgeOver65:  "65 ve üzeri",
		AgeNotSay:  "Belirtmek istemiyorum",
		ErrAge:     "Bir yaş aralığı seçin veya “Belirtmek istemiyorum”u seçin.",

		ContactLink:      "Sizinle iletişime geçmemizi isteyin",
		ContactTitle:     "Sizinle iletişime geçmemizi isteyin",
		ContactIntro:     "Mağdur destek biriminin davanızla ilgili sizinle iletişime geçmesini istiyorsanız, kullanmamıza izin verdiğiniz bilgileri bırakın. Bunları yalnızca sizinle iletişim kurmak için kullanacağız.",
		ContactApart:     "Bilgileriniz görüşünüzden ayrı tutulur, yalnızca mağdur destek birimi görür ve %[1]d gün sonra silinir. Birim, talebin hangi ziyaretle ilgili olduğunu görür.",
		ContactName:      "Adınız",
		ContactNameHelp:  "Size nasıl hitap etmemizi istersiniz?",
		ContactPhone:     "Telefon numarası",
		ContactEmail:     "E-posta adresi",
		ContactEither:    "Bir telefon numarası, bir e-posta adresi veya ikisini birden verin.",
		ContactBestTime:  "Sizinle iletişim kurmak için en uygun zaman ne?",
		TimeAny:          "Herhangi bir zaman",
		TimeMorning:      "Sabah, 08.00–12.00",
		TimeAfternoon:    "Öğleden sonra, 12.00–17.00",
		TimeEvening:      "Akşam, 17.00–20.00",
		ContactSafe:      "Mesaj bırakmamız veya kimin aradığını söylememiz sizin için güvenli mi?",
		SafeYes:          "Evet",
		SafeNo:           "Hayır – yalnızca benimle konuşun",
		ContactLanguage:  "Hangi dili kullanalım?",
		ContactSubmit:    "İletişim talep et",
		ContactSentTitle: "Talebinizi aldık",
		ContactSentBody:  "Mağdur destek birimi sizinle iletişime geçecek. Şu anda tehlikedeyseniz 999'u arayın.",
		ContactAlready:   "Bu koddan gönderilmiş bir iletişim talebi zaten elimizde. Bilgileriniz değiştiyse veya durum acilse 101'i arayın. Şu anda tehlikedeyseniz 999'u arayın.",
		Emergency:        "Şu anda tehlikedeyseniz 999'u arayın.",
		ErrContactNeeded: "Bir telefon numarası veya e-posta adresi verin.",
		ErrPhone:         "Telefon numarasını yalnızca rakam, boşluk ve + kullanarak, en fazla %[1]d karakterle yazın.",
		ErrEmail:         "ad@example.com gibi bir e-posta adresi yazın.",
		ErrName:          "Adınız çok uzun: en fazla %[1]d karakter olmalı.",
		ErrTextBad:       "Bu metinde saklayamadığımız karakterler var. Lütfen yeniden yazın.",
		ErrChoice:        "Seçeneklerden birini seçin veya soruyu yanıtsız bırakın.",

		ErrorSummary:  "Lütfen yanıtlarınızı kontrol edin",
		ErrRating:     "1 ile 5 arasında bir puan seçin.",
		ErrAnswer:     "Evet, hayır veya emin değilim seçin ya da soruyu yanıtsız bırakın.",
		ErrComment:    "Yorumunuz çok uzun: en fazla %[1]d karakter olmalı.",
		ErrCommentBad: "Yorumunuzda saklayamadığımız karakterler var. Lütfen yeniden yazın.",
		ErrForm:       "Formu okuyamadık. Lütfen sayfayı yenileyip yeniden deneyin.",

		ThanksTitle: "Görüşünüz için teşekkür ederiz",
		ThanksBody:  "Yanıtlarınız bize ulaştı. Memurların neyi iyi yaptıklarını ve neyi daha iyi yapabileceklerini öğrenmelerine yardımcı olur.",

		AlreadyTitle: "Teşekkürler – bu kod için görüş zaten gönderildi",
		AlreadyBody:  "Her kod yalnızca bir kez kullanılabilir ve bu kod kullanıldı. Bu siz değilseniz veya bir şey eklemek istiyorsanız, broşürünüzdeki numaradan polisle iletişime geçin.",

		RightsHeading:   "Mağdur olarak haklarınız",
		SupportHeading:  "Destek",
		DownloadLeaflet: "Broşürü yeniden indirin (PDF)",

		Refusals: map[string]refusal{
			doorstep.ENOTFOUND: {"Bu kodu bulamadık",
				"Adresin, büyük harfler dahil, broşürde basıldığı gibi yazıldığını kontrol edin."},
			doorstep.EEXPIRED: {"Bu kod kapandı",
				"Kodlar ziyaretten sonra sınırlı bir süre veya memur iptal edene kadar açık kalır; bu kod artık kullanılamaz. Yardım etmek istediğiniz için teşekkür ederiz."},
			doorstep.EREVOKED: {"Bu kod artık kullanılamaz",
				"Bu kodu oluşturan cihaz hizmetten çekildi ve kod bize hiç ulaşmadı. Üzgünüz: görüş bildirmek istiyorsanız broşürünüzdeki numaradan polisle iletişime geçin."},
			doorstep.ECONFLICT: {"Bu kod için görüş zaten gönderildi",
				"Her kod yalnızca bir kez kullanılabilir ve bu kod kullanıldı. Yeni yanıtlarınız kaydedilmedi."},
			doorstep.EINVALID: {"Lütfen yanıtlarınızı kontrol edin",
				"Gönderilenlerin bir kısmı kabul edilemedi. Lütfen geri dönüp yeniden deneyin."},
			doorstep.ETOOLARGE: {"Gönderilen metin çok uzun",
				"Lütfen yorumunuzu kısaltıp yeniden deneyin."},
			doorstep.ERATELIMIT: {"Lütfen bir dakika bekleyin",
				"Bağlantınızdan kısa sürede çok sayıda yanıt aldık. Bir dakika bekleyip yeniden deneyin."},
			doorstep.EUNAVAILABLE: {"Hizmet şu anda kullanılamıyor",
				"Lütfen birkaç dakika sonra yeniden deneyin."},
			doorstep.EINTERNAL: {"Bizim tarafımızda bir sorun oluştu",
				"Yanıtlarınız kaydedilmemiş olabilir. Lütfen birkaç dakika sonra yeniden deneyin."},
		},
		PageNotFound: refusal{"Sayfa bulunamadı", "Bu adreste bir şey yok. Adresi bir broşürden yazdıysanız lütfen kontrol edin."},
		CSRF: refusal{"Lütfen sayfayı yenileyin",
			"Formun süresi dolmuş veya başka bir sayfadan gelmiş, bu yüzden hiçbir şey kaydedilmedi. Geri dönün, sayfayı yenileyin ve yanıtlarınızı yeniden gönderin."},
	}
}
