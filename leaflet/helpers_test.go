package leaflet

import "time"

const testURL = "HTTPS://DOORSTEP.EXAMPLE.ORG/F/AB3DEFGHJKMNPQRSTUVWXYZ234567ABCDEFGHJKMNPQRSTU"

func testOptions() Options {
	return Options{
		OfficerName:  "PC Jane Smith",
		CollarNumber: "1234AB",
		Borough:      "Hackney",
		CrimeRef:     "CR/1234/26",
		IssuedAt:     time.Date(2026, 11, 21, 14, 5, 0, 0, time.UTC),
		FeedbackURL:  testURL,
		CreationDate: time.Date(2026, 11, 21, 14, 5, 0, 0, time.UTC),
	}
}
