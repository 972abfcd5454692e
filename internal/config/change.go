package config

// ApplyChange runs one command's change on tx and returns what it changed,
// object by object, for the audit records. In a batch (inBatch), it also checks what the
// change touched and, on failure, leaves tx as it was, so that the batch
// can go on with its next line. Outside a batch that check would be done
// twice: Store.Update validates the whole result before writing anything.
func (r *Registry) ApplyChange(tx *Tx, change func(*Tx) error, inBatch bool) ([]Change, error) {
	mark, nChanged := tx.State.Mark(), len(tx.Changed)
	rollback := func() {
		tx.State.Rollback(mark)
		tx.Changed = tx.Changed[:nChanged]
	}
	if err := change(tx); err != nil {
		rollback()
		return nil, err
	}
	changes := tx.State.Since(mark)
	if inBatch {
		if err := r.checkChanges(tx, changes); err != nil {
			rollback()
			return nil, err
		}
	}
	return changes, nil
}

// checkChanges checks the objects a change created or modified, and those
// that refer to one it disabled.
func (r *Registry) checkChanges(tx *Tx, changes []Change) error {
	var touched []*Object
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
