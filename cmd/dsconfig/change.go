package main

import (
	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// applyChange runs one command's change on tx and adds the change's audit
// records to tx.Records. In a batch (inBatch), it also checks what the
// change touched and, on failure, leaves tx as it was, so that the batch
// can go on with its next line. Outside a batch that check would be done
// twice: Store.Update validates the whole result before writing anything.
func applyChange(r *config.Registry, tx *config.Tx, change func(*config.Tx) error, inBatch bool) error {
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
	if inBatch {
		if err := checkChanges(r, tx, changes); err != nil {
			rollback()
			return err
		}
	}
	for _, ch := range changes {
		tx.Records = append(tx.Records, recordsFor(r, ch)...)
	}
	return nil
}

// checkChanges checks the objects a change created or modified, and those
// that refer to one it disabled.
func checkChanges(r *config.Registry, tx *config.Tx, changes []config.Change) error {
	var touched []*config.Object
	for _, ch := range changes {
		if ch.New != nil {
			touched = append(touched, ch.New)
		}
	}
	if ps := r.CheckChanged(tx.State, touched); len(ps) > 0 {
		return r.ChangeError(tx.Action, ps, touched)
	}
	return nil
}
