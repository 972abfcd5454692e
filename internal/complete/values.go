package complete

import (
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// SendTestMail are the values of send-test-mail's --mechanism,
// --quit-after and --initial-response, as they are typed, taken from
// where mailer defines them.
func SendTestMail() (mechanisms, stages, modes []string) {
	for _, m := range mailer.BearerMechanisms() {
		mechanisms = append(mechanisms, strings.ToLower(m))
	}
	for _, st := range mailer.QuitStages() {
		stages = append(stages, string(st))
	}
	for _, m := range mailer.IRModes() {
		modes = append(modes, string(m))
	}
	return mechanisms, stages, modes
}

// ArchiveNames are the names of the archived versions of the
// configuration in dir, for restore-config-archive --archive.
func ArchiveNames(dir string) []string {
	entries, _ := history.ListArchive(dir)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name)
	}
	return out
}
