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
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# fuzz DIR TARGET: one run. The go command's fuzzing engine sometimes ends
# a run with "context deadline exceeded" and no failing input, when the
# time runs out while a worker is busy; that says nothing about our code,
# so such a run is tried again, twice at most. A real finding always
# writes its input to testdata/fuzz and fails at once.
fuzz() {
	local try rc
	for try in 1 2 3; do
		rc=0
		go test "./$1" -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$MINIMIZE" 2>&1 | tee "$log" || rc=$?
		[ "$rc" -eq 0 ] && return 0
		if grep -q 'Failing input written' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
			return "$rc"
		fi
		echo "fuzz: $2 ended with the engine's deadline and no failing input; run $try of 3"
	done
	return 1
}

# Every func FuzzX in a _test.go file, as "package-dir target".
while read -r dir target; do
	echo "==== $dir $target ($FUZZTIME)"
	fuzz "$dir" "$target"
	n=$((n + 1))
done < <(grep -rl --include='*_test.go' '^func Fuzz' internal cmd |
	xargs grep -H '^func Fuzz' | sed -E 's#^(.*)/[^/]+_test.go:func (Fuzz[A-Za-z0-9_]+)\(.*#\1 \2#' | sort)
echo "fuzz: $n targets, $(($(date +%s) - t0)) s"
