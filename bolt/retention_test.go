package bolt_test

import (
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/storetest"
)

func TestRetentionConformance(t *testing.T) {
	storetest.RunRetention(t, func(t *testing.T) doorstep.Store { return MustOpen(t) })
}
