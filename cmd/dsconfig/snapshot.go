package main

import "github.com/dsconfig-smtp/dsconfig/internal/config"

// snapshot loads the configuration as the domain packages read it. The
// configuration directory is resolved once, with the store.
func (f *factory) snapshot() (*config.Snapshot, error) {
	s, err := f.Store()
	if err != nil {
		return nil, err
	}
	snap := &config.Snapshot{Registry: f.Registry, Dir: s.Dir}
	if f.tx != nil {
		snap.State = f.tx.State // a batch line sees the lines before it
		return snap, nil
	}
	if snap.State, err = s.Load(); err != nil {
		return nil, err
	}
	return snap, nil
}
