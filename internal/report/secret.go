package report

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Secret is test-passphrase-provider's result, and its JSON shape: never
// the secret, only what tells two secrets apart.
type Secret struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Length      int    `json:"length"`
	Fingerprint string `json:"fingerprint"`
}

// NewSecret is the result for the secret that the passphrase provider
// name, of type typ, gave.
func NewSecret(name, typ, secret string) *Secret {
	return &Secret{name, typ, utf8.RuneCountInString(secret), config.Fingerprint(secret)}
}

// WriteText prints the result as one sentence.
func (r *Secret) WriteText(w io.Writer) {
	chars := "characters"
	if r.Length == 1 {
		chars = "character"
	}
	fmt.Fprintf(w, "The Passphrase Provider %q gave a secret of %d %s, fingerprint %s (not the secret: the start of its SHA-256)\n",
		r.Name, r.Length, chars, r.Fingerprint)
}
