/* Private to the findings: findings.c (candidates, rule findings,
 * ranking), findings_query.c (lookups the detectors share) and the
 * detectors: findings_auth.c, findings_tls.c, findings_net.c (outbound
 * connections, DNS, DNSBL) and findings_server.c (server resources). */
#ifndef MW_FINDINGS_IMPL_H
#define MW_FINDINGS_IMPL_H

#include "agg.h"
#include "diag.h"
#include "findings.h"
#include "strpool.h"
#include "window.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a finding before ranking */
struct mw_fnd_cand {
    struct mw_sum_finding f;
    bool detector;
    uint32_t mask; /* rule: sources it fed; detector: sources it explains */
    double score, eff;
    int tier; /* 1 critical, 0 the rest */
};

/* the findings being built */
struct mw_fnd_ctx {
    const struct mw_fnd_in *in;
    struct mw_fnd_arena *ar;
    struct mw_strpool *pool;
    struct mw_fnd_cand *c;
    size_t n, cap;
};

/* what an evidence line must be about to back a finding */
struct mw_fnd_evsel {
    const uint32_t *ips; /* one of these clients (nips > 0) */
    size_t nips;
    uint32_t user, dest; /* or MW_FND_NONE */
    int64_t from, to;    /* time range (inclusive) */
};

/* ---- findings.c: candidates ------------------------------------------ */

/* A new candidate (zeroed but for detector and mask: for a rule finding
 * the sources it fed, for a detector the sources it explains); valid
 * until the next findings_cand_new. */
struct mw_sum_finding *findings_cand_new(struct mw_fnd_ctx *x, bool detector,
                                         uint32_t mask);
/* printf into the pool */
const char *findings_fmt(struct mw_fnd_ctx *x, const char *f, ...)
    MW_PRINTF(2, 3);
/* Timing of a finding: first/last hit, and onset, peak and ongoing from
 * its series (layout.n windows). */
void findings_set_timing(struct mw_fnd_ctx *x, struct mw_sum_finding *f,
                         const uint64_t *series, int64_t first, int64_t last);
void findings_set_text(struct mw_sum_finding *f, const char *id,
                       const char *category, enum mw_level level,
                       double confidence);
/* client address list from table indices idx[0..n) of total clients */
void findings_set_clients(struct mw_fnd_ctx *x, struct mw_sum_finding *f,
                          const uint32_t *idx, size_t n, size_t total);
/* a selection that takes every line */
void findings_evsel_init(struct mw_fnd_evsel *s);
/* Evidence lines of l selected by s (all when s is NULL). */
void findings_set_evidence(struct mw_fnd_ctx *x, struct mw_sum_finding *f,
                           const struct mw_fnd_evlist *l,
                           const struct mw_fnd_evsel *s);

/* ---- findings_query.c ------------------------------------------------ */

/* what client addresses are ranked by */
enum mw_fnd_metric {
    MW_FND_METRIC_AUTH,
    MW_FND_METRIC_TLS,
    MW_FND_METRIC_DNSBL
};

/* the sum of series over the windows holding [from, to] */
uint64_t findings_series_sum(const struct mw_window_layout *l,
                             const uint64_t *series, int64_t from, int64_t to);
/* The k clients with the highest metric (> 0) among idx[0..n) (all clients
 * when idx is NULL), best first, into out; returns how many. */
size_t findings_top_ips(const struct mw_fnd_in *in, const uint32_t *idx,
                        size_t n, enum mw_fnd_metric m, size_t k,
                        uint32_t *out);
/* first and last hit of the clients idx[0..n), MW_FND_NO_TIME for none */
void findings_span_of_ips(const struct mw_fnd_in *in, const uint32_t *idx,
                          size_t n, int64_t *first, int64_t *last);
/* the category of the rule that fed source src most, or fallback */
const char *findings_main_category(const struct mw_fnd_in *in,
                                   enum mw_fnd_src src, const char *fallback);
/* the same in the windows of [from, to] */
const char *findings_main_category_in(const struct mw_fnd_in *in,
                                      enum mw_fnd_src src, int64_t from,
                                      int64_t to, const char *fallback);
/* v limited to [0, 1] */
double findings_clamp01(double v);
/* "a, b, c" of up to n addresses, or "" when that would exceed max bytes */
const char *findings_ip_list(struct mw_fnd_ctx *x, const uint32_t *idx,
                             size_t n, size_t max);

/* ---- the detectors: each adds its candidates, if any --------------------- */

void findings_detect_bruteforce(struct mw_fnd_ctx *x); /* findings_auth.c */
void findings_detect_spraying(struct mw_fnd_ctx *x);
void findings_detect_tls(struct mw_fnd_ctx *x);      /* findings_tls.c */
void findings_detect_outbound(struct mw_fnd_ctx *x); /* findings_net.c */
void findings_detect_dns(struct mw_fnd_ctx *x);
void findings_detect_dnsbl(struct mw_fnd_ctx *x);
void findings_detect_overload(struct mw_fnd_ctx *x); /* findings_server.c */
void findings_detect_disk(struct mw_fnd_ctx *x);

#endif
