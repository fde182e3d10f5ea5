#!/bin/sh
# Every line of Exim's own test-suite mainlogs (tests/data/exim-testsuite)
# parses without error or crash, as an Exim file and as auto-detected;
# every record is one line of JSON; the TLS, refused, timeout and auth test
# groups give hits in their category families.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
dir=$MW_SRCDIR/tests/data/exim-testsuite
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-exim.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
files=0
for f in "$dir"/[0-9]*; do
    files=$((files + 1))
    for fmt in exim auto; do
        "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 1999-03-03T00:00:00Z \
            --input-format $fmt --output ndjson "$f" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ $rc -ne 0 ] || [ -s "$tmp/err" ]; then
            echo "FAIL: ${f##*/} ($fmt): exit $rc: $(head -c 200 "$tmp/err")"
            fail=1
        fi
        if grep -v '^{.*}$' "$tmp/out" | grep -q .; then
            echo "FAIL: ${f##*/} ($fmt): a record is not one JSON line"
            fail=1
        fi
    done
    cat "$tmp/out" >>"$tmp/all"
done
cat_count() { grep -c "\"category\":\"$1" "$tmp/all"; }
for fam in tls. connection.refused connection.timeout auth.failure mailbox dns; do
    n=$(cat_count "$fam")
    [ "$n" -gt 0 ] || { echo "FAIL: no $fam hits in the Exim test suite"; fail=1; }
    echo "  $fam: $n hits"
done
# a few known scenarios (INDEX.tsv titles): the expected family per file
check() { # file family

    "$MW_BIN" --rules "$MW_SRCDIR/rules" --input-format exim --output ndjson \
        "$dir/$1" >"$tmp/f.out"
    grep -q "\"rule\":{[^}]*\"category\":\"$2" "$tmp/f.out" ||
        { echo "FAIL: $1: no $2 hit"; fail=1; }
}
check 0092 connection.timeout   # SMTP incoming timeout
check 0099 connection.refused   # outgoing Connection refused
check 0095 mailbox              # exim quota
check 3400 auth.                # plaintext authenticators
check 2000 tls.                 # GnuTLS
echo "exim-testsuite: $files files"
exit $fail
