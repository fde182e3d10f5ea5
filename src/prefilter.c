#include "config.h"

#include "prefilter.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Wu-Manber with B = 2: every literal is looked at through its first m
 * bytes (its window), m being the length of the shortest literal. For each
 * 2-byte block, SHIFT says how far the window end can move when the text
 * block ending there is that block: m - 1 when the block occurs in no
 * window, else the distance from its last occurrence to the window end.
 * A shift of 0 means the block ends some window: the literals of that
 * block's bucket are compared in full. */

/* Blocks are folded to 14 bits, exact for ASCII text: a 16 KiB SHIFT
 * table stays in the L1 cache, and each step of the scan depends on the
 * load before it. Blocks that share a slot share the smallest shift, which
 * costs speed, never a match. */
#define NBLOCKS    16384u
#define MAX_WINDOW 128u /* shifts fit a uint8_t */
/* Common 2-byte blocks ("on", "er", " t") end many windows, so a shift of
 * 0 is frequent in English text. Before the bucket is searched, the last
 * TAIL_MAX bytes of the window are looked up in a bitmap of the literals'
 * window tails, which turns most of those false alarms away. */
#define TAIL_MAX  4u
#define TAIL_BITS 15u

struct entry {
    char *lit;
    size_t len;
    size_t rule;
};

/* a distinct literal and the rules that want it */
struct lit {
    const char *s;
    size_t len;
    size_t woff;       /* the window is s[woff .. woff + m) */
    size_t first_rule; /* index into rules[] */
    size_t nrules;
};

struct mw_prefilter {
    size_t nrules, words;
    uint64_t *always;
    struct entry *ents;
    size_t nents, capents;
    /* built tables */
    size_t m;
    size_t tail;      /* bytes of a window tail: min(m, TAIL_MAX) */
    uint64_t *tails;  /* bitmap of hashed window tails */
    uint8_t *shift;   /* NBLOCKS */
    uint32_t *bucket; /* NBLOCKS: 0 = none, else 1 + bucket number */
    size_t *bstart;   /* per bucket: first index into order[] */
    size_t *order;    /* literal numbers grouped by bucket */
    size_t nbuckets;
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
    free(pf->shift);
    free(pf->tails);
    pf->tails = NULL;
    free(pf->bucket);
    free(pf->bstart);
    free(pf->order);
    free(pf->lits);
    free(pf->rules);
    pf->shift = NULL;
    pf->bucket = NULL;
    pf->bstart = pf->order = pf->rules = NULL;
    pf->lits = NULL;
    pf->nlits = pf->nbuckets = 0;
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

static unsigned
block_at(const unsigned char *p)
{
    return (((unsigned)p[0] << 7) ^ p[1]) & (NBLOCKS - 1);
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

/* how common a block looks: its count among all literals' blocks, plus a
 * penalty for letters and space frequent in English text */
static size_t
block_score(const size_t *count, const unsigned char *p)
{
    static const char common[] = " etaoinsrhl";
    size_t score = count[block_at(p)];
    for (int i = 0; i < 2; i++)
        if (p[i] && memchr(common, p[i], sizeof common - 1))
            score += 3;
    return score;
}

/* For each literal, the m-byte window whose last block looks rarest: a
 * window ending in a common block ("on", "e ") would stop the scan often
 * for nothing (the classic Wu-Manber takes every literal's prefix). */
static void
choose_windows(struct mw_prefilter *pf)
{
    size_t m = pf->m;
    size_t *count = xcalloc(NBLOCKS, sizeof *count);
    for (size_t i = 0; i < pf->nlits; i++) {
        const unsigned char *s = (const unsigned char *)pf->lits[i].s;
        for (size_t q = 0; q + 2 <= pf->lits[i].len; q++)
            count[block_at(s + q)]++;
    }
    for (size_t i = 0; i < pf->nlits; i++) {
        struct lit *l = &pf->lits[i];
        const unsigned char *s = (const unsigned char *)l->s;
        size_t best = SIZE_MAX;
        for (size_t o = 0; o + m <= l->len; o++) {
            size_t sc = block_score(count, s + o + m - 2);
            if (sc < best) {
                best = sc;
                l->woff = o;
            }
        }
    }
    free(count);
}

/* SHIFT from every block of every window */
static void
build_shift(struct mw_prefilter *pf)
{
    size_t m = pf->m;
    pf->shift = xmalloc(NBLOCKS);
    memset(pf->shift, (int)(m - 1), NBLOCKS);
    for (size_t i = 0; i < pf->nlits; i++) {
        const unsigned char *s =
            (const unsigned char *)pf->lits[i].s + pf->lits[i].woff;
        for (size_t q = 2; q <= m; q++) {
            unsigned b = block_at(s + q - 2);
            if (pf->shift[b] > m - q)
                pf->shift[b] = (uint8_t)(m - q);
        }
    }
}

/* hash of the tail bytes ending at p[0]; tail is 4 unless the shortest
 * literal is shorter (the byte order of the load does not matter: table
 * and scan use the same function) */
static unsigned
tail_hash(const unsigned char *p, size_t tail)
{
    uint32_t x = 0;
    const unsigned char *s = p + 1 - tail;
    if (tail == TAIL_MAX) {
        memcpy(&x, s, sizeof x);
    } else {
        for (size_t i = 0; i < tail; i++)
            x = (x << 8) | s[i];
    }
    return (unsigned)((x * UINT32_C(0x9e3779b1)) >> (32 - TAIL_BITS));
}

static void
build_tails(struct mw_prefilter *pf)
{
    pf->tail = pf->m < TAIL_MAX ? pf->m : TAIL_MAX;
    pf->tails = xcalloc((1u << TAIL_BITS) / 64, sizeof *pf->tails);
    for (size_t i = 0; i < pf->nlits; i++) {
        const struct lit *l = &pf->lits[i];
        const unsigned char *end = (const unsigned char *)l->s + l->woff;
        unsigned h = tail_hash(end + pf->m - 1, pf->tail);
        pf->tails[h / 64] |= UINT64_C(1) << (h % 64);
    }
}

/* literal numbers grouped by the block that ends their window */
static void
build_buckets(struct mw_prefilter *pf)
{
    size_t m = pf->m;
    pf->bucket = xcalloc(NBLOCKS, sizeof *pf->bucket);
    size_t *count = xcalloc(NBLOCKS, sizeof *count);
    for (size_t i = 0; i < pf->nlits; i++) {
        const struct lit *l = &pf->lits[i];
        unsigned b = block_at((const unsigned char *)l->s + l->woff + m - 2);
        if (count[b]++ == 0)
            pf->bucket[b] = (uint32_t)++pf->nbuckets;
    }
    pf->bstart = xcalloc(pf->nbuckets + 1, sizeof *pf->bstart);
    for (unsigned b = 0; b < NBLOCKS; b++)
        if (pf->bucket[b])
            pf->bstart[pf->bucket[b]] = count[b];
    /* prefix sums: bucket k covers order[bstart[k-1] .. bstart[k]) */
    for (size_t k = 1; k <= pf->nbuckets; k++)
        pf->bstart[k] += pf->bstart[k - 1];
    pf->order = xcalloc(pf->nlits ? pf->nlits : 1, sizeof *pf->order);
    size_t *fill = xcalloc(pf->nbuckets + 1, sizeof *fill);
    for (size_t i = 0; i < pf->nlits; i++) {
        const struct lit *l = &pf->lits[i];
        unsigned b = block_at((const unsigned char *)l->s + l->woff + m - 2);
        size_t k = pf->bucket[b];
        pf->order[pf->bstart[k - 1] + fill[k]++] = i;
    }
    free(fill);
    free(count);
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
    choose_windows(pf);
    build_shift(pf);
    build_tails(pf);
    build_buckets(pf);
}

/* the window ending at text[pos] ends with a bucketed block: verify */
static void
check_bucket(const struct mw_prefilter *pf, const unsigned char *t, size_t n,
             size_t pos, uint64_t *cand)
{
    size_t k = pf->bucket[block_at(t + pos - 1)];
    size_t wstart = pos + 1 - pf->m;
    for (size_t j = pf->bstart[k - 1]; j < pf->bstart[k]; j++) {
        const struct lit *l = &pf->lits[pf->order[j]];
        if (l->woff > wstart)
            continue;
        size_t start = wstart - l->woff;
        if (l->len > n - start || memcmp(t + start, l->s, l->len) != 0)
            continue;
        for (size_t r = 0; r < l->nrules; r++) {
            size_t rule = pf->rules[l->first_rule + r];
            cand[rule / 64] |= UINT64_C(1) << (rule % 64);
        }
    }
}

/* one step of the scan at window end *pos (< len) */
static inline void
scan_step(const struct mw_prefilter *pf, const unsigned char *t, size_t len,
          size_t *pos, uint64_t *cand, size_t tail)
{
    unsigned sh = pf->shift[block_at(t + *pos - 1)];
    if (sh) {
        *pos += sh;
        return;
    }
    unsigned h = tail_hash(t + *pos, tail);
    if (pf->tails[h / 64] & (UINT64_C(1) << (h % 64)))
        check_bucket(pf, t, len, *pos, cand);
    (*pos)++;
}

/* Each step waits for the load of the step before, so the line is cut in
 * two halves scanned in turn: two independent chains keep the processor
 * busy. A window is found by the half where it ends; a scan started at any
 * position finds every window ending at or after it. */
static inline void
scan_lanes(const struct mw_prefilter *pf, const unsigned char *t, size_t len,
           uint64_t *cand, size_t tail)
{
    size_t a = pf->m - 1, b = len / 2;
    size_t a_end = b;
    if (b < a)
        b = a;
    while (a < a_end && b < len) {
        scan_step(pf, t, len, &a, cand, tail);
        scan_step(pf, t, len, &b, cand, tail);
    }
    while (a < a_end)
        scan_step(pf, t, len, &a, cand, tail);
    while (b < len)
        scan_step(pf, t, len, &b, cand, tail);
}

void
prefilter_scan(const struct mw_prefilter *pf, const char *text, size_t len,
               uint64_t *cand)
{
    memcpy(cand, pf->always, pf->words * sizeof *cand);
    if (pf->nlits == 0 || len < pf->m)
        return;
    const unsigned char *t = (const unsigned char *)text;
    if (pf->tail == TAIL_MAX)
        scan_lanes(pf, t, len, cand, TAIL_MAX);
    else
        scan_lanes(pf, t, len, cand, pf->tail);
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
