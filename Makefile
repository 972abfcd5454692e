# Convenience targets around the go tool. Every target works on a fresh
# machine that has Go; `make e2e` also needs root and Debian packages.
GO ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The version stamp shown by `dsconfig --version` and `dsconfig version`
# (internal/buildinfo): a tag or git describe's description of the commit,
# the commit, and the build time (SOURCE_DATE_EPOCH's, when it is set, for
# a reproducible build).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
ifeq ($(origin BUILD_DATE),undefined)
BUILD_DATE := $(shell date -u $(if $(SOURCE_DATE_EPOCH),-d @$(SOURCE_DATE_EPOCH)) +%Y-%m-%dT%H:%M:%SZ)
endif
BUILDINFO := github.com/dsconfig-smtp/dsconfig/internal/buildinfo
LDFLAGS := -X $(BUILDINFO).version=$(VERSION) -X $(BUILDINFO).commit=$(COMMIT) -X $(BUILDINFO).date=$(BUILD_DATE)

# make install: PREFIX=/usr/local by default; DESTDIR for staging.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

# make dist: the release archives, one per GOOS/GOARCH, in DISTDIR.
DIST_TARGETS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
DISTDIR ?= dist

.PHONY: build test lint docs quickstart demo e2e fuzz crash bench install uninstall install-test dist FORCE

build: bin/dsconfig

# bin/dsconfig is rebuilt when a source file or the version stamp changed,
# so that `sudo make install` after `make build` does not build again.
bin/dsconfig: $(shell find cmd internal -name '*.go' ! -name '*_test.go') go.mod go.sum bin/.version
	$(GO) build -ldflags "$(LDFLAGS)" -o $@ ./cmd/dsconfig

bin/.version: FORCE
	@mkdir -p bin
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@

# The binary, the man pages of docs/man, and the completion scripts that
# the binary generates, for bash (needs the bash-completion package), zsh
# and fish.
install: bin/dsconfig
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(BASHCOMPDIR)' '$(DESTDIR)$(ZSHCOMPDIR)' '$(DESTDIR)$(FISHCOMPDIR)'
	install -m 0755 bin/dsconfig '$(DESTDIR)$(BINDIR)/dsconfig'
	install -m 0644 docs/man/*.1 '$(DESTDIR)$(MANDIR)/man1/'
	bin/dsconfig --no-properties-file completion bash > bin/completion.bash
	bin/dsconfig --no-properties-file completion zsh > bin/completion.zsh
	bin/dsconfig --no-properties-file completion fish > bin/completion.fish
	install -m 0644 bin/completion.bash '$(DESTDIR)$(BASHCOMPDIR)/dsconfig'
	install -m 0644 bin/completion.zsh '$(DESTDIR)$(ZSHCOMPDIR)/_dsconfig'
	install -m 0644 bin/completion.fish '$(DESTDIR)$(FISHCOMPDIR)/dsconfig.fish'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/dsconfig' '$(DESTDIR)$(BASHCOMPDIR)/dsconfig' '$(DESTDIR)$(ZSHCOMPDIR)/_dsconfig' '$(DESTDIR)$(FISHCOMPDIR)/dsconfig.fish'
	cd docs/man && for f in *.1; do rm -f '$(DESTDIR)$(MANDIR)/man1/'"$$f"; done

# Installs into a temporary DESTDIR and runs the installed binary, its man
# page (man -l) and its completion scripts in bash (through a pty), zsh and
# fish; builds one release archive and checks it. Needs the Debian packages
# bash-completion, zsh, fish and man-db. About a minute.
install-test:
	DSCONFIG_INSTALL_TEST=1 $(GO) test ./test/install -count=1 -v

# Release archives for DIST_TARGETS, built with go build only (CGO_ENABLED=0):
# dsconfig-VERSION-GOOS-GOARCH.tar.gz (.zip for windows), each with the
# binary, LICENSE, README.md, CHANGELOG.md, docs/man and completion scripts,
# and SHA256SUMS. Each cold cross-build takes about 25 s.
dist: bin/dsconfig
	GO='$(GO)' VERSION='$(VERSION)' LDFLAGS='$(LDFLAGS)' DISTDIR='$(DISTDIR)' ./scripts/dist.sh $(DIST_TARGETS)

test:
	$(GO) test ./...

# Every go test -fuzz target for FUZZTIME each (default 10s); CI runs it.
fuzz:
	./scripts/fuzz.sh

# Crash consistency: 500+ writes killed under strace at syscalls of the
# write path and at random times (docs/reliability.md). About 3 minutes.
crash:
	DSCONFIG_CRASH_TEST=1 $(GO) test ./cmd/dsconfig -run '^TestCrashConsistency$$' -count=1 -timeout 30m -v

# Whole-process timings and peak memory against a bare Go binary, with
# hyperfine when it is installed (docs/performance.md). Not run by CI.
bench:
	./scripts/bench.sh

lint:
	test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(STATICCHECK) ./...

# Regenerate the files in docs/ that come from the registry and the
# command tree (TestDocsUpToDate and TestCommandDocsUpToDate).
docs:
	$(GO) test ./cmd/dsconfig -run 'Docs' -update

# The provisioning quick start of the README, in a throw-away directory.
quickstart: build
	./scripts/quickstart.sh bin/dsconfig

# Sends a real test mail through the loopback sandbox (token endpoint and
# SMTP server with STARTTLS from a private CA), end to end. Needs only Go.
demo: build
	$(GO) build -o bin/dsconfig-sandbox ./cmd/dsconfig-sandbox
	./scripts/demo.sh bin/dsconfig bin/dsconfig-sandbox

# End to end against real servers on 127.0.0.1: Ory Hydra, Dovecot and
# Postfix. Needs root; installs Debian packages and builds Hydra (cached).
e2e: build
	DSCONFIG=$(CURDIR)/bin/dsconfig test/e2e/run.sh
