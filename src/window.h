/* Time windows: sparse counters keyed by bucket, the automatic window size,
 * rebinning to the final window, and burst (onset / peak) detection on a
 * series. Everything here is pure computation on arrays.
 *
 * Counts are kept at a base resolution (window_base) while reading, because
 * the final window is known only once the whole span has been seen. Windows
 * are aligned to multiples of their size since the epoch (UTC), so 1h, 6h and
 * 1d windows start on UTC hour and day boundaries. */
#ifndef MW_WINDOW_H
#define MW_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the most windows a summary series may have (2 weeks of 1 min windows);
 * a --window that would give more over the span is widened to a multiple
 * of itself, which bounds the memory of every per-rule series */
#define MW_WINDOW_MAX_POINTS 20000u

/* ---- sparse counters ------------------------------------------------ */

struct mw_counts_slot {
    int64_t key;
    uint64_t val; /* 0 = empty slot */
};

/* Open-addressing map int64 key -> count. A zero-initialised struct is an
 * empty, valid map. Used for time buckets, and for other integer keys
 * (table indices) by the aggregator. */
struct mw_counts {
    struct mw_counts_slot *slots;
    size_t cap;  /* 0 or a power of two */
    size_t n;    /* keys held */
    size_t hint; /* slot touched last: logs are mostly in time order */
};

/* Add n to key. A new key is refused (false returned, nothing added) when
 * limit > 0 and the map already holds limit keys. n == 0 adds nothing. */
bool window_counts_add(struct mw_counts *c, int64_t key, uint64_t n,
                       size_t limit);
/* the count of key (0 when absent) */
uint64_t window_counts_get(const struct mw_counts *c, int64_t key);
/* iterate: start with *it = 0; true with the next key and count */
bool window_counts_next(const struct mw_counts *c, size_t *it, int64_t *key,
                        uint64_t *val);
void window_counts_free(struct mw_counts *c); /* the struct is reusable */

/* ---- window sizes and series --------------------------------------- */

/* floor(a / b) for b > 0, also for negative a */
int64_t window_floor_div(int64_t a, int64_t b);
/* Resolution counts are kept at: the requested window when one was given
 * (so that rebinning is exact for any size), else 60 s, which divides every
 * automatic size. */
int64_t window_base(int64_t requested);
/* Automatic window for a span: the smallest of 60, 300, 900, 3600, 21600,
 * 86400 s giving at most 150 windows (so 25..150 windows, fewer only for
 * spans under 25 min or beyond 150 days): 1 h -> 1m (60 windows), 12 h ->
 * 5m (144), 1 day -> 15m (96), 2 days -> 1h (48), 1 week -> 6h (28),
 * 30 days -> 6h (120), 90 days -> 1d. */
int64_t window_auto(int64_t span_seconds);

/* The final layout of the series over [start, end] (epoch seconds). */
struct mw_window_layout {
    int64_t base;   /* resolution of the counters */
    int64_t window; /* final window: a multiple of base */
    int64_t first;  /* start of the first window */
    size_t n;       /* windows from first up to the one holding end */
};

/* Choose the final window: requested (or window_auto when 0), widened to a
 * multiple of base when it would give more than MW_WINDOW_MAX_POINTS
 * windows. Requires start <= end. */
void window_layout(struct mw_window_layout *l, int64_t requested, int64_t start,
                   int64_t end);
/* Sum base-resolution counters (keys = floor(t / base)) into out[0..l->n),
 * which is zeroed first. Keys outside the layout are ignored. */
void window_rebin(const struct mw_counts *c, const struct mw_window_layout *l,
                  uint64_t *out);

/* ---- bursts --------------------------------------------------------- */

struct mw_burst {
    bool any;    /* some window is non-zero */
    size_t peak; /* index of the first window with the maximum */
    uint64_t peak_count;
    bool has_onset;   /* a clear rise above the baseline was found */
    size_t onset;     /* index of its first window (valid if has_onset) */
    bool ongoing;     /* the last window is still above the baseline */
    double baseline;  /* median of the windows before the onset */
    double spread;    /* their median absolute deviation */
    double threshold; /* what "clearly above the baseline" means */
};

/* Find peak, onset and whether it is ongoing in v[0..n).
 *
 * Peak: the first window holding the maximum.
 *
 * Onset, the first window of the burst that leads to the peak:
 * 1. first guess of its start: the point from which windows above
 *    max(3, peak/4) (or, when that fails, peak/2) outnumber the others up
 *    to the peak (a maximum suffix sum of +1/-1, so that a quiet window
 *    inside the burst does not cut it);
 * 2. baseline: median and MAD of the windows before the start, at least 3
 *    of them. A window is "clearly above" it when its count exceeds the
 *    threshold max(3, 3 x median + 2 x max(MAD, sqrt(median)),
 *    median + 4 x sqrt(median) + 1): counts are Poisson-like, the MAD of
 *    quiet windows understates their noise, and at low levels 3 x median
 *    alone is within it;
 * 3. start and baseline are refined together (the start moves to where
 *    windows above the midpoint of baseline and burst begin to dominate)
 *    until they settle, then the start moves back over a ramp of windows
 *    above the threshold, or forward to the first such window, and the
 *    baseline is taken again before that onset;
 * 4. the onset is reported only when the rise is clear: the burst (from
 *    the onset over the peak to its last window above the threshold, one
 *    quiet window tolerated) has a median above the threshold, and two of
 *    its windows exceed it or the peak exceeds twice the threshold. A
 *    series that is high from its first windows has no onset.
 * On Poisson noise of any level this reports an onset in fewer than 0.2%
 * of 150-window series; a step of 10 x the baseline is found within one
 * window in about 99% of them.
 *
 * Ongoing: with an onset, the last window exceeds median + 2 x MAD of the
 * baseline; without one, the last window is non-zero.
 * Allocates scratch memory (exits on failure like xmalloc). */
void window_detect(const uint64_t *v, size_t n, struct mw_burst *b);

/* median of v[0..n) (0 when n == 0); v is reordered */
double window_median(double *v, size_t n);

#endif
