package mobileapi

import (
	"bytes"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	bolt "go.etcd.io/bbolt"
)

// decodeQR reads a QR code back from PNG bytes with an independent decoder.
func decodeQR(t testing.TB, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	if w := img.Bounds().Dx(); w < QRSize-64 || w > QRSize {
		t.Errorf("QR PNG is %d px wide, want about %d", w, QRSize)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("QR does not decode: %v", err)
	}
	return res.GetText()
}

func TestIssueSignsEncodesAndRecordsInOneGo(t *testing.T) {
	dir := t.TempDir()
	d := openTest(t, dir, nil)
	if _, err := d.Issue(nil); doorstep.ErrorCode(err) != doorstep.EINVALID || !strings.Contains(err.Error(), "not paired") {
		t.Fatalf("Issue before pairing = %v", err)
	}
	storePairing(t, d, "http://127.0.0.1:9")
	var key []byte
	d.db.View(func(tx *bolt.Tx) error {
		p, _ := loadPairing(tx)
		key = p.TokenKey
		return nil
	})
	before := time.Now()
	is, err := d.Issue(&IssueOptions{CrimeRef: "CR/1234/26"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(is.URL, "HTTP://127.0.0.1:9/F/") {
		t.Fatalf("URL %q does not start with the public URL", is.URL)
	}
	if strings.Contains(is.URL, "1234") {
		t.Fatalf("URL %q carries the crime reference", is.URL)
	}
	if got := decodeQR(t, is.QRPNG); got != is.URL {
		t.Fatalf("QR holds %q, want %q", got, is.URL)
	}
	tok, err := qrcode.Verify(key, is.URL[strings.LastIndex(is.URL, "/")+1:], time.Now())
	if err != nil || tok.Ref != (doorstep.TokenRef{DeviceID: 7, Counter: 1}) {
		t.Fatalf("token = %+v, %v", tok, err)
	}
	if exp := tok.ExpiresAt.Sub(before); exp < 89*24*time.Hour || exp > 91*24*time.Hour {
		t.Errorf("token valid for %v, want the default 90 days", exp)
	}
	if !bytes.HasPrefix(is.PDF, []byte("%PDF-")) || is.ContentVersion == "" || is.Counter != 1 {
		t.Fatalf("Issued = PDF %.8q, version %q, counter %d", is.PDF, is.ContentVersion, is.Counter)
	}
	is2, err := d.Issue(&IssueOptions{Format: "thermal", Language: "en", LargePrint: true, Discreet: true})
	if err != nil || is2.Counter != 2 || is2.URL == is.URL {
		t.Fatalf("second Issue = %+v, %v", is2, err)
	}
	// Both issues are in the outbox, numbered, with what the server needs.
	d.Close()
	d = openTest(t, dir, nil)
	if got := outboxIDs(t, d); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("outbox = %v", got)
	}
	batch, _, err := d.nextBatch()
	if err != nil {
		t.Fatal(err)
	}
	m := batch[0].Issuance
	if batch[0].Kind != doorstep.MutationIssue || m == nil || m.ID != is.ID || m.CrimeRef != "CR/1234/26" ||
		m.Token.Counter != 1 || m.TokenText == "" || m.HLC == "" || m.Format != doorstep.FormatA4 || m.OfficerID == "" {
		t.Fatalf("mutation 1 = %+v", batch[0])
	}
	if m2 := batch[1].Issuance; m2.Format != doorstep.FormatThermal || !m2.LargePrint || !m2.Discreet || m2.HLC <= m.HLC {
		t.Fatalf("mutation 2 = %+v", m2)
	}
	list, err := d.Issuances(0)
	if err != nil || list.Count() != 2 || list.At(0).ID != is2.ID || list.At(1).URL != is.URL || list.At(2) != nil {
		t.Fatalf("Issuances = %v", err)
	}
}

func TestIssueLanguages(t *testing.T) {
	d := openTest(t, "", nil)
	storePairing(t, d, "http://127.0.0.1:9")
	for lang, want := range map[string]string{"": "en", "EN": "en", "en-GB": "en", "cy": "cy", "pl": "pl", "pt-BR": "pt", "ar": "ar"} {
		is, err := d.Issue(&IssueOptions{Language: lang, Format: doorstep.FormatThermal})
		if err != nil {
			t.Fatalf("Issue(%q): %v", lang, err)
		}
		list, _ := d.Issuances(1)
		if got := list.At(0).Language; got != want || is.ContentVersion == "" || !bytes.HasPrefix(is.PDF, []byte("%PDF-")) {
			t.Errorf("Issue(%q): language %q (want %q), version %q", lang, got, want, is.ContentVersion)
		}
	}
	_, err := d.Issue(&IssueOptions{Language: "xx"})
	if doorstep.ErrorCode(err) != doorstep.EINVALID || !strings.Contains(err.Error(), "available in en, ") {
		t.Fatalf("unknown language: %v", err)
	}
}

func TestIssueChecksItsOptions(t *testing.T) {
	d := openTest(t, "", nil)
	storePairing(t, d, "http://127.0.0.1:9")
	for _, o := range []IssueOptions{
		{CrimeRef: strings.Repeat("1", 41)},
		{CrimeRef: "CR<script>"},
		{CrimeRef: "CR\n1"},
		{Language: "xx"},
		{Language: strings.Repeat("e", 17)},
		{Format: "a5"},
	} {
		if _, err := d.Issue(&o); doorstep.ErrorCode(err) != doorstep.EINVALID {
			t.Errorf("Issue(%+v) = %v, want invalid", o, err)
		}
	}
	if n, _ := d.PendingCount(); n != 0 {
		t.Fatalf("refused issues left %d mutations", n)
	}
	if _, err := d.Issue(&IssueOptions{CrimeRef: "  01/234567/26 ", Format: "A4"}); err != nil {
		t.Fatalf("a good issue after refused ones: %v", err)
	}
}

// The counter survives restarts and is never handed out twice.
func TestIssueCounterSurvivesRestarts(t *testing.T) {
	dir := t.TempDir()
	for i := 1; i <= 3; i++ {
		d := openTest(t, dir, nil)
		if i == 1 {
			storePairing(t, d, "http://127.0.0.1:9")
		}
		is, err := d.Issue(nil)
		if err != nil || is.Counter != int64(i) {
			t.Fatalf("issue %d: counter %d, %v", i, is.Counter, err)
		}
		d.Close()
	}
}

// BenchmarkIssue measures one issue at a scene: token, QR PNG, A4 leaflet and
// the durable write of the issuance with its outbox mutation.
func BenchmarkIssue(b *testing.B) {
	d := openTest(b, "", nil)
	storePairing(b, d, "https://feedback.doorstep.example.org")
	opts := &IssueOptions{CrimeRef: "CR/1234/26", Language: "en", Format: doorstep.FormatA4}
	var size int
	for b.Loop() {
		is, err := d.Issue(opts)
		if err != nil {
			b.Fatal(err)
		}
		size += len(is.PDF) + len(is.QRPNG)
	}
	b.ReportMetric(float64(size)/float64(b.N), "bytes/issue")
}
