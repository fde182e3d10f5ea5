#!/bin/sh
# Golden CLI test: runs maillog-why with the arguments in NAME.cmd (one line,
# shell words; run in the source tree so sample paths are relative) and
# compares standard output, standard error and the exit status with NAME.out,
# NAME.err and NAME.rc. NAME.stdin, when present, names a file of the source
# tree to feed on standard input (so that year-less stamps are read against
# --now, not against the file time of a fresh checkout).
# With MW_GOLDEN_UPDATE=1 the expectations are rewritten instead.
set -u
cmd=$1
case $cmd in /*) ;; *) cmd=$(pwd)/$cmd ;; esac
base=${cmd%.cmd}
: "${MW_BIN:?MW_BIN not set}"
: "${MW_SRCDIR:=.}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-golden.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
stdin=/dev/null
[ -f "$base.stdin" ] && stdin=$MW_SRCDIR/$(cat "$base.stdin")
args=$(cat "$cmd")
(
    cd "$MW_SRCDIR" || exit 99
    eval "set -- $args"
    LC_ALL=C TZ=UTC NO_COLOR=1 "$MW_BIN" "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err"
    echo $? >"$tmp/rc"
)
if [ "${MW_GOLDEN_UPDATE:-0}" = 1 ]; then
    cp "$tmp/out" "$base.out"
    cp "$tmp/err" "$base.err"
    cp "$tmp/rc" "$base.rc"
    echo "updated ${base##*/}"
    exit 0
fi
fail=0
for k in out err rc; do
    if ! cmp -s "$tmp/$k" "$base.$k"; then
        echo "FAIL: ${base##*/}: $k differs:"
        diff -u "$base.$k" "$tmp/$k" | head -40
        fail=1
    fi
done
exit $fail
