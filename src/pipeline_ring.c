#include "config.h"

#include "pipeline_impl.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "xalloc.h"

/* ---- plain regular files: reading and parsing on a second thread ------- */

/* The reader thread reads and parses lines, applies the time filter and
 * finds each line's candidate rules (the literal prefilter); it hands the
 * records over in batches. The calling thread runs them through
 * correlation, the candidates' regexes, aggregation and output in input
 * order, as run_record does. Records point into buffers that the reader
 * reuses, so every batch holds its own copy of the bytes they refer to. */

#define BATCH_LINES 1024
#define BATCH_TEXT  (256u * 1024u)
#define RING_SIZE   4
#define NO_VIEW     SIZE_MAX

struct view {
    size_t off; /* into the batch text; NO_VIEW for NULL */
    size_t len;
};

/* one parsed record */
struct bline {
    uint64_t lineno, offset;
    struct view line, host, prog, prog_base, msg;
    struct mw_time ts;
    long pid;
    bool has_line, in_filter, cut, parsed;
};

/* the padding keeps the fields that the reader writes per line off the
 * cache lines of other batches */
struct batch {
    char pad0[64];
    char *text;
    size_t tlen, tcap;
    struct bline *lines;
    size_t n;
    uint64_t *cand; /* ruleset_cand_words() words a line */
    size_t input;   /* the agg input and path its lines are of */
    const char *path;
    char pad1[64];
};

struct ring {
    pthread_mutex_t mu;
    pthread_cond_t filled, drained;
    struct batch *b[RING_SIZE];
    size_t head, tail; /* batches published / consumed */
    bool done;         /* the reader has published its last batch */
    bool stop;         /* the output went away: stop reading */
    int rc;            /* last linereader_next result */
    struct mw_err err;
    size_t words; /* of a candidate set */
    /* used by the reader thread only */
    const struct run *run;
    const struct mw_dialect *dl;
    void *dst;
    struct mw_linereader *lr;
    size_t input;
    const char *path;
};

static size_t
batch_copy(struct batch *b, const char *p, size_t len)
{
    size_t off = b->tlen;
    if (b->tcap - b->tlen < len) {
        while (b->tcap - b->tlen < len)
            b->tcap *= 2;
        b->text = xrealloc(b->text, b->tcap);
    }
    if (len)
        memcpy(b->text + off, p, len);
    b->tlen += len;
    return off;
}

static bool
span_has(const char *base, size_t blen, const char *p, size_t len)
{
    uintptr_t s = (uintptr_t)base, q = (uintptr_t)p;
    return base && q >= s && len <= blen && q - s <= blen - len;
}

/* a view of p: inside the already copied line or message when it is there,
 * else a fresh copy */
static struct view
batch_view(struct batch *b, const struct mw_record *rec, const struct bline *bl,
           const char *p, size_t len)
{
    if (!p)
        return (struct view){NO_VIEW, 0};
    if (rec->line && bl->has_line &&
        span_has(rec->line->data, rec->line->len, p, len))
        return (struct view){
            bl->line.off + (size_t)((uintptr_t)p - (uintptr_t)rec->line->data),
            len};
    if (bl->msg.off != NO_VIEW && span_has(rec->msg, rec->msg_len, p, len))
        return (struct view){
            bl->msg.off + (size_t)((uintptr_t)p - (uintptr_t)rec->msg), len};
    return (struct view){batch_copy(b, p, len), len};
}

/* copy a record into the batch */
static void
batch_add(struct batch *b, const struct mw_record *rec)
{
    struct bline *bl = &b->lines[b->n++];
    bl->has_line = rec->line != NULL;
    bl->line = (struct view){NO_VIEW, 0};
    bl->msg = (struct view){NO_VIEW, 0};
    if (rec->line) {
        bl->lineno = rec->line->lineno;
        bl->offset = rec->line->offset;
        bl->cut = rec->line->cut;
        bl->line = (struct view){batch_copy(b, rec->line->data, rec->line->len),
                                 rec->line->len};
    }
    bl->msg = batch_view(b, rec, bl, rec->msg, rec->msg_len);
    bl->host = batch_view(b, rec, bl, rec->host, rec->host_len);
    bl->prog = batch_view(b, rec, bl, rec->prog, rec->prog_len);
    bl->prog_base = batch_view(b, rec, bl, rec->prog_base, rec->prog_base_len);
    bl->ts = rec->ts;
    bl->pid = rec->pid;
    bl->parsed = rec->parsed;
}

/* fill one batch from the reader; returns the last linereader_next result */
static int
ring_fill(struct ring *g, struct batch *b)
{
    const struct mw_dialect *dl = g->dl;
    void *dst = g->dst;
    struct mw_linereader *lr = g->lr;
    const struct run *run = g->run;
    struct mw_line line;
    struct mw_record rec;
    int rc = 1;

    b->n = b->tlen = 0;
    b->input = g->input;
    b->path = g->path;
    while (b->n < BATCH_LINES && b->tlen < BATCH_TEXT &&
           (rc = linereader_next(lr, &line, &g->err)) == 1) {
        if (dl->parse(dst, &line, &rec) != 0)
            continue;
        bool in = pipeline_in_filter(run->o, &rec);
        b->lines[b->n].in_filter = in;
        if (in)
            ruleset_candidates(run->rs, &rec, b->cand + b->n * g->words);
        batch_add(b, &rec);
    }
    return rc;
}

static void *
ring_reader(void *arg)
{
    struct ring *g = arg;
    int rc = 1;

    while (rc == 1) {
        pthread_mutex_lock(&g->mu);
        while (g->head - g->tail == RING_SIZE && !g->stop)
            pthread_cond_wait(&g->drained, &g->mu);
        bool stop = g->stop;
        pthread_mutex_unlock(&g->mu);
        if (stop)
            break;
        rc = ring_fill(g, g->b[g->head % RING_SIZE]);
        pthread_mutex_lock(&g->mu);
        g->head++;
        if (rc != 1) {
            g->rc = rc;
            g->done = true;
        }
        pthread_cond_signal(&g->filled);
        pthread_mutex_unlock(&g->mu);
    }
    return NULL;
}

static inline const char *
view_ptr(const struct batch *b, struct view v)
{
    return v.off == NO_VIEW ? NULL : b->text + v.off;
}

/* one batch through correlation, rules, aggregation and streaming output,
 * as run_record */
static void
batch_run(struct run *run, const struct batch *b, size_t words)
{
    size_t input = b->input;
    const char *path = b->path;
    for (size_t i = 0; i < b->n && !run->output_closed; i++) {
        const struct bline *bl = &b->lines[i];
        struct mw_line line = {view_ptr(b, bl->line), bl->line.len, bl->offset,
                               bl->lineno, bl->cut};
        struct mw_record rec = {.line = bl->has_line ? &line : NULL,
                                .ts = bl->ts,
                                .host = view_ptr(b, bl->host),
                                .host_len = bl->host.len,
                                .prog = view_ptr(b, bl->prog),
                                .prog_len = bl->prog.len,
                                .prog_base = view_ptr(b, bl->prog_base),
                                .prog_base_len = bl->prog_base.len,
                                .pid = bl->pid,
                                .msg = view_ptr(b, bl->msg),
                                .msg_len = bl->msg.len,
                                .parsed = bl->parsed};
        struct mw_event ev;
        correlate_learn(run->corr, &rec);
        if (!bl->in_filter)
            continue;
        bool hit =
            ruleset_match_candidates(run->rs, &rec, b->cand + i * words, &ev);
        pipeline_filtered(run, input, path, &rec, hit, &ev);
    }
}

static void
ring_init(struct ring *g, size_t words)
{
    memset(g, 0, sizeof *g);
    g->words = words;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->filled, NULL);
    pthread_cond_init(&g->drained, NULL);
    for (size_t i = 0; i < RING_SIZE; i++) {
        struct batch *b = xcalloc(1, sizeof *b);
        b->tcap = BATCH_TEXT + MW_LINE_MAX_DEFAULT;
        b->text = xmalloc(b->tcap);
        b->lines = xmalloc(BATCH_LINES * sizeof *b->lines);
        b->cand =
            xcalloc(BATCH_LINES * (g->words ? g->words : 1), sizeof *b->cand);
        g->b[i] = b;
    }
}

static void
ring_destroy(struct ring *g)
{
    for (size_t i = 0; i < RING_SIZE; i++) {
        free(g->b[i]->text);
        free(g->b[i]->lines);
        free(g->b[i]->cand);
        free(g->b[i]);
    }
    pthread_cond_destroy(&g->drained);
    pthread_cond_destroy(&g->filled);
    pthread_mutex_destroy(&g->mu);
}

/* consume batches until the reader is done or the output went away */
static void
ring_consume(struct ring *g, struct run *run)
{
    for (;;) {
        pthread_mutex_lock(&g->mu);
        while (g->head == g->tail && !g->done)
            pthread_cond_wait(&g->filled, &g->mu);
        bool empty = g->head == g->tail;
        pthread_mutex_unlock(&g->mu);
        if (empty)
            return;
        batch_run(run, g->b[g->tail % RING_SIZE], g->words);
        pthread_mutex_lock(&g->mu);
        g->tail++;
        g->stop = run->output_closed;
        pthread_cond_signal(&g->drained);
        pthread_mutex_unlock(&g->mu);
        if (run->output_closed)
            return;
    }
}

/* the rest of a plain file on two threads; 0, or -1 with err filled; 1 when
 * no thread could be started (nothing was read) */
int
pipeline_ring_file(struct run *run, const struct mw_dialect *dl, void *dst,
                   size_t input, const char *path, struct mw_linereader *lr,
                   struct mw_err *err)
{
    struct ring *g = xmalloc(sizeof *g);
    pthread_t tid;
    int rc;

    ring_init(g, ruleset_cand_words(run->rs));
    g->run = run;
    g->dl = dl;
    g->dst = dst;
    g->lr = lr;
    g->input = input;
    g->path = path;
    g->rc = 0;
    if (pthread_create(&tid, NULL, ring_reader, g) != 0) {
        ring_destroy(g);
        free(g);
        return 1;
    }
    ring_consume(g, run);
    pthread_join(tid, NULL);
    /* once the output is gone, later read errors are not reported, as on
     * the sequential path */
    rc = run->output_closed ? 0 : g->rc;
    if (rc < 0)
        *err = g->err;
    ring_destroy(g);
    free(g);
    return rc < 0 ? -1 : 0;
}

/* ---- --state without --follow: the same two threads, roles swapped ----- */

/* follow.c reads, and resumed_line parses, applies the time filter and
 * finds the candidate rules on the calling thread; a worker thread runs the
 * batches through correlation, the regexes, aggregation and output in
 * order. The worker has caught up (pipeline_worker_drain) before the
 * aggregation hears of an input's start or end, and so before the state is
 * saved: what the state counts is written. With --follow this is the catch-up
 * only: once the files are read to their end, new lines go through at
 * once, as their records must come out within a look. */
struct mw_worker {
    struct ring g;
    pthread_t tid;
    struct run *run;
    struct batch *cur; /* being filled, or NULL */
    bool stopped;      /* g.stop as last seen: the output went away */
};

static void *
worker_main(void *arg)
{
    struct mw_worker *w = arg;
    ring_consume(&w->g, w->run);
    return NULL;
}

/* NULL when no thread could be started: then lines go through at once */
struct mw_worker *
pipeline_worker_start(struct run *run)
{
    struct mw_worker *w = xcalloc(1, sizeof *w);
    ring_init(&w->g, ruleset_cand_words(run->rs));
    w->run = run;
    if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
        ring_destroy(&w->g);
        free(w);
        return NULL;
    }
    return w;
}

/* the batch to fill, or NULL once the output went away */
static struct batch *
worker_batch(struct mw_worker *w)
{
    struct ring *g = &w->g;
    if (w->cur)
        return w->cur;
    pthread_mutex_lock(&g->mu);
    while (g->head - g->tail == RING_SIZE && !g->stop)
        pthread_cond_wait(&g->drained, &g->mu);
    w->stopped = g->stop;
    pthread_mutex_unlock(&g->mu);
    if (w->stopped)
        return NULL;
    w->cur = g->b[g->head % RING_SIZE];
    w->cur->n = w->cur->tlen = 0;
    return w->cur;
}

/* hand the batch being filled to the worker */
static void
worker_publish(struct mw_worker *w)
{
    struct ring *g = &w->g;
    bool any = w->cur && w->cur->n > 0;
    w->cur = NULL;
    if (!any)
        return;
    pthread_mutex_lock(&g->mu);
    g->head++;
    pthread_cond_signal(&g->filled);
    pthread_mutex_unlock(&g->mu);
}

/* wait until the worker has run every line handed over */
void
pipeline_worker_drain(struct mw_worker *w)
{
    struct ring *g = &w->g;
    worker_publish(w);
    pthread_mutex_lock(&g->mu);
    while (g->tail != g->head && !g->stop)
        pthread_cond_wait(&g->drained, &g->mu);
    w->stopped = g->stop;
    pthread_mutex_unlock(&g->mu);
}

void
pipeline_worker_stop(struct mw_worker *w)
{
    if (!w)
        return;
    worker_publish(w);
    pthread_mutex_lock(&w->g.mu);
    w->g.done = true;
    pthread_cond_signal(&w->g.filled);
    pthread_mutex_unlock(&w->g.mu);
    pthread_join(w->tid, NULL);
    ring_destroy(&w->g);
    free(w);
}

/* one parsed line of input (path) into the batch, as ring_fill does */
void
pipeline_worker_line(struct mw_worker *w, size_t input, const char *path,
                     const struct mw_record *rec)
{
    struct batch *b = worker_batch(w);
    if (!b)
        return;
    if (b->n == 0) {
        b->input = input;
        b->path = path;
    }
    bool in = pipeline_in_filter(w->run->o, rec);
    b->lines[b->n].in_filter = in;
    if (in)
        ruleset_candidates(w->run->rs, rec, b->cand + b->n * w->g.words);
    batch_add(b, rec);
    if (b->n == BATCH_LINES || b->tlen >= BATCH_TEXT)
        worker_publish(w);
}

bool
pipeline_worker_stopped(const struct mw_worker *w)
{
    return w->stopped;
}
