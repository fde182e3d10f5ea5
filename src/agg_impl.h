/* Private to the aggregator: agg.c (inputs, lines, rule hits),
 * agg_tab.c (string tables), agg_shape.c (unmatched line shapes) and
 * agg_summary.c (the summary and the input of findings_build). */
#ifndef MW_AGG_IMPL_H
#define MW_AGG_IMPL_H

#include "agg.h"
#include "findings.h"
#include "rules.h"
#include "strpool.h"
#include "window.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_AGG_NCAT         32  /* category counters (see rules.h) */
#define MW_AGG_SRC_EVIDENCE 16u /* lines kept per detector source */
#define MW_AGG_RULE_CACHE   64  /* slots of the rule lookup cache */

/* ---- agg_tab.c ---------------------------------------------------------- */

/* Open-addressing index of strings copied into the pool; entry data lives
 * in parallel arrays owned by the caller, indexed by the returned index. */
struct mw_agg_tab {
    uint32_t *slots; /* 0 = empty, else index + 1 */
    size_t nslots;
    const char **keys;
    uint32_t *lens;
    uint64_t *hashes;
    size_t n, cap, limit;
};

/* hash of s[0..n) for agg_tab_get */
uint64_t agg_tab_hash(const char *s, size_t n);
/* Index of s (len bytes, hash h). Absent: inserted (copied into pool,
 * *isnew set) unless pool is NULL or the table is full; MW_FND_NONE then. */
uint32_t agg_tab_get(struct mw_agg_tab *t, const char *s, size_t len,
                     uint64_t h, struct mw_strpool *pool, bool *isnew);
/* free the index (the keys are in the pool) */
void agg_tab_free(struct mw_agg_tab *t);
/* Grow the parallel entry array arr (*cap entries of size bytes) so that
 * index i fits, new entries zeroed; returns the array (exits on failure). */
void *agg_tab_fit(void *arr, size_t *cap, size_t i, size_t size);

/* ---- the aggregator ----------------------------------------------------- */

/* The first max lines (copied into the pool) and the latest one after them
 * (in a buffer of its own, overwritten on every hit). */
struct mw_agg_evkeep {
    struct mw_fnd_ev *first;
    size_t nfirst;
    struct mw_fnd_ev last;
    char *lastbuf;
    bool has_last;
};

/* one input (file or standard input) */
struct mw_agg_input {
    const char *path, *dialect;
    uint64_t lines, matched, unparsed, truncated;
    bool read_error;
};

/* per client address (iptab) */
struct mw_agg_ip {
    uint64_t count, auth, tls, dnsbl;
    int64_t first, last, tls_first;
    uint64_t *full;  /* MW_AGG_NCAT counters once a 4th category shows up */
    uint64_t cnt[3]; /* else up to 3 (category, count) pairs */
    uint8_t cat[3];
    uint8_t ncat;
};

/* per user name (usertab) */
struct mw_agg_user {
    uint64_t count, auth;
    struct mw_counts ips, auth_ips; /* keys: client indices */
};

/* per outbound destination (desttab) */
struct mw_agg_dest {
    uint64_t count, port25;
    int64_t first, last;
    const char *host; /* the first host name seen for this destination */
    bool many_hosts;  /* more than one */
};

/* per unmatched line shape (shapetab) */
struct mw_agg_shape {
    const char *example;
    uint64_t count;
};

/* per category (index of category_index) */
struct mw_agg_cat {
    const char *name;
    uint64_t count;
    int64_t first, last;
    struct mw_counts series;
};

/* per detector source (enum mw_fnd_src) */
struct mw_agg_src {
    uint64_t count;
    int64_t first, last;
    struct mw_counts series;
    struct mw_agg_evkeep ev;
};

/* per rule that hit */
struct mw_agg_rule {
    const struct mw_rule *rule; /* identity only; strings are copied */
    const char *id, *title, *category, *cause, *fix;
    enum mw_level level;
    int cat;           /* category index or -1 */
    uint32_t srcfixed; /* sources implied by category and id */
    uint32_t srcmask;  /* sources fed so far */
    bool out_cat;      /* connection.refused / .timeout, network */
    bool dnsbl_cat;    /* policy.dnsbl */
    uint64_t count;
    int64_t first, last;
    struct mw_counts series, ips, users;
    struct mw_agg_evkeep ev;
};

/* the aggregator: agg.c fills it, agg_shape.c adds the unmatched lines,
 * agg_summary.c reads it */
struct mw_agg {
    size_t top, evidence;
    int64_t window;
    int64_t base;
    struct mw_strpool *pool;
    struct mw_fnd_arena arena;
    struct mw_agg_input *inputs;
    size_t ninputs, capinputs;
    bool has_span;
    int64_t span_start, span_end;
    uint64_t lines, matched;
    struct mw_agg_cat cats[MW_AGG_NCAT];
    struct mw_agg_rule *rules;
    size_t nrules, caprules;
    uint32_t rulecache[MW_AGG_RULE_CACHE]; /* rule index + 1, by pointer hash */
    struct mw_agg_tab iptab, usertab, desttab, domtab, dnsbltab, shapetab;
    struct mw_agg_ip *ips;
    struct mw_agg_user *users;
    struct mw_agg_dest *dests;
    struct mw_agg_shape *shapes;
    size_t capips, capusers, capdests, capshapes;
    uint64_t ip_overflow, user_overflow, shape_overflow;
    uint64_t unmatched_seen; /* lines passed to agg_unmatched */
    struct mw_fnd_dnsev *dns;
    size_t ndns, capdns;
    size_t pair_budget;
    struct mw_agg_src src[MW_SRC_COUNT];
};

/* agg.c: hits of client e in category cat */
uint64_t agg_ip_cat(const struct mw_agg_ip *e, int cat);

#endif
