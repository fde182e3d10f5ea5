#!/bin/sh
# Checks maillog-why against fail2ban's annotated logs (tests/data/fail2ban):
# every `match: true` line (of any mode) must give exactly one hit with
# source.ip = host and @timestamp = the annotated local time; no `match: false`
# line of fail2ban's default mode may give an auth.failure hit.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
tz='CET-01CEST-02,M3.5.0,M10.5.0'
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-failjson.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
total_fail=0
total_ok=0
for f in "$MW_SRCDIR"/tests/data/fail2ban/*; do
    name=${f##*/}
    case $name in *.md) continue ;; esac
    cp "$f" "$tmp/$name"
    touch -d @1124013600 "$tmp/$name"
    TZ=$tz "$MW_BIN" --rules "$MW_SRCDIR/rules" --output ndjson \
        --now 2005-08-14T12:00:00+02:00 "$tmp/$name" >"$tmp/$name.ndjson"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL: $name: exit status $rc"
        total_fail=$((total_fail + 1))
        continue
    fi
    # offset ip category timestamp, one line per event
    awk '{
        off = ""; ip = "-"; cat = "-"; ts = "-"
        if (match($0, /"offset":[0-9]+/)) off = substr($0, RSTART + 9, RLENGTH - 9)
        if (match($0, /"source":\{"ip":"[^"]*"/)) ip = substr($0, RSTART + 16, RLENGTH - 17)
        if (match($0, /"maillog_why":\{"category":"[^"]*"/)) cat = substr($0, RSTART + 27, RLENGTH - 28)
        if (match($0, /"@timestamp":"[^"]*"/)) ts = substr($0, RSTART + 14, RLENGTH - 15)
        print off, ip, cat, ts
    }' "$tmp/$name.ndjson" >"$tmp/$name.events"
    TZ=$tz awk -v name="$name" -v evfile="$tmp/$name.events" -v logf="$tmp/$name" '
    function utc(local, shift,   cmd, sec, out) {
        cmd = "date -d \"" local "\" +%s"
        cmd | getline sec; close(cmd)
        cmd = "date -u -d @" (sec + shift) " +%Y-%m-%dT%H:%M:%S"
        cmd | getline out; close(cmd); return out
    }
    # Accepted times: the annotated one; for daemontools TAI64N labels the
    # value tai64nlocal prints (label - 2^62 - 10 s; fail2ban drops the 10 s);
    # for a year-less stamp later than the fixed now, the previous year too
    # (SPEC: the stamp is at or before the file time).
    function time_ok(ts, tm, line,   want, prev) {
        want = utc(tm, 0)
        if (line ~ /^@4000/) want = utc(tm, -10)
        if (substr(ts, 1, 19) == want) return 1
        if (tm > "2005-08-14T12:00:00") {
            prev = (substr(tm, 1, 4) - 1) substr(tm, 5)
            if (substr(ts, 1, 19) == utc(prev, 0)) return 1
        }
        return 0
    }
    BEGIN {
        while ((getline l < evfile) > 0) {
            split(l, a, " ")
            n[a[1]]++; ip[a[1]] = ip[a[1]] " " a[2]; cat[a[1]] = cat[a[1]] " " a[3]
            ts[a[1]] = a[4]
        }
        # texts annotated match:true anywhere are mode-dependent when false
        t = 0
        while ((getline l < logf) > 0) {
            if (l ~ /^# *failJSON:/) t = (l ~ /"match": *true/)
            else if (l !~ /^#/ && l != "") { if (t) truetext[l] = 1; t = 0 }
        }
        close(logf)
        off = 0; mode_default = 1; pending = 0; ok = 0; bad = 0
    }
    {
        len = length($0) + 1
        if ($0 ~ /^# *filterOptions:/) {
            mode_default = ($0 ~ /\{\}/ || $0 ~ /"mode": *"normal"/) ? 1 : 0
        } else if ($0 ~ /^# *failJSON:/) {
            pending = 1
            want = ($0 ~ /"match": *true/) ? 1 : 0
            host = ""; if (match($0, /"host": *"[^"]*"/)) { host = substr($0, RSTART, RLENGTH); sub(/"host": *"/, "", host); sub(/"$/, "", host) }
            tm = ""; if (match($0, /"time": *"[^"]*"/)) { tm = substr($0, RSTART, RLENGTH); sub(/"time": *"/, "", tm); sub(/"$/, "", tm) }
            moded = ($0 ~ /mode/) ? 1 : 0
        } else if ($0 !~ /^#/ && $0 != "" && pending) {
            pending = 0
            if (want) {
                if (n[off] != 1 || ip[off] != " " host) {
                    printf "FAIL: %s:%d: want one hit from %s, got %d (%s): %s\n", name, NR, host, n[off] + 0, ip[off], $0
                    bad++
                } else if (tm != "" && !time_ok(ts[off], tm, $0)) {
                    printf "FAIL: %s:%d: time %s, want %s UTC: %s\n", name, NR, ts[off], utc(tm, 0), $0
                    bad++
                } else ok++
            } else if (mode_default && !moded && !($0 in truetext)) {
                if (cat[off] ~ /auth\.failure/) {
                    printf "FAIL: %s:%d: false auth.failure hit: %s\n", name, NR, $0
                    bad++
                } else ok++
            }
        }
        off += len
    }
    END { printf "%s: %d ok, %d failed\n", name, ok, bad; exit bad > 0 }
    ' "$tmp/$name" || total_fail=$((total_fail + 1))
done
echo "corpus-failjson: $total_fail file(s) with failures"
[ $total_fail -eq 0 ]
