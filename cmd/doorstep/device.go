package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	mobileapi "github.com/doorstep-project/doorstep/mobile-api"
)

const deviceUsage = `Usage: doorstep device --state DIR COMMAND [flags]

The officer's device: pair once, issue codes and leaflets offline, sync when
there is signal. DIR keeps the device's state (DOORSTEP_STATE).

Commands:
  pair      --server URL --code CODE [--name NAME]
            pair with the server, using a pairing code from an admin
  issue     [--crime-ref REF] [--lang CODE] [--large-print] [--format a4|thermal]
            [--discreet] --pdf FILE --qr FILE
            issue a feedback code offline: writes the leaflet PDF and the QR PNG,
            prints the feedback URL
  issued    [--json]
            the codes issued on this device, newest first, with their IDs
  void      --id ID [--reason TEXT]
            cancel a code issued by mistake (sent at the next sync)
  sync      [--timeout DURATION]
            push issued codes, pull feedback and leaflet content
  feedback  [--json]
            the officer's own feedback, newest first, as of the last sync
  status    the device's pairing, officer and outbox

Every flag can also be set with DOORSTEP_ and its name in capitals, - as _
(--crime-ref: DOORSTEP_CRIME_REF).
`

// runDevice runs "doorstep device ...".
func runDevice(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := deviceFlags("device", stderr)
	state := fs.String("state", "", "device state `DIR`")
	if err := deviceParse(fs, args, getenv); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, deviceUsage)
		return usagef("device: no command given (pair, issue, issued, void, sync, feedback, status)")
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	var run func(context.Context, *deviceCmd) error
	sub := deviceFlags("device "+cmd, stderr)
	// --state may also follow the command; the environment is read once, above.
	sub.StringVar(state, "state", *state, "device state `DIR`")
	switch cmd {
	case "pair":
		run = devicePair(sub)
	case "issue":
		run = deviceIssue(sub)
	case "void":
		run = deviceVoid(sub)
	case "sync":
		run = deviceSync(sub)
	case "feedback":
		run = deviceFeedback(sub)
	case "issued":
		run = deviceIssued(sub)
	case "status":
		run = deviceStatus
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, deviceUsage)
		return nil
	default:
		fmt.Fprint(stderr, deviceUsage)
		return usagef("device: unknown command %q", cmd)
	}
	if err := deviceParse(sub, rest, getenv, "state"); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if sub.NArg() > 0 {
		return usagef("device %s: unexpected argument %q", cmd, sub.Arg(0))
	}
	if *state == "" {
		return usagef("device: --state DIR (or DOORSTEP_STATE) is required")
	}
	dev, err := mobileapi.Open(*state)
	if err != nil {
		return deviceError(err)
	}
	defer dev.Close()
	return run(ctx, &deviceCmd{dev: dev, state: *state, stdout: stdout, stderr: stderr})
}

// deviceCmd is what every device command gets.
type deviceCmd struct {
	dev            *mobileapi.Device
	state          string
	stdout, stderr io.Writer
}

func deviceFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, deviceUsage) }
	return fs
}

// deviceParse parses args, then sets every flag not given on the command line
// (and not in skip) from its DOORSTEP_* environment variable. After -h it
// returns flag.ErrHelp, which runDevice answers with exit status 0.
func deviceParse(fs *flag.FlagSet, args []string, getenv func(string) string, skip ...string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range skip {
		given[s] = true
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "DOORSTEP_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usagef("%s=%q: %v", env, v, serr)
			}
		}
	})
	return err
}

// deviceError turns a mobileapi error into the one line the officer reads.
func deviceError(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(mobileapi.ErrorMessage(err))
}

func devicePair(fs *flag.FlagSet) func(context.Context, *deviceCmd) error {
	server := fs.String("server", "", "the Doorstep server's `URL`")
	code := fs.String("code", "", "the pairing `CODE` from an admin")
	name := fs.String("name", "", "a `NAME` for this device (default: the host name)")
	return func(ctx context.Context, c *deviceCmd) error {
		if *server == "" || *code == "" {
			return usagef("device pair: --server URL and --code CODE are required")
		}
		if *name == "" {
			*name, _ = os.Hostname()
			if len(*name) > 64 {
				*name = (*name)[:64]
			}
		}
		stop := context.AfterFunc(ctx, c.dev.CancelSync)
		defer stop()
		if err := c.dev.Pair(*server, *code, *name); err != nil {
			return fmt.Errorf("pairing failed: %s", mobileapi.ErrorMessage(err))
		}
		s, err := c.dev.Status()
		if err != nil {
			return deviceError(err)
		}
		fmt.Fprintf(c.stdout, "paired: device %d of %s %s (%s); feedback links start with %s\n",
			s.DeviceID, s.CollarNumber, s.OfficerName, s.Borough, s.PublicURL)
		return nil
	}
}

func deviceIssue(fs *flag.FlagSet) func(context.Context, *deviceCmd) error {
	var o mobileapi.IssueOptions
	fs.StringVar(&o.CrimeRef, "crime-ref", "", "the crime `REF`erence printed on the leaflet (never in the code)")
	fs.StringVar(&o.Language, "lang", mobileapi.DefaultLanguage, "the leaflet's language `CODE`")
	fs.BoolVar(&o.LargePrint, "large-print", false, "large print leaflet")
	fs.StringVar(&o.Format, "format", doorstep.FormatA4, "leaflet format: a4 or thermal (80 mm roll)")
	fs.BoolVar(&o.Discreet, "discreet", false, "discreet leaflet: no police branding in the title or first lines")
	pdf := fs.String("pdf", "", "write the leaflet PDF to `FILE`")
	qr := fs.String("qr", "", "write the QR code PNG to `FILE`")
	return func(ctx context.Context, c *deviceCmd) error {
		if *pdf == "" || *qr == "" {
			return usagef("device issue: --pdf FILE and --qr FILE are required")
		}
		if o.Format != doorstep.FormatA4 && o.Format != doorstep.FormatThermal {
			return usagef("device issue: --format must be a4 or thermal, not %q", o.Format)
		}
		is, err := c.dev.Issue(&o)
		if err != nil {
			return fmt.Errorf("issue failed: %s", mobileapi.ErrorMessage(err))
		}
		for _, f := range []struct {
			path string
			data []byte
		}{{*pdf, is.PDF}, {*qr, is.QRPNG}} {
			if err := deviceWriteFile(f.path, f.data); err != nil {
				// The code never reached the victim: void it so that it does not count.
				if verr := c.dev.Void(is.ID, "leaflet could not be saved"); verr != nil {
					return fmt.Errorf("%v; voiding the code %s failed too: %s", err, is.ID, mobileapi.ErrorMessage(verr))
				}
				return fmt.Errorf("%v (the code was voided: issue again)", err)
			}
		}
		fmt.Fprintln(c.stdout, is.URL)
		return nil
	}
}

// deviceWriteFile writes data to path atomically: a reader sees the old file or
// the whole new one, never half of it.
func deviceWriteFile(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	return nil
}

func deviceVoid(fs *flag.FlagSet) func(context.Context, *deviceCmd) error {
	id := fs.String("id", "", "the issued code's `ID` (see the issued command)")
	reason := fs.String("reason", "", "why the code is void")
	return func(ctx context.Context, c *deviceCmd) error {
		if *id == "" {
			return usagef("device void: --id ID is required")
		}
		if err := c.dev.Void(*id, *reason); err != nil {
			return fmt.Errorf("void failed: %s", mobileapi.ErrorMessage(err))
		}
		fmt.Fprintf(c.stdout, "voided %s (sent at the next sync)\n", *id)
		return nil
	}
}

func deviceSync(fs *flag.FlagSet) func(context.Context, *deviceCmd) error {
	timeout := fs.Duration("timeout", 0, "give up after `DURATION`, retries included (default 2m)")
	return func(ctx context.Context, c *deviceCmd) error {
		stop := context.AfterFunc(ctx, c.dev.CancelSync)
		defer stop()
		rep, err := c.dev.SyncWithin(timeout.Milliseconds())
		if err != nil {
			return fmt.Errorf("sync failed: %s", mobileapi.ErrorMessage(err))
		}
		fmt.Fprintln(c.stdout, rep.String())
		return nil
	}
}

func deviceFeedback(fs *flag.FlagSet) func(context.Context, *deviceCmd) error {
	asJSON := fs.Bool("json", false, "print JSON (every field) instead of text")
	return func(ctx context.Context, c *deviceCmd) error {
		if *asJSON {
			s, err := c.dev.FeedbackJSON()
			if err != nil {
				return deviceError(err)
			}
			fmt.Fprintln(c.stdout, s)
			return nil
		}
		list, err := c.dev.Feedback()
		if err != nil {
			return deviceError(err)
		}
		if list.Count() == 0 {
			fmt.Fprintln(c.stderr, "no feedback yet (sync to fetch new feedback)")
			return nil
		}
		for i := range list.Count() {
			f := list.At(i)
			when := time.UnixMilli(f.ReceivedAtMillis).UTC().Format("2006-01-02 15:04 UTC")
			line := fmt.Sprintf("%d/5  %s", f.Rating, when)
			if f.CrimeRef != "" {
				line += "  " + f.CrimeRef
			}
			// The comment exactly as the victim wrote it, last on the line.
			if f.Comment != "" {
				line += "  " + f.Comment
			}
			fmt.Fprintln(c.stdout, line)
		}
		return nil
	}
}

func deviceIssued(fs *flag.FlagSet) func(context.Context, *deviceCmd) error {
	asJSON := fs.Bool("json", false, "print JSON (every field) instead of text")
	return func(ctx context.Context, c *deviceCmd) error {
		if *asJSON {
			s, err := c.dev.IssuedJSON(0)
			if err != nil {
				return deviceError(err)
			}
			fmt.Fprintln(c.stdout, s)
			return nil
		}
		list, err := c.dev.Issuances(0)
		if err != nil {
			return deviceError(err)
		}
		for i := range list.Count() {
			it := list.At(i)
			state := "pending"
			switch {
			case it.Rejected != "":
				state = "rejected: " + it.Rejected
			case it.Voided:
				state = "void"
			case it.Synced:
				state = "synced"
			}
			ref := it.CrimeRef
			if ref == "" {
				ref = "-"
			}
			fmt.Fprintf(c.stdout, "%s  %s  %s  %s  %s\n", it.ID, it.IssuedAt, ref, it.Language, state)
		}
		return nil
	}
}

func deviceStatus(ctx context.Context, c *deviceCmd) error {
	s, err := c.dev.Status()
	if err != nil {
		return deviceError(err)
	}
	w := c.stdout
	if !s.Paired {
		fmt.Fprintf(w, "not paired: run doorstep device --state %s pair --server URL --code CODE\n", c.state)
		return nil
	}
	fmt.Fprintf(w, "device:    %d %q, paired %s with %s\n", s.DeviceID, s.DeviceName, s.PairedAt, s.ServerURL)
	fmt.Fprintf(w, "officer:   %s %s, %s, %s\n", s.CollarNumber, s.OfficerName, s.Borough, s.Team)
	fmt.Fprintf(w, "links:     %s\n", s.PublicURL)
	fmt.Fprintf(w, "issued:    %d (%d synced, %d rejected)\n", s.Issued, s.Synced, s.Rejected)
	fmt.Fprintf(w, "pending:   %d to push\n", s.Pending)
	fmt.Fprintf(w, "feedback:  %d\n", s.Feedback)
	last := s.LastSync
	if last == "" {
		last = "never"
	}
	fmt.Fprintf(w, "last sync: %s\n", last)
	if s.Revoked {
		fmt.Fprintln(w, "REVOKED:   this device has been revoked: ask your admin to pair it again")
	}
	return nil
}
