package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
)

// Property and type names that the checks read. They are the names users
// type, so they are as stable as the registry; a test checks each one
// against it.
const (
	propEndpoint      = "oauth-server-token-endpoint-url"
	propScope         = "requested-scope"
	propMaxLifetime   = "maximum-token-lifetime"
	propHostnameCheck = "hostname-verification-method"
	propTrustManager  = "trust-manager-provider"
	propKeyManager    = "key-manager-provider"
	propHost          = "server-host-name"
	propPort          = "server-port"
	propSecurity      = "smtp-security"
	propUser          = "user-name"
	propPassword      = "password"
	propPassProvider  = "passphrase-provider"
	propTokenMethod   = "token-acquisition-method"
	propConnProps     = "smtp-connection-properties"
	propTrustFile     = "trust-store-file"
	propKeyFile       = "key-store-file"

	typeStatic     = "static-bearer-token"
	typeBlindTrust = "blind-trust"
	typeFileBased  = "file-based"
)

// Options say what Offline and Online check.
type Options struct {
	Config *config.Snapshot
	// Getenv reads environment-variable providers; nil means os.Getenv.
	Getenv func(string) string
	Now    func() time.Time
	// ServerName or MethodName, when set, limit the checks to that
	// object and the objects it refers to.
	ServerName, MethodName string
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Offline runs every check that needs no network, secrets included.
func Offline(ctx context.Context, o Options) ([]Finding, error) {
	c, err := newChecker(o.Config, o.now())
	if err != nil {
		return nil, err
	}
	if err := c.scope(o.ServerName, o.MethodName); err != nil {
		return nil, err
	}
	c.quick()
	c.whole(o.ServerName == "" && o.MethodName == "")
	c.secrets(ctx, o.Getenv)
	return c.out(), nil
}

// Object runs the quick checks (no secret, command or network) and
// returns the findings about the object of kind and name, for create-*
// and set-*-prop to print. name is "" for the global configuration.
func Object(snap *config.Snapshot, kind, name string, now time.Time) []Finding {
	return Objects(snap, []Target{{kind, name}}, now)
}

// Target names one object to check, by kind and name.
type Target struct{ Kind, Name string }

// Objects is Object for several objects in one run. A batch checks the
// objects its lines changed once, at its end: a run reads the whole
// configuration, so one run per line would cost the square of the batch.
func Objects(snap *config.Snapshot, targets []Target, now time.Time) []Finding {
	if len(targets) == 0 {
		return nil
	}
	c, err := newChecker(snap, now)
	if err != nil {
		return nil
	}
	c.about = map[ref]bool{}
	for _, t := range targets {
		c.about[ref{t.Kind, t.Name}] = true
		if t.Kind == config.KindExternalServer {
			c.listed[t.Name] = true // a server being set up counts as in use
		}
	}
	c.quick()
	var out []Finding
	for _, f := range c.out() {
		if c.about[ref{f.Kind, f.Name}] {
			out = append(out, f)
		}
	}
	return out
}

// ref is one object, by kind and name.
type ref struct{ kind, name string }

// checker holds one run's state.
type checker struct {
	snap *config.Snapshot
	now  time.Time
	// listed are the SMTP servers in use: the smtp-server list, or the
	// server named by --server-name.
	listed map[string]bool
	// refs maps each object to the objects it refers to; see allRefs.
	refs map[ref][]ref
	// in is the scope; nil means everything.
	in map[ref]bool
	// about, when set (Objects), are the objects whose findings are
	// wanted: quick skips the checks that can find nothing about them,
	// such as reading every trust store after a create-*.
	about    map[ref]bool
	findings []Finding
	// failed are the methods that gave no token online.
	failed map[string]bool
}

func newChecker(snap *config.Snapshot, now time.Time) (*checker, error) {
	c := &checker{snap: snap, now: now, listed: map[string]bool{}, failed: map[string]bool{}}
	g, err := snap.Lookup(config.KindGlobalConfiguration, "")
	if err != nil {
		return nil, err
	}
	for _, n := range g.Values(config.PropSMTPServer) {
		c.listed[n] = true
	}
	return c, nil
}

// allRefs maps every object to the objects it refers to. It is built on
// first use: the checks of one object (Objects) follow the references of
// a few objects only, and a create-* on a large store should not pay for
// all of them.
func (c *checker) allRefs() map[ref][]ref {
	if c.refs == nil {
		c.refs = map[ref][]ref{}
		for _, k := range c.snap.Registry.Kinds() {
			for _, obj := range c.snap.State.List(k.Name) {
				c.refs[ref{k.Name, obj.Name}] = c.references(c.snap.Registry.View(obj))
			}
		}
	}
	return c.refs
}

// refsOf returns the objects r refers to.
func (c *checker) refsOf(r ref) []ref {
	if c.refs != nil {
		return c.refs[r]
	}
	obj := c.snap.State.Get(r.kind, r.name)
	if obj == nil {
		return nil
	}
	return c.references(c.snap.Registry.View(obj))
}

// references lists the objects v refers to.
func (c *checker) references(v config.View) []ref {
	var out []ref
	for _, p := range v.Type.AllProperties() {
		r, ok := p.Syntax.(config.Reference)
		if !ok {
			continue
		}
		for _, name := range v.Values(p.Name) {
			out = append(out, ref{r.Kind, name})
		}
	}
	return out
}

// scope limits the run to a server or a method and what it refers to.
func (c *checker) scope(server, method string) error {
	start := ref{config.KindExternalServer, server}
	switch {
	case server != "":
		if _, err := c.snap.Lookup(config.KindExternalServer, server); err != nil {
			return err
		}
		c.listed = map[string]bool{server: true}
	case method != "":
		if _, err := c.snap.Lookup(config.KindHTTPAuthorizationMethod, method); err != nil {
			return err
		}
		start = ref{config.KindHTTPAuthorizationMethod, method}
		c.listed = map[string]bool{}
	default:
		return nil
	}
	c.in = map[ref]bool{}
	c.walk(start, func(r ref) { c.in[r] = true })
	return nil
}

// walk calls fn on r and every object r refers to, directly or not.
func (c *checker) walk(r ref, fn func(ref)) {
	seen := map[ref]bool{}
	var visit func(ref)
	visit = func(r ref) {
		if seen[r] {
			return
		}
		seen[r] = true
		fn(r)
		for _, n := range c.refsOf(r) {
			visit(n)
		}
	}
	visit(r)
}

func (c *checker) add(id, kind, name, prop, msg string, fix ...string) {
	var args []string
	if len(fix) > 0 {
		args = fix
	}
	c.findings = append(c.findings, newFinding(id, kind, name, prop, msg, args))
}

// out returns the findings in scope, worst first, in a stable order.
func (c *checker) out() []Finding {
	var out []Finding
	for _, f := range c.findings {
		if c.in == nil || c.in[ref{f.Kind, f.Name}] {
			out = append(out, f)
		}
	}
	rank := map[Severity]int{Error: 0, Warning: 1, Notice: 2}
	slices.SortStableFunc(out, func(a, b Finding) int { return rank[a.Severity] - rank[b.Severity] })
	return out
}

// objects returns views of the objects of kind, of the given types (all
// when none is given).
func (c *checker) objects(kind string, types ...string) []config.View {
	var out []config.View
	for _, obj := range c.snap.State.List(kind) {
		if len(types) == 0 || slices.Contains(types, obj.Type) {
			out = append(out, c.snap.Registry.View(obj))
		}
	}
	return out
}

// quick runs the checks that need no secret, command or network.
func (c *checker) quick() {
	for _, v := range c.objects(config.KindHTTPAuthorizationMethod) {
		if c.asked(v) {
			c.method(v)
		}
	}
	for _, v := range c.objects(config.KindExternalServer, mailer.TypeSMTP) {
		// A server's checks also report on its method (Google's scope).
		if c.asked(v) || c.about[ref{config.KindHTTPAuthorizationMethod, v.String(propTokenMethod)}] {
			c.server(v)
		}
	}
	c.disabled()
	c.certificates()
}

// asked reports whether findings about v are wanted (see about).
func (c *checker) asked(v config.View) bool {
	return c.about == nil || c.about[ref{v.Object.Kind, v.Object.Name}]
}

// setCmd is the set-X-prop command for an object, with args.
func (c *checker) setCmd(kind, name string, args ...string) []string {
	return append([]string{"set-" + kind + "-prop", "--" + c.snap.Registry.Kind(kind).NamingArg, name}, args...)
}

// setMethod is the command that sets a method's property.
func setMethod(name string, args ...string) []string {
	return append([]string{"set-http-authorization-method-prop", "--method-name", name}, args...)
}

func setServer(name string, args ...string) []string {
	return append([]string{"set-external-server-prop", "--server-name", name}, args...)
}

func (c *checker) method(v config.View) {
	name, k := v.Object.Name, config.KindHTTPAuthorizationMethod
	if v.Type.Property(propMaxLifetime) != nil && v.IsSet(propMaxLifetime) && v.Duration(propMaxLifetime) < time.Minute {
		c.add(shortTokenLifetime, k, name, propMaxLifetime,
			fmt.Sprintf("%s is under a minute: testing only; remove in production", v.String(propMaxLifetime)),
			setMethod(name, "--reset", propMaxLifetime)...)
	}
	if v.Type.Property(propEndpoint) == nil {
		return // a static token or an HTTP proxy
	}
	if v.String(propHostnameCheck) == "allow-all" {
		c.add(hostnameNotChecked, k, name, propHostnameCheck,
			"is allow-all: the token endpoint's certificate is not checked against its host name",
			setMethod(name, "--reset", propHostnameCheck)...)
	}
	if strings.HasPrefix(strings.ToLower(v.String(propEndpoint)), "http://") {
		c.add(loopbackHTTP, k, name, propEndpoint, "is http:// to a loopback host: for testing only")
	}
	c.blindTrust(v)
	c.scopes(v)
}

// scopes finds the Microsoft scope mistakes.
func (c *checker) scopes(v config.View) {
	name, k := v.Object.Name, config.KindHTTPAuthorizationMethod
	fix := setMethod(name, "--set", propScope+":"+exchangeScope)
	for _, s := range v.Values(propScope) {
		ls := strings.ToLower(s)
		switch {
		case strings.Contains(ls, "outlook.office365.com") && !strings.HasSuffix(ls, "/.default"):
			c.add(exchangeScopeCheck, k, name, propScope, fmt.Sprintf("%q does not end in /.default, which client credentials need", s), fix...)
		case strings.Contains(ls, "graph.microsoft.com") && c.usedBySMTP(name):
			c.add(exchangeGraphScope, k, name, propScope, fmt.Sprintf("%q is a Microsoft Graph scope, which Exchange Online SMTP refuses", s), fix...)
		}
	}
}

const (
	exchangeHost  = "smtp.office365.com"
	exchangeScope = "https://outlook.office365.com/.default"
	gmailHost     = "smtp.gmail.com"
	gmailScope    = "https://mail.google.com/"
)

// usedBySMTP says whether an SMTP server uses the method.
func (c *checker) usedBySMTP(method string) bool {
	for _, s := range c.objects(config.KindExternalServer, mailer.TypeSMTP) {
		if s.String(propTokenMethod) == method {
			return true
		}
	}
	return false
}

// blindTrust flags an object that trusts every certificate.
func (c *checker) blindTrust(v config.View) {
	tm := v.String(propTrustManager)
	if tm == "" {
		return
	}
	obj := c.snap.State.Get(config.KindTrustManagerProvider, tm)
	if obj != nil && obj.Type == typeBlindTrust {
		c.add(blindTrust, v.Object.Kind, v.Object.Name, propTrustManager,
			fmt.Sprintf("%q is blind-trust: any certificate is accepted", tm),
			c.setCmd(v.Object.Kind, v.Object.Name, "--reset", propTrustManager)...)
	}
}

func (c *checker) server(v config.View) {
	name, k := v.Object.Name, config.KindExternalServer
	host, method := v.String(propHost), v.String(propTokenMethod)
	if method != "" && v.IsSet(propUser) {
		if mailer.CheckAddress(v.String(propUser)) != nil {
			c.add(userNameNotAddress, k, name, propUser,
				fmt.Sprintf("%q is not an email address (addr-spec): with bearer tokens it is the sender's mailbox", v.String(propUser)),
				setServer(name, "--set", propUser+":ADDRESS")...)
		}
	}
	creds := method != "" || v.IsSet(propPassword) || v.IsSet(propPassProvider)
	if v.String(propSecurity) == mailer.SecurityNone && creds && !config.IsLoopbackHost(host) {
		c.add(plaintextCreds, k, name, propSecurity,
			fmt.Sprintf("is none to %s, which is not loopback: credentials would travel in clear, and send-test-mail refuses", host),
			setServer(name, "--set", propSecurity+":starttls", "--set", propPort+":587")...)
	}
	if strings.EqualFold(host, exchangeHost) && (v.Int(propPort) != 587 || v.String(propSecurity) != mailer.SecurityStartTLS) {
		c.add(exchangeSubmission, k, name, propPort,
			fmt.Sprintf("%s with port %d and smtp-security %s: Exchange Online takes submission on 587 with starttls", host, v.Int(propPort), v.String(propSecurity)),
			setServer(name, "--set", propPort+":587", "--set", propSecurity+":starttls")...)
	}
	c.blindTrust(v)
	c.connectionProperties(v)
	if method == "" {
		return
	}
	m := c.snap.State.Get(config.KindHTTPAuthorizationMethod, method)
	if m == nil {
		return
	}
	if m.Type == typeStatic && c.listed[name] {
		c.add(staticToken, k, name, propTokenMethod,
			fmt.Sprintf("%q is a static bearer token: for testing and troubleshooting only", method),
			setServer(name, "--set", propTokenMethod+":METHOD")...)
	}
	mv := c.snap.Registry.View(m)
	if strings.EqualFold(host, gmailHost) && mv.Type.Property(propScope) != nil {
		if s := mv.Values(propScope); len(s) != 1 || s[0] != gmailScope {
			c.add(googleScope, config.KindHTTPAuthorizationMethod, method, propScope,
				fmt.Sprintf("is %q, but %s (server %q) needs exactly %s", strings.Join(s, " "), gmailHost, name, gmailScope),
				setMethod(method, "--set", propScope+":"+gmailScope)...)
		}
	}
}

// connectionProperties reports the smtp-connection-properties values
// that the session ignores: create and set refuse them now, but an older
// store may hold them.
func (c *checker) connectionProperties(v config.View) {
	for _, kv := range v.Values(propConnProps) {
		if _, e := mailer.ParseConnectionProperties([]string{kv}); len(e) > 0 {
			c.add(connectionProperty, config.KindExternalServer, v.Object.Name, propConnProps,
				fmt.Sprintf("%q is ignored: %v", kv, e[0]),
				setServer(v.Object.Name, "--remove", propConnProps+":"+kv)...)
		}
	}
}

// disabled finds disabled objects that a listed server depends on.
func (c *checker) disabled() {
	for _, s := range slices.Sorted(mapKeys(c.listed)) {
		c.walk(ref{config.KindExternalServer, s}, func(r ref) {
			obj := c.snap.State.Get(r.kind, r.name)
			if obj == nil || r.kind == config.KindExternalServer {
				return
			}
			v := c.snap.Registry.View(obj)
			if v.Type.Property(config.PropEnabled) != nil && !v.Bool(config.PropEnabled) {
				c.add(disabledReference, r.kind, r.name, config.PropEnabled,
					fmt.Sprintf("is false, but the listed SMTP server %q depends on it", s),
					c.setCmd(r.kind, r.name, "--set", "enabled:true")...)
			}
		})
	}
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// whole runs the checks about the configuration as a whole: the
// smtp-server list and objects nothing uses. With a scope only the list
// itself is checked.
func (c *checker) whole(all bool) {
	if !all {
		return
	}
	k := config.KindGlobalConfiguration
	if len(c.listed) == 0 {
		c.add(noSMTPServer, k, "", config.PropSMTPServer, "is empty: no mail can be sent",
			"set-global-configuration-prop", "--set", config.PropSMTPServer+":NAME")
	}
	for _, v := range c.objects(config.KindExternalServer, mailer.TypeSMTP) {
		if !c.listed[v.Object.Name] {
			c.add(serverUnlisted, config.KindExternalServer, v.Object.Name, "",
				"is not in the global smtp-server list, so it is never used",
				"set-global-configuration-prop", "--add", config.PropSMTPServer+":"+v.Object.Name)
		}
	}
	used := map[ref]bool{}
	for r, targets := range c.allRefs() {
		for _, t := range targets {
			if t != r {
				used[t] = true
			}
		}
	}
	for _, kind := range []string{config.KindPassphraseProvider, config.KindTrustManagerProvider, config.KindKeyManagerProvider, config.KindHTTPAuthorizationMethod} {
		for _, obj := range c.snap.State.List(kind) {
			// A built-in as shipped is meant to wait unused.
			if !used[ref{kind, obj.Name}] && !c.snap.Registry.IsPristineBuiltin(obj) {
				kd := c.snap.Registry.Kind(kind)
				c.add(unusedObject, kind, obj.Name, "", "nothing refers to it", "delete-"+kind, "--"+kd.NamingArg, obj.Name)
			}
		}
	}
}

// secrets resolves every enabled passphrase provider that something
// refers to, running commands bounded by their command-timeout.
func (c *checker) secrets(ctx context.Context, getenv func(string) string) {
	var warns []string
	r := &passphrase.Resolver{Config: c.snap, Getenv: getenv, Now: func() time.Time { return c.now },
		Warn: func(msg string) { warns = append(warns, msg) }}
	for _, v := range c.objects(config.KindPassphraseProvider) {
		name, k := v.Object.Name, config.KindPassphraseProvider
		rf := ref{k, name}
		if !v.Bool(config.PropEnabled) || !c.referenced(rf) || (c.in != nil && !c.in[rf]) {
			continue
		}
		warns = nil
		if _, err := r.Secret(ctx, name); err != nil {
			msg := withHint(err)
			var pe *passphrase.Error
			if errors.As(err, &pe) {
				msg = pe.Err.Error()
				if h := config.HintOf(err); h != "" {
					msg += " (" + h + ")"
				}
			}
			c.add(secretUnresolved, k, name, "", msg, "test-passphrase-provider", "--provider-name", name)
		}
		for _, w := range warns {
			c.add(secretFileReadable, k, name, "password-file", w)
		}
	}
}

// referenced says whether any other object refers to r.
func (c *checker) referenced(r ref) bool {
	for from, targets := range c.allRefs() {
		if from != r && slices.Contains(targets, r) {
			return true
		}
	}
	return false
}

// UseWarnings are the one-line warnings of get-access-token and
// send-test-mail: a method that is a static token, or whose
// maximum-token-lifetime is under a minute. method names the method; else
// server names the SMTP server, or, when empty too, the listed servers.
func UseWarnings(snap *config.Snapshot, method, server string) []string {
	methods := []string{method}
	if method == "" {
		methods = nil
		servers := []string{server}
		if server == "" {
			g, err := snap.Lookup(config.KindGlobalConfiguration, "")
			if err != nil {
				return nil
			}
			servers = g.Values(config.PropSMTPServer)
		}
		for _, s := range servers {
			obj := snap.State.Get(config.KindExternalServer, s)
			if obj != nil && len(obj.Values[propTokenMethod]) > 0 && !slices.Contains(methods, obj.Values[propTokenMethod][0]) {
				methods = append(methods, obj.Values[propTokenMethod][0])
			}
		}
	}
	var out []string
	for _, m := range methods {
		out = append(out, methodWarnings(snap, m)...)
	}
	return out
}

func methodWarnings(snap *config.Snapshot, method string) []string {
	obj := snap.State.Get(config.KindHTTPAuthorizationMethod, method)
	if obj == nil {
		return nil
	}
	if obj.Type == typeStatic {
		return []string{fmt.Sprintf("http authorization method %q is a static bearer token: for testing and troubleshooting only [%s]", method, staticToken)}
	}
	var out []string
	for _, f := range Object(snap, config.KindHTTPAuthorizationMethod, method, time.Now()) {
		if f.Check == shortTokenLifetime {
			out = append(out, fmt.Sprintf("http authorization method %q: %s", method, f.Summary()))
		}
	}
	return out
}
