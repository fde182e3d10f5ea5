#!/bin/sh
# --state: each run reads only what is new, through appends, rename and
# create rotation (the file we stopped in plain, renamed, gzip'ed, rotated
# twice), copytruncate and truncation; --output-file is cut back to what the
# state counts. Then a torture loop appends, rotates, and kills runs with
# SIGKILL at random moments: the output file must hold every hit of the
# whole series exactly once.
#
# Hits are compared by line text and offset (not by path or line number,
# which change when a file is renamed).
#
# MW_STATE_ROUNDS (default 30) and MW_STATE_SECONDS (default 60) bound the
# torture loop; MW_STATE_SEED repeats a run.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-state.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
rules=$MW_SRCDIR/rules
fail=0

bad() {
    echo "FAIL: $*"
    fail=1
}

mw() {
    "$MW_BIN" --rules "$rules" --output ndjson "$@"
}

. "$MW_SRCDIR/tests/logseries.sh"

# the hits of ndjson files as "offset|line text", sorted
keys() {
    cat "$@" | sed -n 's/.*"message":"\([^"]*\)".*"offset":\([0-9]*\)}.*/\2|\1/p' |
        sort
}

# same WHAT CLEAN GOT...: the GOT files have every hit of CLEAN once, and
# nothing else
same() {
    what=$1
    keys "$2" >"$tmp/k.clean"
    shift 2
    keys "$@" >"$tmp/k.got"
    n=$(wc -l <"$tmp/k.clean")
    dup=$(uniq -d "$tmp/k.got" | wc -l)
    sort -u "$tmp/k.got" >"$tmp/k.uniq"
    lost=$(comm -23 "$tmp/k.clean" "$tmp/k.uniq" | wc -l)
    extra=$(comm -13 "$tmp/k.clean" "$tmp/k.uniq" | wc -l)
    [ "$n" -gt 0 ] || bad "$what: no hits at all"
    if [ "$dup" -ne 0 ] || [ "$lost" -ne 0 ] || [ "$extra" -ne 0 ]; then
        bad "$what: $n hits: $lost lost, $dup duplicated, $extra unexpected"
        comm -3 "$tmp/k.clean" "$tmp/k.uniq" | head -5
    else
        echo "ok: $what: $n hits, 0 lost, 0 duplicated"
    fi
}

# same_text WHAT WANT GOT: the same hits by line text (offsets differ)
same_text() {
    sed -n 's/.*"message":"\([^"]*\)".*/\1/p' "$2" | sort >"$tmp/t.want"
    sed -n 's/.*"message":"\([^"]*\)".*/\1/p' "$3" | sort >"$tmp/t.got"
    if cmp -s "$tmp/t.want" "$tmp/t.got"; then
        echo "ok: $1: $(wc -l <"$tmp/t.got") hits"
    else
        bad "$1: $(wc -l <"$tmp/t.got") hits, want the $(wc -l <"$tmp/t.want") new ones"
    fi
}

# rotate [gz]: logrotate's rename and create: mail.log.N[.gz] becomes
# mail.log.N+1[.gz], mail.log becomes mail.log.1 (gzip'ed with gz, as
# without delaycompress), and a new empty mail.log
rotate() {
    shift_numbered
    mv mail.log mail.log.1
    if [ "${1:-}" = gz ]; then gzip mail.log.1; fi
    : >mail.log
}
# copytrunc [gz]: logrotate's copytruncate (same inode, emptied)
copytrunc() {
    shift_numbered
    cp mail.log mail.log.1
    if [ "${1:-}" = gz ]; then gzip mail.log.1; fi
    : >mail.log
}

# ------------------------------------------------------------ step by step
mkdir "$tmp/a" "$tmp/aw"
cd "$tmp/a" || exit 99
st=$tmp/aw/state
o=$tmp/aw/o
gen 0 100 >mail.log
mw --state "$st" mail.log >"$o.1" || bad "first run failed"
gen 100 50 >>mail.log
mw --state "$st" mail.log >"$o.2"
mw --state "$st" mail.log >"$o.3"
[ -s "$o.3" ] && bad "a run without new lines wrote $(wc -l <"$o.3") hits"
want=$(gen 100 50 | mw | wc -l)
[ "$(keys "$o.2" | wc -l)" -eq "$want" ] ||
    bad "appended 50 lines: $(keys "$o.2" | wc -l) hits, not $want"
head -n 1 "$st" | grep -q '^maillog-why state 1$' || bad "state header: $(head -n 1 "$st")"
grep -q '^input mail.log dev=[0-9]* ino=[0-9]* size=[0-9]* offset=[0-9]* line=150 ' "$st" ||
    bad "state record: $(cat "$st")"
# an unterminated line waits for its newline
gen 150 1 | tr -d '\n' >>mail.log
mw --state "$st" mail.log >"$o.4"
[ -s "$o.4" ] && bad "an unterminated last line was analysed"
echo >>mail.log
gen 151 9 >>mail.log
mw --state "$st" mail.log >"$o.5"
keys "$o.5" | grep -q 'smtpd\[10150\]' || bad "the completed line was not analysed"
mw mail.log >"$tmp/clean"
same "growing file" "$tmp/clean" "$o".*

# rename and create, with lines the previous run did not see at the end of
# the rotated file
gen 160 40 >>mail.log
rotate
gen 200 40 >>mail.log
mw --state "$st" mail.log >"$o.6"
# compress without delaycompress: the file we stopped in is now .1.gz
gen 240 40 >>mail.log
rotate gz
gen 280 40 >>mail.log
mw --state "$st" mail.log >"$o.7"
# two rotations between runs: the file we stopped in is .2.gz, .1 is new
gen 320 40 >>mail.log
rotate
gen 360 40 >>mail.log
rotate gz
gen 400 40 >>mail.log
mw --state "$st" mail.log >"$o.8"
# copytruncate, plain then compressed
gen 440 40 >>mail.log
copytrunc
gen 480 40 >>mail.log
mw --state "$st" mail.log >"$o.9"
gen 520 40 >>mail.log
copytrunc gz
gen 560 40 >>mail.log
mw --state "$st" mail.log >"$o.10"
# the state names the series by the path given, rotated files may be
# given too: nothing is read twice
mw --state "$st" mail.log* >"$o.11"
[ -s "$o.11" ] && bad "mail.log* after mail.log repeated $(wc -l <"$o.11") hits"
mw mail.log* >"$tmp/clean"
same "rotation and copytruncate" "$tmp/clean" "$o".*

# ------------------------------------------------------------ truncation
# the file we stopped in is nowhere: lines stamped up to the last one
# processed are taken as seen (FORMATS.md 2.3)
mkdir "$tmp/d"
cd "$tmp/d" || exit 99
gen 1000 40 >mail.log
mw --state st mail.log >p1
: >mail.log
gen 1040 20 >>mail.log
mw --state st mail.log >p2
mw mail.log >clean2
same "truncated in place" clean2 p2
# rewritten by an editor: a new inode, another head, old lines kept
{
    echo "Nov 22 05:00:00 mx1 note: edited"
    cat mail.log
    gen 1060 20
} >x
mv x mail.log
mw --state st mail.log >p3
gen 1060 20 | mw >want3
same_text "rewritten file" want3 p3

# ------------------------------------------------------------ output file
# a killed run may have written records after its last save: cut back
mkdir "$tmp/e"
cd "$tmp/e" || exit 99
gen 0 40 >mail.log
mw --state st --output-file out mail.log
len=$(wc -c <out)
grep -q "^output out length=$len tail=[0-9a-f]\{64\}\$" st ||
    bad "output length not in state: $(cat st)"
printf '{"half a rec' >>out
gen 40 40 >>mail.log
mw --state st --output-file out mail.log
grep -q 'half a rec' out && bad "output not cut back to the saved length"
mw mail.log >clean
same "output file" clean out
# the output rotated after the last save: what the file holds now was
# written after it, and is written again
gen 80 40 >>mail.log
gen 80 40 | mw | head -n 5 >>out # a killed run, after the save
mv out out.1
printf '{"written after the save"}\n' >out
mw --state st --output-file out mail.log
gen 80 40 | mw >new
same_text "output rotated by rename" new out
# copytruncate of the output, then longer than the saved length again
gen 120 40 >>mail.log
mw --state st --output-file out mail.log
cat out >>out.1
: >out
gen 160 40 >>mail.log
gen 0 400 | mw >>out # a killed run wrote this much after truncation
mw --state st --output-file out mail.log
gen 160 40 | mw >new
same_text "output truncated, then longer than saved" new out
# a summary format writes the file anew each run
mw --state st2 --output-file sum.json --output json mail.log
mw --state st2 --output-file sum.json --output json mail.log
[ "$(grep -c '"schema"' sum.json)" -eq 1 ] || bad "summary appended to the old one"
# errors: a damaged state, a state in use
printf 'maillog-why state 1\ninput mail.log dev=x\n' >broken
mw --state broken mail.log >/dev/null 2>err
rc=$?
[ $rc -eq 2 ] || bad "damaged state: exit $rc"
grep -q 'broken:2:' err || bad "damaged state: $(cat err)"

# ------------------------------------------------------------ torture
mkdir "$tmp/t" "$tmp/tw"
cd "$tmp/t" || exit 99
rounds=${MW_STATE_ROUNDS:-30}
limit=${MW_STATE_SECONDS:-60}
seed=${MW_STATE_SEED:-$$}
echo "torture: seed $seed"
rnd() {
    seed=$(((seed * 1103515245 + 12345) % 2147483648))
    r=$((seed / 65536 % $1))
}
st=$tmp/tw/state
out=$tmp/tw/out
gen 0 50 >mail.log
next=50
# the feed starts with a run that completes; its time (ms) aims the kills
ms() {
    v=$(date +%s%N 2>/dev/null)
    case $v in *N | "") echo $(($(date +%s) * 1000)) ;; *) echo $((v / 1000000)) ;; esac
}
t=$(ms)
mw --state "$st" --output-file "$out" mail.log || bad "first torture run failed"
span=$(($(ms) - t))
[ $span -ge 20 ] || span=20
t0=$(date +%s)
round=0 killed=0 cut=0
while [ $round -lt "$rounds" ] && [ $(($(date +%s) - t0)) -lt "$limit" ]; do
    round=$((round + 1))
    rnd 3
    if [ $r -eq 0 ]; then rnd 3000; k=$((r + 1000)); else rnd 300; k=$((r + 1)); fi
    [ $((next + k)) -lt 60000 ] || k=1 # the stamps stay in one day
    gen $next $k >>mail.log
    next=$((next + k))
    rnd 10
    case $r in
    0 | 1) rotate ;;
    2) rotate gz ;;
    3) copytrunc ;;
    4) copytrunc gz ;;
    esac
    # records a killed run wrote after its last save, to be cut back
    if [ -f "$st" ] && [ -f "$out" ]; then
        saved=$(sed -n 's/^output .* length=\([0-9]*\).*/\1/p' "$st")
        [ "$(wc -c <"$out")" -gt "${saved:-0}" ] && cut=$((cut + 1))
    fi
    # the program itself in the background (not a subshell), so that the
    # kill reaches it; no leak check there (LeakSanitizer builds): a kill
    # during the exit-time check can leave a message from its tracer
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        "$MW_BIN" --rules "$rules" --output ndjson --state "$st" \
        --output-file "$out" mail.log 2>>"$tmp/tw/err" &
    pid=$!
    # meanwhile the log grows, or is rotated by rename
    rnd 4
    case $r in
    0) rnd 200; gen $next $((r + 1)) >>mail.log; next=$((next + r + 1)) ;;
    1) rotate ;;
    esac
    # from a little before the end of the start-up to after the end
    rnd $((span + span / 2))
    sleep "$(awk -v ms=$((span / 2 + r)) 'BEGIN { printf "%.3f", ms / 1000 }')"
    kill -9 $pid 2>/dev/null && killed=$((killed + 1))
    wait $pid 2>/dev/null
done
mw --state "$st" --output-file "$out" mail.log || bad "final run failed"
mw mail.log* >"$tmp/tw/clean"
echo "torture: $round rounds, $killed runs killed, $cut outputs cut back," \
    "$next lines, $(ls | wc -l) files, a run takes ${span} ms"
same "torture" "$tmp/tw/clean" "$out"
if [ -s "$tmp/tw/err" ]; then
    bad "messages from the runs: $(head -3 "$tmp/tw/err")"
fi
exit $fail
