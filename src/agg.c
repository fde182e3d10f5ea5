#include "config.h"

#include "agg.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
#define SRC_EVIDENCE   16u      /* lines kept per detector source */
#define SHAPE_MSG_MAX  96u
#define SHAPE_PROG_MAX 32u
#define SHAPE_BUF      (SHAPE_PROG_MAX + 2 + 2 * SHAPE_MSG_MAX + 8)
#define SHAPE_EXACT    16384u /* unmatched lines shaped one by one */
#define SHAPE_SAMPLE   16u    /* then one in this many (a power of 2) */
#define EXAMPLE_MAX    200u
#define KEY_MAX        256u /* bytes of a user, host or list name */
#define NCAT           32
#define RULE_CACHE     64                 /* slots of the rule lookup cache */
#define TIME_LIMIT     ((int64_t)1 << 46) /* ~2 million years */

/* ---- string tables ---------------------------------------------------- */

/* Open-addressing index of strings copied into the pool; entry data lives
 * in parallel arrays owned by the caller, indexed by the returned index. */
struct strtab {
    uint32_t *slots; /* 0 = empty, else index + 1 */
    size_t nslots;
    const char **keys;
    uint32_t *lens;
    uint64_t *hashes;
    size_t n, cap, limit;
};

static uint64_t
hash_bytes(const char *s, size_t n)
{
    /* 8 bytes per step; quality is ample for table indexing */
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x94D049BB133111EBull;
    return h ^ (h >> 29);
}

static void
strtab_grow(struct strtab *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 64;
    uint32_t *slots = xcalloc(ns, sizeof *slots);
    for (size_t i = 0; i < t->n; i++) {
        size_t j = t->hashes[i] & (ns - 1);
        while (slots[j])
            j = (j + 1) & (ns - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
}

/* Index of s. Absent: inserted (copied into pool, *isnew set) unless pool
 * is NULL or the table is full; MW_FND_NONE then. */
static uint32_t
strtab_get(struct strtab *t, const char *s, size_t len, uint64_t h,
           struct mw_strpool *pool, bool *isnew)
{
    *isnew = false;
    if (t->nslots) {
        size_t mask = t->nslots - 1;
        for (size_t j = h & mask; t->slots[j]; j = (j + 1) & mask) {
            uint32_t i = t->slots[j] - 1;
            if (t->hashes[i] == h && t->lens[i] == len &&
                memcmp(t->keys[i], s, len) == 0)
                return i;
        }
    }
    if (!pool || t->n >= t->limit)
        return MW_FND_NONE;
    if ((t->n + 1) * 2 > t->nslots)
        strtab_grow(t);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->keys = xreallocarray(t->keys, t->cap, sizeof *t->keys);
        t->lens = xreallocarray(t->lens, t->cap, sizeof *t->lens);
        t->hashes = xreallocarray(t->hashes, t->cap, sizeof *t->hashes);
    }
    size_t i = t->n++;
    t->keys[i] = strpool_add(pool, s, len);
    t->lens[i] = (uint32_t)len;
    t->hashes[i] = h;
    size_t j = h & (t->nslots - 1);
    while (t->slots[j])
        j = (j + 1) & (t->nslots - 1);
    t->slots[j] = (uint32_t)i + 1;
    *isnew = true;
    return (uint32_t)i;
}

static void
strtab_free(struct strtab *t)
{
    free(t->slots);
    free(t->keys);
    free(t->lens);
    free(t->hashes);
}

/* grow a parallel entry array so that index i fits (new entries zeroed) */
static void *
entries_fit(void *arr, size_t *cap, size_t i, size_t size)
{
    if (i < *cap)
        return arr;
    size_t n = *cap ? *cap * 2 : 64;
    while (n <= i)
        n *= 2;
    char *p = xreallocarray(arr, n, size);
    memset(p + *cap * size, 0, (n - *cap) * size);
    *cap = n;
    return p;
}

/* ---- kept evidence ------------------------------------------------------ */

/* The first max lines (copied into the pool) and the latest one after them
 * (in a buffer of its own, overwritten on every hit). */
struct evkeep {
    struct mw_fnd_ev *first;
    size_t nfirst;
    struct mw_fnd_ev last;
    char *lastbuf;
    bool has_last;
};

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
evkeep_add(struct evkeep *k, size_t max, const struct hit *h,
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

/* the kept lines, at most max of them: the first ones, then the last */
static struct mw_fnd_evlist
evkeep_list(const struct evkeep *k, size_t max, struct mw_fnd_arena *ar,
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

static void
evkeep_free(struct evkeep *k)
{
    free(k->first);
    free(k->lastbuf);
}

/* ---- the aggregator ----------------------------------------------------- */

struct agg_input {
    const char *path, *dialect;
    uint64_t lines, matched, unparsed, truncated;
    bool read_error;
};

struct ip_ent {
    uint64_t count, auth, tls, dnsbl;
    int64_t first, last, tls_first;
    uint64_t *full;  /* NCAT counters once a 4th category shows up */
    uint64_t cnt[3]; /* else up to 3 (category, count) pairs */
    uint8_t cat[3];
    uint8_t ncat;
};

struct user_ent {
    uint64_t count, auth;
    struct mw_counts ips, auth_ips; /* keys: client indices */
};

struct dest_ent {
    uint64_t count, port25;
    int64_t first, last;
    const char *host; /* the first host name seen for this destination */
    bool many_hosts;  /* more than one */
};

struct shape_ent {
    const char *example;
    uint64_t count;
};

struct cat_ent {
    const char *name;
    uint64_t count;
    int64_t first, last;
    struct mw_counts series;
};

struct src_ent {
    uint64_t count;
    int64_t first, last;
    struct mw_counts series;
    struct evkeep ev;
};

struct rule_ent {
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
    struct evkeep ev;
};

struct mw_agg {
    size_t top, evidence;
    int64_t window;
    int64_t base;
    struct mw_strpool *pool;
    struct mw_fnd_arena arena;
    struct agg_input *inputs;
    size_t ninputs, capinputs;
    bool has_span;
    int64_t span_start, span_end;
    uint64_t lines, matched;
    struct cat_ent cats[NCAT];
    struct rule_ent *rules;
    size_t nrules, caprules;
    uint32_t rulecache[RULE_CACHE]; /* rule index + 1, by pointer hash */
    struct strtab iptab, usertab, desttab, domtab, dnsbltab, shapetab;
    struct ip_ent *ips;
    struct user_ent *users;
    struct dest_ent *dests;
    struct shape_ent *shapes;
    size_t capips, capusers, capdests, capshapes;
    uint64_t ip_overflow, user_overflow, shape_overflow;
    uint64_t unmatched_seen; /* lines passed to agg_unmatched */
    struct mw_fnd_dnsev *dns;
    size_t ndns, capdns;
    size_t pair_budget;
    struct src_ent src[MW_SRC_COUNT];
};

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
    for (size_t i = 0; i < NCAT; i++)
        window_counts_free(&a->cats[i].series);
    for (size_t i = 0; i < a->nrules; i++) {
        struct rule_ent *r = &a->rules[i];
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
    struct strtab *tabs[] = {&a->iptab,  &a->usertab,  &a->desttab,
                             &a->domtab, &a->dnsbltab, &a->shapetab};
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
        strtab_free(tabs[i]);
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
    struct agg_input *in = &a->inputs[a->ninputs];
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

/* ---- unmatched shapes --------------------------------------------------- */

/* character classes of shape masking */
#define C_ALPHA   1
#define C_DIGIT   2
#define C_SPECIAL 4 /* '[' and '<' */
#define C_DELIM   8 /* ends a host name: space = < ( , " ' tab */

static const unsigned char shape_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 8, 0, 0,  0, 0, 8, 8, 0, 0, 0, 8, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 12, 8, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 4, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0,
};

static bool
is_digit(unsigned c)
{
    return shape_class[c & 255] & C_DIGIT;
}

static bool
is_alnum(unsigned c)
{
    return shape_class[c & 255] & (C_ALPHA | C_DIGIT);
}

static bool
is_hex(unsigned c)
{
    return is_digit(c) || (c | 32u) - 'a' < 6u;
}

/* Emit the alphanumeric run s[b..e) holding a digit: "X" for an id (hex of
 * at least 6 characters, or at least 10 characters mixing letters and
 * digits, like Postfix long queue ids), else the run with each digit run
 * replaced by "N". */
static size_t
shape_run(const unsigned char *s, size_t b, size_t e, char *out, size_t o)
{
    size_t digits = 0;
    bool hex = true;
    for (size_t i = b; i < e; i++) {
        digits += is_digit(s[i]);
        hex = hex && is_hex(s[i]);
    }
    size_t len = e - b;
    if (digits < len && ((hex && len >= 6) || len >= 10)) {
        out[o++] = 'X';
        return o;
    }
    for (size_t i = b; i < e; i++) {
        if (!is_digit(s[i]))
            out[o++] = (char)s[i];
        else if (i == b || !is_digit(s[i - 1]))
            out[o++] = 'N';
    }
    return o;
}

/* length of an address inside "[...]" starting at s[i] ('['), or 0 */
static size_t
shape_ip(const unsigned char *s, size_t i, size_t m)
{
    size_t j = i + 1;
    if (m - j > 5 && memcmp(s + j, "IPv6:", 5) == 0)
        j += 5;
    bool digit = false, sep = false;
    for (; j < m && j - i <= 52; j++) {
        unsigned c = s[j];
        if (c == ']')
            return digit && sep ? j - i + 1 : 0;
        if (c == '.' || c == ':')
            sep = true;
        else if (is_digit(c))
            digit = true;
        else if (!is_hex(c))
            return 0;
    }
    return 0;
}

/* "[IP]" at out[o]; a host name before it holding a dot becomes "HOST"
 * ("mail.example.com[IP]" -> "HOST[IP]", "unknown[IP]" stays) */
static size_t
shape_host_ip(char *out, size_t o, size_t lo)
{
    size_t tok = o;
    while (tok > lo && !(shape_class[(unsigned char)out[tok - 1]] & C_DELIM))
        tok--;
    if (memchr(out + tok, '.', o - tok)) {
        memcpy(out + tok, "HOST", 4);
        o = tok + 4;
    }
    memcpy(out + o, "[IP]", 4);
    return o + 4;
}

/* length of "<...@...>" starting at s[i], or of the rest when cut; or 0 */
static size_t
shape_addr(const unsigned char *s, size_t i, size_t m)
{
    const unsigned char *gt = memchr(s + i, '>', m - i);
    size_t end = gt ? (size_t)(gt - s) + 1 : m;
    return memchr(s + i, '@', end - i) ? end - i : 0;
}

/* Non-zero when one of the 8 bytes of w is a digit, '[' or '<'. The
 * digit test is exact per byte; the equality tests may flag a wrong byte
 * but only when a right one is present (bit hacks: "determine if a word
 * has a zero byte"). */
static uint64_t
word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = ones << 7;
    uint64_t t = w & ~high;
    uint64_t digit = (t + ones * 0x50) & (ones * 0xB9 - t) & ~w & high;
    uint64_t lb = w ^ (ones * '['), lt = w ^ (ones * '<');
    return digit | ((lb - ones) & ~lb & high) | ((lt - ones) & ~lt & high);
}

/* index of the first digit, '[' or '<' in s[i..m), or m */
static size_t
shape_next(const unsigned char *s, size_t i, size_t m)
{
    while (m - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t hit = word_special(w);
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* the lowest flagged byte is always a true one */
        if (hit)
            return i + (size_t)__builtin_ctzll(hit) / 8;
#else
        if (hit)
            break;
#endif
        i += 8;
    }
    while (i < m && !(shape_class[s[i]] & (C_DIGIT | C_SPECIAL)))
        i++;
    return i;
}

/* Emit the alphanumeric run holding the digit at s[i], which starts at b,
 * into out[o]; *end gets the end of the run. */
static size_t
shape_digits(const unsigned char *s, size_t b, size_t i, size_t m, char *out,
             size_t o, size_t *end)
{
    size_t e = i;
    while (e < m && is_digit(s[e]))
        e++;
    if (b == i && (e == m || !(shape_class[s[e]] & C_ALPHA))) {
        /* a plain number, by far the most common run */
        out[o++] = 'N';
        *end = e;
        return o;
    }
    while (e < m && is_alnum(s[e]))
        e++;
    *end = e;
    return shape_run(s, b, e, out, o);
}

/* Mask s[0..m) into out from o; returns the new length. Output is at most
 * twice the input. Bytes are copied in spans; only digits, '[' and '<'
 * stop the scan. */
static size_t
shape_mask(const unsigned char *s, size_t m, char *out, size_t o)
{
    size_t lo = o, from = 0, i = 0;
    for (;;) {
        i = shape_next(s, i, m);
        if (i == m)
            break;
        unsigned c = s[i];
        size_t b = i, n = 0;
        if (c == '[' || c == '<') {
            n = c == '[' ? shape_ip(s, i, m) : shape_addr(s, i, m);
            if (n == 0) {
                i++;
                continue;
            }
        } else {
            /* the letters before the digit belong to its run; a run never
             * starts before from (which follows a non-alphanumeric) */
            while (b > from && (shape_class[s[b - 1]] & C_ALPHA))
                b--;
        }
        memcpy(out + o, s + from, b - from);
        o += b - from;
        if (c == '[') {
            o = shape_host_ip(out, o, lo);
            i += n;
        } else if (c == '<') {
            memcpy(out + o, "<ADDR>", 6);
            o += 6;
            i += n;
        } else {
            o = shape_digits(s, b, i, m, out, o, &i);
        }
        from = i;
    }
    memcpy(out + o, s + from, m - from);
    return o + (m - from);
}

void
agg_unmatched(struct mw_agg *a, size_t input, const struct mw_record *rec)
{
    (void)input;
    /* Shapes are the costliest per-line work of a run. After the first
     * SHAPE_EXACT lines, one line in SHAPE_SAMPLE is shaped and counted
     * SHAPE_SAMPLE times: the ranking of frequent shapes stays right and
     * the counts become estimates. */
    uint32_t weight = 1;
    if (a->unmatched_seen++ >= SHAPE_EXACT) {
        if ((a->unmatched_seen & (SHAPE_SAMPLE - 1)) != 0)
            return;
        weight = SHAPE_SAMPLE;
    }
    char buf[SHAPE_BUF];
    size_t o = 0;
    if (rec->prog_base && rec->prog_base_len) {
        o = rec->prog_base_len < SHAPE_PROG_MAX ? rec->prog_base_len
                                                : SHAPE_PROG_MAX;
        memcpy(buf, rec->prog_base, o);
        buf[o++] = ':';
        buf[o++] = ' ';
    }
    size_t m = rec->msg_len < SHAPE_MSG_MAX ? rec->msg_len : SHAPE_MSG_MAX;
    if (rec->msg)
        o = shape_mask((const unsigned char *)rec->msg, m, buf, o);
    bool isnew;
    uint32_t i =
        strtab_get(&a->shapetab, buf, o, hash_bytes(buf, o), a->pool, &isnew);
    if (i == MW_FND_NONE) {
        a->shape_overflow++;
        return;
    }
    if (isnew) {
        a->shapes = entries_fit(a->shapes, &a->capshapes, i, sizeof *a->shapes);
        const char *ex = rec->line ? rec->line->data : rec->msg;
        size_t exlen = rec->line ? rec->line->len : rec->msg_len;
        if (!ex)
            exlen = 0;
        a->shapes[i].example =
            strpool_add(a->pool, ex, exlen < EXAMPLE_MAX ? exlen : EXAMPLE_MAX);
    }
    a->shapes[i].count += weight;
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
rule_init(struct mw_agg *a, struct rule_ent *r, const struct mw_rule *rule)
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
    if (r->cat < 0 || r->cat >= NCAT)
        r->cat = rule->category ? category_index(rule->category) : -1;
    if (r->cat >= NCAT)
        r->cat = -1;
    r->srcfixed = src_fixed_bits(r->category, r->id);
    r->out_cat = strcmp(r->category, "connection.refused") == 0 ||
                 strcmp(r->category, "connection.timeout") == 0 ||
                 strcmp(r->category, "network") == 0;
    r->dnsbl_cat = strcmp(r->category, "policy.dnsbl") == 0;
    r->first = INT64_MAX;
    r->last = INT64_MIN;
}

static struct rule_ent *
rule_get(struct mw_agg *a, const struct mw_rule *rule)
{
    /* a few hundred rules at most: a direct-mapped cache by address in
     * front of a linear search */
    uint64_t h = (uint64_t)(uintptr_t)rule * 0x9E3779B97F4A7C15ull;
    size_t slot = (size_t)(h >> 58) % RULE_CACHE;
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
ip_count_cat(struct ip_ent *e, int cat)
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
    e->full = xcalloc(NCAT, sizeof *e->full);
    for (size_t k = 0; k < e->ncat; k++)
        e->full[e->cat[k]] = e->cnt[k];
    e->full[cat]++;
}

static uint64_t
ip_cat(const struct ip_ent *e, int cat)
{
    if (e->full)
        return e->full[cat];
    for (size_t k = 0; k < e->ncat; k++)
        if (e->cat[k] == cat)
            return e->cnt[k];
    return 0;
}

static uint32_t
ip_note(struct mw_agg *a, const struct evfields *f, const struct rule_ent *r,
        const struct hit *h)
{
    char canon[INET6_ADDRSTRLEN];
    size_t len =
        f->client_ip ? ip_canon(f->client_ip, f->client_ip_len, canon) : 0;
    if (len == 0)
        return MW_FND_NONE;
    bool isnew;
    uint32_t i = strtab_get(&a->iptab, canon, len, hash_bytes(canon, len),
                            a->pool, &isnew);
    if (i == MW_FND_NONE) {
        a->ip_overflow++;
        return i;
    }
    if (isnew) {
        a->ips = entries_fit(a->ips, &a->capips, i, sizeof *a->ips);
        a->ips[i].first = a->ips[i].tls_first = INT64_MAX;
        a->ips[i].last = INT64_MIN;
    }
    struct ip_ent *e = &a->ips[i];
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
key_note(struct strtab *t, struct mw_agg *a, const char *s, size_t len,
         bool *isnew)
{
    if (len > KEY_MAX)
        len = KEY_MAX;
    return strtab_get(t, s, len, hash_bytes(s, len), a->pool, isnew);
}

static uint32_t
user_note(struct mw_agg *a, const struct evfields *f, const struct rule_ent *r,
          const struct hit *h)
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
        a->users = entries_fit(a->users, &a->capusers, i, sizeof *a->users);
    struct user_ent *u = &a->users[i];
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
        a->dests = entries_fit(a->dests, &a->capdests, i, sizeof *a->dests);
        a->dests[i].host = strpool_add(a->pool, host, hlen);
        a->dests[i].first = INT64_MAX;
        a->dests[i].last = INT64_MIN;
    }
    struct dest_ent *e = &a->dests[i];
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
hit_sources(const struct rule_ent *r, const struct evfields *f,
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
src_add(struct mw_agg *a, struct src_ent *s, const struct hit *h)
{
    s->count++;
    if (s->count == 1) {
        s->first = INT64_MAX;
        s->last = INT64_MIN;
    }
    first_last(&s->first, &s->last, h);
    if (h->has_t)
        window_counts_add(&s->series, window_floor_div(h->t, a->base), 1, 0);
    evkeep_add(&s->ev, SRC_EVIDENCE, h, a->pool);
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
rule_add(struct mw_agg *a, struct rule_ent *r, const struct hit *h,
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
cat_add(struct mw_agg *a, const struct rule_ent *r, const struct hit *h)
{
    if (r->cat < 0)
        return;
    struct cat_ent *c = &a->cats[r->cat];
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
    struct rule_ent *r = rule_get(a, ev->rule);
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

/* ---- the summary ------------------------------------------------------ */

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
        const struct agg_input *in = &a->inputs[i];
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
sum_category(struct mw_agg *a, const struct cat_ent *c, size_t clients,
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
    size_t clients[NCAT] = {0};
    for (size_t i = 0; i < a->iptab.n; i++)
        for (int c = 0; c < NCAT; c++)
            clients[c] += ip_cat(&a->ips[i], c) > 0;
    struct rank r[NCAT];
    size_t n = 0;
    for (int c = 0; c < NCAT; c++)
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
        const struct ip_ent *e = &a->ips[r[i].idx];
        struct mw_sum_client *o = &s->clients[i];
        o->ip = r[i].name;
        o->count = e->count;
        for (int c = 0; c < NCAT; c++)
            o->by_category[c] = ip_cat(e, c);
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
fnd_rule(struct mw_agg *a, const struct rule_ent *r,
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
        const struct ip_ent *e = &a->ips[i];
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
        const struct dest_ent *e = &a->dests[i];
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
        const struct src_ent *se = &a->src[k];
        struct mw_fnd_srcstat *o = &in->src[k];
        o->count = se->count;
        o->first = se->count ? time_or_none(se->first) : MW_FND_NO_TIME;
        o->last = se->count ? time_or_none(se->last) : MW_FND_NO_TIME;
        o->series = series_of(a, &se->series, l);
        o->ev = evkeep_list(&se->ev, SRC_EVIDENCE + 1, &a->arena, a->pool);
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
