#!/bin/sh
# bench/run.sh BIN SRCDIR - throughput and memory of maillog-why against
# grep and gzip on a generated day of Postfix logs (run by "make bench").
#
# Environment:
#   MW_BENCH_SIZE    size of the generated mail.log (default 300M)
#   MW_BENCH_DIR     work directory, kept afterwards (default: a temporary
#                    directory, removed at the end)
#   MW_BENCH_FORMAT  syslog time stamps: bsd (default) or rfc3339
#   MW_BENCH_RUNS    runs per case, the best time counts (default 3)
#   CC               compiler for the generator and the timing helper
#
# Exit status: 0 when every command ran (missed targets are reported, not
# fatal), 1 when a command failed, 2 on bad usage.
set -eu

me=bench/run.sh
if [ $# -ne 2 ]; then
    echo "usage: $me BIN SRCDIR" >&2
    exit 2
fi
bin=$1
srcdir=$2
size=${MW_BENCH_SIZE:-300M}
format=${MW_BENCH_FORMAT:-bsd}
runs=${MW_BENCH_RUNS:-3}
cc=${CC:-cc}

if [ ! -x "$bin" ]; then
    echo "$me: $bin: not an executable" >&2
    exit 2
fi
if [ ! -f "$srcdir/bench/gen-maillog.c" ]; then
    echo "$me: $srcdir: no bench/gen-maillog.c there" >&2
    exit 2
fi
case $runs in
'' | *[!0-9]*) echo "$me: MW_BENCH_RUNS must be a number" >&2; exit 2 ;;
esac

if [ -n "${MW_BENCH_DIR:-}" ]; then
    dir=$MW_BENCH_DIR
    mkdir -p "$dir"
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/mw-bench.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
    trap 'exit 130' INT TERM
fi

# Rules from the source tree, so that "make bench" measures the rules being
# built; without a rules directory the binary finds its installed ones.
rules=
if [ -n "$(ls -A "$srcdir/rules" 2>/dev/null)" ]; then
    rules=$srcdir/rules
fi

fail() {
    echo "$me: $*" >&2
    exit 1
}

# ------------------------------------------------------------ tools

# Wall time and peak RSS of one command, without /usr/bin/time:
#   mw-rusage STATSFILE OUTFILE CMD [ARG...]
# runs CMD with stdout to OUTFILE and writes "seconds maxrss_kib status".
cat >"$dir/mw-rusage.c" <<'EOF'
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    struct timespec a, b;
    struct rusage ru;
    int st, fd;
    FILE *f;
    pid_t pid;
    if (argc < 4)
        return 2;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if ((pid = fork()) == 0) {
        if ((fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
            dup2(fd, 1) < 0)
            _exit(126);
        close(fd);
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
        return 2;
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (!(f = fopen(argv[1], "w")))
        return 2;
    fprintf(f, "%.3f %ld %d\n",
            (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
            (long)ru.ru_maxrss,
            WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return fclose(f) != 0 ? 2 : 0;
}
EOF
"$cc" -O2 -o "$dir/mw-rusage" "$dir/mw-rusage.c" ||
    fail "cannot compile the timing helper with $cc"
"$cc" -O2 -o "$dir/gen-maillog" "$srcdir/bench/gen-maillog.c" ||
    fail "cannot compile bench/gen-maillog.c with $cc"

# ------------------------------------------------------------ input

log=$dir/mail.log
echo "generating $size of syslog ($format) in $dir ..."
"$dir/mw-rusage" "$dir/gen.stats" "$log" "$dir/gen-maillog" --seed 1 \
    --size "$size" --format "$format" --incidents ||
    fail "cannot run the generator"
read -r gen_s _ gen_rc <"$dir/gen.stats"
[ "$gen_rc" -eq 0 ] || fail "gen-maillog failed (status $gen_rc)"
gzip -6 -c "$log" >"$log.gz" || fail "gzip failed"
cat "$log" "$log.gz" >/dev/null # warm the page cache
bytes=$(wc -c <"$log" | tr -d ' ')
gzbytes=$(wc -c <"$log.gz" | tr -d ' ')
lines=$(wc -l <"$log" | tr -d ' ')

# the failure phrases an administrator would grep for
phrases='authentication failed|lost connection|timeout after|Relay access denied|blocked using|Connection refused|Connection timed out|SSL_accept error|too many errors|status=bounced|status=deferred|Host or domain name not found|PREGREET|DNSBL rank|auth failed'

# ------------------------------------------------------------ timing

# measure NAME OKCODES CMD...: best wall time and largest peak RSS of $runs
# runs; the last run's stdout is kept in $dir/NAME.out, stderr in .err
measure() {
    name=$1
    okcodes=$2
    shift 2
    best=
    rss=0
    i=0
    while [ "$i" -lt "$runs" ]; do
        i=$((i + 1))
        if ! "$dir/mw-rusage" "$dir/$name.stats" "$dir/$name.out" "$@" \
            2>"$dir/$name.err"; then
            fail "cannot run: $*"
        fi
        read -r s kib rc <"$dir/$name.stats"
        case " $okcodes " in
        *" $rc "*) ;;
        *)
            sed 's/^/    /' "$dir/$name.err" >&2
            fail "failed with status $rc: $*"
            ;;
        esac
        best=$(awk -v a="${best:-$s}" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
        if [ "$kib" -gt "$rss" ]; then
            rss=$kib
        fi
    done
    eval "t_$name=\$best; rss_$name=\$rss"
}

# measure_bin NAME ARG...: maillog-why, which exits 1 when it reports
# findings at or above --fail-level
measure_bin() {
    name=$1
    shift
    if [ -n "$rules" ]; then
        measure "$name" "0 1" "$bin" --rules "$rules" "$@"
    else
        measure "$name" "0 1" "$bin" "$@"
    fi
}

echo "timing, best of $runs runs each ..."
measure grep "0 1" env LC_ALL=C grep -cE "$phrases" "$log"
measure gunzip "0" gzip -dc "$log.gz"
measure_bin json --output json "$log"
measure_bin jsongz --output json "$log.gz"
measure_bin ndjson --output ndjson "$log"
rm -f "$dir/ndjson.out" # large, not needed
# a cron run with --state reading the whole file: no state before each run
set -- "$bin"
[ -n "$rules" ] && set -- "$@" --rules "$rules"
measure state "0 1" sh -c 'rm -f "$1" && shift && exec "$@"' sh \
    "$dir/mw.state" "$@" --output json --state "$dir/mw.state" "$log"

grep_hits=$(cat "$dir/grep.out")
matched=$(grep -o '"matched": *[0-9]*' "$dir/json.out" | head -n 1 |
    tr -dc '0-9')

# ------------------------------------------------------------ report

# shellcheck disable=SC2154 # t_* and rss_* are set by measure() via eval
awk -v bytes="$bytes" -v gzbytes="$gzbytes" -v lines="$lines" \
    -v gen_s="$gen_s" -v bin="$bin" -v runs="$runs" -v format="$format" \
    -v rules="${rules:+--rules $rules}" \
    -v grep_hits="$grep_hits" -v matched="${matched:-?}" \
    -v tg="$t_grep" -v rg="$rss_grep" -v tz="$t_gunzip" -v rz="$rss_gunzip" \
    -v tj="$t_json" -v rj="$rss_json" -v tjz="$t_jsongz" -v rjz="$rss_jsongz" \
    -v tn="$t_ndjson" -v rn="$rss_ndjson" -v ts="$t_state" -v rs="$rss_state" '
function row(name, t, kib) {
    printf "%-34s %8.3f %9.1f %12.1f\n", name, t, \
        (t > 0 ? bytes / 1e6 / t : 0), kib / 1024
}
function verdict(ok) { return ok ? "met" : "MISSED" }
BEGIN {
    mib = 1048576
    printf "maillog-why benchmark\n"
    printf "  input    mail.log, %.1f MiB, %d lines, %s stamps " \
        "(generated in %.2f s); mail.log.gz (gzip -6) %.1f MiB\n", \
        bytes / mib, lines, format, gen_s, gzbytes / mib
    printf "  binary   %s %s\n", bin, rules
    printf "  method   page cache warm, best wall time of %d runs, " \
        "peak RSS of the largest run\n", runs
    printf "  lines    grep matched %s, maillog-why matched %s\n\n", \
        grep_hits, matched
    printf "%-34s %8s %9s %12s\n", "case", "seconds", "MB/s", "peak RSS MiB"
    row("grep -cE (15 failure phrases)", tg, rg)
    row("gzip -dc mail.log.gz", tz, rz)
    row("maillog-why --output json", tj, rj)
    row("maillog-why --output json (.gz)", tjz, rjz)
    row("maillog-why --output ndjson", tn, rn)
    row("maillog-why --output json --state", ts, rs)
    r1 = (tg > 0 ? tj / tg : 0)
    r2 = (tz > 0 ? tjz / tz : 0)
    rmax = rj; if (rjz > rmax) rmax = rjz; if (rn > rmax) rmax = rn
    if (rs > rmax) rmax = rs
    r3 = (tg > 0 ? ts / tg : 0)
    printf "\n%-34s %8.2f   target <= 1.0   %s\n", "analysis / grep", r1, \
        verdict(r1 <= 1.0)
    printf "%-34s %8.2f   target <= 0.8   %s\n", "analysis.gz / gzip -dc", \
        r2, verdict(r2 <= 0.8)
    printf "%-34s %8.2f   (no target)\n", "analysis --state / grep", r3
    printf "%-34s %8.1f   target < 64 MiB %s\n", "peak RSS of maillog-why, MiB", \
        rmax / 1024, verdict(rmax / 1024 < 64)
    printf "(MB/s: 10^6 bytes of uncompressed mail.log per second)\n"
}'
