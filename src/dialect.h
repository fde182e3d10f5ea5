/* Log dialects: split a line into timestamp, host, program, pid, message.
 * A backend is a row in the table in dialect.c. */
#ifndef MW_DIALECT_H
#define MW_DIALECT_H

#include "linereader.h"
#include "timeparse.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed record. All views point into the line (or into per-reader
 * storage) and are valid until the next parse call on the same reader. */
struct mw_record {
    const struct mw_line *line;
    struct mw_time ts; /* ts.valid false when no stamp */
    const char *host;  /* NULL when absent */
    size_t host_len;
    const char *prog; /* full tag: "postfix/submission/smtpd" */
    size_t prog_len;
    const char *prog_base; /* after the last '/': "smtpd" */
    size_t prog_base_len;
    long pid;        /* -1 when absent */
    const char *msg; /* text the rules run on */
    size_t msg_len;
    bool parsed; /* false: no known header; msg = whole line */
};

struct mw_dialect_reader;

struct mw_dialect {
    const char *name; /* "syslog", "journal-json", "exim", ... */
    /* score how well the first lines fit (0 = not at all, higher better) */
    int (*sniff)(const struct mw_line *lines, size_t n);
    void *(*open)(time_t ref); /* per-file parser state */
    /* fill rec; return 0 (rec->parsed tells whether a header was found).
     * Must accept any bytes. May return 1 to say "line consumed, no record"
     * (e.g. a header or continuation line). */
    int (*parse)(void *state, const struct mw_line *line,
                 struct mw_record *rec);
    void (*close)(void *state);
};

/* the dialect with that name, or NULL */
const struct mw_dialect *dialect_find(const char *name);
/* the best dialect for these first lines; *why gets a static explanation */
const struct mw_dialect *dialect_sniff(const struct mw_line *lines, size_t n,
                                       const char **why);
/* "auto|syslog|..." for --help and errors */
const char *dialect_names(void);

#endif
