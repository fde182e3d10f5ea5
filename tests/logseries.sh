# Log series for the --state and --follow tests (sourced by tests/state.sh
# and tests/follow.sh): numbered syslog lines and logrotate's renaming.

# gen FIRST COUNT: syslog lines numbered FIRST.., a second apart, half of
# them rule hits; every line is unique (its pid is its number)
gen() {
    awk -v first="$1" -v n="$2" 'BEGIN {
        for (i = first; i < first + n; i++) {
            t = 6 * 3600 + i
            ts = sprintf("Nov 22 %02d:%02d:%02d", int(t / 3600) % 24,
                         int(t / 60) % 60, t % 60)
            pre = sprintf("%s mx1 postfix/smtpd[%d]: ", ts, 10000 + i)
            k = i % 4
            if (k == 0)
                print pre "warning: unknown[203.0.113.7]: SASL LOGIN " \
                      "authentication failed: authentication failure"
            else if (k == 1)
                print pre "connect from unknown[198.51.100.9]"
            else if (k == 2)
                print pre "lost connection after AUTH from " \
                      "unknown[198.51.100.9]"
            else
                print pre "disconnect from unknown[198.51.100.9] ehlo=1 " \
                      "auth=0/1 commands=1/2"
        }
    }'
}

# shift_numbered: logrotate's renaming of the rotated files, in the current
# directory: mail.log.N[.gz] becomes mail.log.N+1[.gz], newest last
shift_numbered() {
    n=$(ls | sed -n 's/^mail\.log\.\([0-9][0-9]*\)\(\.gz\)\{0,1\}$/\1/p' |
        sort -n | tail -1)
    n=${n:-0}
    while [ "$n" -ge 1 ]; do
        for ext in "" .gz; do
            if [ -e "mail.log.$n$ext" ]; then
                mv "mail.log.$n$ext" "mail.log.$((n + 1))$ext"
            fi
        done
        n=$((n - 1))
    done
}
