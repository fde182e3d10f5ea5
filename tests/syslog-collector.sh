#!/bin/sh
# --syslog-server against a real collector: Debian's rsyslogd, started
# unprivileged on free loopback ports (imtcp + imudp, mmpstrucdata parsing
# the structured data). Every hit of samples/incident.log arrives over TCP
# (RFC 6587 octet counting) and over UDP; hostile log text survives intact
# in the SD values and MSG as rsyslog parsed them; a collector restarted in
# the middle of a run loses no record (at least once: duplicates allowed);
# a collector that never answers makes exit status 2 with a count.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"

RSYSLOGD=$(command -v rsyslogd 2>/dev/null || true)
[ -z "$RSYSLOGD" ] && [ -x /usr/sbin/rsyslogd ] && RSYSLOGD=/usr/sbin/rsyslogd
if [ -z "$RSYSLOGD" ]; then
    echo "SKIP: rsyslogd is not installed"
    exit 77
fi
[ -r /proc/net/tcp ] || { echo "SKIP: no /proc/net/tcp"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-collector.XXXXXX") || exit 99
collector_pid=
mw_pid=
cleanup() {
    [ -n "$mw_pid" ] && kill "$mw_pid" 2>/dev/null
    [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null
    [ -n "$collector_pid" ] && sleep 1 && kill -9 "$collector_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
mw() { timeout 60 "$MW_BIN" --rules "$MW_SRCDIR/rules" \
    --now 2026-11-22T12:00:00Z "$@"; }
SD='$!rfc5424-sd!maillogwhy@32473!'

# ---- the collector ------------------------------------------------------

hexport() { printf ':%04X ' "$1"; }
port_in_use() {
    cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 \
        2>/dev/null | grep -q "$(hexport "$1")"
}
# state 0A = LISTEN on 127.0.0.1 (0100007F)
listening() { grep -q "0100007F$(hexport "$1")00000000:0000 0A" /proc/net/tcp; }

# write the config: one line per message with the fields as rsyslog
# parsed them, tab-separated (our SD values and MSG never hold a tab)
write_conf() { # $1 output file
    cat >"$tmp/rsyslog.conf" <<EOF
global(workDirectory="$tmp/work" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
module(load="mmpstrucdata")
input(type="imtcp" address="127.0.0.1" port="$tport" ruleset="dump")
input(type="imudp" address="127.0.0.1" port="$uport" ruleset="dump"
      rcvbufSize="4m")
template(name="fields" type="list") {
    property(name="inputname") constant(value="\t")
    property(name="pri") constant(value="\t")
    property(name="hostname") constant(value="\t")
    property(name="app-name") constant(value="\t")
    property(name="msgid") constant(value="\t")
    property(name="${SD}rule") constant(value="\t")
    property(name="${SD}ip") constant(value="\t")
    property(name="${SD}user") constant(value="\t")
    property(name="${SD}offset") constant(value="\t")
    property(name="msg") constant(value="\n")
}
ruleset(name="dump") {
    action(type="mmpstrucdata")
    action(type="omfile" file="$1" template="fields")
}
EOF
}

# start rsyslogd writing to $1; 0 when it listens on $tport within 10 s
start_collector() {
    write_conf "$1"
    mkdir -p "$tmp/work"
    rm -f "$tmp/rsyslog.pid"
    "$RSYSLOGD" -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" \
        >>"$tmp/rsyslog.err" 2>&1 &
    collector_pid=$!
    i=0
    while [ $i -lt 100 ]; do
        listening "$tport" && return 0
        kill -0 "$collector_pid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    stop_collector
    return 1
}

stop_collector() {
    [ -n "$collector_pid" ] || return 0
    kill "$collector_pid" 2>/dev/null
    i=0
    while kill -0 "$collector_pid" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -9 "$collector_pid" 2>/dev/null
    wait "$collector_pid" 2>/dev/null
    collector_pid=
}

# free random high ports; retry when rsyslogd cannot bind
started=no
for try in 1 2 3 4 5 6 7 8; do
    sec=$(date +%S)
    sec=${sec#0} # "08" is no octal number
    tport=$(( ($$ * 7 + try * 331 + sec * 97) % 20000 + 30000 ))
    uport=$((tport + 1))
    port_in_use "$tport" || port_in_use "$uport" && continue
    if start_collector "$tmp/first.log"; then
        started=yes
        break
    fi
done
if [ $started != yes ]; then
    echo "SKIP: rsyslogd did not start:"
    cat "$tmp/rsyslog.err"
    exit 77
fi

# wait until file $1 has $2 lines (at most 15 s); prints the count
wait_lines() {
    i=0
    n=0
    while [ $i -lt 150 ]; do
        n=$(cat "$1" 2>/dev/null | wc -l)
        [ "$n" -ge "$2" ] && break
        sleep 0.1
        i=$((i + 1))
    done
    echo $((n + 0))
}

# ---- what should arrive ---------------------------------------------------

sample=$MW_SRCDIR/samples/incident.log
mw --output ndjson "$sample" >"$tmp/hits.ndjson"
want=$(wc -l <"$tmp/hits.ndjson")
[ "$want" -gt 100 ] && ok || bad "only $want ndjson hits in the sample"
grep -o '"offset":[0-9]*' "$tmp/hits.ndjson" | cut -d: -f2 | sort -u \
    >"$tmp/want.offsets"
grep -o '"rule":{"id":"[^"]*"' "$tmp/hits.ndjson" | cut -d'"' -f6 | sort \
    >"$tmp/want.rules"

# columns of the collector's lines
col() { awk -F'\t' -v c="$1" '{ print $c }' "$2"; }

# ---- 1. TCP: every hit, in input order, with its fields -------------------

mw --syslog-server "127.0.0.1:$tport/tcp" "$sample" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "tcp: exit $rc: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] && ok || bad "tcp: stderr: $(cat "$tmp/err")"
got=$(wait_lines "$tmp/first.log" "$want")
[ "$got" -eq "$want" ] && ok || bad "tcp: $got records, want $want"
col 9 "$tmp/first.log" | sort -u | cmp -s - "$tmp/want.offsets" && ok ||
    bad "tcp: offsets differ from the ndjson hits"
col 6 "$tmp/first.log" | sort | cmp -s - "$tmp/want.rules" && ok ||
    bad "tcp: rule ids differ from the ndjson hits"
[ "$(col 1 "$tmp/first.log" | sort -u)" = imtcp ] && ok || bad "tcp: input"
[ "$(col 4 "$tmp/first.log" | sort -u)" = maillog-why ] && ok ||
    bad "tcp: app-name"
grep -o '"source":{"ip":"[^"]*"' "$tmp/hits.ndjson" | cut -d'"' -f6 | sort -u \
    >"$tmp/want.ips"
col 7 "$tmp/first.log" | grep . | sort -u | cmp -s - "$tmp/want.ips" && ok ||
    bad "tcp: client IPs differ"
grep -q "	maillog-why	auth.failure	postfix.smtpd.sasl_auth_failed	" \
    "$tmp/first.log" && ok || bad "tcp: no SASL failure with its MSGID"
# mail facility (2): PRI 16 + severity 2..6
[ -z "$(col 2 "$tmp/first.log" | grep -v '^\(18\|19\|20\|21\|22\)$')" ] &&
    ok || bad "tcp: PRI outside facility mail"
# MSG is the log line itself
head -n 1 "$tmp/hits.ndjson" | grep -o '"message":"[^"]*"' | cut -d'"' -f4 \
    >"$tmp/msg1"
head -n 1 "$tmp/first.log" | col 10 /dev/stdin | cmp -s - "$tmp/msg1" && ok ||
    bad "tcp: MSG is not the log line"

# ---- 2. CEF and ndjson inside MSG -------------------------------------------

: >"$tmp/first.log"
mw --syslog-server "127.0.0.1:$tport" --output cef "$sample" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "cef: exit $rc: $(cat "$tmp/err")"
got=$(wait_lines "$tmp/first.log" "$want")
[ "$got" -eq "$want" ] && ok || bad "cef: $got records, want $want"
n=$(col 10 "$tmp/first.log" | grep -c '^CEF:0|maillog-why|maillog-why|')
[ "$n" -eq "$want" ] && ok || bad "cef: $n MSGs are CEF"

: >"$tmp/first.log"
mw --syslog-server "127.0.0.1:$tport" --output ndjson "$sample" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "ndjson: exit $rc: $(cat "$tmp/err")"
got=$(wait_lines "$tmp/first.log" "$want")
[ "$got" -eq "$want" ] && ok || bad "ndjson: $got records, want $want"
if command -v jq >/dev/null 2>&1; then
    n=$(col 10 "$tmp/first.log" | jq -c '.rule.id' 2>/dev/null | grep -c .)
    [ "$n" -eq "$want" ] && ok || bad "ndjson: $n MSGs parse as JSON"
fi

# ---- 3. UDP: one datagram per record ---------------------------------------

: >"$tmp/first.log"
mw --syslog-server "127.0.0.1:$uport/udp" "$sample" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "udp: exit $rc: $(cat "$tmp/err")"
got=$(wait_lines "$tmp/first.log" "$want")
[ "$got" -eq "$want" ] && ok || bad "udp: $got records, want $want"
[ "$(col 1 "$tmp/first.log" | sort -u)" = imudp ] && ok || bad "udp: input"
col 9 "$tmp/first.log" | sort -u | cmp -s - "$tmp/want.offsets" && ok ||
    bad "udp: offsets differ from the ndjson hits"

# ---- 4. hostile text: intact in SD values and MSG, one record per hit -------

{
    printf 'Nov 22 07:48:21 mx1 postfix/submission/smtpd[12171]: warning: '
    printf 'unknown[198.51.100.203]: SASL LOGIN authentication failed: '
    printf 'authentication failure, sasl_username=a"b\\c]d|e=f] act=x\n'
    printf 'Nov 22 07:49:28 mx1 dovecot: imap-login: Disconnected (auth '
    printf 'failed, 3 attempts in 22 secs): user=<ev"il\\]x|y=z\r0 [x@1 '
    printf 'a="b"]>, method=PLAIN, rip=192.0.2.7, lip=203.0.113.10, TLS\n'
    printf 'Nov 22 07:50:00 mx\303\251"1 postfix/smtpd[1]: warning: '
    printf 'unknown[192.0.2.8]: SASL PLAIN authentication failed: x]"\\, '
    printf 'sasl_username=\377\376q\n'
} >"$tmp/hostile.log"
mw --output ndjson "$tmp/hostile.log" >"$tmp/hostile.ndjson"
hwant=$(wc -l <"$tmp/hostile.ndjson")
[ "$hwant" -eq 3 ] && ok || bad "hostile: $hwant ndjson hits, want 3"
: >"$tmp/first.log"
mw --syslog-server "127.0.0.1:$tport" "$tmp/hostile.log" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "hostile: exit $rc: $(cat "$tmp/err")"
got=$(wait_lines "$tmp/first.log" "$hwant")
[ "$got" -eq "$hwant" ] && ok || bad "hostile: $got records, want $hwant"
users=$(col 8 "$tmp/first.log" | sort | tr '\n' '#')
exp=$(printf 'a"b\\c]d|e=f] act=x#ev"il\\]x|y=z 0 [x@1 a="b"]#%s#' \
    "$(printf '\357\277\275\357\277\275q')" |
    tr '#' '\n' | sort | tr '\n' '#')
[ "$users" = "$exp" ] && ok || bad "hostile: SD user values: $users"
ips=$(col 7 "$tmp/first.log" | sort | tr '\n' ' ')
[ "$ips" = "192.0.2.7 192.0.2.8 198.51.100.203 " ] && ok ||
    bad "hostile: SD ip values: $ips"
grep -q 'sasl_username=a"b\\c\]d|e=f\] act=x$' "$tmp/first.log" && ok ||
    bad "hostile: MSG of the SASL line"
# a CR inside the line: a space in SD, \x0d in MSG, never a line break
grep -q 'user=<ev"il\\\]x|y=z\\x0d0 \[x@1 a="b"\]>, method' "$tmp/first.log" &&
    ok || bad "hostile: MSG of the line with a CR"
# a hostname with non-ASCII bytes is made printable ASCII
col 3 "$tmp/first.log" | grep -qx 'mx__"1' && ok ||
    bad "hostile: hostname: $(col 3 "$tmp/first.log" | tr '\n' ' ')"

# ---- 5. the collector restarts in the middle of a run (TCP) ---------------

: >"$tmp/first.log"
: >"$tmp/second.log"
# feed the sample slowly: 16 slices of 200 lines, 0.3 s apart
feed() {
    i=1
    while [ $i -le 3200 ]; do
        sed -n "$i,$((i + 199))p" "$sample"
        sleep 0.3
        i=$((i + 200))
    done
}
feed | timeout 90 "$MW_BIN" --rules "$MW_SRCDIR/rules" \
    --now 2026-11-22T12:00:00Z --syslog-server "127.0.0.1:$tport" - \
    2>"$tmp/err" &
mw_pid=$!
sleep 1.5
n1=$(wc -l <"$tmp/first.log")
stop_collector
sleep 1
start_collector "$tmp/second.log" || bad "restart: collector did not come back"
wait "$mw_pid"
rc=$?
mw_pid=
[ $rc -eq 0 ] && ok || bad "restart: exit $rc: $(cat "$tmp/err")"
[ "$n1" -gt 0 ] && ok || bad "restart: nothing arrived before the restart"
n2=$(wc -l <"$tmp/second.log")
[ "$n2" -gt 0 ] && ok || bad "restart: nothing arrived after the restart"
cat "$tmp/first.log" "$tmp/second.log" | col 9 /dev/stdin | sort -u \
    >"$tmp/got.offsets"
missing=$(comm -23 "$tmp/want.offsets" "$tmp/got.offsets" | wc -l)
[ "$missing" -eq 0 ] && ok || bad "restart: $missing records lost"
extra=$(comm -13 "$tmp/want.offsets" "$tmp/got.offsets" | wc -l)
[ "$extra" -eq 0 ] && ok || bad "restart: $extra unknown records"
total=$(cat "$tmp/first.log" "$tmp/second.log" | wc -l)
echo "restart: $n1 records before, $((total - n1)) after the restart," \
    "$((total - want)) sent twice"

# ---- 6. --follow --state: saves while following, once delivered -----------

# The follower saves its state every few seconds, each time after the
# collector has confirmed what was sent. Killed with -9 after such a save,
# a restart must send only what came after it: nothing lost, and far fewer
# than all the records again.
: >"$tmp/second.log"
sed -n '1,1600p' "$sample" >"$tmp/live.log"
"$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-22T12:00:00Z --follow \
    --state "$tmp/follow.state" --syslog-server "127.0.0.1:$tport" \
    "$tmp/live.log" 2>"$tmp/err" &
mw_pid=$!
# the first save comes right after the catch-up
i=0
while [ ! -s "$tmp/follow.state" ] && [ $i -lt 150 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ -s "$tmp/follow.state" ] && ok || bad "follow: no state saved while following"
sed -n '1601,$p' "$sample" >>"$tmp/live.log"
got=$(wait_lines "$tmp/second.log" "$want")
[ "$got" -eq "$want" ] && ok || bad "follow: $got records, want $want"
# the next save (every 5 s) counts them all
cp "$tmp/follow.state" "$tmp/state.before"
i=0
while cmp -s "$tmp/follow.state" "$tmp/state.before" && [ $i -lt 150 ]; do
    sleep 0.1
    i=$((i + 1))
done
cmp -s "$tmp/follow.state" "$tmp/state.before" &&
    bad "follow: the state did not move on after new records"
kill -9 "$mw_pid" 2>/dev/null
wait "$mw_pid" 2>/dev/null
mw_pid=
n1=$(wc -l <"$tmp/second.log")
mw --state "$tmp/follow.state" --syslog-server "127.0.0.1:$tport" \
    "$tmp/live.log" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "follow: restart: exit $rc: $(cat "$tmp/err")"
sleep 1
col 9 "$tmp/second.log" | sort -u >"$tmp/got.offsets"
missing=$(comm -23 "$tmp/want.offsets" "$tmp/got.offsets" | wc -l)
[ "$missing" -eq 0 ] && ok || bad "follow: $missing records lost"
again=$(($(wc -l <"$tmp/second.log") - n1))
[ "$again" -lt $((want / 10)) ] && ok ||
    bad "follow: $again of $want records sent again after the restart"
echo "follow: $n1 records while following, $again again after kill -9"

# ---- 7. nobody listens: counted, reported, exit 2 --------------------------

stop_collector
mw --syslog-server "127.0.0.1:$tport" "$sample" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "down: exit $rc, want 2"
grep -q "^maillog-why: 127.0.0.1:$tport: $want records not delivered: " \
    "$tmp/err" && ok || bad "down: message: $(cat "$tmp/err")"

echo "syslog-collector: $pass passed, $fail failed"
[ $fail -eq 0 ]
