/* Aggregation: counts per input, category, client IP, rule and time window,
 * evidence samples, unmatched line shapes; and the summary that renderers
 * print. Everything kept is copied into the aggregator's string pool. */
#ifndef MW_AGG_H
#define MW_AGG_H

#include "dialect.h"
#include "rules.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mw_agg_opts {
    int64_t window;  /* seconds; 0 = choose from the span */
    size_t top;      /* list lengths in the summary; 0 = 10 */
    size_t evidence; /* evidence lines per finding; 0 = 3 */
};

struct mw_agg;

struct mw_agg *agg_new(const struct mw_agg_opts *o);
void agg_free(struct mw_agg *a); /* accepts NULL */

/* Start an input; returns its index. path and dialect are copied. */
size_t agg_input_begin(struct mw_agg *a, const char *path, const char *dialect);
/* Every line of the input inside the time filter, matched or not. */
void agg_line(struct mw_agg *a, size_t input, const struct mw_record *rec);
/* A rule hit for a line already passed to agg_line. */
void agg_event(struct mw_agg *a, size_t input, const struct mw_event *ev);
/* A line with no hit (feeds the unmatched-shape table). */
void agg_unmatched(struct mw_agg *a, size_t input, const struct mw_record *rec);
/* Counters known only at the end of an input. */
void agg_input_end(struct mw_agg *a, size_t input, uint64_t truncated,
                   bool read_error);

/* ---- the summary ---------------------------------------------------- */

struct mw_sum_input {
    const char *path, *dialect;
    uint64_t lines, matched, unparsed, truncated;
    bool read_error;
};

struct mw_sum_point {
    int64_t start; /* window start, epoch seconds */
    uint64_t count;
};

struct mw_sum_category {
    const char *category;
    uint64_t count;
    size_t clients;      /* distinct client IPs */
    int64_t first, last; /* epoch seconds */
    struct mw_sum_point peak;
    struct mw_sum_point *series; /* every window of the span, zeros kept */
    size_t nseries;
};

struct mw_sum_client {
    const char *ip;
    uint64_t count;
    uint64_t by_category[32]; /* indexed by category_index(); see rules.h */
    int64_t first, last;
};

struct mw_sum_evidence {
    const char *path;
    uint64_t line;
    const char *text; /* the raw line (may hold any bytes but NUL) */
    size_t text_len;
};

struct mw_sum_finding {
    const char *id; /* stable: the rule id or a detector id */
    const char *title;
    const char *category;
    const char *cause;
    const char *fix;
    enum mw_level level;
    double confidence;  /* 0..1 */
    int64_t start, end; /* first and last hit, epoch seconds */
    int64_t onset;      /* start of the burst (window start) */
    struct mw_sum_point peak;
    bool ongoing; /* still going in the last window of the span */
    uint64_t count;
    const char **clients; /* top client IPs */
    size_t nclients;
    size_t nclients_total;
    struct mw_sum_evidence *evidence;
    size_t nevidence;
    const char *cause_id; /* a cause of data/causes.yaml (findings of the
                             detectors), or NULL */
};

struct mw_sum_shape {
    const char *shape; /* line with numbers, IPs, ids masked */
    uint64_t count;
    const char *example;
};

struct mw_summary {
    struct mw_sum_input *inputs;
    size_t ninputs;
    bool has_span;
    int64_t span_start, span_end;
    int64_t window;
    uint64_t lines, matched;
    struct mw_sum_category *categories; /* by count, descending */
    size_t ncategories;
    struct mw_sum_client *clients; /* by count, descending; top N */
    size_t nclients;
    size_t nclients_total;
    struct mw_sum_finding *findings; /* ranked, most important first */
    size_t nfindings;
    struct mw_sum_shape *unmatched; /* by count, descending; top N */
    size_t nunmatched;
};

/* Build the summary (owned by the aggregator; valid until agg_free). */
const struct mw_summary *agg_summary(struct mw_agg *a);

/* window size chosen for a span: 1m, 5m, 15m, 1h, 6h or 1d */
int64_t agg_auto_window(int64_t span_seconds);

#endif
