/* The analysis run: inputs → dialect → rules → aggregate → render. */
#ifndef MW_PIPELINE_H
#define MW_PIPELINE_H

#include "cli.h"
#include "rules.h"
#include <stdio.h>

enum mw_run_status {
    MW_RUN_OK = 0,           /* nothing at or above --fail-level */
    MW_RUN_FINDINGS = 1,     /* findings at or above --fail-level */
    MW_RUN_ERROR = 2,        /* an input could not be read (others were) */
    MW_RUN_OUTPUT_CLOSED = 3 /* the reader of our output went away */
};

/* Analyse o->files (or stdin) with rs, writing to out. Input errors are
 * printed as they happen (one line each) and reading goes on with the next
 * file. When writing to out failed, errno is that of the failed write on
 * return (EPIPE: the reader went away). */
enum mw_run_status pipeline_run(const struct mw_opts *o,
                                const struct mw_ruleset *rs, FILE *out);

#endif
