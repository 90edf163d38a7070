package qrcode

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	doorstep "github.com/doorstep-project/doorstep"
	goqr "github.com/skip2/go-qrcode"
)

// MaxVersion is the largest QR version a feedback code may need at level M. A
// small version keeps modules large, so the code scans off a crumpled thermal print.
const MaxVersion = 6

// Code is an encoded QR symbol at error correction level M.
type Code struct {
	version int
	text    string
	bitmap  [][]bool // built once: skip2 re-encodes the symbol on every call
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
	return &Code{version: qr.VersionNumber, text: content, bitmap: qr.Bitmap()}, nil
}

// Text is the content the code encodes.
func (c *Code) Text() string { return c.text }

// Version is the QR version (1..40) the content needed.
func (c *Code) Version() int { return c.version }

// Bitmap returns the modules, true for dark, including the 4-module quiet zone.
// The rows are shared: callers must not change them.
func (c *Code) Bitmap() [][]bool { return c.bitmap }

// PNG renders the code as a black-on-white PNG at most size pixels wide: every
// module is the same whole number of pixels (at least one), so edges stay
// sharp for a camera, and the image is the module count times that. It is
// encoded at 1 bit per pixel with fast compression: a QR image is mostly runs,
// and the best compression costs several times as much for a few bytes.
func (c *Code) PNG(size int) ([]byte, error) {
	bm := c.bitmap
	n := len(bm)
	px := max(size/n, 1)
	img := image.NewPaletted(image.Rect(0, 0, n*px, n*px), color.Palette{color.White, color.Black})
	for y, row := range bm {
		line := img.Pix[y*px*img.Stride : y*px*img.Stride+n*px]
		for x, dark := range row {
			if dark {
				for i := x * px; i < (x+1)*px; i++ {
					line[i] = 1
				}
			}
		}
		for i := 1; i < px; i++ {
			copy(img.Pix[(y*px+i)*img.Stride:], line)
		}
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("qr png: %w", err)
	}
	return b.Bytes(), nil
}

// SVG renders the code as a standalone SVG document, one path for all dark
// modules, scalable without blur.
func (c *Code) SVG() []byte {
	bm := c.bitmap
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
