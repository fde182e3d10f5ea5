#!/bin/sh
# Every packaged rule compiles and every example and counter-example holds.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
out=$("$MW_BIN" --rules "$MW_SRCDIR/rules" --check-rules 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "FAIL: --check-rules exited $rc"; exit 1; }
case $out in
*" 0 failed"*) ;;
*) echo "FAIL: unexpected summary"; exit 1 ;;
esac
# a broken rule file is reported as file:line:column: message, exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-rules.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/bad.yaml" <<'YAML'
rules:
  - id: test.bad
    title: bad regex
    category: auth.failure
    level: low
    cause: test
    match: 'foo(bar'
    examples: ['x foo(bar']
    counter_examples: ['y']
YAML
"$MW_BIN" --rules "$tmp/bad.yaml" --check-rules >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: broken rule file exited $rc, not 2"; exit 1; }
grep -q "bad.yaml:7:[0-9]*: " "$tmp/err" || {
    echo "FAIL: no file:line:column in: $(cat "$tmp/err")"; exit 1; }
echo "check-rules: ok"
