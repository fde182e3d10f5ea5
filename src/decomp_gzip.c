/* gzip through zlib, including multi-member files (RFC 1952 2.2: "A gzip
 * file consists of a series of members"), as written by `cat a.gz b.gz`
 * or by logrotate appending to a compressed file. */
#include "config.h"

#include "decomp_backends.h"

#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

#include "decomp.h"
#include "diag.h"
#include "xalloc.h"

struct gz {
    struct mw_decomp_in in; /* first: see decomp_backends.h */
    z_stream zs;
    bool in_member; /* inside a member: its end has not been seen yet */
};
_Static_assert(offsetof(struct gz, in) == 0, "input first");

static void *
gz_open(int fd, const unsigned char *head, size_t head_len, const char *path,
        struct mw_err *err)
{
    struct gz *g = xcalloc(1, sizeof *g);
    /* 15 + 16: the largest window, gzip wrapper only (zlib.h) */
    int rc = inflateInit2(&g->zs, 15 + 16);
    if (rc != Z_OK) {
        err_set(err, path, "cannot start gzip decoder: %s",
                g->zs.msg ? g->zs.msg : zError(rc));
        free(g);
        return NULL;
    }
    decomp_in_init(&g->in, fd, head, head_len, path);
    g->in_member = true;
    return g;
}

/* Between members: more input must be another gzip header (1f 8b).
 * Returns false at the end of the file or on trailing garbage. */
static bool
gz_next_member(struct gz *g)
{
    struct mw_decomp_in *in = &g->in;
    size_t have = decomp_in_fill(in, 2);
    if (have == 0)
        return false;
    if (have < 2 || in->buf[in->pos] != 0x1f || in->buf[in->pos + 1] != 0x8b) {
        decomp_in_fail(in, decomp_in_offset(in),
                       "trailing garbage after gzip member");
        return false;
    }
    inflateReset(&g->zs);
    g->in_member = true;
    return true;
}

/* Inflate into buf until it is full, the input ends or a problem is found
 * (recorded in g->in). Returns the number of bytes produced. */
static size_t
gz_inflate(struct gz *g, unsigned char *buf, size_t len)
{
    struct mw_decomp_in *in = &g->in;
    z_stream *zs = &g->zs;
    /* zlib counts in uInt */
    zs->next_out = buf;
    zs->avail_out = len > UINT_MAX ? UINT_MAX : (uInt)len;
    uInt out_len = zs->avail_out;
    while (zs->avail_out > 0 && !in->failed) {
        if (!g->in_member && !gz_next_member(g))
            break;
        decomp_in_fill(in, 1);
        zs->next_in = in->buf + in->pos;
        zs->avail_in = (uInt)(in->len - in->pos);
        int rc = inflate(zs, Z_NO_FLUSH);
        in->pos = in->len - zs->avail_in;
        if (rc == Z_STREAM_END) {
            g->in_member = false;
        } else if (rc == Z_BUF_ERROR && zs->avail_in == 0 && in->eof) {
            /* no progress possible: the member stops short */
            decomp_in_fail(in, decomp_in_offset(in),
                           "unexpected end of gzip data");
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            decomp_in_fail(in, decomp_in_offset(in), "corrupt gzip data: %s",
                           zs->msg ? zs->msg : zError(rc));
        }
    }
    return out_len - zs->avail_out;
}

static ssize_t
gz_read(void *state, void *buf, size_t len, struct mw_err *err)
{
    struct gz *g = state;
    size_t n = 0;
    if (!g->in.failed)
        n = gz_inflate(g, buf, len);
    return decomp_in_result(&g->in, n, err);
}

static void
gz_close(void *state)
{
    struct gz *g = state;
    inflateEnd(&g->zs);
    decomp_in_free(&g->in);
    free(g);
}

static const unsigned char gz_magic[] = {0x1f, 0x8b, 0x08};

/* 1f 8b = gzip, 08 = deflate, the only method defined (RFC 1952 2.3.1) */
const struct mw_decomp_backend decomp_gzip = {
    "gzip", gz_magic, sizeof gz_magic, gz_open, gz_read, gz_close,
};
