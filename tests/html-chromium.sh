#!/bin/sh
# --output html: one self-contained page (no script, nothing fetched from
# outside), hostile log text rendered as text, and, when Chromium is
# installed, a page that a real browser shows with its findings and charts
# without a console error. Without Chromium the static checks still run and
# the test is skipped (77) after them.
set -u
: "${MW_BIN:?}" "${MW_SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-html.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
mw() { "$MW_BIN" --rules "$MW_SRCDIR/rules" --now 2026-11-22T12:00:00Z "$@"; }
count() { grep -c -i -- "$1" "$2"; } # lines of $2 holding $1

# the finding titles of a JSON summary, as escape_html writes them
titles() {
    sed -n 's/^      "title": "\(.*\)",$/\1/p' "$1" |
        sed -e 's/\\"/"/g' -e 's/\\\\/\\/g' -e 's/&/\&amp;/g' -e 's/</\&lt;/g' \
            -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\\&#39;/g"
}

# page $1 is self-contained: no script, frame, object, image, link or
# stylesheet from anywhere, links only to anchors of the page itself
self_contained() {
    n=$(grep -c -i -E '<(script|iframe|frame|object|embed|img|link|base|form|meta http-equiv="refresh")' "$1")
    [ "$n" -eq 0 ] && ok || bad "$1: $n lines with active or external elements"
    grep -o '<[^>]*>' "$1" >"$tmp/tags" # log text holds no raw '<'
    grep -i -E '[[:space:]](href|src|srcset|action|poster|background|xlink:href)[[:space:]]*=[[:space:]]*["'\'']?[[:space:]]*([a-z]+:|//)' \
        "$tmp/tags" >"$tmp/refs"
    [ -s "$tmp/refs" ] && bad "$1: reference to another document: $(head -3 "$tmp/refs")" || ok
    grep -o 'href="[^"]*"' "$1" | grep -v '^href="#f[0-9]*"$' >"$tmp/hrefs"
    [ -s "$tmp/hrefs" ] && bad "$1: links outside the page: $(head -3 "$tmp/hrefs")" || ok
    [ "$(count '<style' "$1")" -eq 1 ] && ok || bad "$1: want exactly one <style>"
    sed -n 's/.*<style>\(.*\)<\/style>.*/\1/p' "$1" >"$tmp/css"
    [ -s "$tmp/css" ] && ok || bad "$1: no style sheet on the <style> line"
    grep -q -i -E 'url\(|@import|https?:' "$tmp/css" &&
        bad "$1: the style sheet loads something" || ok
    grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$1" && ok ||
        bad "$1: no Content-Security-Policy"
    head -c 15 "$1" | grep -q '^<!DOCTYPE html>' && ok || bad "$1: no doctype"
    [ "$(tail -n 1 "$1")" = "</html>" ] && ok || bad "$1: does not end with </html>"
    [ "$(count '<pre>' "$1")" -eq "$(count '</pre>' "$1")" ] && ok ||
        bad "$1: <pre> and </pre> do not pair"
    if command -v iconv >/dev/null 2>&1; then
        iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 && ok || bad "$1: not valid UTF-8"
    fi
    LC_ALL=C tr -d '\000\033\r' <"$1" | cmp -s - "$1" && ok ||
        bad "$1: raw NUL, ESC or CR byte in the page"
}

# 1. the sample incident
mw --output html "$MW_SRCDIR/samples/incident.log" >"$tmp/incident.html" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "incident: exit status"
[ -s "$tmp/err" ] && bad "incident: stderr: $(cat "$tmp/err")" || ok
mw --output json "$MW_SRCDIR/samples/incident.log" >"$tmp/incident.json"
titles "$tmp/incident.json" >"$tmp/titles"
nfind=$(wc -l <"$tmp/titles")
ncat=$(grep -c '"series": \[' "$tmp/incident.json")
[ "$nfind" -ge 3 ] && ok || bad "incident: only $nfind findings in the JSON summary"
while IFS= read -r t; do
    grep -q -F -- "$t" "$tmp/incident.html" && ok || bad "incident: title missing: $t"
done <"$tmp/titles"
[ "$(grep -c '<section class="card bl-' "$tmp/incident.html")" -eq "$nfind" ] && ok ||
    bad "incident: want $nfind finding sections"
[ "$(grep -c '<svg ' "$tmp/incident.html")" -eq "$ncat" ] && ok ||
    bad "incident: want $ncat charts, one per category"
grep -q 'incident.log:[0-9][0-9]*</span><pre>' "$tmp/incident.html" && ok ||
    bad "incident: no evidence file:line"
grep -q '>peak [0-9]* at [0-9][0-9]:[0-9][0-9]<' "$tmp/incident.html" && ok ||
    bad "incident: no peak marked"
grep -q '>onset [0-9][0-9]:[0-9][0-9]<' "$tmp/incident.html" && ok ||
    bad "incident: no onset marked"
grep -q '2026-11-22 06:00 &ndash; .* UTC' "$tmp/incident.html" && ok ||
    bad "incident: header has no UTC period"
self_contained "$tmp/incident.html"

# 2. hostile log text: markup, quotes, NUL, escape sequences, invalid UTF-8
sasl='mx1 postfix/smtpd[1234]: warning: unknown[192.0.2.%s]: SASL LOGIN authentication failed: %b, sasl_username=%b\n'
{
    printf "Nov 22 10:05:01 $sasl" 1 'UGFzc3dvcmQ6' '</pre><script>alert(1)</script>'
    printf "Nov 22 10:05:02 $sasl" 2 '"dq" '\''sq'\'' & <img src=x onerror=alert(2)>' 'a\000b'
    printf "Nov 22 10:05:03 $sasl" 3 '\377\376 bad \300\257 <a href="https://evil.example/">x</a>' '<svg onload=alert(3)>'
    printf 'Nov 22 10:05:04 mx1 postfix/smtpd[1234]: </pre><script>alert(4)</script><style>@import url(http://evil.example/x.css)</style>\n'
    printf 'Nov 22 10:05:05 mx1 evil</title><script>alert(5)</script>[1]: \033[31mred\033[0m <!-- --> <![CDATA[ ]]> \000\n'
    printf 'Nov 22 10:05:06 mx1 postfix/smtpd[1234]: <iframe src="//evil.example"></iframe> \342\200\256 rlo\r\n'
} >"$tmp/hostile.log"
mw --output html "$tmp/hostile.log" >"$tmp/hostile.html" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "hostile: exit status"
[ "$(count '<script' "$tmp/hostile.html")" -eq 0 ] && ok || bad "hostile: <script survived"
grep -q -i '<svg onload' "$tmp/hostile.html" && bad "hostile: <svg onload survived" || ok
grep -q 'sasl_username=&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;</pre>' "$tmp/hostile.html" &&
    ok || bad "hostile: evidence line 1 not shown as text"
grep -q '&quot;dq&quot; &#39;sq&#39; &amp; &lt;img src=x onerror=alert(2)&gt;' "$tmp/hostile.html" &&
    ok || bad "hostile: quotes or & not escaped"
grep -q 'sasl_username=a\\x00b</pre>' "$tmp/hostile.html" && ok || bad "hostile: NUL not shown as \\x00"
grep -q '\\xff\\xfe bad \\xc0\\xaf' "$tmp/hostile.html" && ok || bad "hostile: invalid UTF-8 not shown as \\xHH"
grep -q 'evil&lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;' "$tmp/hostile.html" && ok ||
    bad "hostile: unmatched line not shown as text"
grep -q '\\x1b\[31mred' "$tmp/hostile.html" && ok || bad "hostile: ESC not shown as \\x1b"
self_contained "$tmp/hostile.html"

# 3. nothing to report: still a whole page, saying so
printf 'Nov 22 10:05:01 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]\n' >"$tmp/calm.log"
mw --output html "$tmp/calm.log" >"$tmp/calm.html"
[ $? -eq 0 ] && ok || bad "calm: exit status"
grep -q '<h1>maillog-why: no failures found</h1>' "$tmp/calm.html" && ok || bad "calm: no headline"
self_contained "$tmp/calm.html"

echo "static checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1

# 4. a real browser
chromium=
for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null 2>&1; then
        chromium=$c
        break
    fi
done
if [ -z "$chromium" ]; then
    echo "SKIP: chromium not installed"
    exit 77
fi
to=
command -v timeout >/dev/null 2>&1 && to="timeout 120"
browse() { # browse OUTPUT-OPTION PAGE STDERR-FILE
    profile=$(mktemp -d "$tmp/profile.XXXXXX")
    HOME=$tmp $to "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        --window-size=1200,2000 "$1" "file://$2" 2>"$3"
}
console_errors() { # console messages, uncaught errors, blocked loads
    grep -E 'Uncaught|:CONSOLE|Refused to|net::ERR_' "$1"
}

for page in incident hostile calm; do
    browse --dump-dom "$tmp/$page.html" "$tmp/$page.err" >"$tmp/$page.dom"
    [ $? -eq 0 ] && [ -s "$tmp/$page.dom" ] && ok || bad "$page: chromium --dump-dom failed"
    console_errors "$tmp/$page.err" >"$tmp/console" &&
        bad "$page: console errors: $(head -5 "$tmp/console")" || ok
    [ "$(count '<script' "$tmp/$page.dom")" -eq 0 ] && ok || bad "$page: a <script> element in the DOM"
    [ "$(count '<img' "$tmp/$page.dom")" -eq 0 ] && ok || bad "$page: an <img> element in the DOM"
done
while IFS= read -r t; do
    grep -q -F -- "$t" "$tmp/incident.dom" && ok || bad "DOM: title missing: $t"
done <"$tmp/titles"
[ "$(grep -o '<svg ' "$tmp/incident.dom" | wc -l)" -eq "$ncat" ] && ok ||
    bad "DOM: want $ncat <svg> charts"
grep -q 'alert(1)' "$tmp/hostile.dom" && ok || bad "DOM: hostile text lost"

# screenshots: the report is far from blank; a blank page is the yardstick
printf '<!DOCTYPE html><title>blank</title>\n' >"$tmp/blank.html"
browse --screenshot="$tmp/blank.png" "$tmp/blank.html" "$tmp/blank.err" >/dev/null
browse --screenshot="$tmp/incident.png" "$tmp/incident.html" "$tmp/shot.err" >/dev/null
blank=$(wc -c <"$tmp/blank.png" 2>/dev/null || echo 0)
shot=$(wc -c <"$tmp/incident.png" 2>/dev/null || echo 0)
[ "$blank" -gt 0 ] && ok || bad "screenshot of a blank page failed"
[ "$shot" -gt $((blank * 8)) ] && [ "$shot" -gt 50000 ] && ok ||
    bad "screenshot looks blank: $shot bytes (blank page: $blank)"
console_errors "$tmp/shot.err" >"$tmp/console" &&
    bad "screenshot: console errors: $(head -5 "$tmp/console")" || ok

echo "html-chromium: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
