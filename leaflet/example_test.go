package leaflet_test

import (
	"bytes"
	"fmt"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/leaflet"
)

func ExampleRenderer_Render() {
	lib, err := leaflet.Default() // parse once, keep
	if err != nil {
		panic(err)
	}
	r, err := leaflet.NewRenderer() // parse the fonts once, keep; safe for concurrent use
	if err != nil {
		panic(err)
	}
	c, _ := lib.Get(lib.Match("cy-GB,en;q=0.8"))
	issued := time.Date(2026, 11, 21, 14, 5, 0, 0, time.UTC)
	var pdf bytes.Buffer
	version, err := r.Render(&pdf, c, leaflet.Options{
		Format:       doorstep.FormatThermal,
		OfficerName:  "PC Jane Smith",
		CollarNumber: "1234AB",
		Borough:      "Hackney",
		CrimeRef:     "CR/1234/26",
		IssuedAt:     issued,
		FeedbackURL:  "HTTPS://DOORSTEP.EXAMPLE.ORG/F/AB3DEFGHJKMNPQRSTUVWXYZ234567",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Language, version, bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")))
	// Output: cy 2021-04.1 true
}

func ExampleLibrary_Match() {
	lib, err := leaflet.Default()
	if err != nil {
		panic(err)
	}
	for _, accept := range []string{"pl-PL,pl;q=0.9", "pt-BR", "fr-FR, ro;q=0.5", "zh-CN", ""} {
		fmt.Printf("%q -> %s\n", accept, lib.Match(accept))
	}
	// Output:
	// "pl-PL,pl;q=0.9" -> pl
	// "pt-BR" -> pt
	// "fr-FR, ro;q=0.5" -> ro
	// "zh-CN" -> en
	// "" -> en
}

func ExampleParseContent() {
	_, err := leaflet.ParseContent([]byte(`{"language":"en","colour":"blue"}`))
	fmt.Println(doorstep.ErrorCode(err), doorstep.ErrorMessage(err))
	// Output: invalid content is not valid: unknown field "colour"
}
