#include "config.h"

#include "decomp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decomp_backends.h"
#include "diag.h"
#include "xalloc.h"

/* The longest magic number: xz, fd 37 7a 58 5a 00. */
#define SNIFF_LEN 6

/* Compressed formats, tried in order on the first bytes; plain text is
 * what matches none of them. */
static const struct mw_decomp_backend *const backends[] = {
    &decomp_gzip,
#ifdef HAVE_BZIP2
    &decomp_bz2,
#endif
#ifdef HAVE_XZ
    &decomp_xz,
#endif
#ifdef HAVE_ZSTD
    &decomp_zstd,
#endif
};

struct mw_decomp {
    const struct mw_decomp_backend *be;
    void *state;
};

ssize_t
decomp_fd_read(int fd, void *buf, size_t len)
{
    ssize_t n;
    do {
        n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* true while head[0..len) is a proper prefix of some magic number */
static bool
may_be_magic(const unsigned char *head, size_t len)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        const struct mw_decomp_backend *be = backends[i];
        if (len < be->magic_len && memcmp(head, be->magic, len) == 0)
            return true;
    }
    return false;
}

/* Read the first bytes, looping over short reads (pipes, terminals) only
 * while they may still start a magic number: plain text arriving slowly on a
 * pipe is not held back waiting for more. */
static ssize_t
sniff(int fd, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len && (got == 0 || may_be_magic(buf, got))) {
        ssize_t n = decomp_fd_read(fd, buf + got, len - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* ------------------------------------------------------------ input helper */

void
decomp_in_init(struct mw_decomp_in *in, int fd, const unsigned char *head,
               size_t head_len, const char *path)
{
    memset(in, 0, sizeof *in);
    in->fd = fd;
    in->path = path;
    in->buf = xmalloc(MW_DECOMP_INBUF);
    memcpy(in->buf, head, head_len);
    in->len = head_len;
}

void
decomp_in_free(struct mw_decomp_in *in)
{
    free(in->buf);
    in->buf = NULL;
}

uint64_t
decomp_in_offset(const struct mw_decomp_in *in)
{
    return in->consumed + in->pos;
}

void
decomp_in_fail(struct mw_decomp_in *in, uint64_t off, const char *fmt, ...)
{
    char text[sizeof in->err.text];
    va_list ap;
    if (in->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    err_set_offset(&in->err, in->path, off, "%s", text);
    in->failed = true;
}

size_t
decomp_in_fill(struct mw_decomp_in *in, size_t want)
{
    size_t have = in->len - in->pos;
    if (have >= want || in->eof)
        return have;
    /* keep the unread bytes, at the start of the buffer */
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, have);
        in->consumed += in->pos;
        in->pos = 0;
        in->len = have;
    }
    while (in->len < want && !in->eof) {
        ssize_t n = decomp_fd_read(in->fd, in->buf + in->len,
                                   MW_DECOMP_INBUF - in->len);
        if (n < 0) {
            int e = errno;
            uint64_t off = in->consumed + in->len;
            in->eof = true;
            if (!in->failed) {
                err_set_errno(&in->err, in->path, e, "read error");
                in->err.has_offset = true;
                in->err.offset = off;
                in->failed = true;
            }
        } else if (n == 0) {
            in->eof = true;
        } else {
            in->len += (size_t)n;
        }
    }
    return in->len - in->pos;
}

ssize_t
decomp_in_result(const struct mw_decomp_in *in, size_t produced,
                 struct mw_err *err)
{
    if (produced > 0)
        return (ssize_t)produced;
    if (in->failed) {
        *err = in->err;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ plain */

/* Plain text: the sniffed head, then read(2) straight into the caller's
 * buffer, so plain input is never copied here. */
struct plain {
    int fd;
    const char *path;
    unsigned char head[SNIFF_LEN];
    size_t head_len, head_pos;
    uint64_t offset; /* bytes returned so far */
};

static void *
plain_open(int fd, const unsigned char *head, size_t head_len, const char *path,
           struct mw_err *err)
{
    struct plain *p = xcalloc(1, sizeof *p);
    (void)err;
    p->fd = fd;
    p->path = path;
    if (head_len > sizeof p->head)
        head_len = sizeof p->head;
    memcpy(p->head, head, head_len);
    p->head_len = head_len;
    return p;
}

static ssize_t
plain_read(void *state, void *buf, size_t len, struct mw_err *err)
{
    struct plain *p = state;
    ssize_t n;
    if (len == 0)
        return 0;
    if (p->head_pos < p->head_len) {
        size_t k = p->head_len - p->head_pos;
        if (k > len)
            k = len;
        memcpy(buf, p->head + p->head_pos, k);
        p->head_pos += k;
        p->offset += k;
        return (ssize_t)k;
    }
    n = decomp_fd_read(p->fd, buf, len);
    if (n < 0) {
        err_set_errno(err, p->path, errno, "read error");
        err->has_offset = true;
        err->offset = p->offset;
        return -1;
    }
    p->offset += (uint64_t)n;
    return n;
}

static void
plain_close(void *state)
{
    free(state);
}

const struct mw_decomp_backend decomp_plain = {
    "plain", NULL, 0, plain_open, plain_read, plain_close,
};

/* ------------------------------------------------------------ public */

static const struct mw_decomp_backend *
decomp_pick(const unsigned char *head, size_t len)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        const struct mw_decomp_backend *be = backends[i];
        if (len >= be->magic_len && memcmp(head, be->magic, be->magic_len) == 0)
            return be;
    }
    return &decomp_plain;
}

struct mw_decomp *
decomp_open(int fd, const char *path, struct mw_err *err)
{
    unsigned char head[SNIFF_LEN];
    ssize_t n = sniff(fd, head, sizeof head);
    const struct mw_decomp_backend *be;
    struct mw_decomp *d;
    void *state;
    if (n < 0) {
        err_set_errno(err, path, errno, "read error");
        return NULL;
    }
    be = decomp_pick(head, (size_t)n);
    state = be->open(fd, head, (size_t)n, path, err);
    if (!state)
        return NULL;
    d = xmalloc(sizeof *d);
    d->be = be;
    d->state = state;
    return d;
}

ssize_t
decomp_read(struct mw_decomp *d, void *buf, size_t len, struct mw_err *err)
{
    return d->be->read(d->state, buf, len, err);
}

const char *
decomp_name(const struct mw_decomp *d)
{
    return d->be->name;
}

void
decomp_close(struct mw_decomp *d)
{
    if (!d)
        return;
    d->be->close(d->state);
    free(d);
}

const char *
decomp_formats(void)
{
    /* the same order as the table */
    return "gzip"
#ifdef HAVE_BZIP2
           ",bzip2"
#endif
#ifdef HAVE_XZ
           ",xz"
#endif
#ifdef HAVE_ZSTD
           ",zstd"
#endif
        ;
}
