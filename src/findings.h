/* Findings: the ranked list of causes of the summary. agg.c collects the
 * tables below while reading and findings_build turns them into one finding
 * per rule that hit plus the findings of the detectors (brute force, TLS
 * breakage, outbound blocking, DNS, DNSBL listing, overload, disk), ranked.
 * This header is the interface between the aggregator (agg*.c) and the
 * findings (findings*.c) only. */
#ifndef MW_FINDINGS_H
#define MW_FINDINGS_H

#include "agg.h"
#include "rules.h"
#include "strpool.h"
#include "window.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_FND_NONE    UINT32_MAX
#define MW_FND_NO_TIME INT64_MIN

/* What a rule hit feeds besides its rule and category. A detector finding
 * "explains" the rule findings whose rule fed one of its sources, and is
 * ranked just above them. */
enum mw_fnd_src {
    MW_SRC_AUTH,      /* auth.failure */
    MW_SRC_TLS,       /* tls.* */
    MW_SRC_OUT,       /* refused / timeout / network with remote_* fields */
    MW_SRC_DNS,       /* dns */
    MW_SRC_DNSBL_OUT, /* policy.dnsbl without client_ip: our mail rejected */
    MW_SRC_DNSBL_IN,  /* policy.dnsbl with client_ip: we rejected a client */
    MW_SRC_OVERLOAD,  /* server.unavailable (other than disk) */
    MW_SRC_DISK,      /* rule id holding "disk" or "No space left" text */
    MW_SRC_COUNT
};

/* one kept evidence line and what it is about */
struct mw_fnd_ev {
    struct mw_sum_evidence e;
    int64_t t;               /* MW_FND_NO_TIME when the line has none */
    uint32_t ip, user, dest; /* table indices or MW_FND_NONE */
};

struct mw_fnd_evlist {
    const struct mw_fnd_ev *v; /* the first lines, then the last one */
    size_t n;
};

struct mw_fnd_rule {
    const char *id, *title, *category, *cause, *fix;
    enum mw_level level;
    uint64_t count;
    int64_t first, last;    /* MW_FND_NO_TIME when no hit had a time */
    const uint64_t *series; /* layout.n windows */
    uint32_t srcmask;       /* bits 1u << enum mw_fnd_src */
    const uint32_t *ips;    /* top client indices, by count descending */
    size_t nips, nips_total;
    size_t nusers;           /* distinct user names (capped set) */
    struct mw_fnd_evlist ev; /* already cut to the evidence count */
};

struct mw_fnd_ip {
    const char *ip;
    uint64_t count, auth, tls, dnsbl; /* all, auth.failure, tls.*, dnsbl */
    int64_t first, last;
    int64_t tls_first; /* first timed TLS failure, or INT64_MAX */
};

struct mw_fnd_user {
    const char *name;
    uint64_t auth;            /* auth.failure hits naming this user */
    const uint32_t *auth_ips; /* distinct clients failing as this user */
    size_t nauth_ips;         /* (capped set) */
};

struct mw_fnd_dest {
    const char *name; /* domain of remote_host, else remote_ip */
    const char *host; /* the first host name seen */
    bool many_hosts;  /* several hosts of that domain failed */
    uint64_t count, port25;
    int64_t first, last; /* MW_FND_NO_TIME when none */
};

struct mw_fnd_dnsev {
    int64_t t;
    uint32_t domain; /* index into domains or MW_FND_NONE */
};

struct mw_fnd_srcstat {
    uint64_t count;
    int64_t first, last;     /* MW_FND_NO_TIME when none */
    const uint64_t *series;  /* layout.n windows */
    struct mw_fnd_evlist ev; /* first lines of the source, then the last */
};

struct mw_fnd_in {
    const struct mw_summary *sum; /* inputs, span and window are set */
    struct mw_window_layout layout;
    size_t top;      /* client addresses per finding */
    size_t evidence; /* evidence lines per finding */
    const struct mw_fnd_rule *rules;
    size_t nrules;
    const struct mw_fnd_ip *ips;
    size_t nips;
    const struct mw_fnd_user *users;
    size_t nusers;
    const struct mw_fnd_dest *dests;
    size_t ndests;
    const struct mw_fnd_dnsev *dns; /* sorted by time */
    size_t ndns;
    const char *const *dnsbls; /* lists named in rejects of our mail */
    size_t ndnsbls;
    struct mw_fnd_srcstat src[MW_SRC_COUNT];
};

/* ---- memory for the summary ---------------------------------------- */

struct mw_fnd_block;

/* A zero-initialised arena is empty and valid. */
struct mw_fnd_arena {
    struct mw_fnd_block *blocks;
};

/* n zeroed bytes that live until findings_arena_free (exits on failure) */
void *findings_alloc(struct mw_fnd_arena *ar, size_t n);
/* like findings_alloc for an array of n elements of size bytes */
void *findings_array(struct mw_fnd_arena *ar, size_t n, size_t size);
void findings_arena_free(struct mw_fnd_arena *ar);

/* ---- building ------------------------------------------------------ */

/* Rank score: level weight (informational 1, low 2, medium 4, high 8,
 * critical 16) x (1 + log10(count)) x confidence. */
double findings_score(enum mw_level level, uint64_t count, double confidence);

/* Build the ranked findings. Arrays come from ar, formatted strings from
 * pool; *out and *nout receive them. */
void findings_build(const struct mw_fnd_in *in, struct mw_fnd_arena *ar,
                    struct mw_strpool *pool, struct mw_sum_finding **out,
                    size_t *nout);

#endif
