#include "config.h"

#include "sink.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "xalloc.h"

/* Transport facts: RFC 6587 section 3.4.1 (octet counting, "LEN SP MSG"),
 * RFC 5426 (one message per UDP datagram; 2048 octets is a size receivers
 * SHOULD accept). rsyslog's imtcp takes octet-counted frames (FORMATS.md
 * section 3.3); its own omfwd also checks for a closed connection with a
 * non-blocking recv before sending (rsyslog runtime/nsd_ptcp.c,
 * CheckConnection), as sink_alive does here. */

#define SINK_BACKOFF_MIN 100   /* ms */
#define SINK_BACKOFF_MAX 5000  /* ms */
#define SINK_CONNECT_MS  5000  /* one connect attempt */
#define SINK_STALL_MS    30000 /* a send without progress breaks the link */
#define SINK_BATCH       (64u * 1024u)
#define SINK_FOREVER     INT64_MAX
#ifndef SINK_UDP_BURST
#define SINK_UDP_BURST 32 /* datagrams between 1 ms pauses */
#endif

struct sink_item {
    char *data;
    size_t len;
    uint64_t end;     /* wire offset after its frame (sent items) */
    int64_t acked_at; /* when the collector's TCP acknowledged it; 0 not */
};

struct mw_sink {
    char host[256], port[32], name[300];
    enum mw_sink_proto proto;
    struct mw_sink_opts o;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;  /* the sender: new data, or closing */
    pthread_cond_t space; /* producers: room in the queue, or link down */
    /* under mu: a ring of count items from head; the first nsent were
     * written to the current connection and are not yet confirmed, and the
     * first nacked of those were acknowledged by the collector's TCP */
    struct sink_item *ring;
    size_t cap, head, count, nsent, nacked, bytes;
    bool closing, down, idle;
    int64_t deadline; /* closing: when to give up */
    struct mw_sink_stats st;
    char reason[200]; /* the last delivery problem */
    /* the sender thread's own */
    int fd;
    uint64_t wire;  /* bytes written to this connection */
    unsigned burst; /* UDP datagrams since the last pause */
    struct mw_buf out;
};

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
cond_wait_until(pthread_cond_t *c, pthread_mutex_t *mu, int64_t until)
{
    struct timespec ts;
    if (until == SINK_FOREVER) {
        pthread_cond_wait(c, mu);
        return;
    }
    ts.tv_sec = (time_t)(until / 1000);
    ts.tv_nsec = (long)(until % 1000) * 1000000L;
    pthread_cond_timedwait(c, mu, &ts);
}

/* ---- the queue (callers hold mu) ---------------------------------------- */

static struct sink_item *
ring_at(struct mw_sink *s, size_t i)
{
    return &s->ring[(s->head + i) % s->cap];
}

static void
ring_push(struct mw_sink *s, char *data, size_t len)
{
    if (s->count == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        struct sink_item *n = xreallocarray(NULL, ncap, sizeof *n);
        for (size_t i = 0; i < s->count; i++)
            n[i] = *ring_at(s, i);
        free(s->ring);
        s->ring = n;
        s->cap = ncap;
        s->head = 0;
    }
    *ring_at(s, s->count) = (struct sink_item){data, len, 0, 0};
    s->count++;
    s->bytes += len;
}

static void
ring_pop(struct mw_sink *s)
{
    struct sink_item *it = ring_at(s, 0);
    s->bytes -= it->len;
    free(it->data);
    s->head = (s->head + 1) % s->cap;
    s->count--;
    if (s->nsent)
        s->nsent--;
    if (s->nacked)
        s->nacked--;
}

/* the oldest record reached the collector */
static void
ring_deliver(struct mw_sink *s)
{
    ring_pop(s);
    s->st.delivered++;
}

static bool
ring_full(const struct mw_sink *s, size_t len)
{
    /* records on the wire awaiting confirmation count in bytes only, so
     * that the grace time does not cap the rate at max_records per grace */
    return s->count - s->nsent >= s->o.max_records ||
           (s->count > 0 && s->bytes + len > s->o.max_bytes);
}

/* ---- state changes seen by both sides ----------------------------------- */

static void sink_down(struct mw_sink *s, const char *fmt, ...) MW_PRINTF(2, 3);

/* the link failed or could not be made: note why, and tell producers that
 * a full queue will not drain soon */
static void
sink_down(struct mw_sink *s, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&s->mu);
    va_start(ap, fmt);
    vsnprintf(s->reason, sizeof s->reason, fmt, ap);
    va_end(ap);
    s->down = true;
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
}

/* close the connection; what was sent on it and not confirmed goes out
 * again, whole, on the next one */
static void
sink_disconnect(struct mw_sink *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    buf_reset(&s->out);
    pthread_mutex_lock(&s->mu);
    s->st.resent += s->nsent;
    s->nsent = s->nacked = 0;
    pthread_mutex_unlock(&s->mu);
}

static bool
sink_done(struct mw_sink *s)
{
    pthread_mutex_lock(&s->mu);
    bool done = s->closing && (s->count == 0 || now_ms() >= s->deadline);
    pthread_mutex_unlock(&s->mu);
    return done;
}

static int64_t
sink_deadline(struct mw_sink *s)
{
    pthread_mutex_lock(&s->mu);
    int64_t d = s->closing ? s->deadline : SINK_FOREVER;
    pthread_mutex_unlock(&s->mu);
    return d;
}

/* sleep until `until` (or the close deadline), or until woken */
static void
sink_sleep(struct mw_sink *s, int64_t until)
{
    pthread_mutex_lock(&s->mu);
    if (s->closing && s->deadline < until)
        until = s->deadline;
    if (!(s->closing && s->count == 0))
        cond_wait_until(&s->wake, &s->mu, until);
    pthread_mutex_unlock(&s->mu);
}

/* ---- connecting --------------------------------------------------------- */

static int
connect_wait(int fd, const struct addrinfo *ai, int64_t deadline, int *err)
{
    struct pollfd p = {fd, POLLOUT, 0};
    int64_t until = now_ms() + SINK_CONNECT_MS;
    socklen_t sl = sizeof *err;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS) {
        *err = errno;
        return -1;
    }
    if (deadline < until)
        until = deadline;
    for (;;) {
        int64_t left = until - now_ms();
        if (left <= 0) {
            *err = ETIMEDOUT;
            return -1;
        }
        int n = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (n > 0)
            break;
        if (n < 0 && errno != EINTR) {
            *err = errno;
            return -1;
        }
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &sl) < 0)
        *err = errno;
    return *err ? -1 : 0;
}

static int
sink_connect(struct mw_sink *s)
{
    struct addrinfo hints, *res = NULL;
    int err = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = s->proto == MW_SINK_TCP ? SOCK_STREAM : SOCK_DGRAM;
    int rc = getaddrinfo(s->host, s->port, &hints, &res);
    if (rc != 0) {
        sink_down(s, "%s: %s", s->host, gai_strerror(rc));
        return -1;
    }
    int64_t deadline = sink_deadline(s);
    for (struct addrinfo *ai = res; ai && s->fd < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family,
                        ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        ai->ai_protocol);
        if (fd < 0)
            err = errno;
        else if (connect_wait(fd, ai, deadline, &err) == 0)
            s->fd = fd;
        else
            close(fd);
    }
    freeaddrinfo(res);
    if (s->fd < 0) {
        sink_down(s, "connect: %s", strerror(err));
        return -1;
    }
    s->wire = 0;
    pthread_mutex_lock(&s->mu);
    s->down = false;
    s->st.connects++;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

/* ---- TCP ---------------------------------------------------------------- */

/* the collector never speaks: readable means it closed or reset the
 * connection (anything it does send is read and ignored) */
static int
sink_alive(struct mw_sink *s)
{
    char junk[256];
    for (;;) {
        ssize_t n = recv(s->fd, junk, sizeof junk, MSG_DONTWAIT);
        if (n > 0)
            continue;
        if (n == 0) {
            sink_down(s, "connection closed by the collector");
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        sink_down(s, "%s", strerror(errno));
        return -1;
    }
}

/* drop the records the collector has had for confirm_ms on a link that is
 * still up */
static void
sink_confirm(struct mw_sink *s)
{
    int64_t now = now_ms();
    uint64_t acked = s->wire;
#ifdef TIOCOUTQ
    int q = 0; /* bytes not yet acknowledged by the peer (Linux) */
    if (ioctl(s->fd, TIOCOUTQ, &q) == 0 && q > 0 && (uint64_t)q <= s->wire)
        acked = s->wire - (uint64_t)q;
#endif
    pthread_mutex_lock(&s->mu);
    for (; s->nacked < s->nsent; s->nacked++) {
        struct sink_item *it = ring_at(s, s->nacked);
        if (it->end > acked)
            break;
        it->acked_at = now;
    }
    size_t before = s->count;
    while (s->nacked && now - ring_at(s, 0)->acked_at >= s->o.confirm_ms)
        ring_deliver(s);
    if (s->count != before)
        pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
}

/* frame queued records into s->out ("LEN SP MSG"); returns how many */
static size_t
sink_batch(struct mw_sink *s)
{
    size_t k = 0;
    pthread_mutex_lock(&s->mu);
    while (s->nsent < s->count && (k == 0 || s->out.len < SINK_BATCH)) {
        struct sink_item *it = ring_at(s, s->nsent);
        buf_printf(&s->out, "%zu ", it->len);
        buf_append(&s->out, it->data, it->len);
        it->end = s->wire + s->out.len;
        it->acked_at = 0;
        s->nsent++;
        k++;
    }
    pthread_mutex_unlock(&s->mu);
    return k;
}

static int
sink_write(struct mw_sink *s)
{
    size_t off = 0;
    int64_t last = now_ms();
    while (off < s->out.len) {
        ssize_t n = send(s->fd, s->out.data + off, s->out.len - off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            off += (size_t)n;
            s->wire += (uint64_t)n;
            last = now_ms();
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            sink_down(s, "send: %s", strerror(errno));
            return -1;
        }
        int64_t limit = last + SINK_STALL_MS, d = sink_deadline(s);
        int64_t left = (d < limit ? d : limit) - now_ms();
        if (left <= 0) {
            sink_down(s, "send: the collector accepts no more data");
            return -1;
        }
        struct pollfd p = {s->fd, POLLOUT, 0};
        poll(&p, 1, (int)(left > 200 ? 200 : left));
    }
    buf_reset(&s->out);
    return 0;
}

/* at the end: half-close and wait for the collector to close too. It
 * reads our FIN only after every byte before it, so its close confirms
 * the whole connection. A collector that keeps its side open confirms by
 * the grace rule of sink_confirm; a reset means the records go again. */
static int
sink_finish_tcp(struct mw_sink *s)
{
    char junk[256];
    shutdown(s->fd, SHUT_WR);
    for (;;) {
        int64_t left = sink_deadline(s) - now_ms();
        if (left <= 0) {
            sink_down(s, "the collector did not confirm the end of the "
                         "connection");
            return -1;
        }
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, (int)(left > 50 ? 50 : left)) <= 0) {
            sink_confirm(s);
            pthread_mutex_lock(&s->mu);
            bool all = s->nsent == 0;
            pthread_mutex_unlock(&s->mu);
            if (all)
                break;
            continue;
        }
        ssize_t n = recv(s->fd, junk, sizeof junk, MSG_DONTWAIT);
        if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
            continue;
        if (n < 0) {
            sink_down(s, "%s", strerror(errno));
            return -1;
        }
        break; /* EOF: the collector read everything */
    }
    pthread_mutex_lock(&s->mu);
    while (s->nsent)
        ring_deliver(s);
    pthread_mutex_unlock(&s->mu);
    close(s->fd);
    s->fd = -1;
    return 0;
}

/* nothing to send: wait for records (or close), waking often while sent
 * records await confirmation */
static void
sink_idle(struct mw_sink *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->nsent == s->count && !s->closing) {
        s->idle = true;
        cond_wait_until(&s->wake, &s->mu, now_ms() + (s->nsent ? 50 : 1000));
        s->idle = false;
    }
    pthread_mutex_unlock(&s->mu);
}

static int
sink_step_tcp(struct mw_sink *s)
{
    if (sink_alive(s) < 0)
        return -1;
    sink_confirm(s);
    if (sink_batch(s))
        return sink_write(s);
    pthread_mutex_lock(&s->mu);
    bool finish = s->closing && s->nsent > 0;
    pthread_mutex_unlock(&s->mu);
    if (finish)
        return sink_finish_tcp(s);
    sink_idle(s);
    return 0;
}

/* ---- UDP ---------------------------------------------------------------- */

static int
sink_step_udp(struct mw_sink *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->count == 0) {
        pthread_mutex_unlock(&s->mu);
        sink_idle(s);
        return 0;
    }
    /* only this thread removes items: the view stays valid unlocked */
    const struct sink_item it = *ring_at(s, 0);
    pthread_mutex_unlock(&s->mu);
    ssize_t n = send(s->fd, it.data, it.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
        struct pollfd p = {s->fd, POLLOUT, 0};
        if (errno == EINTR)
            return 0;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
            poll(&p, 1, 100);
            return 0;
        }
        sink_down(s, "send: %s", strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    ring_deliver(s);
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
    /* pace: a burst faster than the collector reads overflows its socket
     * buffer, and UDP loses the rest without a word */
    if (++s->burst >= SINK_UDP_BURST) {
        struct timespec pause = {0, 1000000L};
        s->burst = 0;
        nanosleep(&pause, NULL);
    }
    return 0;
}

/* ---- the sender thread -------------------------------------------------- */

static void *
sink_main(void *arg)
{
    struct mw_sink *s = arg;
    int64_t backoff = SINK_BACKOFF_MIN, next_try = 0;
    while (!sink_done(s)) {
        if (s->fd < 0) {
            if (now_ms() < next_try) {
                sink_sleep(s, next_try);
                continue;
            }
            if (sink_connect(s) < 0) {
                next_try = now_ms() + backoff;
                backoff = backoff * 2 > SINK_BACKOFF_MAX ? SINK_BACKOFF_MAX
                                                         : backoff * 2;
                continue;
            }
            backoff = SINK_BACKOFF_MIN;
        }
        int rc = s->proto == MW_SINK_TCP ? sink_step_tcp(s) : sink_step_udp(s);
        if (rc < 0)
            sink_disconnect(s);
    }
    sink_disconnect(s);
    return NULL;
}

/* ---- public ------------------------------------------------------------- */

static int
parse_port(const char *p, size_t n, char *port, size_t psize)
{
    unsigned long v = 0;
    if (n == 0 || n > 5 || n >= psize)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    memcpy(port, p, n);
    port[n] = '\0';
    return 0;
}

/* the last ':' of the first n bytes of s, or NULL */
static const char *
last_colon(const char *s, size_t n)
{
    while (n > 0)
        if (s[--n] == ':')
            return s + n;
    return NULL;
}

int
sink_parse(const char *spec, char *host, size_t hsize, char *port, size_t psize,
           enum mw_sink_proto *proto, struct mw_err *err)
{
    const char *slash = strchr(spec, '/');
    size_t n = slash ? (size_t)(slash - spec) : strlen(spec);
    const char *colon = last_colon(spec, n), *h = spec;
    size_t hl = colon ? (size_t)(colon - spec) : 0;
    bool ok = colon != NULL;

    *proto = slash && strcmp(slash, "/udp") == 0 ? MW_SINK_UDP : MW_SINK_TCP;
    if (slash && strcmp(slash, "/udp") != 0 && strcmp(slash, "/tcp") != 0) {
        err_set(err, NULL,
                "invalid --syslog-server '%s' (protocol tcp or "
                "udp)",
                spec);
        return -1;
    }
    if (ok && spec[0] == '[') { /* "[2001:db8::1]:514" */
        ok = hl >= 2 && spec[hl - 1] == ']';
        h = spec + 1;
        hl = ok ? hl - 2 : 0;
    } else if (ok) {
        ok = memchr(spec, ':', hl) == NULL; /* IPv6 needs brackets */
    }
    if (!ok || hl == 0 || hl >= hsize || memchr(h, '/', hl)) {
        err_set(err, NULL,
                "invalid --syslog-server '%s' (HOST:PORT[/tcp|"
                "/udp], IPv6 addresses in brackets)",
                spec);
        return -1;
    }
    if (parse_port(colon + 1, n - (size_t)(colon + 1 - spec), port, psize) <
        0) {
        err_set(err, NULL,
                "invalid port in --syslog-server '%s' (1 to "
                "65535)",
                spec);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    return 0;
}

struct mw_sink *
sink_open(const char *spec, const struct mw_sink_opts *o, struct mw_err *err)
{
    struct mw_sink *s = xcalloc(1, sizeof *s);
    pthread_condattr_t ca;
    if (sink_parse(spec, s->host, sizeof s->host, s->port, sizeof s->port,
                   &s->proto, err) < 0) {
        free(s);
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%.*s", (int)strcspn(spec, "/"), spec);
    if (o)
        s->o = *o;
    s->o.max_records = s->o.max_records ? s->o.max_records : 10000;
    s->o.max_bytes = s->o.max_bytes ? s->o.max_bytes : 16u * 1024u * 1024u;
    s->o.final_wait_ms = s->o.final_wait_ms ? s->o.final_wait_ms : 10000;
    s->o.confirm_ms = s->o.confirm_ms ? s->o.confirm_ms : 250;
    s->fd = -1;
    snprintf(s->reason, sizeof s->reason, "no connection was made");
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_cond_init(&s->space, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&s->thread, NULL, sink_main, s);
    if (rc != 0) {
        err_set_errno(err, s->name, rc, "cannot start the sender");
        pthread_cond_destroy(&s->wake);
        pthread_cond_destroy(&s->space);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    return s;
}

enum mw_sink_proto
sink_proto(const struct mw_sink *s)
{
    return s->proto;
}

/* the longest prefix of at most max bytes that does not end inside a UTF-8
 * sequence (looking back at most 3 continuation bytes) */
static size_t
utf8_prefix(const char *p, size_t max)
{
    size_t n = max;
    while (n > 0 && max - n < 3 && ((unsigned char)p[n] & 0xc0) == 0x80)
        n--;
    return ((unsigned char)p[n] & 0xc0) == 0x80 ? max : n;
}

void
sink_send(struct mw_sink *s, const char *rec, size_t len)
{
    bool cut = false;
    if (s->proto == MW_SINK_UDP && len > MW_SINK_UDP_MAX) {
        len = utf8_prefix(rec, MW_SINK_UDP_MAX);
        cut = true;
    }
    char *copy = xmemdup(rec, len);
    pthread_mutex_lock(&s->mu);
    s->st.queued++;
    s->st.truncated += cut;
    /* wait while the link is (or is being) made: the queue will drain */
    while (ring_full(s, len) && !s->down && !s->closing)
        cond_wait_until(&s->space, &s->mu, now_ms() + 100);
    if (ring_full(s, len)) {
        s->st.dropped++;
        free(copy);
    } else {
        ring_push(s, copy, len);
        if (s->idle)
            pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->mu);
}

static void
sink_report(const struct mw_sink *s, struct mw_err *err)
{
    const struct mw_sink_stats *st = &s->st;
    uint64_t lost = st->dropped + st->left;
    char why[256];
    if (st->dropped && st->left)
        snprintf(why, sizeof why,
                 "%" PRIu64 " refused with the queue "
                 "full, %" PRIu64 " still queued at exit",
                 st->dropped, st->left);
    else if (st->dropped)
        snprintf(why, sizeof why,
                 "queue full (%zu records or %zu MiB) "
                 "while the collector was unreachable",
                 s->o.max_records, s->o.max_bytes >> 20);
    else
        snprintf(why, sizeof why,
                 "still queued after waiting %" PRId64 " s at exit",
                 (s->o.final_wait_ms + 999) / 1000);
    err_set(err, s->name, "%" PRIu64 " record%s not delivered: %s (%s)", lost,
            lost == 1 ? "" : "s", why, s->reason);
}

int
sink_flush(struct mw_sink *s, int64_t timeout_ms)
{
    if (!s)
        return 0;
    int64_t until = now_ms() + timeout_ms;
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->wake);
    /* deliveries and a broken link broadcast space; while the link is
     * down nothing will be delivered in time */
    while (s->count > 0 && s->st.dropped == 0 && !s->down && now_ms() < until)
        cond_wait_until(&s->space, &s->mu, until);
    int rc = s->st.dropped > 0 ? -2 : s->count > 0 ? -1 : 0;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int
sink_close(struct mw_sink *s, struct mw_sink_stats *st, struct mw_err *err)
{
    int rc = 0;
    if (!s) {
        if (st)
            memset(st, 0, sizeof *st);
        return 0;
    }
    pthread_mutex_lock(&s->mu);
    s->closing = true;
    s->deadline = now_ms() + s->o.final_wait_ms;
    pthread_cond_broadcast(&s->wake);
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);

    s->st.left = s->count;
    if (st)
        *st = s->st;
    if (s->st.dropped + s->st.left) {
        sink_report(s, err);
        rc = -1;
    }
    while (s->count)
        ring_pop(s);
    free(s->ring);
    buf_free(&s->out);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->space);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return rc;
}
