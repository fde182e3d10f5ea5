#include "config.h"

#include "linereader.h"

#include <stdlib.h>
#include <string.h>

#include "decomp.h"
#include "diag.h"
#include "xalloc.h"

/* One buffer holds the data read and, at its start, the partial line carried
 * over from the previous read. A partial line is at most max_len + 1 bytes
 * (a longer one is cut at once), so a buffer of MW_READ_BUFSIZE + max_len + 1
 * bytes always leaves MW_READ_BUFSIZE free after the carry-over. It starts
 * smaller and grows only when long lines need it. */
struct mw_linereader {
    struct mw_decomp *d;
    char *buf;
    size_t cap, cap_max;
    size_t start, end; /* unconsumed bytes are buf[start..end) */
    uint64_t base;     /* uncompressed offset of buf[0] */
    uint64_t lineno;
    uint64_t cuts;
    size_t max_len;
    bool skipping; /* discarding the rest of a cut line */
    bool eof;      /* no more reads: end of stream or error */
    bool failed;   /* err holds a read error not yet reported */
    bool done;     /* everything, error included, was returned */
    struct mw_err err;
};

struct mw_linereader *
linereader_new(struct mw_decomp *d, size_t max_len)
{
    struct mw_linereader *lr = xcalloc(1, sizeof *lr);
    lr->d = d;
    lr->max_len = max_len ? max_len : MW_LINE_MAX_DEFAULT;
    if (lr->max_len > SIZE_MAX - MW_READ_BUFSIZE - 1)
        lr->max_len = SIZE_MAX - MW_READ_BUFSIZE - 1;
    lr->cap_max = MW_READ_BUFSIZE + lr->max_len + 1;
    lr->cap = MW_READ_BUFSIZE + (lr->max_len < MW_LINE_MAX_DEFAULT
                                     ? lr->max_len + 1
                                     : MW_LINE_MAX_DEFAULT + 1);
    lr->buf = xmalloc(lr->cap);
    return lr;
}

void
linereader_free(struct mw_linereader *lr)
{
    if (!lr)
        return;
    free(lr->buf);
    free(lr);
}

uint64_t
linereader_cut_count(const struct mw_linereader *lr)
{
    return lr->cuts;
}

uint64_t
linereader_bytes(const struct mw_linereader *lr)
{
    return lr->base + lr->start;
}

/* Fill *out with the line of len bytes at p; cut it to max_len. */
static void
line_set(struct mw_linereader *lr, struct mw_line *out, const char *p,
         size_t len)
{
    out->data = p;
    out->offset = lr->base + (uint64_t)(p - lr->buf);
    out->lineno = ++lr->lineno;
    out->cut = len > lr->max_len;
    if (out->cut) {
        len = lr->max_len;
        lr->cuts++;
    }
    out->len = len;
}

/* Move the partial line to the start of the buffer, grow the buffer if a
 * long line needs it, and read more. Sets eof at the end of the stream or on
 * a read error (kept in lr->err). */
static void
refill(struct mw_linereader *lr)
{
    size_t keep = lr->end - lr->start;
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, keep);
        lr->base += lr->start;
        lr->start = 0;
        lr->end = keep;
    }
    if (lr->cap - lr->end < MW_READ_BUFSIZE && lr->cap < lr->cap_max) {
        size_t cap = lr->cap <= lr->cap_max / 2 ? lr->cap * 2 : lr->cap_max;
        if (cap < lr->end + MW_READ_BUFSIZE)
            cap = lr->end + MW_READ_BUFSIZE;
        if (cap > lr->cap_max)
            cap = lr->cap_max;
        lr->buf = xrealloc(lr->buf, cap);
        lr->cap = cap;
    }
    ssize_t n =
        decomp_read(lr->d, lr->buf + lr->end, lr->cap - lr->end, &lr->err);
    if (n > 0) {
        lr->end += (size_t)n;
    } else {
        lr->eof = true;
        lr->failed = n < 0;
    }
}

/* No '\n' in the buffered bytes. Returns 1 with a line (a cut line, or the
 * last line of the stream), 0 when more must be read, -1 at the end. */
static int
no_newline(struct mw_linereader *lr, struct mw_line *out)
{
    char *p = lr->buf + lr->start;
    size_t avail = lr->end - lr->start;
    if (lr->skipping) {
        lr->start = lr->end;
        avail = 0;
    }
    /* max_len + 1 bytes may still end in "\r" before a '\n' to come, so
     * only a longer run is surely too long */
    if (avail > lr->max_len + 1) {
        line_set(lr, out, p, avail);
        lr->start = lr->end;
        lr->skipping = true;
        return 1;
    }
    if (!lr->eof)
        return 0;
    if (avail > 0) {
        line_set(lr, out, p, avail);
        lr->start = lr->end;
        return 1;
    }
    return -1;
}

int
linereader_next(struct mw_linereader *lr, struct mw_line *out,
                struct mw_err *err)
{
    for (;;) {
        char *p = lr->buf + lr->start;
        size_t avail = lr->end - lr->start;
        char *nl = avail ? memchr(p, '\n', avail) : NULL;
        if (nl) {
            size_t len = (size_t)(nl - p);
            lr->start += len + 1;
            if (lr->skipping) {
                lr->skipping = false;
                continue;
            }
            if (len > 0 && p[len - 1] == '\r')
                len--;
            line_set(lr, out, p, len);
            return 1;
        }
        if (lr->done)
            return 0;
        int rc = no_newline(lr, out);
        if (rc > 0)
            return 1;
        if (rc < 0) {
            lr->done = true;
            if (!lr->failed)
                return 0;
            *err = lr->err;
            return -1;
        }
        refill(lr);
    }
}
