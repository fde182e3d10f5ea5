/* zstd through libzstd; a file may hold several frames (`cat a.zst b.zst`,
 * zstd's format spec: "a compressed file ... can be made of one or multiple
 * frames"), including skippable frames, which libzstd passes over. */
#include "config.h"

#include "decomp_backends.h"

#include <stdlib.h>
#include <zstd.h>

#include "decomp.h"
#include "diag.h"
#include "xalloc.h"

struct zst {
    struct mw_decomp_in in; /* first: see decomp_backends.h */
    ZSTD_DStream *ds;
    size_t last; /* last ZSTD_decompressStream result: 0 = frame complete */
};
_Static_assert(offsetof(struct zst, in) == 0, "input first");

static void *
zst_open(int fd, const unsigned char *head, size_t head_len, const char *path,
         struct mw_err *err)
{
    struct zst *z = xcalloc(1, sizeof *z);
    z->ds = ZSTD_createDStream();
    if (!z->ds) {
        err_set(err, path, "cannot start zstd decoder");
        free(z);
        return NULL;
    }
    ZSTD_initDStream(z->ds);
    decomp_in_init(&z->in, fd, head, head_len, path);
    z->last = 1;
    return z;
}

/* Decode into buf until it is full, the input ends or a problem is found
 * (recorded in z->in). Returns the number of bytes produced. */
static size_t
zst_decode(struct zst *z, void *buf, size_t len)
{
    struct mw_decomp_in *in = &z->in;
    ZSTD_outBuffer out = {buf, len, 0};
    while (out.pos < out.size && !in->failed) {
        size_t have = decomp_in_fill(in, 1);
        if (in->failed)
            break;
        /* at the end of input, a finished frame is a clean end */
        if (have == 0 && z->last == 0)
            break;
        ZSTD_inBuffer zin = {in->buf + in->pos, have, 0};
        size_t before = out.pos;
        size_t rc = ZSTD_decompressStream(z->ds, &out, &zin);
        in->pos += zin.pos;
        if (ZSTD_isError(rc)) {
            decomp_in_fail(in, decomp_in_offset(in), "corrupt zstd data: %s",
                           ZSTD_getErrorName(rc));
            break;
        }
        z->last = rc;
        /* nothing left to read and nothing more came out: cut short */
        if (have == 0 && out.pos == before && rc != 0)
            decomp_in_fail(in, decomp_in_offset(in),
                           "unexpected end of zstd data");
    }
    return out.pos;
}

static ssize_t
zst_read(void *state, void *buf, size_t len, struct mw_err *err)
{
    struct zst *z = state;
    size_t n = 0;
    if (!z->in.failed)
        n = zst_decode(z, buf, len);
    return decomp_in_result(&z->in, n, err);
}

static void
zst_close(void *state)
{
    struct zst *z = state;
    ZSTD_freeDStream(z->ds);
    decomp_in_free(&z->in);
    free(z);
}

/* frame magic 0xFD2FB528, little endian (RFC 8878 3.1.1) */
static const unsigned char zst_magic[] = {0x28, 0xb5, 0x2f, 0xfd};

const struct mw_decomp_backend decomp_zstd = {
    "zstd", zst_magic, sizeof zst_magic, zst_open, zst_read, zst_close,
};
