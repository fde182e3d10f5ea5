/* Internals shared by pipeline.c (inputs, --state/--follow, output) and
 * pipeline_ring.c (the two-thread ring of parsed batches). */
#ifndef MW_PIPELINE_IMPL_H
#define MW_PIPELINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cli.h"
#include "diag.h"
#include "dialect.h"
#include "linereader.h"
#include "rules.h"

struct mw_agg;
struct mw_correlate;
struct mw_renderer;
struct mw_worker;

/* one analysis run */
struct run {
    const struct mw_opts *o;
    const struct mw_ruleset *rs;
    const struct mw_renderer *r;
    void *rst;
    struct mw_agg *agg;
    struct mw_correlate *corr;
    bool output_closed;
    int out_errno; /* of the first failed write of the output */
    time_t now;
    struct mw_worker *w; /* --state: rules and output on a second thread */
};

/* pipeline.c: is rec inside --since/--until? */
bool pipeline_in_filter(const struct mw_opts *o, const struct mw_record *rec);
/* pipeline.c: a line inside the time filter, hit (ev filled) or not,
 * through aggregation and streaming output */
void pipeline_filtered(struct run *run, size_t input, const char *path,
                       const struct mw_record *rec, bool hit,
                       struct mw_event *ev);

/* The rest of a plain file (lr, read with dl/dst) on two threads: this one
 * matches, aggregates and writes while a second reads and parses. 0, or -1
 * with err filled; 1 when no thread could be started (nothing was read). */
int pipeline_ring_file(struct run *run, const struct mw_dialect *dl, void *dst,
                       size_t input, const char *path, struct mw_linereader *lr,
                       struct mw_err *err);

/* The same two threads with the roles swapped, for the lines follow.c
 * reads: the caller parses and hands each record over with
 * pipeline_worker_line; a worker thread matches, aggregates and writes, in
 * order. pipeline_worker_drain returns once every record handed over is
 * written; pipeline_worker_stop drains, ends the thread and frees w (NULL is
 * accepted). pipeline_worker_start returns NULL when no thread could start. */
struct mw_worker *pipeline_worker_start(struct run *run);
void pipeline_worker_line(struct mw_worker *w, size_t input, const char *path,
                          const struct mw_record *rec);
void pipeline_worker_drain(struct mw_worker *w);
void pipeline_worker_stop(struct mw_worker *w);
/* true once the output went away (as of the last batch handed over) */
bool pipeline_worker_stopped(const struct mw_worker *w);

#endif
