#include "config.h"

#include "tail.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#define TAIL_READ (128u * 1024u)

/* buf[start..end) are bytes read and not yet returned; buf[end] is file
 * offset pos. While a cut line is pending (cutting), buf[start..start +
 * max_len) is its head, the bytes read after it are only searched for its
 * '\n' and dropped, and line_off is the line's offset. */
struct mw_tail {
    int fd;
    const char *path;
    char *buf;
    size_t cap, cap_max;
    size_t start, end;
    uint64_t pos;    /* file offset of buf[end] */
    uint64_t done;   /* offset after the last line returned */
    uint64_t lineno; /* number of the last line returned */
    uint64_t cuts;
    uint64_t line_off; /* cutting: offset of the pending line */
    size_t max_len;
    bool cutting;
};

struct mw_tail *
tail_new(int fd, const char *path, uint64_t offset, uint64_t lineno,
         size_t max_len)
{
    struct mw_tail *t = xcalloc(1, sizeof *t);
    t->fd = fd;
    t->path = path;
    t->max_len = max_len ? max_len : MW_LINE_MAX_DEFAULT;
    if (t->max_len > SIZE_MAX / 2 - TAIL_READ)
        t->max_len = SIZE_MAX / 2 - TAIL_READ;
    t->cap_max = t->max_len + 1 + TAIL_READ;
    t->cap = TAIL_READ + (t->max_len < MW_LINE_MAX_DEFAULT
                              ? t->max_len + 1
                              : MW_LINE_MAX_DEFAULT + 1);
    t->buf = xmalloc(t->cap);
    t->pos = t->done = offset;
    t->lineno = lineno;
    return t;
}

void
tail_free(struct mw_tail *t)
{
    if (!t)
        return;
    free(t->buf);
    free(t);
}

uint64_t
tail_offset(const struct mw_tail *t)
{
    return t->done;
}

uint64_t
tail_lineno(const struct mw_tail *t)
{
    return t->lineno;
}

uint64_t
tail_cut_count(const struct mw_tail *t)
{
    return t->cuts;
}

/* file offset of buf[i] */
static uint64_t
off_of(const struct mw_tail *t, size_t i)
{
    return t->pos - (uint64_t)(t->end - i);
}

/* hand out the line of len bytes at buf[i] (offset off), which ends at
 * file offset next */
static int
emit(struct mw_tail *t, struct mw_line *out, size_t i, size_t len, uint64_t off,
     uint64_t next)
{
    out->data = t->buf + i;
    out->offset = off;
    out->lineno = ++t->lineno;
    out->cut = len > t->max_len;
    if (out->cut) {
        len = t->max_len;
        t->cuts++;
    }
    out->len = len;
    t->done = next;
    return 1;
}

/* Read more at pos: move the unread bytes to the front first, grow the
 * buffer when a long line needs it. Returns bytes read, 0 at the end of the
 * file, -1 on error. */
static ssize_t
fill(struct mw_tail *t, struct mw_err *err)
{
    if (t->start > 0) {
        memmove(t->buf, t->buf + t->start, t->end - t->start);
        t->end -= t->start;
        t->start = 0;
    }
    if (t->cap - t->end < TAIL_READ && t->cap < t->cap_max) {
        size_t cap = t->cap <= t->cap_max / 2 ? t->cap * 2 : t->cap_max;
        if (cap < t->end + TAIL_READ)
            cap = t->end + TAIL_READ;
        if (cap > t->cap_max)
            cap = t->cap_max;
        t->buf = xrealloc(t->buf, cap);
        t->cap = cap;
    }
    ssize_t n;
    do {
        n = pread(t->fd, t->buf + t->end, t->cap - t->end, (off_t)t->pos);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        err_set_errno(err, t->path, errno, "read error");
        err->has_offset = true;
        err->offset = t->pos;
        return -1;
    }
    t->end += (size_t)n;
    t->pos += (uint64_t)n;
    return n;
}

/* While cutting: look for the end of the pending line after its head; drop
 * what lies before. 1 = line returned. */
static int
cut_scan(struct mw_tail *t, struct mw_line *out)
{
    size_t head = t->start + t->max_len;
    char *nl = memchr(t->buf + head, '\n', t->end - head);
    if (!nl) {
        t->end = head; /* pos stays: those bytes are gone for good */
        return 0;
    }
    size_t after = (size_t)(nl - t->buf) + 1;
    uint64_t next = off_of(t, after);
    size_t at = t->start;
    t->start = after;
    t->cutting = false;
    return emit(t, out, at, t->max_len + 1, t->line_off, next);
}

/* No '\n' in buf[start..end): start cutting a line that is surely too
 * long (max_len + 1 bytes may still end in "\r" before its '\n') */
static void
maybe_cut(struct mw_tail *t)
{
    if (t->end - t->start > t->max_len + 1) {
        t->cutting = true;
        t->line_off = off_of(t, t->start);
        t->end = t->start + t->max_len;
    }
}

int
tail_next(struct mw_tail *t, struct mw_line *out, bool final,
          struct mw_err *err)
{
    for (;;) {
        if (t->cutting) {
            if (cut_scan(t, out))
                return 1;
        } else if (t->end > t->start) {
            char *p = t->buf + t->start;
            size_t avail = t->end - t->start;
            char *nl = memchr(p, '\n', avail);
            if (nl) {
                size_t len = (size_t)(nl - p);
                size_t at = t->start;
                t->start += len + 1;
                if (len > 0 && p[len - 1] == '\r')
                    len--;
                return emit(t, out, at, len, off_of(t, at),
                            off_of(t, t->start));
            }
            maybe_cut(t);
            if (t->cutting)
                continue;
        }
        ssize_t n = fill(t, err);
        if (n < 0)
            return -1;
        if (n > 0)
            continue;
        /* the end of the file for now */
        if (!final || (!t->cutting && t->end == t->start))
            return 0;
        size_t at = t->start;
        uint64_t off = t->cutting ? t->line_off : off_of(t, at);
        size_t len = t->cutting ? t->max_len + 1 : t->end - t->start;
        t->start = t->end;
        t->cutting = false;
        return emit(t, out, at, len, off, t->pos);
    }
}
