#!/bin/sh
# A rotated series given in any order is read oldest first (mail.log.2.gz,
# mail.log.1, mail.log), decompressed by content, and its hits come out in
# time order.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-rot.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
src=$MW_SRCDIR/samples/incident-rotated
cp "$src/mail.log" "$src/mail.log.1" "$src/mail.log.2.gz" "$tmp/"
# file times as logrotate leaves them: each file ends on its own day
touch -d 2026-11-22T23:59:59Z "$tmp/mail.log"
touch -d 2026-11-21T23:59:59Z "$tmp/mail.log.1"
touch -d 2026-11-20T23:59:59Z "$tmp/mail.log.2.gz"
fail=0
for order in "mail.log mail.log.1 mail.log.2.gz" "mail.log.2.gz mail.log mail.log.1" \
    "mail.log.1 mail.log.2.gz mail.log"; do
    set --
    for f in $order; do set -- "$@" "$tmp/$f"; done
    "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-23T00:00:00Z \
        --output json "$@" >"$tmp/out.json" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || { echo "FAIL: $order: exit $rc: $(cat "$tmp/err")"; fail=1; }
    got=$(grep '"path"' "$tmp/out.json" | sed -n 's/.*"path": *"[^"]*\/\([^"/]*\)".*/\1/p' |
        head -3 | tr '\n' ' ')
    [ "$got" = "mail.log.2.gz mail.log.1 mail.log " ] ||
        { echo "FAIL: $order: read as $got"; fail=1; }
    "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-23T00:00:00Z \
        --output ndjson "$@" >"$tmp/out.ndjson"
    sed -n 's/.*"@timestamp":"\([^"]*\)".*/\1/p' "$tmp/out.ndjson" >"$tmp/ts"
    if ! sort -c "$tmp/ts" 2>/dev/null; then
        echo "FAIL: $order: hits not in time order"; fail=1
    fi
    n=$(wc -l <"$tmp/ts")
    [ "$n" -gt 50 ] || { echo "FAIL: $order: only $n hits"; fail=1; }
    # the gzip member was read: hits dated Nov 20
    grep -q '^2026-11-20' "$tmp/ts" || { echo "FAIL: $order: nothing from the .gz"; fail=1; }
done
[ $fail -eq 0 ] && echo "rotation: 3 orders ok"
exit $fail
