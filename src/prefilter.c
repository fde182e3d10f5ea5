#include "config.h"

#include "prefilter.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* A sampled q-gram filter. Every literal is looked at through a window of
 * m bytes, m being the length of the shortest literal. A window occurring
 * in the text has a q-gram (q bytes) starting at one of its first
 * k = m - q + 1 positions, so one of them is at a multiple of k: the scan
 * looks only at the q-gram at every k-th position of the text, and tests
 * it in a bitmap of the hashed q-grams of all windows (k per window).
 *
 * Unlike the shift of a Wu-Manber scan, no probe waits for the one before:
 * the processor overlaps them, and the loop has no branch on the text but
 * the rare bitmap hit. A hit is verified through a table from a q-gram to
 * the literals that have it in their window, and where. */

#define MAX_WINDOW 128u
/* Grams are read as a masked 4-byte load. 4-byte grams from a window of
 * 5 bytes on: they are far rarer in log text than 3-byte ones, which pays
 * for the shorter stride (on a generated Postfix day, 0.8 verifications
 * a line instead of 2.3, for 50 probes instead of 36). Shorter windows
 * take 3 or 2 bytes. */
#define Q_MAX      4u
#define Q_LONG_MIN 5u
/* log2 of the bitmap size in bits: 16 KiB, in the L1/L2 caches; a fixed
 * size makes the hash a shift by a constant */
#define BITMAP_BITS 17u
/* weight of a gram shared by several literals when choosing windows */
#define SPREAD_WEIGHT 8u

struct entry {
    char *lit;
    size_t len;
    size_t rule;
};

/* a distinct literal and the rules that want it */
struct lit {
    const char *s;
    size_t len;
    size_t first_rule; /* index into rules[] */
    size_t nrules;
};

/* a q-gram of a literal's window */
struct gram {
    uint32_t key; /* as returned by gram_key */
    uint32_t lit; /* literal number */
    size_t off;   /* from the literal's start */
};

struct mw_prefilter {
    size_t nrules, words;
    uint64_t *always;
    struct entry *ents;
    size_t nents, capents;
    /* built tables */
    size_t m, q, k;     /* window, gram length, stride (m - q + 1) */
    uint32_t qmask;     /* keeps the first q bytes of a 4-byte load */
    uint64_t *bitmap;   /* hashed keys of all grams */
    struct gram *grams; /* sorted by key */
    size_t ngrams;
    uint32_t *gslot; /* open addressing on key: 1 + first index in grams */
    size_t gslot_mask;
    struct lit *lits;
    size_t nlits;
    size_t *rules;
};

struct mw_prefilter *
prefilter_new(size_t nrules)
{
    struct mw_prefilter *pf = xcalloc(1, sizeof *pf);
    pf->nrules = nrules;
    pf->words = (nrules + 63) / 64;
    pf->always = xcalloc(pf->words ? pf->words : 1, sizeof *pf->always);
    return pf;
}

static void
free_tables(struct mw_prefilter *pf)
{
    free(pf->bitmap);
    free(pf->grams);
    free(pf->gslot);
    free(pf->lits);
    free(pf->rules);
    pf->bitmap = NULL;
    pf->grams = NULL;
    pf->gslot = NULL;
    pf->lits = NULL;
    pf->rules = NULL;
    pf->nlits = pf->ngrams = 0;
}

void
prefilter_free(struct mw_prefilter *pf)
{
    if (!pf)
        return;
    free_tables(pf);
    for (size_t i = 0; i < pf->nents; i++)
        free(pf->ents[i].lit);
    free(pf->ents);
    free(pf->always);
    free(pf);
}

void
prefilter_add(struct mw_prefilter *pf, size_t rule, const char *lit, size_t len)
{
    if (rule >= pf->nrules || len < 2)
        return;
    if (pf->nents == pf->capents) {
        pf->capents = pf->capents ? pf->capents * 2 : 16;
        pf->ents = xreallocarray(pf->ents, pf->capents, sizeof *pf->ents);
    }
    struct entry *e = &pf->ents[pf->nents++];
    e->lit = xmemdup(lit, len);
    e->len = len;
    e->rule = rule;
}

void
prefilter_add_always(struct mw_prefilter *pf, size_t rule)
{
    if (rule < pf->nrules)
        pf->always[rule / 64] |= UINT64_C(1) << (rule % 64);
}

size_t
prefilter_window(const struct mw_prefilter *pf)
{
    return pf->nlits ? pf->m : 0;
}

size_t
prefilter_words(const struct mw_prefilter *pf)
{
    return pf->words;
}

static int
entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->lit, y->lit, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* group equal literals: one struct lit each, its rules in pf->rules */
static void
build_lits(struct mw_prefilter *pf)
{
    qsort(pf->ents, pf->nents, sizeof *pf->ents, entry_cmp);
    pf->lits = xcalloc(pf->nents, sizeof *pf->lits);
    pf->rules = xcalloc(pf->nents, sizeof *pf->rules);
    for (size_t i = 0; i < pf->nents; i++) {
        const struct entry *e = &pf->ents[i];
        struct lit *last = pf->nlits ? &pf->lits[pf->nlits - 1] : NULL;
        if (!last || last->len != e->len || memcmp(last->s, e->lit, e->len)) {
            last = &pf->lits[pf->nlits++];
            last->s = e->lit;
            last->len = e->len;
            last->first_rule = i;
            last->nrules = 0;
        }
        pf->rules[i] = e->rule;
        last->nrules++;
    }
}

/* The key of the gram at p (4 readable bytes): the same bytes give the
 * same key whatever the byte order, as table and scan both load this way. */
static inline uint32_t
gram_key(const unsigned char *p, uint32_t qmask)
{
    uint32_t x;
    memcpy(&x, p, sizeof x);
    return x & qmask;
}

/* the key of the q bytes at p, which may be the last bytes of the text */
static uint32_t
gram_key_tail(const unsigned char *p, size_t q, uint32_t qmask)
{
    unsigned char b[Q_MAX] = {0};
    memcpy(b, p, q);
    return gram_key(b, qmask);
}

static inline unsigned
gram_hash(uint32_t key, unsigned shift)
{
    return (unsigned)((key * UINT32_C(0x9e3779b1)) >> shift);
}

/* How common a byte is in mail logs: spaces, digits (addresses, sizes,
 * times), the punctuation of key=value and host[addr], and frequent
 * lower-case letters. */
static unsigned
byte_weight(unsigned char c)
{
    if (c == ' ' || (c >= '0' && c <= '9'))
        return 4;
    if (c != '\0' && strchr(".:=<>[],-_/@", c))
        return 3;
    if (c != '\0' && strchr("etaoinsrhlcdm", c))
        return 3;
    if (c >= 'a' && c <= 'z')
        return 2;
    return 1;
}

/* a gram and how many literals hold it */
struct spread {
    uint32_t key;
    uint32_t lit;
};

static int
spread_cmp(const void *a, const void *b)
{
    const struct spread *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->lit < y->lit ? -1 : x->lit > y->lit;
}

/* every gram of every literal once per literal, sorted by key: the
 * vocabulary the literals share */
static struct spread *
spread_build(const struct mw_prefilter *pf, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < pf->nlits; i++)
        cap += pf->lits[i].len - pf->q + 1;
    struct spread *sp = xcalloc(cap ? cap : 1, sizeof *sp);
    *n = 0;
    for (size_t i = 0; i < pf->nlits; i++) {
        const struct lit *l = &pf->lits[i];
        for (size_t o = 0; o + pf->q <= l->len; o++) {
            sp[*n].key = gram_key_tail((const unsigned char *)l->s + o, pf->q,
                                       pf->qmask);
            sp[(*n)++].lit = (uint32_t)i;
        }
    }
    qsort(sp, *n, sizeof *sp, spread_cmp);
    return sp;
}

/* how many literals hold the gram key */
static size_t
gram_spread(const struct spread *sp, size_t n, uint32_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t count = 0;
    for (size_t i = lo; i < n && sp[i].key == key; i++)
        count += i == lo || sp[i].lit != sp[i - 1].lit;
    return count;
}

/* For each literal, the window whose grams look rarest: a common gram
 * ("con", "TLS") would send many probes to verification for nothing. A
 * gram held by several literals is a word of the logs' vocabulary, hence
 * likely common in the text too. Returns the window offset. */
static size_t
choose_window(const struct mw_prefilter *pf, const struct lit *l,
              const struct spread *sp, size_t nsp)
{
    const unsigned char *s = (const unsigned char *)l->s;
    size_t ng = l->len - pf->q + 1;
    /* the cost of the gram at each position, then a sliding sum of k */
    size_t *cost = xcalloc(ng, sizeof *cost);
    for (size_t i = 0; i < ng; i++) {
        uint32_t key = gram_key_tail(s + i, pf->q, pf->qmask);
        cost[i] = SPREAD_WEIGHT * gram_spread(sp, nsp, key);
        for (size_t b = 0; b < pf->q; b++)
            cost[i] += byte_weight(s[i + b]);
    }
    size_t sc = 0, best = SIZE_MAX, woff = 0;
    for (size_t j = 0; j < pf->k; j++)
        sc += cost[j];
    for (size_t o = 0; o + pf->m <= l->len; o++) {
        if (o > 0) {
            sc -= cost[o - 1];
            sc += cost[o + pf->k - 1];
        }
        if (sc < best) {
            best = sc;
            woff = o;
        }
    }
    free(cost);
    return woff;
}

static int
gram_cmp(const void *a, const void *b)
{
    const struct gram *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->lit != y->lit)
        return x->lit < y->lit ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* the k grams of every literal's window, sorted by key */
static void
build_grams(struct mw_prefilter *pf)
{
    size_t nsp;
    struct spread *sp = spread_build(pf, &nsp);
    pf->grams = xcalloc(pf->nlits * pf->k, sizeof *pf->grams);
    for (size_t i = 0; i < pf->nlits; i++) {
        const struct lit *l = &pf->lits[i];
        size_t woff = choose_window(pf, l, sp, nsp);
        for (size_t j = 0; j < pf->k; j++) {
            struct gram *g = &pf->grams[pf->ngrams++];
            g->key = gram_key_tail((const unsigned char *)l->s + woff + j,
                                   pf->q, pf->qmask);
            g->lit = (uint32_t)i;
            g->off = woff + j;
        }
    }
    free(sp);
    qsort(pf->grams, pf->ngrams, sizeof *pf->grams, gram_cmp);
}

/* bitmap of hashed keys, and the table from key to its first gram */
static void
build_index(struct mw_prefilter *pf)
{
    size_t distinct = 0;
    for (size_t i = 0; i < pf->ngrams; i++)
        distinct += i == 0 || pf->grams[i].key != pf->grams[i - 1].key;
    pf->bitmap = xcalloc(((size_t)1 << BITMAP_BITS) / 64, sizeof *pf->bitmap);
    size_t slots = 16;
    while (slots < 2 * distinct)
        slots *= 2;
    pf->gslot_mask = slots - 1;
    pf->gslot = xcalloc(slots, sizeof *pf->gslot);
    for (size_t i = 0; i < pf->ngrams; i++) {
        uint32_t key = pf->grams[i].key;
        if (i > 0 && key == pf->grams[i - 1].key)
            continue;
        unsigned h = gram_hash(key, 32 - BITMAP_BITS);
        pf->bitmap[h / 64] |= UINT64_C(1) << (h % 64);
        size_t s = gram_hash(key, 0) & pf->gslot_mask;
        while (pf->gslot[s])
            s = (s + 1) & pf->gslot_mask;
        pf->gslot[s] = (uint32_t)i + 1;
    }
}

void
prefilter_build(struct mw_prefilter *pf)
{
    free_tables(pf);
    if (pf->nents == 0)
        return;
    build_lits(pf);
    size_t m = MAX_WINDOW;
    for (size_t i = 0; i < pf->nlits; i++)
        if (pf->lits[i].len < m)
            m = pf->lits[i].len;
    pf->m = m;
    pf->q = m >= Q_LONG_MIN ? 4 : m < 3 ? m : 3;
    pf->k = m - pf->q + 1;
    unsigned char ones[Q_MAX] = {0};
    memset(ones, 0xff, pf->q);
    memcpy(&pf->qmask, ones, sizeof pf->qmask);
    build_grams(pf);
    build_index(pf);
}

/* does l occur at p (l->len readable bytes)? Most candidates differ in
 * their first 8 bytes: compare those in place before calling memcmp. */
static inline bool
lit_at(const struct lit *l, const unsigned char *p)
{
    if (l->len >= 8) {
        uint64_t a, b;
        memcpy(&a, p, sizeof a);
        memcpy(&b, l->s, sizeof b);
        return a == b && memcmp(p + 8, l->s + 8, l->len - 8) == 0;
    }
    return memcmp(p, l->s, l->len) == 0;
}

/* the gram key at text position p is in the bitmap: find the literals
 * with that gram, and check each where it would start */
static void
verify(const struct mw_prefilter *pf, const unsigned char *t, size_t n,
       size_t p, uint32_t key, uint64_t *cand)
{
    size_t s = gram_hash(key, 0) & pf->gslot_mask;
    uint32_t v;
    while ((v = pf->gslot[s]) != 0 && pf->grams[v - 1].key != key)
        s = (s + 1) & pf->gslot_mask;
    if (v == 0)
        return; /* a hash collision in the bitmap */
    for (size_t i = v - 1; i < pf->ngrams && pf->grams[i].key == key; i++) {
        const struct gram *g = &pf->grams[i];
        const struct lit *l = &pf->lits[g->lit];
        if (g->off > p)
            continue;
        size_t start = p - g->off;
        if (l->len > n - start || !lit_at(l, t + start))
            continue;
        for (size_t r = 0; r < l->nrules; r++) {
            size_t rule = pf->rules[l->first_rule + r];
            cand[rule / 64] |= UINT64_C(1) << (rule % 64);
        }
    }
}

static inline bool
bitmap_has(const struct mw_prefilter *pf, uint32_t key)
{
    unsigned h = gram_hash(key, 32 - BITMAP_BITS);
    return (pf->bitmap[h / 64] >> (h % 64)) & 1;
}

void
prefilter_scan(const struct mw_prefilter *pf, const char *text, size_t len,
               uint64_t *cand)
{
    memcpy(cand, pf->always, pf->words * sizeof *cand);
    if (pf->nlits == 0 || len < pf->m)
        return;
    const unsigned char *t = (const unsigned char *)text;
    size_t k = pf->k, p = 0;
    uint32_t qmask = pf->qmask;
    /* two probes a step, one branch for both: a hit is rare */
    for (; p + k + Q_MAX <= len; p += 2 * k) {
        uint32_t a = gram_key(t + p, qmask), b = gram_key(t + p + k, qmask);
        bool ha = bitmap_has(pf, a), hb = bitmap_has(pf, b);
        if (ha | hb) {
            if (ha)
                verify(pf, t, len, p, a, cand);
            if (hb)
                verify(pf, t, len, p + k, b, cand);
        }
    }
    /* the last probes, up to the end */
    for (; p + pf->q <= len; p += k) {
        uint32_t key = gram_key_tail(t + p, pf->q, qmask);
        if (bitmap_has(pf, key))
            verify(pf, t, len, p, key, cand);
    }
}

/* ---------------------------------------------------------- derivation */

struct derive {
    const char *p;
    size_t len, i;
    int depth;
    char *cur; /* the run being built */
    size_t curlen;
    bool last_char; /* the run's last byte came from one character */
    char *best;
    size_t bestlen;
};

static void
run_end(struct derive *d)
{
    if (d->curlen > d->bestlen) {
        memcpy(d->best, d->cur, d->curlen);
        d->bestlen = d->curlen;
    }
    d->curlen = 0;
    d->last_char = false;
}

static void
run_add(struct derive *d, char c)
{
    if (d->depth > 0)
        return;
    d->cur[d->curlen++] = c;
    d->last_char = true;
}

/* skip from d->i to just past the byte close (or to the end) */
static void
skip_past(struct derive *d, char close)
{
    while (d->i < d->len && d->p[d->i] != close)
        d->i++;
    if (d->i < d->len)
        d->i++;
}

/* c is one of the bytes of set (never NUL) */
static bool
in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* d->i is just past "\e" with e alphanumeric: skip the escape's argument
 * (\x41, \x{263a}, \o{12}, \012, \cA, \p{L}, \pL, \g{-1}, \k<name>, ...) */
static void
skip_escape_arg(struct derive *d, char e)
{
    const char *p = d->p;
    char next = d->i < d->len ? p[d->i] : '\0';
    if (next == '{' && in_set(e, "xoNpPgk")) {
        skip_past(d, '}');
    } else if (e == 'x') {
        for (int k = 0; k < 2 && d->i < d->len && is_hex(p[d->i]); k++)
            d->i++;
    } else if (is_digit(e)) {
        for (int k = 0; k < 2 && d->i < d->len && is_digit(p[d->i]); k++)
            d->i++;
    } else if ((e == 'c' || e == 'p' || e == 'P') && d->i < d->len) {
        d->i++;
    } else if ((e == 'k' || e == 'g') && (next == '<' || next == '\'')) {
        d->i++;
        skip_past(d, next == '<' ? '>' : '\'');
    } else if (e == 'g') {
        if (next == '-' || next == '+')
            d->i++;
        while (d->i < d->len && is_digit(p[d->i]))
            d->i++;
    }
}

/* d->i at a backslash */
static void
derive_escape(struct derive *d)
{
    d->i++;
    if (d->i >= d->len) {
        run_end(d);
        return;
    }
    char e = d->p[d->i++];
    if (e == 'Q') {
        /* \Q...\E quotes; its text is not taken (keeps this simple) */
        run_end(d);
        while (d->i < d->len && !(d->p[d->i] == '\\' && d->i + 1 < d->len &&
                                  d->p[d->i + 1] == 'E'))
            d->i++;
        d->i = d->i + 2 < d->len ? d->i + 2 : d->len;
        return;
    }
    if (is_alnum(e)) {
        /* \d \s \w \b \n \x41 ...: a class, an assertion or a code */
        run_end(d);
        skip_escape_arg(d, e);
        return;
    }
    run_add(d, e); /* \. \[ \( \/ \- \\ ... are literal */
}

/* d->i at '[': skip the class */
static void
derive_class(struct derive *d)
{
    const char *p = d->p;
    run_end(d);
    d->i++;
    if (d->i < d->len && p[d->i] == '^')
        d->i++;
    if (d->i < d->len && p[d->i] == ']')
        d->i++; /* a leading ']' is a member */
    while (d->i < d->len && p[d->i] != ']') {
        if (p[d->i] == '\\') {
            d->i += 2;
        } else if (p[d->i] == '[' && d->i + 1 < d->len &&
                   in_set(p[d->i + 1], ":.=")) {
            /* [:alpha:], [.x.], [=x=] */
            char kind = p[d->i + 1];
            d->i += 2;
            while (d->i + 1 < d->len &&
                   !(p[d->i] == kind && p[d->i + 1] == ']'))
                d->i++;
            d->i += 2;
        } else {
            d->i++;
        }
    }
    if (d->i < d->len)
        d->i++;
}

/* "{n}", "{n,}", "{n,m}", "{,m}": a quantifier; its length or 0 */
static size_t
brace_quantifier(const char *p, size_t len, size_t i)
{
    size_t j = i + 1, digits = 0;
    while (j < len && (is_digit(p[j]) || p[j] == ',' || p[j] == ' ')) {
        digits += is_digit(p[j]);
        j++;
    }
    if (j < len && p[j] == '}' && digits > 0)
        return j + 1 - i;
    return 0;
}

/* a quantifier: the character before it is optional or repeated */
static void
derive_quantifier(struct derive *d, size_t qlen)
{
    if (d->depth == 0 && d->last_char && d->curlen > 0)
        d->curlen--;
    run_end(d);
    d->i += qlen;
}

/* d->i at '('; returns false when the pattern sets inline flags */
static bool
derive_group(struct derive *d)
{
    const char *p = d->p;
    run_end(d);
    if (d->i + 2 < d->len && p[d->i + 1] == '?') {
        char c = p[d->i + 2];
        if (c == '#') { /* comment */
            skip_past(d, ')');
            return true;
        }
        if (in_set(c, "imnsxJUar^-"))
            return false;
    }
    d->depth++;
    d->i++;
    return true;
}

/* one pattern element at d->i; false ends derivation with no literal */
static bool
derive_step(struct derive *d)
{
    char c = d->p[d->i];
    size_t q;
    switch (c) {
    case '\\':
        derive_escape(d);
        return true;
    case '[':
        derive_class(d);
        return true;
    case '(':
        return derive_group(d);
    case ')':
        if (d->depth > 0)
            d->depth--;
        run_end(d);
        break;
    case '|':
        if (d->depth == 0)
            return false;
        break;
    case '?':
    case '*':
    case '+':
        derive_quantifier(d, 1);
        return true;
    case '{':
        q = brace_quantifier(d->p, d->len, d->i);
        derive_quantifier(d, q ? q : 1);
        return true;
    case '.':
    case '^':
    case '$':
        run_end(d);
        break;
    default:
        run_add(d, c);
        break;
    }
    d->i++;
    return true;
}

size_t
prefilter_derive(const char *pat, size_t len, char *out)
{
    struct derive d = {.p = pat, .len = len, .best = out};
    d.cur = xmalloc(len + 1);
    bool ok = true;
    while (ok && d.i < len)
        ok = derive_step(&d);
    if (ok)
        run_end(&d);
    free(d.cur);
    return ok ? d.bestlen : 0;
}
