/* xz through liblzma; LZMA_CONCATENATED accepts several streams and stream
 * padding in one file, as xz(1) does. */
#include "config.h"

#include "decomp_backends.h"

#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>

#include "decomp.h"
#include "diag.h"
#include "xalloc.h"

struct xz {
    struct mw_decomp_in in; /* first: see decomp_backends.h */
    lzma_stream strm;
    bool done; /* LZMA_STREAM_END seen */
};
_Static_assert(offsetof(struct xz, in) == 0, "input first");

static const char *
xz_message(lzma_ret rc)
{
    switch (rc) {
    case LZMA_MEM_ERROR:
        return "cannot allocate memory";
    case LZMA_MEMLIMIT_ERROR:
        return "memory usage limit reached";
    case LZMA_FORMAT_ERROR:
        return "file format not recognized";
    case LZMA_OPTIONS_ERROR:
        return "unsupported options";
    case LZMA_DATA_ERROR:
        return "compressed data is corrupt";
    default:
        return "internal decoder error";
    }
}

static void *
xz_open(int fd, const unsigned char *head, size_t head_len, const char *path,
        struct mw_err *err)
{
    struct xz *x = xcalloc(1, sizeof *x);
    lzma_stream init = LZMA_STREAM_INIT;
    lzma_ret rc;
    x->strm = init;
    rc = lzma_stream_decoder(&x->strm, UINT64_MAX, LZMA_CONCATENATED);
    if (rc != LZMA_OK) {
        err_set(err, path, "cannot start xz decoder: %s", xz_message(rc));
        free(x);
        return NULL;
    }
    decomp_in_init(&x->in, fd, head, head_len, path);
    return x;
}

/* Decode into buf until it is full, the input ends or a problem is found
 * (recorded in x->in). Returns the number of bytes produced. */
static size_t
xz_decode(struct xz *x, uint8_t *buf, size_t len)
{
    struct mw_decomp_in *in = &x->in;
    lzma_stream *s = &x->strm;
    s->next_out = buf;
    s->avail_out = len;
    while (s->avail_out > 0 && !in->failed && !x->done) {
        size_t have = decomp_in_fill(in, 1);
        if (in->failed)
            break;
        s->next_in = in->buf + in->pos;
        s->avail_in = have;
        /* LZMA_CONCATENATED needs LZMA_FINISH to end (lzma/container.h) */
        lzma_ret rc = lzma_code(s, have == 0 ? LZMA_FINISH : LZMA_RUN);
        in->pos += have - s->avail_in;
        if (rc == LZMA_STREAM_END)
            x->done = true;
        else if (rc == LZMA_BUF_ERROR)
            decomp_in_fail(in, decomp_in_offset(in),
                           "unexpected end of xz data");
        else if (rc != LZMA_OK)
            decomp_in_fail(in, decomp_in_offset(in), "corrupt xz data: %s",
                           xz_message(rc));
    }
    return len - s->avail_out;
}

static ssize_t
xz_read(void *state, void *buf, size_t len, struct mw_err *err)
{
    struct xz *x = state;
    size_t n = 0;
    if (!x->in.failed)
        n = xz_decode(x, buf, len);
    return decomp_in_result(&x->in, n, err);
}

static void
xz_close(void *state)
{
    struct xz *x = state;
    lzma_end(&x->strm);
    decomp_in_free(&x->in);
    free(x);
}

/* stream header magic (xz file format 1.2.0, 2.1.1.1) */
static const unsigned char xz_magic[] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};

const struct mw_decomp_backend decomp_xz = {
    "xz", xz_magic, sizeof xz_magic, xz_open, xz_read, xz_close,
};
