package qrcode_test

import (
	"fmt"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
)

func ExampleSign() {
	key := []byte("a 32-byte per-device token key!!") // from pairing
	ref := doorstep.TokenRef{DeviceID: 1017, Counter: 42}
	issued := time.Date(2026, 11, 21, 14, 37, 12, 0, time.UTC)

	token, tok, err := qrcode.Sign(key, ref, issued, qrcode.DefaultValidity)
	if err != nil {
		panic(err)
	}
	url, err := qrcode.FeedbackURL("https://feedback.doorstep.police.uk", token)
	if err != nil {
		panic(err)
	}
	fmt.Println(url)
	fmt.Println("issued", tok.IssuedAt, "expires", tok.ExpiresAt)

	// On the server: read the device ID without a key, look the key up, verify.
	parsed, _ := qrcode.Parse(token)
	v, err := qrcode.Verify(key, token, issued.Add(24*time.Hour))
	fmt.Println(parsed.Ref.DeviceID, v.Ref.Counter, err)

	code, _ := qrcode.Encode(url)
	fmt.Println("QR version", code.Version())
	// Output:
	// HTTPS://FEEDBACK.DOORSTEP.POLICE.UK/F/AEAAAA7ZAAAAAKQBZCH22AC25NUWT5UFGRSGHA5GA4ELFVR3XQ
	// issued 2026-11-21 14:37:00 +0000 UTC expires 2027-02-19 14:37:00 +0000 UTC
	// 1017 42 <nil>
	// QR version 4
}
