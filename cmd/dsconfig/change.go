package main

import (
	"dsconfig/internal/config"
)

// applyChange runs one command's change on tx and checks what it touched.
// On failure tx is as it was before, so a batch can go on with its next
// line; on success the change's audit records are added to tx.Records.
func applyChange(r *config.Registry, tx *config.Tx, change func(*config.Tx) error) error {
	mark, nChanged := tx.State.Mark(), len(tx.Changed)
	rollback := func() {
		tx.State.Rollback(mark)
		tx.Changed = tx.Changed[:nChanged]
	}
	if err := change(tx); err != nil {
		rollback()
		return err
	}
	changes := tx.State.Since(mark)
	var touched []*config.Object
	for _, ch := range changes {
		if ch.New != nil {
			touched = append(touched, ch.New)
		}
	}
	if ps := r.CheckChanged(tx.State, touched); len(ps) > 0 {
		rollback()
		return r.ChangeError(tx.Action, ps, touched)
	}
	for _, ch := range changes {
		tx.Records = append(tx.Records, recordsFor(r, ch)...)
	}
	return nil
}
