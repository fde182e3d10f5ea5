/* Checked allocation: every function here exits with status 2 on failure or
 * on size overflow, so callers never test for NULL. */
#ifndef MW_XALLOC_H
#define MW_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc for an array of n elements of size bytes, with overflow check */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* copy of len bytes plus a terminating NUL */
char *xmemdup(const void *p, size_t len);

#endif
