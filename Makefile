# Convenience targets around the go tool. Every target works on a fresh
# machine that has Go; `make e2e` also needs root and Debian packages.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build test lint docs quickstart demo e2e fuzz crash

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/dsconfig ./cmd/dsconfig

test:
	$(GO) test ./...

# Every go test -fuzz target for FUZZTIME each (default 10s); CI runs it.
fuzz:
	./scripts/fuzz.sh

# Crash consistency: 500+ writes killed under strace at syscalls of the
# write path and at random times (docs/reliability.md). About 3 minutes.
crash:
	DSCONFIG_CRASH_TEST=1 $(GO) test ./cmd/dsconfig -run '^TestCrashConsistency$$' -count=1 -timeout 30m -v

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
