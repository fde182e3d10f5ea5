#include "config.h"

#include "agg_impl.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* The aggregator's string tables: an open-addressing index over strings
 * copied into the pool, and the parallel entry arrays that hold what is
 * counted per string. */

uint64_t
agg_tab_hash(const char *s, size_t n)
{
    /* 8 bytes per step; quality is ample for table indexing */
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x94D049BB133111EBull;
    return h ^ (h >> 29);
}

static void
tab_grow(struct mw_agg_tab *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 64;
    uint32_t *slots = xcalloc(ns, sizeof *slots);
    for (size_t i = 0; i < t->n; i++) {
        size_t j = t->hashes[i] & (ns - 1);
        while (slots[j])
            j = (j + 1) & (ns - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
}

uint32_t
agg_tab_get(struct mw_agg_tab *t, const char *s, size_t len, uint64_t h,
            struct mw_strpool *pool, bool *isnew)
{
    *isnew = false;
    if (t->nslots) {
        size_t mask = t->nslots - 1;
        for (size_t j = h & mask; t->slots[j]; j = (j + 1) & mask) {
            uint32_t i = t->slots[j] - 1;
            if (t->hashes[i] == h && t->lens[i] == len &&
                memcmp(t->keys[i], s, len) == 0)
                return i;
        }
    }
    if (!pool || t->n >= t->limit)
        return MW_FND_NONE;
    if ((t->n + 1) * 2 > t->nslots)
        tab_grow(t);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->keys = xreallocarray(t->keys, t->cap, sizeof *t->keys);
        t->lens = xreallocarray(t->lens, t->cap, sizeof *t->lens);
        t->hashes = xreallocarray(t->hashes, t->cap, sizeof *t->hashes);
    }
    size_t i = t->n++;
    t->keys[i] = strpool_add(pool, s, len);
    t->lens[i] = (uint32_t)len;
    t->hashes[i] = h;
    size_t j = h & (t->nslots - 1);
    while (t->slots[j])
        j = (j + 1) & (t->nslots - 1);
    t->slots[j] = (uint32_t)i + 1;
    *isnew = true;
    return (uint32_t)i;
}

void
agg_tab_free(struct mw_agg_tab *t)
{
    free(t->slots);
    free(t->keys);
    free(t->lens);
    free(t->hashes);
}

void *
agg_tab_fit(void *arr, size_t *cap, size_t i, size_t size)
{
    if (i < *cap)
        return arr;
    size_t n = *cap ? *cap * 2 : 64;
    while (n <= i)
        n *= 2;
    char *p = xreallocarray(arr, n, size);
    memset(p + *cap * size, 0, (n - *cap) * size);
    *cap = n;
    return p;
}
