/* Error records filled by library code and printed only by main.c.
 *
 * Message forms (SPEC/STYLE):  "PATH:LINE:COL: reason", "PATH: byte N: reason"
 * or "PATH: reason"; lower case, no final period. */
#ifndef MW_DIAG_H
#define MW_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define MW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MW_PRINTF(a, b)
#endif

struct mw_err {
    int errnum;           /* errno value, 0 when none */
    bool has_pos;         /* line/column are set */
    bool has_offset;      /* offset is set */
    unsigned long line;   /* 1-based */
    unsigned long column; /* 1-based */
    uint64_t offset;      /* byte offset in the file */
    char path[1024];      /* may be empty */
    char text[512];       /* the reason */
};

/* program name for messages; set once by main */
extern const char *mw_progname;

void err_clear(struct mw_err *e);
/* set path and reason (printf-style); clears position and offset */
void err_set(struct mw_err *e, const char *path, const char *fmt, ...)
    MW_PRINTF(3, 4);
/* like err_set, then records a line and column */
void err_set_pos(struct mw_err *e, const char *path, unsigned long line,
                 unsigned long column, const char *fmt, ...) MW_PRINTF(5, 6);
/* like err_set, then records a byte offset */
void err_set_offset(struct mw_err *e, const char *path, uint64_t offset,
                    const char *fmt, ...) MW_PRINTF(4, 5);
/* like err_set, appending ": strerror(errnum)" and recording errnum */
void err_set_errno(struct mw_err *e, const char *path, int errnum,
                   const char *fmt, ...) MW_PRINTF(4, 5);
/* format as one line without program name or newline; control characters
 * in path and text are escaped; returns out */
char *err_format(const struct mw_err *e, char *out, size_t size);
/* print "maillog-why: <formatted>\n" to stderr */
void err_print(const struct mw_err *e);
/* print "maillog-why: <message>\n" to stderr */
void diag_warn(const char *fmt, ...) MW_PRINTF(1, 2);

#endif
