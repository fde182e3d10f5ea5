#include "config.h"

#include "render_backends.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "xalloc.h"

/* --output json: the summary as one pretty-printed document, schema
 * "maillog-why/summary/1" (SPEC, "Contracts that tests rely on"). Times are
 * RFC 3339 UTC strings, or null when the input had no time stamps. Every
 * string goes through escape_json, so the document is valid UTF-8 whatever
 * the logs held. Numbers are formatted without the locale. */

#define MW_JSON_SCHEMA "maillog-why/summary/1"
#define JW_MAXDEPTH    16

struct json_state {
    FILE *out;
    const char *version;
};

/* ---- pretty-printing writer (2-space indent) ---------------------------- */

struct jw {
    struct mw_buf *b;
    int depth;
    bool has[JW_MAXDEPTH]; /* the container at this depth has a member */
    bool times;            /* times are known (the summary has a span) */
};

static void
jw_sep(struct jw *w, const char *key)
{
    if (w->depth > 0) {
        if (w->has[w->depth])
            buf_putc(w->b, ',');
        w->has[w->depth] = true;
        buf_putc(w->b, '\n');
        for (int i = 0; i < w->depth; i++)
            buf_append(w->b, "  ", 2);
    }
    if (key) {
        render_json_cstr(w->b, key);
        buf_append(w->b, ": ", 2);
    }
}

static void
jw_open(struct jw *w, const char *key, char c)
{
    jw_sep(w, key);
    buf_putc(w->b, c);
    if (w->depth < JW_MAXDEPTH - 1)
        w->depth++;
    w->has[w->depth] = false;
}

static void
jw_close(struct jw *w, char c)
{
    bool had = w->has[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (had) {
        buf_putc(w->b, '\n');
        for (int i = 0; i < w->depth; i++)
            buf_append(w->b, "  ", 2);
    }
    buf_putc(w->b, c);
}

static void
jw_str(struct jw *w, const char *key, const char *s, size_t len)
{
    jw_sep(w, key);
    render_json_str(w->b, s, len);
}

static void
jw_cstr(struct jw *w, const char *key, const char *s)
{
    jw_sep(w, key);
    render_json_cstr(w->b, s);
}

static void
jw_u64(struct jw *w, const char *key, uint64_t n)
{
    jw_sep(w, key);
    buf_printf(w->b, "%llu", (unsigned long long)n);
}

static void
jw_raw(struct jw *w, const char *key, const char *json)
{
    jw_sep(w, key);
    buf_puts(w->b, json);
}

static void
put_time(struct jw *w, int64_t t)
{
    char ts[48];
    size_t n = w->times ? render_rfc3339(t, ts, sizeof ts) : 0;
    if (n)
        render_json_str(w->b, ts, n);
    else
        buf_append(w->b, "null", 4); /* no time stamps, or out of range */
}

static void
jw_time(struct jw *w, const char *key, int64_t t)
{
    jw_sep(w, key);
    put_time(w, t);
}

/* 0..1 with two decimals, independent of LC_NUMERIC */
static void
jw_ratio(struct jw *w, const char *key, double x)
{
    long h;
    if (!isfinite(x) || x < 0.0)
        x = 0.0;
    if (x > 1.0)
        x = 1.0;
    h = (long)(x * 100.0 + 0.5);
    jw_sep(w, key);
    buf_printf(w->b, "%ld.%02ld", h / 100, h % 100);
}

static void
jw_point(struct jw *w, const char *key, const struct mw_sum_point *p)
{
    jw_open(w, key, '{');
    jw_time(w, "start", p->start);
    jw_u64(w, "count", p->count);
    jw_close(w, '}');
}

/* ---- sections ----------------------------------------------------------- */

static void
put_inputs(struct jw *w, const struct mw_summary *s)
{
    jw_open(w, "inputs", '[');
    for (size_t i = 0; i < s->ninputs; i++) {
        const struct mw_sum_input *in = &s->inputs[i];
        jw_open(w, NULL, '{');
        jw_cstr(w, "path", in->path);
        jw_cstr(w, "dialect", in->dialect);
        jw_u64(w, "lines", in->lines);
        jw_u64(w, "matched", in->matched);
        jw_u64(w, "unparsed", in->unparsed);
        jw_u64(w, "truncated", in->truncated);
        jw_raw(w, "read_error", in->read_error ? "true" : "false");
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void
put_series(struct jw *w, const struct mw_sum_category *c)
{
    jw_open(w, "series", '[');
    for (size_t i = 0; i < c->nseries; i++) {
        jw_sep(w, NULL);
        buf_putc(w->b, '[');
        put_time(w, c->series[i].start);
        buf_printf(w->b, ", %llu]", (unsigned long long)c->series[i].count);
    }
    jw_close(w, ']');
}

static void
put_categories(struct jw *w, const struct mw_summary *s)
{
    jw_open(w, "categories", '[');
    for (size_t i = 0; i < s->ncategories; i++) {
        const struct mw_sum_category *c = &s->categories[i];
        jw_open(w, NULL, '{');
        jw_cstr(w, "category", c->category);
        jw_u64(w, "count", c->count);
        jw_u64(w, "clients", c->clients);
        jw_time(w, "first", c->first);
        jw_time(w, "last", c->last);
        jw_point(w, "peak", &c->peak);
        put_series(w, c);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void
put_clients(struct jw *w, const struct mw_summary *s)
{
    size_t ncat = mw_category_count < 32 ? mw_category_count : 32;
    jw_open(w, "clients", '[');
    for (size_t i = 0; i < s->nclients; i++) {
        const struct mw_sum_client *c = &s->clients[i];
        jw_open(w, NULL, '{');
        jw_cstr(w, "ip", c->ip);
        jw_u64(w, "count", c->count);
        jw_open(w, "categories", '{');
        for (size_t k = 0; k < ncat; k++)
            if (c->by_category[k])
                jw_u64(w, mw_categories[k], c->by_category[k]);
        jw_close(w, '}');
        jw_time(w, "first", c->first);
        jw_time(w, "last", c->last);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void
put_evidence(struct jw *w, const struct mw_sum_finding *f)
{
    jw_open(w, "evidence", '[');
    for (size_t i = 0; i < f->nevidence; i++) {
        const struct mw_sum_evidence *e = &f->evidence[i];
        jw_open(w, NULL, '{');
        jw_cstr(w, "path", e->path);
        jw_u64(w, "line", e->line);
        jw_str(w, "text", e->text, e->text ? e->text_len : 0);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void
put_finding(struct jw *w, const struct mw_sum_finding *f)
{
    jw_open(w, NULL, '{');
    jw_cstr(w, "id", f->id);
    jw_cstr(w, "title", f->title);
    jw_cstr(w, "category", f->category);
    jw_cstr(w, "cause", f->cause);
    if (f->cause_id) /* findings of the detectors: see --explain */
        jw_cstr(w, "cause_id", f->cause_id);
    jw_cstr(w, "level",
            (unsigned)f->level < MW_LEVEL_COUNT ? level_name(f->level) : NULL);
    jw_ratio(w, "confidence", f->confidence);
    jw_time(w, "start", f->start);
    jw_time(w, "end", f->end);
    jw_time(w, "onset", f->onset);
    jw_point(w, "peak", &f->peak);
    jw_raw(w, "ongoing", f->ongoing ? "true" : "false");
    jw_u64(w, "count", f->count);
    jw_open(w, "clients", '[');
    for (size_t i = 0; i < f->nclients; i++)
        jw_cstr(w, NULL, f->clients[i]);
    jw_close(w, ']');
    jw_u64(w, "clients_total",
           f->nclients_total > f->nclients ? f->nclients_total : f->nclients);
    put_evidence(w, f);
    jw_cstr(w, "fix", f->fix);
    jw_close(w, '}');
}

static void
put_unmatched(struct jw *w, const struct mw_summary *s)
{
    jw_open(w, "unmatched", '[');
    for (size_t i = 0; i < s->nunmatched; i++) {
        const struct mw_sum_shape *u = &s->unmatched[i];
        jw_open(w, NULL, '{');
        jw_cstr(w, "shape", u->shape);
        jw_u64(w, "count", u->count);
        jw_cstr(w, "example", u->example);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void
json_document(struct mw_buf *b, const struct mw_summary *s, const char *version)
{
    struct jw w = {.b = b, .times = s->has_span};

    jw_open(&w, NULL, '{');
    jw_raw(&w, "schema", "\"" MW_JSON_SCHEMA "\"");
    jw_open(&w, "generator", '{');
    jw_raw(&w, "name", "\"maillog-why\"");
    jw_cstr(&w, "version", version);
    jw_close(&w, '}');
    put_inputs(&w, s);
    if (s->has_span) {
        jw_open(&w, "span", '{');
        jw_time(&w, "start", s->span_start);
        jw_time(&w, "end", s->span_end);
        jw_close(&w, '}');
    } else {
        jw_raw(&w, "span", "null");
    }
    jw_u64(&w, "window_seconds", s->window > 0 ? (uint64_t)s->window : 0);
    jw_open(&w, "totals", '{');
    jw_u64(&w, "lines", s->lines);
    jw_u64(&w, "matched", s->matched);
    jw_u64(&w, "clients", s->nclients_total);
    jw_close(&w, '}');
    put_categories(&w, s);
    put_clients(&w, s);
    jw_open(&w, "findings", '[');
    for (size_t i = 0; i < s->nfindings; i++)
        put_finding(&w, &s->findings[i]);
    jw_close(&w, ']');
    put_unmatched(&w, s);
    jw_close(&w, '}');
    buf_putc(b, '\n');
}

/* ---- backend ------------------------------------------------------------ */

static void *
json_open(const struct mw_render_opts *o)
{
    struct json_state *st = xcalloc(1, sizeof *st);
    st->out = o->out;
    st->version = o->version;
    return st;
}

static int
json_finish(void *state, const struct mw_summary *s)
{
    struct json_state *st = state;
    struct mw_buf b = {0};
    json_document(&b, s, st->version);
    return render_finish_buf(st->out, &b);
}

/* the summary is written by finish */
const struct mw_renderer render_json_backend = {
    "json", true, json_open, render_event_none, json_finish, render_close_free};
