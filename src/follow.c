#include "config.h"

#include "follow.h"
#include "follow_impl.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "decomp.h"
#include "source.h"
#include "state.h"
#include "tail.h"
#include "xalloc.h"

#define POLL_MS      200  /* wait at the end of the files */
#define SAVE_SECONDS 5    /* state saves while following */
#define BATCH_LINES  8192 /* lines of one file before looking around */

/* set by SIGINT and SIGTERM while following */
static volatile sig_atomic_t follow_stop;

static void
on_stop_signal(int sig)
{
    (void)sig;
    follow_stop = 1;
}

/* ------------------------------------------------------------ helpers */

bool
follow_stopped(const struct mw_follow *f)
{
    return f->sink->closed(f->sink->ctx) || (f->o.follow && follow_stop);
}

void
follow_report(struct mw_follow *f, const struct mw_err *err)
{
    f->sink->error(f->sink->ctx, err);
    f->status = -1;
}

void
follow_catch_signals(bool on)
{
    struct sigaction sa, cur;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_stop_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    /* no SA_RESTART: the wait at the end of the files ends at once */
    sigaction(SIGTERM, &sa, NULL);
    /* an ignored SIGINT (a background job of a shell) stays ignored */
    if (sigaction(SIGINT, NULL, &cur) == 0 && cur.sa_handler != SIG_IGN)
        sigaction(SIGINT, &sa, NULL);
}

static double
mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
ts_after(const struct mw_time *a, const struct mw_time *b)
{
    return a->sec > b->sec || (a->sec == b->sec && a->nsec > b->nsec);
}

bool
follow_skip(struct mw_follow_skip *k, const struct mw_time *ts,
            const struct mw_line *line)
{
    if (!k->active)
        return false;
    if (!ts->valid)
        return true;
    if (ts_after(ts, &k->until)) {
        k->active = false;
        return false;
    }
    if (k->has_last && ts->sec == k->until.sec && ts->nsec == k->until.nsec) {
        unsigned char h[MW_SHA256_LEN];
        state_sha256(line->data, line->len, h);
        if (memcmp(h, k->last, sizeof h) == 0)
            k->active = false; /* the last line processed: later ones are new */
    }
    return true;
}

/* ------------------------------------------------------------ files */

int64_t
follow_mtime(const struct stat *st)
{
#if defined(__APPLE__)
    return (int64_t)st->st_mtimespec.tv_sec * 1000000000 +
           st->st_mtimespec.tv_nsec;
#else
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
#endif
}

/* the first bytes of fi, decompressed, and whether it is plain */
static int
read_head(struct fin *fi, struct mw_err *err)
{
    struct mw_err ignored;
    struct mw_decomp *d;
    if (lseek(fi->fd, 0, SEEK_SET) != 0) {
        err_set_errno(err, fi->path, errno, "cannot seek");
        return -1;
    }
    d = decomp_open(fi->fd, fi->path, err);
    if (!d)
        return -1;
    fi->plain = strcmp(decomp_name(d), "plain") == 0;
    fi->head_len = 0;
    while (fi->head_len < sizeof fi->head) {
        ssize_t n = decomp_read(d, fi->head + fi->head_len,
                                sizeof fi->head - fi->head_len, &ignored);
        if (n <= 0)
            break; /* a damaged file says so when it is read */
        fi->head_len += (size_t)n;
    }
    decomp_close(d);
    if (lseek(fi->fd, 0, SEEK_SET) != 0) {
        err_set_errno(err, fi->path, errno, "cannot seek");
        return -1;
    }
    return 0;
}

/* a plain file's head again (it may have grown, or been rewritten) */
static void
refresh_head(struct fin *fi)
{
    ssize_t n;
    do {
        n = pread(fi->fd, fi->head, sizeof fi->head, 0);
    } while (n < 0 && errno == EINTR);
    fi->head_len = n > 0 ? (size_t)n : 0;
}

int
follow_fin_open(struct fin *fi, const char *path, struct mw_err *err)
{
    struct mw_source src;
    struct stat st;
    memset(fi, 0, sizeof *fi);
    fi->fd = -1;
    if (source_open(&src, path, err) < 0)
        return -1;
    fi->path = xstrdup(path);
    fi->fd = src.fd;
    fi->is_stdin = src.is_stdin;
    fi->dev = src.dev;
    fi->ino = src.ino;
    fi->size = src.size;
    fi->mtime = src.mtime;
    fi->stream =
        src.is_stdin || fstat(src.fd, &st) != 0 || !S_ISREG(st.st_mode);
    if (fi->stream || read_head(fi, err) == 0)
        return 0;
    close(fi->fd);
    free(fi->path);
    fi->fd = -1;
    fi->path = NULL;
    return -1;
}

/* end the sink's input and stop reading; identity and position stay */
static void
fin_close(struct mw_follow *f, struct fin *fi)
{
    if (fi->h)
        f->sink->end(f->sink->ctx, fi->h,
                     fi->tail ? tail_cut_count(fi->tail) : 0, fi->failed);
    fi->h = NULL;
    tail_free(fi->tail);
    fi->tail = NULL;
    if (fi->fd >= 0 && !fi->is_stdin)
        close(fi->fd);
    fi->fd = -1;
}

void
follow_fin_free(struct mw_follow *f, struct fin *fi)
{
    fin_close(f, fi);
    free(fi->path);
    fi->path = NULL;
}

static time_t
fin_ref(const struct mw_follow *f, const struct fin *fi, bool live)
{
    if (fi->stream || (live && f->o.follow && f->o.now > fi->mtime))
        return f->o.now;
    return fi->mtime;
}

/* Where fi stands, as a state record (path left alone). */
void
follow_fin_record(struct fin *fi, const struct series *s,
                  struct mw_state_input *r)
{
    struct stat st;
    uint64_t fp_len =
        fi->offset < MW_STATE_FP_MAX ? fi->offset : MW_STATE_FP_MAX;
    if (fi->plain && fi->fd >= 0 && fi->head_len < fp_len)
        refresh_head(fi);
    if (fp_len > fi->head_len)
        fp_len = fi->head_len;
    r->dev = fi->dev;
    r->ino = fi->ino;
    r->size = fi->fd >= 0 && fstat(fi->fd, &st) == 0 ? (uint64_t)st.st_size
                                                     : fi->size;
    r->offset = fi->offset;
    r->line = fi->lineno;
    r->saved = (uint64_t)time(NULL);
    r->fp_len = (uint32_t)fp_len;
    state_sha256(fi->head, (size_t)fp_len, r->fp);
    r->last_ts = s->last_ts;
    r->has_last = s->last_fresh || s->has_last_hash;
    if (s->last_fresh)
        state_sha256(s->last.data, s->last.len, r->last);
    else
        memcpy(r->last, s->last_hash, sizeof r->last);
}

/* with --state, record where series s stands: in fi */
static void
commit(struct mw_follow *f, struct series *s, struct fin *fi)
{
    if (!f->st || fi->stream)
        return;
    struct mw_state_input *r = state_put(f->st, s->key);
    /* Nothing read from fi: stay with the file before it, which can be
     * recognised by its head. An empty file cannot: once rotated and
     * compressed, its inode may go to the next empty file (ext4 hands a
     * freed inode out again at once). */
    if (fi->offset == 0 && r->fp_len > 0)
        return;
    follow_fin_record(fi, s, r);
    f->dirty = true;
}

/* ------------------------------------------------------------ reading */

static void
feed(struct mw_follow *f, struct series *s, struct fin *fi,
     const struct mw_line *line)
{
    struct mw_time ts = {.valid = false};
    f->sink->line(f->sink->ctx, fi->h, line, s->skip.active ? &s->skip : NULL,
                  &ts);
    if (ts.valid)
        s->last_ts = ts;
    buf_reset(&s->last);
    buf_append(&s->last, line->data, line->len);
    s->last_fresh = true;
}

/* begin the sink's input for a plain file, with its first lines */
static void
begin_plain(struct mw_follow *f, struct fin *fi, bool live, bool final)
{
    struct mw_line head[MW_FOLLOW_HEAD_LINES], line;
    struct mw_err err;
    size_t n = 0;
    struct mw_tail *t = tail_new(fi->fd, fi->path, 0, 0, f->o.max_line);
    while (n < MW_FOLLOW_HEAD_LINES && tail_next(t, &line, final, &err) == 1) {
        head[n] = line;
        head[n].data = xmemdup(line.data, line.len);
        n++;
    }
    tail_free(t);
    fi->h = f->sink->begin(f->sink->ctx, fi->path, head, n, fi->start,
                           fin_ref(f, fi, live));
    for (size_t i = 0; i < n; i++)
        free((char *)(uintptr_t)head[i].data);
}

/* Up to max lines of plain fi; final: its end is the end (an unterminated
 * last line counts). Returns the number of lines, -1 on a read error. */
static long
pump_plain(struct mw_follow *f, struct series *s, struct fin *fi, bool live,
           bool final, size_t max)
{
    struct mw_line line;
    struct mw_err err;
    size_t n = 0;
    while (n < max && !follow_stopped(f)) {
        int rc = tail_next(fi->tail, &line, final, &err);
        if (rc < 0) {
            follow_report(f, &err);
            fi->failed = true;
            return -1;
        }
        if (rc == 0)
            break;
        if (!fi->h)
            begin_plain(f, fi, live, final);
        feed(f, s, fi, &line);
        fi->offset = tail_offset(fi->tail);
        fi->lineno = tail_lineno(fi->tail);
        n++;
    }
    return (long)n;
}

/* A compressed file, standard input or a pipe, through decomp and the line
 * reader from its start; lines before fi->start are passed over. */
static void
read_stream(struct mw_follow *f, struct series *s, struct fin *fi, bool live)
{
    struct mw_line head[MW_FOLLOW_HEAD_LINES], line;
    struct mw_err err;
    size_t n = 0;
    int rc = 0;
    /* a pipe may wait for ever: there a signal ends the program, and what
     * was found is out already */
    bool flush = fi->stream && f->o.follow;
    struct mw_decomp *d = decomp_open(fi->fd, fi->path, &err);
    if (!d) {
        follow_report(f, &err);
        fi->failed = true;
        return;
    }
    if (flush)
        follow_catch_signals(false);
    struct mw_linereader *lr = linereader_new(d, f->o.max_line);
    while (n < MW_FOLLOW_HEAD_LINES &&
           (rc = linereader_next(lr, &line, &err)) == 1) {
        head[n] = line;
        head[n].data = xmemdup(line.data, line.len);
        n++;
    }
    fi->h = f->sink->begin(f->sink->ctx, fi->path, head, n, fi->start,
                           fin_ref(f, fi, live));
    for (size_t i = 0; i < n; i++) {
        fi->lineno = head[i].lineno;
        if (head[i].offset >= fi->start && !follow_stopped(f))
            feed(f, s, fi, &head[i]);
    }
    while (rc == 1 && !f->sink->closed(f->sink->ctx) &&
           (rc = linereader_next(lr, &line, &err)) == 1) {
        fi->lineno = line.lineno;
        if (line.offset < fi->start)
            continue;
        feed(f, s, fi, &line);
        if (flush)
            fflush(f->o.out);
    }
    if (rc < 0) {
        follow_report(f, &err);
        fi->failed = true;
    }
    fi->offset = linereader_bytes(lr);
    f->sink->end(f->sink->ctx, fi->h, linereader_cut_count(lr), fi->failed);
    fi->h = NULL;
    for (size_t i = 0; i < n; i++)
        free((char *)(uintptr_t)head[i].data);
    linereader_free(lr);
    decomp_close(d);
    if (flush)
        follow_catch_signals(true);
}

static bool
seen_before(struct series *s, const struct fin *fi)
{
    for (size_t i = 0; i < s->nseen; i++)
        if (s->seen[i].dev == fi->dev && s->seen[i].ino == fi->ino)
            return true;
    s->seen = xreallocarray(s->seen, s->nseen + 1, sizeof *s->seen);
    s->seen[s->nseen++] = (struct idn){fi->dev, fi->ino};
    return false;
}

/* does fi's head hold a complete line (or is it all there is)? */
static bool
head_has_line(const struct fin *fi, bool final)
{
    return fi->head_len > 0 &&
           (final || memchr(fi->head, '\n', fi->head_len) != NULL);
}

/* Read opened fi (taken over) from fi->start. The live file (newest of
 * the series) keeps an unterminated last line for later, and, when
 * following a plain file, stays open as the series' current file. */
void
follow_read_fin(struct mw_follow *f, struct series *s, struct fin *fi,
                bool live)
{
    if (!fi->stream && seen_before(s, fi)) {
        follow_fin_free(f, fi);
        return;
    }
    if (fi->stream || !fi->plain) {
        read_stream(f, s, fi, live);
    } else {
        struct stat st;
        bool have_st = live && fstat(fi->fd, &st) == 0;
        fi->tail =
            tail_new(fi->fd, fi->path, fi->start, fi->lineno, f->o.max_line);
        if (head_has_line(fi, !live))
            begin_plain(f, fi, live, !live);
        if (pump_plain(f, s, fi, live, !live, SIZE_MAX) >= 0 && have_st &&
            !follow_stopped(f)) {
            fi->eof_seen = true; /* see check_truncation */
            fi->eof_mtime = follow_mtime(&st);
        }
    }
    commit(f, s, fi);
    if (live) {
        follow_fin_free(f, &s->cur);
        s->cur = *fi;
        s->have = true;
        if (!f->o.follow || fi->stream || !fi->plain || fi->failed)
            fin_close(f, &s->cur);
        return;
    }
    follow_fin_free(f, fi);
}

/* ------------------------------------------------------------ following */

/* Open the live path again if it names another file than the last one
 * read (it appeared, or was replaced). true when something was read. */
static bool
series_reopen(struct mw_follow *f, struct series *s)
{
    struct stat st;
    if (!s->watch || stat(s->key, &st) != 0)
        return false;
    if (s->have && (uint64_t)st.st_dev == s->cur.dev &&
        (uint64_t)st.st_ino == s->cur.ino)
        return false;
    s->missing = false;
    /* as at the start of a run, from the record of the file left: so that
     * no file is missed, even when the log was rotated twice meanwhile */
    follow_resume(f, s);
    return true;
}

void
follow_dir_time(struct series *s, int64_t *mtime, bool *ok)
{
    const char *slash = strrchr(s->key, '/');
    char *dir =
        slash ? xmemdup(s->key, slash == s->key ? 1 : (size_t)(slash - s->key))
              : xstrdup(".");
    struct stat st;
    *ok = stat(dir, &st) == 0;
    *mtime = *ok ? follow_mtime(&st) : 0;
    free(dir);
}

/* The live file shrank, or its head changed: copytruncate or truncation.
 * Look for the series again from the record of where we are: the copy
 * (found by its fingerprint) is read on from there, then every newer file,
 * the live one again from its start. */
static bool
check_truncation(struct mw_follow *f, struct series *s, const struct stat *sp)
{
    struct fin *c = &s->cur;
    struct stat st;
    unsigned char now[MW_STATE_FP_MAX];
    size_t n = c->head_len < c->offset ? c->head_len : (size_t)c->offset;
    bool changed = false;
    if (sp)
        st = *sp;
    else if (fstat(c->fd, &st) != 0)
        return false;
    if ((uint64_t)st.st_size >= c->offset && n > 0) {
        ssize_t k = pread(c->fd, now, n, 0);
        changed = k != (ssize_t)n || memcmp(now, c->head, n) != 0;
    }
    /* not longer, yet written since we reached its end: lines came and
     * went (copytruncate) while we were not looking */
    if ((uint64_t)st.st_size == c->offset && c->eof_seen &&
        follow_mtime(&st) != c->eof_mtime)
        changed = true;
    if ((uint64_t)st.st_size >= c->offset && !changed)
        return false;
    fin_close(f, c);
    follow_resume(f, s);
    return true;
}

/* At the end of the live file: has it been rotated or truncated? true
 * when the series moved on. */
static bool
check_rotation(struct mw_follow *f, struct series *s)
{
    struct stat st;
    struct fin *c = &s->cur;
    if (stat(s->key, &st) != 0)
        return false; /* renamed, not created again yet */
    if ((uint64_t)st.st_dev == c->dev && (uint64_t)st.st_ino == c->ino)
        return check_truncation(f, s, NULL);
    /* rename and create: the writer may go on with the old file until it
     * reopens the path, so switch once the new file has data */
    if (st.st_size == 0)
        return false;
    pump_plain(f, s, c, true, true, SIZE_MAX);
    commit(f, s, c);
    fin_close(f, c);
    follow_resume(f, s);
    return true;
}

/* Read what is new in s. true when lines were read or the series moved
 * on (more may wait). */
static bool
series_poll(struct mw_follow *f, struct series *s)
{
    struct stat st;
    if (!s->have || s->cur.fd < 0)
        return series_reopen(f, s);
    /* before reading on: once truncated, the file may have grown past our
     * offset again, and what lies there is not the rest of our line. The
     * status is taken before the reads, so that a change after it is seen
     * next time. */
    bool have_st = fstat(s->cur.fd, &st) == 0;
    if (check_truncation(f, s, have_st ? &st : NULL))
        return true;
    /* Nothing read from the live file yet: had it been filled and emptied
     * by copytruncate meanwhile, its size would not tell. The copy made
     * then changed the directory: look for the series again. */
    if (s->cur.offset == 0 && s->dir_seen) {
        int64_t dm;
        bool ok;
        follow_dir_time(s, &dm, &ok);
        if (ok && dm != s->dir_mtime) {
            fin_close(f, &s->cur);
            follow_resume(f, s);
            return true;
        }
    }
    long n = pump_plain(f, s, &s->cur, true, false, BATCH_LINES);
    if (n > 0)
        commit(f, s, &s->cur);
    if (n < 0) {
        fin_close(f, &s->cur);
        return false;
    }
    if (n == BATCH_LINES || follow_stopped(f))
        return n > 0;
    s->cur.eof_seen = have_st;
    s->cur.eof_mtime = have_st ? follow_mtime(&st) : 0;
    return check_rotation(f, s) || n > 0;
}

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* a signal ends it early: fine */
}

static void
follow_loop(struct mw_follow *f)
{
    double last_save = 0; /* the first save right after the catch-up */
    while (!follow_stopped(f)) {
        bool busy = false;
        for (size_t i = 0; i < f->nser && !follow_stopped(f); i++)
            busy |= series_poll(f, &f->ser[i]);
        fflush(f->o.out); /* new hits out within one round */
        if (f->o.state_path && f->o.save_while_following && f->dirty &&
            mono_now() - last_save >= SAVE_SECONDS) {
            struct mw_err err;
            /* undelivered records: no save this time, the state stays
             * behind them (a restart sends them again) */
            if (!f->o.drain || f->o.drain(f->o.drain_ctx) == 0)
                if (follow_save(f, &err) < 0)
                    follow_report(f, &err);
            last_save = mono_now();
        }
        if (!busy && !follow_stopped(f))
            sleep_ms(POLL_MS);
    }
}

/* ------------------------------------------------------------ public */

/* SHA-256 of the MW_STATE_TAIL bytes (or fewer) before offset len of fd */
static bool
output_tail(int fd, uint64_t len, unsigned char h[MW_SHA256_LEN])
{
    unsigned char b[MW_STATE_TAIL];
    size_t n = len < MW_STATE_TAIL ? (size_t)len : MW_STATE_TAIL;
    ssize_t k;
    do {
        k = pread(fd, b, n, (off_t)(len - n));
    } while (k < 0 && errno == EINTR);
    if (k != (ssize_t)n)
        return false;
    state_sha256(b, n, h);
    return true;
}

/* Cut --output-file back to the length the state counts: what lies beyond
 * was written by a run killed before its save, and is written again. A
 * file shorter than that, or with other bytes before that length, was
 * rotated or truncated after the save: all it holds is such records. A
 * summary format is written anew. */
static int
cut_output(struct mw_follow *f, struct mw_err *err)
{
    int fd = fileno(f->o.out);
    const struct mw_state_output *o = f->st->output;
    unsigned char h[MW_SHA256_LEN];
    struct stat st;
    uint64_t keep = 0;
    if (fstat(fd, &st) != 0) {
        err_set_errno(err, f->o.output_path, errno, "%s", "");
        return -1;
    }
    if (!S_ISREG(st.st_mode))
        return 0;
    if (f->o.streaming && o && strcmp(o->path, f->o.output_path) == 0 &&
        (uint64_t)st.st_size >= o->len &&
        (!o->has_tail ||
         (output_tail(fd, o->len, h) && memcmp(h, o->tail, sizeof h) == 0)))
        keep = o->len;
    if ((uint64_t)st.st_size > keep && ftruncate(fd, (off_t)keep) != 0) {
        err_set_errno(err, f->o.output_path, errno, "cannot truncate");
        return -1;
    }
    return 0;
}

/* with --output-file and a streaming format, record its length and the
 * hash of its end */
static void
record_output(struct mw_follow *f)
{
    int fd = fileno(f->o.out);
    struct stat st;
    if (!f->o.output_path || !f->o.streaming || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return;
    struct mw_state_output *o = state_set_output(f->st, f->o.output_path);
    o->len = (uint64_t)st.st_size;
    o->has_tail = output_tail(fd, o->len, o->tail);
}

struct mw_follow *
follow_open(const struct mw_follow_opts *fo, struct mw_err *err)
{
    struct mw_follow *f = xcalloc(1, sizeof *f);
    bool found;
    f->o = *fo;
    f->lock_fd = -1;
    /* without --state, the records are kept for following rotations */
    f->st = state_new();
    if (!fo->state_path)
        return f;
    f->lock_fd = state_lock(fo->state_path, err);
    if (f->lock_fd < 0 || state_load(f->st, fo->state_path, &found, err) < 0 ||
        (fo->output_path && cut_output(f, err) < 0)) {
        follow_close(f);
        return NULL;
    }
    return f;
}

/* group paths (in source_order order) into series */
static void
make_series(struct mw_follow *f, const char **paths, size_t n)
{
    f->ser = xcalloc(n ? n : 1, sizeof *f->ser);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        if (strcmp(paths[i], "-") != 0) {
            size_t bl = source_series_len(paths[i]);
            while (j < n && strcmp(paths[j], "-") != 0 &&
                   source_series_len(paths[j]) == bl &&
                   memcmp(paths[j], paths[i], bl) == 0)
                j++;
        }
        struct series *s = &f->ser[f->nser++];
        s->files = paths + i;
        s->nfiles = j - i;
        s->key = paths[j - 1];
        s->watch = strcmp(s->key, "-") != 0;
        s->cur.fd = -1;
        i = j;
    }
}

int
follow_run(struct mw_follow *f, const char **paths, size_t n,
           const struct mw_follow_sink *sink)
{
    f->sink = sink;
    make_series(f, paths, n);
    /* caught until the end: the summary and the save are not cut short */
    if (f->o.follow)
        follow_catch_signals(true);
    for (size_t i = 0; i < f->nser && !follow_stopped(f); i++)
        follow_resume(f, &f->ser[i]);
    if (f->sink->caught_up)
        f->sink->caught_up(f->sink->ctx);
    fflush(f->o.out);
    /* standard input ends when it ends: with nothing else, so does the run
     * (tail -f on a pipe does the same) */
    bool watch = false;
    for (size_t i = 0; i < f->nser; i++)
        watch = watch || f->ser[i].watch;
    if (f->o.follow && watch)
        follow_loop(f);
    /* the analysis sees the end of every input before its summary */
    for (size_t i = 0; i < f->nser; i++)
        fin_close(f, &f->ser[i].cur);
    return f->status;
}

int
follow_save(struct mw_follow *f, struct mw_err *err)
{
    const char *name = f->o.output_path ? f->o.output_path : "standard output";
    int fd = fileno(f->o.out);
    if (fflush(f->o.out) != 0 || ferror(f->o.out)) {
        err_set_errno(err, name, errno, "write error");
        return -1;
    }
    /* the records must be on disk before a state that counts them */
    if (f->o.output_path && fsync(fd) != 0 && errno != EINVAL) {
        err_set_errno(err, name, errno, "cannot sync");
        return -1;
    }
    if (!f->o.state_path)
        return 0;
    record_output(f);
    if (state_save(f->st, f->o.state_path, err) < 0)
        return -1;
    f->dirty = false;
    return 0;
}

void
follow_close(struct mw_follow *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nser; i++) {
        struct series *s = &f->ser[i];
        if (f->sink)
            follow_fin_free(f, &s->cur);
        buf_free(&s->last);
        free(s->seen);
    }
    free(f->ser);
    state_free(f->st);
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    free(f);
}
