package leaflet

import (
	"bytes"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
)

// A caller's pre-encoded QR gives the same leaflet as encoding it here, and a
// QR for another URL is refused rather than printed beside the wrong text.
func TestRenderWithGivenQR(t *testing.T) {
	r := testRenderer(t)
	opt := testOptions()
	var plain, given bytes.Buffer
	if _, err := r.Render(&plain, nil, opt); err != nil {
		t.Fatal(err)
	}
	code, err := qrcode.Encode(opt.FeedbackURL)
	if err != nil {
		t.Fatal(err)
	}
	opt.QR = code
	if _, err := r.Render(&given, nil, opt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain.Bytes(), given.Bytes()) {
		t.Fatal("leaflet with a given QR differs from one that encodes it")
	}
	other, err := qrcode.Encode(opt.FeedbackURL + "X")
	if err != nil {
		t.Fatal(err)
	}
	opt.QR = other
	var out bytes.Buffer
	if _, err := r.Render(&out, nil, opt); doorstep.ErrorCode(err) != doorstep.EINVALID || out.Len() != 0 {
		t.Fatalf("mismatched QR: err %v, %d bytes written", err, out.Len())
	}
}
