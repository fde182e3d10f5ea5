#include "config.h"

#include "strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Strings are carved from 64 KiB chunks (larger strings get a chunk of
 * their own); interned strings are also indexed in an open-addressing
 * hash table of pointers. */

#define CHUNK_SIZE (64u * 1024u)

struct chunk {
    struct chunk *next;
    size_t used, size;
    char data[];
};

struct mw_strpool {
    struct chunk *chunks;
    const char **slots; /* hash table of interned strings */
    size_t *lens;
    size_t nslots, nused;
};

struct mw_strpool *
strpool_new(void)
{
    struct mw_strpool *p = xcalloc(1, sizeof *p);
    return p;
}

void
strpool_free(struct mw_strpool *p)
{
    if (!p)
        return;
    struct chunk *c = p->chunks;
    while (c) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    free(p->slots);
    free(p->lens);
    free(p);
}

const char *
strpool_add(struct mw_strpool *p, const char *s, size_t len)
{
    size_t need = len + 1;
    struct chunk *c = p->chunks;
    if (!c || c->size - c->used < need) {
        size_t size = need > CHUNK_SIZE ? need : CHUNK_SIZE;
        if (size > SIZE_MAX - sizeof *c)
            size = SIZE_MAX; /* xmalloc will fail */
        struct chunk *n = xmalloc(sizeof *n + size);
        n->used = 0;
        n->size = size;
        if (c && need > CHUNK_SIZE) {
            /* keep the current chunk in front: it still has room */
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            p->chunks = n;
        }
        c = n;
    }
    char *d = c->data + c->used;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    c->used += need;
    return d;
}

static uint64_t
hash_bytes(const char *s, size_t len)
{
    /* FNV-1a */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void
grow(struct mw_strpool *p)
{
    size_t n = p->nslots ? p->nslots * 2 : 256;
    const char **slots = xcalloc(n, sizeof *slots);
    size_t *lens = xcalloc(n, sizeof *lens);
    for (size_t i = 0; i < p->nslots; i++) {
        if (!p->slots[i])
            continue;
        size_t j = hash_bytes(p->slots[i], p->lens[i]) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = p->slots[i];
        lens[j] = p->lens[i];
    }
    free(p->slots);
    free(p->lens);
    p->slots = slots;
    p->lens = lens;
    p->nslots = n;
}

const char *
strpool_intern(struct mw_strpool *p, const char *s, size_t len)
{
    if (p->nused * 2 >= p->nslots)
        grow(p);
    size_t mask = p->nslots - 1;
    size_t j = hash_bytes(s, len) & mask;
    while (p->slots[j]) {
        if (p->lens[j] == len && memcmp(p->slots[j], s, len) == 0)
            return p->slots[j];
        j = (j + 1) & mask;
    }
    const char *copy = strpool_add(p, s, len);
    p->slots[j] = copy;
    p->lens[j] = len;
    p->nused++;
    return copy;
}
