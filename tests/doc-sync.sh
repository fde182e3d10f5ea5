#!/bin/sh
# Every long option in --help is documented in maillog-why(1) and every option
# documented there exists; every category is in maillog-why-rules(5).
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
man1=$MW_SRCDIR/man/maillog-why.1.in
man5=$MW_SRCDIR/man/maillog-why-rules.5.in
fail=0
help_opts=$("$MW_BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
[ -n "$help_opts" ] || { echo "FAIL: no options in --help"; exit 1; }
for opt in $help_opts; do
    pat=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    grep -q -- "\\\\fB$pat\\\\fR" "$man1" || {
        echo "FAIL: $opt is in --help but not in maillog-why.1"; fail=1; }
done
man_opts=$(grep -o '^\\fB\\-\\-[a-z\\-]*\|, \\fB\\-\\-[a-z\\-]*' "$man1" |
    sed 's/.*\\fB//; s/\\-/-/g; s/\\f$//' | sort -u)
for opt in $man_opts; do
    printf '%s\n' "$help_opts" | grep -qx -- "$opt" || {
        echo "FAIL: $opt is documented in maillog-why.1 but not in --help"; fail=1; }
done
for cat in connection.refused connection.timeout connection.lost auth.failure \
    auth.required tls.handshake tls.certificate dns network policy.dnsbl \
    policy.relay policy.reject protocol mailbox server.unavailable; do
    grep -q "$cat" "$man5" || { echo "FAIL: $cat missing from maillog-why-rules.5"; fail=1; }
    grep -q "$cat" "$man1" || { echo "FAIL: $cat missing from maillog-why.1"; fail=1; }
done
[ $fail -eq 0 ] && echo "doc-sync: $(printf '%s\n' "$help_opts" | wc -l) options ok"
exit $fail
