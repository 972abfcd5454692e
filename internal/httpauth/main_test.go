package httpauth

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// helperEnv makes the test binary a child process that obtains one token
// (see TestProcessesShareOneRequest) instead of running the tests.
const helperEnv = "DSCONFIG_HTTPAUTH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(childToken())
	}
	goleak.VerifyTestMain(m)
}

// childToken obtains the token of method "m" whose endpoint and
// configuration directory the parent gave, and prints it.
func childToken() int {
	reg, err := newTestRegistry()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	st := config.NewState()
	st.Put(&config.Object{Kind: config.KindHTTPAuthorizationMethod, Name: "m", Type: TypeClientCredentials,
		Values: map[string][]string{config.PropEnabled: {"true"}, propTokenEndpointURL: {os.Getenv("ENDPOINT")},
			propClientID: {testClientID}, propClientSecretProvider: {"secret"}}})
	src, err := New(Options{Config: &config.Snapshot{Registry: reg, State: st, Dir: os.Getenv("DIR")},
		Secrets: fakeSecrets{"secret": testSecret}}, "m")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tok, err := src.Token(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(tok.AccessToken)
	return 0
}
