// Package shellsyntax checks that the project's shell scripts parse, so
// that a bad merge in the end-to-end suite or CI script fails `make test`
// rather than the CI run's last step.
package shellsyntax

import (
	"os/exec"
	"path/filepath"
	"testing"
)

func TestScriptsParse(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	var files []string
	for _, pattern := range []string{"../../scripts/*.sh", "../e2e/*.sh", "../../.ci/run"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %d scripts: %v", len(files), files)
	}
	for _, f := range files {
		if out, err := exec.Command(bash, "-n", f).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", f, err, out)
		}
	}
}
