#include "config.h"

#include "dialect.h"

#include <string.h>

#include "dialect_backends.h"

/* Sniffing looks at no more than this many non-empty lines */
#define SNIFF_LINES_MAX 64

struct dialect_row {
    const struct mw_dialect *d;
    const char *why; /* reason when sniffing picks it */
    /* or a reason that depends on the lines */
    const char *(*explain)(const struct mw_line *lines, size_t n);
};

/* One row per backend; on equal sniff scores the earlier row wins. syslog
 * stays first: it is also the answer when no dialect scores at all.
 * postlog scores above syslog only when days are zero-padded.
 * app scores one above its share of lines when a line names a mail
 * client, so that msmtp's logfile (RFC 3164-like stamps) goes there. */
static const struct dialect_row dialect_table[] = {
    {&mw_dialect_syslog, NULL, syslog_sniff_why},
    {&mw_dialect_exim, "Exim mainlog timestamps", NULL},
    {&mw_dialect_journal, "journalctl -o json entries", NULL},
    {&mw_dialect_postlog, "Postfix maillog_file (zero-padded days)", NULL},
    {&mw_dialect_exchange, NULL, exchange_sniff_why},
    {&mw_dialect_app, "mail-client or application log lines", NULL},
};

#define DIALECT_COUNT (sizeof dialect_table / sizeof dialect_table[0])

const struct mw_dialect *
dialect_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < DIALECT_COUNT; i++)
        if (strcmp(dialect_table[i].d->name, name) == 0)
            return dialect_table[i].d;
    return NULL;
}

const char *
dialect_names(void)
{
    /* keep in the order of dialect_table (a unit test checks it) */
    return "auto|syslog|exim|journal-json|postlog|exchange|app";
}

static bool
line_is_blank(const struct mw_line *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (l->data[i] != ' ' && l->data[i] != '\t' && l->data[i] != '\r')
            return false;
    return true;
}

const struct mw_dialect *
dialect_sniff(const struct mw_line *lines, size_t n, const char **why)
{
    struct mw_line keep[SNIFF_LINES_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n && k < SNIFF_LINES_MAX; i++)
        if (!line_is_blank(&lines[i]))
            keep[k++] = lines[i];
    const struct dialect_row *best = &dialect_table[0];
    int best_score = 0;
    for (size_t i = 0; i < DIALECT_COUNT; i++) {
        int score = dialect_table[i].d->sniff(keep, k);
        if (score > best_score) {
            best = &dialect_table[i];
            best_score = score;
        }
    }
    if (why) {
        if (best_score == 0)
            *why = "no known header; syslog is the default";
        else if (best->explain)
            *why = best->explain(keep, k);
        else
            *why = best->why;
    }
    return best->d;
}
