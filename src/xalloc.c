#include "config.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static void
xalloc_die(void)
{
    fprintf(stderr, "%s: out of memory\n", mw_progname);
    exit(2);
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        xalloc_die();
    return p;
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        xalloc_die();
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        xalloc_die();
    return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        xalloc_die();
    return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
    return xmemdup(s, strlen(s));
}

char *
xmemdup(const void *p, size_t len)
{
    if (len == SIZE_MAX)
        xalloc_die();
    char *q = xmalloc(len + 1);
    if (len)
        memcpy(q, p, len);
    q[len] = '\0';
    return q;
}
