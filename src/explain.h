/* The explanation catalog behind --explain: SMTP reply codes (RFC 5321),
 * enhanced status codes (RFC 3463), root-cause categories and causes, read
 * from the data files smtp-codes.yaml and causes.yaml; and the plain text
 * that explains a code, a cause, a category or a rule. */
#ifndef MW_EXPLAIN_H
#define MW_EXPLAIN_H

#include "buf.h"
#include "diag.h"
#include "rules.h"
#include <stdbool.h>

#define MW_EXPLAIN_CODES_FILE  "smtp-codes.yaml"
#define MW_EXPLAIN_CAUSES_FILE "causes.yaml"
/* the widest line explain_term writes */
#define MW_EXPLAIN_WIDTH 100

struct mw_explain;

struct mw_explain *explain_new(void);
void explain_free(struct mw_explain *x); /* accepts NULL */

/* Load one catalog file; it may hold any of the sections "replies",
 * "enhanced", "categories" and "causes". Errors are "file:line:column:
 * message": unreadable file, bad YAML, unknown section or key, missing or
 * empty value, malformed code or id, unknown category, duplicate entry.
 * Returns 0, or -1 on the first error (entries read before it are kept). */
int explain_load(struct mw_explain *x, const char *path, struct mw_err *err);

/* Load dir/smtp-codes.yaml and dir/causes.yaml, then explain_finish. */
int explain_load_dir(struct mw_explain *x, const char *dir, struct mw_err *err);

/* Check after loading that every cause id named in a "causes" list exists.
 * -1 with the position of the first unknown id. */
int explain_finish(const struct mw_explain *x, struct mw_err *err);

/* the title of a cause id, or NULL when the catalog has no such cause */
const char *explain_cause_title(const struct mw_explain *x, const char *id);

/* Append to out the explanation of term: an SMTP reply code ("535"), an
 * enhanced status code ("5.7.1", "X.7.1"; an unknown detail falls back to
 * its class and subject, and says so), both ("550 5.7.1"), a cause id (the
 * "cause." prefix may be left out), a category, or the id of a rule of rs
 * (rs may be NULL). Plain text, lines of at most MW_EXPLAIN_WIDTH columns
 * but for single words longer than that. Returns false, with out
 * unchanged, when nothing is known about term. */
bool explain_term(const struct mw_explain *x, const struct mw_ruleset *rs,
                  const char *term, struct mw_buf *out);

#endif
