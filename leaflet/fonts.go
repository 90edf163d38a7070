package leaflet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"codeberg.org/go-pdf/fpdf"
)

// fontFamily is the family name the renderer registers its faces under.
const fontFamily = "dejavu"

// The two styles the renderer draws with.
const (
	styleRegular = ""
	styleBold    = "B"
)

// baseCutset lists the code points every pre-subset font keeps besides those the
// embedded content uses: enough Latin for names and for content an admin
// publishes later in the supported languages (Welsh ŵ ŷ ẁ ẃ ẅ ỳ, Romanian ș ț,
// Polish, Turkish, Portuguese, Spanish), typographic punctuation and currency.
// Text outside it is still printed: the renderer then embeds from the full font.
func baseCutset() [][2]rune {
	return [][2]rune{
		{0x0020, 0x007E}, // Basic Latin
		{0x00A0, 0x017F}, // Latin-1 Supplement, Latin Extended-A
		{0x0218, 0x021B}, // Romanian comma-below letters
		{0x1E80, 0x1E85}, // Welsh ẁ ẃ ẅ
		{0x1EF2, 0x1EF3}, // Welsh ỳ
		{0x2010, 0x2027}, // dashes, quotes, bullet, ellipsis
		{0x2030, 0x203A}, // per mille, primes, angle quotes
		{0x20AC, 0x20AC}, // euro
		{0x2116, 0x2116}, // numero
		{0x2122, 0x2122}, // trade mark
	}
}

// runeSet is a bitset over the Basic Multilingual Plane.
type runeSet [0x10000 / 64]uint64

func (s *runeSet) add(r rune) {
	if r >= 0 && r < 0x10000 {
		s[r>>6] |= 1 << (uint(r) & 63)
	}
}

func (s *runeSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && s[r>>6]&(1<<(uint(r)&63)) != 0
}

// face is one TrueType face read once: its bytes, which characters it draws and
// their advance widths in thousandths of an em (the unit fpdf measures in), so
// the layout can be measured without an fpdf document.
type face struct {
	ttf    []byte
	cover  runeSet
	widths []uint16 // indexed by rune, BMP only
}

// width returns the advance of s in thousandths of an em.
func (f *face) width(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0 && int(r) < len(f.widths) {
			w += int(f.widths[r])
		}
	}
	return w
}

// readFace reads the cmap (format 4), head and hmtx tables of a TrueType font.
func readFace(ttf []byte) (*face, error) {
	tables, err := ttfTables(ttf)
	if err != nil {
		return nil, err
	}
	head, hhea, hmtx, maxp, cmap := tables["head"], tables["hhea"], tables["hmtx"], tables["maxp"], tables["cmap"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || cmap == nil || hmtx == nil {
		return nil, errors.New("font lacks a required table")
	}
	unitsPerEm := int(binary.BigEndian.Uint16(head[18:]))
	numHMetrics := int(binary.BigEndian.Uint16(hhea[34:]))
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	if unitsPerEm == 0 || numHMetrics == 0 || len(hmtx) < 4*numHMetrics {
		return nil, errors.New("font has bad metrics")
	}
	advance := func(gid int) int {
		if gid >= numHMetrics {
			gid = numHMetrics - 1
		}
		return int(binary.BigEndian.Uint16(hmtx[4*gid:]))
	}
	f := &face{ttf: ttf, widths: make([]uint16, 0x10000)}
	scale := 1000 / float64(unitsPerEm)
	err = cmapFormat4(cmap, func(r rune, gid int) {
		if gid <= 0 || gid >= numGlyphs {
			return
		}
		f.cover.add(r)
		// Rounded as fpdf rounds its own width table, so that measured lines
		// match what fpdf draws.
		w := advance(gid)
		f.widths[r] = uint16(int(scale*float64(w) + 0.5))
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ttfTables returns the font's tables by tag, bounds-checked.
func ttfTables(ttf []byte) (map[string][]byte, error) {
	if len(ttf) < 12 {
		return nil, errors.New("font too short")
	}
	switch binary.BigEndian.Uint32(ttf) {
	case 0x00010000, 0x74727565: // TrueType outlines
	default:
		return nil, errors.New("not a TrueType font")
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if len(ttf) < 12+16*n {
		return nil, errors.New("font table directory truncated")
	}
	tables := make(map[string][]byte, n)
	for i := range n {
		rec := ttf[12+16*i:]
		off, size := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(size) > uint64(len(ttf)) {
			return nil, fmt.Errorf("font table %q out of bounds", rec[:4])
		}
		tables[string(rec[:4])] = ttf[off : off+size]
	}
	return tables, nil
}

// cmapFormat4 calls fn for every character of the Unicode BMP subtable.
func cmapFormat4(cmap []byte, fn func(r rune, gid int)) error {
	if len(cmap) < 4 {
		return errors.New("cmap too short")
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	var sub []byte
	for i := range n {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			break
		}
		platform, encoding := binary.BigEndian.Uint16(cmap[rec:]), binary.BigEndian.Uint16(cmap[rec+2:])
		off := int(binary.BigEndian.Uint32(cmap[rec+4:]))
		if off+4 > len(cmap) || binary.BigEndian.Uint16(cmap[off:]) != 4 {
			continue
		}
		if (platform == 3 && encoding == 1) || platform == 0 {
			sub = cmap[off:]
			break
		}
	}
	if len(sub) < 14 {
		return errors.New("font has no Unicode BMP cmap")
	}
	segs := int(binary.BigEndian.Uint16(sub[6:])) / 2
	ends, starts := 14, 14+2*segs+2
	deltas, ranges := starts+2*segs, starts+4*segs
	if ranges+2*segs > len(sub) {
		return errors.New("cmap subtable truncated")
	}
	u16 := func(p int) int { return int(binary.BigEndian.Uint16(sub[p:])) }
	for i := range segs {
		end, start := u16(ends+2*i), u16(starts+2*i)
		delta, rangeOff := u16(deltas+2*i), u16(ranges+2*i)
		for c := start; c <= end && c < 0xFFFF; c++ {
			gid := 0
			if rangeOff == 0 {
				gid = (c + delta) & 0xFFFF
			} else {
				p := ranges + 2*i + rangeOff + 2*(c-start)
				if p+2 > len(sub) {
					continue
				}
				if g := u16(p); g != 0 {
					gid = (g + delta) & 0xFFFF
				}
			}
			fn(rune(c), gid)
		}
	}
	return nil
}

// fontSet is a regular and a bold face ready to be put into documents.
type fontSet struct {
	regular, bold *face
	// cover holds the characters both faces draw.
	cover runeSet

	once sync.Once
	err  error
	// tmpl holds the faces as fpdf parsed them once; nil when fpdf's internal
	// layout is not the one this package knows, and then every document parses
	// the faces itself through the public API.
	tmpl *fontTemplate
}

// newFontSet reads both faces' tables. fpdf parses them later, once, on first use
// (prepare).
func newFontSet(regular, bold []byte) (*fontSet, error) {
	r, err := readFace(regular)
	if err != nil {
		return nil, fmt.Errorf("leaflet: regular font: %w", err)
	}
	b, err := readFace(bold)
	if err != nil {
		return nil, fmt.Errorf("leaflet: bold font: %w", err)
	}
	fs := &fontSet{regular: r, bold: b}
	for i := range fs.cover {
		fs.cover[i] = r.cover[i] & b.cover[i]
	}
	return fs, nil
}

// prepare has fpdf parse both faces once and keeps the result as a template.
func (fs *fontSet) prepare() error {
	fs.once.Do(func() {
		proto := fpdf.New("P", "mm", "A4", "")
		fs.addByParsing(proto)
		proto.SetFont(fontFamily, styleBold, 10) // fails if fpdf could not parse a face
		if err := proto.Error(); err != nil {
			fs.err = fmt.Errorf("leaflet: fpdf cannot load the font: %w", err)
			return
		}
		fs.tmpl = captureFonts(proto, map[string][]byte{
			fontFamily + styleRegular: fs.regular.ttf,
			fontFamily + styleBold:    fs.bold.ttf,
		})
	})
	return fs.err
}

// subsetFontSet cuts both faces of full down to cutset plus whatever glyphs
// they need (fpdf.UTF8CutFont), so that each document's own subsetting, which
// fpdf redoes from the font bytes at every Output, reads a small font.
func subsetFontSet(full *fontSet, cutset []rune) (*fontSet, error) {
	keep := make([]rune, 0, len(cutset))
	for _, r := range cutset {
		if full.cover.has(r) {
			keep = append(keep, r)
		}
	}
	s := string(keep)
	regular, err := trimNames(fpdf.UTF8CutFont(full.regular.ttf, s))
	if err != nil {
		return nil, err
	}
	bold, err := trimNames(fpdf.UTF8CutFont(full.bold.ttf, s))
	if err != nil {
		return nil, err
	}
	return newFontSet(regular, bold)
}

// trimNames rewrites a TrueType font with its 'name' table cut down to the
// copyright, family, style, full and PostScript names. DejaVu's name table
// carries the whole licence text (15 KB, a quarter of the cut font), which fpdf
// would otherwise copy into every PDF twice. The copyright notice stays.
func trimNames(ttf []byte) ([]byte, error) {
	tables, err := ttfTables(ttf)
	if err != nil {
		return nil, err
	}
	name := tables["name"]
	if len(name) < 6 {
		return ttf, nil
	}
	count, storage := int(binary.BigEndian.Uint16(name[2:])), int(binary.BigEndian.Uint16(name[4:]))
	if 6+12*count > len(name) || storage > len(name) {
		return nil, errors.New("font name table truncated")
	}
	var recs, strs []byte
	kept := 0
	for i := range count {
		rec := name[6+12*i : 18+12*i]
		switch binary.BigEndian.Uint16(rec[6:]) { // name ID
		case 0, 1, 2, 4, 6:
		default:
			continue
		}
		n, off := int(binary.BigEndian.Uint16(rec[8:])), int(binary.BigEndian.Uint16(rec[10:]))
		if storage+off+n > len(name) {
			return nil, errors.New("font name record out of bounds")
		}
		recs = append(recs, rec[:8]...)
		recs = binary.BigEndian.AppendUint16(recs, uint16(n))
		recs = binary.BigEndian.AppendUint16(recs, uint16(len(strs)))
		strs = append(strs, name[storage+off:storage+off+n]...)
		kept++
	}
	nt := binary.BigEndian.AppendUint16(nil, 0)
	nt = binary.BigEndian.AppendUint16(nt, uint16(kept))
	nt = binary.BigEndian.AppendUint16(nt, uint16(6+len(recs)))
	tables["name"] = append(append(nt, recs...), strs...)
	return assembleTTF(binary.BigEndian.Uint32(ttf), tables), nil
}

// assembleTTF writes a TrueType font from its tables, in tag order, each
// 4-byte aligned and checksummed.
func assembleTTF(version uint32, tables map[string][]byte) []byte {
	tags := slices.Sorted(maps.Keys(tables))
	n := len(tags)
	sel := 0
	for 1<<(sel+1) <= n {
		sel++
	}
	out := binary.BigEndian.AppendUint32(nil, version)
	out = binary.BigEndian.AppendUint16(out, uint16(n))
	out = binary.BigEndian.AppendUint16(out, uint16(16<<sel))
	out = binary.BigEndian.AppendUint16(out, uint16(sel))
	out = binary.BigEndian.AppendUint16(out, uint16(16*n-16<<sel))
	off := 12 + 16*n
	var body []byte
	for _, tag := range tags {
		data := tables[tag]
		if tag == "head" && len(data) >= 12 {
			data = slices.Clone(data)
			binary.BigEndian.PutUint32(data[8:], 0) // checkSumAdjustment, recomputed by fpdf
		}
		var sum uint32
		padded := append(slices.Clone(data), make([]byte, (4-len(data)%4)%4)...)
		for i := 0; i < len(padded); i += 4 {
			sum += binary.BigEndian.Uint32(padded[i:])
		}
		out = append(out, tag...)
		out = binary.BigEndian.AppendUint32(out, sum)
		out = binary.BigEndian.AppendUint32(out, uint32(off+len(body)))
		out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
		body = append(body, padded...)
	}
	return append(out, body...)
}

func (fs *fontSet) addByParsing(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(fontFamily, styleRegular, fs.regular.ttf)
	pdf.AddUTF8FontFromBytes(fontFamily, styleBold, fs.bold.ttf)
}

// install makes both faces available in pdf, from the parsed template when
// there is one.
func (fs *fontSet) install(pdf *fpdf.Fpdf) error {
	if err := fs.prepare(); err != nil {
		return err
	}
	if fs.tmpl == nil || !fs.tmpl.install(pdf) {
		fs.addByParsing(pdf)
	}
	return nil
}

// fontTemplate reuses fpdf's parse of a UTF-8 font across documents.
//
// fpdf offers no public way to share a parsed TrueType font: AddUTF8FontFromBytes
// re-reads the whole font and JSON-encodes its 65,536-entry width table to name
// it, every time. fpdf keeps the result in an unexported map of unexported
// structs; this copies those entries from a document that parsed the font once
// into each new document, giving each document its own per-document state (the
// set of runes used, and the reader that Output's subsetter moves through the
// font bytes) and sharing only what fpdf never writes after parsing (the width
// table, metrics and the font bytes).
//
// It is reflection over fpdf v0.12's internals, so it checks every type it
// touches, recovers from any reflection panic and reports failure, in which case
// the caller parses the font through the public API instead. NewRenderer also
// renders a probe document both ways and keeps the template only if the two
// PDFs are byte for byte identical.
type fontTemplate struct {
	fonts reflect.Value // map[string]fpdf.fontDefType of the prototype, read only
	keys  []reflect.Value
	ttf   map[string][]byte
}

// fpdf's font state, as v0.12 names it.
const (
	fpdfFonts        = "fonts"
	fpdfUsedRunes    = "usedRunes"
	fpdfUTF8File     = "utf8File"
	fpdfFileReader   = "fileReader"
	fpdfReaderArray  = "array"
	fpdfSubsetPrefix = 57 // makeSubsetRange(57): the runes a new UTF-8 font starts with
)

// settable returns v made settable (v must be addressable).
func settable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func captureFonts(proto *fpdf.Fpdf, ttf map[string][]byte) (t *fontTemplate) {
	defer func() {
		if recover() != nil {
			t = nil
		}
	}()
	fonts := reflect.ValueOf(proto).Elem().FieldByName(fpdfFonts)
	if fonts.Kind() != reflect.Map || fonts.Type().Key().Kind() != reflect.String || fonts.Type().Elem().Kind() != reflect.Struct {
		return nil
	}
	def := fonts.Type().Elem()
	used, ok1 := def.FieldByName(fpdfUsedRunes)
	file, ok2 := def.FieldByName(fpdfUTF8File)
	if !ok1 || !ok2 || used.Type != reflect.TypeFor[map[int]int]() || file.Type.Kind() != reflect.Pointer || file.Type.Elem().Kind() != reflect.Struct {
		return nil
	}
	reader, ok := file.Type.Elem().FieldByName(fpdfFileReader)
	if !ok || reader.Type.Kind() != reflect.Pointer || reader.Type.Elem().Kind() != reflect.Struct {
		return nil
	}
	array, ok := reader.Type.Elem().FieldByName(fpdfReaderArray)
	if !ok || array.Type != reflect.TypeFor[[]byte]() {
		return nil
	}
	fonts = settable(fonts)
	t = &fontTemplate{fonts: fonts, ttf: ttf}
	for key := range ttf {
		k := reflect.ValueOf(key)
		v := fonts.MapIndex(k)
		if !v.IsValid() || v.FieldByName(fpdfUTF8File).IsNil() {
			return nil
		}
		t.keys = append(t.keys, k)
	}
	slices.SortFunc(t.keys, func(a, b reflect.Value) int {
		switch {
		case a.String() < b.String():
			return -1
		case a.String() > b.String():
			return 1
		}
		return 0
	})
	return t
}

// install copies the template's fonts into pdf, which must not have them yet.
func (t *fontTemplate) install(pdf *fpdf.Fpdf) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	dst := settable(reflect.ValueOf(pdf).Elem().FieldByName(fpdfFonts))
	for _, k := range t.keys {
		def := reflect.New(t.fonts.Type().Elem()).Elem()
		def.Set(t.fonts.MapIndex(k))
		used := make(map[int]int, 2*fpdfSubsetPrefix)
		for i := range fpdfSubsetPrefix {
			used[i] = 0
		}
		settable(def.FieldByName(fpdfUsedRunes)).Set(reflect.ValueOf(used))
		file := settable(def.FieldByName(fpdfUTF8File))
		own := reflect.New(file.Type().Elem())
		own.Elem().Set(file.Elem())
		reader := settable(own.Elem().FieldByName(fpdfFileReader))
		fresh := reflect.New(reader.Type().Elem())
		settable(fresh.Elem().FieldByName(fpdfReaderArray)).Set(reflect.ValueOf(t.ttf[k.String()]))
		reader.Set(fresh)
		file.Set(own)
		dst.SetMapIndex(k, def)
	}
	return true
}
