#include "config.h"

#include "agg.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agg_impl.h"
#include "findings.h"
#include "strpool.h"
#include "window.h"
#include "xalloc.h"

/* Caps: hostile or huge logs must not grow memory without bound. What does
 * not fit is counted (or dropped from lists) but never breaks counting. */
#define IP_CAP         200000u  /* client addresses */
#define USER_CAP       100000u  /* user names */
#define SHAPE_CAP      10000u   /* unmatched line shapes */
#define DEST_CAP       10000u   /* outbound destinations */
#define DOMAIN_CAP     10000u   /* domains of DNS failures */
#define DNSBL_CAP      64u      /* blocklist names */
#define DNS_EVENTS_CAP 100000u  /* timed DNS failures kept for clustering */
#define RULE_SET_CAP   20000u   /* clients or users per rule */
#define PAIR_BUDGET    2000000u /* all per-rule client/user entries */
#define USER_IP_CAP    1000u    /* clients per user */
#define EVIDENCE_MAX   500u     /* bytes of an evidence line kept */
#define KEY_MAX        256u     /* bytes of a user, host or list name */
#define TIME_LIMIT     ((int64_t)1 << 46) /* ~2 million years */

/* ---- kept evidence ------------------------------------------------------ */

/* one rule hit: where it is, its text, time and what it is about */
struct hit {
    const char *path;
    uint64_t lineno;
    const char *text;
    size_t len;
    bool has_t;
    int64_t t;
    uint32_t ip, user, dest;
};

static void
evkeep_add(struct mw_agg_evkeep *k, size_t max, const struct hit *h,
           struct mw_strpool *pool)
{
    struct mw_fnd_ev ev = {{h->path, h->lineno, NULL, h->len},
                           h->has_t ? h->t : MW_FND_NO_TIME,
                           h->ip,
                           h->user,
                           h->dest};
    if (k->nfirst < max) {
        if (!k->first)
            k->first = xreallocarray(NULL, max, sizeof *k->first);
        ev.e.text = strpool_add(pool, h->text, h->len);
        k->first[k->nfirst++] = ev;
        return;
    }
    if (!k->lastbuf)
        k->lastbuf = xmalloc(EVIDENCE_MAX + 1);
    if (h->len)
        memcpy(k->lastbuf, h->text, h->len);
    k->lastbuf[h->len] = '\0';
    ev.e.text = k->lastbuf;
    k->last = ev;
    k->has_last = true;
}

static void
evkeep_free(struct mw_agg_evkeep *k)
{
    free(k->first);
    free(k->lastbuf);
}

/* ---- the aggregator ----------------------------------------------------- */

struct mw_agg *
agg_new(const struct mw_agg_opts *o)
{
    struct mw_agg *a = xcalloc(1, sizeof *a);
    a->window = o && o->window > 0 ? o->window : 0;
    a->top = o && o->top ? o->top : 10;
    a->evidence = o && o->evidence ? o->evidence : 3;
    a->base = window_base(a->window);
    a->pool = strpool_new();
    a->iptab.limit = IP_CAP;
    a->usertab.limit = USER_CAP;
    a->desttab.limit = DEST_CAP;
    a->domtab.limit = DOMAIN_CAP;
    a->dnsbltab.limit = DNSBL_CAP;
    a->shapetab.limit = SHAPE_CAP;
    a->pair_budget = PAIR_BUDGET;
    return a;
}

void
agg_free(struct mw_agg *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < MW_AGG_NCAT; i++)
        window_counts_free(&a->cats[i].series);
    for (size_t i = 0; i < a->nrules; i++) {
        struct mw_agg_rule *r = &a->rules[i];
        window_counts_free(&r->series);
        window_counts_free(&r->ips);
        window_counts_free(&r->users);
        evkeep_free(&r->ev);
    }
    for (size_t i = 0; i < a->iptab.n; i++)
        free(a->ips[i].full);
    for (size_t i = 0; i < a->usertab.n; i++) {
        window_counts_free(&a->users[i].ips);
        window_counts_free(&a->users[i].auth_ips);
    }
    for (size_t i = 0; i < MW_SRC_COUNT; i++) {
        window_counts_free(&a->src[i].series);
        evkeep_free(&a->src[i].ev);
    }
    struct mw_agg_tab *tabs[] = {&a->iptab,  &a->usertab,  &a->desttab,
                                 &a->domtab, &a->dnsbltab, &a->shapetab};
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
        agg_tab_free(tabs[i]);
    free(a->rules);
    free(a->ips);
    free(a->users);
    free(a->dests);
    free(a->shapes);
    free(a->dns);
    free(a->inputs);
    findings_arena_free(&a->arena);
    strpool_free(a->pool);
    free(a);
}

size_t
agg_input_begin(struct mw_agg *a, const char *path, const char *dialect)
{
    if (a->ninputs == a->capinputs) {
        a->capinputs = a->capinputs ? a->capinputs * 2 : 8;
        a->inputs = xreallocarray(a->inputs, a->capinputs, sizeof *a->inputs);
    }
    struct mw_agg_input *in = &a->inputs[a->ninputs];
    memset(in, 0, sizeof *in);
    path = path ? path : "";
    dialect = dialect ? dialect : "";
    in->path = strpool_intern(a->pool, path, strlen(path));
    in->dialect = strpool_intern(a->pool, dialect, strlen(dialect));
    return a->ninputs++;
}

void
agg_input_end(struct mw_agg *a, size_t input, uint64_t truncated,
              bool read_error)
{
    if (input >= a->ninputs)
        return;
    a->inputs[input].truncated += truncated;
    a->inputs[input].read_error |= read_error;
}

static bool
time_ok(const struct mw_time *ts)
{
    return ts->valid && ts->sec > -TIME_LIMIT && ts->sec < TIME_LIMIT;
}

static void
span_note(struct mw_agg *a, int64_t t)
{
    if (!a->has_span) {
        a->has_span = true;
        a->span_start = a->span_end = t;
    } else if (t < a->span_start) {
        a->span_start = t;
    } else if (t > a->span_end) {
        a->span_end = t;
    }
}

void
agg_line(struct mw_agg *a, size_t input, const struct mw_record *rec)
{
    a->lines++;
    if (input < a->ninputs) {
        a->inputs[input].lines++;
        a->inputs[input].unparsed += !rec->parsed;
    }
    if (time_ok(&rec->ts))
        span_note(a, rec->ts.sec);
}

/* ---- rule hits ------------------------------------------------------ */

struct evfields {
    const char *client_ip, *user, *remote_host, *remote_ip, *remote_port,
        *reason, *dnsbl, *client_host, *sender, *recipient, *helo;
    size_t client_ip_len, user_len, remote_host_len, remote_ip_len,
        remote_port_len, reason_len, dnsbl_len, client_host_len, sender_len,
        recipient_len, helo_len;
};

static void
fields_collect(const struct mw_event *ev, struct evfields *f)
{
    static const char *const names[] = {
        "client_ip",   "user",      "remote_host", "remote_ip",
        "remote_port", "reason",    "dnsbl",       "client_host",
        "sender",      "recipient", "helo"};
    const char **vals[] = {&f->client_ip, &f->user,        &f->remote_host,
                           &f->remote_ip, &f->remote_port, &f->reason,
                           &f->dnsbl,     &f->client_host, &f->sender,
                           &f->recipient, &f->helo};
    size_t *lens[] = {
        &f->client_ip_len, &f->user_len,        &f->remote_host_len,
        &f->remote_ip_len, &f->remote_port_len, &f->reason_len,
        &f->dnsbl_len,     &f->client_host_len, &f->sender_len,
        &f->recipient_len, &f->helo_len};
    memset(f, 0, sizeof *f);
    size_t nf = ev->nfields < MW_MAX_FIELDS ? ev->nfields : MW_MAX_FIELDS;
    for (size_t i = 0; i < nf; i++) {
        const struct mw_field *fd = &ev->fields[i];
        if (!fd->name || !fd->val || fd->len == 0)
            continue;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            if (fd->name[0] == names[k][0] && strcmp(fd->name, names[k]) == 0) {
                if (!*vals[k]) {
                    *vals[k] = fd->val;
                    *lens[k] = fd->len;
                }
                break;
            }
        }
    }
}

/* Canonical text of an IPv4 or IPv6 address (an "IPv6:" prefix, as in
 * Postfix and Exim logs, is dropped; IPv4-mapped IPv6 becomes IPv4) into
 * out (INET6_ADDRSTRLEN bytes); its length, or 0 when s is not an address
 * (e.g. "unknown"). */
static size_t
ip_canon(const char *s, size_t len, char *out)
{
    char buf[INET6_ADDRSTRLEN + 8];
    unsigned char bin[16];
    if (len > 5 && memcmp(s, "IPv6:", 5) == 0) {
        s += 5;
        len -= 5;
    }
    if (len < 2 || len >= INET6_ADDRSTRLEN)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (memchr(buf, ':', len)) {
        if (inet_pton(AF_INET6, buf, bin) != 1)
            return 0;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                                 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(bin, mapped, 12) == 0) {
            if (!inet_ntop(AF_INET, bin + 12, out, INET6_ADDRSTRLEN))
                return 0;
        } else if (!inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN)) {
            return 0;
        }
    } else {
        if (inet_pton(AF_INET, buf, bin) != 1)
            return 0;
        if (!inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN))
            return 0;
    }
    return strlen(out);
}

static uint32_t
src_fixed_bits(const char *category, const char *id)
{
    uint32_t m = 0;
    if (strcmp(category, "auth.failure") == 0)
        m |= 1u << MW_SRC_AUTH;
    else if (strncmp(category, "tls.", 4) == 0)
        m |= 1u << MW_SRC_TLS;
    else if (strcmp(category, "dns") == 0)
        m |= 1u << MW_SRC_DNS;
    if (strstr(id, "disk"))
        m |= 1u << MW_SRC_DISK;
    else if (strcmp(category, "server.unavailable") == 0)
        m |= 1u << MW_SRC_OVERLOAD;
    return m;
}

static const char *
pool_str(struct mw_agg *a, const char *s)
{
    return s ? strpool_intern(a->pool, s, strlen(s)) : NULL;
}

static void
rule_init(struct mw_agg *a, struct mw_agg_rule *r, const struct mw_rule *rule)
{
    memset(r, 0, sizeof *r);
    r->rule = rule;
    r->id = pool_str(a, rule->id ? rule->id : "");
    r->title = pool_str(a, rule->title ? rule->title : r->id);
    r->category = pool_str(a, rule->category ? rule->category : "");
    r->cause = pool_str(a, rule->cause ? rule->cause : "");
    r->fix = pool_str(a, rule->fix);
    r->level = rule->level < MW_LEVEL_COUNT ? rule->level : MW_LEVEL_MEDIUM;
    r->cat = rule->category_idx;
    if (r->cat < 0 || r->cat >= MW_AGG_NCAT)
        r->cat = rule->category ? category_index(rule->category) : -1;
    if (r->cat >= MW_AGG_NCAT)
        r->cat = -1;
    r->srcfixed = src_fixed_bits(r->category, r->id);
    r->out_cat = strcmp(r->category, "connection.refused") == 0 ||
                 strcmp(r->category, "connection.timeout") == 0 ||
                 strcmp(r->category, "network") == 0;
    r->dnsbl_cat = strcmp(r->category, "policy.dnsbl") == 0;
    r->first = INT64_MAX;
    r->last = INT64_MIN;
}

static struct mw_agg_rule *
rule_get(struct mw_agg *a, const struct mw_rule *rule)
{
    /* a few hundred rules at most: a direct-mapped cache by address in
     * front of a linear search */
    uint64_t h = (uint64_t)(uintptr_t)rule * 0x9E3779B97F4A7C15ull;
    size_t slot = (size_t)(h >> 58) % MW_AGG_RULE_CACHE;
    uint32_t c = a->rulecache[slot];
    if (c && a->rules[c - 1].rule == rule)
        return &a->rules[c - 1];
    size_t i = 0;
    while (i < a->nrules && a->rules[i].rule != rule)
        i++;
    if (i == a->nrules) {
        if (a->nrules == a->caprules) {
            a->caprules = a->caprules ? a->caprules * 2 : 32;
            a->rules = xreallocarray(a->rules, a->caprules, sizeof *a->rules);
        }
        rule_init(a, &a->rules[a->nrules++], rule);
    }
    a->rulecache[slot] = (uint32_t)i + 1;
    return &a->rules[i];
}

static void
first_last(int64_t *first, int64_t *last, const struct hit *h)
{
    if (!h->has_t)
        return;
    if (h->t < *first)
        *first = h->t;
    if (h->t > *last)
        *last = h->t;
}

static void
ip_count_cat(struct mw_agg_ip *e, int cat)
{
    if (e->full) {
        e->full[cat]++;
        return;
    }
    for (size_t k = 0; k < e->ncat; k++) {
        if (e->cat[k] == cat) {
            e->cnt[k]++;
            return;
        }
    }
    if (e->ncat < 3) {
        e->cat[e->ncat] = (uint8_t)cat;
        e->cnt[e->ncat++] = 1;
        return;
    }
    e->full = xcalloc(MW_AGG_NCAT, sizeof *e->full);
    for (size_t k = 0; k < e->ncat; k++)
        e->full[e->cat[k]] = e->cnt[k];
    e->full[cat]++;
}

uint64_t
agg_ip_cat(const struct mw_agg_ip *e, int cat)
{
    if (e->full)
        return e->full[cat];
    for (size_t k = 0; k < e->ncat; k++)
        if (e->cat[k] == cat)
            return e->cnt[k];
    return 0;
}

static uint32_t
ip_note(struct mw_agg *a, const struct evfields *f, const struct mw_agg_rule *r,
        const struct hit *h)
{
    char canon[INET6_ADDRSTRLEN];
    size_t len =
        f->client_ip ? ip_canon(f->client_ip, f->client_ip_len, canon) : 0;
    if (len == 0)
        return MW_FND_NONE;
    bool isnew;
    uint32_t i = agg_tab_get(&a->iptab, canon, len, agg_tab_hash(canon, len),
                             a->pool, &isnew);
    if (i == MW_FND_NONE) {
        a->ip_overflow++;
        return i;
    }
    if (isnew) {
        a->ips = agg_tab_fit(a->ips, &a->capips, i, sizeof *a->ips);
        a->ips[i].first = a->ips[i].tls_first = INT64_MAX;
        a->ips[i].last = INT64_MIN;
    }
    struct mw_agg_ip *e = &a->ips[i];
    e->count++;
    first_last(&e->first, &e->last, h);
    if (r->cat >= 0)
        ip_count_cat(e, r->cat);
    e->auth += (r->srcfixed >> MW_SRC_AUTH) & 1u;
    e->dnsbl += r->dnsbl_cat;
    if (r->srcfixed & (1u << MW_SRC_TLS)) {
        e->tls++;
        if (h->has_t && h->t < e->tls_first)
            e->tls_first = h->t;
    }
    return i;
}

static uint32_t
key_note(struct mw_agg_tab *t, struct mw_agg *a, const char *s, size_t len,
         bool *isnew)
{
    if (len > KEY_MAX)
        len = KEY_MAX;
    return agg_tab_get(t, s, len, agg_tab_hash(s, len), a->pool, isnew);
}

static uint32_t
user_note(struct mw_agg *a, const struct evfields *f,
          const struct mw_agg_rule *r, const struct hit *h)
{
    if (!f->user)
        return MW_FND_NONE;
    bool isnew;
    uint32_t i = key_note(&a->usertab, a, f->user, f->user_len, &isnew);
    if (i == MW_FND_NONE) {
        a->user_overflow++;
        return i;
    }
    if (isnew)
        a->users = agg_tab_fit(a->users, &a->capusers, i, sizeof *a->users);
    struct mw_agg_user *u = &a->users[i];
    u->count++;
    bool auth = r->srcfixed & (1u << MW_SRC_AUTH);
    u->auth += auth;
    if (h->ip != MW_FND_NONE) {
        window_counts_add(&u->ips, h->ip, 1, USER_IP_CAP);
        if (auth)
            window_counts_add(&u->auth_ips, h->ip, 1, USER_IP_CAP);
    }
    return i;
}

/* The destination of an outbound failure: the domain of remote_host (the
 * name without its first label when it has 3 labels or more, so that
 * mx1.example.net and mx2.example.net are one destination), else
 * remote_ip. */
static uint32_t
dest_note(struct mw_agg *a, const struct evfields *f, const struct hit *h)
{
    const char *host = f->remote_host ? f->remote_host : f->remote_ip;
    size_t hlen = f->remote_host ? f->remote_host_len : f->remote_ip_len;
    if (!host)
        return MW_FND_NONE;
    if (hlen > KEY_MAX)
        hlen = KEY_MAX;
    const char *d = host;
    size_t len = hlen;
    const char *dot = f->remote_host ? memchr(host, '.', hlen) : NULL;
    if (dot && memchr(dot + 1, '.', hlen - (size_t)(dot + 1 - host))) {
        d = dot + 1;
        len = hlen - (size_t)(d - host);
    }
    bool isnew;
    uint32_t i = key_note(&a->desttab, a, d, len, &isnew);
    if (i == MW_FND_NONE)
        return i;
    if (isnew) {
        a->dests = agg_tab_fit(a->dests, &a->capdests, i, sizeof *a->dests);
        a->dests[i].host = strpool_add(a->pool, host, hlen);
        a->dests[i].first = INT64_MAX;
        a->dests[i].last = INT64_MIN;
    }
    struct mw_agg_dest *e = &a->dests[i];
    if (!e->many_hosts &&
        (strlen(e->host) != hlen || memcmp(e->host, host, hlen) != 0))
        e->many_hosts = true;
    e->count++;
    first_last(&e->first, &e->last, h);
    if (f->remote_port && f->remote_port_len == 2 &&
        memcmp(f->remote_port, "25", 2) == 0)
        e->port25++;
    return i;
}

/* the domain a DNS failure is about: the first of remote_host,
 * client_host, the domain of recipient or sender, helo */
static void
dns_note(struct mw_agg *a, const struct evfields *f, const struct hit *h)
{
    const char *d = f->remote_host;
    size_t len = f->remote_host_len;
    if (!d) {
        d = f->client_host;
        len = f->client_host_len;
    }
    const char *addrs[] = {f->recipient, f->sender};
    size_t alens[] = {f->recipient_len, f->sender_len};
    for (size_t k = 0; !d && k < 2; k++) {
        const char *at = addrs[k] ? memchr(addrs[k], '@', alens[k]) : NULL;
        if (at && (size_t)(at - addrs[k]) + 1 < alens[k]) {
            d = at + 1;
            len = alens[k] - (size_t)(at - addrs[k]) - 1;
        }
    }
    if (!d) {
        d = f->helo;
        len = f->helo_len;
    }
    bool isnew;
    uint32_t dom = d ? key_note(&a->domtab, a, d, len, &isnew) : MW_FND_NONE;
    if (!h->has_t || a->ndns >= DNS_EVENTS_CAP)
        return;
    if (a->ndns == a->capdns) {
        a->capdns = a->capdns ? a->capdns * 2 : 256;
        a->dns = xreallocarray(a->dns, a->capdns, sizeof *a->dns);
    }
    a->dns[a->ndns].t = h->t;
    a->dns[a->ndns++].domain = dom;
}

static bool
has_bytes(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return s && len >= n && memmem(s, len, lit, n) != NULL;
}

/* the sources this hit feeds (enum mw_fnd_src bits) */
static uint32_t
hit_sources(const struct mw_agg_rule *r, const struct evfields *f,
            const struct mw_event *ev, const struct hit *h)
{
    uint32_t m = r->srcfixed;
    if (r->out_cat && h->dest != MW_FND_NONE)
        m |= 1u << MW_SRC_OUT;
    if (r->dnsbl_cat)
        m |= 1u << (f->client_ip ? MW_SRC_DNSBL_IN : MW_SRC_DNSBL_OUT);
    if (has_bytes(f->reason, f->reason_len, "No space left") ||
        has_bytes(ev->rec->msg, ev->rec->msg_len, "No space left"))
        m = (m & ~(1u << MW_SRC_OVERLOAD)) | 1u << MW_SRC_DISK;
    return m;
}

static void
src_add(struct mw_agg *a, struct mw_agg_src *s, const struct hit *h)
{
    s->count++;
    if (s->count == 1) {
        s->first = INT64_MAX;
        s->last = INT64_MIN;
    }
    first_last(&s->first, &s->last, h);
    if (h->has_t)
        window_counts_add(&s->series, window_floor_div(h->t, a->base), 1, 0);
    evkeep_add(&s->ev, MW_AGG_SRC_EVIDENCE, h, a->pool);
}

static void
pair_add(struct mw_agg *a, struct mw_counts *c, uint32_t key)
{
    if (key == MW_FND_NONE)
        return;
    size_t before = c->n;
    if (a->pair_budget == 0 && window_counts_get(c, key) == 0)
        return;
    window_counts_add(c, key, 1, RULE_SET_CAP);
    if (c->n > before)
        a->pair_budget--;
}

static void
rule_add(struct mw_agg *a, struct mw_agg_rule *r, const struct hit *h,
         uint32_t srcmask)
{
    r->count++;
    r->srcmask |= srcmask;
    first_last(&r->first, &r->last, h);
    if (h->has_t)
        window_counts_add(&r->series, window_floor_div(h->t, a->base), 1, 0);
    pair_add(a, &r->ips, h->ip);
    pair_add(a, &r->users, h->user);
    evkeep_add(&r->ev, a->evidence, h, a->pool);
}

static void
cat_add(struct mw_agg *a, const struct mw_agg_rule *r, const struct hit *h)
{
    if (r->cat < 0)
        return;
    struct mw_agg_cat *c = &a->cats[r->cat];
    if (c->count++ == 0) {
        c->name = r->category;
        c->first = INT64_MAX;
        c->last = INT64_MIN;
    }
    first_last(&c->first, &c->last, h);
    if (h->has_t)
        window_counts_add(&c->series, window_floor_div(h->t, a->base), 1, 0);
}

static void
hit_init(struct mw_agg *a, size_t input, const struct mw_record *rec,
         struct hit *h)
{
    memset(h, 0, sizeof *h);
    h->path = input < a->ninputs ? a->inputs[input].path : "";
    if (rec->line) {
        h->text = rec->line->data;
        h->len = rec->line->len;
        h->lineno = rec->line->lineno;
    } else {
        h->text = rec->msg;
        h->len = rec->msg_len;
    }
    if (!h->text)
        h->len = 0;
    if (h->len > EVIDENCE_MAX)
        h->len = EVIDENCE_MAX;
    h->has_t = time_ok(&rec->ts);
    h->t = h->has_t ? rec->ts.sec : 0;
    h->ip = h->user = h->dest = MW_FND_NONE;
}

void
agg_event(struct mw_agg *a, size_t input, const struct mw_event *ev)
{
    if (!ev || !ev->rule || !ev->rec)
        return;
    a->matched++;
    if (input < a->ninputs)
        a->inputs[input].matched++;
    struct hit h;
    hit_init(a, input, ev->rec, &h);
    if (h.has_t)
        span_note(a, h.t);
    struct evfields f;
    fields_collect(ev, &f);
    struct mw_agg_rule *r = rule_get(a, ev->rule);
    h.ip = ip_note(a, &f, r, &h);
    h.user = user_note(a, &f, r, &h);
    if (r->out_cat)
        h.dest = dest_note(a, &f, &h);
    uint32_t m = hit_sources(r, &f, ev, &h);
    if (m & (1u << MW_SRC_DNS))
        dns_note(a, &f, &h);
    if ((m & (1u << MW_SRC_DNSBL_OUT)) && f.dnsbl) {
        bool isnew;
        key_note(&a->dnsbltab, a, f.dnsbl, f.dnsbl_len, &isnew);
    }
    for (size_t k = 0; k < MW_SRC_COUNT; k++)
        if (m & (1u << k))
            src_add(a, &a->src[k], &h);
    rule_add(a, r, &h, m);
    cat_add(a, r, &h);
}
