package doorstep_test

import (
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

func TestNewIDSortsByTimeAndIsValid(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	a := doorstep.NewID(t0)
	b := doorstep.NewID(t0.Add(time.Millisecond))
	if !doorstep.ValidID(a) || !doorstep.ValidID(b) {
		t.Fatalf("invalid ids %q %q", a, b)
	}
	if !(a < b) {
		t.Fatalf("ids do not sort by time: %q !< %q", a, b)
	}
	if a[14] != '7' {
		t.Fatalf("not version 7: %q", a)
	}
	if doorstep.NewID(t0) == doorstep.NewID(t0) {
		t.Fatal("two ids in one millisecond collide")
	}
	for _, bad := range []string{"", "x", a[:35], a + "0", "0190DEAD-0000-7000-8000-000000000000"} {
		if doorstep.ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}
