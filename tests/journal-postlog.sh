#!/bin/sh
# journalctl -o json on standard input and Postfix's maillog_file: the same
# events give the same rule hits as their classic syslog lines.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-journal.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
mw() { "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-22T12:00:00Z "$@"; }
# what the rules found, without what depends on the input's form
found() {
    jq -c 'del(.message, .log, .["@timestamp"])' "$1"
}

# 2026-11-22T10:05:07Z = 1795341907
cat >"$tmp/syslog.log" <<'EOF'
Nov 22 10:05:07 mx1 postfix/smtpd[1234]: warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=admin
Nov 22 10:05:08 mx1 postfix/smtpd[1234]: lost connection after AUTH from unknown[192.0.2.7]
Nov 22 10:05:09 mx1 exim[29786]: 2026-11-22 10:05:09 [29786] dovecot_login authenticator failed for (User) [192.0.2.9]: 535 Incorrect authentication data (set_id=bob)
EOF
cat >"$tmp/journal.json" <<'EOF'
{"__CURSOR":"s=1;i=1","__REALTIME_TIMESTAMP":"1795341907123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtpd","SYSLOG_PID":"1234","_PID":"1234","PRIORITY":"4","MESSAGE":"warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=admin"}
{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1795341908000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtpd","SYSLOG_PID":"1234","PRIORITY":"6","MESSAGE":[108,111,115,116,32,99,111,110,110,101,99,116,105,111,110,32,97,102,116,101,114,32,65,85,84,72,32,102,114,111,109,32,117,110,107,110,111,119,110,91,49,57,50,46,48,46,50,46,55,93]}
{"__CURSOR":"s=1;i=3","__REALTIME_TIMESTAMP":"1795341909000000","_HOSTNAME":"mx1","_COMM":"exim","_PID":"29786","MESSAGE":"2026-11-22 10:05:09 [29786] dovecot_login authenticator failed for (User) [192.0.2.9]: 535 Incorrect authentication data (set_id=bob)"}
EOF

mw --output ndjson "$tmp/syslog.log" >"$tmp/syslog.out" 2>"$tmp/syslog.err" ||
    bad "syslog: exit status"
mw -v --output ndjson - <"$tmp/journal.json" >"$tmp/journal.out" 2>"$tmp/journal.err" ||
    bad "journal: exit status"
grep -q -- '-: journal-json (journalctl -o json entries)' "$tmp/journal.err" ||
    bad "journal: sniffing said: $(cat "$tmp/journal.err")"
n=$(grep -c '"rule"' "$tmp/syslog.out")
[ "$n" -ge 2 ] || bad "syslog: want at least 2 hits, got $n"
found "$tmp/syslog.out" >"$tmp/syslog.found"
found "$tmp/journal.out" >"$tmp/journal.found"
cmp -s "$tmp/syslog.found" "$tmp/journal.found" || {
    bad "journal hits differ from syslog hits:"
    diff "$tmp/syslog.found" "$tmp/journal.found"
}
first=$(jq -r 'select(.source.ip == "192.0.2.7") | .["@timestamp"]' \
    "$tmp/journal.out" | head -n 1)
[ "$first" = "2026-11-22T10:05:07.123456Z" ] ||
    bad "journal: first time is '$first'"

# Postfix maillog_file: zero-padded days, sniffed and named
sed 's/^Nov 22/Nov 02/; s/2026-11-22/2026-11-02/' "$tmp/syslog.log" >"$tmp/postfix.log"
mw -v --output ndjson "$tmp/postfix.log" >"$tmp/postlog.out" 2>"$tmp/postlog.err" ||
    bad "postlog: exit status"
grep -q 'postfix.log: postlog (Postfix maillog_file (zero-padded days))' \
    "$tmp/postlog.err" || bad "postlog: sniffing said: $(cat "$tmp/postlog.err")"
found "$tmp/postlog.out" >"$tmp/postlog.found"
cmp -s "$tmp/syslog.found" "$tmp/postlog.found" || {
    bad "postlog hits differ from syslog hits:"
    diff "$tmp/syslog.found" "$tmp/postlog.found"
}
jq -r '.["@timestamp"]' "$tmp/postlog.out" | head -n 1 >"$tmp/postlog.ts"
[ "$(cat "$tmp/postlog.ts")" = "2026-11-02T10:05:07Z" ] ||
    bad "postlog: first time is $(cat "$tmp/postlog.ts")"
for f in journal-json postlog exchange; do
    mw --input-format "$f" -q "$tmp/syslog.log" >/dev/null 2>"$tmp/err"
    [ $? -le 1 ] || bad "--input-format $f refused: $(cat "$tmp/err")"
done

[ $fail -eq 0 ] && echo "journal-postlog: ok"
exit $fail
