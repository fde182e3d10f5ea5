#include "config.h"

#include "window.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- sparse counters ------------------------------------------------ */

static size_t
counts_hash(int64_t key, size_t mask)
{
    /* Fibonacci hashing: consecutive buckets spread over the table */
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 29)) & mask;
}

static void
counts_grow(struct mw_counts *c)
{
    size_t cap = c->cap ? c->cap * 2 : 16;
    struct mw_counts_slot *s = xcalloc(cap, sizeof *s);
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->slots[i].val)
            continue;
        size_t j = counts_hash(c->slots[i].key, cap - 1);
        while (s[j].val)
            j = (j + 1) & (cap - 1);
        s[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = s;
    c->cap = cap;
    c->hint = 0;
}

bool
window_counts_add(struct mw_counts *c, int64_t key, uint64_t n, size_t limit)
{
    if (n == 0)
        return true;
    if (c->cap && c->slots[c->hint].val && c->slots[c->hint].key == key) {
        c->slots[c->hint].val += n;
        return true;
    }
    if ((c->n + 1) * 4 > c->cap * 3)
        counts_grow(c);
    size_t mask = c->cap - 1;
    size_t j = counts_hash(key, mask);
    while (c->slots[j].val) {
        if (c->slots[j].key == key) {
            c->slots[j].val += n;
            c->hint = j;
            return true;
        }
        j = (j + 1) & mask;
    }
    if (limit && c->n >= limit)
        return false;
    c->slots[j].key = key;
    c->slots[j].val = n;
    c->n++;
    c->hint = j;
    return true;
}

uint64_t
window_counts_get(const struct mw_counts *c, int64_t key)
{
    if (!c->cap)
        return 0;
    size_t mask = c->cap - 1;
    for (size_t j = counts_hash(key, mask); c->slots[j].val;
         j = (j + 1) & mask) {
        if (c->slots[j].key == key)
            return c->slots[j].val;
    }
    return 0;
}

bool
window_counts_next(const struct mw_counts *c, size_t *it, int64_t *key,
                   uint64_t *val)
{
    while (*it < c->cap) {
        const struct mw_counts_slot *s = &c->slots[(*it)++];
        if (s->val) {
            *key = s->key;
            *val = s->val;
            return true;
        }
    }
    return false;
}

void
window_counts_free(struct mw_counts *c)
{
    free(c->slots);
    memset(c, 0, sizeof *c);
}

/* ---- window sizes and series --------------------------------------- */

int64_t
window_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && a < 0)
        q--;
    return q;
}

int64_t
window_base(int64_t requested)
{
    return requested > 0 ? requested : 60;
}

int64_t
window_auto(int64_t span_seconds)
{
    static const int64_t sizes[] = {60, 300, 900, 3600, 21600, 86400};
    const size_t nsizes = sizeof sizes / sizeof sizes[0];
    for (size_t i = 0; i < nsizes; i++) {
        if (span_seconds / sizes[i] <= 150)
            return sizes[i];
    }
    return sizes[nsizes - 1];
}

static uint64_t
layout_count(int64_t window, int64_t start, int64_t end)
{
    return (uint64_t)(window_floor_div(end, window) -
                      window_floor_div(start, window)) +
           1;
}

void
window_layout(struct mw_window_layout *l, int64_t requested, int64_t start,
              int64_t end)
{
    l->base = window_base(requested);
    int64_t w = requested > 0 ? requested : window_auto(end - start);
    if (layout_count(w, start, end) > MW_WINDOW_MAX_POINTS) {
        /* widen to a multiple of the base so that rebinning stays exact */
        int64_t k = (int64_t)(layout_count(l->base, start, end) /
                              MW_WINDOW_MAX_POINTS) +
                    1;
        while (layout_count(l->base * k, start, end) > MW_WINDOW_MAX_POINTS)
            k++;
        w = l->base * k;
    }
    l->window = w;
    l->first = window_floor_div(start, w) * w;
    l->n = (size_t)layout_count(w, start, end);
}

void
window_rebin(const struct mw_counts *c, const struct mw_window_layout *l,
             uint64_t *out)
{
    memset(out, 0, l->n * sizeof *out);
    size_t it = 0;
    int64_t key;
    uint64_t val;
    int64_t first_idx = window_floor_div(l->first, l->window);
    while (window_counts_next(c, &it, &key, &val)) {
        /* key * base is the bucket start; base divides window */
        int64_t idx = window_floor_div(key, l->window / l->base) - first_idx;
        if (idx >= 0 && (uint64_t)idx < l->n)
            out[idx] += val;
    }
}

/* ---- bursts --------------------------------------------------------- */

/* windows needed before a burst to know what "normal" was */
#define MIN_BASELINE 3

static double
select_kth(double *a, size_t n, size_t kk)
{
    /* Wirth's selection: a[k] ends in its sorted place, with no larger
     * value before it and no smaller value after it */
    ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, k = (ptrdiff_t)kk;
    while (l < m) {
        double x = a[k];
        ptrdiff_t i = l, j = m;
        do {
            while (a[i] < x)
                i++;
            while (x < a[j])
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k)
            l = i;
        if (k < i)
            m = j;
    }
    return a[k];
}

double
window_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    double hi = select_kth(v, n, n / 2);
    if (n % 2)
        return hi;
    /* the lower middle is the largest value left of n/2 */
    double lo = v[0];
    for (size_t i = 1; i < n / 2; i++)
        if (v[i] > lo)
            lo = v[i];
    return (lo + hi) / 2;
}

static void
baseline_of(const uint64_t *v, size_t n, double *scratch, struct mw_burst *b)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = (double)v[i];
    double med = window_median(scratch, n);
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabs((double)v[i] - med);
    b->baseline = med;
    b->spread = window_median(scratch, n);
    /* Counts are Poisson-like: the MAD of quiet windows understates the
     * noise, so it is taken as at least sqrt(median); and at low levels
     * (median 0.5 .. 2) 3 x median is within the noise, so the threshold
     * is also at least 4 standard deviations above the median. */
    double sd = sqrt(med);
    b->threshold = fmax(fmax(3.0, 3.0 * med + 2.0 * fmax(b->spread, sd)),
                        med + 4.0 * sd + 1.0);
}

/* The start of the burst ending at peak: the o in [lo, peak] maximising
 * (windows above thr) - (windows not above it) over [o, peak]. Quiet
 * windows inside the burst then do not cut it, and a lone noisy window
 * before it does not extend it. Ties go to the later start. */
static size_t
suffix_onset(const uint64_t *v, size_t lo, size_t peak, double thr)
{
    long acc = 0, best = 0;
    size_t o = peak;
    for (size_t i = peak + 1; i-- > lo;) {
        acc += (double)v[i] > thr ? 1 : -1;
        if (acc > best) {
            best = acc;
            o = i;
        }
    }
    return o;
}

/* median of v[lo..hi] */
static double
median_of(const uint64_t *v, size_t lo, size_t hi, double *scratch)
{
    for (size_t i = lo; i <= hi; i++)
        scratch[i - lo] = (double)v[i];
    return window_median(scratch, hi - lo + 1);
}

/* Settle the start j of the burst and the baseline before it: each round
 * takes the baseline of the windows before j and moves j to where windows
 * above the midpoint between the baseline and the burst's median begin to
 * dominate. false when the peak is not above the threshold. */
static bool
settle_onset(const uint64_t *v, struct mw_burst *b, double *scratch,
             size_t *start)
{
    size_t j = *start;
    for (int round = 0; round < 4; round++) {
        baseline_of(v, j, scratch, b);
        if ((double)b->peak_count <= b->threshold)
            return false;
        double burst = median_of(v, j, b->peak, scratch);
        double cut =
            fmax((b->baseline + burst) / 2, b->baseline + fmax(b->spread, 1));
        size_t o = suffix_onset(v, MIN_BASELINE, b->peak, cut);
        if (o == j)
            break;
        j = o;
    }
    *start = j;
    return true;
}

/* the last window of the burst holding the peak: forward from it over
 * windows above thr, one quiet window inside being tolerated */
static size_t
burst_end(const uint64_t *v, size_t n, size_t peak, double thr)
{
    size_t e = peak;
    while (e + 1 < n) {
        if ((double)v[e + 1] > thr)
            e++;
        else if (e + 2 < n && (double)v[e + 2] > thr)
            e += 2;
        else
            break;
    }
    return e;
}

static void
find_onset(const uint64_t *v, size_t n, struct mw_burst *b, double *scratch)
{
    double peak = (double)b->peak_count;
    if (b->peak < MIN_BASELINE)
        return; /* nothing before the peak to compare with */
    /* first guesses of the start: where windows above a quarter (else
     * half) of the peak begin to dominate */
    size_t j = suffix_onset(v, MIN_BASELINE, b->peak, fmax(3.0, peak / 4));
    if (!settle_onset(v, b, scratch, &j)) {
        j = suffix_onset(v, MIN_BASELINE, b->peak, fmax(3.0, peak / 2));
        if (!settle_onset(v, b, scratch, &j))
            return;
    }
    double thr = b->threshold;
    /* the onset is the first window of the burst clearly above the
     * baseline: back over a ramp, forward over a first window below */
    while (j > MIN_BASELINE && (double)v[j - 1] > thr)
        j--;
    while (j < b->peak && (double)v[j] <= thr)
        j++;
    /* judge against the windows before the onset actually reported */
    baseline_of(v, j, scratch, b);
    thr = b->threshold;
    if ((double)v[j] <= thr)
        return;
    /* clear: the burst is above the threshold as a whole, with two
     * windows above it or a peak of twice the threshold */
    size_t e = burst_end(v, n, b->peak, thr), above = 0;
    for (size_t i = j; i <= e; i++)
        above += (double)v[i] > thr;
    if (median_of(v, j, e, scratch) > thr && (above >= 2 || peak > 2 * thr)) {
        b->has_onset = true;
        b->onset = j;
    }
}

void
window_detect(const uint64_t *v, size_t n, struct mw_burst *b)
{
    memset(b, 0, sizeof *b);
    b->threshold = 3;
    for (size_t i = 0; i < n; i++) {
        if (v[i] > b->peak_count) {
            b->peak_count = v[i];
            b->peak = i;
        }
    }
    if (b->peak_count == 0)
        return;
    b->any = true;
    double *scratch = xreallocarray(NULL, n, sizeof *scratch);
    find_onset(v, n, b, scratch);
    free(scratch);
    double last = (double)v[n - 1];
    if (b->has_onset)
        b->ongoing = last > 0 && last > b->baseline + 2 * b->spread;
    else
        b->ongoing = last > 0;
}
