#!/usr/bin/env bash
# fuzz.sh -- runs every go test -fuzz target of the module for FUZZTIME
# each (default 10s). Their seed corpora (testdata/fuzz) already run in
# `make test`; this explores beyond them. A failing input is written by
# the go tool to the package's testdata/fuzz/<Target>/: commit it as a
# regression test once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
# Each new interesting input is minimized for up to 60 s by default, which
# in a 10 s run leaves the workers minimizing (0 execs/s) most of the time.
MINIMIZE=${MINIMIZE:-200x}
n=0
t0=$(date +%s)
# Every func FuzzX in a _test.go file, as "package-dir target".
while read -r dir target; do
	echo "==== $dir $target ($FUZZTIME)"
	go test "./$dir" -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$MINIMIZE"
	n=$((n + 1))
done < <(grep -rl --include='*_test.go' '^func Fuzz' internal cmd |
	xargs grep -H '^func Fuzz' | sed -E 's#^(.*)/[^/]+_test.go:func (Fuzz[A-Za-z0-9_]+)\(.*#\1 \2#' | sort)
echo "fuzz: $n targets, $(($(date +%s) - t0)) s"
