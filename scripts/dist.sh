#!/usr/bin/env bash
# Builds the release archives: one per GOOS/GOARCH given as arguments
# (e.g. linux/amd64), with go build only (CGO_ENABLED=0, -trimpath), and a
# SHA256SUMS file beside them. Called by `make dist`, which sets GO,
# VERSION, LDFLAGS and DISTDIR; bin/dsconfig (a build for this machine)
# generates the completion scripts, which are the same on every platform.
#
# Each archive, dsconfig-VERSION-GOOS-GOARCH.tar.gz (.zip for windows),
# holds one directory of the same name with the binary, LICENSE,
# README.md, CHANGELOG.md, docs/man/*.1 and completions/. Entries are
# sorted, owned by root and dated SOURCE_DATE_EPOCH (default: the commit's
# time), so that the same commit gives the same tar.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GO:=go}" "${VERSION:?}" "${LDFLAGS:?}" "${DISTDIR:=dist}"
[ $# -gt 0 ] || { echo "usage: $0 GOOS/GOARCH..." >&2; exit 2; }
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

for target; do
	case $target in
	windows/*) command -v zip >/dev/null || { echo "dist: the windows archives need zip (apt-get install zip)" >&2; exit 1; } ;;
	*/*) ;;
	*) echo "dist: $target: a target is GOOS/GOARCH, e.g. linux/amd64" >&2; exit 2 ;;
	esac
done

mkdir -p "$DISTDIR"
DISTDIR=$(cd "$DISTDIR" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$DISTDIR/SHA256SUMS"
archives=()

for target; do
	goos=${target%/*} goarch=${target#*/}
	ext=tar.gz
	[ "$goos" = windows ] && ext=zip
	name=dsconfig-$VERSION-$goos-$goarch
	dir=$work/$name
	exe=dsconfig
	[ "$goos" = windows ] && exe=dsconfig.exe
	mkdir -p "$dir/docs/man" "$dir/completions"
	echo "dist: building $name"
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$dir/$exe" ./cmd/dsconfig
	cp LICENSE README.md CHANGELOG.md "$dir/"
	cp docs/man/*.1 "$dir/docs/man/"
	bin/dsconfig --no-properties-file completion bash >"$dir/completions/dsconfig.bash"
	bin/dsconfig --no-properties-file completion zsh >"$dir/completions/_dsconfig"
	bin/dsconfig --no-properties-file completion fish >"$dir/completions/dsconfig.fish"
	find "$dir" -exec touch -h -d "@$epoch" {} +
	if [ "$goos" = windows ]; then
		rm -f "$DISTDIR/$name.zip"
		(cd "$work" && find "$name" | LC_ALL=C sort | zip -q -X -@ "$DISTDIR/$name.zip")
	else
		tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" |
			gzip -n -9 >"$DISTDIR/$name.tar.gz"
	fi
	archives+=("$name.$ext")
done

cd "$DISTDIR"
sha256sum "${archives[@]}" >SHA256SUMS
echo "dist: $(wc -l <SHA256SUMS) archives and SHA256SUMS in $DISTDIR"
