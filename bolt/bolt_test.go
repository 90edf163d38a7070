package bolt_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/storetest"
)

// testOptions are the options of stores under test: the suite's token checker
// and, as in production, fsync on.
func testOptions() bolt.Options {
	return bolt.Options{CheckToken: storetest.CheckToken}
}

// MustOpen opens a new store in a temporary directory, closed when the test ends.
func MustOpen(t testing.TB) *bolt.DB {
	t.Helper()
	return mustOpenAt(t, filepath.Join(t.TempDir(), bolt.DefaultFileName), testOptions())
}

func mustOpenAt(t testing.TB, path string, opts bolt.Options) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	open := func(t *testing.T) doorstep.Store { return MustOpen(t) }
	storetest.Run(t, open)
	storetest.RunBackup(t, open, func(t *testing.T, r io.Reader) doorstep.Store {
		path := filepath.Join(t.TempDir(), "restored", bolt.DefaultFileName)
		if err := bolt.Restore(r, path); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		return mustOpenAt(t, path, testOptions())
	})
}

// ctx is the context of the bolt-specific tests.
func ctx() context.Context { return context.Background() }
