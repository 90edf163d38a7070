package server

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/gin-gonic/gin"
)

// exportHeader is the first row of /dashboard/export.csv: one row per
// feedback, comment included.
func exportHeader() []string {
	return []string{
		"received_at", "visit_date", "officer_id", "collar_number", "officer_name", "borough", "team",
		"rating", "treated_with_respect", "told_rights", "knows_how_to_get_updates", "comment",
		"language", "age_band", "linked", "reviewed",
	}
}

// csvSafe defuses spreadsheet formulas: a cell starting with = + - @, a tab
// or a carriage return gets a leading single quote (OWASP's advice), so a
// victim's comment cannot run as a formula when a trainer opens the file.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// handleExport streams the filtered feedback of a scope (force, ?borough=,
// ?team= or ?officer=) as RFC 4180 CSV in UTF-8, newest first. It is
// audited before the first row goes out.
func (d *dash) handleExport() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		sc, err := scopeOf(c)
		if err != nil {
			d.fail(c, err)
			return
		}
		if id := c.Query("officer"); id != "" {
			if !doorstep.ValidID(id) {
				d.fail(c, doorstep.Errorf(doorstep.ENOTFOUND, "no officer has that id"))
				return
			}
			sc = doorstep.Scope{OfficerID: id}
		}
		f, err := parseFilter(c.Request.URL.Query())
		if err != nil {
			d.fail(c, err)
			return
		}
		officers := map[string]*doorstep.Officer{}
		if sc.OfficerID != "" {
			o, err := d.s.store.Officer(ctx, sc.OfficerID)
			if err != nil {
				d.fail(c, err)
				return
			}
			officers[o.ID] = o
		} else {
			all, err := d.s.store.Officers(ctx)
			if err != nil {
				d.fail(c, err)
				return
			}
			for _, o := range all {
				officers[o.ID] = o
			}
		}
		detail := sc.String()
		if q := f.query(doorstep.Scope{}).Encode(); q != "" {
			detail += "; " + q
		}
		if err := d.audit(c, "export", sc.OfficerID, detail); err != nil {
			d.fail(c, err)
			return
		}
		name := "doorstep-feedback-" + d.s.now().UTC().Format("20060102T150405Z") + ".csv"
		c.Header("Content-Type", "text/csv; charset=utf-8; header=present")
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		w.UseCRLF = true // RFC 4180
		header := exportHeader()
		_ = w.Write(header)
		row := make([]string, len(header))
		err = d.s.store.EachFeedback(ctx, sc, f.store, func(fb *doorstep.Feedback) error {
			o := officers[fb.OfficerID]
			if o == nil {
				o = &doorstep.Officer{ID: fb.OfficerID}
			}
			visit := ""
			if !fb.IssuedAt.IsZero() {
				visit = fb.IssuedAt.UTC().Format(dateForm)
			}
			row = append(row[:0],
				fb.ReceivedAt.UTC().Format(time.RFC3339), visit, o.ID, csvSafe(o.CollarNumber), csvSafe(o.Name),
				csvSafe(o.Borough), csvSafe(o.Team), strconv.Itoa(fb.Rating), fb.Respect, fb.Rights, fb.Updates,
				csvSafe(fb.Comment), csvSafe(fb.Language), csvSafe(fb.AgeBand),
				strconv.FormatBool(fb.Linked()), strconv.FormatBool(fb.Reviewed))
			return w.Write(row)
		})
		w.Flush()
		if err == nil {
			err = w.Error()
		}
		if err != nil {
			// The status has gone out: cut the transfer rather than end a
			// short file that looks complete.
			d.s.log.ErrorContext(ctx, "export failed", "request_id", requestID(c), "err", err)
			panic(http.ErrAbortHandler)
		}
	}
}
