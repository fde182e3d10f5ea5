#include "config.h"

#include "pipeline.h"

#include <errno.h>
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
#include "pipeline_impl.h"
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

static void
sniffed_free(struct sniffed *s)
{
    for (size_t i = 0; i < s->n; i++)
        free((char *)(uintptr_t)s->lines[i].data);
    s->n = 0;
}

bool
pipeline_in_filter(const struct mw_opts *o, const struct mw_record *rec)
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

void
pipeline_filtered(struct run *run, size_t input, const char *path,
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
        run->r->event(run->rst, ev, path) < 0) {
        /* errno is this thread's: the worker's with --state */
        run->out_errno = errno;
        run->output_closed = true;
    }
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
    if (!pipeline_in_filter(run->o, rec))
        return;
    pipeline_filtered(run, input, path, rec, ruleset_match(run->rs, rec, &ev),
                      &ev);
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
        int t = pipeline_ring_file(run, dl, dst, input, path, lr, &err);
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
        pipeline_worker_drain(run->w);
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
        pipeline_worker_line(in->run->w, in->input, in->path, &rec);
    else
        run_record(in->run, in->input, in->path, &rec);
}

static void
resumed_end(void *ctx, void *input, uint64_t cuts, bool failed)
{
    struct resumed *in = input;
    (void)ctx;
    if (in->run->w)
        pipeline_worker_drain(in->run->w);
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
    return run->w ? pipeline_worker_stopped(run->w) : run->output_closed;
}

/* the catch-up is over: with --follow, new lines go through one by one */
static void
resumed_caught_up(void *ctx)
{
    struct run *run = ctx;
    pipeline_worker_stop(run->w);
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

/* what a save while following waits for: the collector (ro->sink, opened
 * after follow) */
struct drain {
    const struct mw_render_opts *ro;
    const char *name; /* --syslog-server */
    bool warned;
};

/* follow's drain: every record handed to the collector delivered? Once
 * one was dropped the state stays where it was, for good: say so once. */
static int
pipeline_drain(void *ctx)
{
    struct drain *d = ctx;
    int rc = d->ro->sink ? sink_flush(d->ro->sink, DRAIN_MS) : 0;
    if (rc == -2 && !d->warned) {
        diag_warn("%s: records were dropped: the state is no longer saved "
                  "while following; a restart sends everything since its "
                  "last save again",
                  d->name);
        d->warned = true;
    }
    return rc < 0 ? -1 : 0;
}

/* lock and load --state, cut --output-file back; NULL on error (printed).
 * dr: what a save while following waits for. */
static struct mw_follow *
pipeline_follow_open(const struct run *run, FILE *out, struct drain *dr)
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
        .drain_ctx = dr,
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
    run->w = !run->o->follow || all_regular(paths, n)
                 ? pipeline_worker_start(run)
                 : NULL;
    int rc = follow_run(f, paths, n, &sink);
    pipeline_worker_stop(run->w);
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
    struct drain dr = {.ro = &ro, .name = o->syslog_server};
    if ((o->state_file || o->follow) &&
        !(fl = pipeline_follow_open(&run, out, &dr))) {
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
        run.r->finish(run.rst, sum) < 0) {
        run.out_errno = errno;
        run.output_closed = true;
    }
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
    /* the caller reads errno to tell a closed pipe from a write error */
    if (run.out_errno)
        errno = run.out_errno;
    if (run.output_closed && status != MW_RUN_ERROR)
        return MW_RUN_OUTPUT_CLOSED;
    return status;
}
