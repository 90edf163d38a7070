// Package leaflet holds the Victims' Code leaflet: its text, as versioned data
// per language, and its rendering to PDF for A4 paper and 80 mm thermal rolls.
//
// # Content
//
// Content is one language's text at one version: the twelve rights of the Code
// of Practice for Victims of Crime in England and Wales, each with a short title
// and a plain gist, enhanced rights, time limits, the Victim Personal Statement,
// the Victim Focus Desk and national support lines, and the labels the leaflet
// and the victim pages print. The default set is embedded (content/*.json; its
// sources and review status are in content/README.md). An admin publishes a new
// version as JSON, which ParseContent checks strictly; Library.With swaps it in.
// Arabic, Urdu and Bengali content is for the victim web page only
// (PDFSupported false): fpdf cannot shape those scripts, so their leaflet is
// printed in English with a line pointing to the web page.
//
// # Rendering
//
// A Renderer reads DejaVu Sans (regular and bold, from github.com/go-fonts/dejavu)
// once, cuts it to the Latin characters leaflets use and reuses fpdf's parse of
// the cut faces for every document (see fontTemplate for how, and why). Every
// text is real text, so pdftotext extracts it; the feedback QR code is drawn as
// vector squares, sharp at any resolution. The same input gives the same bytes.
//
// An A4 leaflet fits two pages at normal size (the body shrinks from 10 pt to no
// less than 9 pt when a language needs it). Large print sets every text at 16 pt
// or more and takes five to six A4 pages. A thermal leaflet is one 80 mm wide
// page as long as its content. Discreet mode, for victims at risk, prints no
// police branding in the title, header, first lines or PDF metadata.
package leaflet
