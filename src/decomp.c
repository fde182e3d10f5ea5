#include "config.h"

#include "decomp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decomp_backends.h"
#include "diag.h"
#include "xalloc.h"

/* The longest magic number: xz, fd 37 7a 58 5a 00. */
#define SNIFF_LEN 6

/* Compressed formats, tried in order on the first bytes; plain text is
 * what matches none of them. */
static const struct mw_decomp_backend *const backends[] = {
    &decomp_gzip,
#ifdef HAVE_BZIP2
    &decomp_bz2,
#endif
#ifdef HAVE_XZ
    &decomp_xz,
#endif
#ifdef HAVE_ZSTD
    &decomp_zstd,
#endif
};

struct pump;

struct mw_decomp {
    const struct mw_decomp_backend *be;
    void *state;
    struct pump *pump; /* NULL: the backend reads on the calling thread */
};

ssize_t
decomp_fd_read(int fd, void *buf, size_t len)
{
    ssize_t n;
    do {
        n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* true while head[0..len) is a proper prefix of some magic number */
static bool
may_be_magic(const unsigned char *head, size_t len)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        const struct mw_decomp_backend *be = backends[i];
        if (len < be->magic_len && memcmp(head, be->magic, len) == 0)
            return true;
    }
    return false;
}

/* Read the first bytes, looping over short reads (pipes, terminals) only
 * while they may still start a magic number: plain text arriving slowly on a
 * pipe is not held back waiting for more. */
static ssize_t
sniff(int fd, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len && (got == 0 || may_be_magic(buf, got))) {
        ssize_t n = decomp_fd_read(fd, buf + got, len - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* ------------------------------------------------------------ input helper */

void
decomp_in_init(struct mw_decomp_in *in, int fd, const unsigned char *head,
               size_t head_len, const char *path)
{
    memset(in, 0, sizeof *in);
    in->fd = fd;
    in->wake_fd = -1;
    in->path = path;
    in->buf = xmalloc(MW_DECOMP_INBUF);
    memcpy(in->buf, head, head_len);
    in->len = head_len;
}

void
decomp_in_free(struct mw_decomp_in *in)
{
    free(in->buf);
    in->buf = NULL;
}

uint64_t
decomp_in_offset(const struct mw_decomp_in *in)
{
    return in->consumed + in->pos;
}

void
decomp_in_fail(struct mw_decomp_in *in, uint64_t off, const char *fmt, ...)
{
    char text[sizeof in->err.text];
    va_list ap;
    if (in->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    err_set_offset(&in->err, in->path, off, "%s", text);
    in->failed = true;
}

/* read(2) from in->fd; with a wake_fd, wait first until either is
 * readable, and fail with ECANCELED when wake_fd is */
static ssize_t
in_read(const struct mw_decomp_in *in, void *buf, size_t len)
{
    if (in->wake_fd >= 0) {
        struct pollfd pf[2] = {{in->fd, POLLIN, 0}, {in->wake_fd, POLLIN, 0}};
        int rc;
        do {
            rc = poll(pf, 2, -1);
        } while (rc < 0 && errno == EINTR);
        /* should poll itself fail, read(2) still gives the right answer */
        if (rc > 0 && pf[1].revents != 0) {
            errno = ECANCELED;
            return -1;
        }
    }
    return decomp_fd_read(in->fd, buf, len);
}

size_t
decomp_in_fill(struct mw_decomp_in *in, size_t want)
{
    size_t have = in->len - in->pos;
    if (have >= want || in->eof)
        return have;
    /* keep the unread bytes, at the start of the buffer */
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, have);
        in->consumed += in->pos;
        in->pos = 0;
        in->len = have;
    }
    while (in->len < want && !in->eof) {
        ssize_t n = in_read(in, in->buf + in->len, MW_DECOMP_INBUF - in->len);
        if (n < 0) {
            int e = errno;
            uint64_t off = in->consumed + in->len;
            in->eof = true;
            if (!in->failed) {
                err_set_errno(&in->err, in->path, e, "read error");
                in->err.has_offset = true;
                in->err.offset = off;
                in->failed = true;
            }
        } else if (n == 0) {
            in->eof = true;
        } else {
            in->len += (size_t)n;
        }
    }
    return in->len - in->pos;
}

ssize_t
decomp_in_result(const struct mw_decomp_in *in, size_t produced,
                 struct mw_err *err)
{
    if (produced > 0)
        return (ssize_t)produced;
    if (in->failed) {
        *err = in->err;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ plain */

/* Plain text: the sniffed head, then read(2) straight into the caller's
 * buffer, so plain input is never copied here. */
struct plain {
    int fd;
    const char *path;
    unsigned char head[SNIFF_LEN];
    size_t head_len, head_pos;
    uint64_t offset; /* bytes returned so far */
};

static void *
plain_open(int fd, const unsigned char *head, size_t head_len, const char *path,
           struct mw_err *err)
{
    struct plain *p = xcalloc(1, sizeof *p);
    (void)err;
    p->fd = fd;
    p->path = path;
    if (head_len > sizeof p->head)
        head_len = sizeof p->head;
    memcpy(p->head, head, head_len);
    p->head_len = head_len;
    return p;
}

static ssize_t
plain_read(void *state, void *buf, size_t len, struct mw_err *err)
{
    struct plain *p = state;
    ssize_t n;
    if (len == 0)
        return 0;
    if (p->head_pos < p->head_len) {
        size_t k = p->head_len - p->head_pos;
        if (k > len)
            k = len;
        memcpy(buf, p->head + p->head_pos, k);
        p->head_pos += k;
        p->offset += k;
        return (ssize_t)k;
    }
    n = decomp_fd_read(p->fd, buf, len);
    if (n < 0) {
        err_set_errno(err, p->path, errno, "read error");
        err->has_offset = true;
        err->offset = p->offset;
        return -1;
    }
    p->offset += (uint64_t)n;
    return n;
}

static void
plain_close(void *state)
{
    free(state);
}

const struct mw_decomp_backend decomp_plain = {
    "plain", NULL, 0, plain_open, plain_read, plain_close,
};

/* ------------------------------------------------------------ reader thread */

/* A compressed stream is decoded on a second thread, into a small ring of
 * large slots, so that decoding overlaps the caller's work on the bytes
 * decoded before. One mutex guards the ring's counters: a filled slot
 * belongs to the consumer until it has copied all of it out, a free one to
 * the producer, so the bytes themselves move without the lock. */
#define PUMP_SLOTS     4
#define PUMP_SLOT_SIZE (256u * 1024u)

struct pump {
    const struct mw_decomp_backend *be;
    void *state;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled; /* a slot was filled, or the producer finished */
    pthread_cond_t freed;  /* a slot was freed, or a stop was asked */
    unsigned char *slot[PUMP_SLOTS];
    size_t slot_len[PUMP_SLOTS]; /* bytes in each filled slot */
    /* under mu */
    unsigned count; /* filled slots */
    bool finished;  /* the producer has ended: result and err are final */
    bool stop;      /* decomp_close asks the producer to end */
    int result;     /* 0 end of stream, -1 error */
    struct mw_err err;
    /* the consumer's own */
    unsigned head; /* oldest filled slot */
    size_t pos;    /* bytes of it already returned */
    /* the producer's own */
    unsigned tail; /* next slot to fill */
    int wake[2];   /* -1, or a pipe whose read end is the input's wake_fd */
};

/* The producer: fill free slots with the backend's read() until the end of
 * the stream, an error, or a stop. */
static void *
pump_main(void *arg)
{
    struct pump *p = arg;
    struct mw_err err;
    ssize_t n = 0;
    err_clear(&err);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->count == PUMP_SLOTS && !p->stop)
            pthread_cond_wait(&p->freed, &p->mu);
        if (p->stop)
            break;
        unsigned char *buf = p->slot[p->tail];
        pthread_mutex_unlock(&p->mu);
        n = p->be->read(p->state, buf, PUMP_SLOT_SIZE, &err);
        pthread_mutex_lock(&p->mu);
        if (n <= 0)
            break;
        p->slot_len[p->tail] = (size_t)n;
        p->tail = (p->tail + 1) % PUMP_SLOTS;
        p->count++;
        pthread_cond_signal(&p->filled);
    }
    p->result = n < 0 ? -1 : 0;
    if (n < 0)
        p->err = err;
    p->finished = true;
    pthread_cond_signal(&p->filled);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The consumer: copy out filled slots, waiting only while nothing has been
 * copied yet. The end or the error comes once every filled slot is out,
 * and again on every later call. */
static ssize_t
pump_read(struct pump *p, unsigned char *buf, size_t len, struct mw_err *err)
{
    size_t got = 0;
    ssize_t rc;
    pthread_mutex_lock(&p->mu);
    while (got < len) {
        if (p->count == 0) {
            if (got > 0 || p->finished)
                break;
            pthread_cond_wait(&p->filled, &p->mu);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        size_t k = p->slot_len[p->head] - p->pos;
        if (k > len - got)
            k = len - got;
        memcpy(buf + got, p->slot[p->head] + p->pos, k);
        got += k;
        p->pos += k;
        pthread_mutex_lock(&p->mu);
        if (p->pos == p->slot_len[p->head]) {
            p->pos = 0;
            p->head = (p->head + 1) % PUMP_SLOTS;
            p->count--;
            pthread_cond_signal(&p->freed);
        }
    }
    rc = (ssize_t)got;
    if (got == 0 && len > 0) {
        rc = p->result;
        if (rc < 0)
            *err = p->err;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static void
pump_free(struct pump *p)
{
    for (size_t i = 0; i < PUMP_SLOTS; i++)
        free(p->slot[i]);
    for (size_t i = 0; i < 2; i++)
        if (p->wake[i] >= 0)
            close(p->wake[i]);
    free(p);
}

/* Reading a pipe, socket or terminal may wait for ever; there the input
 * waits in poll(2) on a wake pipe too (see in_read). A regular file or a
 * disk never keeps read(2) waiting for long. Returns false if no pipe. */
static bool
pump_wake_setup(struct pump *p, struct mw_decomp_in *in)
{
    struct stat st;
    if (fstat(in->fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
        return true;
    if (pipe(p->wake) != 0) {
        p->wake[0] = p->wake[1] = -1;
        return false;
    }
    fcntl(p->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(p->wake[1], F_SETFD, FD_CLOEXEC);
    in->wake_fd = p->wake[0];
    return true;
}

/* Start the producer for a compressed backend's state. NULL when a thread
 * (or its wake pipe) cannot be had: the caller then reads on its own
 * thread, as before. */
static struct pump *
pump_start(const struct mw_decomp_backend *be, void *state)
{
    struct pump *p = xcalloc(1, sizeof *p);
    struct mw_decomp_in *in = state; /* first member: decomp_backends.h */
    sigset_t all, old;
    int rc;
    p->be = be;
    p->state = state;
    p->wake[0] = p->wake[1] = -1;
    if (!pump_wake_setup(p, in)) {
        pump_free(p);
        return NULL;
    }
    for (size_t i = 0; i < PUMP_SLOTS; i++)
        p->slot[i] = xmalloc(PUMP_SLOT_SIZE);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->filled, NULL);
    pthread_cond_init(&p->freed, NULL);
    /* signals stay with the calling thread, where they went before; not
     * those a fault raises in this thread itself */
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&p->thread, NULL, pump_main, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        in->wake_fd = -1;
        pthread_cond_destroy(&p->freed);
        pthread_cond_destroy(&p->filled);
        pthread_mutex_destroy(&p->mu);
        pump_free(p);
        return NULL;
    }
    return p;
}

/* Ask the producer to end, wherever it waits, and join it. */
static void
pump_stop(struct pump *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
    if (p->wake[1] >= 0) {
        /* the only byte ever written: it cannot block */
        ssize_t w;
        do {
            w = write(p->wake[1], "", 1);
        } while (w < 0 && errno == EINTR);
    }
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->freed);
    pthread_cond_destroy(&p->filled);
    pthread_mutex_destroy(&p->mu);
    pump_free(p);
}

/* ------------------------------------------------------------ public */

static const struct mw_decomp_backend *
decomp_pick(const unsigned char *head, size_t len)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        const struct mw_decomp_backend *be = backends[i];
        if (len >= be->magic_len && memcmp(head, be->magic, be->magic_len) == 0)
            return be;
    }
    return &decomp_plain;
}

struct mw_decomp *
decomp_open(int fd, const char *path, struct mw_err *err)
{
    unsigned char head[SNIFF_LEN];
    ssize_t n = sniff(fd, head, sizeof head);
    const struct mw_decomp_backend *be;
    struct mw_decomp *d;
    void *state;
    if (n < 0) {
        err_set_errno(err, path, errno, "read error");
        return NULL;
    }
    be = decomp_pick(head, (size_t)n);
    state = be->open(fd, head, (size_t)n, path, err);
    if (!state)
        return NULL;
    d = xmalloc(sizeof *d);
    d->be = be;
    d->state = state;
    d->pump = be == &decomp_plain ? NULL : pump_start(be, state);
    return d;
}

ssize_t
decomp_read(struct mw_decomp *d, void *buf, size_t len, struct mw_err *err)
{
    if (d->pump)
        return pump_read(d->pump, buf, len, err);
    return d->be->read(d->state, buf, len, err);
}

const char *
decomp_name(const struct mw_decomp *d)
{
    return d->be->name;
}

void
decomp_close(struct mw_decomp *d)
{
    if (!d)
        return;
    /* the producer is done with the state before it is closed */
    if (d->pump)
        pump_stop(d->pump);
    d->be->close(d->state);
    free(d);
}

const char *
decomp_formats(void)
{
    /* the same order as the table */
    return "gzip"
#ifdef HAVE_BZIP2
           ",bzip2"
#endif
#ifdef HAVE_XZ
           ",xz"
#endif
#ifdef HAVE_ZSTD
           ",zstd"
#endif
        ;
}
