package main

import (
	"errors"
	"slices"

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
		return checkError(r, tx.Action, ps, touched)
	}
	for _, ch := range changes {
		for _, rec := range recordsFor(r, ch) {
			tx.Records = append(tx.Records, rec)
		}
	}
	return nil
}

// checkError words the problems as a single command's validation does:
// problems of the object being changed as they are, problems it causes
// elsewhere prefixed with the object they are in.
func checkError(r *config.Registry, action string, ps []config.ObjectProblem, touched []*config.Object) error {
	var errs []error
	for _, p := range ps {
		if slices.Contains(touched, p.Object) {
			errs = append(errs, p.Err)
			continue
		}
		errs = append(errs, config.Problemf(hintText(p.Err), "%s: %s", r.Describe(p.Object), p.Err))
	}
	if action == "" {
		action = "The change was rejected"
	}
	return &config.ValidationError{Action: action, Problems: errs}
}

func hintText(err error) string {
	var h config.Hinted
	if errors.As(err, &h) {
		return h.ErrorHint()
	}
	return ""
}
