#!/bin/sh
# Exchange transport logs end to end: BOM, header lines, #Fields mapping,
# quoted CSV, UTC stamps, session carry-over of the client endpoint, and the
# Exchange rules: exact hits with their times, addresses and line numbers.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-exchange.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
data=$MW_SRCDIR/tests/data/exchange
fail=0
bad() { echo "FAIL: $*"; fail=1; }
mw() { "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-22T12:00:00Z "$@"; }
# one line per hit: time, rule, source ip, destination ip, recipient, line
hits() {
    jq -r '[.["@timestamp"], .rule.id, (.source.ip // "-"),
            (.destination.ip // "-"), (.email.to.address[0]? // "-"),
            .maillog_why.line] | @tsv' "$1"
}
tab=$(printf '\t')
expect() { # name file: compare hits of $tmp/name.out with the here-doc
    hits "$tmp/$1.out" >"$tmp/$1.got" || bad "$1: output is not NDJSON"
    sed "s/|/$tab/g" >"$tmp/$1.want"
    if ! cmp -s "$tmp/$1.want" "$tmp/$1.got"; then
        bad "$1: hits differ (want, got):"
        cat "$tmp/$1.want" "$tmp/$1.got"
    fi
}

# 1. receive log: the LogonDenied row (line 11) has empty endpoints and takes
#    203.0.113.45 from its session; an IPv6 endpoint in brackets
mw -v --output ndjson "$data/RECV2022072021-1.LOG" >"$tmp/recv.out" 2>"$tmp/recv.err"
[ $? -eq 0 ] || bad "recv: exit status"
grep -q 'exchange (Microsoft Exchange SMTP receive protocol log)' "$tmp/recv.err" ||
    bad "recv: sniffing said: $(cat "$tmp/recv.err")"
expect recv <<'EOF'
2022-07-20T21:12:06.250Z|exchange.receive.auth_logon_denied|203.0.113.45|-|-|11
2022-07-20T21:12:06.270Z|exchange.receive.auth_unsuccessful|203.0.113.45|-|-|12
2022-07-20T21:13:10.051Z|exchange.receive.relay_denied|2001:db8::77|-|-|16
2022-07-20T21:14:00.020Z|exchange.tls.no_credentials|198.51.100.9|-|-|19
EOF
jq -s -e 'map(select(.maillog_why.line == 11)) | length == 1 and
       (.[0] | .source.port == 53722 and .host.name == "EXCHANGE-1" and
        .process.name == "exchange-receive" and
        .maillog_why.fields.session == "08DA4F7C11473A60")' "$tmp/recv.out" \
    >/dev/null || bad "recv: line 11 lacks port, host, program or session"

# 2. send log: destinations, also for the rows without endpoints
mw --output ndjson "$data/SEND2022072022-1.LOG" >"$tmp/send.out" 2>"$tmp/send.err"
[ $? -eq 0 ] || bad "send: exit status"
expect send <<'EOF'
2022-07-20T22:00:01.000Z|exchange.send.connect_refused|-|198.51.100.25|-|7
2022-07-20T22:01:21.000Z|exchange.send.connect_timeout|-|203.0.113.80|-|9
2017-10-07T04:42:56.804Z|exchange.tls.no_credentials|-|203.0.113.200|-|12
EOF

# 3. tracking log: quoted subjects with commas and doubled quotes must not
#    shift the recipient-status column
mw --output ndjson "$data/MSGTRK2024012515-1.LOG" >"$tmp/trk.out" 2>"$tmp/trk.err"
[ $? -eq 0 ] || bad "tracking: exit status"
expect trk <<'EOF'
2024-01-25T15:16:10.100Z|exchange.tracking.recipient_not_found|-|-|nobody@example.com|7
2024-01-25T15:16:11.200Z|exchange.tracking.mailbox_unavailable|-|-|carol@example.com|8
2024-01-25T15:20:00.000Z|exchange.delivery.primary_target_timeout|-|198.51.100.25|-|9
EOF
jq -s -e 'map(select(.maillog_why.line == 7)) | length == 1 and
       (.[0] | .event.code == "550" and .host.name == "EXCHANGE-1" and
        .email.from.address[0] == "bob@example.net")' "$tmp/trk.out" \
    >/dev/null || bad "tracking: line 7 lacks code, host or sender"

# 4. the same through stdin with --input-format, all three concatenated
cat "$data/RECV2022072021-1.LOG" "$data/SEND2022072022-1.LOG" \
    "$data/MSGTRK2024012515-1.LOG" |
    mw --input-format exchange --output ndjson - >"$tmp/all.out" 2>"$tmp/all.err"
[ $? -eq 0 ] || bad "stdin: exit status"
n=$(grep -c '"rule"' "$tmp/all.out")
[ "$n" -eq 10 ] || bad "stdin: want 10 hits, got $n"

# 5. rows without any header: the usual columns are assumed
grep -v '^.\{0,3\}#' "$data/RECV2022072021-1.LOG" |
    mw --input-format exchange --output ndjson - >"$tmp/bare.out" 2>&1
n=$(grep -c '"exchange.receive.auth_logon_denied"' "$tmp/bare.out")
[ "$n" -eq 1 ] || bad "headerless: want 1 LogonDenied hit, got $n"

# 6. IMAP4 protocol log: camelCase #Fields (dateTime, cIp, ...), failed
#    AUTHENTICATE and LOGIN; a successful one and the greeting give nothing
mw -v --output ndjson "$data/IMAP4BE20220720-1.LOG" >"$tmp/imap.out" \
    2>"$tmp/imap.err"
[ $? -eq 0 ] || bad "imap: exit status"
grep -q 'exchange (Microsoft Exchange IMAP4 protocol log)' "$tmp/imap.err" ||
    bad "imap: sniffing said: $(cat "$tmp/imap.err")"
expect imap <<'EOF'
2022-07-20T21:28:50.530Z|exchange.mailbox.auth_failed|203.0.113.60|-|-|7
2022-07-20T21:28:52.120Z|exchange.mailbox.auth_failed|203.0.113.60|-|-|9
EOF
[ "$(jq -r '.user.name' "$tmp/imap.out" | head -n 1)" = testuser ] ||
    bad "imap: user of the first failure"

[ $fail -eq 0 ] && echo "exchange: ok"
exit $fail
