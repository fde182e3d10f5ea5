/* String pool: owns NUL-terminated copies of byte strings for the lifetime of
 * the pool. strpool_intern returns the same pointer for equal strings. */
#ifndef MW_STRPOOL_H
#define MW_STRPOOL_H

#include <stddef.h>

struct mw_strpool;

struct mw_strpool *strpool_new(void);
void strpool_free(struct mw_strpool *p); /* accepts NULL */
/* copy of len bytes (+ NUL), owned by the pool */
const char *strpool_add(struct mw_strpool *p, const char *s, size_t len);
/* like strpool_add, but equal strings share one copy */
const char *strpool_intern(struct mw_strpool *p, const char *s, size_t len);

#endif
