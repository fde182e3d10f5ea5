/* Byte streams from a file descriptor, decompressed when the first bytes are
 * a known magic number (never by file name). Backends live in
 * decomp_<name>.c and are listed in the table in decomp.c. */
#ifndef MW_DECOMP_H
#define MW_DECOMP_H

#include "diag.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mw_decomp;

/* A backend. open() receives the already-read first bytes (the sniff
 * buffer, which it must consume before reading more from fd). */
struct mw_decomp_backend {
    const char *name;           /* "plain", "gzip", ... */
    const unsigned char *magic; /* NULL for plain */
    size_t magic_len;
    void *(*open)(int fd, const unsigned char *head, size_t head_len,
                  const char *path, struct mw_err *err);
    /* >0 bytes, 0 end of stream, -1 error (err names path and the byte
     * offset of the compressed input where the problem was found) */
    ssize_t (*read)(void *state, void *buf, size_t len, struct mw_err *err);
    void (*close)(void *state);
};

/* Wrap fd (borrowed: not closed by decomp_close). Reads up to a few bytes to
 * sniff the format. path is used in messages only. NULL on read error. */
struct mw_decomp *decomp_open(int fd, const char *path, struct mw_err *err);
/* read decompressed bytes: >0 count, 0 end of stream, -1 error. After an
 * error every byte decoded before it has already been returned. */
ssize_t decomp_read(struct mw_decomp *d, void *buf, size_t len,
                    struct mw_err *err);
/* backend name: "plain", "gzip", "bzip2", "xz", "zstd" */
const char *decomp_name(const struct mw_decomp *d);
void decomp_close(struct mw_decomp *d); /* accepts NULL */

/* comma-separated list of compiled-in formats, e.g. "gzip,bzip2,xz,zstd" */
const char *decomp_formats(void);

#endif
