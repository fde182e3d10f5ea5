/* Unit tests of the aggregator, the time windows and the findings. Records
 * and events are built by hand; rules are plain struct mw_rule objects. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "findings.h"
#include "rules.h"
#include "window.h"

/* 2026-11-22T00:00:00Z */
#define DAY0 1795305600

/* ---- building records and events ------------------------------------ */

struct tline {
    struct mw_line line;
    struct mw_record rec;
    char buf[2048];
};

/* a syslog-like record "prog[1]: msg" at time t (t < 0: no time) */
static void
mkrec(struct tline *tl, int64_t t, const char *prog, const char *msg,
      size_t msglen, uint64_t lineno)
{
    memset(tl, 0, sizeof *tl);
    size_t off = 0;
    if (prog)
        off = (size_t)snprintf(tl->buf, sizeof tl->buf, "%s[1]: ", prog);
    if (msglen > sizeof tl->buf - off)
        msglen = sizeof tl->buf - off;
    memcpy(tl->buf + off, msg, msglen);
    tl->line.data = tl->buf;
    tl->line.len = off + msglen;
    tl->line.lineno = lineno;
    tl->rec.line = &tl->line;
    tl->rec.ts.valid = t >= 0;
    tl->rec.ts.sec = t;
    tl->rec.pid = prog ? 1 : -1;
    tl->rec.parsed = prog != NULL;
    if (prog) {
        tl->rec.prog = tl->buf;
        tl->rec.prog_len = strlen(prog);
        const char *slash = strrchr(prog, '/');
        size_t b = slash ? (size_t)(slash - prog) + 1 : 0;
        tl->rec.prog_base = tl->buf + b;
        tl->rec.prog_base_len = tl->rec.prog_len - b;
    }
    tl->rec.msg = tl->buf + off;
    tl->rec.msg_len = msglen;
}

static struct mw_rule
mkrule(const char *id, const char *category, enum mw_level level)
{
    struct mw_rule r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.title = id;
    r.category = category;
    r.category_idx = category_index(category);
    r.cause = "cause text";
    r.fix = "fix text";
    r.level = level;
    r.priority = 100;
    return r;
}

/* one line that hit rule r; fields as name, value pairs ending in NULL */
static void
hit(struct mw_agg *a, size_t in, const struct mw_rule *r, int64_t t,
    uint64_t lineno, ...)
{
    struct tline tl;
    char msg[512];
    size_t len = (size_t)snprintf(msg, sizeof msg, "%s hit line %llu", r->id,
                                  (unsigned long long)lineno);
    mkrec(&tl, t, "postfix/smtpd", msg, len, lineno);
    struct mw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.rule = r;
    ev.rec = &tl.rec;
    va_list ap;
    va_start(ap, lineno);
    const char *name;
    while ((name = va_arg(ap, const char *)) && ev.nfields < MW_MAX_FIELDS) {
        const char *val = va_arg(ap, const char *);
        ev.fields[ev.nfields].name = name;
        ev.fields[ev.nfields].val = val;
        ev.fields[ev.nfields].len = strlen(val);
        ev.nfields++;
    }
    va_end(ap);
    agg_line(a, in, &tl.rec);
    agg_event(a, in, &ev);
}

static void
plain_line(struct mw_agg *a, size_t in, int64_t t, const char *prog,
           const char *msg)
{
    struct tline tl;
    mkrec(&tl, t, prog, msg, strlen(msg), 1);
    agg_line(a, in, &tl.rec);
    agg_unmatched(a, in, &tl.rec);
}

static struct mw_agg *
new_agg(int64_t window)
{
    struct mw_agg_opts o = {window, 0, 0};
    return agg_new(&o);
}

static const struct mw_sum_finding *
finding(const struct mw_summary *s, const char *id, size_t *rank)
{
    for (size_t i = 0; i < s->nfindings; i++) {
        if (strcmp(s->findings[i].id, id) == 0) {
            if (rank)
                *rank = i;
            return &s->findings[i];
        }
    }
    return NULL;
}

static const struct mw_sum_category *
category(const struct mw_summary *s, const char *name)
{
    for (size_t i = 0; i < s->ncategories; i++)
        if (strcmp(s->categories[i].category, name) == 0)
            return &s->categories[i];
    return NULL;
}

/* deterministic pseudo-random numbers for noise */
static uint32_t
lcg(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* ---- core: windows ---------------------------------------------------- */

static const struct {
    int64_t span, window;
} auto_cases[] = {
    {0, 60},
    {600, 60},
    {3600, 60},
    {9000, 60},
    {9060, 300},
    {12 * 3600, 300},
    {86400, 900},
    {86399, 900},
    {2 * 86400, 3600},
    {7 * 86400, 21600},
    {30 * 86400, 21600},
    {90 * 86400, 86400},
    {3650LL * 86400, 86400},
};

START_TEST(test_auto_window)
{
    ck_assert_int_eq(agg_auto_window(auto_cases[_i].span),
                     auto_cases[_i].window);
    int64_t w = agg_auto_window(auto_cases[_i].span);
    if (auto_cases[_i].span >= 25 * 60 && auto_cases[_i].span <= 150 * 86400)
        ck_assert_int_ge(auto_cases[_i].span / w, 24);
    if (auto_cases[_i].span <= 150 * 86400)
        ck_assert_int_le(auto_cases[_i].span / w, 150);
}
END_TEST

START_TEST(test_counts_map)
{
    struct mw_counts c = {0};
    ck_assert_uint_eq(window_counts_get(&c, 5), 0);
    for (int64_t k = -1000; k < 1000; k++)
        ck_assert(window_counts_add(&c, k, (uint64_t)(k + 1001), 0));
    ck_assert(window_counts_add(&c, 7, 3, 0));
    ck_assert_uint_eq(c.n, 2000);
    ck_assert_uint_eq(window_counts_get(&c, 7), 1008 + 3);
    ck_assert_uint_eq(window_counts_get(&c, -1000), 1);
    ck_assert_uint_eq(window_counts_get(&c, 1000), 0);
    /* the limit refuses new keys only */
    ck_assert(!window_counts_add(&c, 5000, 1, 2000));
    ck_assert(window_counts_add(&c, 10, 1, 2000));
    ck_assert(window_counts_add(&c, 11, 0, 1));
    size_t it = 0, n = 0;
    int64_t key;
    uint64_t val, sum = 0;
    while (window_counts_next(&c, &it, &key, &val)) {
        n++;
        sum += val;
    }
    ck_assert_uint_eq(n, 2000);
    ck_assert_uint_eq(sum, 2000ull * 2001 / 2 + 3 + 1);
    window_counts_free(&c);
    ck_assert_uint_eq(c.n, 0);
}
END_TEST

START_TEST(test_layout_rebin)
{
    struct mw_window_layout l;
    window_layout(&l, 0, DAY0 + 30, DAY0 + 86399);
    ck_assert_int_eq(l.base, 60);
    ck_assert_int_eq(l.window, 900);
    ck_assert_int_eq(l.first, DAY0);
    ck_assert_uint_eq(l.n, 96);
    struct mw_counts c = {0};
    window_counts_add(&c, window_floor_div(DAY0 + 30, 60), 2, 0);
    window_counts_add(&c, window_floor_div(DAY0 + 899, 60), 3, 0);
    window_counts_add(&c, window_floor_div(DAY0 + 900, 60), 4, 0);
    window_counts_add(&c, window_floor_div(DAY0 + 86399, 60), 5, 0);
    window_counts_add(&c, window_floor_div(DAY0 + 86400 * 2, 60), 9, 0);
    uint64_t v[96];
    window_rebin(&c, &l, v);
    ck_assert_uint_eq(v[0], 5);
    ck_assert_uint_eq(v[1], 4);
    ck_assert_uint_eq(v[95], 5);
    uint64_t sum = 0;
    for (size_t i = 0; i < 96; i++)
        sum += v[i];
    ck_assert_uint_eq(sum, 14); /* the key outside the span is ignored */
    window_counts_free(&c);

    /* a requested window is kept exactly, also when not a multiple of 60 */
    window_layout(&l, 90, DAY0 + 100, DAY0 + 1000);
    ck_assert_int_eq(l.base, 90);
    ck_assert_int_eq(l.window, 90);
    ck_assert_int_eq(l.first, DAY0 + 90);
    ck_assert_uint_eq(l.n, 11);
    /* and widened to a multiple of itself when it would give too many */
    window_layout(&l, 1, DAY0, DAY0 + 365LL * 86400);
    ck_assert_int_eq(l.base, 1);
    ck_assert_uint_le(l.n, MW_WINDOW_MAX_POINTS);
    ck_assert_int_gt(l.window, 1);
    /* negative times are bucketed with floor division */
    ck_assert_int_eq(window_floor_div(-1, 60), -1);
    ck_assert_int_eq(window_floor_div(-60, 60), -1);
    ck_assert_int_eq(window_floor_div(-61, 60), -2);
    ck_assert_int_eq(window_floor_div(59, 60), 0);
}
END_TEST

START_TEST(test_median)
{
    double a[] = {5, 1, 4, 2, 3};
    ck_assert(window_median(a, 5) == 3);
    double b[] = {7, 1, 3, 100};
    ck_assert(window_median(b, 4) == 5);
    double c[] = {2, 2, 2, 2, 9, 2};
    ck_assert(window_median(c, 6) == 2);
    ck_assert(window_median(c, 0) == 0);
    double d[200];
    for (int i = 0; i < 200; i++)
        d[i] = (double)((i * 37) % 200);
    ck_assert(window_median(d, 200) == 99.5);
}
END_TEST

/* steps at several positions and heights over a noisy low baseline */
START_TEST(test_detect_step)
{
    static const size_t pos[] = {10, 40, 75, 140, 4};
    static const uint64_t level[] = {8, 50, 400, 20, 30};
    uint32_t seed = 1234 + (uint32_t)_i;
    uint64_t v[150];
    for (size_t i = 0; i < 150; i++) {
        v[i] = lcg(&seed) % 3; /* 0..2 */
        if (i >= pos[_i])
            v[i] += level[_i] + lcg(&seed) % (level[_i] / 4 + 1);
    }
    struct mw_burst b;
    window_detect(v, 150, &b);
    ck_assert(b.any);
    ck_assert(b.has_onset);
    ck_assert_uint_ge(b.onset + 1, pos[_i]);
    ck_assert_uint_le(b.onset, pos[_i] + 1);
    ck_assert_uint_ge(b.peak, b.onset);
    ck_assert(b.ongoing);
    ck_assert(b.baseline <= 2);
}
END_TEST

/* flat noise of several levels: never an onset */
START_TEST(test_detect_noise)
{
    static const uint32_t mean[] = {0, 1, 2, 5, 10, 40, 200};
    for (uint32_t seed0 = 1; seed0 <= 40; seed0++) {
        uint32_t seed = seed0 * 7919 + (uint32_t)_i;
        uint64_t v[150];
        for (size_t i = 0; i < 150; i++) {
            /* sum of 4 uniform draws: roughly normal around the mean */
            uint64_t s = 0;
            for (int k = 0; k < 4; k++)
                s += lcg(&seed) % (mean[_i] / 2 + 2);
            v[i] = s * (mean[_i] + 1) / (2 * (mean[_i] / 2 + 1) + 1);
        }
        struct mw_burst b;
        window_detect(v, 150, &b);
        ck_assert_msg(!b.has_onset, "mean %u seed %u onset %zu", mean[_i],
                      seed0, b.onset);
    }
}
END_TEST

START_TEST(test_detect_shapes)
{
    struct mw_burst b;
    uint64_t zero[10] = {0};
    window_detect(zero, 10, &b);
    ck_assert(!b.any && !b.has_onset && !b.ongoing);
    window_detect(zero, 0, &b);
    ck_assert(!b.any);
    /* high from the first window: no onset, ongoing */
    uint64_t high[6] = {50, 60, 55, 70, 52, 58};
    window_detect(high, 6, &b);
    ck_assert(b.any && !b.has_onset && b.ongoing);
    ck_assert_uint_eq(b.peak, 3);
    ck_assert_uint_eq(b.peak_count, 70);
    /* a burst that ended: not ongoing */
    uint64_t ended[12] = {0, 0, 0, 1, 0, 30, 40, 35, 0, 0, 0, 0};
    window_detect(ended, 12, &b);
    ck_assert(b.has_onset && !b.ongoing);
    ck_assert_uint_eq(b.onset, 5);
    ck_assert_uint_eq(b.peak, 6);
    /* a single tiny spike is no burst */
    uint64_t spike[12] = {0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1};
    window_detect(spike, 12, &b);
    ck_assert(!b.has_onset && b.ongoing);
    /* a ramp: the onset is where it first clearly leaves the baseline */
    uint64_t ramp[20] = {1, 0, 1, 1, 0, 1, 0, 2, 4, 6, 8, 10, 12, 14, 16};
    window_detect(ramp, 20, &b);
    ck_assert(b.has_onset);
    ck_assert_uint_eq(b.onset, 10); /* 8 > max(3, 3 + 2, 1 + 4 + 1) */
    ck_assert_uint_eq(b.peak, 14);
    ck_assert(!b.ongoing);
    /* a quiet window inside the burst does not cut it */
    uint64_t dip[12] = {0, 0, 0, 0, 20, 25, 0, 30, 28, 40, 30, 30};
    window_detect(dip, 12, &b);
    ck_assert(b.has_onset);
    ck_assert_uint_eq(b.onset, 4);
}
END_TEST

/* ---- core: counting ----------------------------------------------------- */

START_TEST(test_counts_span)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule auth = mkrule("t.auth", "auth.failure", MW_LEVEL_MEDIUM);
    size_t in0 = agg_input_begin(a, "/var/log/mail.log", "syslog");
    size_t in1 = agg_input_begin(a, "-", "postlog");
    ck_assert_uint_eq(in0, 0);
    ck_assert_uint_eq(in1, 1);
    plain_line(a, in0, DAY0 + 3600, "postfix/smtpd",
               "connect from x[192.0.2.1]");
    plain_line(a, in0, -1, NULL, "garbage line");
    hit(a, in0, &auth, DAY0 + 3600 + 30, 3, "client_ip", "192.0.2.1", NULL);
    hit(a, in1, &auth, DAY0 + 7 * 3600, 1, "client_ip", "192.0.2.2", NULL);
    plain_line(a, in1, DAY0 + 6 * 3600, "postfix/qmgr", "X: removed");
    agg_input_end(a, in0, 2, false);
    agg_input_end(a, in1, 0, true);
    agg_input_end(a, 99, 5, true); /* unknown input: ignored */
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->ninputs, 2);
    ck_assert_str_eq(s->inputs[0].path, "/var/log/mail.log");
    ck_assert_str_eq(s->inputs[0].dialect, "syslog");
    ck_assert_uint_eq(s->inputs[0].lines, 3);
    ck_assert_uint_eq(s->inputs[0].matched, 1);
    ck_assert_uint_eq(s->inputs[0].unparsed, 1);
    ck_assert_uint_eq(s->inputs[0].truncated, 2);
    ck_assert(!s->inputs[0].read_error);
    ck_assert_uint_eq(s->inputs[1].lines, 2);
    ck_assert(s->inputs[1].read_error);
    ck_assert_uint_eq(s->lines, 5);
    ck_assert_uint_eq(s->matched, 2);
    ck_assert(s->has_span);
    ck_assert_int_eq(s->span_start, DAY0 + 3600);
    ck_assert_int_eq(s->span_end, DAY0 + 7 * 3600);
    ck_assert_int_eq(s->window, 300); /* 6 h span */
    ck_assert_uint_eq(s->ncategories, 1);
    const struct mw_sum_category *c = &s->categories[0];
    ck_assert_str_eq(c->category, "auth.failure");
    ck_assert_uint_eq(c->count, 2);
    ck_assert_uint_eq(c->clients, 2);
    ck_assert_int_eq(c->first, DAY0 + 3630);
    ck_assert_int_eq(c->last, DAY0 + 7 * 3600);
    ck_assert_uint_eq(c->nseries, 6 * 12 + 1);
    ck_assert_int_eq(c->series[0].start, DAY0 + 3600);
    ck_assert_uint_eq(c->series[0].count, 1);
    uint64_t sum = 0;
    for (size_t i = 0; i < c->nseries; i++) {
        sum += c->series[i].count;
        ck_assert_int_eq(c->series[i].start, DAY0 + 3600 + (int64_t)i * 300);
        if (i > 0 && i < c->nseries - 1)
            ck_assert_uint_eq(c->series[i].count, 0);
    }
    ck_assert_uint_eq(sum, 2);
    ck_assert_uint_eq(c->series[c->nseries - 1].count, 1);
    ck_assert_int_eq(c->peak.start, DAY0 + 3600);
    ck_assert_uint_eq(c->peak.count, 1);
    agg_free(a);
}
END_TEST

START_TEST(test_clients)
{
    struct mw_agg *a = new_agg(60);
    struct mw_rule auth = mkrule("t.auth", "auth.failure", MW_LEVEL_MEDIUM);
    struct mw_rule tls = mkrule("t.tls", "tls.handshake", MW_LEVEL_LOW);
    struct mw_rule lost = mkrule("t.lost", "connection.lost", MW_LEVEL_LOW);
    struct mw_rule rel = mkrule("t.relay", "policy.relay", MW_LEVEL_LOW);
    struct mw_rule mbox = mkrule("t.mbox", "mailbox", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 5; i++)
        hit(a, in, &auth, DAY0 + i, 1, "client_ip", "192.0.2.7", NULL);
    hit(a, in, &tls, DAY0 + 100, 2, "client_ip", "192.0.2.7", NULL);
    hit(a, in, &lost, DAY0 + 50, 3, "client_ip", "192.0.2.7", NULL);
    hit(a, in, &rel, DAY0 + 51, 3, "client_ip", "192.0.2.7", NULL);
    hit(a, in, &mbox, DAY0 + 52, 3, "client_ip", "192.0.2.7", NULL);
    hit(a, in, &auth, DAY0 + 10, 4, "client_ip", "IPv6:2001:DB8::1", NULL);
    hit(a, in, &auth, DAY0 + 11, 5, "client_ip", "2001:db8:0::1", NULL);
    hit(a, in, &auth, DAY0 + 12, 6, "client_ip", "::ffff:198.51.100.4", NULL);
    hit(a, in, &auth, DAY0 + 13, 7, "client_ip", "198.51.100.4", NULL);
    /* not addresses: counted as hits, not as clients */
    hit(a, in, &auth, DAY0 + 14, 8, "client_ip", "unknown", NULL);
    hit(a, in, &auth, DAY0 + 15, 9, "client_ip", "192.0.2.300", NULL);
    hit(a, in, &auth, DAY0 + 16, 10, "client_ip", "1.2.3", NULL);
    hit(a, in, &auth, DAY0 + 17, 11, "client_ip", "2001:db8::1::2", NULL);
    hit(a, in, &auth, DAY0 + 18, 12, "client_ip", "192.0.2.1 ", NULL);
    hit(a, in, &auth, DAY0 + 19, 13, NULL);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->nclients_total, 3);
    ck_assert_uint_eq(s->nclients, 3);
    const struct mw_sum_client *c = &s->clients[0];
    ck_assert_str_eq(c->ip, "192.0.2.7");
    ck_assert_uint_eq(c->count, 9);
    ck_assert_uint_eq(c->by_category[category_index("auth.failure")], 5);
    ck_assert_uint_eq(c->by_category[category_index("tls.handshake")], 1);
    ck_assert_uint_eq(c->by_category[category_index("connection.lost")], 1);
    ck_assert_uint_eq(c->by_category[category_index("policy.relay")], 1);
    ck_assert_uint_eq(c->by_category[category_index("mailbox")], 1);
    ck_assert_uint_eq(c->by_category[category_index("dns")], 0);
    ck_assert_int_eq(c->first, DAY0);
    ck_assert_int_eq(c->last, DAY0 + 100);
    /* equal counts sort by address */
    ck_assert_str_eq(s->clients[1].ip, "198.51.100.4");
    ck_assert_uint_eq(s->clients[1].count, 2);
    ck_assert_str_eq(s->clients[2].ip, "2001:db8::1");
    ck_assert_uint_eq(s->clients[2].count, 2);
    const struct mw_sum_category *ca = category(s, "auth.failure");
    ck_assert_ptr_nonnull(ca);
    ck_assert_uint_eq(ca->count, 15);
    ck_assert_uint_eq(ca->clients, 3);
    ck_assert_str_eq(s->categories[0].category, "auth.failure");
    agg_free(a);
}
END_TEST

START_TEST(test_rule_finding)
{
    struct mw_agg_opts o = {0, 2, 3};
    struct mw_agg *a = agg_new(&o);
    struct mw_rule r = mkrule("t.relay", "policy.relay", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "/var/log/mail.log", "syslog");
    static const char *const ips[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
    for (int i = 0; i < 10; i++)
        hit(a, in, &r, DAY0 + i * 60, (uint64_t)(100 + i), "client_ip",
            ips[i < 6   ? 0
                : i < 9 ? 1
                        : 2],
            "user", i % 2 ? "a" : "b", NULL);
    const struct mw_summary *s = agg_summary(a);
    const struct mw_sum_finding *f = finding(s, "t.relay", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->title, "t.relay");
    ck_assert_str_eq(f->category, "policy.relay");
    ck_assert_str_eq(f->cause, "cause text");
    ck_assert_str_eq(f->fix, "fix text");
    ck_assert_int_eq(f->level, MW_LEVEL_MEDIUM);
    ck_assert(f->confidence > 0.99 && f->confidence <= 1.0);
    ck_assert_uint_eq(f->count, 10);
    ck_assert_int_eq(f->start, DAY0);
    ck_assert_int_eq(f->end, DAY0 + 540);
    ck_assert_uint_eq(f->nclients, 2); /* --top 2 */
    ck_assert_uint_eq(f->nclients_total, 3);
    ck_assert_str_eq(f->clients[0], "192.0.2.1");
    ck_assert_str_eq(f->clients[1], "192.0.2.2");
    /* the first lines, then the last one */
    ck_assert_uint_eq(f->nevidence, 3);
    ck_assert_uint_eq(f->evidence[0].line, 100);
    ck_assert_uint_eq(f->evidence[1].line, 101);
    ck_assert_uint_eq(f->evidence[2].line, 109);
    ck_assert_str_eq(f->evidence[0].path, "/var/log/mail.log");
    ck_assert_str_eq(f->evidence[2].text,
                     "postfix/smtpd[1]: t.relay hit line 109");
    ck_assert_uint_eq(f->evidence[2].text_len, strlen(f->evidence[2].text));
    ck_assert_uint_eq(f->peak.count, 1);
    ck_assert_int_eq(f->onset, DAY0);
    agg_free(a);
}
END_TEST

START_TEST(test_rule_finding_few)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.one", "protocol", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, "f", "syslog");
    hit(a, in, &r, DAY0 + 5, 7, NULL);
    hit(a, in, &r, DAY0 + 65, 8, NULL);
    const struct mw_summary *s = agg_summary(a);
    const struct mw_sum_finding *f = finding(s, "t.one", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->nevidence, 2);
    ck_assert_uint_eq(f->evidence[0].line, 7);
    ck_assert_uint_eq(f->evidence[1].line, 8);
    ck_assert_uint_eq(f->nclients, 0);
    ck_assert(f->ongoing);
    agg_free(a);
}
END_TEST

/* ---- core: detectors ------------------------------------------------------
 */

START_TEST(test_bruteforce)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    char user[32];
    for (int i = 0; i < 60; i++) {
        snprintf(user, sizeof user, "user%d", i % 7);
        hit(a, in, &r, DAY0 + 3600 + i * 20, (uint64_t)i + 1, "client_ip",
            i % 2 ? "203.0.113.5" : "203.0.113.6", "user", user, NULL);
    }
    /* some background failures from elsewhere */
    hit(a, in, &r, DAY0, 100, "client_ip", "192.0.2.1", "user", "bob", NULL);
    hit(a, in, &r, DAY0 + 7200, 101, "client_ip", "192.0.2.2", NULL);
    const struct mw_summary *s = agg_summary(a);
    size_t rb, rr;
    const struct mw_sum_finding *f = finding(s, "finding.bruteforce", &rb);
    ck_assert_ptr_nonnull(f);
    ck_assert(finding(s, "t.sasl", &rr));
    ck_assert_uint_lt(rb, rr); /* above the rule finding it explains */
    ck_assert_uint_eq(f->nclients, 2);
    ck_assert_str_eq(f->clients[0], "203.0.113.5");
    ck_assert_str_eq(f->clients[1], "203.0.113.6");
    ck_assert_uint_eq(f->count, 60);
    ck_assert_int_eq(f->level, MW_LEVEL_HIGH);
    ck_assert(f->confidence >= 0.6 && f->confidence <= 0.95);
    ck_assert_ptr_nonnull(strstr(f->title, "Password guessing from 2 "));
    ck_assert_ptr_nonnull(strstr(f->title, "203.0.113.5"));
    /* the first lines from these addresses and the last one kept (the
     * very last auth failure came from elsewhere) */
    ck_assert_uint_eq(f->nevidence, 3);
    ck_assert_uint_eq(f->evidence[0].line, 1);
    ck_assert_uint_eq(f->evidence[1].line, 2);
    ck_assert_uint_eq(f->evidence[2].line, 16);
    ck_assert_str_eq(f->category, "auth.failure");
    ck_assert_ptr_nonnull(f->cause);
    ck_assert_ptr_nonnull(f->fix);
    ck_assert_ptr_null(finding(s, "finding.spraying", NULL));
    agg_free(a);
}
END_TEST

/* failures spread over many addresses and users: no brute force finding */
START_TEST(test_bruteforce_control)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[32], user[32];
    for (int i = 0; i < 200; i++) {
        snprintf(ip, sizeof ip, "198.51.100.%d", i % 40);
        snprintf(user, sizeof user, "u%d", i % 50);
        hit(a, in, &r, DAY0 + i * 300, (uint64_t)i + 1, "client_ip", ip, "user",
            user, NULL);
    }
    /* and few failures from one address */
    struct mw_agg *b = new_agg(0);
    in = agg_input_begin(b, "f", "syslog");
    for (int i = 0; i < 19; i++)
        hit(b, in, &r, DAY0 + i * 60, 1, "client_ip", "203.0.113.9", "user",
            i % 2 ? "x" : "y", NULL);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_ptr_nonnull(finding(s, "t.sasl", NULL));
    ck_assert_ptr_null(finding(s, "finding.bruteforce", NULL));
    ck_assert_ptr_null(finding(s, "finding.spraying", NULL));
    ck_assert_ptr_null(finding(s, "finding.auth.stale_password", NULL));
    s = agg_summary(b);
    ck_assert_ptr_null(finding(s, "finding.bruteforce", NULL));
    agg_free(a);
    agg_free(b);
}
END_TEST

START_TEST(test_stale_password)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 30; i++)
        hit(a, in, &r, DAY0 + i * 600, 1, "client_ip", "192.0.2.44", "user",
            "alice", NULL);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_ptr_null(finding(s, "finding.bruteforce", NULL));
    const struct mw_sum_finding *f =
        finding(s, "finding.auth.stale_password", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(strstr(f->title, "alice"));
    ck_assert_ptr_nonnull(strstr(f->title, "192.0.2.44"));
    ck_assert_uint_eq(f->count, 30);
    agg_free(a);
}
END_TEST

START_TEST(test_spraying)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[32];
    for (int i = 0; i < 24; i++) {
        snprintf(ip, sizeof ip, "203.0.113.%d", i + 1);
        hit(a, in, &r, DAY0 + i * 60, (uint64_t)i + 1, "client_ip", ip, "user",
            "admin", NULL);
    }
    for (int i = 0; i < 9; i++) { /* 9 addresses: below the threshold */
        snprintf(ip, sizeof ip, "198.51.100.%d", i + 1);
        hit(a, in, &r, DAY0 + i * 60, 100, "client_ip", ip, "user", "info",
            NULL);
    }
    const struct mw_summary *s = agg_summary(a);
    size_t rs, rr;
    const struct mw_sum_finding *f = finding(s, "finding.spraying", &rs);
    ck_assert_ptr_nonnull(f);
    ck_assert(finding(s, "t.sasl", &rr));
    ck_assert_uint_lt(rs, rr);
    ck_assert_ptr_nonnull(strstr(f->title, "admin"));
    ck_assert_ptr_nonnull(strstr(f->title, "24 addresses"));
    ck_assert_ptr_null(strstr(f->title, "more user"));
    ck_assert_uint_eq(f->count, 24);
    ck_assert_uint_eq(f->nclients_total, 24);
    ck_assert_uint_eq(f->nclients, 10);
    for (size_t i = 0; i < f->nevidence; i++)
        ck_assert_uint_le(f->evidence[i].line, 24);
    ck_assert_ptr_null(finding(s, "finding.bruteforce", NULL));
    agg_free(a);
}
END_TEST

/* TLS quiet for hours, then every client fails from 14:00 */
static void
tls_onset_data(struct mw_agg *a, const struct mw_rule *r, bool step)
{
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[32];
    uint32_t seed = 42;
    for (int m = 0; m < 24 * 60; m += 2) {
        int64_t t = DAY0 + m * 60;
        if (step && m < 14 * 60)
            continue;
        if (!step && lcg(&seed) % 8 != 0)
            continue;
        snprintf(ip, sizeof ip, "198.51.100.%u", lcg(&seed) % 30 + 1);
        hit(a, in, r, t + 7, (uint64_t)m + 1, "client_ip", ip, NULL);
    }
    /* an unrelated line early in the day fixes the span */
    plain_line(a, in, DAY0, "postfix/smtpd", "connect from x[192.0.2.1]");
}

START_TEST(test_tls_onset)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.tls", "tls.handshake", MW_LEVEL_MEDIUM);
    tls_onset_data(a, &r, true);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_int_eq(s->window, 900);
    size_t rt, rr;
    const struct mw_sum_finding *f = finding(s, "finding.tls.serverwide", &rt);
    ck_assert_ptr_nonnull(f);
    ck_assert(finding(s, "t.tls", &rr));
    ck_assert_uint_lt(rt, rr);
    ck_assert_int_eq(f->onset, DAY0 + 14 * 3600);
    ck_assert_ptr_nonnull(strstr(f->title, "since 14:00 UTC"));
    ck_assert_ptr_nonnull(strstr(f->title, "30 clients"));
    ck_assert_uint_eq(f->nclients_total, 30);
    ck_assert(f->ongoing);
    ck_assert_int_eq(f->level, MW_LEVEL_HIGH);
    ck_assert(f->confidence >= 0.6 && f->confidence <= 0.9);
    ck_assert_uint_eq(f->count, 300);
    /* the rule finding itself also has its onset at 14:00 */
    ck_assert_int_eq(s->findings[rr].onset, DAY0 + 14 * 3600);
    ck_assert_ptr_null(finding(s, "finding.tls.old_client", NULL));
    agg_free(a);
}
END_TEST

/* the same burst, over by the end of the span: "failed ... starting" */
START_TEST(test_tls_onset_ended)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.tls", "tls.handshake", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[32];
    for (int i = 0; i < 40; i++) {
        snprintf(ip, sizeof ip, "198.51.100.%d", i % 8 + 1);
        hit(a, in, &r, DAY0 + 6 * 3600 + 60 * i, 1, "client_ip", ip, NULL);
    }
    plain_line(a, in, DAY0, "postfix/smtpd", "connect from x[192.0.2.1]");
    plain_line(a, in, DAY0 + 12 * 3600, "postfix/smtpd", "x");
    const struct mw_summary *s = agg_summary(a);
    const struct mw_sum_finding *f = finding(s, "finding.tls.serverwide", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert(!f->ongoing);
    ck_assert_str_eq(f->title,
                     "TLS handshakes failed for 8 clients starting 06:00 UTC");
    ck_assert_int_eq(f->start, DAY0 + 6 * 3600);
    ck_assert_int_eq(f->end, DAY0 + 6 * 3600 + 39 * 60);
    agg_free(a);
}
END_TEST

START_TEST(test_tls_control)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.tls", "tls.handshake", MW_LEVEL_MEDIUM);
    tls_onset_data(a, &r, false);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_ptr_nonnull(finding(s, "t.tls", NULL));
    ck_assert_ptr_null(finding(s, "finding.tls.serverwide", NULL));
    ck_assert_ptr_null(finding(s, "finding.tls.old_client", NULL));
    agg_free(a);
}
END_TEST

START_TEST(test_tls_old_client)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.tls", "tls.handshake", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 40; i++)
        hit(a, in, &r, DAY0 + i * 1800, 1, "client_ip", "192.0.2.99", NULL);
    hit(a, in, &r, DAY0 + 99, 2, "client_ip", "192.0.2.100", NULL);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_ptr_null(finding(s, "finding.tls.serverwide", NULL));
    const struct mw_sum_finding *f = finding(s, "finding.tls.old_client", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->level, MW_LEVEL_LOW);
    ck_assert_uint_eq(f->nclients, 1);
    ck_assert_str_eq(f->clients[0], "192.0.2.99");
    ck_assert_ptr_nonnull(strstr(f->title, "192.0.2.99"));
    agg_free(a);
}
END_TEST

START_TEST(test_outbound)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r =
        mkrule("t.refused", "connection.refused", MW_LEVEL_MEDIUM);
    struct mw_rule to =
        mkrule("t.timeout", "connection.timeout", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 20; i++)
        hit(a, in, &r, DAY0 + i * 60, (uint64_t)i + 1, "remote_host",
            "mx.example.net", "remote_ip", "192.0.2.25", "remote_port", "25",
            NULL);
    hit(a, in, &r, DAY0 + 7200, 50, "remote_host", "mx.other.org", NULL);
    /* an inbound timeout without remote fields does not count */
    hit(a, in, &to, DAY0 + 6, 51, "client_ip", "192.0.2.1", NULL);
    const struct mw_summary *s = agg_summary(a);
    const struct mw_sum_finding *f = finding(s, "finding.remote_down", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->title,
                     "Remote host mx.example.net down or refusing connections");
    ck_assert_uint_eq(f->count, 20);
    ck_assert_int_eq(f->start, DAY0);
    ck_assert_int_eq(f->end, DAY0 + 19 * 60);
    ck_assert_str_eq(f->category, "connection.refused");
    for (size_t i = 0; i < f->nevidence; i++)
        ck_assert_uint_le(f->evidence[i].line, 20);
    ck_assert_ptr_null(finding(s, "finding.port25_blocked", NULL));
    agg_free(a);

    /* spread over many destinations on port 25: blocked port */
    a = new_agg(0);
    in = agg_input_begin(a, "f", "syslog");
    char host[64];
    for (int i = 0; i < 40; i++) {
        snprintf(host, sizeof host, "mx%d.example%d.com", i % 12, i % 12);
        hit(a, in, &to, DAY0 + i * 60, (uint64_t)i + 1, "remote_host", host,
            "remote_port", "25", NULL);
    }
    s = agg_summary(a);
    f = finding(s, "finding.port25_blocked", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(strstr(f->title, "12 mail servers"));
    ck_assert_int_eq(f->level, MW_LEVEL_HIGH);
    ck_assert_ptr_null(finding(s, "finding.remote_down", NULL));
    agg_free(a);

    /* the same spread on port 587: neither */
    a = new_agg(0);
    in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 40; i++) {
        snprintf(host, sizeof host, "mx.example%d.com", i % 12);
        hit(a, in, &to, DAY0 + i * 60, 1, "remote_host", host, "remote_port",
            "587", NULL);
    }
    s = agg_summary(a);
    ck_assert_ptr_null(finding(s, "finding.port25_blocked", NULL));
    ck_assert_ptr_null(finding(s, "finding.remote_down", NULL));
    agg_free(a);

    /* the MX hosts of one domain are one destination */
    a = new_agg(0);
    in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 40; i++) {
        snprintf(host, sizeof host, "mx%d.example.com", i % 12);
        hit(a, in, &to, DAY0 + i * 60, 1, "remote_host", host, "remote_port",
            "25", NULL);
    }
    s = agg_summary(a);
    ck_assert_ptr_null(finding(s, "finding.port25_blocked", NULL));
    f = finding(s, "finding.remote_down", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(
        f->title, "Mail servers of example.com down or refusing connections");
    ck_assert_str_eq(f->category, "connection.timeout");
    agg_free(a);
}
END_TEST

START_TEST(test_dns)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.dns", "dns", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, "f", "syslog");
    char rcpt[64];
    for (int i = 0; i < 12; i++) {
        snprintf(rcpt, sizeof rcpt, "bob@d%d.example", i % 4);
        hit(a, in, &r, DAY0 + 3600 + i * 120, (uint64_t)i + 1, "recipient",
            rcpt, NULL);
    }
    hit(a, in, &r, DAY0, 99, "remote_host", "lonely.example", NULL);
    const struct mw_summary *s = agg_summary(a);
    const struct mw_sum_finding *f = finding(s, "finding.dns.resolver", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->count, 12);
    ck_assert_ptr_nonnull(strstr(f->title, "4 domains"));
    ck_assert_int_eq(f->start, DAY0 + 3600);
    ck_assert_int_eq(f->end, DAY0 + 3600 + 11 * 120);
    for (size_t i = 0; i < f->nevidence; i++)
        ck_assert_uint_ne(f->evidence[i].line, 99);
    agg_free(a);

    /* many failures for one domain, or few over a day: no resolver finding */
    a = new_agg(0);
    in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 30; i++)
        hit(a, in, &r, DAY0 + i * 60, 1, "remote_host", "broken.example", NULL);
    for (int i = 0; i < 9; i++) {
        snprintf(rcpt, sizeof rcpt, "x@e%d.example", i);
        hit(a, in, &r, DAY0 + 7200 + i * 7200, 1, "recipient", rcpt, NULL);
    }
    s = agg_summary(a);
    ck_assert_ptr_null(finding(s, "finding.dns.resolver", NULL));
    agg_free(a);
}
END_TEST

START_TEST(test_dnsbl)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule in_r = mkrule("t.rbl.in", "policy.dnsbl", MW_LEVEL_LOW);
    struct mw_rule out_r = mkrule("t.rbl.out", "policy.dnsbl", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 50; i++)
        hit(a, in, &in_r, DAY0 + i * 60, 1, "client_ip", "203.0.113.77",
            "dnsbl", "zen.spamhaus.org", NULL);
    const struct mw_summary *s = agg_summary(a);
    const struct mw_sum_finding *f = finding(s, "finding.dnsbl.inbound", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->level, MW_LEVEL_LOW);
    ck_assert_uint_eq(f->nclients, 1);
    ck_assert_ptr_null(finding(s, "finding.dnsbl.listed", NULL));
    /* now our own mail gets rejected too */
    hit(a, in, &out_r, DAY0 + 4000, 2, "remote_host", "mx.big.example", "dnsbl",
        "b.barracudacentral.org", NULL);
    hit(a, in, &out_r, DAY0 + 4100, 3, "remote_host", "mx.big.example", NULL);
    s = agg_summary(a);
    size_t rl, ri;
    f = finding(s, "finding.dnsbl.listed", &rl);
    ck_assert_ptr_nonnull(f);
    ck_assert(finding(s, "finding.dnsbl.inbound", &ri));
    ck_assert_uint_lt(rl, ri);
    ck_assert_int_eq(f->level, MW_LEVEL_HIGH);
    ck_assert_uint_eq(f->count, 2);
    ck_assert_ptr_nonnull(strstr(f->title, "b.barracudacentral.org"));
    ck_assert_uint_eq(f->nevidence, 2);
    agg_free(a);
}
END_TEST

START_TEST(test_overload_disk)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule busy =
        mkrule("t.busy", "server.unavailable", MW_LEVEL_MEDIUM);
    struct mw_rule disk =
        mkrule("t.queue.disk_full", "server.unavailable", MW_LEVEL_HIGH);
    struct mw_rule fatal =
        mkrule("t.fatal", "server.unavailable", MW_LEVEL_HIGH);
    struct mw_rule sasl = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[32];
    for (int i = 0; i < 500; i++) {
        snprintf(ip, sizeof ip, "192.0.2.%d", i % 200);
        hit(a, in, &sasl, DAY0 + i, 1, "client_ip", ip, NULL);
    }
    for (int i = 0; i < 12; i++)
        hit(a, in, &busy, DAY0 + 100 + i, 2, NULL);
    hit(a, in, &disk, DAY0 + 300, 3, NULL);
    hit(a, in, &fatal, DAY0 + 301, 4, "reason",
        "write queue file: No space left on device", NULL);
    const struct mw_summary *s = agg_summary(a);
    const struct mw_sum_finding *f = finding(s, "finding.server.disk", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->level, MW_LEVEL_CRITICAL);
    ck_assert_uint_eq(f->count, 2);
    ck_assert_str_eq(s->findings[0].id, "finding.server.disk");
    f = finding(s, "finding.server.overload", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->count, 12);
    agg_free(a);
}
END_TEST

START_TEST(test_ranking)
{
    ck_assert(fabs(findings_score(MW_LEVEL_INFORMATIONAL, 1, 1) - 1) < 1e-9);
    ck_assert(fabs(findings_score(MW_LEVEL_LOW, 10, 1) - 4) < 1e-9);
    ck_assert(fabs(findings_score(MW_LEVEL_MEDIUM, 100, 0.5) - 6) < 1e-9);
    ck_assert(fabs(findings_score(MW_LEVEL_HIGH, 0, 1) - 8) < 1e-9);
    ck_assert(fabs(findings_score(MW_LEVEL_CRITICAL, 1000, 1) - 64) < 1e-9);
    struct mw_agg *a = new_agg(0);
    struct mw_rule hi = mkrule("t.b.high", "mailbox", MW_LEVEL_HIGH);
    struct mw_rule lo = mkrule("t.c.low", "mailbox", MW_LEVEL_LOW);
    struct mw_rule tie1 = mkrule("t.z.tie", "protocol", MW_LEVEL_MEDIUM);
    struct mw_rule tie2 = mkrule("t.a.tie", "protocol", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 1000; i++)
        hit(a, in, &lo, DAY0 + i, 1, NULL); /* 2 x 4 = 8 */
    for (int i = 0; i < 10; i++)
        hit(a, in, &hi, DAY0 + i, 1, NULL); /* 8 x 2 = 16 */
    for (int i = 0; i < 3; i++) {
        hit(a, in, &tie1, DAY0 + i, 1, NULL);
        hit(a, in, &tie2, DAY0 + i, 1, NULL);
    }
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->nfindings, 4);
    ck_assert_str_eq(s->findings[0].id, "t.b.high");
    ck_assert_str_eq(s->findings[1].id, "t.c.low");
    ck_assert_str_eq(s->findings[2].id, "t.a.tie");
    ck_assert_str_eq(s->findings[3].id, "t.z.tie");
    agg_free(a);
}
END_TEST

/* many rules hit in turn: each keeps its own counts */
START_TEST(test_many_rules)
{
    struct mw_agg *a = new_agg(0);
    static struct mw_rule rules[300];
    static char ids[300][16];
    for (int i = 0; i < 300; i++) {
        snprintf(ids[i], sizeof ids[i], "t.r%03d", i);
        rules[i] = mkrule(ids[i], "protocol", MW_LEVEL_LOW);
    }
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < 300; i++)
            for (int n = 0; n <= i % 3; n++)
                hit(a, in, &rules[(i * 7) % 300], DAY0 + k, 1, NULL);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->nfindings, 300);
    for (int i = 0; i < 300; i++) {
        const struct mw_sum_finding *f = finding(s, ids[(i * 7) % 300], NULL);
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(f->count, 5u * (uint64_t)(i % 3 + 1));
    }
    /* equal scores: ordered by id */
    for (size_t i = 1; i < s->nfindings; i++)
        if (s->findings[i].count == s->findings[i - 1].count)
            ck_assert_int_lt(strcmp(s->findings[i - 1].id, s->findings[i].id),
                             0);
    agg_free(a);
}
END_TEST

/* ---- edge ------------------------------------------------------------------
 */

START_TEST(test_empty)
{
    struct mw_agg *a = new_agg(0);
    const struct mw_summary *s = agg_summary(a);
    ck_assert(!s->has_span);
    ck_assert_uint_eq(s->ninputs, 0);
    ck_assert_uint_eq(s->ncategories, 0);
    ck_assert_uint_eq(s->nclients, 0);
    ck_assert_uint_eq(s->nfindings, 0);
    ck_assert_uint_eq(s->nunmatched, 0);
    ck_assert_int_eq(s->window, 60);
    agg_free(a);
    agg_free(NULL);
}
END_TEST

START_TEST(test_no_time)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.x", "protocol", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, NULL, NULL);
    hit(a, in, &r, -1, 1, "client_ip", "192.0.2.1", NULL);
    hit(a, in, &r, -1, 2, NULL);
    const struct mw_summary *s = agg_summary(a);
    ck_assert(!s->has_span);
    ck_assert_str_eq(s->inputs[0].path, "");
    ck_assert_uint_eq(s->ncategories, 1);
    ck_assert_uint_eq(s->categories[0].count, 2);
    ck_assert_uint_eq(s->categories[0].nseries, 0);
    ck_assert_uint_eq(s->nfindings, 1);
    ck_assert_uint_eq(s->findings[0].count, 2);
    ck_assert_uint_eq(s->findings[0].nevidence, 2);
    ck_assert_int_eq(s->findings[0].start, 0);
    agg_free(a);
}
END_TEST

START_TEST(test_summary_twice)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.x", "protocol", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, "f", "syslog");
    hit(a, in, &r, DAY0, 1, NULL);
    const struct mw_summary *s1 = agg_summary(a);
    hit(a, in, &r, DAY0 + 10, 2, NULL);
    const struct mw_summary *s2 = agg_summary(a);
    /* the first stays valid */
    ck_assert_uint_eq(s1->findings[0].count, 1);
    ck_assert_uint_eq(s2->findings[0].count, 2);
    agg_free(a);
}
END_TEST

static const struct {
    const char *prog, *msg, *shape;
} shape_cases[] = {
    {"postfix/smtpd", "connect from unknown[192.0.2.7]",
     "smtpd: connect from unknown[IP]"},
    {"postfix/smtpd", "connect from mail.example.com[198.51.100.7]",
     "smtpd: connect from HOST[IP]"},
    {"postfix/smtpd", "connect from unknown[2001:db8::1]",
     "smtpd: connect from unknown[IP]"},
    {"postfix/smtpd", "4BF4C1234: client=unknown[IPv6:2001:db8::5]",
     "smtpd: X: client=unknown[IP]"},
    {"postfix/smtpd",
     "disconnect from unknown[192.0.2.7] ehlo=1 auth=0/1 commands=1/2",
     "smtpd: disconnect from unknown[IP] ehlo=N auth=N/N commands=N/N"},
    {"postfix/qmgr",
     "4BF4C1234: from=<alice@example.com>, size=1234, nrcpt=1 (queue active)",
     "qmgr: X: from=<ADDR>, size=N, nrcpt=N (queue active)"},
    {"postfix/qmgr", "4BF4C1234: from=<>, size=12", "qmgr: X: from=<>, size=N"},
    {"postfix/cleanup", "4VbTx12yz5z9v7W: message-id=<a1.b2@host.example>",
     "cleanup: X: message-id=<ADDR>"},
    {"postfix/anvil",
     "statistics: max connection rate 1/60s for (smtp:192.0.2.7) at Nov 22",
     "anvil: statistics: max connection rate N/Ns for (smtp:N.N.N.N) at Nov N"},
    {"dovecot", "deadbeef cafe 0xdeadbeef12 abc123 host7",
     "dovecot: deadbeef cafe X X hostN"},
    {NULL, "hello 12 world [not an ip] [1.2]",
     "hello N world [not an ip] [IP]"},
    {"smtp",
     "to=<bob@example.org>, relay=mx.example.org[192.0.2.9]:25, delay=1.2",
     "smtp: to=<ADDR>, relay=HOST[IP]:N, delay=N.N"},
    {"smtpd", "mail from <bob@example.org", "smtpd: mail from <ADDR>"},
};

START_TEST(test_shapes)
{
    struct mw_agg *a = new_agg(0);
    size_t in = agg_input_begin(a, "f", "syslog");
    plain_line(a, in, DAY0, shape_cases[_i].prog, shape_cases[_i].msg);
    plain_line(a, in, DAY0, shape_cases[_i].prog, shape_cases[_i].msg);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->nunmatched, 1);
    ck_assert_str_eq(s->unmatched[0].shape, shape_cases[_i].shape);
    ck_assert_uint_eq(s->unmatched[0].count, 2);
    ck_assert_ptr_nonnull(strstr(s->unmatched[0].example, shape_cases[_i].msg));
    agg_free(a);
}
END_TEST

START_TEST(test_shapes_group)
{
    struct mw_agg_opts o = {0, 2, 0};
    struct mw_agg *a = agg_new(&o);
    size_t in = agg_input_begin(a, "f", "syslog");
    char msg[128];
    for (int i = 0; i < 50; i++) {
        snprintf(msg, sizeof msg, "connect from host%d.example.com[192.0.2.%d]",
                 i, i);
        plain_line(a, in, DAY0, "postfix/smtpd", msg);
        snprintf(msg, sizeof msg, "%X: removed", 0xABC000 + i);
        plain_line(a, in, DAY0, "postfix/qmgr", msg);
    }
    plain_line(a, in, DAY0, "postfix/qmgr", "rare line");
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->nunmatched, 2); /* --top 2 */
    ck_assert_str_eq(s->unmatched[0].shape, "qmgr: X: removed");
    ck_assert_uint_eq(s->unmatched[0].count, 50);
    ck_assert_str_eq(s->unmatched[1].shape, "smtpd: connect from HOST[IP]");
    ck_assert_uint_eq(s->unmatched[1].count, 50);
    ck_assert_str_eq(s->unmatched[1].example, "postfix/smtpd[1]: connect from "
                                              "host0.example.com[192.0.2.0]");
    agg_free(a);
}
END_TEST

/* ---- hostile ------------------------------------------------------------- */

START_TEST(test_hostile_lines)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.x", "protocol", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, "f", "syslog");
    static char big[4000];
    memset(big, 'A', sizeof big);
    memcpy(big + 10, "\0\xff\xfe[192.0.2.1]\n\r", 17);
    struct tline tl;
    mkrec(&tl, DAY0, "postfix/smtpd", big, sizeof big, 7);
    agg_line(a, in, &tl.rec);
    agg_unmatched(a, in, &tl.rec);
    struct mw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.rule = &r;
    ev.rec = &tl.rec;
    ev.nfields = 2;
    ev.fields[0] = (struct mw_field){"client_ip", big + 14, 9};
    ev.fields[1] = (struct mw_field){"user", big, 3000};
    agg_event(a, in, &ev);
    agg_event(a, in, NULL);
    agg_event(a, 12345, &ev); /* unknown input index */
    agg_line(a, 12345, &tl.rec);
    /* absurd times are ignored for the span */
    mkrec(&tl, INT64_MAX / 2, NULL, "x", 1, 8);
    agg_line(a, in, &tl.rec);
    const struct mw_summary *s = agg_summary(a);
    ck_assert_int_eq(s->span_start, DAY0);
    ck_assert_int_eq(s->span_end, DAY0);
    ck_assert_uint_eq(s->nunmatched, 1);
    ck_assert_uint_le(strlen(s->unmatched[0].shape), 34 + 2 * 96);
    ck_assert_uint_le(strlen(s->unmatched[0].example), 200);
    ck_assert_uint_eq(s->nfindings, 1);
    ck_assert_uint_eq(s->findings[0].count, 2);
    ck_assert_uint_eq(s->findings[0].evidence[0].text_len, 500);
    ck_assert_uint_eq(s->nclients, 1);
    ck_assert_str_eq(s->clients[0].ip, "192.0.2.1");
    ck_assert_uint_eq(s->inputs[0].lines, 2);
    ck_assert_uint_eq(s->matched, 2);
    agg_free(a);
}
END_TEST

START_TEST(test_caps)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.x", "protocol", MW_LEVEL_LOW);
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[64], msg[64];
    /* 200000 distinct clients fit, more are counted but not listed */
    for (uint32_t i = 0; i < 200100; i++) {
        snprintf(ip, sizeof ip, "10.%u.%u.%u", i >> 16, (i >> 8) & 255,
                 i & 255);
        hit(a, in, &r, DAY0 + i % 3600, 1, "client_ip", ip, NULL);
    }
    /* 10000 shapes fit */
    for (uint32_t i = 0; i < 10100; i++) {
        snprintf(msg, sizeof msg, "word%c%c%c", 'a' + i % 26,
                 'a' + (i / 26) % 26, 'a' + (i / 676) % 26);
        plain_line(a, in, DAY0, "p", msg);
    }
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->nclients_total, 200000);
    ck_assert_uint_eq(s->findings[0].count, 200100);
    ck_assert_uint_eq(s->categories[0].count, 200100);
    ck_assert_uint_eq(s->categories[0].clients, 200000);
    ck_assert_uint_eq(s->nunmatched, 10);
    ck_assert_uint_eq(s->inputs[0].lines, 200100 + 10100);
    agg_free(a);
}
END_TEST

/* ---- ranking and detectors on a busy day ------------------------------
 */

/* Critical findings come first whatever their counts; among themselves
 * and among the others, the score decides as before. */
START_TEST(test_critical_first)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule big = mkrule("t.big", "mailbox", MW_LEVEL_HIGH);
    struct mw_rule one = mkrule("t.crit.one", "protocol", MW_LEVEL_CRITICAL);
    struct mw_rule ten = mkrule("t.crit.ten", "protocol", MW_LEVEL_CRITICAL);
    size_t in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 20000; i++)
        hit(a, in, &big, DAY0 + i % 86400, 1, NULL);
    hit(a, in, &one, DAY0 + 50, 2, NULL);
    for (int i = 0; i < 10; i++)
        hit(a, in, &ten, DAY0 + 60 + i, 3, NULL);
    /* by score alone the high finding would come first */
    ck_assert(findings_score(MW_LEVEL_HIGH, 20000, 1) >
              findings_score(MW_LEVEL_CRITICAL, 10, 1));
    const struct mw_summary *s = agg_summary(a);
    ck_assert_uint_eq(s->nfindings, 3);
    ck_assert_str_eq(s->findings[0].id, "t.crit.ten");
    ck_assert_str_eq(s->findings[1].id, "t.crit.one");
    ck_assert_str_eq(s->findings[2].id, "t.big");
    ck_assert_ptr_null(s->findings[0].cause_id); /* rule findings have none */
    agg_free(a);

    /* a detector explaining a critical rule finding sorts just above it */
    a = new_agg(0);
    struct mw_rule fatal =
        mkrule("t.fatal", "server.unavailable", MW_LEVEL_CRITICAL);
    in = agg_input_begin(a, "f", "syslog");
    for (int i = 0; i < 20000; i++)
        hit(a, in, &big, DAY0 + i % 86400, 1, NULL);
    for (int i = 0; i < 12; i++)
        hit(a, in, &fatal, DAY0 + 100 + i, 2, NULL);
    s = agg_summary(a);
    ck_assert_str_eq(s->findings[0].id, "finding.server.overload");
    ck_assert_str_eq(s->findings[0].cause_id, "cause.server.overload");
    ck_assert_str_eq(s->findings[1].id, "t.fatal");
    ck_assert_str_eq(s->findings[2].id, "t.big");
    agg_free(a);
}
END_TEST

/* TLS fails for every client from 14:00 while the certificate cannot be
 * loaded: critical, and first, above a much larger brute force */
START_TEST(test_tls_cert_load_critical)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct mw_agg *a = new_agg(0);
    struct mw_rule tls = mkrule("t.tls", "tls.handshake", MW_LEVEL_MEDIUM);
    struct mw_rule load = mkrule("t.tls.certificate_load_failed",
                                 "tls.certificate", MW_LEVEL_HIGH);
    struct mw_rule sasl = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    tls_onset_data(a, &tls, true);
    size_t in = agg_input_begin(a, "g", "syslog");
    hit(a, in, &load, DAY0 + 14 * 3600 + 3, 1, NULL);
    char user[16];
    for (int i = 0; i < 3000; i++) {
        snprintf(user, sizeof user, "u%d", i % 7);
        hit(a, in, &sasl, DAY0 + 8 * 3600 + i, (uint64_t)i + 2, "client_ip",
            i % 2 ? "203.0.113.5" : "203.0.113.6", "user", user, NULL);
    }
    const struct mw_summary *s = agg_summary(a);
    size_t rt, rb;
    const struct mw_sum_finding *f = finding(s, "finding.tls.serverwide", &rt);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->level, MW_LEVEL_CRITICAL);
    ck_assert_str_eq(f->cause_id, "cause.tls.cert_load");
    ck_assert_uint_eq(rt, 0);
    ck_assert_ptr_nonnull(finding(s, "finding.bruteforce", &rb));
    ck_assert_uint_gt(rb, rt);
    agg_free(a);

    /* the same TLS failures without the load error: high */
    a = new_agg(0);
    tls_onset_data(a, &tls, true);
    s = agg_summary(a);
    f = finding(s, "finding.tls.serverwide", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->level, MW_LEVEL_HIGH);
    ck_assert_str_eq(f->cause_id, "cause.tls.protocol_mismatch");
    agg_free(a);
}
END_TEST

/* auth failures from many addresses all day; three addresses guess
 * passwords from 10:00 to 10:40, a small part of the day's failures */
START_TEST(test_bruteforce_busy_day)
{
    struct mw_agg *a = new_agg(0);
    struct mw_rule r = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[32], user[32];
    uint64_t line = 1;
    for (int m = 0; m < 24 * 60; m += 2) {
        snprintf(ip, sizeof ip, "198.51.100.%d", (m / 2) % 250 + 1);
        snprintf(user, sizeof user, "u%d", m % 40);
        hit(a, in, &r, DAY0 + m * 60 + 11, line++, "client_ip", ip, "user",
            user, NULL);
    }
    static const char *const attackers[] = {"203.0.113.5", "203.0.113.6",
                                            "203.0.113.7"};
    for (int i = 0; i < 150; i++) {
        snprintf(user, sizeof user, "guess%d", i % 9);
        hit(a, in, &r, DAY0 + 10 * 3600 + i * 16, line++, "client_ip",
            attackers[i % 3], "user", user, NULL);
    }
    const struct mw_summary *s = agg_summary(a);
    size_t rank;
    const struct mw_sum_finding *f = finding(s, "finding.bruteforce", &rank);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(rank, 0);
    ck_assert_uint_eq(f->nclients, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_ptr_nonnull(strstr(f->title, attackers[i]));
    ck_assert_uint_eq(f->count, 150);
    ck_assert_int_eq(f->onset, DAY0 + 10 * 3600);
    ck_assert_str_eq(f->cause_id, "cause.bruteforce");
    agg_free(a);
}
END_TEST

/* TLS failures that follow the traffic of the day are no server change;
 * a wave of new failing clients on top of them is */
static void
busy_day(struct mw_agg *a, const struct mw_rule *tls,
         const struct mw_rule *other, int night, bool wave)
{
    size_t in = agg_input_begin(a, "f", "syslog");
    char ip[40];
    uint32_t n = 0;
    for (int w = 0; w < 96; w++) {
        int64_t t = DAY0 + w * 900;
        int v = w >= 32 && w < 80 ? 20 : night; /* 08:00-20:00 busy */
        for (int i = 0; i < 10 * v; i++)
            hit(a, in, other, t + i % 900, 1, NULL);
        for (int i = 0; i < v; i++, n++) {
            snprintf(ip, sizeof ip, "10.0.%u.%u", n / 250, n % 250 + 1);
            hit(a, in, tls, t + 7 * i, 2, "client_ip", ip, NULL);
        }
        for (int i = 0; wave && w >= 56 && w < 60 && i < 120; i++) {
            snprintf(ip, sizeof ip, "192.0.2.%d", i % 60 + 1);
            hit(a, in, tls, t + 7 * i, 3, "client_ip", ip, NULL);
        }
    }
}

START_TEST(test_tls_busy_day)
{
    struct mw_rule tls = mkrule("t.tls", "tls.handshake", MW_LEVEL_MEDIUM);
    struct mw_rule lost = mkrule("t.lost", "connection.lost", MW_LEVEL_LOW);
    struct mw_agg *a = new_agg(0);
    busy_day(a, &tls, &lost, 2, false);
    const struct mw_summary *s = agg_summary(a);
    /* the TLS failures do rise at 08:00, ten times, but so does the rest */
    const struct mw_sum_finding *f = finding(s, "t.tls", NULL);
    ck_assert_int_eq(f->onset, DAY0 + 8 * 3600);
    ck_assert_ptr_null(finding(s, "finding.tls.serverwide", NULL));
    agg_free(a);
    a = new_agg(0);
    busy_day(a, &tls, &lost, 10, true);
    s = agg_summary(a);
    f = finding(s, "finding.tls.serverwide", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->onset, DAY0 + 14 * 3600);
    ck_assert(!f->ongoing);
    ck_assert_uint_ge(f->nclients_total, 60);
    agg_free(a);
}
END_TEST

/* small sites time out now and then all day; one destination refuses
 * every connection from 16:00 to 17:00 */
START_TEST(test_remote_down_busy_day)
{
    struct mw_rule to =
        mkrule("t.timeout", "connection.timeout", MW_LEVEL_MEDIUM);
    struct mw_rule ref =
        mkrule("t.refused", "connection.refused", MW_LEVEL_MEDIUM);
    for (int outage = 0; outage < 2; outage++) {
        struct mw_agg *a = new_agg(0);
        size_t in = agg_input_begin(a, "f", "syslog");
        char host[64];
        for (int h = 0; h < 24; h++)
            for (int i = 0; i < 18; i++) {
                snprintf(host, sizeof host, "mx.site%d.example", i % 6);
                hit(a, in, &to, DAY0 + h * 3600 + i * 200, 1, "remote_host",
                    host, "remote_port", "25", NULL);
            }
        for (int i = 0; outage && i < 120; i++)
            hit(a, in, &ref, DAY0 + 16 * 3600 + i * 30, 2, "remote_host",
                "mx.down.example", "remote_port", "25", NULL);
        const struct mw_summary *s = agg_summary(a);
        const struct mw_sum_finding *f =
            finding(s, "finding.remote_down", NULL);
        if (!outage) {
            /* six sites failing steadily: maybe port 25, but only medium */
            ck_assert_ptr_null(f);
            f = finding(s, "finding.port25_blocked", NULL);
            ck_assert_ptr_nonnull(f);
            ck_assert_int_eq(f->level, MW_LEVEL_MEDIUM);
            agg_free(a);
            continue;
        }
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(
            f->title,
            "Remote host mx.down.example down or refusing connections");
        ck_assert_str_eq(f->category, "connection.refused");
        ck_assert_int_eq(f->level, MW_LEVEL_HIGH);
        ck_assert(f->confidence >= 0.85);
        ck_assert_uint_eq(f->count, 120);
        ck_assert_int_eq(f->onset, DAY0 + 16 * 3600);
        ck_assert_str_eq(f->cause_id, "cause.server.down");
        ck_assert_ptr_null(finding(s, "finding.port25_blocked", NULL));
        agg_free(a);
    }
}
END_TEST

/* DNS failures for many domains every hour are background; a burst over
 * many domains in one hour is the resolver */
START_TEST(test_dns_busy_day)
{
    struct mw_rule r = mkrule("t.dns", "dns", MW_LEVEL_LOW);
    for (int outage = 0; outage < 2; outage++) {
        struct mw_agg *a = new_agg(0);
        size_t in = agg_input_begin(a, "f", "syslog");
        char host[64];
        for (int m = 0; m < 24 * 60; m += 3) {
            snprintf(host, sizeof host, "mx.d%d.example", m % 20);
            hit(a, in, &r, DAY0 + m * 60, 1, "remote_host", host, NULL);
        }
        for (int i = 0; outage && i < 100; i++) {
            snprintf(host, sizeof host, "mx.e%d.example", i % 30);
            hit(a, in, &r, DAY0 + 15 * 3600 + i * 18, 2, "remote_host", host,
                NULL);
        }
        const struct mw_summary *s = agg_summary(a);
        const struct mw_sum_finding *f =
            finding(s, "finding.dns.resolver", NULL);
        if (!outage) {
            ck_assert_ptr_null(f);
        } else {
            ck_assert_ptr_nonnull(f);
            ck_assert_str_eq(f->cause_id, "cause.dns.resolver");
            ck_assert_int_ge(f->start, DAY0 + 14 * 3600);
            ck_assert_int_le(f->end, DAY0 + 16 * 3600);
        }
        agg_free(a);
    }
}
END_TEST

/* many user names, each tried from about as many addresses: the
 * background of any server, medium; one name standing out: high */
START_TEST(test_spraying_levels)
{
    struct mw_rule r = mkrule("t.sasl", "auth.failure", MW_LEVEL_MEDIUM);
    for (int targeted = 0; targeted < 2; targeted++) {
        struct mw_agg *a = new_agg(0);
        size_t in = agg_input_begin(a, "f", "syslog");
        char ip[32], user[32];
        for (int i = 0; i < 240; i++) {
            snprintf(ip, sizeof ip, "198.51.100.%d", i + 1);
            snprintf(user, sizeof user, "user%d", i % 20);
            hit(a, in, &r, DAY0 + i * 300, 1, "client_ip", ip, "user", user,
                NULL);
        }
        for (int i = 0; targeted && i < 30; i++) {
            snprintf(ip, sizeof ip, "203.0.113.%d", i + 1);
            hit(a, in, &r, DAY0 + i * 60, 2, "client_ip", ip, "user", "user0",
                NULL);
        }
        const struct mw_summary *s = agg_summary(a);
        const struct mw_sum_finding *f = finding(s, "finding.spraying", NULL);
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(f->cause_id, "cause.bruteforce");
        if (targeted) {
            ck_assert_int_eq(f->level, MW_LEVEL_HIGH);
            ck_assert_ptr_nonnull(strstr(f->title, "against user user0 "));
        } else {
            ck_assert_int_eq(f->level, MW_LEVEL_MEDIUM);
            ck_assert_ptr_nonnull(strstr(f->title, "against 20 user names"));
        }
        agg_free(a);
    }
}
END_TEST

static Suite *
agg_suite(void)
{
    Suite *s = suite_create("agg");
    TCase *core = tcase_create("core");
    tcase_add_loop_test(core, test_auto_window, 0,
                        sizeof auto_cases / sizeof auto_cases[0]);
    tcase_add_test(core, test_counts_map);
    tcase_add_test(core, test_layout_rebin);
    tcase_add_test(core, test_median);
    tcase_add_loop_test(core, test_detect_step, 0, 5);
    tcase_add_loop_test(core, test_detect_noise, 0, 7);
    tcase_add_test(core, test_detect_shapes);
    tcase_add_test(core, test_counts_span);
    tcase_add_test(core, test_clients);
    tcase_add_test(core, test_rule_finding);
    tcase_add_test(core, test_rule_finding_few);
    tcase_add_test(core, test_bruteforce);
    tcase_add_test(core, test_bruteforce_control);
    tcase_add_test(core, test_stale_password);
    tcase_add_test(core, test_spraying);
    tcase_add_test(core, test_tls_onset);
    tcase_add_test(core, test_tls_onset_ended);
    tcase_add_test(core, test_tls_control);
    tcase_add_test(core, test_tls_old_client);
    tcase_add_test(core, test_outbound);
    tcase_add_test(core, test_dns);
    tcase_add_test(core, test_dnsbl);
    tcase_add_test(core, test_overload_disk);
    tcase_add_test(core, test_ranking);
    tcase_add_test(core, test_many_rules);
    tcase_add_test(core, test_critical_first);
    tcase_add_test(core, test_tls_cert_load_critical);
    tcase_add_test(core, test_bruteforce_busy_day);
    tcase_add_test(core, test_tls_busy_day);
    tcase_add_test(core, test_remote_down_busy_day);
    tcase_add_test(core, test_dns_busy_day);
    tcase_add_test(core, test_spraying_levels);
    suite_add_tcase(s, core);
    TCase *edge = tcase_create("edge");
    tcase_add_test(edge, test_empty);
    tcase_add_test(edge, test_no_time);
    tcase_add_test(edge, test_summary_twice);
    tcase_add_loop_test(edge, test_shapes, 0,
                        sizeof shape_cases / sizeof shape_cases[0]);
    tcase_add_test(edge, test_shapes_group);
    suite_add_tcase(s, edge);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 120);
    tcase_add_test(hostile, test_hostile_lines);
    tcase_add_test(hostile, test_caps);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(agg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
