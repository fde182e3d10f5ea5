/* bzip2 through libbz2, including several streams in one file (as written
 * by `cat a.bz2 b.bz2` or pbzip2, and read by bzip2(1)). */
#include "config.h"

#include "decomp_backends.h"

#include <bzlib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "decomp.h"
#include "diag.h"
#include "xalloc.h"

struct bz {
    struct mw_decomp_in in; /* first: see decomp_backends.h */
    bz_stream bs;
    bool in_stream; /* inside a stream: its end has not been seen yet */
};
_Static_assert(offsetof(struct bz, in) == 0, "input first");

static const char *
bz_message(int rc)
{
    switch (rc) {
    case BZ_DATA_ERROR:
        return "data integrity error";
    case BZ_DATA_ERROR_MAGIC:
        return "bad stream header";
    case BZ_MEM_ERROR:
        return "cannot allocate memory";
    default:
        return "internal decoder error";
    }
}

static void *
bz_open(int fd, const unsigned char *head, size_t head_len, const char *path,
        struct mw_err *err)
{
    struct bz *b = xcalloc(1, sizeof *b);
    int rc = BZ2_bzDecompressInit(&b->bs, 0, 0);
    if (rc != BZ_OK) {
        err_set(err, path, "cannot start bzip2 decoder: %s", bz_message(rc));
        free(b);
        return NULL;
    }
    decomp_in_init(&b->in, fd, head, head_len, path);
    b->in_stream = true;
    return b;
}

/* Between streams: more input must be another "BZh" header. Returns false
 * at the end of the file or on trailing garbage. */
static bool
bz_next_stream(struct bz *b)
{
    struct mw_decomp_in *in = &b->in;
    size_t have = decomp_in_fill(in, 3);
    if (have == 0)
        return false;
    if (have < 3 || memcmp(in->buf + in->pos, "BZh", 3) != 0) {
        decomp_in_fail(in, decomp_in_offset(in),
                       "trailing garbage after bzip2 stream");
        return false;
    }
    /* a fresh decoder, writing where the previous one stopped */
    char *next_out = b->bs.next_out;
    unsigned avail_out = b->bs.avail_out;
    BZ2_bzDecompressEnd(&b->bs);
    memset(&b->bs, 0, sizeof b->bs);
    b->bs.next_out = next_out;
    b->bs.avail_out = avail_out;
    if (BZ2_bzDecompressInit(&b->bs, 0, 0) != BZ_OK) {
        decomp_in_fail(in, decomp_in_offset(in),
                       "cannot restart bzip2 decoder");
        return false;
    }
    b->in_stream = true;
    return true;
}

/* Decode into buf until it is full, the input ends or a problem is found
 * (recorded in b->in). Returns the number of bytes produced. */
static size_t
bz_decode(struct bz *b, char *buf, size_t len)
{
    struct mw_decomp_in *in = &b->in;
    bz_stream *bs = &b->bs;
    bs->next_out = buf;
    bs->avail_out = len > UINT_MAX ? UINT_MAX : (unsigned)len;
    unsigned out_len = bs->avail_out;
    while (bs->avail_out > 0 && !in->failed) {
        if (!b->in_stream && !bz_next_stream(b))
            break;
        size_t have = decomp_in_fill(in, 1);
        if (in->failed)
            break;
        unsigned before = bs->avail_out;
        bs->next_in = (char *)in->buf + in->pos;
        bs->avail_in = (unsigned)have;
        int rc = BZ2_bzDecompress(bs);
        in->pos += have - bs->avail_in;
        if (rc == BZ_STREAM_END)
            b->in_stream = false;
        else if (rc != BZ_OK)
            decomp_in_fail(in, decomp_in_offset(in), "corrupt bzip2 data: %s",
                           bz_message(rc));
        else if (have == 0 && bs->avail_out == before)
            decomp_in_fail(in, decomp_in_offset(in),
                           "unexpected end of bzip2 data");
    }
    return out_len - bs->avail_out;
}

static ssize_t
bz_read(void *state, void *buf, size_t len, struct mw_err *err)
{
    struct bz *b = state;
    size_t n = 0;
    if (!b->in.failed)
        n = bz_decode(b, buf, len);
    return decomp_in_result(&b->in, n, err);
}

static void
bz_close(void *state)
{
    struct bz *b = state;
    BZ2_bzDecompressEnd(&b->bs);
    decomp_in_free(&b->in);
    free(b);
}

/* "BZh" then the block size digit (bzip2 1.0.8 manual, 2.2) */
static const unsigned char bz_magic[] = {'B', 'Z', 'h'};

const struct mw_decomp_backend decomp_bz2 = {
    "bzip2", bz_magic, sizeof bz_magic, bz_open, bz_read, bz_close,
};
