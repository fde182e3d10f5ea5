/* Line framing over a decompressed stream. Lines end at '\n'; a '\r' before
 * it is dropped. NUL bytes and invalid UTF-8 are ordinary bytes. A line longer
 * than max_len is cut to max_len bytes and flagged; the rest of it is skipped
 * and the next line is read normally. A last line without '\n' is returned. */
#ifndef MW_LINEREADER_H
#define MW_LINEREADER_H

#include "decomp.h"
#include "diag.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mw_line {
    const char *data; /* not NUL-terminated; valid until the next call */
    size_t len;       /* without "\n" / "\r\n" */
    uint64_t offset;  /* byte offset of the line start, uncompressed */
    uint64_t lineno;  /* 1-based */
    bool cut;         /* the line was longer than max_len */
};

struct mw_linereader;

#define MW_LINE_MAX_DEFAULT (64u * 1024u)
#define MW_READ_BUFSIZE     (256u * 1024u)

/* d is borrowed and must outlive the reader. max_len 0 = default. */
struct mw_linereader *linereader_new(struct mw_decomp *d, size_t max_len);
/* 1 = a line in *out, 0 = end of stream, -1 = read error (err filled; the
 * lines before the error have all been returned; further calls return 0) */
int linereader_next(struct mw_linereader *lr, struct mw_line *out,
                    struct mw_err *err);
/* number of lines cut so far */
uint64_t linereader_cut_count(const struct mw_linereader *lr);
/* total uncompressed bytes consumed so far */
uint64_t linereader_bytes(const struct mw_linereader *lr);
void linereader_free(struct mw_linereader *lr); /* accepts NULL */

#endif
