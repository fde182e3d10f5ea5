#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialect.h"
#include "timeparse.h"

/* The journal-json, exchange and postlog dialects. Journal lines follow
 * journalctl(1) -o json (FORMATS.md 1.4); Exchange rows follow the headers
 * of FORMATS.md 1.7; the fixtures are tests/data/exchange/. */

#define REF_2026 1795392000 /* 2026-11-23T00:00:00Z */

/* the journalctl -o json entry of FORMATS.md 1.4 */
#define JOURNAL_SAMPLE                                                         \
    "{\"_SYSTEMD_UNIT\":\"postfix@-.service\",\"__CURSOR\":\"s=0fa6;i=1;"      \
    "b=1;m=3e8;t=6442b39f85900;x=f50a\",\"_PID\":\"1234\","                    \
    "\"SYSLOG_FACILITY\":\"2\",\"SYSLOG_PID\":\"1234\","                       \
    "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"PRIORITY\":\"4\","              \
    "\"__MONOTONIC_TIMESTAMP\":\"1000\","                                      \
    "\"__REALTIME_TIMESTAMP\":\"1763802307123456\",\"_BOOT_ID\":\"x\","        \
    "\"MESSAGE\":\"warning: unknown[192.0.2.7]: SASL LOGIN authentication "    \
    "failed: UGFzc3dvcmQ6, sasl_username=admin\",\"_HOSTNAME\":\"mx1\"}"

/* One reader per test; each line is parsed from an exactly-sized copy so
 * that ASan reports any read past its end. */
struct fx {
    const struct mw_dialect *d;
    void *st;
    char *copy;
    struct mw_line line;
    struct mw_record rec;
};

static void
fx_open(struct fx *f, const char *dialect)
{
    setenv("TZ", "UTC", 1);
    tzset();
    f->d = dialect_find(dialect);
    ck_assert_ptr_nonnull(f->d);
    f->st = f->d->open(REF_2026);
    f->copy = NULL;
}

static int
fx_parse_n(struct fx *f, const char *s, size_t n)
{
    free(f->copy);
    f->copy = malloc(n ? n : 1);
    memcpy(f->copy, s, n);
    f->line = (struct mw_line){f->copy, n, 0, 1, false};
    int rc = f->d->parse(f->st, &f->line, &f->rec);
    ck_assert(rc == 0 || rc == 1);
    if (rc == 0)
        ck_assert_ptr_eq(f->rec.line, &f->line);
    return rc;
}

static int
fx_parse(struct fx *f, const char *s)
{
    return fx_parse_n(f, s, strlen(s));
}

static void
fx_close(struct fx *f)
{
    f->d->close(f->st);
    free(f->copy);
}

static void
assert_view(const char *what, const char *got, size_t len, const char *want)
{
    if (want == NULL) {
        ck_assert_msg(got == NULL, "%s should be absent, is \"%.*s\"", what,
                      (int)len, got ? got : "");
        return;
    }
    ck_assert_msg(got != NULL, "%s missing", what);
    ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0,
                  "%s is \"%.*s\", want \"%s\"", what, (int)len, got, want);
}

static void
assert_msg(const struct mw_record *r, const char *want)
{
    assert_view("msg", r->msg, r->msg_len, want);
}

static void
assert_time(const struct mw_record *r, const char *want)
{
    char buf[48];
    if (want == NULL) {
        ck_assert(!r->ts.valid);
        return;
    }
    ck_assert_msg(r->ts.valid, "no time, want %s", want);
    time_format_rfc3339(&r->ts, buf, sizeof buf);
    ck_assert_str_eq(buf, want);
}

/* ------------------------------------------------------------ journal */

START_TEST(test_journal_sample)
{
    struct fx f;
    fx_open(&f, "journal-json");
    ck_assert_int_eq(fx_parse(&f, JOURNAL_SAMPLE), 0);
    ck_assert(f.rec.parsed);
    assert_time(&f.rec, "2025-11-22T09:05:07.123456Z");
    assert_view("host", f.rec.host, f.rec.host_len, "mx1");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "postfix/smtpd");
    assert_view("base", f.rec.prog_base, f.rec.prog_base_len, "smtpd");
    ck_assert_int_eq(f.rec.pid, 1234);
    assert_msg(&f.rec, "warning: unknown[192.0.2.7]: SASL LOGIN authentication "
                       "failed: UGFzc3dvcmQ6, sasl_username=admin");
    fx_close(&f);
}
END_TEST

/* the rules must see the same record as for the syslog form of the entry */
static void
assert_same_as_syslog(const char *json, const char *syslog_line)
{
    struct fx j, s;
    fx_open(&j, "journal-json");
    fx_open(&s, "syslog");
    fx_parse(&j, json);
    fx_parse(&s, syslog_line);
    ck_assert(j.rec.parsed && s.rec.parsed);
    ck_assert_uint_eq(j.rec.msg_len, s.rec.msg_len);
    ck_assert(memcmp(j.rec.msg, s.rec.msg, s.rec.msg_len) == 0);
    ck_assert_uint_eq(j.rec.prog_base_len, s.rec.prog_base_len);
    ck_assert(memcmp(j.rec.prog_base, s.rec.prog_base, s.rec.prog_base_len) ==
              0);
    ck_assert_uint_eq(j.rec.host_len, s.rec.host_len);
    ck_assert_int_eq(j.rec.pid, s.rec.pid);
    fx_close(&j);
    fx_close(&s);
}

START_TEST(test_journal_same_as_syslog)
{
    assert_same_as_syslog(JOURNAL_SAMPLE,
                          "Nov 22 10:05:07 mx1 postfix/smtpd[1234]: warning: "
                          "unknown[192.0.2.7]: SASL LOGIN authentication "
                          "failed: UGFzc3dvcmQ6, sasl_username=admin");
    /* Exim repeats its own stamp and [pid] inside the syslog message */
    assert_same_as_syslog(
        "{\"__REALTIME_TIMESTAMP\":\"1571715557000000\",\"_HOSTNAME\":\"mx1\","
        "\"SYSLOG_IDENTIFIER\":\"exim\",\"SYSLOG_PID\":\"29786\",\"MESSAGE\":"
        "\"2019-10-22 03:39:17 [29786] dovecot_login authenticator failed for "
        "(User) [192.0.2.9]: 535 Incorrect authentication data\"}",
        "Oct 22 03:39:17 mx1 exim[29786]: 2019-10-22 03:39:17 [29786] "
        "dovecot_login authenticator failed for (User) [192.0.2.9]: 535 "
        "Incorrect authentication data");
}
END_TEST

struct esc_case {
    const char *json; /* the MESSAGE value as written in JSON */
    const char *want;
    size_t want_len;
};

static const struct esc_case esc_cases[] = {
    {"a\\nb\\tc", "a\nb\tc", 5},
    {"say \\\"hi\\\" \\\\ \\/", "say \"hi\" \\ /", 12},
    {"\\b\\f\\r.", "\b\f\r.", 4},
    {"caf\\u00e9", "caf\xc3\xa9", 5},
    {"\\u20AC", "\xe2\x82\xac", 3},
    {"\\u0041\\u007a", "Az", 2},
    {"\\ud83d\\ude00!", "\xf0\x9f\x98\x80!", 5},
    {"\\uD834\\uDD1E", "\xf0\x9d\x84\x9e", 4},
    {"x\\ud83dy", "x\xef\xbf\xbdy", 5}, /* lone high surrogate */
    {"x\\ude00y", "x\xef\xbf\xbdy", 5}, /* lone low surrogate */
    {"\\ud83d\\u0041",
     "\xef\xbf\xbd"
     "A",
     4},
    {"a\\u0000b", "a\0b", 3},
    {"raw \xc3\xa9 \xff", "raw \xc3\xa9 \xff", 8},
    {"", "", 0},
    {"trailing\\n", "trailing", 8},
    {"two\\r\\n\\n", "two", 3},
};

START_TEST(test_journal_escapes)
{
    const struct esc_case *tc = &esc_cases[_i];
    char line[256];
    snprintf(line, sizeof line,
             "{\"SYSLOG_IDENTIFIER\":\"t\",\"MESSAGE\":\"%s\"}", tc->json);
    struct fx f;
    fx_open(&f, "journal-json");
    ck_assert_int_eq(fx_parse(&f, line), 0);
    ck_assert_msg(f.rec.parsed, "%s not parsed", line);
    ck_assert_msg(f.rec.msg_len == tc->want_len &&
                      memcmp(f.rec.msg, tc->want, tc->want_len) == 0,
                  "%s: got \"%.*s\"", tc->json, (int)f.rec.msg_len, f.rec.msg);
    fx_close(&f);
}
END_TEST

START_TEST(test_journal_null_and_fallbacks)
{
    struct fx f;
    fx_open(&f, "journal-json");
    /* null (value over 4096 bytes without --all): absent */
    fx_parse(&f, "{\"MESSAGE\":null,\"_HOSTNAME\":null,\"_COMM\":\"smtpd\","
                 "\"_PID\":\"77\",\"__REALTIME_TIMESTAMP\":null,"
                 "\"_SOURCE_REALTIME_TIMESTAMP\":\"1000000\"}");
    ck_assert(f.rec.parsed);
    ck_assert_uint_eq(f.rec.msg_len, 0);
    ck_assert_ptr_nonnull(f.rec.msg);
    ck_assert_ptr_null(f.rec.host);
    assert_view("prog", f.rec.prog, f.rec.prog_len, "smtpd");
    ck_assert_int_eq(f.rec.pid, 77);
    assert_time(&f.rec, "1970-01-01T00:00:01.000000Z");
    /* SYSLOG_* win over the trusted fields whatever the order */
    fx_parse(&f, "{\"_COMM\":\"smtpd\",\"_PID\":\"1\",\"SYSLOG_PID\":\"2\","
                 "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"MESSAGE\":\"m\"}");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "postfix/smtpd");
    ck_assert_int_eq(f.rec.pid, 2);
    assert_time(&f.rec, NULL);
    /* bad numbers: no time, no pid */
    fx_parse(&f, "{\"__REALTIME_TIMESTAMP\":\"12x\",\"SYSLOG_PID\":\"-3\","
                 "\"MESSAGE\":\"m\"}");
    ck_assert(f.rec.parsed);
    assert_time(&f.rec, NULL);
    ck_assert_int_eq(f.rec.pid, -1);
    ck_assert_ptr_null(f.rec.prog);
    fx_parse(&f, "{\"SYSLOG_PID\":\"12345678901\",\"MESSAGE\":\"m\"}");
    ck_assert_int_eq(f.rec.pid, -1);
    /* the first of duplicate keys, an empty object */
    fx_parse(&f, "{\"MESSAGE\":\"one\",\"MESSAGE\":\"two\"}");
    assert_msg(&f.rec, "one");
    fx_parse(&f, " {} ");
    ck_assert(f.rec.parsed);
    ck_assert_uint_eq(f.rec.msg_len, 0);
    /* json-seq: RS before each object */
    fx_parse(&f, "\x1e{\"MESSAGE\":\"seq\"}");
    assert_msg(&f.rec, "seq");
    fx_close(&f);
}
END_TEST

START_TEST(test_journal_arrays)
{
    struct fx f;
    fx_open(&f, "journal-json");
    /* repeated field: the first string */
    fx_parse(&f, "{\"MESSAGE\":[\"first\",\"second\"],\"_HOSTNAME\":[null,"
                 "\"h2\"],\"SYSLOG_IDENTIFIER\":[{\"x\":1},\"postfix/qmgr\"]}");
    assert_msg(&f.rec, "first");
    assert_view("host", f.rec.host, f.rec.host_len, "h2");
    assert_view("base", f.rec.prog_base, f.rec.prog_base_len, "qmgr");
    /* non-UTF-8 value: an array of byte numbers */
    fx_parse(&f, "{\"MESSAGE\":[119, 97,255 ,0,10]}");
    ck_assert_uint_eq(f.rec.msg_len, 4);
    ck_assert(memcmp(f.rec.msg, "wa\xff\0", 4) == 0);
    /* a repeated non-UTF-8 field: the first byte array */
    fx_parse(&f, "{\"MESSAGE\":[[104,105],\"x\"]}");
    assert_msg(&f.rec, "hi");
    /* numbers that are no bytes: absent */
    fx_parse(&f, "{\"MESSAGE\":[1,256]}");
    ck_assert(f.rec.parsed);
    ck_assert_uint_eq(f.rec.msg_len, 0);
    fx_parse(&f, "{\"MESSAGE\":[1.0,2]}");
    ck_assert_uint_eq(f.rec.msg_len, 0);
    fx_parse(&f, "{\"MESSAGE\":[-1]}");
    ck_assert_uint_eq(f.rec.msg_len, 0);
    fx_parse(&f, "{\"MESSAGE\":[]}");
    ck_assert(f.rec.parsed);
    ck_assert_uint_eq(f.rec.msg_len, 0);
    /* other value types: absent */
    fx_parse(&f, "{\"MESSAGE\":12,\"_HOSTNAME\":true,\"_COMM\":{}}");
    ck_assert(f.rec.parsed);
    ck_assert_uint_eq(f.rec.msg_len, 0);
    ck_assert_ptr_null(f.rec.host);
    ck_assert_ptr_null(f.rec.prog);
    fx_close(&f);
}
END_TEST

/* not one well-formed object: the whole line, unparsed */
static const char *const bad_json[] = {
    "",
    "{",
    "{\"MESSAGE\"",
    "{\"MESSAGE\":",
    "{\"MESSAGE\":\"x\"",
    "{\"MESSAGE\":\"x\",}",
    "{\"MESSAGE\":\"x\"} junk",
    "{\"MESSAGE\":\"x\"}{}",
    "{\"MESSAGE\":\"bad \\x escape\"}",
    "{\"MESSAGE\":\"short \\u12\"}",
    "{\"MESSAGE\":\"short \\u12G4\"}",
    "{\"MESSAGE\":\"raw\ttab\"}",
    "{\"MESSAGE\":\"ends with backslash\\",
    "{\"MESSAGE\" \"x\"}",
    "{MESSAGE:\"x\"}",
    "{'MESSAGE':'x'}",
    "{\"MESSAGE\":01}",
    "{\"MESSAGE\":1e}",
    "{\"MESSAGE\":-}",
    "{\"MESSAGE\":1.}",
    "{\"MESSAGE\":nul}",
    "{\"MESSAGE\":[1,]}",
    "{\"MESSAGE\":[1 2]}",
    "{\"a\":{\"b\":}}",
    "[\"MESSAGE\",\"x\"]",
    "\"MESSAGE\"",
    "Nov 22 10:05:07 mx1 postfix/smtpd[1]: {\"MESSAGE\":\"x\"}",
};

START_TEST(test_journal_bad)
{
    const char *s = bad_json[_i];
    struct fx f;
    fx_open(&f, "journal-json");
    ck_assert_int_eq(fx_parse(&f, s), 0);
    ck_assert_msg(!f.rec.parsed, "%s parsed", s);
    ck_assert_ptr_eq(f.rec.msg, f.copy);
    ck_assert_uint_eq(f.rec.msg_len, strlen(s));
    ck_assert_ptr_null(f.rec.prog);
    ck_assert(!f.rec.ts.valid);
    fx_close(&f);
}
END_TEST

/* s appended to buf at o (cap bytes in all): the new length */
static size_t
put_str(char *buf, size_t o, size_t cap, const char *s)
{
    size_t n = strlen(s);
    ck_assert(o + n < cap);
    memcpy(buf + o, s, n);
    buf[o + n] = '\0';
    return o + n;
}

/* nesting: skipped values may nest 32 deep, not deeper */
START_TEST(test_journal_nesting)
{
    char line[512];
    struct fx f;
    fx_open(&f, "journal-json");
    for (int obj = 0; obj < 2; obj++)
        for (int depth = 1; depth <= 40; depth++) {
            size_t o = put_str(line, 0, sizeof line, "{\"X\":");
            for (int k = 0; k < depth; k++)
                o = put_str(line, o, sizeof line,
                            !obj            ? "["
                            : k < depth - 1 ? "{\"k\":"
                                            : "{");
            for (int k = 0; k < depth; k++)
                o = put_str(line, o, sizeof line, obj ? "}" : "]");
            o = put_str(line, o, sizeof line, ",\"MESSAGE\":\"m\"}");
            fx_parse_n(&f, line, o);
            ck_assert_msg(f.rec.parsed == (depth <= 32), "%s: parsed %d", line,
                          f.rec.parsed);
            if (f.rec.parsed)
                assert_msg(&f.rec, "m");
        }
    /* a million opening brackets */
    size_t n = 1u << 20;
    char *p = malloc(n);
    memcpy(p, "{\"X\":", 5);
    memset(p + 5, '[', n - 5);
    fx_parse_n(&f, p, n);
    ck_assert(!f.rec.parsed);
    free(p);
    fx_close(&f);
}
END_TEST

/* every prefix of a valid entry: only the whole one parses */
START_TEST(test_journal_prefixes)
{
    static const char entry[] =
        "{\"SYSLOG_IDENTIFIER\":\"a\\/b\",\"MESSAGE\":[\"x\\ud83d\\ude00\","
        "[1,2]],\"_HOSTNAME\":\"h\",\"_X\":[{\"y\":[true,false,null,-1.5e+3]}]"
        ",\"__REALTIME_TIMESTAMP\":\"1\"}";
    struct fx f;
    fx_open(&f, "journal-json");
    for (size_t n = 0; n < sizeof entry - 1; n++) {
        fx_parse_n(&f, entry, n);
        ck_assert_msg(!f.rec.parsed, "prefix %zu parsed", n);
        ck_assert_uint_eq(f.rec.msg_len, n);
    }
    fx_parse_n(&f, entry, sizeof entry - 1);
    ck_assert(f.rec.parsed);
    ck_assert_uint_eq(f.rec.msg_len, 5);
    ck_assert(memcmp(f.rec.msg, "x\xf0\x9f\x98\x80", 5) == 0);
    assert_view("base", f.rec.prog_base, f.rec.prog_base_len, "b");
    fx_close(&f);
}
END_TEST

/* one reader, lines of growing and shrinking size: the buffer follows */
START_TEST(test_journal_sizes)
{
    struct fx f;
    fx_open(&f, "journal-json");
    for (int round = 0; round < 3; round++) {
        size_t sizes[] = {1u << 20, 10, 70000, 0, 300};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            size_t m = sizes[k], n = m + 14;
            char *p = malloc(n);
            memcpy(p, "{\"MESSAGE\":\"", 12);
            memset(p + 12, 'a' + (int)k, m);
            memcpy(p + 12 + m, "\"}", 2);
            fx_parse_n(&f, p, n);
            free(p);
            ck_assert(f.rec.parsed);
            ck_assert_uint_eq(f.rec.msg_len, m);
            size_t same = 0;
            while (same < m && f.rec.msg[same] == 'a' + (int)k)
                same++;
            ck_assert_uint_eq(same, m);
        }
    }
    fx_close(&f);
}
END_TEST

START_TEST(test_journal_every_byte)
{
    static const char base[] =
        "{\"MESSAGE\":\"m\\u00e9\",\"_HOSTNAME\":[1,2],\"_PID\":\"3\"}";
    char line[sizeof base];
    struct fx f;
    fx_open(&f, "journal-json");
    for (size_t at = 0; at < sizeof base - 1; at++)
        for (int b = 0; b < 256; b++) {
            memcpy(line, base, sizeof base);
            line[at] = (char)b;
            fx_parse_n(&f, line, sizeof base - 1);
            if (!f.rec.parsed) {
                ck_assert_ptr_eq(f.rec.msg, f.copy);
                continue;
            }
            ck_assert(f.rec.msg_len <= sizeof base);
            if (f.rec.host)
                ck_assert(f.rec.host_len <= sizeof base);
        }
    fx_close(&f);
}
END_TEST

/* ------------------------------------------------------------ exchange */

#define X_RECV_FIELDS                                                          \
    "#Fields: date-time,connector-id,session-id,sequence-number,"              \
    "local-endpoint,remote-endpoint,event,data,context"
#define X_TRK_FIELDS                                                           \
    "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,"  \
    "source-context,connector-id,source,event-id,internal-message-id,"         \
    "message-id,network-message-id,recipient-address,recipient-status,"        \
    "total-bytes,recipient-count,related-recipient-address,reference,"         \
    "message-subject,sender-address,return-path,message-info,"                 \
    "directionality,tenant-id,original-client-ip,original-server-ip,"          \
    "custom-data,transport-traffic-type,log-id,schema-version"

static void
xparse_ok(struct fx *f, const char *row, const char *prog, const char *ts,
          const char *msg)
{
    ck_assert_int_eq(fx_parse(f, row), 0);
    ck_assert_msg(f->rec.parsed, "%s not parsed", row);
    assert_view("prog", f->rec.prog, f->rec.prog_len, prog);
    assert_view("base", f->rec.prog_base, f->rec.prog_base_len, prog);
    assert_time(&f->rec, ts);
    ck_assert_int_eq(f->rec.pid, -1);
    assert_msg(&f->rec, msg);
}

START_TEST(test_exchange_headers)
{
    struct fx f;
    fx_open(&f, "exchange");
    ck_assert_int_eq(fx_parse(&f, "\xEF\xBB\xBF#Software: Microsoft Exchange "
                                  "Server"),
                     1);
    ck_assert_int_eq(fx_parse(&f, "#Version: 15.0.0.0"), 1);
    ck_assert_int_eq(fx_parse(&f, "#Log-type: SMTP Receive Protocol Log"), 1);
    ck_assert_int_eq(fx_parse(&f, "#Date: 2019-01-25T00:00:02.512Z"), 1);
    ck_assert_int_eq(fx_parse(&f, X_RECV_FIELDS), 1);
    xparse_ok(&f,
              "2019-01-25T00:03:58.478Z,TAIL-EXCH-1\\Internet Mail,"
              "08D675E58CA1DA38,0,10.0.0.6:25,185.234.217.220:61061,+,,",
              "exchange-receive", "2019-01-25T00:03:58.478Z",
              "client=185.234.217.220 port=61061 session=08D675E58CA1DA38 +");
    assert_view("host", f.rec.host, f.rec.host_len, "TAIL-EXCH-1");
    /* quoted data with commas and doubled quotes, then a context */
    xparse_ok(&f,
              "2019-01-25T00:03:58.500Z,TAIL-EXCH-1\\Internet Mail,"
              "08D675E58CA1DA38,1,10.0.0.6:25,185.234.217.220:61061,>,"
              "\"220 mx, \"\"ready\"\", at Fri, 25 Jan\",\"ctx, here\"",
              "exchange-receive", "2019-01-25T00:03:58.500Z",
              "client=185.234.217.220 port=61061 session=08D675E58CA1DA38 > "
              "220 mx, \"ready\", at Fri, 25 Jan | ctx, here");
    fx_close(&f);
}
END_TEST

/* IIS W3C extended logs (Exchange 2003, IIS SMTP service): rows after the
 * "#Fields: date time ..." header are space-separated, stamped in UTC */
#define W3C_FIELDS                                                             \
    "#Fields: date time c-ip cs-username s-sitename s-computername s-ip "      \
    "s-port cs-method cs-uri-stem cs-uri-query sc-status sc-win32-status "     \
    "sc-bytes cs-bytes time-taken cs-version cs-host cs(User-Agent) "          \
    "cs(Cookie) cs(Referer)"

START_TEST(test_exchange_w3c)
{
    struct fx f;
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    fx_open(&f, "exchange");
    ck_assert_int_eq(
        fx_parse(&f, "#Software: Microsoft Internet Information Services 6.0"),
        1);
    ck_assert_int_eq(fx_parse(&f, "#Date: 2006-10-09 14:04:46"), 1);
    ck_assert_int_eq(fx_parse(&f, W3C_FIELDS), 1);
    xparse_ok(&f,
              "2006-10-09 14:04:46 192.0.2.117 - SMTPSVC1 MEE-PDC 192.168.1.2 "
              "0 RCPT -> +x.example 550 0 32 23 0 SMTP - - - -",
              "iis", "2006-10-09T14:04:46Z",
              "192.0.2.117 - SMTPSVC1 MEE-PDC 192.168.1.2 0 RCPT -> +x.example "
              "550 0 32 23 0 SMTP - - - -");
    /* a row without its stamp is not a record */
    ck_assert_int_eq(fx_parse(&f, "2006-10-09 14:04"), 0);
    ck_assert(!f.rec.parsed);
    ck_assert_int_eq(fx_parse(&f, "2006-13-09 14:04:46 192.0.2.1 x"), 0);
    ck_assert(!f.rec.parsed);
    /* the next file of a concatenation is CSV again */
    ck_assert_int_eq(fx_parse(&f, "#Software: Microsoft Exchange Server"), 1);
    ck_assert_int_eq(fx_parse(&f, X_RECV_FIELDS), 1);
    xparse_ok(&f,
              "2019-01-25T00:03:58.478Z,TAIL-EXCH-1\\Internet Mail,"
              "08D675E58CA1DA38,0,10.0.0.6:25,185.234.217.220:61061,+,,",
              "exchange-receive", "2019-01-25T00:03:58.478Z",
              "client=185.234.217.220 port=61061 session=08D675E58CA1DA38 +");
    fx_close(&f);
    setenv("TZ", "UTC", 1);
    tzset();
}
END_TEST

/* IMAP4/POP3 protocol logs: camelCase columns, the client in cIp; the
 * program from "#Log-type:", else from the local port */
START_TEST(test_exchange_mailbox)
{
    struct fx f;
    fx_open(&f, "exchange");
    ck_assert_int_eq(fx_parse(&f, "#Log-type: IMAP4 Protocol Log"), 1);
    ck_assert_int_eq(
        fx_parse(&f, "#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,"
                     "duration,rqsize,rpsize,command,parameters,context"),
        1);
    xparse_ok(&f,
              "2022-07-20T21:28:50.530Z,000000000000000E,2,192.0.2.10:143,"
              "203.0.113.60:35070,testuser,168,31,31,authenticate,PLAIN,"
              "\"R=\"\"2 NO AUTHENTICATE failed.\"\"\"",
              "exchange-imap", "2022-07-20T21:28:50.530Z",
              "client=203.0.113.60 port=35070 session=000000000000000E "
              "user=testuser authenticate PLAIN | R=\"2 NO AUTHENTICATE "
              "failed.\"");
    fx_close(&f);
    /* no header at all: 13 columns, a POP3 port */
    fx_open(&f, "exchange");
    xparse_ok(&f,
              "2022-07-20T21:30:01.000Z,0000000000000A1B,4,192.0.2.10:995,"
              "[2001:db8::7]:50123,bob,12,20,60,pass, ********,"
              "R=-ERR Logon failure: unknown user name or bad password.,",
              "exchange-pop", "2022-07-20T21:30:01.000Z",
              "client=2001:db8::7 port=50123 session=0000000000000A1B "
              "user=bob pass ******** | R=-ERR Logon failure: unknown user "
              "name or bad password.");
    fx_close(&f);
}
END_TEST

START_TEST(test_exchange_session_carry)
{
    struct fx f;
    fx_open(&f, "exchange");
    fx_parse(&f, "#Log-type: SMTP Receive Protocol Log");
    fx_parse(&f, X_RECV_FIELDS);
    xparse_ok(&f,
              "2022-07-20T21:12:06.270Z,EX\\Default,08DA4F7C11473A60,9,"
              "192.168.9.241:25,192.168.9.212:53722,>,535 5.7.3 "
              "Authentication unsuccessful,",
              "exchange-receive", "2022-07-20T21:12:06.270Z",
              "client=192.168.9.212 port=53722 session=08DA4F7C11473A60 > 535 "
              "5.7.3 Authentication unsuccessful");
    /* another session in between */
    fx_parse(&f, "2022-07-20T21:12:06.280Z,EX\\Default,08DA4F7C11473A61,0,"
                 "192.168.9.241:25,[2001:db8::5]:40000,+,,");
    assert_msg(&f.rec,
               "client=2001:db8::5 port=40000 session=08DA4F7C11473A61 +");
    /* no endpoints: the session's */
    xparse_ok(&f,
              "2022-07-20T21:12:06.290Z,EX\\Default,08DA4F7C11473A60,10,,,*,,"
              "Inbound AUTH LOGIN failed because of LogonDenied",
              "exchange-receive", "2022-07-20T21:12:06.290Z",
              "client=192.168.9.212 port=53722 session=08DA4F7C11473A60 * "
              "Inbound AUTH LOGIN failed because of LogonDenied");
    fx_parse(&f, "2022-07-20T21:12:06.291Z,EX\\Default,08DA4F7C11473A61,1,,,"
                 "*,,x");
    assert_msg(&f.rec,
               "client=2001:db8::5 port=40000 session=08DA4F7C11473A61 * x");
    /* an unknown session has no endpoint to carry */
    fx_parse(&f, "2022-07-20T21:12:06.292Z,EX\\Default,08DA4F7C11473AFF,1,,,"
                 "*,,x");
    assert_msg(&f.rec, "session=08DA4F7C11473AFF * x");
    /* the endpoint changes when the session's rows say so */
    fx_parse(&f, "2022-07-20T21:12:06.293Z,EX\\Default,08DA4F7C11473A60,11,"
                 "192.168.9.241:25,192.168.9.99:1,<,QUIT,");
    fx_parse(&f, "2022-07-20T21:12:06.294Z,EX\\Default,08DA4F7C11473A60,12,,,"
                 "-,,Local");
    assert_msg(&f.rec, "client=192.168.9.99 port=1 session=08DA4F7C11473A60 - "
                       "Local");
    /* many sessions: the cache is bounded, nothing breaks */
    char row[160];
    for (int k = 0; k < 20000; k++) {
        snprintf(row, sizeof row,
                 "2022-07-20T21:13:00.000Z,EX\\D,S%015d,0,"
                 "192.0.2.1:25,198.51.100.%d:%d,+,,",
                 k, k % 250, 1024 + k);
        fx_parse(&f, row);
        ck_assert(f.rec.parsed);
    }
    snprintf(row, sizeof row, "2022-07-20T21:13:01.000Z,EX\\D,S%015d,1,,,*,,y",
             19999);
    fx_parse(&f, row);
    assert_msg(&f.rec, "client=198.51.100.249 port=21023 "
                       "session=S000000000019999 * y");
    fx_close(&f);
}
END_TEST

/* the same row under differently ordered headers gives the same record */
START_TEST(test_exchange_field_order)
{
    struct fx f;
    fx_open(&f, "exchange");
    fx_parse(&f, "#Fields: context,data,event,remote-endpoint,local-endpoint,"
                 "sequence-number,session-id,connector-id,date-time");
    xparse_ok(&f,
              "\"Failed to connect. Winsock error code: 10061, Win32 error "
              "code: 10061\",,*,198.51.100.25:25,,1,08DA4F7C11473B01,"
              "Outbound to Internet,2022-07-20T22:00:01.000Z",
              "exchange-send", "2022-07-20T22:00:01.000Z",
              "remote=198.51.100.25 port=25 session=08DA4F7C11473B01 * Failed "
              "to connect. Winsock error code: 10061, Win32 error code: 10061");
    ck_assert_ptr_null(f.rec.host);
    /* spaces around names, unknown extra columns */
    fx_parse(&f, "#Fields: extra , date-time , session-id,event ,data,"
                 "remote-endpoint");
    xparse_ok(&f, "e,2022-07-20T22:00:02.5Z,S1,<,250 OK,192.0.2.1:2525",
              "exchange-send", "2022-07-20T22:00:02.5Z",
              "remote=192.0.2.1 port=2525 session=S1 < 250 OK");
    /* a row with fewer columns than the header */
    xparse_ok(&f, "e,2022-07-20T22:00:03Z,S1,*", "exchange-send",
              "2022-07-20T22:00:03Z",
              "remote=192.0.2.1 port=2525 session=S1 *");
    fx_close(&f);
}
END_TEST

START_TEST(test_exchange_direction)
{
    struct fx f;
    fx_open(&f, "exchange");
    fx_parse(&f, X_RECV_FIELDS);
    /* no #Log-type: a "SERVER\Name" connector is a receive connector */
    fx_parse(&f, "2024-01-25T15:14:39.031Z,NETBIOS\\Default Frontend NETBIOS,"
                 "08DC1DB8591B229A,2,10.11.12.13:25,10.11.12.14:53228,<,EHLO "
                 "mgt.my.domain.tld,");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "exchange-receive");
    fx_parse(&f, "2024-01-25T15:14:39.460Z,Inbound Proxy Internal Send "
                 "Connector,08DC1DB8591B22A0,1,,10.11.12.13:2525,*,,attempting "
                 "to connect");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "exchange-send");
    assert_msg(&f.rec, "remote=10.11.12.13 port=2525 session=08DC1DB8591B22A0 "
                       "* attempting to connect");
    /* no connector: the listening port is the local one on receive */
    fx_parse(&f,
             "2024-01-25T15:14:40Z,,S2,0,192.0.2.1:587,192.0.2.9:50000,+,,");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "exchange-receive");
    fx_parse(&f, "2024-01-25T15:14:40Z,,S3,0,192.0.2.1:50000,192.0.2.9:25,+,,");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "exchange-send");
    /* #Log-type wins over the connector */
    fx_parse(&f, "#Log-type: SMTP Send Protocol Log");
    fx_parse(&f, "2024-01-25T15:14:41Z,A\\B,S4,0,,192.0.2.9:25,+,,");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "exchange-send");
    ck_assert_ptr_null(f.rec.host);
    /* a new file's header forgets the old type */
    fx_parse(&f, "#Software: Microsoft Exchange Server");
    fx_parse(&f, "2024-01-25T15:14:42Z,A\\B,S5,0,,192.0.2.9:1234,+,,");
    assert_view("prog", f.rec.prog, f.rec.prog_len, "exchange-receive");
    assert_view("host", f.rec.host, f.rec.host_len, "A");
    fx_close(&f);
}
END_TEST

START_TEST(test_exchange_tracking)
{
    struct fx f;
    fx_open(&f, "exchange");
    fx_parse(&f, "#Log-type: Message Tracking Log");
    ck_assert_int_eq(fx_parse(&f, X_TRK_FIELDS), 1);
    xparse_ok(
        &f,
        "2024-01-25T15:16:10.100Z,203.0.113.45,mail.example.net,192.0.2.10,"
        "EXCHANGE-1,\"a;b, c\",EX\\Default,SMTP,FAIL,7091,<a2@example.net>,"
        "1e6e,nobody@example.com,550 5.1.1 RESOLVER.ADR.RecipNotFound; not "
        "found,7229,1,,,\"Re: lunch, today, \"\"the usual\"\" place\","
        "bob@example.net,bob@example.net,,Incoming,,,,,,,15.02.0330.005",
        "exchange-tracking", "2024-01-25T15:16:10.100Z",
        "event=FAIL client=203.0.113.45 server=192.0.2.10 source=SMTP "
        "sender=bob@example.net recipient=nobody@example.com status=550 5.1.1 "
        "RESOLVER.ADR.RecipNotFound; not found");
    assert_view("host", f.rec.host, f.rec.host_len, "EXCHANGE-1");
    /* empty columns are left out; a sender with a space is no token */
    xparse_ok(&f,
              "2024-01-25T15:16:11Z,,,,,,,,DEFER,,,,x@example.org,,,,,,,"
              "\"a b\"@example.net",
              "exchange-tracking", "2024-01-25T15:16:11Z",
              "event=DEFER recipient=x@example.org status=");
    ck_assert_ptr_null(f.rec.host);
    fx_close(&f);
}
END_TEST

/* rows with no #Fields line: the usual header for that many columns */
START_TEST(test_exchange_headerless)
{
    struct fx f;
    fx_open(&f, "exchange");
    /* unknown shape: kept whole */
    fx_parse(&f, "2024-01-25T15:16:09.843Z,a,b");
    ck_assert(!f.rec.parsed);
    fx_parse(&f, "not a stamp,a,b,c,d,e,f,g,h");
    ck_assert(!f.rec.parsed);
    /* elastic/integrations sample_logs/smtp_SmtpSend.log */
    xparse_ok(&f,
              "2024-01-25T15:14:39.460Z,Inbound Proxy Internal Send Connector,"
              "08DC1DB8591B22A0,1,,10.11.12.13:2525,*,,attempting to connect",
              "exchange-send", "2024-01-25T15:14:39.460Z",
              "remote=10.11.12.13 port=2525 session=08DC1DB8591B22A0 * "
              "attempting to connect");
    fx_close(&f);

    /* 30 columns: Exchange 2013-2019 tracking (elastic/integrations
     * test-messagetracking.log, shortened values) */
    fx_open(&f, "exchange");
    xparse_ok(&f,
              "2024-01-25T15:16:09.843Z,,,,exchange-mail,No suitable shadow "
              "servers,,SMTP,HAREDIRECTFAIL,7097,<m@h>,2fd3,mailuser@my.domain."
              "com,,15054,1,,,Undelivered Mail,MAILER-DAEMON@h,root@h,,"
              "Incoming,,,,S:DeliveryPriority=Normal,Email,dc69,15.02.0330.005",
              "exchange-tracking", "2024-01-25T15:16:09.843Z",
              "event=HAREDIRECTFAIL source=SMTP sender=MAILER-DAEMON@h "
              "recipient=mailuser@my.domain.com status=");
    assert_view("host", f.rec.host, f.rec.host_len, "exchange-mail");
    fx_close(&f);

    /* 26 columns: Exchange 2010 */
    fx_open(&f, "exchange");
    xparse_ok(&f,
              "2011-03-01T10:00:00.000Z,192.0.2.5,c,192.0.2.6,EX2010,,,SMTP,"
              "FAIL,1,<m@h>,r@example.com,550 5.2.2 mailbox full,1,1,,,subj,"
              "s@example.com,s@example.com,,Incoming,,,,",
              "exchange-tracking", "2011-03-01T10:00:00.000Z",
              "event=FAIL client=192.0.2.5 server=192.0.2.6 source=SMTP "
              "sender=s@example.com recipient=r@example.com status=550 5.2.2 "
              "mailbox full");
    fx_close(&f);
}
END_TEST

START_TEST(test_exchange_other_and_bad)
{
    struct fx f;
    fx_open(&f, "exchange");
    /* a layout that is neither protocol nor tracking (connectivity log) */
    fx_parse(&f, "#Fields: date-time,session,source,Destination,direction,"
                 "description");
    xparse_ok(&f,
              "2024-01-25T15:00:00Z,08D1,SMTP,example.org,>,\"Failed "
              "connection, 10060\"",
              "exchange", "2024-01-25T15:00:00Z",
              "08D1,SMTP,example.org,>,Failed connection, 10060");
    /* rows whose stamp is not one */
    static const char *const bad[] = {
        "",
        "x",
        ",,,",
        "2024-01-25,a,b,c,d,e",
        "2024-01-25T15:00:00Zjunk,a",
        "\xEF\xBB\xBF",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_int_eq(fx_parse(&f, bad[k]), 0);
        ck_assert_msg(!f.rec.parsed, "%s parsed", bad[k]);
        ck_assert_ptr_eq(f.rec.msg, f.copy);
        ck_assert_uint_eq(f.rec.msg_len, strlen(bad[k]));
        ck_assert(!f.rec.ts.valid);
    }
    /* a quoted stamp is still a stamp, even with its quote left open */
    fx_parse(&f, "\"2024-01-25T15:00:00Z\",a");
    ck_assert(f.rec.parsed);
    fx_parse(&f, "\"2024-01-25T15:00:00Z");
    ck_assert(f.rec.parsed);
    /* a header without date-time: rows are kept whole */
    ck_assert_int_eq(fx_parse(&f, "#Fields: a,b"), 1);
    fx_parse(&f, "2024-01-25T15:00:00Z,x");
    ck_assert(!f.rec.parsed);
    fx_close(&f);
}
END_TEST

START_TEST(test_exchange_hostile)
{
    struct fx f;
    fx_open(&f, "exchange");
    fx_parse(&f, X_RECV_FIELDS);
    /* an unterminated quote runs to the end of the row */
    fx_parse(&f, "2024-01-25T15:00:00Z,A\\B,S,0,,192.0.2.1:5,*,\"open, "
                 "quote,ctx");
    assert_msg(&f.rec, "client=192.0.2.1 port=5 session=S * open, quote,ctx");
    /* bytes after a closing quote are kept */
    fx_parse(&f, "2024-01-25T15:00:00Z,A\\B,S,0,,192.0.2.1:5,*,\"a\"b,");
    assert_msg(&f.rec, "client=192.0.2.1 port=5 session=S * ab");
    /* endpoints that are no tokens, odd IPv6 forms */
    fx_parse(&f, "2024-01-25T15:00:00Z,A\\B,T,0,,bad endpoint,*,,x");
    assert_msg(&f.rec, "session=T * x");
    fx_parse(&f, "2024-01-25T15:00:00Z,A\\B,U,0,,[2001:db8::1,*,,x");
    assert_msg(&f.rec, "client=[2001:db8::1 session=U * x");
    fx_parse(&f, "2024-01-25T15:00:00Z,A\\B,V,0,,2001:db8::1,*,,x");
    assert_msg(&f.rec, "client=2001:db8::1 session=V * x");
    fx_parse(&f, "2024-01-25T15:00:00Z,A\\B,W,0,,[::1]:,*,,x");
    assert_msg(&f.rec, "client=::1 session=W * x");
    /* NUL bytes in the data, 100 columns */
    static const char nul[] =
        "2024-01-25T15:00:00Z,A\\B,X,0,,192.0.2.1:5,*,a\0b,";
    fx_parse_n(&f, nul, sizeof nul - 1);
    ck_assert_uint_eq(f.rec.msg_len, 39);
    ck_assert(memcmp(f.rec.msg + 35, " a\0b", 4) == 0);
    char row[400] = "2024-01-25T15:00:00Z,A\\B,Y,0,,192.0.2.1:5,*,d,c";
    for (int k = 0; k < 100; k++)
        strcat(row, ",z");
    fx_parse(&f, row);
    assert_msg(&f.rec, "client=192.0.2.1 port=5 session=Y * d | c");
    /* a huge row */
    size_t n = 1u << 20;
    char *p = malloc(n);
    memset(p, ',', n);
    memcpy(p, "2024-01-25T15:00:00Z", 20);
    fx_parse_n(&f, p, n);
    ck_assert(f.rec.parsed);
    memset(p, '"', n);
    fx_parse_n(&f, p, n);
    ck_assert(!f.rec.parsed);
    free(p);
    fx_close(&f);
}
END_TEST

/* every prefix of header and rows, and every byte at every place */
START_TEST(test_exchange_prefixes)
{
    static const char *const rows[] = {
        "\xEF\xBB\xBF#Fields: date-time,session-id,event,data,remote-endpoint",
        "2024-01-25T15:00:00.123Z,S,*,\"a,\"\"b\"\"\",[2001:db8::1]:25",
        X_TRK_FIELDS,
        ("2024-01-25T15:00:00.123Z,1.2.3.4,h,5.6.7.8,s,\"c,d\",x,SMTP,FAIL,1,"
         "m,n,r@x,\"550 5.1.1 a,b\",1,1,,,\"s,u\",f@x"),
    };
    struct fx f;
    fx_open(&f, "exchange");
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        size_t len = strlen(rows[k]);
        for (size_t n = 0; n <= len; n++)
            fx_parse_n(&f, rows[k], n);
        char *line = malloc(len);
        for (size_t at = 0; at < len; at++)
            for (int b = 0; b < 256; b += 3) {
                memcpy(line, rows[k], len);
                line[at] = (char)b;
                fx_parse_n(&f, line, len);
            }
        free(line);
        fx_parse(&f, rows[k]);
    }
    ck_assert(f.rec.parsed);
    assert_msg(&f.rec, "event=FAIL client=1.2.3.4 server=5.6.7.8 source=SMTP "
                       "sender=f@x recipient=r@x status=550 5.1.1 a,b");
    fx_close(&f);
}
END_TEST

/* the fixture files, read like the line reader does (CR before LF cut) */
static char *
read_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("MW_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/exchange/%s", dir ? dir : ".",
             name);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, fp);
    fclose(fp);
    return buf;
}

START_TEST(test_exchange_fixtures)
{
    static const struct {
        const char *file;
        size_t headers, rows;
        int lineno; /* a row to look at */
        const char *ts, *msg;
    } fx_files[] = {
        {"RECV2022072021-1.LOG", 5, 14, 11, "2022-07-20T21:12:06.250Z",
         "client=203.0.113.45 port=53722 session=08DA4F7C11473A60 * Inbound "
         "AUTH LOGIN failed because of LogonDenied"},
        {"SEND2022072022-1.LOG", 5, 7, 12, "2017-10-07T04:42:56.804Z",
         "remote=203.0.113.200 port=25 session=08D50D3D9730A8D2 * TLS "
         "negotiation failed with error UnknownCredentials"},
        {"MSGTRK2024012515-1.LOG", 5, 4, 7, "2024-01-25T15:16:10.100Z",
         "event=FAIL source=ROUTING sender=bob@example.net "
         "recipient=nobody@example.com status=550 5.1.1 "
         "RESOLVER.ADR.RecipNotFound; not found"},
    };
    for (size_t k = 0; k < sizeof fx_files / sizeof fx_files[0]; k++) {
        size_t len, headers = 0, rows = 0;
        char *buf = read_fixture(fx_files[k].file, &len);
        struct fx f;
        fx_open(&f, "exchange");
        int lineno = 0;
        bool seen = false;
        for (size_t i = 0; i < len;) {
            char *nl = memchr(buf + i, '\n', len - i);
            size_t e = nl ? (size_t)(nl - buf) : len, n = e - i;
            lineno++;
            if (n > 0 && buf[i + n - 1] == '\r')
                n--;
            int rc = fx_parse_n(&f, buf + i, n);
            headers += rc == 1;
            if (rc == 0) {
                ck_assert(f.rec.parsed);
                rows++;
            }
            if (lineno == fx_files[k].lineno) {
                assert_time(&f.rec, fx_files[k].ts);
                assert_msg(&f.rec, fx_files[k].msg);
                seen = true;
            }
            i = e + 1;
        }
        ck_assert(seen);
        ck_assert_uint_eq(headers, fx_files[k].headers);
        ck_assert_uint_eq(rows, fx_files[k].rows);
        fx_close(&f);
        free(buf);
    }
}
END_TEST

/* ------------------------------------------------------------ postlog */

START_TEST(test_postlog_parse)
{
    static const char *const lines[] = {
        "Nov 02 10:05:07 mx1 postfix/smtpd[1234]: connect from "
        "unknown[192.0.2.7]",
        "Nov 02 10:05:08 mx1 postfix/smtpd[1234]: warning: "
        "unknown[192.0.2.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, "
        "sasl_username=admin",
        "Jan 09 00:00:01 mx1 postfix/postlog: warning: x",
    };
    static const char *const times[] = {
        "2026-11-02T10:05:07Z", "2026-11-02T10:05:08Z", "2026-01-09T00:00:01Z"};
    struct fx p, s;
    fx_open(&p, "postlog");
    fx_open(&s, "syslog");
    for (size_t k = 0; k < 3; k++) {
        fx_parse(&p, lines[k]);
        fx_parse(&s, lines[k]);
        ck_assert(p.rec.parsed);
        assert_time(&p.rec, times[k]);
        ck_assert_uint_eq(p.rec.msg - p.copy, s.rec.msg - s.copy);
        ck_assert_uint_eq(p.rec.msg_len, s.rec.msg_len);
        ck_assert_int_eq(p.rec.pid, s.rec.pid);
        ck_assert_uint_eq(p.rec.prog_base_len, s.rec.prog_base_len);
    }
    assert_view("host", p.rec.host, p.rec.host_len, "mx1");
    assert_view("base", p.rec.prog_base, p.rec.prog_base_len, "postlog");
    assert_msg(&p.rec, "warning: x");
    fx_close(&p);
    fx_close(&s);
}
END_TEST

/* ------------------------------------------------------------ sniffing */

struct sniff_case {
    const char *lines[6]; /* NULL-terminated */
    const char *dialect;
    const char *why;
};

static const struct sniff_case sniff_cases[] = {
    {{JOURNAL_SAMPLE, "{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"x\"}",
      NULL},
     "journal-json",
     "journalctl -o json entries"},
    {{"\x1e{\"MESSAGE\":\"x\"}", NULL},
     "journal-json",
     "journalctl -o json entries"},
    /* no MESSAGE or stamp key: not a journal */
    {{"{\"__CURSOR\":\"s=1\"}", NULL},
     "syslog",
     "no known header; syslog is the default"},
    {{"Nov 02 10:05:07 mx1 postfix/smtpd[1234]: connect from x",
      "Nov 12 10:05:07 mx1 postfix/smtpd[1234]: connect from x", NULL},
     "postlog",
     "Postfix maillog_file (zero-padded days)"},
    /* space-padded days are syslog's, whatever else */
    {{"Nov 02 10:05:07 mx1 postfix/smtpd[1234]: connect from x",
      "Nov  2 10:05:07 mx1 postfix/smtpd[1234]: connect from x", NULL},
     "syslog",
     "RFC 3164 timestamps"},
    /* no day below 10: nothing tells them apart, syslog it is */
    {{"Nov 12 10:05:07 mx1 postfix/smtpd[1234]: connect from x", NULL},
     "syslog",
     "RFC 3164 timestamps"},
    {{"\xEF\xBB\xBF#Software: Microsoft Exchange Server", "#Version: 15.0.0.0",
      "#Log-type: SMTP Receive Protocol Log", X_RECV_FIELDS, NULL},
     "exchange",
     "Microsoft Exchange SMTP receive protocol log"},
    {{"#Software: Microsoft Internet Information Services 6.0", "#Version: 1.0",
      W3C_FIELDS, NULL},
     "exchange",
     "IIS W3C extended log (SMTP service)"},
    {{"#Software: Microsoft Exchange Server",
      "#Log-type: SMTP Send Protocol Log", NULL},
     "exchange",
     "Microsoft Exchange SMTP send protocol log"},
    {{"\xEF\xBB\xBF#Software: Microsoft Exchange Server",
      "#Log-type: Message Tracking Log", X_TRK_FIELDS, NULL},
     "exchange",
     "Microsoft Exchange message tracking log"},
    {{"2024-01-25T15:14:39.460Z,Inbound Proxy,08DC1DB8591B22A0,1,,"
      "10.11.12.13:2525,*,,attempting to connect",
      "2024-01-25T15:14:39.031Z,N\\D,08DC1DB8591B229A,2,10.11.12.13:25,"
      "10.11.12.14:53228,<,EHLO x,",
      NULL},
     "exchange",
     "Microsoft Exchange CSV log"},
};

START_TEST(test_sniff)
{
    const struct sniff_case *tc = &sniff_cases[_i];
    struct mw_line lines[6];
    size_t n = 0;
    for (; tc->lines[n]; n++)
        lines[n] = (struct mw_line){tc->lines[n], strlen(tc->lines[n]), 0,
                                    n + 1, false};
    const char *why = NULL;
    const struct mw_dialect *d = dialect_sniff(lines, n, &why);
    ck_assert_str_eq(d->name, tc->dialect);
    ck_assert_str_eq(why, tc->why);
}
END_TEST

START_TEST(test_names)
{
    static const char *const names[] = {"journal-json", "postlog", "exchange"};
    for (size_t k = 0; k < 3; k++) {
        const struct mw_dialect *d = dialect_find(names[k]);
        ck_assert_ptr_nonnull(d);
        ck_assert_str_eq(d->name, names[k]);
        ck_assert_ptr_nonnull(strstr(dialect_names(), names[k]));
        d->close(d->open(0)); /* an unused reader */
    }
    ck_assert_ptr_null(dialect_find("journal"));
    ck_assert_ptr_null(dialect_find("Exchange"));
}
END_TEST

static Suite *
dialect2_suite(void)
{
    Suite *s = suite_create("dialect2");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_journal_sample);
    tcase_add_test(core, test_journal_same_as_syslog);
    tcase_add_loop_test(core, test_journal_escapes, 0,
                        sizeof esc_cases / sizeof esc_cases[0]);
    tcase_add_test(core, test_journal_null_and_fallbacks);
    tcase_add_test(core, test_journal_arrays);
    tcase_add_test(core, test_exchange_headers);
    tcase_add_test(core, test_exchange_w3c);
    tcase_add_test(core, test_exchange_mailbox);
    tcase_add_test(core, test_exchange_session_carry);
    tcase_add_test(core, test_exchange_field_order);
    tcase_add_test(core, test_exchange_direction);
    tcase_add_test(core, test_exchange_tracking);
    tcase_add_test(core, test_exchange_fixtures);
    tcase_add_test(core, test_postlog_parse);
    tcase_add_loop_test(core, test_sniff, 0,
                        sizeof sniff_cases / sizeof sniff_cases[0]);
    tcase_add_test(core, test_names);
    suite_add_tcase(s, core);
    TCase *edge = tcase_create("edge");
    tcase_add_test(edge, test_exchange_headerless);
    tcase_add_test(edge, test_exchange_other_and_bad);
    tcase_add_test(edge, test_journal_sizes);
    suite_add_tcase(s, edge);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 120);
    tcase_add_loop_test(hostile, test_journal_bad, 0,
                        sizeof bad_json / sizeof bad_json[0]);
    tcase_add_test(hostile, test_journal_nesting);
    tcase_add_test(hostile, test_journal_prefixes);
    tcase_add_test(hostile, test_journal_every_byte);
    tcase_add_test(hostile, test_exchange_hostile);
    tcase_add_test(hostile, test_exchange_prefixes);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(dialect2_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
