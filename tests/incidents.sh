#!/bin/sh
# Known incidents must be found: bench/gen-maillog.c writes a day of
# Postfix + Dovecot traffic (background failures all day) with three injected
# incidents, and the JSON summary must rank each among the top 5 findings,
# with the right category, an onset within 15 minutes of the injected start
# and the main offender named:
#   bruteforce@10:00+40m  password guessing from 203.0.113.211,
#                         198.51.100.203 and 2001:db8:ff00::45
#   tlswave@14:05+45m     a reload after which many servers fail the TLS
#                         handshake (no shared cipher)
#   outage@16:00+60m      the MX hosts of nordwind-logistik.example refuse
#                         connections
# The same day without incidents must give no high or critical finding.
# Every cause_id of a finding must be known to --explain.
# Needs a C compiler (CC, default cc) and jq; skipped (77) without them.
set -u
: "${MW_BIN:?MW_BIN not set}"
: "${MW_SRCDIR:=.}"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-incidents.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
TZ=UTC
export TZ
if ! ${CC:-cc} -O2 -o "$tmp/gen" "$MW_SRCDIR/bench/gen-maillog.c" \
    2>"$tmp/cc.err"; then
    cat "$tmp/cc.err"
    echo "SKIP: cannot compile bench/gen-maillog.c with ${CC:-cc}"
    exit 77
fi

day="--seed 3 --lines 100000 --start 2026-11-22T00:00:00 --duration 24h"
# shellcheck disable=SC2086 # $day is a list of options
"$tmp/gen" $day --incident bruteforce@10:00+40m --incident tlswave@14:05+45m \
    --incident outage@16:00+60m -o "$tmp/incidents.log" || exit 99
# shellcheck disable=SC2086
"$tmp/gen" $day -o "$tmp/control.log" || exit 99

run() {
    "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-23T00:00:00Z \
        --output json "$1" >"$2" || {
        echo "FAIL: maillog-why exited with $? on ${1##*/}"
        exit 1
    }
}
run "$tmp/incidents.log" "$tmp/incidents.json"
run "$tmp/control.log" "$tmp/control.json"

fail=0
top5() {
    jq -r '.findings[:5][] | "  \(.level) \(.id) [\(.category)] onset \(.onset)
    \(.title)"' "$1"
}

# incident NAME CATEGORY START TEST: one of the top 5 findings has category
# CATEGORY, an onset within 15 minutes of START (UTC, on 2026-11-22) and
# passes the jq condition TEST
incident() {
    if jq -e --arg cat "$2" --arg start "2026-11-22T$3:00Z" "
        [.findings[:5][] | select(.category == \$cat)
         | select(((.onset | fromdateiso8601) - (\$start | fromdateiso8601))
                  | (if . < 0 then -. else . end) <= 900)
         | select($4)] | length > 0" "$tmp/incidents.json" >/dev/null; then
        echo "ok: $1"
    else
        echo "FAIL: $1 ($2 from $3) is not among the top 5 findings:"
        top5 "$tmp/incidents.json"
        fail=1
    fi
}

attackers='["203.0.113.211", "198.51.100.203", "2001:db8:ff00::45"]'
incident "password guessing" auth.failure 10:00 \
    "(.clients[0] as \$c | $attackers | index(\$c)) != null
     and ($attackers - .clients | length) == 0"
incident "server-wide TLS failures" tls.handshake 14:05 '.count >= 50'
incident "outage of one destination" connection.refused 16:00 \
    '.title | contains("nordwind-logistik.example")'

high=$(jq -r '.findings[] | select(.level == "high" or .level == "critical")
    | "  \(.level) \(.id): \(.title)"' "$tmp/control.json")
if [ -n "$high" ]; then
    echo "FAIL: the day without incidents has high findings:"
    printf '%s\n' "$high"
    fail=1
else
    echo "ok: no high finding on the day without incidents"
fi

for id in $(jq -r '.findings[] | .cause_id // empty' "$tmp/incidents.json" \
    "$tmp/control.json" | sort -u); do
    if ! "$MW_BIN" --rules "$MW_SRCDIR/rules" --explain "$id" >/dev/null; then
        echo "FAIL: cause_id $id is not in the catalog"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "incidents: all found"
exit $fail
