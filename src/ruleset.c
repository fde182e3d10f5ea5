#include "config.h"

#include "rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcre.h"
#include "prefilter.h"
#include "rules_impl.h"
#include "xalloc.h"

/* Matching: the record's program picks a prefilter holding only the rules
 * that can apply to it (dispatch by program); one scan of the message with
 * it gives a bitset of candidate rules (bit i = rule i in priority order);
 * the candidates are tried in bit order, program filter first, then the
 * regex. The first match wins. */

/* n bytes in whole cache lines of their own: the match data and the
 * candidate set, written on every line by the thread that matches, share no
 * line with data another thread writes or reads */
static void *
ruleset_alloc_lines(size_t n)
{
    size_t size = (n + 63) & ~(size_t)63;
    void *p = aligned_alloc(64, size ? size : 64);
    return p ? p : xmalloc(n);
}

/* PCRE2 allocates through xmalloc: only allocation failure is fatal, and
 * it exits in one place */
static void *
pcre_xmalloc(PCRE2_SIZE n, void *data)
{
    (void)data;
    return ruleset_alloc_lines(n);
}

static void
pcre_free(void *p, void *data)
{
    (void)data;
    free(p);
}

struct mw_ruleset *
ruleset_new(void)
{
    struct mw_ruleset *rs = xcalloc(1, sizeof *rs);
    rs->pool = strpool_new();
    rs->scratch = xcalloc(1, sizeof *rs->scratch);
    rs->gctx = pcre2_general_context_create(pcre_xmalloc, pcre_free, NULL);
    rs->cctx = pcre2_compile_context_create(rs->gctx);
    rs->mctx = pcre2_match_context_create(rs->gctx);
    /* bound the work of one match: a pathological pattern or line ends as
     * "no match" instead of hanging the run */
    pcre2_set_match_limit(rs->mctx, MW_MATCH_LIMIT);
    pcre2_set_depth_limit(rs->mctx, MW_DEPTH_LIMIT);
    pcre2_set_heap_limit(rs->mctx, MW_HEAP_LIMIT_KIB);
    rs->jit_stack =
        pcre2_jit_stack_create(MW_JIT_STACK_MIN, MW_JIT_STACK_MAX, rs->gctx);
    /* without a JIT stack of our own, JIT uses 32 KiB on the machine stack */
    if (rs->jit_stack)
        pcre2_jit_stack_assign(rs->mctx, NULL, rs->jit_stack);
    return rs;
}

void
rule_free(struct mw_rule *r)
{
    if (!r)
        return;
    struct mw_rule_impl *ri = rule_impl(r);
    if (ri) {
        pcre2_match_data_free(ri->md);
        pcre2_code_free(ri->code);
        free(ri->groups);
        free(ri->progs);
        free(ri->prog_lens);
        free(ri->lits);
        free(ri->lit_lens);
        for (size_t i = 0; i < ri->nexamples; i++)
            free(ri->examples[i].fields);
        free(ri->examples);
        for (size_t i = 0; i < ri->ncounters; i++)
            free(ri->counters[i].fields);
        free(ri->counters);
        free(ri);
    }
    free(r);
}

static struct mw_bucket *
bucket_new(const char *prog, size_t len, size_t nrules)
{
    struct mw_bucket *b = xcalloc(1, sizeof *b);
    b->prog = prog;
    b->len = len;
    b->pf = prefilter_new(nrules);
    return b;
}

static void
bucket_free(struct mw_bucket *b)
{
    if (b)
        prefilter_free(b->pf);
    free(b);
}

void
ruleset_free(struct mw_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        rule_free(rs->rules[i]);
    free(rs->rules);
    bucket_free(rs->all);
    bucket_free(rs->any);
    for (size_t i = 0; i < rs->nbuckets; i++)
        prefilter_free(rs->buckets[i].pf);
    free(rs->buckets);
    if (rs->scratch)
        free(rs->scratch->cand);
    free(rs->scratch);
    pcre2_jit_stack_free(rs->jit_stack);
    pcre2_match_context_free(rs->mctx);
    pcre2_compile_context_free(rs->cctx);
    pcre2_general_context_free(rs->gctx);
    strpool_free(rs->pool);
    free(rs);
}

void
ruleset_add_rule(struct mw_ruleset *rs, struct mw_rule *r)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->rules = xreallocarray(rs->rules, rs->cap, sizeof *rs->rules);
    }
    rule_impl(r)->order = rs->next_order++;
    rs->rules[rs->n++] = r;
    rs->finished = false;
}

void
ruleset_truncate(struct mw_ruleset *rs, size_t n)
{
    while (rs->n > n)
        rule_free(rs->rules[--rs->n]);
    rs->finished = false;
}

/* named groups, sorted by group number so fields come in pattern order */
static int
rule_groups(struct mw_ruleset *rs, struct mw_rule_impl *ri, char *errtext,
            size_t errsize)
{
    uint32_t count = 0, esize = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(ri->code, PCRE2_INFO_NAMECOUNT, &count);
    if (count == 0)
        return 0;
    if (count > MW_MAX_FIELDS) {
        snprintf(errtext, errsize, "more than %d named groups", MW_MAX_FIELDS);
        return -1;
    }
    pcre2_pattern_info(ri->code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
    pcre2_pattern_info(ri->code, PCRE2_INFO_NAMETABLE, &table);
    ri->groups = xcalloc(count, sizeof *ri->groups);
    for (uint32_t i = 0; i < count; i++) {
        PCRE2_SPTR e = table + (size_t)i * esize;
        const char *name = (const char *)(e + 2);
        struct mw_group g = {strpool_intern(rs->pool, name, strlen(name)),
                             ((uint32_t)e[0] << 8) | e[1]};
        /* insertion sort by number: the table is sorted by name */
        size_t j = ri->ngroups++;
        while (j > 0 && ri->groups[j - 1].num > g.num) {
            ri->groups[j] = ri->groups[j - 1];
            j--;
        }
        ri->groups[j] = g;
    }
    return 0;
}

int
rule_compile(struct mw_ruleset *rs, struct mw_rule_impl *ri, const char *pat,
             size_t len, char *errtext, size_t errsize, size_t *erroff)
{
    int code = 0;
    PCRE2_SIZE off = 0;
    *erroff = 0;
    /* bytes, never UTF: log lines are not guaranteed to be UTF-8 */
    ri->code = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_NEVER_UTF, &code, &off,
                             rs->cctx);
    if (!ri->code) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", code);
        snprintf(errtext, errsize, "%s", (const char *)msg);
        *erroff = off;
        return -1;
    }
    /* JIT compilation waits for the rule's first candidate line (see
     * rule_regex_match): most of a large rule set never runs on a given
     * log, and compiling it all would delay the start of every run */
    ri->jit = false;
    ri->jit_tried = false;
    ri->md = pcre2_match_data_create_from_pattern(ri->code, rs->gctx);
    return rule_groups(rs, ri, errtext, errsize);
}

static int
rule_cmp(const void *a, const void *b)
{
    const struct mw_rule *x = *(const struct mw_rule *const *)a;
    const struct mw_rule *y = *(const struct mw_rule *const *)b;
    if (x->priority != y->priority)
        return x->priority < y->priority ? -1 : 1;
    size_t ox = rule_impl(x)->order, oy = rule_impl(y)->order;
    return ox < oy ? -1 : ox > oy;
}

static void
pf_add_rule(struct mw_prefilter *pf, const struct mw_rule_impl *ri, size_t i)
{
    if (ri->scan_lit)
        prefilter_add(pf, i, ri->scan_lit, ri->scan_len);
    else if (ri->nlits == 0)
        prefilter_add_always(pf, i);
    for (size_t k = 0; !ri->scan_lit && k < ri->nlits; k++)
        prefilter_add(pf, i, ri->lits[k], ri->lit_lens[k]);
}

static size_t
bucket_hash(const char *p, size_t len)
{
    /* runs on every line: the length and three bytes are enough to spread
     * a hundred program names over the table (probing sorts out the rest) */
    const unsigned char *u = (const unsigned char *)p;
    uint32_t h = (uint32_t)len * UINT32_C(0x9e3779b1);
    if (len > 0)
        h ^= (u[0] | (uint32_t)u[len / 2] << 8 | (uint32_t)u[len - 1] << 16) *
             UINT32_C(0x85ebca6b);
    return (h >> 16) & (MW_BUCKET_SLOTS - 1);
}

/* the slot of the program's bucket, or the empty slot where it would go */
static size_t
bucket_slot(const struct mw_ruleset *rs, const char *prog, size_t len)
{
    size_t h = bucket_hash(prog, len);
    while (rs->bucket_slot[h]) {
        const struct mw_bucket *b = &rs->buckets[rs->bucket_slot[h] - 1];
        if (b->len == len && memcmp(b->prog, prog, len) == 0)
            break;
        h = (h + 1) & (MW_BUCKET_SLOTS - 1);
    }
    return h;
}

/* the bucket of a program some rule names, or NULL */
static struct mw_bucket *
bucket_find(const struct mw_ruleset *rs, const char *prog, size_t len)
{
    size_t h = bucket_slot(rs, prog, len);
    return rs->bucket_slot[h] ? &rs->buckets[rs->bucket_slot[h] - 1] : NULL;
}

/* the bucket of an interned program name, created when new */
static struct mw_bucket *
bucket_get(struct mw_ruleset *rs, const char *prog, size_t len)
{
    size_t h = bucket_slot(rs, prog, len);
    if (rs->bucket_slot[h])
        return &rs->buckets[rs->bucket_slot[h] - 1];
    if (rs->nbuckets + 1 >= MW_BUCKET_SLOTS / 2)
        return NULL; /* absurdly many programs: see ruleset_build_buckets */
    rs->buckets =
        xreallocarray(rs->buckets, rs->nbuckets + 1, sizeof *rs->buckets);
    struct mw_bucket *b = &rs->buckets[rs->nbuckets++];
    b->prog = prog;
    b->len = len;
    b->pf = prefilter_new(rs->n);
    b->built = false;
    rs->bucket_slot[h] = (uint16_t)rs->nbuckets;
    return b;
}

/* the bucket's prefilter, its tables built on first use (the bucket array
 * is scratch like rs->scratch: building does not change what matches) */
static const struct mw_prefilter *
bucket_ready(struct mw_bucket *b)
{
    if (!b->built) {
        prefilter_build(b->pf);
        b->built = true;
    }
    return b->pf;
}

/* the prefilter for a record: its program's bucket, the rules without a
 * program filter for programs no rule names, every rule without program */
static const struct mw_prefilter *
ruleset_pick(const struct mw_ruleset *rs, const struct mw_record *rec)
{
    if (!rec->prog_base || rec->prog_base_len == 0)
        return bucket_ready(rs->all);
    struct mw_bucket *b = bucket_find(rs, rec->prog_base, rec->prog_base_len);
    return bucket_ready(b ? b : rs->any);
}

static void
ruleset_build_buckets(struct mw_ruleset *rs)
{
    for (size_t i = 0; i < rs->nbuckets; i++)
        prefilter_free(rs->buckets[i].pf);
    free(rs->buckets);
    rs->buckets = NULL;
    rs->nbuckets = 0;
    memset(rs->bucket_slot, 0, sizeof rs->bucket_slot);
    bucket_free(rs->any);
    rs->any = bucket_new(NULL, 0, rs->n);
    for (size_t i = 0; i < rs->n; i++) {
        const struct mw_rule_impl *ri = rule_impl(rs->rules[i]);
        for (size_t p = 0; p < ri->nprogs; p++)
            bucket_get(rs, ri->progs[p], ri->prog_lens[p]);
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct mw_rule_impl *ri = rule_impl(rs->rules[i]);
        if (ri->nprogs == 0) {
            pf_add_rule(rs->any->pf, ri, i);
            for (size_t k = 0; !ri->apps_only && k < rs->nbuckets; k++)
                pf_add_rule(rs->buckets[k].pf, ri, i);
            continue;
        }
        for (size_t p = 0; p < ri->nprogs; p++) {
            struct mw_bucket *b =
                bucket_get(rs, ri->progs[p], ri->prog_lens[p]);
            /* past the bucket limit, the lines of such a program look
             * in any: the rule waits there, behind its program filter */
            pf_add_rule(b ? b->pf : rs->any->pf, ri, i);
        }
    }
}

int
ruleset_finish(struct mw_ruleset *rs, struct mw_err *err)
{
    (void)err; /* nothing here can fail but allocation, which exits */
    if (rs->n > 1)
        qsort(rs->rules, rs->n, sizeof *rs->rules, rule_cmp);
    bucket_free(rs->all);
    rs->all = bucket_new(NULL, 0, rs->n);
    for (size_t i = 0; i < rs->n; i++)
        pf_add_rule(rs->all->pf, rule_impl(rs->rules[i]), i);
    ruleset_build_buckets(rs);
    free(rs->scratch->cand);
    rs->scratch->words = prefilter_words(rs->all->pf);
    size_t words = rs->scratch->words ? rs->scratch->words : 1;
    rs->scratch->cand = ruleset_alloc_lines(words * sizeof(uint64_t));
    memset(rs->scratch->cand, 0, words * sizeof(uint64_t));
    rs->finished = true;
    return 0;
}

size_t
ruleset_count(const struct mw_ruleset *rs)
{
    return rs->n;
}

const struct mw_rule *
ruleset_rule(const struct mw_ruleset *rs, size_t i)
{
    return i < rs->n ? rs->rules[i] : NULL;
}

const struct mw_rule *
ruleset_find(const struct mw_ruleset *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->rules[i]->id, id) == 0)
            return rs->rules[i];
    return NULL;
}

bool
rule_program_ok(const struct mw_ruleset *rs, const struct mw_rule_impl *ri,
                const struct mw_record *rec)
{
    if (!rec->prog_base || rec->prog_base_len == 0)
        return true;
    if (ri->apps_only)
        return !bucket_find(rs, rec->prog_base, rec->prog_base_len);
    if (ri->nprogs == 0)
        return true;
    for (size_t i = 0; i < ri->nprogs; i++)
        if (ri->prog_lens[i] == rec->prog_base_len &&
            memcmp(ri->progs[i], rec->prog_base, rec->prog_base_len) == 0)
            return true;
    return false;
}

bool
rule_literal_ok(const struct mw_rule_impl *ri, const struct mw_record *rec)
{
    if (ri->nlits == 0)
        return true;
    for (size_t i = 0; i < ri->nlits; i++)
        if (rec->msg && memmem(rec->msg, rec->msg_len, ri->lits[i],
                               ri->lit_lens[i]) != NULL)
            return true;
    return false;
}

static bool
field_seen(const struct mw_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->nfields; i++)
        if (ev->fields[i].name == name) /* interned */
            return true;
    return false;
}

/* fields from the groups that took part in the match */
static void
fill_fields(const struct mw_rule_impl *ri, const char *msg, int rc,
            struct mw_event *ev)
{
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ri->md);
    ev->nfields = 0;
    for (size_t i = 0; i < ri->ngroups && ev->nfields < MW_MAX_FIELDS; i++) {
        uint32_t n = ri->groups[i].num;
        if ((int)n >= rc || ov[2 * n] == PCRE2_UNSET)
            continue;
        /* with (?J) several groups share a name: the first set one wins */
        if (field_seen(ev, ri->groups[i].name))
            continue;
        struct mw_field *f = &ev->fields[ev->nfields++];
        f->name = ri->groups[i].name;
        f->val = msg + ov[2 * n];
        /* \K in a lookaround can put the end before the start */
        f->len = ov[2 * n + 1] > ov[2 * n] ? ov[2 * n + 1] - ov[2 * n] : 0;
    }
}

bool
rule_regex_match(const struct mw_ruleset *rs, const struct mw_rule *r,
                 const struct mw_record *rec, struct mw_event *ev)
{
    struct mw_rule_impl *ri = rule_impl(r);
    const char *msg = rec->msg ? rec->msg : "";
    size_t len = rec->msg ? rec->msg_len : 0;
    int rc;
    if (!ri->jit_tried) {
        /* without JIT support the interpreter runs the same pattern */
        ri->jit_tried = true;
        ri->jit = pcre2_jit_compile(ri->code, PCRE2_JIT_COMPLETE) == 0;
    }
    if (ri->jit)
        rc = pcre2_jit_match(ri->code, (PCRE2_SPTR)msg, len, 0, 0, ri->md,
                             rs->mctx);
    else
        rc =
            pcre2_match(ri->code, (PCRE2_SPTR)msg, len, 0, 0, ri->md, rs->mctx);
    /* no match, or a match/depth/heap/JIT stack limit: not a hit */
    if (rc <= 0)
        return false;
    ev->rule = r;
    ev->rec = rec;
    fill_fields(ri, msg, rc, ev);
    return true;
}

static unsigned
lowest_bit(uint64_t x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

size_t
ruleset_cand_words(const struct mw_ruleset *rs)
{
    return rs->finished && rs->n ? rs->scratch->words : 0;
}

void
ruleset_candidates(const struct mw_ruleset *rs, const struct mw_record *rec,
                   uint64_t *cand)
{
    if (!rs->finished || rs->n == 0)
        return;
    prefilter_scan(ruleset_pick(rs, rec), rec->msg ? rec->msg : "",
                   rec->msg ? rec->msg_len : 0, cand);
}

bool
ruleset_match_candidates(const struct mw_ruleset *rs,
                         const struct mw_record *rec, const uint64_t *cand,
                         struct mw_event *ev)
{
    if (!rs->finished || rs->n == 0)
        return false;
    for (size_t w = 0; w < rs->scratch->words; w++) {
        uint64_t x = cand[w];
        while (x) {
            size_t i = w * 64 + lowest_bit(x);
            x &= x - 1;
            const struct mw_rule *r = rs->rules[i];
            const struct mw_rule_impl *ri = rule_impl(r);
            if (rule_program_ok(rs, ri, rec) &&
                (!ri->scan_lit || rule_literal_ok(ri, rec)) &&
                rule_regex_match(rs, r, rec, ev))
                return true;
        }
    }
    return false;
}

bool
ruleset_match(const struct mw_ruleset *rs, const struct mw_record *rec,
              struct mw_event *ev)
{
    if (!rs->finished || rs->n == 0)
        return false;
    ruleset_candidates(rs, rec, rs->scratch->cand);
    return ruleset_match_candidates(rs, rec, rs->scratch->cand, ev);
}
