package qrcode

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"strings"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decodePNG reads a QR code back from PNG bytes with an independent decoder.
func decodePNG(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("gozxing bitmap: %v", err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("gozxing decode: %v", err)
	}
	return res.GetText()
}

func TestFeedbackQRCodeEndToEnd(t *testing.T) {
	tests := []struct {
		public     string
		maxVersion int
	}{
		{"https://feedback.doorstep.police.uk", 4},
		{"http://127.0.0.1:8080", 4},
		// A long host and a port still fit; upper-case keeps it alphanumeric.
		{"https://victim-feedback.doorstep.metropolitan.police.uk:8443", 5},
		// A lower-case path prefix forces byte mode and still fits.
		{"https://feedback.doorstep.police.uk/doorstep", MaxVersion},
	}
	for _, tt := range tests {
		t.Run(tt.public, func(t *testing.T) {
			s, _, err := Sign(testKey(), doorstep.TokenRef{DeviceID: 4294967295, Counter: 4294967295}, testTime(), DefaultValidity)
			if err != nil {
				t.Fatal(err)
			}
			u, err := FeedbackURL(tt.public, s)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Encode(u)
			if err != nil {
				t.Fatalf("Encode(%q): %v", u, err)
			}
			if c.Version() > tt.maxVersion || c.Version() > MaxVersion {
				t.Fatalf("%q needs QR version %d, want <= %d", u, c.Version(), tt.maxVersion)
			}
			b, err := c.PNG(256)
			if err != nil {
				t.Fatal(err)
			}
			if got := decodePNG(t, b); got != u {
				t.Fatalf("decoded %q, want %q", got, u)
			}
			tok, ok := TokenFromPath(u[strings.Index(u, "/F/"):])
			if !ok || tok != s {
				t.Fatalf("TokenFromPath lost the token: %q", tok)
			}
			if _, err := Verify(testKey(), tok, testTime()); err != nil {
				t.Fatalf("scanned token does not verify: %v", err)
			}
			checkSVG(t, c)
		})
	}
}

// checkSVG checks that the SVG is well-formed XML with an <svg> root and that
// its path paints exactly the dark modules of the bitmap.
func checkSVG(t *testing.T, c *Code) {
	t.Helper()
	svg := c.SVG()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var root xml.Name
	var d string
	for {
		tk, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tk.(xml.StartElement); ok {
			if root.Local == "" {
				root = se.Name
			}
			if se.Name.Local == "path" {
				for _, a := range se.Attr {
					if a.Name.Local == "d" {
						d = a.Value
					}
				}
			}
		}
	}
	if root.Local != "svg" || root.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("SVG root is %v", root)
	}
	bm := c.Bitmap()
	got := make([][]bool, len(bm))
	for i := range got {
		got[i] = make([]bool, len(bm))
	}
	for _, cmd := range strings.Split(d, "z") {
		if cmd == "" {
			continue
		}
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(cmd, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 {
			t.Fatalf("unexpected path command %q: %v", cmd, err)
		}
		for i := x; i < x+w; i++ {
			got[y][i] = true
		}
	}
	for y := range bm {
		for x := range bm[y] {
			if got[y][x] != bm[y][x] {
				t.Fatalf("SVG module (%d,%d) = %v, bitmap says %v", x, y, got[y][x], bm[y][x])
			}
		}
	}
}

func TestEncodeRefusesLargeContent(t *testing.T) {
	_, err := Encode("HTTPS://" + strings.Repeat("A", 300))
	if doorstep.ErrorCode(err) != doorstep.EINVALID {
		t.Fatalf("Encode of 308 characters: %v, want EINVALID", err)
	}
}
