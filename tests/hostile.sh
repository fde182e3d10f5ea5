#!/bin/sh
# Hostile and broken inputs: nothing crashes, no good line or hit is lost,
# errors are one line naming the file and the reason, output stays well formed.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-hostile.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
mw() { "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-22T12:00:00Z "$@"; }

sasl() { # one SASL failure line from $1
    printf 'Nov 22 10:05:%02d mx1 postfix/smtpd[1234]: warning: unknown[%s]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=admin' "$2" "$1"
}
hits() { grep -c '"rule"' "$1"; }

# 1. CRLF, NUL bytes, invalid UTF-8 around good lines
{
    sasl 192.0.2.1 1; printf '\r\n'
    printf 'junk\000with\000nuls\n'
    sasl 192.0.2.2 2; printf '\n'
    printf '\377\376\375 not utf-8 \300\257\n'
    sasl 192.0.2.3 3; printf '\n'
} >"$tmp/mixed.log"
mw --output ndjson "$tmp/mixed.log" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "mixed: exit status"
[ "$(hits "$tmp/out")" -eq 3 ] && ok || bad "mixed: want 3 hits, got $(hits "$tmp/out")"
grep -q '"ip":"192.0.2.1"' "$tmp/out" && ok || bad "mixed: CRLF line lost its ip"

# 2. a huge line is cut and counted; the next line still counts
{
    head -c 3000000 /dev/zero | tr '\0' 'A'; printf '\n'
    sasl 192.0.2.9 9; printf '\n'
} >"$tmp/huge.log"
mw --output json "$tmp/huge.log" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "huge: exit status"
grep -q '"truncated": 1' "$tmp/out" && ok || bad "huge: truncated not counted"
grep -q '"matched": 1' "$tmp/out" && ok || bad "huge: line after the huge one lost"

# 3. multi-member gzip: both members are read
sasl 198.51.100.1 1 >"$tmp/a"; printf '\n' >>"$tmp/a"
sasl 198.51.100.2 2 >"$tmp/b"; printf '\n' >>"$tmp/b"
gzip -c "$tmp/a" >"$tmp/multi.gz"; gzip -c "$tmp/b" >>"$tmp/multi.gz"
mw --output ndjson "$tmp/multi.gz" >"$tmp/out" 2>"$tmp/err"
[ "$(hits "$tmp/out")" -eq 2 ] && ok || bad "multi-member gzip: want 2 hits"

# 4. truncated gzip: the lines before the cut count, error names file + byte
i=0
while [ $i -lt 2000 ]; do sasl "203.0.113.$((i % 200 + 1))" $((i % 60)); printf '\n'; i=$((i + 1)); done >"$tmp/long.log"
gzip -c "$tmp/long.log" >"$tmp/full.gz"
size=$(wc -c <"$tmp/full.gz")
head -c $((size * 2 / 3)) "$tmp/full.gz" >"$tmp/trunc.gz"
mw --output ndjson "$tmp/trunc.gz" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "truncated gzip: exit $rc, want 2"
n=$(hits "$tmp/out")
[ "$n" -gt 100 ] && ok || bad "truncated gzip: only $n hits before the cut"
grep -q "trunc.gz: byte [0-9]*: " "$tmp/err" && ok || bad "truncated gzip: message: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "truncated gzip: more than one error line"

# 5. corrupt gzip
cp "$tmp/full.gz" "$tmp/corrupt.gz"
printf 'XXXXXXXXXXXXXXXX' | dd of="$tmp/corrupt.gz" bs=1 seek=200 conv=notrunc 2>/dev/null
mw --output ndjson "$tmp/corrupt.gz" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "corrupt gzip: exit status"
grep -q "corrupt.gz: byte [0-9]*: " "$tmp/err" && ok || bad "corrupt gzip: message: $(cat "$tmp/err")"

# 6. a failing file does not stop the others
mw --output ndjson "$tmp/no-such" "$tmp/a" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "missing + good: exit status"
[ "$(hits "$tmp/out")" -eq 1 ] && ok || bad "missing + good: the good file was not read"
grep -q "no-such: No such file or directory" "$tmp/err" && ok || bad "missing: message"

# 7. injection attempts stay inside their strings
{
    printf 'Nov 22 10:05:01 mx1 postfix/smtpd[1]: warning: unknown[192.0.2.77]: SASL LOGIN authentication failed: x"}\\n{"rule":{"id":"fake"}}, sasl_username=a"b\\\\c\033[31m\n'
    printf 'Nov 22 10:05:02 mx1 postfix/smtpd[1]: warning: <script>[192.0.2.78]: SASL LOGIN authentication failed: </pre><b>, sasl_username=|x=y\\\n'
} >"$tmp/inject.log"
mw --output ndjson "$tmp/inject.log" >"$tmp/out" 2>"$tmp/err"
[ "$(wc -l <"$tmp/out")" -eq "$(hits "$tmp/out")" ] && ok || bad "injection: records split"
if command -v jq >/dev/null 2>&1; then
    jq -e -c '.rule.id' "$tmp/out" >/dev/null && ok || bad "injection: ndjson not valid JSON"
    [ "$(jq -r '.rule.id' "$tmp/out" | grep -c fake)" -eq 0 ] && ok || bad "injection: fake rule id"
    mw --output json "$tmp/inject.log" | jq -e .schema >/dev/null && ok || bad "injection: json summary invalid"
fi
mw "$tmp/inject.log" >"$tmp/out" 2>"$tmp/err"
if grep -q "$(printf '\033')" "$tmp/out"; then bad "text report passes ESC through"; else ok; fi

# 8. output to a closed pipe ends quietly
mw --output ndjson "$tmp/long.log" "$tmp/long.log" "$tmp/long.log" 2>"$tmp/err" | head -1 >/dev/null
[ ! -s "$tmp/err" ] && ok || bad "closed pipe: stderr: $(cat "$tmp/err")"
# the same with --state, where a second thread writes the records
(
    mw --output ndjson --state "$tmp/pipe.state" "$tmp/long.log" 2>"$tmp/err"
    echo $? >"$tmp/rc"
) | head -1 >/dev/null
[ "$(cat "$tmp/rc")" = 0 ] && [ ! -s "$tmp/err" ] && ok ||
    bad "closed pipe with --state: exit $(cat "$tmp/rc"): $(cat "$tmp/err")"

# 9. empty input, binary garbage, stdin
: >"$tmp/empty"
mw "$tmp/empty" >/dev/null 2>"$tmp/err" && ok || bad "empty file"
head -c 200000 /dev/urandom >"$tmp/random"
mw --output json "$tmp/random" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 2 ] && ok || bad "random bytes: exit $rc"
mw --output ndjson - <"$tmp/a" >"$tmp/out" && [ "$(hits "$tmp/out")" -eq 1 ] && ok || bad "stdin"

echo "hostile: $pass passed, $fail failed"
[ $fail -eq 0 ]
