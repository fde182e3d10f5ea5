#include "config.h"

#include "agg.h"

#include <stdlib.h>
#include <string.h>

#include "agg_impl.h"
#include "findings.h"
#include "strpool.h"
#include "window.h"
#include "xalloc.h"

/* The summary: inputs, categories with their series, top clients and
 * unmatched shapes from the aggregator's tables, then the tables handed to
 * findings_build for the ranked findings. Everything lives in the
 * aggregator's arena and pool. */

int64_t
agg_auto_window(int64_t span_seconds)
{
    return window_auto(span_seconds);
}

/* sort key for "by count, descending, then by name" lists */
struct rank {
    uint64_t count;
    const char *name;
    uint32_t idx;
};

static int
rank_cmp(const void *pa, const void *pb)
{
    const struct rank *x = pa, *y = pb;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int64_t
time_or_zero(int64_t t)
{
    return t == INT64_MAX || t == INT64_MIN ? 0 : t;
}

static int64_t
time_or_none(int64_t t)
{
    return t == INT64_MAX || t == INT64_MIN ? MW_FND_NO_TIME : t;
}

static void
sum_inputs(struct mw_agg *a, struct mw_summary *s)
{
    s->ninputs = a->ninputs;
    s->inputs = findings_array(&a->arena, a->ninputs, sizeof *s->inputs);
    for (size_t i = 0; i < a->ninputs; i++) {
        const struct mw_agg_input *in = &a->inputs[i];
        struct mw_sum_input *o = &s->inputs[i];
        o->path = in->path;
        o->dialect = in->dialect;
        o->lines = in->lines;
        o->matched = in->matched;
        o->unparsed = in->unparsed;
        o->truncated = in->truncated;
        o->read_error = in->read_error;
    }
    s->lines = a->lines;
    s->matched = a->matched;
}

static uint64_t *
series_of(struct mw_agg *a, const struct mw_counts *c,
          const struct mw_window_layout *l)
{
    uint64_t *v = findings_array(&a->arena, l->n, sizeof *v);
    if (l->n)
        window_rebin(c, l, v);
    return v;
}

static void
sum_category(struct mw_agg *a, const struct mw_agg_cat *c, size_t clients,
             const struct mw_window_layout *l, struct mw_sum_category *o)
{
    o->category = c->name;
    o->count = c->count;
    o->clients = clients;
    o->first = time_or_zero(c->first);
    o->last = time_or_zero(c->last);
    uint64_t *v = series_of(a, &c->series, l);
    o->nseries = l->n;
    o->series = findings_array(&a->arena, l->n, sizeof *o->series);
    for (size_t i = 0; i < l->n; i++) {
        o->series[i].start = l->first + (int64_t)i * l->window;
        o->series[i].count = v[i];
        if (v[i] > o->peak.count)
            o->peak = o->series[i];
    }
}

static void
sum_categories(struct mw_agg *a, struct mw_summary *s,
               const struct mw_window_layout *l)
{
    size_t clients[MW_AGG_NCAT] = {0};
    for (size_t i = 0; i < a->iptab.n; i++)
        for (int c = 0; c < MW_AGG_NCAT; c++)
            clients[c] += agg_ip_cat(&a->ips[i], c) > 0;
    struct rank r[MW_AGG_NCAT];
    size_t n = 0;
    for (int c = 0; c < MW_AGG_NCAT; c++)
        if (a->cats[c].count)
            r[n++] =
                (struct rank){a->cats[c].count, a->cats[c].name, (uint32_t)c};
    qsort(r, n, sizeof r[0], rank_cmp);
    s->categories = findings_array(&a->arena, n, sizeof *s->categories);
    s->ncategories = n;
    for (size_t i = 0; i < n; i++)
        sum_category(a, &a->cats[r[i].idx], clients[r[i].idx], l,
                     &s->categories[i]);
}

static struct rank *
rank_ips(struct mw_agg *a)
{
    struct rank *r = xreallocarray(NULL, a->iptab.n + 1, sizeof *r);
    for (size_t i = 0; i < a->iptab.n; i++)
        r[i] = (struct rank){a->ips[i].count, a->iptab.keys[i], (uint32_t)i};
    qsort(r, a->iptab.n, sizeof *r, rank_cmp);
    return r;
}

static void
sum_clients(struct mw_agg *a, struct mw_summary *s, const struct rank *r)
{
    size_t n = a->iptab.n < a->top ? a->iptab.n : a->top;
    s->clients = findings_array(&a->arena, n, sizeof *s->clients);
    s->nclients = n;
    s->nclients_total = a->iptab.n;
    for (size_t i = 0; i < n; i++) {
        const struct mw_agg_ip *e = &a->ips[r[i].idx];
        struct mw_sum_client *o = &s->clients[i];
        o->ip = r[i].name;
        o->count = e->count;
        for (int c = 0; c < MW_AGG_NCAT; c++)
            o->by_category[c] = agg_ip_cat(e, c);
        o->first = time_or_zero(e->first);
        o->last = time_or_zero(e->last);
    }
}

static void
sum_unmatched(struct mw_agg *a, struct mw_summary *s)
{
    size_t n = a->shapetab.n;
    struct rank *r = xreallocarray(NULL, n + 1, sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] =
            (struct rank){a->shapes[i].count, a->shapetab.keys[i], (uint32_t)i};
    qsort(r, n, sizeof *r, rank_cmp);
    if (n > a->top)
        n = a->top;
    s->unmatched = findings_array(&a->arena, n, sizeof *s->unmatched);
    s->nunmatched = n;
    for (size_t i = 0; i < n; i++) {
        s->unmatched[i].shape = r[i].name;
        s->unmatched[i].count = r[i].count;
        s->unmatched[i].example = a->shapes[r[i].idx].example;
    }
    free(r);
}

/* ---- input of the findings ---------------------------------------------- */

/* the kept lines, at most max of them: the first ones, then the last */
static struct mw_fnd_evlist
evkeep_list(const struct mw_agg_evkeep *k, size_t max, struct mw_fnd_arena *ar,
            struct mw_strpool *pool)
{
    struct mw_fnd_evlist l = {NULL, 0};
    size_t n = k->nfirst + k->has_last;
    if (n > max)
        n = max;
    if (n == 0)
        return l;
    struct mw_fnd_ev *v = findings_array(ar, n, sizeof *v);
    size_t nf = k->has_last ? n - 1 : n;
    if (nf)
        memcpy(v, k->first, nf * sizeof *v);
    if (k->has_last) {
        v[nf] = k->last;
        v[nf].e.text = strpool_add(pool, k->last.e.text, k->last.e.text_len);
    }
    l.v = v;
    l.n = n;
    return l;
}

static const uint32_t *
counts_keys(struct mw_agg *a, const struct mw_counts *c, size_t *n)
{
    uint32_t *v = findings_array(&a->arena, c->n, sizeof *v);
    size_t it = 0, k = 0;
    int64_t key;
    uint64_t val;
    while (window_counts_next(c, &it, &key, &val))
        v[k++] = (uint32_t)key;
    *n = k;
    return v;
}

static void
fnd_rule(struct mw_agg *a, const struct mw_agg_rule *r,
         const struct mw_window_layout *l, struct mw_fnd_rule *o)
{
    o->id = r->id;
    o->title = r->title;
    o->category = r->category;
    o->cause = r->cause;
    o->fix = r->fix;
    o->level = r->level;
    o->count = r->count;
    o->first = time_or_none(r->first);
    o->last = time_or_none(r->last);
    o->series = series_of(a, &r->series, l);
    o->srcmask = r->srcmask;
    o->nusers = r->users.n;
    struct rank *rk = xreallocarray(NULL, r->ips.n + 1, sizeof *rk);
    size_t it = 0, n = 0;
    int64_t key;
    uint64_t val;
    while (window_counts_next(&r->ips, &it, &key, &val))
        rk[n++] = (struct rank){val, a->iptab.keys[key], (uint32_t)key};
    qsort(rk, n, sizeof *rk, rank_cmp);
    o->nips_total = n;
    o->nips = n < a->top ? n : a->top;
    uint32_t *ips = findings_array(&a->arena, o->nips, sizeof *ips);
    for (size_t i = 0; i < o->nips; i++)
        ips[i] = rk[i].idx;
    o->ips = ips;
    free(rk);
    o->ev = evkeep_list(&r->ev, a->evidence, &a->arena, a->pool);
}

static int
dnsev_cmp(const void *pa, const void *pb)
{
    const struct mw_fnd_dnsev *x = pa, *y = pb;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->domain < y->domain ? -1 : x->domain > y->domain;
}

static void
fnd_tables(struct mw_agg *a, struct mw_fnd_in *in)
{
    struct mw_fnd_ip *ips = findings_array(&a->arena, a->iptab.n, sizeof *ips);
    for (size_t i = 0; i < a->iptab.n; i++) {
        const struct mw_agg_ip *e = &a->ips[i];
        ips[i] = (struct mw_fnd_ip){a->iptab.keys[i],
                                    e->count,
                                    e->auth,
                                    e->tls,
                                    e->dnsbl,
                                    time_or_none(e->first),
                                    time_or_none(e->last),
                                    e->tls_first};
    }
    in->ips = ips;
    in->nips = a->iptab.n;
    struct mw_fnd_user *us =
        findings_array(&a->arena, a->usertab.n, sizeof *us);
    for (size_t i = 0; i < a->usertab.n; i++) {
        us[i].name = a->usertab.keys[i];
        us[i].auth = a->users[i].auth;
        us[i].auth_ips =
            counts_keys(a, &a->users[i].auth_ips, &us[i].nauth_ips);
    }
    in->users = us;
    in->nusers = a->usertab.n;
    struct mw_fnd_dest *ds =
        findings_array(&a->arena, a->desttab.n, sizeof *ds);
    for (size_t i = 0; i < a->desttab.n; i++) {
        const struct mw_agg_dest *e = &a->dests[i];
        ds[i] = (struct mw_fnd_dest){a->desttab.keys[i],
                                     e->host,
                                     e->many_hosts,
                                     e->count,
                                     e->port25,
                                     time_or_none(e->first),
                                     time_or_none(e->last)};
    }
    in->dests = ds;
    in->ndests = a->desttab.n;
    struct mw_fnd_dnsev *dns = findings_array(&a->arena, a->ndns, sizeof *dns);
    if (a->ndns)
        memcpy(dns, a->dns, a->ndns * sizeof *dns);
    qsort(dns, a->ndns, sizeof *dns, dnsev_cmp);
    in->dns = dns;
    in->ndns = a->ndns;
    in->dnsbls = a->dnsbltab.keys;
    in->ndnsbls = a->dnsbltab.n;
}

static void
fnd_input(struct mw_agg *a, const struct mw_summary *s,
          const struct mw_window_layout *l, struct mw_fnd_in *in)
{
    memset(in, 0, sizeof *in);
    in->sum = s;
    in->layout = *l;
    in->top = a->top;
    in->evidence = a->evidence;
    struct mw_fnd_rule *rules =
        findings_array(&a->arena, a->nrules, sizeof *rules);
    for (size_t i = 0; i < a->nrules; i++)
        fnd_rule(a, &a->rules[i], l, &rules[i]);
    in->rules = rules;
    in->nrules = a->nrules;
    fnd_tables(a, in);
    for (size_t k = 0; k < MW_SRC_COUNT; k++) {
        const struct mw_agg_src *se = &a->src[k];
        struct mw_fnd_srcstat *o = &in->src[k];
        o->count = se->count;
        o->first = se->count ? time_or_none(se->first) : MW_FND_NO_TIME;
        o->last = se->count ? time_or_none(se->last) : MW_FND_NO_TIME;
        o->series = series_of(a, &se->series, l);
        o->ev =
            evkeep_list(&se->ev, MW_AGG_SRC_EVIDENCE + 1, &a->arena, a->pool);
    }
}

const struct mw_summary *
agg_summary(struct mw_agg *a)
{
    struct mw_summary *s = findings_alloc(&a->arena, sizeof *s);
    struct mw_window_layout l = {a->base, a->window ? a->window : 60, 0, 0};
    if (a->has_span)
        window_layout(&l, a->window, a->span_start, a->span_end);
    s->has_span = a->has_span;
    s->span_start = a->has_span ? a->span_start : 0;
    s->span_end = a->has_span ? a->span_end : 0;
    s->window = l.window;
    sum_inputs(a, s);
    sum_categories(a, s, &l);
    struct rank *r = rank_ips(a);
    sum_clients(a, s, r);
    free(r);
    sum_unmatched(a, s);
    struct mw_fnd_in in;
    fnd_input(a, s, &l, &in);
    findings_build(&in, &a->arena, a->pool, &s->findings, &s->nfindings);
    return s;
}
