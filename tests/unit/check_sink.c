/* Unit tests for sink.c: delivery to a collector played by a thread of this
 * test on loopback. Frames are checked with an octet-counting parser of
 * RFC 6587 section 3.4.1, so a record cut in half on the wire would show. */
#include "config.h"

#include "sink.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NREC 100

/* ---- a loopback collector -------------------------------------------------
 */

static int
listen_on(int type, unsigned short *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int one = 1;
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(*port);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    if (type == SOCK_STREAM)
        ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* a port nobody listens on */
static unsigned short
closed_port(void)
{
    unsigned short port = 0;
    close(listen_on(SOCK_STREAM, &port));
    return port;
}

struct collector {
    unsigned short port;
    int lfd;
    size_t cut_after; /* >0: the first connection is closed after this many
                       * bytes, and the listener comes back 300 ms later */
    char *frames[4 * NREC];
    size_t nframes;
    size_t first_conn_frames; /* whole frames of the first connection */
    size_t conns;
    bool framing_ok;
    long linger_ms; /* keep the connection open this long after EOF */
};

/* split a stream into "LEN SP MSG" frames; false on anything else (a cut
 * frame at the very end is only allowed when partial_ok) */
static bool
frames_parse(struct collector *c, const char *p, size_t n, bool partial_ok)
{
    size_t i = 0;
    while (i < n) {
        size_t len = 0, d = i;
        while (d < n && p[d] >= '0' && p[d] <= '9')
            len = len * 10 + (size_t)(p[d++] - '0');
        if (d == n || d == i || p[d] != ' ' || d + 1 + len > n)
            return partial_ok;
        if (c->nframes < sizeof c->frames / sizeof c->frames[0])
            c->frames[c->nframes++] = strndup(p + d + 1, len);
        i = d + 1 + len;
    }
    return true;
}

/* read a connection until EOF, or until limit bytes (0: no limit) */
static size_t
read_conn(int fd, char **data, size_t limit)
{
    size_t len = 0, cap = 1 << 16;
    *data = malloc(cap);
    for (;;) {
        size_t want = cap - len;
        if (limit && want > limit - len)
            want = limit - len;
        if (want == 0)
            break;
        ssize_t r = read(fd, *data + len, want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == cap)
            *data = realloc(*data, cap *= 2);
    }
    return len;
}

static void *
collector_main(void *arg)
{
    struct collector *c = arg;
    char *data;
    c->framing_ok = true;
    int fd = accept(c->lfd, NULL, NULL);
    c->conns++;
    size_t n = read_conn(fd, &data, c->cut_after);
    c->framing_ok &= frames_parse(c, data, n, c->cut_after > 0);
    c->first_conn_frames = c->nframes;
    free(data);
    if (c->cut_after) {
        /* unread data makes this a reset, as when a collector dies */
        close(fd);
        close(c->lfd);
        struct timespec ts = {0, 300000000L};
        nanosleep(&ts, NULL);
        c->lfd = listen_on(SOCK_STREAM, &c->port);
        fd = accept(c->lfd, NULL, NULL);
        c->conns++;
        n = read_conn(fd, &data, 0);
        c->framing_ok &= frames_parse(c, data, n, false);
        free(data);
    }
    if (c->linger_ms) {
        struct timespec ts = {c->linger_ms / 1000,
                              (c->linger_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    close(fd);
    close(c->lfd);
    return NULL;
}

static void
collector_free(struct collector *c)
{
    for (size_t i = 0; i < c->nframes; i++)
        free(c->frames[i]);
}

static void
record(char *buf, size_t size, int i)
{
    /* UTF-8 and a space in every record: framing must not care */
    snprintf(buf, size, "<20>1 - h maillog-why - x - record %03d \xc3\xa9", i);
}

/* ---- tests -----------------------------------------------------------------
 */

START_TEST(test_tcp_delivery)
{
    struct collector c = {0};
    struct mw_sink_stats st;
    struct mw_err err;
    char spec[64], rec[128];
    pthread_t t;
    c.lfd = listen_on(SOCK_STREAM, &c.port);
    ck_assert_int_eq(pthread_create(&t, NULL, collector_main, &c), 0);
    snprintf(spec, sizeof spec, "127.0.0.1:%u", c.port);
    struct mw_sink *s = sink_open(spec, NULL, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(sink_proto(s), MW_SINK_TCP);
    for (int i = 0; i < NREC; i++) {
        record(rec, sizeof rec, i);
        sink_send(s, rec, strlen(rec));
    }
    ck_assert_int_eq(sink_close(s, &st, &err), 0);
    pthread_join(t, NULL);
    ck_assert(c.framing_ok);
    ck_assert_uint_eq(c.nframes, NREC);
    for (int i = 0; i < NREC; i++) {
        record(rec, sizeof rec, i);
        ck_assert_str_eq(c.frames[i], rec);
    }
    ck_assert_uint_eq(st.queued, NREC);
    ck_assert_uint_eq(st.delivered, NREC);
    ck_assert_uint_eq(st.dropped + st.left + st.resent, 0);
    ck_assert_uint_eq(st.connects, 1);
    collector_free(&c);
}
END_TEST

/* a collector that does not close its side at the end: the records count
 * as delivered after the grace time, long before the final wait ends */
START_TEST(test_tcp_no_close)
{
    struct collector c = {0};
    struct mw_sink_stats st;
    struct mw_err err;
    struct timespec t0, t1;
    char spec[64];
    pthread_t t;
    c.lfd = listen_on(SOCK_STREAM, &c.port);
    c.linger_ms = 2500;
    ck_assert_int_eq(pthread_create(&t, NULL, collector_main, &c), 0);
    snprintf(spec, sizeof spec, "127.0.0.1:%u", c.port);
    struct mw_sink *s = sink_open(spec, NULL, &err);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 10; i++)
        sink_send(s, "record", 6);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(sink_close(s, &st, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
              (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ck_assert_int_lt(ms, 2000);
    ck_assert_uint_eq(st.delivered, 10);
    pthread_join(t, NULL);
    ck_assert_uint_eq(c.nframes, 10);
    collector_free(&c);
}
END_TEST

/* sink_flush: 0 once the collector has confirmed everything queued (here
 * by the grace rule, as the collector keeps the connection open), -1 while
 * records wait for a collector that is down, or after one was refused */
START_TEST(test_flush)
{
    struct collector c = {0};
    struct mw_sink_opts o = {.max_records = 5, .final_wait_ms = 200};
    struct mw_sink_stats st;
    struct mw_err err;
    char spec[64];
    pthread_t t;
    ck_assert_int_eq(sink_flush(NULL, 10), 0);
    c.lfd = listen_on(SOCK_STREAM, &c.port);
    c.linger_ms = 1000;
    ck_assert_int_eq(pthread_create(&t, NULL, collector_main, &c), 0);
    snprintf(spec, sizeof spec, "127.0.0.1:%u", c.port);
    struct mw_sink *s = sink_open(spec, NULL, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(sink_flush(s, 10), 0); /* nothing queued */
    for (int i = 0; i < 10; i++)
        sink_send(s, "record", 6);
    ck_assert_int_eq(sink_flush(s, 5000), 0);
    ck_assert_int_eq(sink_close(s, &st, &err), 0);
    ck_assert_uint_eq(st.delivered, 10);
    pthread_join(t, NULL);
    collector_free(&c);

    snprintf(spec, sizeof spec, "127.0.0.1:%u", closed_port());
    s = sink_open(spec, &o, &err);
    ck_assert_ptr_nonnull(s);
    sink_send(s, "record", 6);
    /* the collector is down: no waiting for the whole timeout */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(sink_flush(s, 20000), -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 10);
    for (int i = 0; i < 10; i++)
        sink_send(s, "record", 6);
    ck_assert_int_eq(sink_flush(s, 0), -2);
    ck_assert_int_eq(sink_close(s, &st, &err), -1);
    ck_assert_uint_eq(st.dropped, 6);
}
END_TEST

/* the collector resets the connection in the middle of a frame: every
 * record arrives whole on the next connection */
START_TEST(test_tcp_reconnect)
{
    struct collector c = {0};
    struct mw_sink_opts o = {.confirm_ms = 5000};
    struct mw_sink_stats st;
    struct mw_err err;
    char spec[64], rec[128];
    pthread_t t;
    bool seen[NREC] = {false};
    c.lfd = listen_on(SOCK_STREAM, &c.port);
    c.cut_after = 100; /* inside the third frame */
    ck_assert_int_eq(pthread_create(&t, NULL, collector_main, &c), 0);
    snprintf(spec, sizeof spec, "127.0.0.1:%u", c.port);
    struct mw_sink *s = sink_open(spec, &o, &err);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < NREC; i++) {
        record(rec, sizeof rec, i);
        sink_send(s, rec, strlen(rec));
        if (i == NREC / 2) { /* the rest after the reset */
            struct timespec ts = {0, 200000000L};
            nanosleep(&ts, NULL);
        }
    }
    ck_assert_int_eq(sink_close(s, &st, &err), 0);
    pthread_join(t, NULL);
    ck_assert(c.framing_ok);
    ck_assert_uint_eq(c.conns, 2);
    ck_assert_uint_eq(c.first_conn_frames, 2);
    for (size_t i = 0; i < c.nframes; i++) {
        int n = -1;
        ck_assert_msg(sscanf(c.frames[i],
                             "<20>1 - h maillog-why - x - "
                             "record %d",
                             &n) == 1,
                      "not a whole record: %s", c.frames[i]);
        ck_assert(n >= 0 && n < NREC);
        record(rec, sizeof rec, n);
        ck_assert_str_eq(c.frames[i], rec);
        seen[n] = true;
    }
    for (int i = 0; i < NREC; i++)
        ck_assert_msg(seen[i], "record %d lost", i);
    ck_assert_uint_eq(st.delivered, NREC);
    ck_assert_uint_gt(st.resent, 0);
    ck_assert_uint_eq(st.connects, 2);
    collector_free(&c);
}
END_TEST

START_TEST(test_tcp_down)
{
    struct mw_sink_opts o = {.final_wait_ms = 300};
    struct mw_sink_stats st;
    struct mw_err err;
    char spec[64], want[80];
    unsigned short port = closed_port();
    snprintf(spec, sizeof spec, "127.0.0.1:%u/tcp", port);
    struct mw_sink *s = sink_open(spec, &o, &err);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 7; i++)
        sink_send(s, "x", 1);
    ck_assert_int_eq(sink_close(s, &st, &err), -1);
    snprintf(want, sizeof want, "127.0.0.1:%u", port);
    ck_assert_str_eq(err.path, want);
    ck_assert_str_eq(err.text, "7 records not delivered: still queued after "
                               "waiting 1 s at exit (connect: Connection "
                               "refused)");
    ck_assert_uint_eq(st.left, 7);
    ck_assert_uint_eq(st.delivered + st.dropped + st.connects, 0);
}
END_TEST

START_TEST(test_queue_full)
{
    struct mw_sink_opts o = {.max_records = 5, .final_wait_ms = 200};
    struct mw_sink_stats st;
    struct mw_err err;
    char spec[64];
    snprintf(spec, sizeof spec, "localhost:%u", closed_port());
    struct mw_sink *s = sink_open(spec, &o, &err);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 20; i++)
        sink_send(s, "record", 6);
    ck_assert_int_eq(sink_close(s, &st, &err), -1);
    ck_assert_uint_eq(st.queued, 20);
    ck_assert_uint_eq(st.dropped, 15);
    ck_assert_uint_eq(st.left, 5);
    static const char want[] = "20 records not delivered: 15 refused with "
                               "the queue full, 5 still queued at exit (";
    ck_assert_msg(strncmp(err.text, want, sizeof want - 1) == 0, "%s",
                  err.text);
}
END_TEST

START_TEST(test_udp)
{
    struct mw_sink_stats st;
    struct mw_err err;
    char spec[64], big[3001], got[4096];
    unsigned short port = 0;
    int fd = listen_on(SOCK_DGRAM, &port);
    snprintf(spec, sizeof spec, "127.0.0.1:%u/udp", port);
    struct mw_sink *s = sink_open(spec, NULL, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(sink_proto(s), MW_SINK_UDP);
    /* 'a' then 1500 two-byte characters: byte 2048 is inside one */
    big[0] = 'a';
    for (int i = 0; i < 1500; i++)
        memcpy(big + 1 + 2 * i, "\xc3\xa9", 2);
    sink_send(s, "short one", 9);
    sink_send(s, big, sizeof big);
    ck_assert_int_eq(sink_close(s, &st, &err), 0);
    struct pollfd p = {fd, POLLIN, 0};
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
    ck_assert_int_eq(recv(fd, got, sizeof got, 0), 9);
    ck_assert(memcmp(got, "short one", 9) == 0);
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
    ck_assert_int_eq(recv(fd, got, sizeof got, 0), 2047);
    ck_assert(memcmp(got, big, 2047) == 0);
    ck_assert_uint_eq(st.truncated, 1);
    ck_assert_uint_eq(st.delivered, 2);
    close(fd);
}
END_TEST

struct parse_case {
    const char *spec, *host, *port;
    enum mw_sink_proto proto;
};

static const struct parse_case parse_ok[] = {
    {"host:514", "host", "514", MW_SINK_TCP},
    {"127.0.0.1:1/udp", "127.0.0.1", "1", MW_SINK_UDP},
    {"[2001:db8::1]:6514/tcp", "2001:db8::1", "6514", MW_SINK_TCP},
    {"siem-1.example.net:65535", "siem-1.example.net", "65535", MW_SINK_TCP},
};

static const char *const parse_bad[] = {
    "host",     ":514",    "host:",       "host:0",        "host:65536",
    "host:51a", "::1:514", "[::1]514",    "host:514/sctp", "host:514/",
    "[]:514",   "host:-1", "host:123456", "a/b:514",       ""};

START_TEST(test_parse_ok)
{
    const struct parse_case *c = &parse_ok[_i];
    char host[256], port[8];
    enum mw_sink_proto pr;
    struct mw_err err;
    ck_assert_int_eq(
        sink_parse(c->spec, host, sizeof host, port, sizeof port, &pr, &err),
        0);
    ck_assert_str_eq(host, c->host);
    ck_assert_str_eq(port, c->port);
    ck_assert_int_eq(pr, c->proto);
}
END_TEST

START_TEST(test_parse_bad)
{
    char host[256], port[8];
    enum mw_sink_proto pr;
    struct mw_err err;
    ck_assert_msg(sink_parse(parse_bad[_i], host, sizeof host, port,
                             sizeof port, &pr, &err) == -1,
                  "accepted '%s'", parse_bad[_i]);
    ck_assert_ptr_nonnull(strstr(err.text, "--syslog-server"));
    ck_assert_ptr_null(sink_open(parse_bad[_i], NULL, &err));
}
END_TEST

START_TEST(test_close_null)
{
    struct mw_sink_stats st;
    struct mw_err err;
    memset(&st, 0xff, sizeof st);
    ck_assert_int_eq(sink_close(NULL, &st, &err), 0);
    ck_assert_uint_eq(st.queued, 0);
}
END_TEST

static Suite *
sink_suite(void)
{
    Suite *s = suite_create("sink");
    TCase *core = tcase_create("core");
    TCase *edge = tcase_create("edge");
    tcase_set_timeout(core, 30);
    tcase_set_timeout(edge, 30);
    tcase_add_test(core, test_tcp_delivery);
    tcase_add_test(core, test_udp);
    tcase_add_loop_test(core, test_parse_ok, 0,
                        sizeof parse_ok / sizeof parse_ok[0]);
    tcase_add_loop_test(edge, test_parse_bad, 0,
                        sizeof parse_bad / sizeof parse_bad[0]);
    tcase_add_test(edge, test_tcp_reconnect);
    tcase_add_test(edge, test_tcp_no_close);
    tcase_add_test(edge, test_flush);
    tcase_add_test(edge, test_tcp_down);
    tcase_add_test(edge, test_queue_full);
    tcase_add_test(edge, test_close_null);
    suite_add_tcase(s, core);
    suite_add_tcase(s, edge);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(sink_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
