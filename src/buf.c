#include "config.h"

#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void
buf_reserve(struct mw_buf *b, size_t extra)
{
    if (extra >= SIZE_MAX - b->len - 1) {
        /* let xrealloc report the impossible size */
        b->data = xreallocarray(b->data, SIZE_MAX, 2);
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void
buf_append(struct mw_buf *b, const void *p, size_t len)
{
    buf_reserve(b, len);
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void
buf_putc(struct mw_buf *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void
buf_puts(struct mw_buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void
buf_printf(struct mw_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    if ((size_t)n < sizeof tmp) {
        buf_append(b, tmp, (size_t)n);
        return;
    }
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
buf_reset(struct mw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void
buf_free(struct mw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
