#include "config.h"

#include "render.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render_backends.h"
#include "timeparse.h"

/* The renderer table: a new output format is one file and one entry here.
 * The list also yields the "text|json|..." string for --help. */
#define MW_RENDERERS(X) X(text) X(json) X(html) X(ndjson) X(cef) X(syslog)

#define MW_RENDER_ROW(n)  &render_##n##_backend,
#define MW_RENDER_NAME(n) "|" #n

static const struct mw_renderer *const renderers[] = {
    MW_RENDERERS(MW_RENDER_ROW)};
static const char renderer_names[] = MW_RENDERERS(MW_RENDER_NAME);

const struct mw_renderer *
render_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof renderers / sizeof renderers[0]; i++)
        if (strcmp(renderers[i]->name, name) == 0)
            return renderers[i];
    return NULL;
}

const char *
render_names(void)
{
    return renderer_names + 1; /* skip the leading '|' */
}

int
render_write(FILE *out, const struct mw_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
        return -1;
    return ferror(out) ? -1 : 0;
}

int
render_flush(FILE *out)
{
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

int
render_finish_buf(FILE *out, struct mw_buf *b)
{
    int rc = render_write(out, b);
    buf_free(b);
    return rc < 0 ? -1 : render_flush(out);
}

int
render_event_none(void *state, const struct mw_event *ev, const char *path)
{
    (void)state;
    (void)ev;
    (void)path;
    return 0;
}

void
render_close_free(void *state)
{
    free(state);
}

const char *
render_count(char *out, uint64_t n)
{
    char d[24];
    int len = snprintf(d, sizeof d, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = d[i];
    }
    out[o] = '\0';
    return out;
}

size_t
render_top_categories(const struct mw_sum_client *c, size_t k, size_t *out)
{
    size_t ncat = mw_category_count < 32 ? mw_category_count : 32;
    bool used[32] = {false};
    size_t n = 0;
    while (n < k) {
        size_t best = ncat;
        for (size_t i = 0; i < ncat; i++)
            if (!used[i] && c->by_category[i] &&
                (best == ncat || c->by_category[i] > c->by_category[best]))
                best = i;
        if (best == ncat)
            break;
        used[best] = true;
        out[n++] = best;
    }
    return n;
}

size_t
render_rfc3339(int64_t sec, char *out, size_t size)
{
    struct mw_time t = {.sec = sec, .valid = true};
    return time_format_rfc3339(&t, out, size);
}

void
render_json_str(struct mw_buf *b, const char *s, size_t len)
{
    buf_putc(b, '"');
    escape_json(b, s, len);
    buf_putc(b, '"');
}

void
render_json_cstr(struct mw_buf *b, const char *s)
{
    if (s)
        render_json_str(b, s, strlen(s));
    else
        buf_append(b, "null", 4);
}
