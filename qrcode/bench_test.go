package qrcode

import (
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
)

func BenchmarkSign(b *testing.B) {
	key, ref, now := testKey(), doorstep.TokenRef{DeviceID: 1017, Counter: 42}, testTime()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Sign(key, ref, now, DefaultValidity); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	key, now := testKey(), testTime()
	s, _, err := Sign(key, doorstep.TokenRef{DeviceID: 1017, Counter: 42}, now, DefaultValidity)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(key, s, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodePNG(b *testing.B) {
	s, _, err := Sign(testKey(), doorstep.TokenRef{DeviceID: 1017, Counter: 42}, testTime(), DefaultValidity)
	if err != nil {
		b.Fatal(err)
	}
	u, err := FeedbackURL("https://feedback.doorstep.police.uk", s)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := Encode(u)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.PNG(256); err != nil {
			b.Fatal(err)
		}
	}
}
