package apply

import (
	"errors"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// ErrNothingToChange is what Run.Converge returns when the state already
// matches: it ends the store's update, so that nothing is written, not
// even to the audit log.
var ErrNothingToChange = errors.New("nothing to change")

// Run is one apply-config: it converges a state to Desired and keeps
// what changed in Entries.
type Run struct {
	Registry *config.Registry
	Desired  *Desired
	Prune    bool
	Entries  []Entry
}

// Converge changes st as converge does, and returns ErrNothingToChange
// when nothing changed.
func (r *Run) Converge(st *config.State) (err error) {
	r.Entries, err = converge(r.Registry, st, r.Desired, r.Prune)
	if err == nil && len(r.Entries) == 0 {
		err = ErrNothingToChange
	}
	return err
}

// DryRun converges a copy of st, which is left as it is.
func (r *Run) DryRun(st *config.State) error {
	st = st.Clone()
	st.Record()
	return r.Converge(st)
}
