package server

func stub(lang, name, dir string) *messages {
	m := english()
	m.Lang, m.Name, m.Dir, m.Reviewed = lang, name, dir, false
	return m
}
func welsh() *messages      { return stub("cy", "Cymraeg", "ltr") }
func polish() *messages     { return stub("pl", "Polski", "ltr") }
func romanian() *messages   { return stub("ro", "Română", "ltr") }
func portuguese() *messages { return stub("pt", "Português", "ltr") }
func spanish() *messages    { return stub("es", "Español", "ltr") }
func turkish() *messages    { return stub("tr", "Türkçe", "ltr") }
func arabic() *messages     { return stub("ar", "العربية", "rtl") }
func urdu() *messages       { return stub("ur", "اردو", "rtl") }
func bengali() *messages    { return stub("bn", "বাংলা", "ltr") }
