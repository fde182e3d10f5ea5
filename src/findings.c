#include "config.h"

#include "findings.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_impl.h"
#include "xalloc.h"

/* The findings framework: the arena, candidate findings (timing, clients,
 * evidence), one finding per rule that hit, then the detectors, then
 * ranking. */

/* ---- arena -------------------------------------------------------------- */

struct mw_fnd_block {
    struct mw_fnd_block *next;
};

/* data starts one max_align_t after the block start, keeping alignment */
#define BLOCK_HDR                                                              \
    (sizeof(max_align_t) > sizeof(struct mw_fnd_block)                         \
         ? sizeof(max_align_t)                                                 \
         : 2 * sizeof(max_align_t))

void *
findings_alloc(struct mw_fnd_arena *ar, size_t n)
{
    if (n > SIZE_MAX - BLOCK_HDR)
        n = SIZE_MAX - BLOCK_HDR; /* xmalloc reports the failure */
    struct mw_fnd_block *b = xmalloc(BLOCK_HDR + n);
    b->next = ar->blocks;
    ar->blocks = b;
    char *p = (char *)b + BLOCK_HDR;
    memset(p, 0, n);
    return p;
}

void *
findings_array(struct mw_fnd_arena *ar, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return xreallocarray(NULL, n, size); /* exits on overflow */
    return findings_alloc(ar, n * size);
}

void
findings_arena_free(struct mw_fnd_arena *ar)
{
    struct mw_fnd_block *b = ar->blocks;
    while (b) {
        struct mw_fnd_block *n = b->next;
        free(b);
        b = n;
    }
    ar->blocks = NULL;
}

/* ---- candidates --------------------------------------------------------- */

double
findings_score(enum mw_level level, uint64_t count, double confidence)
{
    static const double weight[MW_LEVEL_COUNT] = {1, 2, 4, 8, 16};
    double w = level < MW_LEVEL_COUNT ? weight[level] : 1;
    return w * (1 + log10(count ? (double)count : 1.0)) * confidence;
}

struct mw_sum_finding *
findings_cand_new(struct mw_fnd_ctx *x, bool detector, uint32_t mask)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 32;
        x->c = xreallocarray(x->c, x->cap, sizeof *x->c);
    }
    struct mw_fnd_cand *c = &x->c[x->n++];
    memset(c, 0, sizeof *c);
    c->detector = detector;
    c->mask = mask;
    return &c->f;
}

const char *
findings_fmt(struct mw_fnd_ctx *x, const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    return strpool_add(x->pool, buf, (size_t)n);
}

/* Timing of a finding: first/last hit, and onset, peak and ongoing from
 * its series. Without a clear onset the burst is said to start in the
 * window of the first hit; a finding about some clients or one destination
 * never starts before their first hit, whatever the series of all says. */
void
findings_set_timing(struct mw_fnd_ctx *x, struct mw_sum_finding *f,
                    const uint64_t *series, int64_t first, int64_t last)
{
    const struct mw_window_layout *l = &x->in->layout;
    f->start = first == MW_FND_NO_TIME ? 0 : first;
    f->end = last == MW_FND_NO_TIME ? 0 : last;
    struct mw_burst b;
    window_detect(series, l->n, &b);
    if (b.any) {
        f->peak.start = l->first + (int64_t)b.peak * l->window;
        f->peak.count = b.peak_count;
        f->ongoing = b.ongoing;
    }
    int64_t w0 = f->start;
    if (first != MW_FND_NO_TIME && l->n)
        w0 = l->first +
             window_floor_div(first - l->first, l->window) * l->window;
    f->onset = b.has_onset ? l->first + (int64_t)b.onset * l->window : w0;
    if (first != MW_FND_NO_TIME && f->onset < w0)
        f->onset = w0;
}

void
findings_set_text(struct mw_sum_finding *f, const char *id,
                  const char *category, enum mw_level level, double confidence)
{
    f->id = id;
    f->category = category;
    f->level = level;
    f->confidence = confidence;
}

/* client address list from table indices */
void
findings_set_clients(struct mw_fnd_ctx *x, struct mw_sum_finding *f,
                     const uint32_t *idx, size_t n, size_t total)
{
    f->clients = findings_array(x->ar, n, sizeof *f->clients);
    for (size_t i = 0; i < n; i++)
        f->clients[i] = x->in->ips[idx[i]].ip;
    f->nclients = n;
    f->nclients_total = total;
}

static bool
evsel_ok(const struct mw_fnd_evsel *s, const struct mw_fnd_ev *e)
{
    if (s->user != MW_FND_NONE && e->user != s->user)
        return false;
    if (s->dest != MW_FND_NONE && e->dest != s->dest)
        return false;
    if (e->t != MW_FND_NO_TIME && (e->t < s->from || e->t > s->to))
        return false;
    for (size_t i = 0; i < s->nips; i++)
        if (e->ip == s->ips[i])
            return true;
    return s->nips == 0;
}

void
findings_evsel_init(struct mw_fnd_evsel *s)
{
    memset(s, 0, sizeof *s);
    s->user = s->dest = MW_FND_NONE;
    s->from = INT64_MIN;
    s->to = INT64_MAX;
}

/* Evidence lines of l selected by s (all when s is NULL): the first ones
 * and the last one, like the lists they come from; when none fits, the
 * first lines of l (the finding is still about them). */
void
findings_set_evidence(struct mw_fnd_ctx *x, struct mw_sum_finding *f,
                      const struct mw_fnd_evlist *l,
                      const struct mw_fnd_evsel *s)
{
    size_t max = x->in->evidence, n = 0, last = SIZE_MAX;
    f->evidence = findings_array(x->ar, max, sizeof *f->evidence);
    for (size_t i = 0; i < l->n && max; i++) {
        if (s && !evsel_ok(s, &l->v[i]))
            continue;
        if (n < max - 1)
            f->evidence[n++] = l->v[i].e;
        else
            last = i;
    }
    if (last != SIZE_MAX)
        f->evidence[n++] = l->v[last].e;
    for (size_t i = 0; n == 0 && i < l->n && i < max; i++)
        f->evidence[i] = l->v[i].e;
    f->nevidence = n ? n : (l->n < max ? l->n : max);
}

/* ---- rule findings ------------------------------------------------------ */

static void
rule_findings(struct mw_fnd_ctx *x)
{
    for (size_t i = 0; i < x->in->nrules; i++) {
        const struct mw_fnd_rule *r = &x->in->rules[i];
        if (r->count == 0)
            continue;
        struct mw_sum_finding *f = findings_cand_new(x, false, r->srcmask);
        /* Confidence 1: a rule finding only states what the log says, in
         * the words of the rule written for that message. */
        findings_set_text(f, r->id, r->category, r->level, 1.0);
        f->title = r->title;
        f->cause = r->cause;
        f->fix = r->fix;
        f->count = r->count;
        findings_set_timing(x, f, r->series, r->first, r->last);
        findings_set_clients(x, f, r->ips, r->nips, r->nips_total);
        findings_set_evidence(x, f, &r->ev, NULL);
    }
}

/* ---- ranking --------------------------------------------------------------
 */

static int
cand_cmp(const void *pa, const void *pb)
{
    const struct mw_fnd_cand *a = pa, *b = pb;
    if (a->tier != b->tier)
        return a->tier > b->tier ? -1 : 1;
    if (a->eff != b->eff)
        return a->eff > b->eff ? -1 : 1;
    if (a->detector != b->detector)
        return a->detector ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->f.id, b->f.id);
}

/* Score every candidate; a detector finding is lifted to the score of the
 * best rule finding it explains, so that it sorts just above it. Critical
 * findings (a full disk, TLS off for everyone) come before all others
 * whatever their counts; a detector explaining a critical rule finding is
 * critical too, so that it still sorts above it. */
static void
rank(struct mw_fnd_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        struct mw_fnd_cand *c = &x->c[i];
        c->score = findings_score(c->f.level, c->f.count, c->f.confidence);
        c->eff = c->score;
        c->tier = c->f.level == MW_LEVEL_CRITICAL;
    }
    for (size_t i = 0; i < x->n; i++) {
        struct mw_fnd_cand *d = &x->c[i];
        for (size_t j = 0; d->detector && j < x->n; j++) {
            const struct mw_fnd_cand *r = &x->c[j];
            if (r->detector || !(r->mask & d->mask))
                continue;
            if (r->score > d->eff)
                d->eff = r->score;
            if (r->tier > d->tier)
                d->tier = r->tier;
        }
    }
    if (x->n)
        qsort(x->c, x->n, sizeof *x->c, cand_cmp);
}

void
findings_build(const struct mw_fnd_in *in, struct mw_fnd_arena *ar,
               struct mw_strpool *pool, struct mw_sum_finding **out,
               size_t *nout)
{
    struct mw_fnd_ctx x = {in, ar, pool, NULL, 0, 0};
    rule_findings(&x);
    findings_detect_bruteforce(&x);
    findings_detect_spraying(&x);
    findings_detect_tls(&x);
    findings_detect_outbound(&x);
    findings_detect_dns(&x);
    findings_detect_dnsbl(&x);
    findings_detect_overload(&x);
    findings_detect_disk(&x);
    rank(&x);
    *out = findings_array(ar, x.n, sizeof **out);
    for (size_t i = 0; i < x.n; i++)
        (*out)[i] = x.c[i].f;
    *nout = x.n;
    free(x.c);
}
