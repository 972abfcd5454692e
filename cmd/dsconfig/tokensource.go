package main

import (
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
)

// tokenSource returns the token source of the named
// http-authorization-method, as get-access-token and send-test-mail use it.
func (f *factory) tokenSource(st *config.State, method string, noCache bool) (httpauth.Source, error) {
	res, err := f.passphraseResolver(st)
	if err != nil {
		return nil, err
	}
	return httpauth.New(httpauth.Options{Registry: f.Registry, State: st, Dir: res.Dir, NoCache: noCache, Secrets: res,
		Warn: func(msg string) { f.warn("%s", msg) }}, method)
}
