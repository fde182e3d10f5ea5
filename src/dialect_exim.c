#include "config.h"

#include "dialect_backends.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Exim's own mainlog, rejectlog and paniclog (Exim spec, "Log files"):
 * "YYYY-MM-DD HH:MM:SS" local time, "+millisec" adds ".mmm", log_timezone
 * adds " +HHMM", "+pid" adds " [pid]"; then the text, message id included.
 * rejectlog entries continue with header lines that have no stamp: those
 * are records with parsed = false. */

static const char exim_name[] = "exim";
static const char axigen_name[] = "axigen";

static bool
is_hex2(const char *p)
{
    for (int k = 0; k < 2; k++)
        if (!((p[k] >= '0' && p[k] <= '9') || (p[k] >= 'A' && p[k] <= 'F')))
            return false;
    return true;
}

/* Axigen's log files share Exim's stamp: "YYYY-MM-DD HH:MM:SS +ZZZZ", then
 * "LL HOST SERVICE:SESSION: text" (LL the level in hex), as in
 * "08 mail.example.com IMAP:0000002A: connection accepted from [...]".
 * Such a line gets its host, program "axigen" and the message from
 * SERVICE on; false, and rec left alone, for anything else. */
static bool
axigen_line(const char *p, size_t n, struct mw_record *rec)
{
    if (n < 8 || !is_hex2(p) || p[2] != ' ')
        return false;
    const char *host = p + 3, *end = p + n;
    const char *sp = memchr(host, ' ', (size_t)(end - host));
    if (!sp || sp == host)
        return false;
    const char *svc = sp + 1, *q = svc;
    while (q < end &&
           ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '-'))
        q++;
    if (q == svc || q >= end || *q != ':' || !(*svc >= 'A' && *svc <= 'Z'))
        return false;
    const char *id = q + 1;
    for (q = id; q < end && *q != ':' && *q != ' '; q++)
        ;
    if (q == id || q + 1 >= end || *q != ':' || q[1] != ' ')
        return false;
    rec->host = host;
    rec->host_len = (size_t)(sp - host);
    rec->prog = rec->prog_base = axigen_name;
    rec->prog_len = rec->prog_base_len = sizeof axigen_name - 1;
    rec->msg = svc;
    rec->msg_len = (size_t)(end - svc);
    return true;
}

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
    rec->parsed = true;
    if (axigen_line(s + n, len - n, rec))
        return 0;
    rec->prog = rec->prog_base = exim_name;
    rec->prog_len = rec->prog_base_len = sizeof exim_name - 1;
    rec->msg = s + n;
    rec->msg_len = len - n;
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
