package qrcode

import (
	"bytes"
	"fmt"

	doorstep "github.com/doorstep-project/doorstep"
	goqr "github.com/skip2/go-qrcode"
)

// MaxVersion is the largest QR version a feedback code may need at level M. A
// small version keeps modules large, so the code scans off a crumpled thermal print.
const MaxVersion = 6

// Code is an encoded QR symbol at error correction level M.
type Code struct {
	qr   *goqr.QRCode
	text string
}

// Encode encodes content at level M and refuses content that would need a QR
// version above MaxVersion.
func Encode(content string) (*Code, error) {
	qr, err := goqr.New(content, goqr.Medium)
	if err != nil {
		return nil, doorstep.Errorf(doorstep.EINVALID, "cannot encode QR: %v", err)
	}
	if qr.VersionNumber > MaxVersion {
		return nil, doorstep.Errorf(doorstep.EINVALID, "QR content of %d characters needs version %d, above %d", len(content), qr.VersionNumber, MaxVersion)
	}
	return &Code{qr: qr, text: content}, nil
}

// Text is the content the code encodes.
func (c *Code) Text() string { return c.text }

// Version is the QR version (1..40) the content needed.
func (c *Code) Version() int { return c.qr.VersionNumber }

// Bitmap returns the modules, true for dark, including the 4-module quiet zone.
func (c *Code) Bitmap() [][]bool { return c.qr.Bitmap() }

// PNG renders the code as a PNG image size pixels wide (at least the module
// count: size is rounded so that every module is a whole number of pixels).
func (c *Code) PNG(size int) ([]byte, error) {
	b, err := c.qr.PNG(size)
	if err != nil {
		return nil, fmt.Errorf("qr png: %w", err)
	}
	return b, nil
}

// SVG renders the code as a standalone SVG document, one path for all dark
// modules, scalable without blur.
func (c *Code) SVG() []byte {
	bm := c.qr.Bitmap()
	n := len(bm)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}
