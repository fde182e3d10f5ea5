/* Private parts of the rule engine, shared by rules_load.c, ruleset.c and
 * rulecheck.c only. */
#ifndef MW_RULES_IMPL_H
#define MW_RULES_IMPL_H

#include "pcre.h"
#include "prefilter.h"
#include "rules.h"
#include "strpool.h"
#include "yamltree.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* minimum length of a prefilter literal, explicit or derived */
#define MW_LITERAL_MIN 3
/* PCRE2 limits that keep a hostile line or pattern from hanging a run */
#define MW_MATCH_LIMIT    100000u
#define MW_DEPTH_LIMIT    10000u
#define MW_HEAP_LIMIT_KIB (64u * 1024u)
#define MW_JIT_STACK_MIN  (32u * 1024u)
#define MW_JIT_STACK_MAX  (512u * 1024u)

/* an expected field of an example: name and value are in the pool */
struct mw_expect {
    const char *name;
    const char *val;
    size_t len;
    struct mw_pos pos;
};

/* an example or counter example line; text is in the pool */
struct mw_example {
    const char *text;
    size_t len;
    struct mw_pos pos;
    struct mw_expect *fields;
    size_t nfields;
};

/* a named capture group */
struct mw_group {
    const char *name; /* in the pool */
    uint32_t num;
};

struct mw_rule_impl {
    pcre2_code *code;
    pcre2_match_data *md; /* one per rule: matching is single-threaded */
    bool jit;             /* JIT compiled: use pcre2_jit_match */
    bool jit_tried;       /* JIT compilation was attempted (lazily) */
    struct mw_group *groups;
    size_t ngroups;
    const char **progs; /* interned program basenames; NULL = any */
    size_t *prog_lens;
    size_t nprogs;
    bool apps_only;    /* not tried on the programs other rules name */
    const char **lits; /* prefilter literals (explicit or derived) */
    size_t *lit_lens;
    size_t nlits;
    bool lits_derived;
    /* A literal derived from the pattern, scanned for instead of explicit
     * literals that are all shorter (a short literal slows the scan of
     * every line); the explicit ones are then checked per candidate. */
    const char *scan_lit;
    size_t scan_len;
    struct mw_example *examples;
    size_t nexamples;
    struct mw_example *counters;
    size_t ncounters;
    struct mw_pos match_pos; /* of the `match` scalar */
    size_t order;            /* load order, the tie-break after priority */
};

/* per-call scratch of ruleset_match (kept behind a pointer so that a const
 * ruleset can still use it) */
struct mw_scratch {
    uint64_t *cand; /* candidate bitset over rule indices */
    size_t words;
};

/* Dispatch by program: one prefilter per program basename named by a rule,
 * holding that program's rules and the rules that accept every program.
 * A bucket's tables are built when a line of its program first comes: a
 * rule set names about a hundred programs, a log has a few of them (and
 * often no line without a program). */
#define MW_BUCKET_SLOTS 1024
struct mw_bucket {
    const char *prog; /* interned basename */
    size_t len;
    struct mw_prefilter *pf;
    bool built; /* prefilter_build done */
};

struct mw_ruleset {
    struct mw_rule **rules; /* priority order once finished */
    size_t n, cap;
    size_t next_order;
    struct mw_strpool *pool;     /* rule strings, interned programs and paths */
    pcre2_general_context *gctx; /* allocates with xmalloc */
    pcre2_compile_context *cctx;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    struct mw_bucket *all;     /* every rule: lines without a program */
    struct mw_bucket *any;     /* rules without a program filter, for the
                                  programs no rule names */
    struct mw_bucket *buckets; /* per program: its rules + most of any's */
    size_t nbuckets;
    uint16_t bucket_slot[MW_BUCKET_SLOTS]; /* hash -> bucket index + 1 */
    struct mw_scratch *scratch;
    bool finished;
};

static inline struct mw_rule_impl *
rule_impl(const struct mw_rule *r)
{
    return (struct mw_rule_impl *)r->impl;
}

/* ruleset.c: add a fully loaded rule (takes ownership of r and r->impl) */
void ruleset_add_rule(struct mw_ruleset *rs, struct mw_rule *r);
/* ruleset.c: drop the rules added after the first n (error roll-back) */
void ruleset_truncate(struct mw_ruleset *rs, size_t n);
/* ruleset.c: release one rule and its private part; accepts NULL */
void rule_free(struct mw_rule *r);
/* ruleset.c: compile pattern (len bytes) for a rule: JIT, match data,
 * named groups. On error returns -1, *errtext gets PCRE2's message and
 * *erroff the byte offset of the error in the pattern. */
int rule_compile(struct mw_ruleset *rs, struct mw_rule_impl *ri,
                 const char *pat, size_t len, char *errtext, size_t errsize,
                 size_t *erroff);
/* ruleset.c: does the rule's program filter accept rec? */
bool rule_program_ok(const struct mw_ruleset *rs, const struct mw_rule_impl *ri,
                     const struct mw_record *rec);
/* ruleset.c: does one of the rule's literals occur in the message (true
 * when the rule has none)? */
bool rule_literal_ok(const struct mw_rule_impl *ri,
                     const struct mw_record *rec);
/* ruleset.c: run the rule's regex on rec->msg; on a match fill ev */
bool rule_regex_match(const struct mw_ruleset *rs, const struct mw_rule *r,
                      const struct mw_record *rec, struct mw_event *ev);

#endif
