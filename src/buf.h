/* Growable byte buffer. A zero-initialised struct mw_buf is empty and valid. */
#ifndef MW_BUF_H
#define MW_BUF_H

#include "diag.h"
#include <stddef.h>

struct mw_buf {
    char *data; /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
};

void buf_reserve(struct mw_buf *b, size_t extra);
void buf_append(struct mw_buf *b, const void *p, size_t len);
void buf_putc(struct mw_buf *b, char c);
void buf_puts(struct mw_buf *b, const char *s);
void buf_printf(struct mw_buf *b, const char *fmt, ...) MW_PRINTF(2, 3);
void buf_reset(struct mw_buf *b); /* len = 0, keeps memory */
void buf_free(struct mw_buf *b);  /* releases memory; struct reusable */

#endif
