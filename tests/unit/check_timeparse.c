#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeparse.h"

/* the time zone fail2ban's test logs are annotated in (Europe/Paris) */
#define TZ_CET      "CET-01CEST-02,M3.5.0,M10.5.0"
#define REF_F2B     1124013600 /* 2005-08-14T12:00:00+02:00 */
#define REF_NEWYEAR 1767312000 /* 2026-01-02T00:00:00Z */
#define REF_NOV23   1795392000 /* 2026-11-23T00:00:00Z */
#define REF_MAR1    1772323200 /* 2026-03-01T00:00:00Z */
#define NOW_USER    1795341907 /* 2026-11-22T10:05:07Z */

static void
use_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static const char *
fmt(const struct mw_time *t, char *buf)
{
    time_format_rfc3339(t, buf, 48);
    return buf;
}

struct stamp_case {
    const char *tz;
    time_t ref;
    const char *text;
    size_t used;        /* 0 = must be rejected */
    const char *expect; /* RFC 3339 UTC */
};

/* BSD stamps; lines from fail2ban/fail2ban tests/files/logs/{postfix,
 * dovecot,cyrus-imap} (fail2ban/fail2ban, GPL-2.0-or-later) */
static const struct stamp_case bsd_cases[] = {
    {"UTC", REF_NOV23, "Nov 22 10:05:07 mx1 postfix/smtpd[1]: x", 15,
     "2026-11-22T10:05:07Z"},
    {"UTC", REF_NOV23, "Nov  2 10:05:07 mx1", 15, "2026-11-02T10:05:07Z"},
    {"UTC", REF_NOV23, "Nov 02 10:05:07 mx1", 15, "2026-11-02T10:05:07Z"},
    {"UTC", REF_NOV23, "Jan 4 21:51:05 hostname cyrus/imap[5355]:", 14,
     "2026-01-04T21:51:05Z"},
    {"UTC", REF_NOV23, "Nov 22 10:05:07.123456 mx1", 22,
     "2026-11-22T10:05:07.123456Z"},
    {"UTC", REF_NOV23, "Nov 22 10:05:07.1", 17, "2026-11-22T10:05:07.1Z"},
    {"UTC", REF_NOV23, "Nov 22 10:05:07", 15, "2026-11-22T10:05:07Z"},
    /* New Year roll-over while reading forward */
    {"UTC", REF_NEWYEAR, "Dec 31 23:59:59 h p: m", 15, "2025-12-31T23:59:59Z"},
    {"UTC", REF_NEWYEAR, "Jan  1 00:00:01 h p: m", 15, "2026-01-01T00:00:01Z"},
    /* up to 60 s after the reference stays in its year, later does not */
    {"UTC", REF_NEWYEAR, "Jan  2 00:01:00 h", 15, "2026-01-02T00:01:00Z"},
    {"UTC", REF_NEWYEAR, "Jan  2 00:01:01 h", 15, "2025-01-02T00:01:01Z"},
    /* Feb 29 goes back to the last leap year */
    {"UTC", REF_MAR1, "Feb 29 12:00:00 h", 15, "2024-02-29T12:00:00Z"},
    /* fail2ban postfix: "Aug 10 10:55:38 f-vanier-bourgeois postfix/..." */
    {TZ_CET, REF_F2B, "Aug 10 10:55:38 f-vanier-bourgeois", 15,
     "2005-08-10T08:55:38Z"},
    /* fail2ban postfix: "Dec 25 02:35:54 platypus postfix/smtpd[9144]" */
    {TZ_CET, REF_F2B, "Dec 25 02:35:54 platypus", 15, "2004-12-25T01:35:54Z"},
    /* fail2ban courier-smtp annotates 2005 here; 51 min past the reference
     * is more than the 60 s of allowed skew, so it is last year */
    {TZ_CET, REF_F2B, "Aug 14 12:51:04 HOSTNAME", 15, "2004-08-14T10:51:04Z"},
    {"UTC", REF_NOV23, "Nov 2", 0, NULL},
    {"UTC", REF_NOV23, "Nov 22 10:05", 0, NULL},
    {"UTC", REF_NOV23, "Nov 22 10:05:0", 0, NULL},
    {"UTC", REF_NOV23, "Nov 22 10:05:071", 0, NULL},
    {"UTC", REF_NOV23, "Foo 22 10:05:07", 0, NULL},
    {"UTC", REF_NOV23, "nov 22 10:05:07", 0, NULL},
    {"UTC", REF_NOV23, "Nov 32 10:05:07", 0, NULL},
    {"UTC", REF_NOV23, "Nov 00 10:05:07", 0, NULL},
    {"UTC", REF_NOV23, "Feb 30 10:05:07", 0, NULL},
    {"UTC", REF_NOV23, "Nov 22 24:00:00", 0, NULL},
    {"UTC", REF_NOV23, "Nov 22 10:60:00", 0, NULL},
    {"UTC", REF_NOV23, "Nov 22 10:05:61", 0, NULL},
    {"UTC", REF_NOV23, "Nov 22T10:05:07", 0, NULL},
    {"UTC", REF_NOV23, "", 0, NULL},
};

static void
check_stamp(const struct stamp_case *tc, bool iso)
{
    struct mw_timectx c;
    struct mw_time t;
    char buf[48];
    use_tz(tc->tz);
    timectx_init(&c, tc->ref);
    size_t len = strlen(tc->text);
    size_t n = iso ? time_parse_iso(&c, tc->text, len, &t)
                   : time_parse_bsd(&c, tc->text, len, &t);
    ck_assert_msg(n == tc->used, "%s: used %zu, want %zu", tc->text, n,
                  tc->used);
    if (tc->expect == NULL)
        return;
    ck_assert(t.valid);
    ck_assert_str_eq(fmt(&t, buf), tc->expect);
    /* second parse of the same text goes through the cache */
    struct mw_time t2;
    n = iso ? time_parse_iso(&c, tc->text, len, &t2)
            : time_parse_bsd(&c, tc->text, len, &t2);
    ck_assert_uint_eq(n, tc->used);
    ck_assert_str_eq(fmt(&t2, buf), tc->expect);
}

START_TEST(test_bsd_table)
{
    check_stamp(&bsd_cases[_i], false);
}
END_TEST

static const struct stamp_case iso_cases[] = {
    {"UTC", 0, "2024-08-25T10:04:35.051238+00:00 machine", 32,
     "2024-08-25T10:04:35.051238Z"},
    {"UTC", 0, "2025-11-22T10:05:07.123Z mx1", 24, "2025-11-22T10:05:07.123Z"},
    {"UTC", 0, "2025-11-22T10:05:07+0100 mx1", 24, "2025-11-22T09:05:07Z"},
    {"UTC", 0, "2025-11-22T10:05:07.123456+0100", 31,
     "2025-11-22T09:05:07.123456Z"},
    {"UTC", 0, "2025-11-22T10:05:07-05:30", 25, "2025-11-22T15:35:07Z"},
    {"UTC", 0, "2025-11-22t10:05:07z", 20, "2025-11-22T10:05:07Z"},
    {"UTC", 0, "2025-11-22T10:05:07.123456789Z", 30,
     "2025-11-22T10:05:07.123456789Z"},
    {"UTC", 0, "2025-11-22T10:05:07.123456789123Z", 33,
     "2025-11-22T10:05:07.123456789Z"},
    {"UTC", 0, "2024-02-29T12:00:00Z", 20, "2024-02-29T12:00:00Z"},
    /* Exim: local time, " +HHMM" with log_timezone, ".mmm" with millisec;
     * fail2ban exim "2013-06-12 03:57:58 login authenticator failed" */
    {TZ_CET, 0, "2013-06-12 03:57:58 login authenticator", 19,
     "2013-06-12T01:57:58Z"},
    {TZ_CET, 0, "2013-01-04 17:03:46 login", 19, "2013-01-04T16:03:46Z"},
    {"UTC", 0, "2003-04-25 11:17:07 +0100 Start queue run: pid=12762", 25,
     "2003-04-25T10:17:07Z"},
    {"UTC", 0, "2017-07-30 18:51:05.712 H=[V4NET.0.0.0]", 23,
     "2017-07-30T18:51:05.712Z"},
    {"UTC", 0, "2017-07-30 18:51:05.712 -0230 x", 29,
     "2017-07-30T21:21:05.712Z"},
    {"UTC", 0, "2017-07-30 18:51:05 +01 x", 19, "2017-07-30T18:51:05Z"},
    /* a comma as the decimal mark (ISO 8601; log4j, Python logging) */
    {"UTC", 0, "2024-05-11 10:23:45,100 WARN  [x]", 23,
     "2024-05-11T10:23:45.100Z"},
    {"UTC", 0, "2024-05-11T10:23:45,5Z", 22, "2024-05-11T10:23:45.5Z"},
    {"UTC", 0, "2024-05-11T10:23:45Z,x", 20, "2024-05-11T10:23:45Z"},
    {"UTC", 0, "2017-07-30 18:51:05 +01000", 19, "2017-07-30T18:51:05Z"},
    {"UTC", 0, "2025-13-22T10:05:07Z", 0, NULL},
    {"UTC", 0, "2025-02-29T10:05:07Z", 0, NULL},
    {"UTC", 0, "2025-11-00T10:05:07Z", 0, NULL},
    {"UTC", 0, "2025-11-22T10:05Z", 0, NULL},
    {"UTC", 0, "2025-11-22X10:05:07", 0, NULL},
    {"UTC", 0, "2025-11-22T10:05:07+1", 0, NULL},
    {"UTC", 0, "2025-11-22T10:05:07+25:00", 0, NULL},
    {"UTC", 0, "2025-11-22T10:05:07+01:0", 0, NULL},
    {"UTC", 0, "2025-11-22T10:05:071", 0, NULL},
    {"UTC", 0, "2025-11-22T10:05:07.5+0100x", 26, "2025-11-22T09:05:07.5Z"},
    {"UTC", 0, "2025-11-22T10:05:07.5+01001", 0, NULL},
    {"UTC", 0, "2025/11/22T10:05:07Z", 0, NULL},
    {"UTC", 0, "20251122T100507Z", 0, NULL},
};

START_TEST(test_iso_table)
{
    check_stamp(&iso_cases[_i], true);
}
END_TEST

START_TEST(test_iso_null_ctx)
{
    struct mw_time t;
    char buf[48];
    use_tz(TZ_CET);
    ck_assert_uint_eq(time_parse_iso(NULL, "2005-08-14 12:00:00", 19, &t), 19);
    ck_assert_int_eq(t.sec, REF_F2B);
    ck_assert_uint_eq(time_parse_iso(NULL, "2005-08-14T12:00:00Z", 20, &t), 20);
    ck_assert_str_eq(fmt(&t, buf), "2005-08-14T12:00:00Z");
}
END_TEST

START_TEST(test_local_to_utc)
{
    struct mw_timectx c;
    use_tz(TZ_CET);
    timectx_init(&c, 0);
    ck_assert_int_eq(time_local_to_utc(&c, 2005, 8, 14, 12, 0, 0), REF_F2B);
    /* same hour: cached */
    ck_assert_int_eq(time_local_to_utc(&c, 2005, 8, 14, 12, 59, 59),
                     REF_F2B + 3599);
    /* winter time */
    ck_assert_int_eq(time_local_to_utc(&c, 2005, 12, 1, 1, 0, 0),
                     time_days_from_civil(2005, 12, 1) * 86400);
    ck_assert_int_eq(time_local_to_utc(NULL, 2005, 8, 14, 12, 0, 0), REF_F2B);
    use_tz("UTC");
    ck_assert_int_eq(time_local_to_utc(NULL, 1970, 1, 1, 0, 0, 0), 0);
}
END_TEST

START_TEST(test_days_from_civil)
{
    ck_assert_int_eq(time_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(time_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(time_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(time_days_from_civil(2026, 1, 2), 20455);
    ck_assert_int_eq(time_days_from_civil(1600, 1, 1), -135140);
}
END_TEST

START_TEST(test_format)
{
    char buf[48];
    struct mw_time t = {0, 0, 0, true};
    ck_assert_uint_eq(time_format_rfc3339(&t, buf, sizeof buf), 20);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
    t = (struct mw_time){NOW_USER, 123000000, 3, true};
    ck_assert_uint_eq(time_format_rfc3339(&t, buf, sizeof buf), 24);
    ck_assert_str_eq(buf, "2026-11-22T10:05:07.123Z");
    t = (struct mw_time){NOW_USER, 123456, 6, true};
    time_format_rfc3339(&t, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-22T10:05:07.000123Z");
    t = (struct mw_time){-1, 0, 0, true};
    time_format_rfc3339(&t, buf, sizeof buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
    t = (struct mw_time){NOW_USER, 0, 0, true};
    ck_assert_uint_eq(time_format_rfc3339(&t, buf, 20), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_uint_eq(time_format_rfc3339(&t, buf, 21), 20);
    t.valid = false;
    ck_assert_uint_eq(time_format_rfc3339(&t, buf, sizeof buf), 0);
}
END_TEST

/* consecutive stamps: the cache must not leak one line's result into the
 * next, nor outlive a change of ref */
START_TEST(test_cache)
{
    struct mw_timectx c;
    struct mw_time t;
    char buf[48];
    use_tz("UTC");
    timectx_init(&c, REF_NEWYEAR);
    ck_assert_uint_eq(time_parse_bsd(&c, "Jan 4 21:51:05 h", 16, &t), 14);
    ck_assert_uint_eq(time_parse_bsd(&c, "Jan 4 21:51:051", 15, &t), 0);
    ck_assert_uint_eq(time_parse_bsd(&c, "Jan 4 21:51:05.5", 16, &t), 16);
    ck_assert_int_eq(t.frac, 1);
    ck_assert_uint_eq(time_parse_bsd(&c, "Jan 4 21:51:05", 14, &t), 14);
    ck_assert_int_eq(t.frac, 0);
    ck_assert_uint_eq(time_parse_bsd(&c, "Dec 31 10:00:00", 15, &t), 15);
    ck_assert_str_eq(fmt(&t, buf), "2025-12-31T10:00:00Z");
    c.ref = 1799107200; /* 2027-01-05 */
    ck_assert_uint_eq(time_parse_bsd(&c, "Dec 31 10:00:00", 15, &t), 15);
    ck_assert_str_eq(fmt(&t, buf), "2026-12-31T10:00:00Z");
    /* ISO text, then the same text with a zone after it */
    ck_assert_uint_eq(time_parse_iso(&c, "2013-06-12 03:57:58 x", 21, &t), 19);
    ck_assert_uint_eq(time_parse_iso(&c, "2013-06-12 03:57:58 +0100", 25, &t),
                      25);
    ck_assert_str_eq(fmt(&t, buf), "2013-06-12T02:57:58Z");
    /* new seconds on the cached stamp's day, another day, another form */
    static const char *const seq[][2] = {
        {"2025-11-22T10:05:07Z", "2025-11-22T10:05:07Z"},
        {"2025-11-22T23:59:59Z", "2025-11-22T23:59:59Z"},
        {"2025-11-22T00:00:00.5Z", "2025-11-22T00:00:00.5Z"},
        {"2025-11-22T24:00:00Z", NULL},
        {"2025-11-22 10:05:08 +0100", "2025-11-22T09:05:08Z"},
        {"2025-11-23T00:00:00Z", "2025-11-23T00:00:00Z"},
        {"1969-12-31T23:00:00Z", "1969-12-31T23:00:00Z"},
        {"1969-12-31T01:00:00Z", "1969-12-31T01:00:00Z"},
        {"1969-12-31T01:00:00-01:00", "1969-12-31T02:00:00Z"},
    };
    for (size_t k = 0; k < sizeof seq / sizeof seq[0]; k++) {
        size_t len = strlen(seq[k][0]);
        size_t n = time_parse_iso(&c, seq[k][0], len, &t);
        if (seq[k][1] == NULL) {
            ck_assert_uint_eq(n, 0);
            continue;
        }
        ck_assert_uint_eq(n, len);
        ck_assert_str_eq(fmt(&t, buf), seq[k][1]);
    }
}
END_TEST

/* a zero-initialised context with only ref set (the documented use) must
 * not take its zero hour cache for a real entry */
START_TEST(test_zeroed_ctx)
{
    struct mw_timectx c;
    struct mw_time t;
    char buf[48];
    use_tz(TZ_CET);
    memset(&c, 0, sizeof c);
    c.ref = REF_F2B;
    ck_assert_uint_eq(time_parse_iso(&c, "1970-01-01 00:30:00", 19, &t), 19);
    ck_assert_str_eq(fmt(&t, buf), "1969-12-31T23:30:00Z");
    ck_assert_uint_eq(time_parse_bsd(&c, "Aug 10 10:55:38", 15, &t), 15);
    ck_assert_str_eq(fmt(&t, buf), "2005-08-10T08:55:38Z");
}
END_TEST

struct user_case {
    const char *tz;
    const char *text;
    int rc;
    int64_t expect;
};

static const struct user_case user_cases[] = {
    {"UTC", "now", 0, NOW_USER},
    {"UTC", "  now ", 0, NOW_USER},
    {"UTC", "today", 0, NOW_USER - 36307},
    {"UTC", "yesterday", 0, NOW_USER - 36307 - 86400},
    {"UTC", "tomorrow", 0, NOW_USER - 36307 + 86400},
    {TZ_CET, "today", 0, NOW_USER - 36307 - 3600},
    {"UTC", "-2h", 0, NOW_USER - 7200},
    {"UTC", "+30min", 0, NOW_USER + 1800},
    {"UTC", "-1d12h", 0, NOW_USER - 129600},
    {"UTC", "-1w", 0, NOW_USER - 604800},
    {"UTC", "-90", 0, NOW_USER - 90},
    {"UTC", "2 hours ago", 0, NOW_USER - 7200},
    {"UTC", "1d12h ago", 0, NOW_USER - 129600},
    {"UTC", "5 min ago", 0, NOW_USER - 300},
    {"UTC", "1 day 2 hours ago", 0, NOW_USER - 93600},
    {"UTC", "3 weeks left", 0, NOW_USER + 3 * 604800},
    {"UTC", "@1700000000", 0, 1700000000},
    {"UTC", "@0", 0, 0},
    {"UTC", "2026-11-22", 0, NOW_USER - 36307},
    {TZ_CET, "2026-11-22", 0, NOW_USER - 36307 - 3600},
    {"UTC", "2026-11-22T10:05", 0, NOW_USER - 7},
    {"UTC", "2026-11-22 10:05:07", 0, NOW_USER},
    {TZ_CET, "2026-11-22 11:05:07", 0, NOW_USER},
    {"UTC", "2026-11-22T10:05:07.5Z", 0, NOW_USER},
    {TZ_CET, "2026-11-22T10:05:07Z", 0, NOW_USER},
    {"UTC", "2026-11-22T11:05:07+01:00", 0, NOW_USER},
    {"UTC", "2026-11-22 11:05:07 +0100", 0, NOW_USER},
    {"UTC", "2026-11-22 05:05:07-05", 0, NOW_USER},
    {"UTC", "2026-11-22 10:05:07 UTC", 0, NOW_USER},
    {"UTC", "", -1, 0},
    {"UTC", "   ", -1, 0},
    {"UTC", "bogus", -1, 0},
    {"UTC", "Now", -1, 0},
    {"UTC", "-", -1, 0},
    {"UTC", "-2x", -1, 0},
    {"UTC", "-2h ago", -1, 0},
    {"UTC", "ago", -1, 0},
    {"UTC", " ago", -1, 0},
    {"UTC", "h ago", -1, 0},
    {"UTC", "@", -1, 0},
    {"UTC", "@12a", -1, 0},
    {"UTC", "2026-13-01", -1, 0},
    {"UTC", "2026-02-29", -1, 0},
    {"UTC", "2026-11-22T25:00", -1, 0},
    {"UTC", "2026-11-22T10", -1, 0},
    {"UTC", "2026-11-22T10:05:07+1:00", -1, 0},
    {"UTC", "2026-11-22T10:05:07 CET", -1, 0},
    {"UTC", "2026-11-22x", -1, 0},
    {"UTC", "-99999999999999999999s", -1, 0},
};

START_TEST(test_user_table)
{
    const struct user_case *tc = &user_cases[_i];
    int64_t v = -12345;
    use_tz(tc->tz);
    int rc = time_parse_user(tc->text, NOW_USER, &v);
    ck_assert_msg(rc == tc->rc, "\"%s\": rc %d", tc->text, rc);
    if (rc == 0)
        ck_assert_msg(v == tc->expect, "\"%s\": %lld, want %lld", tc->text,
                      (long long)v, (long long)tc->expect);
    else
        ck_assert_int_eq(v, -12345);
}
END_TEST

struct dur_case {
    const char *text;
    int rc;
    int64_t expect;
};

static const struct dur_case dur_cases[] = {
    {"90", 0, 90},         {"90s", 0, 90},
    {"5m", 0, 300},        {"5min", 0, 300},
    {"1h", 0, 3600},       {"1d", 0, 86400},
    {"1w", 0, 604800},     {"1h30m", 0, 5400},
    {"1h 30m", 0, 5400},   {"2 hours", 0, 7200},
    {"1d12h", 0, 129600},  {"10 seconds", 0, 10},
    {"", -1, 0},           {"0", -1, 0},
    {"0s", -1, 0},         {"-5m", -1, 0},
    {"5x", -1, 0},         {"m", -1, 0},
    {"1.5h", -1, 0},       {"5 m 3", 0, 303},
    {"5mm", -1, 0},        {"99999999999999999999", -1, 0},
    {"999999999w", -1, 0},
};

START_TEST(test_duration_table)
{
    const struct dur_case *tc = &dur_cases[_i];
    int64_t v = -1;
    int rc = time_parse_duration(tc->text, &v);
    ck_assert_msg(rc == tc->rc, "\"%s\": rc %d", tc->text, rc);
    if (rc == 0)
        ck_assert_int_eq(v, tc->expect);
}
END_TEST

START_TEST(test_null_inputs)
{
    int64_t v;
    ck_assert_int_eq(time_parse_user(NULL, 0, &v), -1);
    ck_assert_int_eq(time_parse_duration(NULL, &v), -1);
}
END_TEST

/* bytes that are not stamps, and stamps cut at every length: the parsers
 * get exactly-sized heap copies so that ASan sees any over-read */
START_TEST(test_prefixes)
{
    static const char *const texts[] = {
        "Nov 22 10:05:07.123456 mx1",
        "2024-08-25T10:04:35.051238+00:00 x",
        "2003-04-25 11:17:07.123 +0100 x",
        "2025-11-22T10:05:07+01:00",
    };
    struct mw_timectx c;
    struct mw_time t;
    use_tz("UTC");
    timectx_init(&c, REF_NOV23);
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        size_t len = strlen(texts[k]);
        for (size_t n = 0; n <= len; n++) {
            char *p = malloc(n ? n : 1);
            memcpy(p, texts[k], n);
            ck_assert_uint_le(time_parse_bsd(&c, p, n, &t), n);
            ck_assert_uint_le(time_parse_iso(&c, p, n, &t), n);
            free(p);
        }
    }
    char nul[20] = "Nov 22 10:05:07";
    nul[3] = '\0';
    ck_assert_uint_eq(time_parse_bsd(&c, nul, 15, &t), 0);
}
END_TEST

static Suite *
timeparse_suite(void)
{
    Suite *s = suite_create("timeparse");
    TCase *core = tcase_create("core");
    tcase_add_loop_test(core, test_bsd_table, 0,
                        sizeof bsd_cases / sizeof bsd_cases[0]);
    tcase_add_loop_test(core, test_iso_table, 0,
                        sizeof iso_cases / sizeof iso_cases[0]);
    tcase_add_test(core, test_iso_null_ctx);
    tcase_add_test(core, test_local_to_utc);
    tcase_add_test(core, test_days_from_civil);
    tcase_add_test(core, test_format);
    tcase_add_loop_test(core, test_user_table, 0,
                        sizeof user_cases / sizeof user_cases[0]);
    tcase_add_loop_test(core, test_duration_table, 0,
                        sizeof dur_cases / sizeof dur_cases[0]);
    suite_add_tcase(s, core);
    TCase *edge = tcase_create("edge");
    tcase_add_test(edge, test_cache);
    tcase_add_test(edge, test_zeroed_ctx);
    tcase_add_test(edge, test_null_inputs);
    suite_add_tcase(s, edge);
    TCase *hostile = tcase_create("hostile");
    tcase_add_test(hostile, test_prefixes);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(timeparse_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
