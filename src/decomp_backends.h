/* Private to the decompression family: the backend objects listed in the
 * table in decomp.c, and small helpers the backends share.
 *
 * Every backend follows the same contract (see decomp.h): it returns every
 * byte it decoded before a problem, and reports the problem on the next call
 * with "PATH: byte N: reason", N being the offset in the compressed input. */
#ifndef MW_DECOMP_BACKENDS_H
#define MW_DECOMP_BACKENDS_H

#include "decomp.h"
#include "diag.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* size of the compressed-input buffer of every backend */
#define MW_DECOMP_INBUF (256u * 1024u)

extern const struct mw_decomp_backend decomp_plain;
extern const struct mw_decomp_backend decomp_gzip;
#ifdef HAVE_BZIP2
extern const struct mw_decomp_backend decomp_bz2;
#endif
#ifdef HAVE_XZ
extern const struct mw_decomp_backend decomp_xz;
#endif
#ifdef HAVE_ZSTD
extern const struct mw_decomp_backend decomp_zstd;
#endif

/* Compressed input shared by the backends: the sniffed head first, then
 * the descriptor, through one buffer of MW_DECOMP_INBUF bytes.
 *
 * The state a compressed backend's open() returns must begin with its
 * struct mw_decomp_in (each backend checks this with a static assertion):
 * decomp.c runs the backend's read() on a second thread and reaches the
 * input there to set wake_fd. */
struct mw_decomp_in {
    int fd;
    /* -1, or a descriptor that becomes readable when the reading thread
     * must stop: reads from fd then first wait in poll(2) on both, so that
     * input that never comes (a silent pipe) cannot hold up decomp_close */
    int wake_fd;
    const char *path; /* borrowed, for messages */
    unsigned char *buf;
    size_t pos, len;   /* unread input is buf[pos..len) */
    uint64_t consumed; /* compressed bytes before buf[0] */
    bool eof;
    bool failed; /* err holds a problem not yet reported */
    struct mw_err err;
};

/* read(2) retrying on EINTR */
ssize_t decomp_fd_read(int fd, void *buf, size_t len);

/* set up in (allocates the buffer and copies head into it) */
void decomp_in_init(struct mw_decomp_in *in, int fd, const unsigned char *head,
                    size_t head_len, const char *path);
void decomp_in_free(struct mw_decomp_in *in);
/* Make at least want unread bytes available (fewer only at end of input),
 * keeping the unread ones. Returns the number available; a read error, or
 * wake_fd becoming readable, sets in->failed and in->eof. */
size_t decomp_in_fill(struct mw_decomp_in *in, size_t want);
/* compressed offset of buf[pos] */
uint64_t decomp_in_offset(const struct mw_decomp_in *in);
/* record "byte N: reason" at offset off, unless a problem is already
 * recorded */
void decomp_in_fail(struct mw_decomp_in *in, uint64_t off, const char *fmt, ...)
    MW_PRINTF(3, 4);
/* The usual end of a backend read: produced bytes if any, otherwise -1 with
 * the recorded problem, otherwise 0 (end of stream). */
ssize_t decomp_in_result(const struct mw_decomp_in *in, size_t produced,
                         struct mw_err *err);

#endif
