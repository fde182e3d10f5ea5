#!/bin/sh
# Mail-client excerpts (tests/data/clients, from public GitHub issue threads):
# every excerpt whose hand label names a failure must give at least one hit
# in that label's category family; no excerpt may give more hits than it has
# lines; no hit may carry a client address (these logs name the server).
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
dir=$MW_SRCDIR/tests/data/clients
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-clients.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
files=0
# label word -> extended regex for acceptable categories
family() {
    case $1 in
    refused) echo '^connection\.refused$' ;;
    timeout) echo '^connection\.timeout$' ;;
    auth) echo '^auth\.' ;;
    tls) echo '^tls\.' ;;
    network) echo '^(network|dns)$' ;;
    dns) echo '^dns$' ;;
    protocol) echo '^protocol$' ;;
    *) echo '' ;;
    esac
}
tab=$(printf '\t')
while IFS=$tab read -r name url emitter label notes; do
    [ "$name" = file ] && continue
    [ -n "$name" ] || continue
    files=$((files + 1))
    log=$dir/$name
    if [ ! -f "$log" ]; then
        echo "FAIL: $name: missing ($url)"
        fail=$((fail + 1))
        continue
    fi
    "$MW_BIN" --rules "$MW_SRCDIR/rules" --output ndjson --now 2026-01-01T00:00:00Z \
        -v "$log" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    dialect=$(sed -n 's/^.*: \([a-z-]*\) (.*)$/\1/p' "$tmp/err" | head -n 1)
    if [ $rc -ne 0 ]; then
        echo "FAIL: $name: exit status $rc: $(cat "$tmp/err")"
        fail=$((fail + 1))
        continue
    fi
    lines=$(awk 'END { print NR }' "$log")
    hits=$(awk 'END { print NR }' "$tmp/out")
    sed -n 's/.*"maillog_why":{"category":"\([^"]*\)".*/\1/p' "$tmp/out" >"$tmp/cats"
    got=$(sort "$tmp/cats" | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
    dests=$(sed -n 's/.*"destination":{\([^}]*\)}.*/\1/p' "$tmp/out" | sort -u |
        tr '\n' ' ' | sed 's/"//g; s/ $//')
    # "protocol/TLS (...)": either family; "timeout (greeting)": timeout
    words=$(printf '%s\n' "$label" | sed 's/ .*//' | tr 'A-Z/' 'a-z ')
    want=
    for w in $words; do
        re=$(family "$w")
        [ -n "$re" ] && want="$want${want:+|}$re"
    done
    status=ok
    why=
    if [ -n "$want" ] && ! grep -Eq "$want" "$tmp/cats"; then
        status=FAIL
        why="no hit in family $want"
    fi
    if [ "$hits" -gt "$lines" ]; then
        status=FAIL
        why="$why${why:+; }$hits hits for $lines lines"
    fi
    if grep -q '"source":{' "$tmp/out"; then
        status=FAIL
        why="$why${why:+; }a hit has a source (client) address"
    fi
    echo "$status: $name [$dialect] label '$label': $hits hit(s) in $lines line(s): ${got:-none}${dests:+; destination $dests}${why:+ -- $why}"
    [ $status = ok ] || fail=$((fail + 1))
done <"$dir/INDEX.tsv"
echo "clients: $files excerpt(s), $fail failed"
[ "$files" -gt 0 ] && [ $fail -eq 0 ]
