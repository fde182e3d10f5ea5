/* Literal prefilter of the rule engine: one multi-literal scan of a message
 * yields the set of rules whose regex is worth running.
 *
 * A sampled q-gram filter: the q-gram at every k-th position of the text
 * (k = shortest literal - q + 1) is looked up in a bitmap of the q-grams of
 * every literal's window; only hits are verified against the literals. */
#ifndef MW_PREFILTER_H
#define MW_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

struct mw_prefilter;

/* a prefilter over rule indices 0..nrules-1 */
struct mw_prefilter *prefilter_new(size_t nrules);
void prefilter_free(struct mw_prefilter *pf); /* accepts NULL */

/* rule is a candidate when lit (len >= 2 bytes, copied) occurs */
void prefilter_add(struct mw_prefilter *pf, size_t rule, const char *lit,
                   size_t len);
/* rule is a candidate for every message (it has no literal) */
void prefilter_add_always(struct mw_prefilter *pf, size_t rule);
/* build the tables after the last add */
void prefilter_build(struct mw_prefilter *pf);

/* the window length of the scan: the shortest literal (0 when none) */
size_t prefilter_window(const struct mw_prefilter *pf);

/* number of uint64_t words of a candidate bitset */
size_t prefilter_words(const struct mw_prefilter *pf);
/* set in cand (prefilter_words() words, overwritten) the bit of every rule
 * that is always tried or one of whose literals occurs in text */
void prefilter_scan(const struct mw_prefilter *pf, const char *text, size_t len,
                    uint64_t *cand);

/* Derive a literal from a PCRE2 pattern of len bytes: the longest run of
 * plain literal characters at the top level (outside groups and classes),
 * without characters made optional or repeated by a quantifier. Nothing is
 * derived from a pattern with a top-level '|' or inline flags such as (?i).
 * Copies the run to out (room for len bytes) and returns its length, 0 when
 * there is none. */
size_t prefilter_derive(const char *pat, size_t len, char *out);

#endif
