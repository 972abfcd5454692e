#!/usr/bin/env bash
# Prints the directory of a Go toolchain that can build this module,
# installing one if the machine has none. The machine images ship Go in
# /usr/local/go; elsewhere Debian's golang-go (too old to build us) is
# installed only to fetch the toolchain that go.mod names, as the module
# golang.org/toolchain, through the configured module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' go.mod)

for dir in /usr/local/go/bin $(dirname "$(command -v go 2>/dev/null || echo /nonexistent/go)"); do
	if [ -x "$dir/go" ] && GOTOOLCHAIN=local "$dir/go" list -m >/dev/null 2>&1; then
		echo "$dir"
		exit 0
	fi
done

if ! command -v go >/dev/null 2>&1; then
	echo "ensure-go: no Go found; installing Debian's golang-go to fetch go$want" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >&2
fi
mod="golang.org/toolchain@v0.0.1-go$want.linux-$(go env GOARCH)"
tmp=$(mktemp -d)
dir=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "$mod" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
rm -rf "$tmp"
[ -n "$dir" ] || { echo "ensure-go: could not download $mod" >&2; exit 1; }
# Module zips do not keep file modes; the go command restores them the
# same way when it switches toolchains.
chmod -R u+w "$dir" && chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/*
echo "$dir/bin"
