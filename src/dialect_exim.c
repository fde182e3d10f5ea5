#include "config.h"

#include "dialect_backends.h"

#include <stdlib.h>

#include "xalloc.h"

/* Exim's own mainlog, rejectlog and paniclog (Exim spec, "Log files"):
 * "YYYY-MM-DD HH:MM:SS" local time, "+millisec" adds ".mmm", log_timezone
 * adds " +HHMM", "+pid" adds " [pid]"; then the text, message id included.
 * rejectlog entries continue with header lines that have no stamp: those
 * are records with parsed = false. */

static const char exim_name[] = "exim";

/* share of lines (0..100) that start with Exim's stamp and have no
 * "host prog[pid]:" after it (that would be syslog) */
static int
exim_sniff(const struct mw_line *lines, size_t n)
{
    struct mw_timectx c;
    struct mw_record rec;
    size_t hits = 0, seen = 0;
    timectx_init(&c, 0);
    for (size_t k = 0; k < n; k++) {
        if (lines[k].len == 0)
            continue;
        seen++;
        hits += syslog_parse_line(&c, &lines[k], &rec) == MW_SYSLOG_DATE_BARE;
    }
    return seen ? (int)(hits * 100 / seen) : 0;
}

static void *
exim_open(time_t ref)
{
    struct mw_timectx *c = xmalloc(sizeof *c);
    timectx_init(c, ref);
    return c;
}

static int
exim_parse(void *state, const struct mw_line *line, struct mw_record *rec)
{
    const char *s = line->data;
    size_t len = line->len;
    /* Exim through a syslog daemon that writes the date-time form
     * ("2019-10-22 03:39:17 mx1 exim[29786]: ..."): host and tag are read
     * as syslog reads them */
    if (syslog_parse_line(state, line, rec) == MW_SYSLOG_DATE_TAGGED)
        return 0;
    dialect_record_raw(line, rec);
    size_t n = syslog_exim_prefix(state, s, len, &rec->ts, &rec->pid);
    if (n == 0) {
        /* not an Exim line: a rejectlog continuation, or another daemon's
         * line in a mixed file; read it as the syslog chain would */
        syslog_parse_line(state, line, rec);
        return 0;
    }
    n += n < len; /* the one space before the text */
    rec->prog = rec->prog_base = exim_name;
    rec->prog_len = rec->prog_base_len = sizeof exim_name - 1;
    rec->msg = s + n;
    rec->msg_len = len - n;
    rec->parsed = true;
    return 0;
}

static void
exim_close(void *state)
{
    free(state);
}

const struct mw_dialect mw_dialect_exim = {
    "exim", exim_sniff, exim_open, exim_parse, exim_close,
};
