#include "config.h"

#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "correlate.h"
#include "decomp.h"
#include "dialect.h"
#include "follow.h"
#include "linereader.h"
#include "render.h"
#include "sink.h"
#include "source.h"
#include "xalloc.h"

/* lines read ahead to choose a dialect */
#define SNIFF_LINES 20

struct sniffed {
    struct mw_line lines[SNIFF_LINES];
    size_t n;
};

struct worker;

struct run {
    const struct mw_opts *o;
    const struct mw_ruleset *rs;
    const struct mw_renderer *r;
    void *rst;
    struct mw_agg *agg;
    struct mw_correlate *corr;
    bool output_closed;
    time_t now;
    struct worker *w; /* --state: rules and output on a second thread */
};

static void
sniffed_free(struct sniffed *s)
{
    for (size_t i = 0; i < s->n; i++)
        free((char *)(uintptr_t)s->lines[i].data);
    s->n = 0;
}

static bool
in_time_filter(const struct mw_opts *o, const struct mw_record *rec)
{
    if (!o->has_since && !o->has_until)
        return true;
    if (!rec->ts.valid)
        return false;
    if (o->has_since && rec->ts.sec < o->since)
        return false;
    if (o->has_until && rec->ts.sec >= o->until)
        return false;
    return true;
}

/* a line inside the time filter, hit (ev filled) or not, through
 * aggregation and streaming output */
static inline void
run_filtered(struct run *run, size_t input, const char *path,
             const struct mw_record *rec, bool hit, struct mw_event *ev)
{
    agg_line(run->agg, input, rec);
    if (!hit) {
        agg_unmatched(run->agg, input, rec);
        return;
    }
    correlate_fill(run->corr, ev);
    agg_event(run->agg, input, ev);
    if (run->r->event && !run->output_closed &&
        run->r->event(run->rst, ev, path) < 0)
        run->output_closed = true;
}

/* one parsed line through rules, aggregation and streaming output */
static inline void
run_record(struct run *run, size_t input, const char *path,
           const struct mw_record *rec)
{
    struct mw_event ev;

    /* learnt before the time filter: a message queued before --since may
     * bounce inside the window */
    correlate_learn(run->corr, rec);
    if (!in_time_filter(run->o, rec))
        return;
    run_filtered(run, input, path, rec, ruleset_match(run->rs, rec, &ev), &ev);
}

/* one line through dialect, rules, aggregation and streaming output */
static void
run_line(struct run *run, const struct mw_dialect *dl, void *dst, size_t input,
         const char *path, const struct mw_line *line)
{
    struct mw_record rec;

    if (dl->parse(dst, line, &rec) != 0)
        return;
    run_record(run, input, path, &rec);
}

/* read the first lines into owned copies */
static int
sniff_lines(struct mw_linereader *lr, struct sniffed *s, struct mw_err *err)
{
    struct mw_line line;
    int rc = 0;
    s->n = 0;
    while (s->n < SNIFF_LINES && (rc = linereader_next(lr, &line, err)) == 1) {
        s->lines[s->n] = line;
        s->lines[s->n].data = xmemdup(line.data, line.len);
        s->n++;
    }
    return rc < 0 ? -1 : 0;
}

static const struct mw_dialect *
choose_dialect(const struct mw_opts *o, const struct sniffed *s,
               const char *path)
{
    const char *why = "chosen with --input-format";
    const struct mw_dialect *dl;
    if (strcmp(o->input_format, "auto") == 0)
        dl = dialect_sniff(s->lines, s->n, &why);
    else
        dl = dialect_find(o->input_format);
    if (o->verbose)
        diag_warn("%s: %s (%s)", path, dl->name, why);
    return dl;
}

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
        bool in = in_time_filter(run->o, &rec);
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
        run_filtered(run, input, path, &rec, hit, &ev);
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
static int
run_threaded(struct run *run, const struct mw_dialect *dl, void *dst,
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

static bool
input_is_plain_file(const struct mw_source *src, const struct mw_decomp *d)
{
    struct stat st;
    return !src->is_stdin && strcmp(decomp_name(d), "plain") == 0 &&
           fstat(src->fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* analyse one opened input; returns -1 after a read error */
static int
run_input(struct run *run, struct mw_source *src, const char *path)
{
    struct mw_err err;
    struct sniffed s = {.n = 0};
    int status = 0;

    struct mw_decomp *d = decomp_open(src->fd, path, &err);
    if (!d) {
        err_print(&err);
        return -1;
    }
    struct mw_linereader *lr = linereader_new(d, run->o->max_line);
    int rc = sniff_lines(lr, &s, &err);
    const struct mw_dialect *dl = choose_dialect(run->o, &s, path);
    size_t input = agg_input_begin(run->agg, path, dl->name);
    time_t ref = src->is_stdin ? run->now : src->mtime;
    void *dst = dl->open(ref);

    for (size_t i = 0; i < s.n && !run->output_closed; i++)
        run_line(run, dl, dst, input, path, &s.lines[i]);
    bool rest = rc == 0 && s.n == SNIFF_LINES;
    if (rest && !run->output_closed && input_is_plain_file(src, d)) {
        int t = run_threaded(run, dl, dst, input, path, lr, &err);
        if (t != 1) {
            rc = t;
            rest = false;
        }
    }
    if (rest) {
        struct mw_line line;
        while (!run->output_closed &&
               (rc = linereader_next(lr, &line, &err)) == 1)
            run_line(run, dl, dst, input, path, &line);
    }
    if (rc < 0) {
        err_print(&err);
        status = -1;
    }
    agg_input_end(run->agg, input, linereader_cut_count(lr), status < 0);
    dl->close(dst);
    sniffed_free(&s);
    linereader_free(lr);
    decomp_close(d);
    return status;
}

/* ---- --state without --follow: the same two threads, roles swapped ----- */

/* follow.c reads, and resumed_line parses, applies the time filter and
 * finds the candidate rules on the calling thread; a worker thread runs the
 * batches through correlation, the regexes, aggregation and output in
 * order. The worker has caught up (worker_drain) before the aggregation
 * hears of an input's start or end, and so before the state is saved:
 * what the state counts is written. With --follow this is the catch-up
 * only: once the files are read to their end, new lines go through at
 * once, as their records must come out within a look. */
struct worker {
    struct ring g;
    pthread_t tid;
    struct run *run;
    struct batch *cur; /* being filled, or NULL */
    bool stopped;      /* g.stop as last seen: the output went away */
};

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    ring_consume(&w->g, w->run);
    return NULL;
}

/* NULL when no thread could be started: then lines go through at once */
static struct worker *
worker_start(struct run *run)
{
    struct worker *w = xcalloc(1, sizeof *w);
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
worker_batch(struct worker *w)
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
worker_publish(struct worker *w)
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
static void
worker_drain(struct worker *w)
{
    struct ring *g = &w->g;
    worker_publish(w);
    pthread_mutex_lock(&g->mu);
    while (g->tail != g->head && !g->stop)
        pthread_cond_wait(&g->drained, &g->mu);
    w->stopped = g->stop;
    pthread_mutex_unlock(&g->mu);
}

static void
worker_stop(struct worker *w)
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
static void
worker_line(struct worker *w, size_t input, const char *path,
            const struct mw_record *rec)
{
    struct batch *b = worker_batch(w);
    if (!b)
        return;
    if (b->n == 0) {
        b->input = input;
        b->path = path;
    }
    bool in = in_time_filter(w->run->o, rec);
    b->lines[b->n].in_filter = in;
    if (in)
        ruleset_candidates(w->run->rs, rec, b->cand + b->n * w->g.words);
    batch_add(b, rec);
    if (b->n == BATCH_LINES || b->tlen >= BATCH_TEXT)
        worker_publish(w);
}

/* ---- --state / --follow: inputs read by follow.c ------------------------ */

struct resumed {
    struct run *run;
    const struct mw_dialect *dl;
    void *dst;
    size_t input;
    char *path;
};

static void *
resumed_begin(void *ctx, const char *path, const struct mw_line *head,
              size_t nhead, uint64_t start, time_t ref)
{
    struct run *run = ctx;
    struct resumed *in = xcalloc(1, sizeof *in);
    struct sniffed s = {.n = 0};
    struct mw_record rec;
    for (; s.n < nhead && s.n < SNIFF_LINES; s.n++)
        s.lines[s.n] = head[s.n];
    in->run = run;
    in->path = xstrdup(path);
    in->dl = choose_dialect(run->o, &s, path);
    if (run->w)
        worker_drain(run->w);
    in->input = agg_input_begin(run->agg, path, in->dl->name);
    in->dst = in->dl->open(ref);
    /* lines an earlier run analysed still set up the dialect (Exchange's
     * #Fields header) */
    for (size_t i = 0; i < nhead && head[i].offset < start; i++)
        in->dl->parse(in->dst, &head[i], &rec);
    return in;
}

static void
resumed_line(void *ctx, void *input, const struct mw_line *line,
             struct mw_follow_skip *skip, struct mw_time *ts)
{
    struct resumed *in = input;
    struct mw_record rec;
    (void)ctx;
    if (in->dl->parse(in->dst, line, &rec) != 0)
        return;
    *ts = rec.ts;
    if (skip && follow_skip(skip, &rec.ts, line))
        return;
    if (in->run->w)
        worker_line(in->run->w, in->input, in->path, &rec);
    else
        run_record(in->run, in->input, in->path, &rec);
}

static void
resumed_end(void *ctx, void *input, uint64_t cuts, bool failed)
{
    struct resumed *in = input;
    (void)ctx;
    if (in->run->w)
        worker_drain(in->run->w);
    agg_input_end(in->run->agg, in->input, cuts, failed);
    in->dl->close(in->dst);
    free(in->path);
    free(in);
}

static void
resumed_error(void *ctx, const struct mw_err *err)
{
    (void)ctx;
    err_print(err);
}

static bool
resumed_closed(void *ctx)
{
    const struct run *run = ctx;
    return run->w ? run->w->stopped : run->output_closed;
}

/* the catch-up is over: with --follow, new lines go through one by one */
static void
resumed_caught_up(void *ctx)
{
    struct run *run = ctx;
    worker_stop(run->w);
    run->w = NULL;
}

/* only regular files (compressed or not) are read in bulk: a pipe or
 * standard input may give a line now and then, whose record must come out
 * at once */
static bool
all_regular(const char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 ||
            !S_ISREG(st.st_mode))
            return false;
    }
    return true;
}

/* how long a save while following waits for the collector */
#define DRAIN_MS 2000

/* follow's drain: every record handed to the collector delivered? */
static int
pipeline_drain(void *ctx)
{
    const struct mw_render_opts *ro = ctx;
    return ro->sink ? sink_flush(ro->sink, DRAIN_MS) : 0;
}

/* lock and load --state, cut --output-file back; NULL on error (printed).
 * ro->sink, opened later, is what a save waits for. */
static struct mw_follow *
pipeline_follow_open(const struct run *run, FILE *out,
                     struct mw_render_opts *ro)
{
    const struct mw_opts *o = run->o;
    struct mw_err err;
    bool streaming = !run->r->needs_summary;
    struct mw_follow_opts fo = {
        .state_path = o->state_file,
        .follow = o->follow,
        .out = out,
        .output_path = o->output_file,
        .streaming = streaming,
        .save_while_following = streaming,
        .drain = o->syslog_server ? pipeline_drain : NULL,
        .drain_ctx = ro,
        .max_line = o->max_line,
        .now = run->now,
    };
    struct mw_follow *f = follow_open(&fo, &err);
    if (!f)
        err_print(&err);
    return f;
}

static int
pipeline_follow_run(struct run *run, struct mw_follow *f, const char **paths,
                    size_t n)
{
    const struct mw_follow_sink sink = {
        .ctx = run,
        .begin = resumed_begin,
        .line = resumed_line,
        .end = resumed_end,
        .error = resumed_error,
        .closed = resumed_closed,
        .caught_up = resumed_caught_up,
    };
    /* the catch-up on two threads (the whole run without --follow) */
    run->w =
        !run->o->follow || all_regular(paths, n) ? worker_start(run) : NULL;
    int rc = follow_run(f, paths, n, &sink);
    worker_stop(run->w);
    run->w = NULL;
    return rc;
}

static bool
findings_at_level(const struct mw_summary *sum, int level)
{
    if (level < 0)
        return false;
    for (size_t i = 0; i < sum->nfindings; i++)
        if ((int)sum->findings[i].level >= level)
            return true;
    return false;
}

/* ---- --syslog-server: records go to a collector (sink.c) ---------------- */

/* the syslog renderer frames every record, with CEF or ndjson as its MSG
 * when --output asks for them */
static int
pipeline_sink_open(const struct mw_opts *o, struct mw_render_opts *ro,
                   const struct mw_renderer **r)
{
    struct mw_err err;
    ro->sink = sink_open(o->syslog_server, NULL, &err);
    if (!ro->sink) {
        err_print(&err);
        return -1;
    }
    if (strcmp(o->output, "syslog") != 0) {
        ro->payload = o->output;
        *r = render_find("syslog");
    }
    return 0;
}

/* bounded wait for delivery; -1 when records were lost (reported) */
static int
pipeline_sink_close(const char *name, struct mw_sink *sink)
{
    struct mw_err err;
    struct mw_sink_stats st;
    int rc = sink_close(sink, &st, &err);
    if (st.truncated)
        diag_warn("%s: %llu records cut to %d bytes for UDP", name,
                  (unsigned long long)st.truncated, MW_SINK_UDP_MAX);
    if (rc < 0)
        err_print(&err);
    return rc;
}

enum mw_run_status
pipeline_run(const struct mw_opts *o, const struct mw_ruleset *rs, FILE *out)
{
    struct run run = {.o = o, .rs = rs};
    struct mw_agg_opts ao = {.window = o->window, .top = o->top};
    struct mw_render_opts ro = {
        .out = out, .top = o->top ? o->top : 10, .version = PACKAGE_VERSION};
    enum mw_run_status status = MW_RUN_OK;
    struct mw_follow *fl = NULL;
    const char *stdin_path[] = {"-"};
    size_t n = o->nfiles ? o->nfiles : 1;
    const char **paths = xmalloc(n * sizeof *paths);

    memcpy(paths, o->nfiles ? o->files : stdin_path, n * sizeof *paths);
    source_order(paths, n);
    run.now = o->has_now ? (time_t)o->now : time(NULL);
    ro.now = run.now;
    ro.color = o->color == MW_COLOR_ALWAYS ||
               (o->color == MW_COLOR_AUTO && isatty(fileno(out)) &&
                !(getenv("NO_COLOR") && *getenv("NO_COLOR")) &&
                !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0));
    run.r = render_find(o->output);
    if ((o->state_file || o->follow) &&
        !(fl = pipeline_follow_open(&run, out, &ro))) {
        free(paths);
        return MW_RUN_ERROR;
    }
    if (o->syslog_server && pipeline_sink_open(o, &ro, &run.r) < 0) {
        follow_close(fl);
        free(paths);
        return MW_RUN_ERROR;
    }
    run.rst = run.r->open(&ro);
    run.agg = agg_new(&ao);
    run.corr = correlate_new();

    if (fl && pipeline_follow_run(&run, fl, paths, n) < 0)
        status = MW_RUN_ERROR;
    for (size_t i = 0; i < n && !fl && !run.output_closed; i++) {
        struct mw_source src;
        struct mw_err err;
        if (source_open(&src, paths[i], &err) < 0) {
            err_print(&err);
            status = MW_RUN_ERROR;
            continue;
        }
        if (run_input(&run, &src, paths[i]) < 0)
            status = MW_RUN_ERROR;
        source_close(&src);
    }

    const struct mw_summary *sum = agg_summary(run.agg);
    /* --quiet: nothing to say unless a finding reaches --fail-level (any
     * finding when no level is set), so cron mails only what matters */
    bool quiet =
        o->quiet && (o->fail_level >= 0 ? !findings_at_level(sum, o->fail_level)
                                        : sum->nfindings == 0);
    if (!run.output_closed && run.r->finish && !quiet &&
        run.r->finish(run.rst, sum) < 0)
        run.output_closed = true;
    if (status == MW_RUN_OK && findings_at_level(sum, o->fail_level))
        status = MW_RUN_FINDINGS;
    run.r->close(run.rst);
    bool delivered = true;
    if (ro.sink && pipeline_sink_close(o->syslog_server, ro.sink) < 0) {
        status = MW_RUN_ERROR;
        delivered = false;
    }
    /* the state moves on only once what it counts is out */
    if (fl && !run.output_closed && delivered) {
        struct mw_err err;
        if (follow_save(fl, &err) < 0) {
            err_print(&err);
            status = MW_RUN_ERROR;
        }
    }
    follow_close(fl);
    agg_free(run.agg);
    correlate_free(run.corr);
    free(paths);
    if (run.output_closed && status != MW_RUN_ERROR)
        return MW_RUN_OUTPUT_CLOSED;
    return status;
}
