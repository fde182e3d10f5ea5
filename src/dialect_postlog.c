#include "config.h"

#include "dialect_backends.h"

/* Postfix's own log file (maillog_file, postlogd, Postfix >= 3.4). Its
 * lines are RFC 3164 syslog lines: postfix/src/util/msg_logger.c writes
 * strftime("%b %d %H:%M:%S ") + hostname + " " + "prog[pid]: " + text.
 * "%d" pads the day with a zero ("Nov 02") where syslog pads it with a
 * space ("Nov  2"); the syslog parser reads both, so this dialect is the
 * syslog backend under its own name, with its own sniffing. */

/* "Mmm 0d " (zero-padded day) at the start of l: 1; "Mmm  d ": -1; else 0 */
static int
day_padding(const struct mw_line *l)
{
    const char *s = l->data;
    if (l->len < 7 || s[3] != ' ' || s[6] != ' ' || s[5] < '0' || s[5] > '9')
        return 0;
    if (s[4] == '0')
        return 1;
    return s[4] == ' ' ? -1 : 0;
}

/* the syslog share plus one when some line has a zero-padded day and none
 * a space-padded one: beats plain syslog only on positive evidence */
static int
postlog_sniff(const struct mw_line *lines, size_t n)
{
    struct mw_timectx c;
    struct mw_record rec;
    size_t hits = 0, seen = 0, zero = 0;
    timectx_init(&c, 0);
    for (size_t k = 0; k < n; k++) {
        if (lines[k].len == 0)
            continue;
        seen++;
        if (syslog_parse_line(&c, &lines[k], &rec) != MW_SYSLOG_BSD)
            continue;
        int pad = day_padding(&lines[k]);
        if (pad < 0)
            return 0;
        hits++;
        zero += pad > 0;
    }
    if (seen == 0 || zero == 0)
        return 0;
    return (int)(hits * 100 / seen) + 1;
}

static void *
postlog_open(time_t ref)
{
    return mw_dialect_syslog.open(ref);
}

static int
postlog_parse(void *state, const struct mw_line *line, struct mw_record *rec)
{
    return mw_dialect_syslog.parse(state, line, rec);
}

static void
postlog_close(void *state)
{
    mw_dialect_syslog.close(state);
}

const struct mw_dialect mw_dialect_postlog = {
    "postlog", postlog_sniff, postlog_open, postlog_parse, postlog_close,
};
