// Package check finds what is wrong with a configuration before a mail
// fails: check-config runs every check, create-* and set-*-prop the ones
// that need no secret, command or network (Object), and docs/checks.md is
// generated from the same table.
//
// A check reads a config.Snapshot. Offline checks read only the store and
// the files it names; online checks (Online) get tokens and open SMTP
// sessions through httpauth and mailer, the code paths of get-access-token
// and send-test-mail, and send no message.
package check

import (
	"fmt"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Severity is how much a finding matters. It is fixed per check.
type Severity string

// The severities, worst first.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Notice  Severity = "notice"
)

// checkDef is one row of the table: what the check finds, why it matters,
// and how to fix it in general; each finding names its own command.
type checkDef struct {
	ID       string
	Severity Severity
	What     string
	Why      string
	Fix      string
	// Quick checks need no secret, command or network; create-* and
	// set-*-prop run them on the object they touch.
	Quick bool
	// Online checks run only with --online.
	Online bool
}

// The check IDs.
const (
	noSMTPServer       = "no-smtp-server"
	disabledReference  = "disabled-reference"
	secretUnresolved   = "secret-unresolved"
	certExpired        = "certificate-expired"
	shortTokenLifetime = "short-token-lifetime"
	staticToken        = "static-token"
	userNameNotAddress = "user-name-not-address"
	blindTrust         = "blind-trust"
	hostnameNotChecked = "hostname-verification-off"
	plaintextCreds     = "plaintext-credentials"
	connectionProperty = "connection-property-ignored"
	secretFileReadable = "secret-file-readable"
	exchangeScopeCheck = "exchange-scope"
	exchangeGraphScope = "exchange-graph-scope"
	exchangeSubmission = "exchange-submission"
	googleScope        = "google-scope"
	certExpiring       = "certificate-expiring"
	serverUnlisted     = "server-unlisted"
	unusedObject       = "unused-object"
	loopbackHTTP       = "loopback-http-endpoint"
	onlineToken        = "online-token"
	onlineConnect      = "online-connect"
	onlineTLS          = "online-tls"
	onlineAuth         = "online-auth"
	tokenClaims        = "token-claims"
)

// table is every check, in the order of docs/checks.md: errors, then
// warnings, then notices.
var table = []checkDef{
	{ID: noSMTPServer, Severity: Error, Quick: true,
		What: "the global smtp-server list is empty, or names no server",
		Why:  "without a listed server no mail can be sent",
		Fix:  "dsconfig set-global-configuration-prop --set smtp-server:NAME"},
	{ID: disabledReference, Severity: Error, Quick: true,
		What: "a listed SMTP server uses a disabled HTTP authorization method, passphrase provider or trust manager provider",
		Why:  "the send fails when it reaches the disabled object",
		Fix:  "enable the object (--set enabled:true), or point the server at another one"},
	{ID: secretUnresolved, Severity: Error,
		What: "a passphrase provider in use does not give its secret: an environment variable unset, a file missing, a command failing",
		Why:  "no token can be requested and no password sent without the secret",
		Fix:  "dsconfig test-passphrase-provider --provider-name NAME says what failed; set the variable, create the file, or fix the command"},
	{ID: certExpired, Severity: Error, Quick: true,
		What: "a certificate in a trust store or key store file has expired",
		Why:  "TLS to a server that relies on it fails",
		Fix:  "replace the PEM file with current certificates"},
	{ID: onlineToken, Severity: Error, Online: true,
		What: "--online: an HTTP authorization method in use gives no token",
		Why:  "no bearer-token authentication can happen",
		Fix:  "dsconfig get-access-token --method-name NAME shows the server's answer and a hint"},
	{ID: onlineConnect, Severity: Error, Online: true,
		What: "--online: a listed SMTP server cannot be reached",
		Why:  "mail through it fails",
		Fix:  "check server-host-name, server-port and the network path"},
	{ID: onlineTLS, Severity: Error, Online: true,
		What: "--online: TLS with a listed SMTP server fails, for example on an untrusted or expired certificate",
		Why:  "credentials are never sent without TLS",
		Fix:  "check smtp-security and the trust-manager-provider"},
	{ID: onlineAuth, Severity: Error, Online: true,
		What: "--online: EHLO offers no bearer mechanism the method can use, or AUTH is refused",
		Why:  "mail through the server fails at AUTH",
		Fix:  "dsconfig send-test-mail --server-name NAME --quit-after auth --verbose shows the dialogue and a hint"},
	{ID: shortTokenLifetime, Severity: Warning, Quick: true,
		What: "maximum-token-lifetime is under a minute",
		Why:  "testing only; remove in production: every send requests a new token",
		Fix:  "dsconfig set-http-authorization-method-prop --method-name NAME --reset maximum-token-lifetime"},
	{ID: staticToken, Severity: Warning, Quick: true,
		What: "a listed SMTP server uses a static-bearer-token method",
		Why:  "a static token is for testing and troubleshooting only: it expires and cannot be renewed",
		Fix:  "use a client-credentials-bearer-token method as the server's token-acquisition-method"},
	{ID: userNameNotAddress, Severity: Warning, Quick: true,
		What: "user-name is not an email address (addr-spec) on a server with a token-acquisition-method",
		Why:  "with bearer tokens user-name is the sender's mailbox; the send fails at MAIL FROM",
		Fix:  "dsconfig set-external-server-prop --server-name NAME --set user-name:ADDRESS"},
	{ID: blindTrust, Severity: Warning, Quick: true,
		What: "a blind-trust trust manager provider is in use",
		Why:  "any certificate is accepted, so anyone on the path can read the credentials",
		Fix:  "use a file-based or system-default trust manager provider"},
	{ID: hostnameNotChecked, Severity: Warning, Quick: true,
		What: "hostname-verification-method is allow-all",
		Why:  "any certificate from a trusted CA is accepted for any host",
		Fix:  "dsconfig set-http-authorization-method-prop --method-name NAME --reset hostname-verification-method"},
	{ID: plaintextCreds, Severity: Warning, Quick: true,
		What: "smtp-security is none to a host that is not loopback, with a token or a password",
		Why:  "send-test-mail refuses to send credentials in clear to a remote host",
		Fix:  "dsconfig set-external-server-prop --server-name NAME --set smtp-security:starttls --set server-port:587"},
	{ID: connectionProperty, Severity: Warning, Quick: true,
		What: "smtp-connection-properties holds a name dsconfig does not implement, or a value it cannot use (stores from before the names were checked)",
		Why:  "the setting is ignored: send-test-mail and send-mail connect without it",
		Fix:  "dsconfig set-external-server-prop --server-name NAME --remove \"smtp-connection-properties:NAME=VALUE\"; the names are mail.smtp.connectiontimeout, mail.smtp.timeout, mail.smtp.writetimeout, mail.smtp.localhost and mail.smtp.ssl.protocols"},
	{ID: secretFileReadable, Severity: Warning,
		What: "a password file in use can be read by group or others",
		Why:  "other users of the machine can read the secret",
		Fix:  "chmod 600 FILE"},
	{ID: exchangeScopeCheck, Severity: Warning, Quick: true,
		What: "a requested-scope for outlook.office365.com does not end in /.default",
		Why:  "with client credentials Microsoft accepts only <resource>/.default",
		Fix:  "dsconfig set-http-authorization-method-prop --method-name NAME --set requested-scope:https://outlook.office365.com/.default"},
	{ID: exchangeGraphScope, Severity: Warning, Quick: true,
		What: "a Microsoft Graph scope (graph.microsoft.com) is requested for SMTP",
		Why:  "Graph tokens are refused by Exchange Online SMTP (535 5.7.3)",
		Fix:  "dsconfig set-http-authorization-method-prop --method-name NAME --set requested-scope:https://outlook.office365.com/.default"},
	{ID: exchangeSubmission, Severity: Warning, Quick: true,
		What: "smtp.office365.com with a port other than 587, or smtp-security other than starttls",
		Why:  "Exchange Online takes authenticated submission on 587 with STARTTLS",
		Fix:  "dsconfig set-external-server-prop --server-name NAME --set server-port:587 --set smtp-security:starttls"},
	{ID: googleScope, Severity: Warning, Quick: true,
		What: "smtp.gmail.com with a requested scope other than https://mail.google.com/",
		Why:  "Gmail SMTP accepts only tokens for the full mail scope",
		Fix:  "dsconfig set-http-authorization-method-prop --method-name NAME --set requested-scope:https://mail.google.com/"},
	{ID: certExpiring, Severity: Warning, Quick: true,
		What: "a certificate in a trust store or key store file, or a server's certificate (--online), expires within 30 days",
		Why:  "TLS fails once it expires",
		Fix:  "renew the certificate before it expires"},
	{ID: tokenClaims, Severity: Warning, Online: true,
		What: "--online: a JWT from the method does not fit smtp.office365.com: its audience, its roles/scp (SMTP.SendAsApp) or its lifetime",
		Why:  "Exchange Online refuses such a token at AUTH",
		Fix:  "request https://outlook.office365.com/.default and grant the application permission SMTP.SendAsApp"},
	{ID: serverUnlisted, Severity: Warning, Quick: true,
		What: "an SMTP server is defined but not in the global smtp-server list",
		Why:  "it is never used to send mail",
		Fix:  "dsconfig set-global-configuration-prop --add smtp-server:NAME, or delete it"},
	{ID: unusedObject, Severity: Notice, Quick: true,
		What: "a passphrase provider, trust or key manager provider, or HTTP authorization method that nothing uses",
		Why:  "it does nothing; it may be left over",
		Fix:  "delete it, or refer to it"},
	{ID: loopbackHTTP, Severity: Notice, Quick: true,
		What: "a token endpoint over http:// to a loopback host",
		Why:  "allowed for testing only",
		Fix:  "use the https:// token endpoint in production"},
}

// lookup returns the check with the ID; it panics on an unknown ID,
// which is a mistake in this package.
func lookup(id string) checkDef {
	for _, c := range table {
		if c.ID == id {
			return c
		}
	}
	panic("check: unknown check " + id)
}

// Finding is one problem found in one object.
type Finding struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	// Kind and Name say which object; Name is empty for the global
	// configuration.
	Kind     string `json:"object-type"`
	Name     string `json:"name,omitempty"`
	Property string `json:"property,omitempty"`
	Message  string `json:"message"`
	// Fix is the command that fixes it, when there is one.
	Fix string `json:"fix,omitempty"`
}

// Object names the object as people read it: kind "name".
func (f Finding) Object() string {
	if f.Name == "" {
		return f.Kind
	}
	return fmt.Sprintf("%s %q", f.Kind, f.Name)
}

// String is the finding on one line: severity, object, property, what
// is wrong, and the command that fixes it.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Severity, f.Object(), f.Summary())
}

// Summary is the finding without its severity and object: the property,
// what is wrong, the check's ID and the fix.
func (f Finding) Summary() string {
	var b strings.Builder
	if f.Property != "" {
		fmt.Fprintf(&b, "%s: ", f.Property)
	}
	fmt.Fprintf(&b, "%s [%s]", f.Message, f.Check)
	if f.Fix != "" {
		fmt.Fprintf(&b, "; fix: %s", f.Fix)
	}
	return b.String()
}

// newFinding fills in the severity from the table.
func newFinding(id, kind, name, prop, msg string, fix []string) Finding {
	f := Finding{Check: id, Severity: lookup(id).Severity, Kind: kind, Name: name, Property: prop, Message: msg}
	if fix != nil {
		f.Fix = batchfile.Format(fix)
	}
	return f
}

// Counts returns the number of errors, warnings and notices.
func Counts(fs []Finding) (errs, warns, notes int) {
	for _, f := range fs {
		switch f.Severity {
		case Error:
			errs++
		case Warning:
			warns++
		default:
			notes++
		}
	}
	return errs, warns, notes
}

// Markdown is docs/checks.md, generated from table.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Configuration checks\n\n<!-- Generated from the table in internal/check/checks.go by `make docs`; do not edit. -->\n\n")
	b.WriteString("`dsconfig check-config` runs these checks and prints one line per finding: severity, object, property, what is wrong, and the command that fixes it. ")
	b.WriteString("It exits 0 when there is no error and 3 when there is one; with `--strict` a warning counts as an error. ")
	b.WriteString("Online checks run only with `--online`. `create-*` and `set-*-prop` print the findings of the quick checks (no secret, command or network) for the object they touch, as warnings; a batch file prints them once, at its end, for the objects its lines touched, so that a state a later line corrects is not reported. `--quiet` silences them.\n\n")
	b.WriteString("| ID | Severity | Finds | Why it matters | Fix | When |\n|---|---|---|---|---|---|\n")
	for _, c := range table {
		when := "check-config"
		switch {
		case c.Online:
			when = "check-config --online"
		case c.Quick:
			when = "check-config, create, set"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", c.ID, c.Severity, c.What, c.Why, mdCode(c.Fix), when)
	}
	return b.String()
}

// mdCode shows a fix that is a command as code.
func mdCode(fix string) string {
	if strings.HasPrefix(fix, "dsconfig ") || strings.HasPrefix(fix, "chmod ") {
		if i := strings.Index(fix, " says "); i > 0 {
			return "`" + fix[:i] + "`" + fix[i:]
		}
		if i := strings.Index(fix, " shows "); i > 0 {
			return "`" + fix[:i] + "`" + fix[i:]
		}
		if i := strings.Index(fix, ", or "); i > 0 {
			return "`" + fix[:i] + "`" + fix[i:]
		}
		return "`" + fix + "`"
	}
	return fix
}

// failedError says that check-config found an error, or, with --strict,
// a warning. It is a configuration that is unusable, so it matches
// config.ErrRejected (exit code 3).
type failedError struct {
	Errors, Warnings int
	Strict           bool
}

func (e *failedError) Error() string {
	if e.Errors == 0 {
		return fmt.Sprintf("the configuration has %s (--strict counts them as errors)", plural(e.Warnings, "warning"))
	}
	return fmt.Sprintf("the configuration has %s", plural(e.Errors, "error"))
}

// Is makes the failure match config.ErrRejected.
func (e *failedError) Is(target error) bool { return target == config.ErrRejected }

// Verdict returns a *failedError when the findings fail the check.
func Verdict(fs []Finding, strict bool) error {
	errs, warns, _ := Counts(fs)
	if errs > 0 || strict && warns > 0 {
		return &failedError{Errors: errs, Warnings: warns, Strict: strict}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// SummaryLine counts the findings, for the end of the report.
func SummaryLine(fs []Finding) string {
	e, w, n := Counts(fs)
	return fmt.Sprintf("%s, %s, %s", plural(e, "error"), plural(w, "warning"), plural(n, "notice"))
}
