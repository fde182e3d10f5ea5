#!/bin/sh
# --follow: hits of appended lines come out within seconds, through an
# unterminated line, rename and create rotation (with lines still written to
# the renamed file), copytruncate and compression of the rotated file; the
# state is saved while following and at SIGTERM, which ends the run with
# exit 0; a run resumed from that state repeats nothing. A torture loop
# rotates and restarts the follower at random: every hit comes out once.
# With a summary format the summary comes at the end.
#
# MW_FOLLOW_LIMIT: seconds a new hit may take to appear (default 5; the
# program polls every 200 ms, the rest is slack for a loaded machine).
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-follow.XXXXXX") || exit 99
pid=
cleanup() {
    if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
rules=$MW_SRCDIR/rules
limit=${MW_FOLLOW_LIMIT:-5}
fail=0

bad() {
    echo "FAIL: $*"
    fail=1
}

mw() {
    "$MW_BIN" --rules "$rules" --output ndjson "$@"
}

. "$MW_SRCDIR/tests/logseries.sh"

hits_of() {
    gen "$1" "$2" | mw | wc -l
}

count() {
    if [ -f "$out" ]; then wc -l <"$out"; else echo 0; fi
}

# want N WHAT: N complete records in out within the limit
want() {
    i=0
    while [ "$(count)" -lt "$1" ] && [ $i -lt $((limit * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    n=$(count)
    if [ "$n" -ne "$1" ]; then
        bad "$2: $n records after $((i / 10)).$((i % 10)) s, want $1"
    else
        echo "ok: $2: $1 records ($((i / 10)).$((i % 10)) s)"
    fi
}

alive() {
    kill -0 "$pid" 2>/dev/null || bad "the follower died: $(cat "$tmp/err")"
}

mkdir "$tmp/log"
cd "$tmp/log" || exit 99
st=$tmp/state
out=$tmp/out
gen 0 20 >mail.log
expect=$(hits_of 0 20)
# started directly (not in a subshell) so that signals reach it
"$MW_BIN" --rules "$rules" --output ndjson --follow --state "$st" \
    --output-file "$out" mail.log 2>"$tmp/err" &
pid=$!
want "$expect" "lines there at the start"

gen 20 10 >>mail.log
expect=$((expect + $(hits_of 20 10)))
want "$expect" "appended lines"

# the state is locked while the follower runs
mw --state "$st" mail.log >/dev/null 2>"$tmp/err2"
rc=$?
[ $rc -eq 2 ] && grep -q 'in use' "$tmp/err2" ||
    bad "a second run on the same state: exit $rc: $(cat "$tmp/err2")"

# a line is analysed once its newline has come
gen 30 1 | tr -d '\n' >>mail.log
sleep 1
[ "$(count)" -eq "$expect" ] || bad "an unterminated line was analysed"
echo >>mail.log
expect=$((expect + $(hits_of 30 1)))
want "$expect" "the line completed"

# rename and create: the writer goes on with the old file for a moment
mv mail.log mail.log.1
gen 31 8 >>mail.log.1
expect=$((expect + $(hits_of 31 8)))
want "$expect" "lines written to the renamed file"
: >mail.log
gen 39 8 >>mail.log.1
gen 47 12 >>mail.log
expect=$((expect + $(hits_of 39 8) + $(hits_of 47 12)))
want "$expect" "the old file finished, then the new one"
gen 59 12 >>mail.log
expect=$((expect + $(hits_of 59 12)))
want "$expect" "appended to the new file"

# the rotated file is compressed later (delaycompress): nothing changes
gzip mail.log.1
gen 71 12 >>mail.log
expect=$((expect + $(hits_of 71 12)))
want "$expect" "after compression of the rotated file"

# copytruncate: lines appended just before the copy may be read from the
# copy only
gen 83 12 >>mail.log
cp mail.log mail.log.1
: >mail.log
gen 95 12 >>mail.log
expect=$((expect + $(hits_of 83 12) + $(hits_of 95 12)))
want "$expect" "copytruncate"
gen 107 12 >>mail.log
expect=$((expect + $(hits_of 107 12)))
want "$expect" "appended after copytruncate"

# saved every few seconds while following
i=0
size=$(wc -c <mail.log)
while ! grep -q "^input mail.log .* offset=$size " "$st" 2>/dev/null &&
    [ $i -lt 150 ]; do
    sleep 0.1
    i=$((i + 1))
done
grep -q "^input mail.log .* offset=$size " "$st" 2>/dev/null ||
    bad "state not saved while following: $(cat "$st" 2>&1)"
alive

# SIGTERM: flush, save, exit 0
gen 119 12 >>mail.log
expect=$((expect + $(hits_of 119 12)))
want "$expect" "before SIGTERM"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || bad "exit $rc after SIGTERM: $(cat "$tmp/err")"
size=$(wc -c <mail.log)
grep -q "^input mail.log .* offset=$size " "$st" || bad "state at exit: $(cat "$st")"
grep -q "^output $out length=$(wc -c <"$out") " "$st" ||
    bad "output length at exit: $(cat "$st")"
[ -s "$tmp/err" ] && bad "messages: $(head -3 "$tmp/err")"

# every hit once: the records against one run over all the lines
gen 0 131 | mw | sed -n 's/.*"message":"\([^"]*\)".*/\1/p' | sort >"$tmp/want"
sed -n 's/.*"message":"\([^"]*\)".*/\1/p' "$out" | sort >"$tmp/got"
if cmp -s "$tmp/want" "$tmp/got"; then
    echo "ok: every hit once ($(wc -l <"$tmp/got"))"
else
    bad "records differ from a single run: $(comm -3 "$tmp/want" "$tmp/got" | head -3)"
fi

# resumed from the saved state: nothing again, then what is new
mw --state "$st" --output-file "$out" mail.log
[ "$(count)" -eq "$expect" ] || bad "the resumed run repeated records"
gen 131 12 >>mail.log
mw --state "$st" --output-file "$out" mail.log
expect=$((expect + $(hits_of 131 12)))
[ "$(count)" -eq "$expect" ] || bad "the resumed run: $(count) records, want $expect"

# ------------------------------------------------------------ torture
# A writer appends, rotates by rename (sometimes writing on to the renamed
# file), copytruncates, gzips; the follower is killed (SIGKILL) or stopped
# (SIGTERM) and started again now and then. At the end every hit of the
# whole series is in the output once. MW_FOLLOW_SECONDS (default 15) bounds
# it; MW_FOLLOW_SEED repeats a run.
mkdir "$tmp/t" "$tmp/tw"
cd "$tmp/t" || exit 99
seed=${MW_FOLLOW_SEED:-$$}
rnd() {
    seed=$(((seed * 1103515245 + 12345) % 2147483648))
    r=$((seed / 65536 % $1))
}
st=$tmp/tw/state
out=$tmp/tw/out
start_follower() {
    "$MW_BIN" --rules "$rules" --output ndjson --follow --state "$st" \
        --output-file "$out" mail.log 2>>"$tmp/tw/err" &
    pid=$!
}
gen 0 20 >mail.log
next=20
start_follower
i=0
while [ ! -s "$st" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
t0=$(date +%s)
rot=0 ct=0 kills=0 terms=0
while [ $(($(date +%s) - t0)) -lt "${MW_FOLLOW_SECONDS:-15}" ]; do
    rnd 40
    gen $next $((r + 1)) >>mail.log
    next=$((next + r + 1))
    rnd 30
    case $r in
    0)
        shift_numbered
        mv mail.log mail.log.1
        rnd 3
        if [ $r -eq 0 ]; then gen $next 5 >>mail.log.1; next=$((next + 5)); fi
        : >mail.log
        rot=$((rot + 1))
        ;;
    1)
        shift_numbered
        cp mail.log mail.log.1
        : >mail.log
        ct=$((ct + 1))
        ;;
    2) if [ -e mail.log.2 ]; then gzip mail.log.2; fi ;;
    3)
        kill -9 $pid
        wait $pid 2>/dev/null
        start_follower
        kills=$((kills + 1))
        ;;
    4)
        kill -TERM $pid
        wait $pid || bad "torture: exit $? after SIGTERM"
        start_follower
        terms=$((terms + 1))
        ;;
    esac
    rnd 100
    sleep "$(awk -v ms=$r 'BEGIN { printf "%.3f", ms / 1000 }')"
done
sleep 1
kill -TERM $pid
wait $pid || bad "torture: exit $? after the last SIGTERM"
pid=
mw --state "$st" --output-file "$out" mail.log
mw mail.log* >"$tmp/tw/clean"
keys() {
    sed -n 's/.*"message":"\([^"]*\)".*"offset":\([0-9]*\)}.*/\2|\1/p' "$@" | sort
}
keys "$tmp/tw/clean" >"$tmp/tw/kc"
keys "$out" >"$tmp/tw/ko"
dup=$(uniq -d "$tmp/tw/ko" | wc -l)
sort -u "$tmp/tw/ko" >"$tmp/tw/ku"
lost=$(comm -23 "$tmp/tw/kc" "$tmp/tw/ku" | wc -l)
extra=$(comm -13 "$tmp/tw/kc" "$tmp/tw/ku" | wc -l)
echo "torture: seed $seed, $next lines, $rot renames, $ct copytruncates," \
    "$kills kills, $terms stops: $(wc -l <"$tmp/tw/kc") hits, $lost lost," \
    "$dup duplicated, $extra unexpected"
[ "$lost" -eq 0 ] && [ "$dup" -eq 0 ] && [ "$extra" -eq 0 ] ||
    bad "torture: hits lost or repeated"
[ -s "$tmp/tw/err" ] && bad "torture: messages: $(head -3 "$tmp/tw/err")"
cd "$tmp/log" || exit 99

# a summary format prints its summary at the end
"$MW_BIN" --rules "$rules" --output json --follow mail.log >"$tmp/sum" \
    2>"$tmp/err" &
pid=$!
sleep 1
gen 143 4 >>mail.log
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || bad "summary: exit $rc: $(cat "$tmp/err")"
grep -q '"schema": *"maillog-why/summary/1"' "$tmp/sum" ||
    bad "no summary at the end: $(head -c 200 "$tmp/sum")"
exit $fail
