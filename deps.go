//go:build tools

package doorstep

import (
	_ "codeberg.org/go-pdf/fpdf"
	_ "github.com/chromedp/chromedp"
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-fonts/dejavu/dejavusans"
	_ "github.com/makiuchi-d/gozxing"
	_ "github.com/skip2/go-qrcode"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/text/language"
)
