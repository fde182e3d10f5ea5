#include "config.h"

#include "findings.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

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

struct cand {
    struct mw_sum_finding f;
    bool detector;
    uint32_t mask; /* rule: sources it fed; detector: sources it explains */
    double score, eff;
    int tier; /* 1 critical, 0 the rest */
};

struct ctx {
    const struct mw_fnd_in *in;
    struct mw_fnd_arena *ar;
    struct mw_strpool *pool;
    struct cand *c;
    size_t n, cap;
};

static struct mw_sum_finding *
cand_new(struct ctx *x, bool detector, uint32_t mask)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 32;
        x->c = xreallocarray(x->c, x->cap, sizeof *x->c);
    }
    struct cand *c = &x->c[x->n++];
    memset(c, 0, sizeof *c);
    c->detector = detector;
    c->mask = mask;
    return &c->f;
}

static const char *fmt(struct ctx *x, const char *f, ...) MW_PRINTF(2, 3);

static const char *
fmt(struct ctx *x, const char *f, ...)
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
static void
set_timing(struct ctx *x, struct mw_sum_finding *f, const uint64_t *series,
           int64_t first, int64_t last)
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

/* the sum of series over the windows holding [from, to] */
static uint64_t
series_sum(const struct mw_window_layout *l, const uint64_t *series,
           int64_t from, int64_t to)
{
    uint64_t sum = 0;
    if (from == MW_FND_NO_TIME || to == MW_FND_NO_TIME || !l->n)
        return 0;
    int64_t a = window_floor_div(from - l->first, l->window);
    int64_t b = window_floor_div(to - l->first, l->window);
    for (int64_t i = a < 0 ? 0 : a; i <= b && i < (int64_t)l->n; i++)
        sum += series[i];
    return sum;
}

static void
set_text(struct mw_sum_finding *f, const char *id, const char *category,
         enum mw_level level, double confidence)
{
    f->id = id;
    f->category = category;
    f->level = level;
    f->confidence = confidence;
}

/* client address list from table indices */
static void
set_clients(struct ctx *x, struct mw_sum_finding *f, const uint32_t *idx,
            size_t n, size_t total)
{
    f->clients = findings_array(x->ar, n, sizeof *f->clients);
    for (size_t i = 0; i < n; i++)
        f->clients[i] = x->in->ips[idx[i]].ip;
    f->nclients = n;
    f->nclients_total = total;
}

/* what an evidence line must be about to back a finding */
struct evsel {
    const uint32_t *ips; /* one of these clients (nips > 0) */
    size_t nips;
    uint32_t user, dest; /* or MW_FND_NONE */
    int64_t from, to;    /* time range (inclusive) */
};

static bool
evsel_ok(const struct evsel *s, const struct mw_fnd_ev *e)
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

static void
evsel_init(struct evsel *s)
{
    memset(s, 0, sizeof *s);
    s->user = s->dest = MW_FND_NONE;
    s->from = INT64_MIN;
    s->to = INT64_MAX;
}

/* Evidence lines of l selected by s (all when s is NULL): the first ones
 * and the last one, like the lists they come from; when none fits, the
 * first lines of l (the finding is still about them). */
static void
set_evidence(struct ctx *x, struct mw_sum_finding *f,
             const struct mw_fnd_evlist *l, const struct evsel *s)
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
rule_findings(struct ctx *x)
{
    for (size_t i = 0; i < x->in->nrules; i++) {
        const struct mw_fnd_rule *r = &x->in->rules[i];
        if (r->count == 0)
            continue;
        struct mw_sum_finding *f = cand_new(x, false, r->srcmask);
        /* Confidence 1: a rule finding only states what the log says, in
         * the words of the rule written for that message. */
        set_text(f, r->id, r->category, r->level, 1.0);
        f->title = r->title;
        f->cause = r->cause;
        f->fix = r->fix;
        f->count = r->count;
        set_timing(x, f, r->series, r->first, r->last);
        set_clients(x, f, r->ips, r->nips, r->nips_total);
        set_evidence(x, f, &r->ev, NULL);
    }
}

/* ---- shared helpers for detectors --------------------------------------- */

enum ip_metric { M_AUTH, M_TLS, M_DNSBL };

static uint64_t
ip_metric(const struct mw_fnd_ip *ip, enum ip_metric m)
{
    return m == M_AUTH ? ip->auth : m == M_TLS ? ip->tls : ip->dnsbl;
}

static bool
ip_before(const struct mw_fnd_ip *a, const struct mw_fnd_ip *b,
          enum ip_metric m)
{
    uint64_t va = ip_metric(a, m), vb = ip_metric(b, m);
    if (va != vb)
        return va > vb;
    return strcmp(a->ip, b->ip) < 0;
}

/* The k clients with the highest metric (> 0) among idx[0..n) (all clients
 * when idx is NULL), best first, into out; returns how many. */
static size_t
top_ips(const struct mw_fnd_in *in, const uint32_t *idx, size_t n,
        enum ip_metric m, size_t k, uint32_t *out)
{
    size_t got = 0;
    if (k == 0)
        return 0;
    if (!idx)
        n = in->nips;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = idx ? idx[i] : (uint32_t)i;
        const struct mw_fnd_ip *ip = &in->ips[c];
        if (ip_metric(ip, m) == 0)
            continue;
        size_t j = got < k ? got++ : k;
        if (j == k && !ip_before(ip, &in->ips[out[k - 1]], m))
            continue;
        if (j == k)
            j = k - 1;
        while (j > 0 && ip_before(ip, &in->ips[out[j - 1]], m)) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = c;
    }
    return got;
}

static void
span_of_ips(const struct mw_fnd_in *in, const uint32_t *idx, size_t n,
            int64_t *first, int64_t *last)
{
    *first = *last = MW_FND_NO_TIME;
    for (size_t i = 0; i < n; i++) {
        const struct mw_fnd_ip *ip = &in->ips[idx[i]];
        if (ip->first != MW_FND_NO_TIME &&
            (*first == MW_FND_NO_TIME || ip->first < *first))
            *first = ip->first;
        if (ip->last != MW_FND_NO_TIME &&
            (*last == MW_FND_NO_TIME || ip->last > *last))
            *last = ip->last;
    }
}

/* the category of the rule that fed source src most, or fallback */
static const char *
main_category(const struct mw_fnd_in *in, enum mw_fnd_src src,
              const char *fallback)
{
    const struct mw_fnd_rule *best = NULL;
    for (size_t i = 0; i < in->nrules; i++) {
        const struct mw_fnd_rule *r = &in->rules[i];
        if ((r->srcmask & (1u << src)) && (!best || r->count > best->count))
            best = r;
    }
    return best ? best->category : fallback;
}

/* the category of the rule that fed source src most in the windows of
 * [from, to], or fallback */
static const char *
main_category_in(const struct mw_fnd_in *in, enum mw_fnd_src src, int64_t from,
                 int64_t to, const char *fallback)
{
    const struct mw_fnd_rule *best = NULL;
    uint64_t most = 0;
    for (size_t i = 0; i < in->nrules; i++) {
        const struct mw_fnd_rule *r = &in->rules[i];
        if (!(r->srcmask & (1u << src)))
            continue;
        uint64_t n = series_sum(&in->layout, r->series, from, to);
        if (n > most) {
            most = n;
            best = r;
        }
    }
    return best ? best->category : main_category(in, src, fallback);
}

static double
clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* "a, b, c" of up to n addresses, or "" when that would exceed max bytes */
static const char *
ip_list(struct ctx *x, const uint32_t *idx, size_t n, size_t max)
{
    char buf[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ip = x->in->ips[idx[i]].ip;
        size_t l = strlen(ip);
        if (len + l + 2 > max || len + l + 2 >= sizeof buf)
            return "";
        if (i) {
            memcpy(buf + len, ", ", 2);
            len += 2;
        }
        memcpy(buf + len, ip, l);
        len += l;
    }
    return strpool_add(x->pool, buf, len);
}

/* ---- authentication ------------------------------------------------------ */

#define BRUTE_MIN_FAILURES 20
#define BRUTE_SHARE        0.6
#define BRUTE_LOCAL_SHARE  0.5 /* of the failures in the attack's own time */
#define SPRAY_MIN_CLIENTS  10

/* distinct user names that failed from any of the clients idx[0..n) */
static size_t
users_of_ips(const struct mw_fnd_in *in, const uint32_t *idx, size_t n,
             uint32_t *one)
{
    size_t users = 0;
    for (size_t u = 0; u < in->nusers; u++) {
        const struct mw_fnd_user *us = &in->users[u];
        bool hit = false;
        for (size_t i = 0; i < us->nauth_ips && !hit; i++)
            for (size_t k = 0; k < n && !hit; k++)
                hit = us->auth_ips[i] == idx[k];
        if (hit) {
            users++;
            *one = (uint32_t)u;
        }
    }
    return users;
}

static void
stale_password(struct ctx *x, uint32_t ip, uint32_t user, uint64_t count)
{
    const struct mw_fnd_in *in = x->in;
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_AUTH);
    /* 0.6: one address, one user name, failing again and again is most
     * often a device with an old password, but can be a slow attack on
     * that one account. */
    set_text(f, "finding.auth.stale_password", "auth.failure", MW_LEVEL_MEDIUM,
             0.6);
    f->cause_id = "cause.credentials.wrong";
    f->title = fmt(x, "Repeated login failures for user %.64s from %s",
                   in->users[user].name, in->ips[ip].ip);
    f->cause = "One address keeps failing to log in with the same user name: "
               "typically a mail client, phone or device still using an old "
               "password after a password change, or a slow guessing attack "
               "on that one account.";
    f->fix = "Find the device at that address and update its password. If "
             "the address is unknown to you, block it (fail2ban, firewall) "
             "and change the account's password.";
    f->count = count;
    int64_t first, last;
    span_of_ips(in, &ip, 1, &first, &last);
    set_timing(x, f, in->src[MW_SRC_AUTH].series, first, last);
    set_clients(x, f, &ip, 1, 1);
    struct evsel s;
    evsel_init(&s);
    s.ips = &ip;
    s.nips = 1;
    set_evidence(x, f, &in->src[MW_SRC_AUTH].ev, &s);
}

/* An attack seen in its own time, when the failures of the whole span
 * drown it: of the top clients top[0..ntop), the first k whose failures
 * make the largest share (at least BRUTE_LOCAL_SHARE: the rest of that
 * time's failures come from many addresses) of all failures in the
 * windows from their first to their last hit. Returns k, 0 for none. */
static size_t
bruteforce_local(const struct mw_fnd_in *in, const uint32_t *top, size_t ntop,
                 uint64_t *sum, double *share)
{
    size_t best = 0;
    uint64_t s = 0;
    *share = 0;
    for (size_t k = 1; k <= ntop; k++) {
        int64_t first, last;
        s += in->ips[top[k - 1]].auth;
        span_of_ips(in, top, k, &first, &last);
        uint64_t all =
            series_sum(&in->layout, in->src[MW_SRC_AUTH].series, first, last);
        double sh = all ? clamp01((double)s / (double)all) : 0;
        if (s >= BRUTE_MIN_FAILURES && sh >= BRUTE_LOCAL_SHARE &&
            sh >= *share) {
            best = k;
            *sum = s;
            *share = sh;
        }
    }
    return best;
}

static void
detect_bruteforce(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    uint64_t total = in->src[MW_SRC_AUTH].count;
    uint32_t top[3];
    size_t ntop = top_ips(in, NULL, 0, M_AUTH, 3, top);
    uint64_t sum = 0;
    size_t k = 0;
    if (total < BRUTE_MIN_FAILURES)
        return;
    while (k < ntop && (double)sum < BRUTE_SHARE * (double)total)
        sum += in->ips[top[k++]].auth;
    double share = (double)sum / (double)total;
    if (share < BRUTE_SHARE) {
        k = bruteforce_local(in, top, ntop, &sum, &share);
        if (k == 0)
            return;
    }
    uint32_t user = MW_FND_NONE;
    size_t users = users_of_ips(in, top, k, &user);
    if (k == 1 && users == 1) {
        stale_password(x, top[0], user, sum);
        return;
    }
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_AUTH);
    /* Confidence: 0.5 for "most failures come from at most three
     * addresses"; up to +0.2 as their share goes from 60% to 100% (a
     * dedicated attacker); +0.15 when they tried 3 or more user names
     * (guessing, not one client with a stale password); +0.1 from 100
     * failures on. At most 0.95. */
    double conf = 0.5 + 0.2 * clamp01((share - BRUTE_SHARE) / 0.4) +
                  (users >= 3 ? 0.15 : 0) + (total >= 100 ? 0.1 : 0);
    set_text(f, "finding.bruteforce", "auth.failure", MW_LEVEL_HIGH,
             conf > 0.95 ? 0.95 : conf);
    f->cause_id = "cause.bruteforce";
    const char *names = ip_list(x, top, k, 60);
    f->title = fmt(x, "Password guessing from %zu address%s%s%s", k,
                   k == 1 ? "" : "es", *names ? ": " : "", names);
    f->cause = "Most failed logins come from very few addresses, trying "
               "passwords (often for many user names) again and again: a "
               "password guessing (brute force) attack.";
    f->fix = "Block these addresses (fail2ban on the SASL/IMAP failures, or "
             "the firewall), make sure no account has a weak password, and "
             "offer AUTH only on the submission ports (587/465) with TLS.";
    f->count = sum;
    int64_t first, last;
    span_of_ips(in, top, k, &first, &last);
    set_timing(x, f, in->src[MW_SRC_AUTH].series, first, last);
    set_clients(x, f, top, k, k);
    struct evsel s;
    evsel_init(&s);
    s.ips = top;
    s.nips = k;
    set_evidence(x, f, &in->src[MW_SRC_AUTH].ev, &s);
}

static void
detect_spraying(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    size_t best = SIZE_MAX, others = 0, second = 0;
    for (size_t u = 0; u < in->nusers; u++) {
        const struct mw_fnd_user *us = &in->users[u];
        if (us->nauth_ips < SPRAY_MIN_CLIENTS)
            continue;
        if (best != SIZE_MAX)
            others++;
        if (best == SIZE_MAX || us->nauth_ips > in->users[best].nauth_ips ||
            (us->nauth_ips == in->users[best].nauth_ips &&
             us->auth > in->users[best].auth)) {
            if (best != SIZE_MAX)
                second = in->users[best].nauth_ips;
            best = u;
        } else if (us->nauth_ips > second) {
            second = us->nauth_ips;
        }
    }
    if (best == SIZE_MAX)
        return;
    const struct mw_fnd_user *us = &in->users[best];
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_AUTH);
    /* 0.6 at 10 distinct addresses failing for one account, up to 0.9 at
     * 50: a user travelling changes address a few times, a botnet
     * spreading its guesses over many addresses changes it every time.
     * High when this account stands out (twice the addresses of any
     * other); when many names are tried from about as many addresses each,
     * it is the background guessing every server on the internet sees. */
    double conf = 0.6 + 0.3 * clamp01((double)(us->nauth_ips - 10) / 40);
    bool targeted = us->nauth_ips >= 2 * second;
    set_text(f, "finding.spraying", "auth.failure",
             targeted ? MW_LEVEL_HIGH : MW_LEVEL_MEDIUM, conf);
    f->cause_id = "cause.bruteforce";
    if (!targeted)
        f->title = fmt(x,
                       "Password guessing from many addresses against %zu "
                       "user names (most: %.64s, from %zu addresses)",
                       others + 1, us->name, us->nauth_ips);
    else if (others)
        f->title = fmt(x,
                       "Password guessing against user %.64s from %zu "
                       "addresses (and %zu more user names)",
                       us->name, us->nauth_ips, others);
    else
        f->title = fmt(x,
                       "Password guessing against user %.64s from %zu "
                       "addresses",
                       us->name, us->nauth_ips);
    f->cause = "Logins for one user name fail from many different addresses: "
               "a distributed guessing attack (a botnet spreading its tries "
               "to stay under per-address limits).";
    f->fix = "Make sure the account has a strong password (or disable it if "
             "unused), rate-limit AUTH per user (e.g. Dovecot auth_policy, "
             "fail2ban per user), and require AUTH only over TLS on 587/465.";
    f->count = us->auth;
    uint32_t *top = findings_array(x->ar, in->top, sizeof *top);
    size_t ntop =
        top_ips(in, us->auth_ips, us->nauth_ips, M_AUTH, in->top, top);
    int64_t first, last;
    span_of_ips(in, us->auth_ips, us->nauth_ips, &first, &last);
    set_timing(x, f, in->src[MW_SRC_AUTH].series, first, last);
    set_clients(x, f, top, ntop, us->nauth_ips);
    struct evsel s;
    evsel_init(&s);
    s.user = (uint32_t)best;
    set_evidence(x, f, &in->src[MW_SRC_AUTH].ev, &s);
}

/* ---- TLS ------------------------------------------------------------------
 */

#define TLS_MIN_CLIENTS  5
#define TLS_RISE         3 /* times the rise of all other hits */
#define OLD_CLIENT_MIN   5
#define OLD_CLIENT_SHARE 0.3

/* "14:05 CET", with the date when the span covers a day or more */
static const char *
clock_text(struct ctx *x, int64_t t)
{
    const struct mw_summary *s = x->in->sum;
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];
    if (!localtime_r(&tt, &tm))
        return "?";
    size_t n = s->span_end - s->span_start >= 86400
                   ? strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %Z", &tm)
                   : strftime(buf, sizeof buf, "%H:%M %Z", &tm);
    return strpool_add(x->pool, buf, n);
}

/* last window of the burst of b: windows above its threshold from the
 * peak on, one quiet window tolerated */
static size_t
burst_last(const uint64_t *v, size_t n, const struct mw_burst *b)
{
    size_t last = b->peak;
    for (size_t i = b->peak + 1; i < n && i <= last + 2; i++)
        if ((double)v[i] > b->threshold)
            last = i;
    return last;
}

/* Clients whose first TLS failure is in [since, until) into after; the
 * number of those that failed before since into *nbefore, the earliest
 * first failure into *first. Returns how many are in after. */
static size_t
tls_new_clients(const struct mw_fnd_in *in, int64_t since, int64_t until,
                uint32_t *after, size_t *nbefore, int64_t *first)
{
    size_t n = 0;
    *nbefore = 0;
    *first = MW_FND_NO_TIME;
    for (size_t i = 0; i < in->nips; i++) {
        const struct mw_fnd_ip *ip = &in->ips[i];
        if (ip->tls == 0 || ip->tls_first == INT64_MAX)
            continue;
        if (ip->tls_first < since) {
            (*nbefore)++;
        } else if (ip->tls_first < until) {
            after[n++] = (uint32_t)i;
            if (*first == MW_FND_NO_TIME || ip->tls_first < *first)
                *first = ip->tls_first;
        }
    }
    return n;
}

/* A rule saying this server could not load its certificate or key hit
 * during [from, to]. Rule ids are stable: postfix.tls.certificate_load_failed,
 * dovecot.ssl.certificate_load_failed, exchange.tls.no_credentials,
 * sendmail.tls.certificate_config. */
static bool
cert_load_failed(const struct mw_fnd_in *in, int64_t from, int64_t to)
{
    static const char *const marks[] = {"load", "no_credentials",
                                        "certificate_config"};
    for (size_t i = 0; i < in->nrules; i++) {
        const struct mw_fnd_rule *r = &in->rules[i];
        if (!r->count || strcmp(r->category, "tls.certificate") != 0 ||
            r->first == MW_FND_NO_TIME || r->last < from || r->first > to)
            continue;
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
            if (strstr(r->id, marks[k]))
                return true;
    }
    return false;
}

/* Did TLS failures rise in the burst [b->onset, endw] TLS_RISE times more
 * than the hits of all other rules? A change on this server makes TLS
 * fail; the busy hours of the day raise every kind of failure alike. */
static bool
tls_rise_stands_out(const struct mw_fnd_in *in, const struct mw_burst *b,
                    size_t endw)
{
    const uint64_t *tls = in->src[MW_SRC_TLS].series;
    double tb = 0, ti = 0, ob = 0, oi = 0;
    for (size_t i = 0; i <= endw; i++)
        *(i < b->onset ? &tb : &ti) += (double)tls[i];
    for (size_t r = 0; r < in->nrules; r++) {
        const struct mw_fnd_rule *ru = &in->rules[r];
        if (!ru->count || (ru->srcmask & (1u << MW_SRC_TLS)))
            continue;
        for (size_t i = 0; i <= endw; i++)
            *(i < b->onset ? &ob : &oi) += (double)ru->series[i];
    }
    double nb = b->onset ? (double)b->onset : 1;
    double ni = (double)(endw - b->onset + 1);
    double tls_rise = (ti / ni + 1) / (tb / nb + 1);
    double other_rise = (oi / ni + 1) / (ob / nb + 1);
    return tls_rise >= TLS_RISE * other_rise;
}

static void
tls_serverwide_text(struct mw_sum_finding *f, bool cert_load)
{
    if (cert_load) {
        /* Critical: TLS is off for every client until the files are
         * fixed, and mail clients that insist on TLS cannot send. */
        f->level = MW_LEVEL_CRITICAL;
        f->cause_id = "cause.tls.cert_load";
        f->cause = "TLS failures from many different clients began when "
                   "this server could not load its TLS certificate or "
                   "private key (missing or unreadable file, key that does "
                   "not match the certificate, broken PEM): TLS is disabled "
                   "or the TLS service cannot start, so every client that "
                   "needs TLS fails.";
        f->fix = "Look for the \"cannot load\" / \"cannot get\" / \"key values "
                 "mismatch\" lines at the onset, install the certificate "
                 "with its own key and full chain, fix permissions, reload "
                 "(postfix reload, doveadm reload) and test with openssl "
                 "s_client -connect HOST:587 -starttls smtp.";
        return;
    }
    f->cause_id = strcmp(f->category, "tls.certificate") == 0
                      ? "cause.tls.cert_mismatch"
                      : "cause.tls.protocol_mismatch";
    f->cause = "TLS failures from many different clients began at the same "
               "moment: something changed on this server. Usually a renewed "
               "or replaced certificate (expired, incomplete chain, wrong "
               "name, unreadable key file), or TLS protocol or cipher "
               "settings tightened (e.g. TLS 1.0/1.1 disabled) or a TLS "
               "library upgrade.";
    f->fix = "Check what changed at that time: test with openssl s_client "
             "-connect HOST:25 -starttls smtp (and :587, :993), check the "
             "certificate files, chain and permissions, and the smtpd_tls_* / "
             "Dovecot ssl_* settings and recent package upgrades.";
}

/* Many clients start failing TLS in one window, and TLS failures rise far
 * more than all other hits: a change on this server. A steady background
 * of failing clients (scanners, old devices) is allowed. */
static bool
tls_serverwide(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_window_layout *l = &in->layout;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_TLS];
    struct mw_burst b;
    window_detect(st->series, l->n, &b);
    if (!b.has_onset)
        return false;
    size_t endw = burst_last(st->series, l->n, &b);
    int64_t since = l->first + (int64_t)b.onset * l->window;
    int64_t until = l->first + (int64_t)(endw + 1) * l->window;
    uint32_t *after = xreallocarray(NULL, in->nips + 1, sizeof *after);
    size_t nbefore;
    int64_t first;
    size_t nafter = tls_new_clients(in, since, until, after, &nbefore, &first);
    if (nafter < TLS_MIN_CLIENTS || !tls_rise_stands_out(in, &b, endw)) {
        free(after);
        return false;
    }
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_TLS);
    /* 0.6 when 5 clients started failing in the same window, up to 0.9
     * with 25 or more; -0.1 when other clients failed before (part of it
     * may be older, unrelated trouble). */
    double conf =
        0.6 + 0.3 * clamp01((double)(nafter - 5) / 20) - (nbefore ? 0.1 : 0);
    set_text(f, "finding.tls.serverwide",
             main_category(in, MW_SRC_TLS, "tls.handshake"), MW_LEVEL_HIGH,
             conf);
    tls_serverwide_text(f, cert_load_failed(in, since - l->window, until));
    for (size_t i = b.onset; i <= endw; i++)
        f->count += st->series[i];
    /* the first failure since the onset: exact when it is the first TLS
     * failure at all, else that of the first client failing since then */
    if (st->first != MW_FND_NO_TIME && st->first >= since)
        first = st->first;
    set_timing(x, f, st->series, first,
               st->last < until ? st->last : until - 1);
    f->onset = since;
    f->title = fmt(x, "TLS handshakes %s for %zu clients %s %s",
                   f->ongoing ? "failing" : "failed", nafter,
                   f->ongoing ? "since" : "starting", clock_text(x, since));
    uint32_t *top = findings_array(x->ar, in->top, sizeof *top);
    size_t ntop = top_ips(in, after, nafter, M_TLS, in->top, top);
    set_clients(x, f, top, ntop, nafter);
    struct evsel s;
    evsel_init(&s);
    s.from = since;
    s.to = until - 1;
    set_evidence(x, f, &st->ev, &s);
    free(after);
    return true;
}

static void
tls_old_client(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_TLS];
    uint32_t top[3];
    size_t n = top_ips(in, NULL, 0, M_TLS, 3, top), k = 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = in->ips[top[i]].tls;
        if (v >= OLD_CLIENT_MIN && (double)v >= OLD_CLIENT_SHARE * st->count) {
            top[k++] = top[i];
            sum += v;
        }
    }
    if (k == 0)
        return;
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_TLS);
    /* 0.5: the same address failing again and again points at that
     * client's TLS stack, but a broken middlebox or a scanner looks the
     * same in the log. */
    set_text(f, "finding.tls.old_client", "tls.handshake", MW_LEVEL_LOW, 0.5);
    f->cause_id = "cause.tls.protocol_mismatch";
    if (k == 1)
        f->title = fmt(x, "TLS keeps failing for client %s (old software?)",
                       in->ips[top[0]].ip);
    else
        f->title =
            fmt(x, "TLS keeps failing for %zu clients (old software?)", k);
    f->cause = "The same client fails the TLS handshake again and again: "
               "typically old software that offers only TLS 1.0/1.1 or weak "
               "ciphers this server no longer accepts, or a client that does "
               "not trust the server's certificate.";
    f->fix = "Identify the client (printer, scanner, old phone, monitoring "
             "probe) and update it. If it must keep working, give it a "
             "separate listener with legacy settings rather than weakening "
             "TLS for everyone.";
    f->count = sum;
    int64_t first, last;
    span_of_ips(in, top, k, &first, &last);
    set_timing(x, f, st->series, first, last);
    set_clients(x, f, top, k, k);
    struct evsel s;
    evsel_init(&s);
    s.ips = top;
    s.nips = k;
    set_evidence(x, f, &st->ev, &s);
}

static void
detect_tls(struct ctx *x)
{
    if (x->in->src[MW_SRC_TLS].count == 0)
        return;
    if (!tls_serverwide(x))
        tls_old_client(x);
}

/* ---- outbound connections -------------------------------------------------
 */

#define OUT_MIN_FAILURES 3
#define OUT_ONE_SHARE    0.8
#define OUT_MANY_DESTS   5
#define OUT_PORT25_SHARE 0.8
#define OUT_LOCAL_MIN    10   /* failures of a destination seen in its time */
#define OUT_MANY_HIGH    10   /* failing destinations that alone mean "us" */
#define OUT_LASTING      1800 /* seconds: an outage, not a blip */

static void
remote_down(struct ctx *x, uint32_t d, double conf)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_OUT];
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_OUT);
    const struct mw_fnd_dest *de = &in->dests[d];
    /* High when it lasts half an hour or more: all mail for that domain
     * is held up; a shorter blip is medium. */
    bool lasting = de->first != MW_FND_NO_TIME &&
                   de->last - de->first >= OUT_LASTING &&
                   de->count >= OUT_LOCAL_MIN;
    set_text(f, "finding.remote_down",
             main_category_in(in, MW_SRC_OUT, de->first, de->last,
                              "connection.refused"),
             lasting ? MW_LEVEL_HIGH : MW_LEVEL_MEDIUM, conf);
    f->cause_id = "cause.server.down";
    if (de->many_hosts)
        f->title = fmt(x, "Mail servers of %.80s down or refusing connections",
                       de->name);
    else
        f->title =
            fmt(x, "Remote host %.80s down or refusing connections", de->host);
    f->cause = "Most outbound connection failures go to one destination: "
               "that server is down, refuses connections (firewall, "
               "overload) or cannot be reached from here. Mail for it stays "
               "in the queue and is retried.";
    f->fix = "Test from this host (nc -vz HOST 25) and check the domain's MX "
             "records (dig MX). If only this destination fails, the problem "
             "is on its side; mail is retried until maximal_queue_lifetime.";
    f->count = de->count;
    set_timing(x, f, st->series, de->first, de->last);
    struct evsel s;
    evsel_init(&s);
    s.dest = d;
    set_evidence(x, f, &st->ev, &s);
}

static void
port25_blocked(struct ctx *x, size_t ndests)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_OUT];
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_OUT);
    /* 0.5 with 5 failing destinations, up to 0.85 with 25 or more: many
     * unrelated servers failing on port 25 point at our side (provider
     * or firewall blocking outbound SMTP), not at the remote servers.
     * High from OUT_MANY_HIGH destinations, or when the failures started
     * at one moment; a few small sites failing now and then all day long
     * look the same in the log, so that alone is medium. */
    struct mw_burst b;
    window_detect(st->series, in->layout.n, &b);
    set_text(f, "finding.port25_blocked",
             main_category(in, MW_SRC_OUT, "connection.timeout"),
             ndests >= OUT_MANY_HIGH || b.has_onset ? MW_LEVEL_HIGH
                                                    : MW_LEVEL_MEDIUM,
             0.5 + 0.35 * clamp01((double)(ndests - OUT_MANY_DESTS) / 20));
    f->cause_id = "cause.port25.blocked";
    f->title = fmt(x,
                   "Outbound port 25 blocked? Connections to %zu mail "
                   "servers fail",
                   ndests);
    f->cause = "Outbound SMTP connections on port 25 fail for many different "
               "mail servers. When many unrelated servers cannot be reached, "
               "the problem is on this side: the hosting provider or a "
               "firewall blocks outbound port 25 (common on cloud and "
               "residential networks), or outbound routing is broken.";
    f->fix = "Test from this host: nc -vz gmail-smtp-in.l.google.com 25. If "
             "it fails, ask the provider to unblock port 25, or relay "
             "through a smarthost on port 587 with authentication "
             "(Postfix relayhost).";
    f->count = st->count;
    set_timing(x, f, st->series, st->first, st->last);
    set_evidence(x, f, &st->ev, NULL);
}

/* A destination that fails densely for a while, among failures to others
 * all day: the one with the largest share (at least OUT_ONE_SHARE) of the
 * outbound failures in the windows from its first to its last failure.
 * *conf gets the confidence that the fault is at that destination: 0.9
 * when the other destinations fail no more than usual meanwhile, down to
 * 0.5 when their failures rose four times or more (then this side may be
 * in trouble too). */
static bool
dest_local(const struct mw_fnd_in *in, uint32_t *best, double *conf)
{
    const struct mw_window_layout *l = &in->layout;
    const uint64_t *series = in->src[MW_SRC_OUT].series;
    uint64_t timed = series_sum(l, series, l->first,
                                l->first + (int64_t)l->n * l->window - 1);
    double share = 0;
    bool found = false;
    for (size_t i = 0; i < in->ndests; i++) {
        const struct mw_fnd_dest *d = &in->dests[i];
        if (d->count < OUT_LOCAL_MIN || d->first == MW_FND_NO_TIME)
            continue;
        uint64_t all = series_sum(l, series, d->first, d->last);
        double sh = all ? clamp01((double)d->count / (double)all) : 0;
        if (sh < OUT_ONE_SHARE || (found && sh <= share))
            continue;
        double win =
            (double)(window_floor_div(d->last - l->first, l->window) -
                     window_floor_div(d->first - l->first, l->window) + 1);
        double others_in = all > d->count ? (double)(all - d->count) : 0;
        double others_out = timed > all ? (double)(timed - all) : 0;
        double win_out = (double)l->n > win ? (double)l->n - win : 1;
        double rise = (others_in / win + 1) / (others_out / win_out + 1);
        *conf = 0.9 - 0.4 * clamp01((rise - 1) / 3);
        *best = (uint32_t)i;
        share = sh;
        found = true;
    }
    return found;
}

static void
detect_outbound(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    uint64_t total = in->src[MW_SRC_OUT].count, port25 = 0;
    if (total < OUT_MIN_FAILURES || in->ndests == 0)
        return;
    uint32_t best = 0;
    for (size_t i = 0; i < in->ndests; i++) {
        const struct mw_fnd_dest *d = &in->dests[i];
        port25 += d->port25;
        if (d->count > in->dests[best].count ||
            (d->count == in->dests[best].count &&
             strcmp(d->name, in->dests[best].name) < 0))
            best = (uint32_t)i;
    }
    double share = (double)in->dests[best].count / (double)total, conf = 0;
    if (share >= OUT_ONE_SHARE)
        /* 0.5 at 80% of the outbound failures on one destination, up to
         * 0.9 when all are: the fault is then most likely there. */
        remote_down(x, best,
                    0.5 + 0.4 * clamp01((share - OUT_ONE_SHARE) / 0.2));
    else if (dest_local(in, &best, &conf))
        remote_down(x, best, conf);
    else if (in->ndests >= OUT_MANY_DESTS && share < 0.5 &&
             (double)port25 >= OUT_PORT25_SHARE * (double)total)
        port25_blocked(x, in->ndests);
}

/* ---- DNS ------------------------------------------------------------------
 */

#define DNS_MIN_FAILURES 10
#define DNS_MIN_DOMAINS  3
#define DNS_PERIOD       3600

struct dns_best {
    size_t from, to; /* event range [from, to] */
    size_t count, domains;
};

/* the one-hour period holding the most failures over at least
 * DNS_MIN_DOMAINS domains (two pointers over the sorted events) */
static bool
dns_cluster(const struct mw_fnd_in *in, struct dns_best *best)
{
    uint32_t maxdom = 0;
    for (size_t i = 0; i < in->ndns; i++)
        if (in->dns[i].domain != MW_FND_NONE && in->dns[i].domain >= maxdom)
            maxdom = in->dns[i].domain + 1;
    uint32_t *seen = xcalloc((size_t)maxdom + 1, sizeof *seen);
    size_t lo = 0, distinct = 0;
    memset(best, 0, sizeof *best);
    for (size_t hi = 0; hi < in->ndns; hi++) {
        uint32_t d = in->dns[hi].domain;
        if (d != MW_FND_NONE && seen[d]++ == 0)
            distinct++;
        while (in->dns[hi].t - in->dns[lo].t >= DNS_PERIOD) {
            uint32_t e = in->dns[lo++].domain;
            if (e != MW_FND_NONE && --seen[e] == 0)
                distinct--;
        }
        size_t count = hi - lo + 1;
        if (distinct >= DNS_MIN_DOMAINS && count > best->count)
            *best = (struct dns_best){lo, hi, count, distinct};
    }
    free(seen);
    if (best->count < DNS_MIN_FAILURES)
        return false;
    /* The hour must stand out from the failures of the other hours, the
     * background of every server (mistyped domains, clients without
     * reverse DNS), which a resolver outage multiplies: the same test as
     * window_detect's "clearly above" for Poisson-like counts. */
    double hours = (double)(in->dns[in->ndns - 1].t - in->dns[0].t) / 3600;
    double outside =
        (double)(in->ndns - best->count) / (hours > 2 ? hours - 1 : 1);
    return (double)best->count >= 3 * outside + 4 * sqrt(outside) + 1;
}

static void
detect_dns(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    struct dns_best b;
    if (!dns_cluster(in, &b))
        return;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DNS];
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_DNS);
    /* 0.5 for 10 failures over 3 domains within an hour, up to 0.85 with
     * 10 or more domains: one domain failing is that domain's problem,
     * many unrelated ones failing together is our resolver. */
    set_text(f, "finding.dns.resolver", "dns", MW_LEVEL_HIGH,
             0.5 + 0.35 * clamp01((double)(b.domains - 3) / 7));
    f->cause_id = "cause.dns.resolver";
    f->title = fmt(x,
                   "DNS lookups failing for %zu domains (resolver "
                   "problem?)",
                   b.domains);
    f->cause = "Many DNS lookups for unrelated domains failed within one "
               "hour: the resolver this server uses is down, slow, "
               "unreachable or refusing queries, or a firewall blocks DNS.";
    f->fix = "Check /etc/resolv.conf (and the copy in the Postfix chroot, "
             "/var/spool/postfix/etc/resolv.conf); test with dig MX "
             "example.com against each resolver; restart or replace the "
             "local resolver (unbound, systemd-resolved).";
    f->count = b.count;
    set_timing(x, f, st->series, in->dns[b.from].t, in->dns[b.to].t);
    struct evsel s;
    evsel_init(&s);
    s.from = in->dns[b.from].t;
    s.to = in->dns[b.to].t;
    set_evidence(x, f, &st->ev, &s);
}

/* ---- DNSBL ----------------------------------------------------------------
 */

static void
dnsbl_listed(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DNSBL_OUT];
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_DNSBL_OUT);
    /* 0.7 for one reject, 0.9 with 3 or more: remote servers say in
     * plain words that our address is listed. */
    set_text(f, "finding.dnsbl.listed", "policy.dnsbl", MW_LEVEL_HIGH,
             st->count >= 3 ? 0.9 : 0.7);
    f->cause_id = "cause.dnsbl.our_ip_listed";
    if (in->ndnsbls == 1)
        f->title = fmt(x,
                       "Our mail is rejected: this server is listed on "
                       "%.80s",
                       in->dnsbls[0]);
    else if (in->ndnsbls > 1)
        f->title = fmt(x,
                       "Our mail is rejected: this server is listed on "
                       "%.80s and %zu more blocklists",
                       in->dnsbls[0], in->ndnsbls - 1);
    else
        f->title = "Our mail is rejected: this server is on a DNS blocklist";
    f->cause = "Remote mail servers rejected our outgoing mail because this "
               "server's address is on a DNS blocklist. Usually caused by "
               "spam sent through a compromised account or web form, an "
               "open relay, or a previous user of the address.";
    f->fix = "Look the address up on the blocklist's site, find and stop the "
             "source of spam (compromised SASL accounts, web scripts, the "
             "queue: mailq), then request delisting. Check reverse DNS, SPF "
             "and the HELO name.";
    f->count = st->count;
    set_timing(x, f, st->series, st->first, st->last);
    set_evidence(x, f, &st->ev, NULL);
}

static void
dnsbl_inbound(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DNSBL_IN];
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_DNSBL_IN);
    /* 0.8: these rejects are the anti-spam policy doing its job; what is
     * uncertain is only that no wanted sender was among them. */
    set_text(f, "finding.dnsbl.inbound", "policy.dnsbl", MW_LEVEL_LOW, 0.8);
    f->cause_id = "cause.dnsbl.client_listed";
    f->title = "Clients on DNS blocklists rejected (working as intended)";
    f->cause = "Connecting clients were rejected because their address is "
               "on a DNS blocklist: the anti-spam policy is working. Worth a "
               "look only when a wanted sender complains.";
    f->fix = "Nothing to do unless a wanted sender is blocked: then allow "
             "its address (postscreen_access_list, check_client_access) "
             "instead of dropping the blocklist.";
    f->count = st->count;
    set_timing(x, f, st->series, st->first, st->last);
    uint32_t *top = findings_array(x->ar, in->top, sizeof *top);
    size_t ntop = top_ips(in, NULL, 0, M_DNSBL, in->top, top);
    size_t total = 0;
    for (size_t i = 0; i < in->nips; i++)
        total += in->ips[i].dnsbl > 0;
    set_clients(x, f, top, ntop, total);
    set_evidence(x, f, &st->ev, NULL);
}

static void
detect_dnsbl(struct ctx *x)
{
    if (x->in->src[MW_SRC_DNSBL_OUT].count)
        dnsbl_listed(x);
    if (x->in->src[MW_SRC_DNSBL_IN].count)
        dnsbl_inbound(x);
}

/* ---- server resources ------------------------------------------------------
 */

static void
detect_overload(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_OVERLOAD];
    if (st->count == 0)
        return;
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_OVERLOAD);
    /* 0.6, 0.8 from 10 hits on: 421 and "too many connections" are
     * explicit, but a short burst can be one misbehaving client. */
    set_text(f, "finding.server.overload", "server.unavailable", MW_LEVEL_HIGH,
             st->count >= 10 ? 0.8 : 0.6);
    f->cause_id = "cause.server.overload";
    f->title = "Server refusing service: overloaded or out of resources";
    f->cause = "The server answered with 421 or similar temporary refusals: "
               "too many connections or processes, a configured limit "
               "reached, or a service that failed (fatal: errors). Clients "
               "retry later, so mail is delayed, not lost.";
    f->fix = "Look around the onset for fatal: or panic: lines, check load "
             "and memory, and the process and connection limits (postconf "
             "default_process_limit, master.cf maxproc, "
             "smtpd_client_connection_count_limit); raise them or find the "
             "client flooding the server.";
    f->count = st->count;
    set_timing(x, f, st->series, st->first, st->last);
    set_evidence(x, f, &st->ev, NULL);
}

static void
detect_disk(struct ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DISK];
    if (st->count == 0)
        return;
    struct mw_sum_finding *f = cand_new(x, true, 1u << MW_SRC_DISK);
    /* 0.9: "No space left on device" and queue write errors leave little
     * room for another explanation. */
    set_text(f, "finding.server.disk", "server.unavailable", MW_LEVEL_CRITICAL,
             0.9);
    f->cause_id = "cause.disk.full";
    f->title = "Disk full or queue write errors: mail cannot be accepted";
    f->cause = "The server could not write to its mail queue or mail "
               "storage: a full file system (space or inodes), a quota, or "
               "I/O errors. Incoming mail is refused or deferred.";
    f->fix = "Run df -h and df -i on the queue (/var/spool/postfix) and the "
             "mail storage, free space (old logs, the deferred queue), then "
             "flush the queue (postqueue -f). Check dmesg for I/O errors.";
    f->count = st->count;
    set_timing(x, f, st->series, st->first, st->last);
    set_evidence(x, f, &st->ev, NULL);
}

/* ---- ranking --------------------------------------------------------------
 */

static int
cand_cmp(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
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
rank(struct ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        struct cand *c = &x->c[i];
        c->score = findings_score(c->f.level, c->f.count, c->f.confidence);
        c->eff = c->score;
        c->tier = c->f.level == MW_LEVEL_CRITICAL;
    }
    for (size_t i = 0; i < x->n; i++) {
        struct cand *d = &x->c[i];
        for (size_t j = 0; d->detector && j < x->n; j++) {
            const struct cand *r = &x->c[j];
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
    struct ctx x = {in, ar, pool, NULL, 0, 0};
    rule_findings(&x);
    detect_bruteforce(&x);
    detect_spraying(&x);
    detect_tls(&x);
    detect_outbound(&x);
    detect_dns(&x);
    detect_dnsbl(&x);
    detect_overload(&x);
    detect_disk(&x);
    rank(&x);
    *out = findings_array(ar, x.n, sizeof **out);
    for (size_t i = 0; i < x.n; i++)
        (*out)[i] = x.c[i].f;
    *nout = x.n;
    free(x.c);
}
