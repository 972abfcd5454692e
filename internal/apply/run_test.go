package apply

import (
	"errors"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

// A dry run reports the change and leaves the state alone; applying the
// same file to a state that matches it changes nothing.
func TestRun(t *testing.T) {
	r := registry.ForTest(t)
	cur := mustDesired(t, r, envProvider).State
	run := &Run{Registry: r, Desired: mustDesired(t, r, "create-passphrase-provider --provider-name Env --type environment-variable --set enabled:true --set environment-variable:Y\n")}
	if err := run.DryRun(cur); err != nil || len(run.Entries) != 1 {
		t.Fatalf("dry run: %v, %+v", err, run.Entries)
	}
	if again := (&Run{Registry: r, Desired: run.Desired}); errors.Is(again.DryRun(cur), ErrNothingToChange) {
		t.Error("the dry run changed the state it was given")
	}
	same := &Run{Registry: r, Desired: mustDesired(t, r, envProvider)}
	if err := same.DryRun(cur); !errors.Is(err, ErrNothingToChange) || len(same.Entries) != 0 {
		t.Errorf("nothing to change: %v, %+v", err, same.Entries)
	}
}
