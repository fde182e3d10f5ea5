/* Rules: loading YAML rule files, compiling them, and matching records.
 *
 * Matching contract: ruleset_match() returns the first rule, in priority
 * order, whose program filter accepts the record and whose regex matches
 * rec->msg. Lines reach a regex only when the rule's literal prefilter
 * occurs in the message (one multi-literal scan per line). */
#ifndef MW_RULES_H
#define MW_RULES_H

#include "diag.h"
#include "dialect.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum mw_level {
    MW_LEVEL_INFORMATIONAL = 0,
    MW_LEVEL_LOW,
    MW_LEVEL_MEDIUM,
    MW_LEVEL_HIGH,
    MW_LEVEL_CRITICAL,
    MW_LEVEL_COUNT
};

/* "informational", "low", ... ; -1 when unknown */
int level_from_name(const char *s);
const char *level_name(enum mw_level l);

/* the stable category names of SPEC ("connection.refused", ...) */
extern const char *const mw_categories[];
extern const size_t mw_category_count;
/* index into mw_categories, or -1 */
int category_index(const char *name);

#define MW_MAX_FIELDS 16

struct mw_field {
    const char *name; /* owned by the rule (group name) */
    const char *val;  /* view into the record's message */
    size_t len;
};

struct mw_rule {
    const char *id; /* "postfix.smtpd.sasl_auth_failed" */
    const char *title;
    const char *category; /* one of mw_categories */
    int category_idx;
    const char *cause; /* explanation for an admin */
    const char *fix;   /* what to check or do; may be NULL */
    enum mw_level level;
    const char *file;   /* rule file path */
    unsigned long line; /* line of the rule in its file */
    int priority;       /* lower runs first; default 100 */
    /* the rest is private to ruleset.c */
    void *impl;
};

/* A rule hit: fields are views valid as long as the record. */
struct mw_event {
    const struct mw_rule *rule;
    const struct mw_record *rec;
    size_t nfields;
    struct mw_field fields[MW_MAX_FIELDS];
};

/* the value of a named field, or NULL (len set) */
const char *event_field(const struct mw_event *ev, const char *name,
                        size_t *len);

struct mw_ruleset;

struct mw_ruleset *ruleset_new(void);
void ruleset_free(struct mw_ruleset *rs); /* accepts NULL */

/* Load one YAML file or every *.yaml / *.yml file of a directory (sorted by
 * name). Errors are "file:line:column: message": bad YAML, unknown key,
 * missing or empty required key, unknown category or level, regex that does
 * not compile (column = PCRE2's error offset inside the pattern, reported
 * relative to the file), duplicate id. -1 on the first error. */
int ruleset_load(struct mw_ruleset *rs, const char *path, struct mw_err *err);
/* Compile prefilter tables after all loads. -1 on error. */
int ruleset_finish(struct mw_ruleset *rs, struct mw_err *err);

size_t ruleset_count(const struct mw_ruleset *rs);
const struct mw_rule *ruleset_rule(const struct mw_ruleset *rs, size_t i);
const struct mw_rule *ruleset_find(const struct mw_ruleset *rs, const char *id);

/* First matching rule for rec; fills ev and returns true, or false. */
bool ruleset_match(const struct mw_ruleset *rs, const struct mw_record *rec,
                   struct mw_event *ev);

/* ruleset_match in two halves that may run on two threads at once:
 * ruleset_candidates fills cand (ruleset_cand_words() words; nothing when
 * that is 0) and builds per-program tables on first use;
 * ruleset_match_candidates tries those rules with rs's match data. Each
 * half runs on one thread at a time, and ruleset_match (which uses both)
 * not while either runs. */
size_t ruleset_cand_words(const struct mw_ruleset *rs);
void ruleset_candidates(const struct mw_ruleset *rs,
                        const struct mw_record *rec, uint64_t *cand);
bool ruleset_match_candidates(const struct mw_ruleset *rs,
                              const struct mw_record *rec, const uint64_t *cand,
                              struct mw_event *ev);

/* Run every rule's examples and counter_examples (the --check-rules
 * command). Each failure is printed to out as "file:line:column: message".
 * Returns the number of failures; *nexamples gets the number checked. */
size_t ruleset_check(const struct mw_ruleset *rs, FILE *out, size_t *nexamples);

#endif
