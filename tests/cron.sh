#!/bin/sh
# Cron mode: --since yesterday --until today is the half-open day
# [yesterday 00:00, today 00:00) in local time, across a rotated series;
# --fail-level sets the exit status; --quiet prints nothing when nothing was
# found; and samples/cron.daily/maillog-why prints the report only when a
# finding reaches its FAIL_LEVEL.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-cron.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
now=2026-11-22T12:00:00Z
mw() { "$MW_BIN" --rules "$MW_SRCDIR/rules" --now "$now" "$@"; }
# the first "lines" of a JSON summary: inputs[0].lines
lines0() { sed -n 's/^      "lines": \([0-9]*\),$/\1/p' "$1" | head -n 1; }
# every input's lines, in input order, space-separated
lines_all() { sed -n 's/^      "lines": \([0-9]*\),$/\1/p' "$1" | tr '\n' ' '; }
span() { sed -n "s/^    \"$1\": \"\(.*\)\",*$/\1/p" "$2"; }
# expect STATUS DESCRIPTION COMMAND...: exit status of a command
expect() {
    want=$1
    what=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq "$want" ] && ok || bad "$what: exit $got, want $want ($(head -c 300 "$tmp/err"))"
}

key='warning: cannot get RSA private key from file "/etc/ssl/private/mx1.key": disabling TLS support'
lost='lost connection after AUTH from unknown[192.0.2.%s]'
conn='connect from unknown[192.0.2.%s]'
line() { # line "Mon DD HH:MM:SS" PID FORMAT [ARG]
    printf "%s mx1 postfix/smtpd[%s]: $3\n" "$1" "$2" "${4:-}"
}

# 1. one file: a high finding just before yesterday and just at today's
# midnight, low ones on the first and the last second of yesterday
{
    line 'Nov 20 23:59:59' 100 "$key"
    line 'Nov 21 00:00:00' 101 "$lost" 11
    line 'Nov 21 12:00:00' 102 "$conn" 12
    line 'Nov 21 23:59:59' 103 "$lost" 13
    line 'Nov 22 00:00:00' 104 "$key"
    line 'Nov 22 00:00:01' 105 "$conn" 15
} >"$tmp/mail.log"
# RFC 3164 stamps take their year from the file's time: 2026
TZ=UTC touch -t 202611220600 "$tmp/mail.log"

for tz in UTC Europe/Berlin America/New_York; do
    if [ "$tz" != UTC ] && [ ! -f "/usr/share/zoneinfo/$tz" ]; then
        continue # no zone data; UTC alone still tests the window
    fi
    # the stamps are local time, so the same lines are yesterday's in every zone
    TZ=$tz touch -t 202611220600 "$tmp/mail.log"
    TZ=$tz mw --since yesterday --until today --output json "$tmp/mail.log" >"$tmp/y.json"
    [ "$(lines0 "$tmp/y.json")" = 3 ] && ok ||
        bad "$tz: [yesterday, today) holds $(lines0 "$tmp/y.json") lines, want 3"
    TZ=$tz mw --since yesterday --until today --output ndjson "$tmp/mail.log" >"$tmp/y.ndjson"
    [ "$(grep -c '"rule"' "$tmp/y.ndjson")" -eq 2 ] && ok || bad "$tz: want 2 hits yesterday"
    grep -q 'postfix.tls' "$tmp/y.ndjson" && bad "$tz: a hit from outside the day" || ok
    TZ=$tz expect 0 "$tz: yesterday, --fail-level high" \
        mw --since yesterday --until today --fail-level high "$tmp/mail.log"
    TZ=$tz expect 1 "$tz: yesterday, --fail-level low" \
        mw --since yesterday --until today --fail-level low "$tmp/mail.log"
    TZ=$tz expect 1 "$tz: today, --fail-level high" \
        mw --since today --fail-level high "$tmp/mail.log"
    TZ=$tz expect 1 "$tz: before yesterday, --fail-level high" \
        mw --until yesterday --fail-level high "$tmp/mail.log"
done
TZ=UTC touch -t 202611220600 "$tmp/mail.log"
export TZ=UTC
mw --since yesterday --until today --output json "$tmp/mail.log" >"$tmp/y.json"
[ "$(span start "$tmp/y.json")" = 2026-11-21T00:00:00Z ] && ok ||
    bad "span start $(span start "$tmp/y.json")"
[ "$(span end "$tmp/y.json")" = 2026-11-21T23:59:59Z ] && ok ||
    bad "span end $(span end "$tmp/y.json")"
mw --since today --output json "$tmp/mail.log" >"$tmp/t.json"
[ "$(lines0 "$tmp/t.json")" = 2 ] && ok || bad "[today, ...) holds $(lines0 "$tmp/t.json") lines, want 2"
mw --until yesterday --output json "$tmp/mail.log" >"$tmp/b.json"
[ "$(lines0 "$tmp/b.json")" = 1 ] && ok || bad "[..., yesterday) holds $(lines0 "$tmp/b.json") lines, want 1"
expect 0 "no --fail-level" mw --since yesterday --until today "$tmp/mail.log"
expect 0 "--fail-level none" mw --fail-level none "$tmp/mail.log"
expect 0 "--fail-level critical" mw --fail-level critical "$tmp/mail.log"
expect 2 "--fail-level bogus" mw --fail-level bogus "$tmp/mail.log"
expect 2 "--until before --since" mw --since today --until yesterday "$tmp/mail.log"

# 2. --quiet: silent when nothing was found, whatever the format
for fmt in text json html; do
    expect 0 "quiet $fmt, only an unmatched line" \
        mw --quiet --fail-level informational --output "$fmt" \
        --since 2026-11-21T12:00:00Z --until 2026-11-21T12:00:01Z "$tmp/mail.log"
    [ -s "$tmp/out" ] && bad "quiet $fmt: stdout: $(head -c 200 "$tmp/out")" || ok
    [ -s "$tmp/err" ] && bad "quiet $fmt: stderr: $(head -c 200 "$tmp/err")" || ok
    expect 0 "quiet $fmt, no line in the window" \
        mw --quiet --fail-level low --output "$fmt" --since 2026-11-23T00:00:00Z "$tmp/mail.log"
    [ -s "$tmp/out" ] || [ -s "$tmp/err" ] && bad "quiet $fmt, empty window: output" || ok
done
expect 1 "quiet with a finding" mw --quiet --fail-level high --since today "$tmp/mail.log"
grep -q 'Cannot load TLS certificate or key' "$tmp/out" && ok || bad "quiet: report missing"

# 3. a rotated series: only yesterday's file counts, whole, both midnights
mkdir "$tmp/rot"
{
    line 'Nov 20 00:00:00' 200 "$conn" 20
    line 'Nov 20 23:59:59' 201 "$key"
} | gzip -c >"$tmp/rot/mail.log.2.gz"
{
    line 'Nov 21 00:00:00' 210 "$lost" 21
    i=1
    while [ $i -le 20 ]; do
        line "Nov 21 09:00:$(printf %02d $i)" 211 "$key"
        i=$((i + 1))
    done
    line 'Nov 21 23:59:59' 212 "$lost" 22
} >"$tmp/rot/mail.log.1"
{
    line 'Nov 22 00:00:00' 220 "$key"
    line 'Nov 22 05:00:00' 221 "$conn" 23
} >"$tmp/rot/mail.log"
touch -t 202611210000 "$tmp/rot/mail.log.2.gz"
touch -t 202611220000 "$tmp/rot/mail.log.1"
touch -t 202611220600 "$tmp/rot/mail.log"
mw --since yesterday --until today --output json "$tmp/rot/mail.log" \
    "$tmp/rot/mail.log.2.gz" "$tmp/rot/mail.log.1" >"$tmp/r.json"
[ "$(lines_all "$tmp/r.json")" = "0 22 0 " ] && ok ||
    bad "rotated: lines per input '$(lines_all "$tmp/r.json")', want '0 22 0 '"
grep -q '"path": ".*/mail.log.2.gz"' "$tmp/r.json" && ok || bad "rotated: .2.gz not read"
[ "$(span start "$tmp/r.json")" = 2026-11-21T00:00:00Z ] && ok || bad "rotated: span start"
[ "$(span end "$tmp/r.json")" = 2026-11-21T23:59:59Z ] && ok || bad "rotated: span end"

# 4. the cron.daily sample, end to end
cronjob="$MW_SRCDIR/samples/cron.daily/maillog-why"
conf="$tmp/default"
cron() { # cron FAIL_LEVEL LOGS [HTML_DIR]
    {
        echo "MAILLOG_WHY='$MW_BIN'"
        echo "FAIL_LEVEL=$1"
        echo "LOGS='$2'"
        echo "ARGS='--rules $MW_SRCDIR/rules --now $now'"
        echo "HTML_DIR='${3:-}'"
    } >"$conf"
    MAILLOG_WHY_CONFIG=$conf sh "$cronjob" >"$tmp/out" 2>"$tmp/err"
}
cron high "$tmp/rot/mail.log*"
rc=$?
[ $rc -eq 0 ] && ok || bad "cron, high finding: exit $rc"
grep -q 'Cannot load TLS certificate or key' "$tmp/out" && ok || bad "cron: no report printed"
grep -q '^    20 hits$' "$tmp/out" && ok || bad "cron: report counts lines outside the day"
[ -s "$tmp/err" ] && bad "cron: stderr: $(head -c 200 "$tmp/err")" || ok
cron critical "$tmp/rot/mail.log*"
rc=$?
[ $rc -eq 0 ] && ok || bad "cron, nothing critical: exit $rc"
[ -s "$tmp/out" ] || [ -s "$tmp/err" ] && bad "cron, nothing critical: printed something: $(head -c 200 "$tmp/out" "$tmp/err")" || ok
cron low "$tmp/mail.log"
[ -s "$tmp/out" ] && ok || bad "cron, low: no report for yesterday's low findings"
mkdir "$tmp/html"
cron critical "$tmp/rot/mail.log*" "$tmp/html"
[ -s "$tmp/out" ] && bad "cron with HTML_DIR: printed something" || ok
set -- "$tmp"/html/maillog-why-*.html
[ -f "$1" ] && grep -q '<svg ' "$1" && ok || bad "cron: no HTML report in HTML_DIR"
cron high "$tmp/none/mail.log*"
rc=$?
[ $rc -eq 2 ] && ok || bad "cron, missing log: exit $rc, want 2"
grep -q 'no mail log found' "$tmp/err" && ok || bad "cron, missing log: message: $(cat "$tmp/err")"

echo "cron: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
