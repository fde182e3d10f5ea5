/* Unit tests for the SIEM record formats: --output cef and --output syslog.
 * Each record is checked by an independent parser written here from the
 * specifications (ArcSight CEF v25 escaping; RFC 5424 section 6 ABNF), so
 * a hostile log line that injected a field, a record or a parameter would
 * fail to parse or parse into something else. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "rules.h"

/* 2026-11-22T10:05:08Z */
#define T1 ((int64_t)1795341908)

/* ---- helpers --------------------------------------------------------------
 */

static bool
utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n = c < 0x80                ? 0
                   : c >= 0xc2 && c < 0xe0 ? 1
                   : c >= 0xe0 && c < 0xf0 ? 2
                   : c >= 0xf0 && c < 0xf5 ? 3
                                           : 9;
        if (n == 9 || i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
        i += n + 1;
    }
    return true;
}

static char *
render_one(const char *format, const struct mw_event *ev, const char *path,
           const char *payload)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    ck_assert_ptr_nonnull(f);
    const struct mw_renderer *r = render_find(format);
    ck_assert_ptr_nonnull(r);
    struct mw_render_opts o = {
        .out = f, .top = 10, .version = "9.9|x", .payload = payload};
    void *st = r->open(&o);
    ck_assert_int_eq(r->event(st, ev, path), 0);
    ck_assert_int_eq(r->finish(st, NULL), 0);
    r->close(st);
    fclose(f);
    return data;
}

/* exactly one line, LF-terminated, valid UTF-8, no other control byte */
static void
assert_one_line(const char *out)
{
    size_t len = strlen(out);
    ck_assert_uint_gt(len, 1);
    ck_assert_msg(out[len - 1] == '\n', "no line end: %s", out);
    for (size_t i = 0; i + 1 < len; i++)
        ck_assert_msg((unsigned char)out[i] >= 0x20 && out[i] != 0x7f,
                      "control byte 0x%02x at %zu: %s", (unsigned char)out[i],
                      i, out);
    ck_assert_msg(utf8_valid(out, len), "invalid UTF-8: %s", out);
}

/* ---- a CEF parser -----------------------------------------------------------
 */

#define CEF_MAX 40

struct cef_rec {
    char *hdr[7]; /* CEF:0, vendor, product, version, id, name, severity */
    size_t next;
    char *key[CEF_MAX], *val[CEF_MAX];
};

static const char *const cef_keys[] = {"rt",
                                       "src",
                                       "spt",
                                       "shost",
                                       "dst",
                                       "dpt",
                                       "dhost",
                                       "suser",
                                       "act",
                                       "outcome",
                                       "reason",
                                       "msg",
                                       "app",
                                       "cat",
                                       "dvchost",
                                       "dvcpid",
                                       "deviceProcessName",
                                       "fname",
                                       "cn1",
                                       "cn1Label",
                                       "cs1",
                                       "cs1Label",
                                       "cs2",
                                       "cs2Label",
                                       "cs3",
                                       "cs3Label",
                                       "cs4",
                                       "cs4Label",
                                       "cs5",
                                       "cs5Label"};

static bool
cef_known_key(const char *k, size_t n)
{
    for (size_t i = 0; i < sizeof cef_keys / sizeof cef_keys[0]; i++)
        if (strlen(cef_keys[i]) == n && memcmp(cef_keys[i], k, n) == 0)
            return true;
    return false;
}

/* header: split at unescaped '|'; only \\ and \| are escapes */
static const char *
cef_parse_header(struct cef_rec *r, const char *p)
{
    for (int f = 0; f < 7; f++) {
        char *o = r->hdr[f] = calloc(1, strlen(p) + 1);
        for (; *p && *p != '|'; p++) {
            if (*p == '\\') {
                ck_assert_msg(p[1] == '\\' || p[1] == '|',
                              "bad header escape \\%c", p[1]);
                p++;
            }
            *o++ = *p;
        }
        ck_assert_msg(*p == '|', "header field %d not closed", f);
        p++;
    }
    return p;
}

/* extension: every unescaped '=' must end " KEY" with a known key */
static void
cef_parse_ext(struct cef_rec *r, const char *p)
{
    char *cur = NULL, *o = NULL;
    while (*p) {
        const char *k = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               (*p >= '0' && *p <= '9'))
            p++;
        ck_assert_msg(*p == '=' && p > k && cef_known_key(k, (size_t)(p - k)),
                      "expected a known key at: %s", k);
        ck_assert_uint_lt(r->next, CEF_MAX);
        r->key[r->next] = strndup(k, (size_t)(p - k));
        cur = o = r->val[r->next++] = calloc(1, strlen(p) + 1);
        for (p++; *p; p++) {
            if (*p == '\\') {
                char e = p[1];
                ck_assert_msg(e == '\\' || e == '=' || e == 'r' || e == 'n',
                              "bad value escape \\%c", e);
                *o++ = e == 'r' ? '\r' : e == 'n' ? '\n' : e;
                p++;
                continue;
            }
            ck_assert_msg(*p != '=', "unescaped '=' in value: %s", cur);
            if (*p == ' ') { /* a space before "key=" ends the value */
                const char *q = p + 1;
                while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                       (*q >= '0' && *q <= '9'))
                    q++;
                if (*q == '=') {
                    p++;
                    break;
                }
            }
            *o++ = *p;
        }
    }
}

static void
cef_parse(struct cef_rec *r, const char *line)
{
    memset(r, 0, sizeof *r);
    size_t len = strlen(line);
    char *s = strndup(line, len - 1); /* without the LF */
    cef_parse_ext(r, cef_parse_header(r, s));
    free(s);
}

static const char *
cef_get(const struct cef_rec *r, const char *key)
{
    for (size_t i = 0; i < r->next; i++)
        if (strcmp(r->key[i], key) == 0)
            return r->val[i];
    return NULL;
}

static void
cef_free(struct cef_rec *r)
{
    for (int i = 0; i < 7; i++)
        free(r->hdr[i]);
    for (size_t i = 0; i < r->next; i++) {
        free(r->key[i]);
        free(r->val[i]);
    }
}

/* ---- an RFC 5424 parser ----------------------------------------------------
 */

#define SD_MAX 20

struct s5424 {
    unsigned pri;
    char *ts, *host, *app, *procid, *msgid, *sdid, *msg;
    char *name[SD_MAX], *val[SD_MAX];
    size_t n;
};

static bool
printusascii(char c)
{
    return (unsigned char)c > 32 && (unsigned char)c < 127;
}

/* a header field: NILVALUE or 1*max PRINTUSASCII, then SP */
static char *
hdr_field(const char **pp, size_t max)
{
    const char *p = *pp, *s = p;
    while (printusascii(*p))
        p++;
    ck_assert_msg(p > s && (size_t)(p - s) <= max && *p == ' ',
                  "bad header field at: %s", s);
    *pp = p + 1;
    return strndup(s, (size_t)(p - s));
}

static void
check_timestamp(const char *ts)
{
    int frac = 0;
    if (strcmp(ts, "-") == 0)
        return;
    ck_assert_msg(strlen(ts) >= 20 && ts[4] == '-' && ts[7] == '-' &&
                      ts[10] == 'T' && ts[13] == ':' && ts[16] == ':',
                  "bad TIMESTAMP %s", ts);
    const char *p = ts + 19;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            frac++;
    ck_assert_msg(frac <= 6 && strcmp(p, "Z") == 0, "bad TIMESTAMP %s", ts);
}

/* SD-ELEMENT "[" SD-ID *(SP SD-PARAM) "]" with PARAM-VALUE escapes */
static const char *
sd_parse(struct s5424 *m, const char *p)
{
    ck_assert_msg(*p == '[', "no SD at: %s", p);
    const char *s = ++p;
    while (printusascii(*p) && *p != '=' && *p != ']' && *p != '"')
        p++;
    m->sdid = strndup(s, (size_t)(p - s));
    while (*p == ' ') {
        s = ++p;
        while (printusascii(*p) && *p != '=' && *p != ']' && *p != '"')
            p++;
        ck_assert_msg(p > s && p - s <= 32 && p[0] == '=' && p[1] == '"',
                      "bad SD-PARAM at: %s", s);
        ck_assert_uint_lt(m->n, SD_MAX);
        m->name[m->n] = strndup(s, (size_t)(p - s));
        char *o = m->val[m->n++] = calloc(1, strlen(p) + 1);
        for (p += 2; *p != '"'; p++) {
            ck_assert_msg(*p != '\0' && *p != ']', "unterminated value");
            if (*p == '\\') {
                ck_assert_msg(p[1] == '"' || p[1] == '\\' || p[1] == ']',
                              "bad escape \\%c", p[1]);
                p++;
            }
            *o++ = *p;
        }
        p++;
    }
    ck_assert_msg(*p == ']', "SD-ELEMENT not closed at: %s", p);
    return p + 1;
}

static void
s5424_parse(struct s5424 *m, const char *line)
{
    const char *p = line;
    memset(m, 0, sizeof *m);
    ck_assert_msg(sscanf(p, "<%u>1 ", &m->pri) == 1, "no PRI: %s", line);
    ck_assert_uint_le(m->pri, 191);
    p = strchr(p, '>') + 3;
    m->ts = hdr_field(&p, 64);
    check_timestamp(m->ts);
    m->host = hdr_field(&p, 255);
    m->app = hdr_field(&p, 48);
    m->procid = hdr_field(&p, 128);
    m->msgid = hdr_field(&p, 32);
    p = sd_parse(m, p);
    ck_assert_msg(*p == ' ' || *p == '\n', "junk after SD: %s", p);
    if (*p == ' ')
        p++;
    m->msg = strndup(p, strlen(p) - 1);
}

static const char *
sd_get(const struct s5424 *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->name[i], name) == 0)
            return m->val[i];
    return NULL;
}

static void
s5424_free(struct s5424 *m)
{
    free(m->ts);
    free(m->host);
    free(m->app);
    free(m->procid);
    free(m->msgid);
    free(m->sdid);
    free(m->msg);
    for (size_t i = 0; i < m->n; i++) {
        free(m->name[i]);
        free(m->val[i]);
    }
}

/* ---- events ---------------------------------------------------------------
 */

static const struct mw_rule sasl_rule = {"postfix.smtpd.sasl_auth_failed",
                                         "SASL authentication failed",
                                         "auth.failure",
                                         3,
                                         "A client tried a wrong password.",
                                         NULL,
                                         MW_LEVEL_MEDIUM,
                                         "rules/postfix.yaml",
                                         10,
                                         100,
                                         NULL};

/* a title and cause with CEF header and extension syntax in them */
static const struct mw_rule evil_rule = {"x.evil|id\\",
                                         "pipe | back\\slash\nnew line",
                                         "protocol",
                                         12,
                                         "cause with act=x and \\ and |",
                                         NULL,
                                         MW_LEVEL_CRITICAL,
                                         "rules/evil.yaml",
                                         1,
                                         100,
                                         NULL};

struct fixture {
    struct mw_line ln;
    struct mw_record rec;
    struct mw_event ev;
};

static void
field(struct mw_event *ev, const char *name, const char *val)
{
    ev->fields[ev->nfields].name = name;
    ev->fields[ev->nfields].val = val;
    ev->fields[ev->nfields].len = strlen(val);
    ev->nfields++;
}

static void
fixture_init(struct fixture *f, const char *line, size_t len,
             const struct mw_rule *rule)
{
    memset(f, 0, sizeof *f);
    f->ln = (struct mw_line){line, len, 4096, 77, false};
    f->rec.line = &f->ln;
    f->rec.ts = (struct mw_time){T1, 123456789, 9, true};
    f->rec.host = line + 16;
    f->rec.host_len = 3;
    f->rec.prog = line + 20;
    f->rec.prog_len = 13;
    f->rec.pid = 1234;
    f->rec.parsed = true;
    f->ev.rule = rule;
    f->ev.rec = &f->rec;
}

static const char plain_line[] =
    "Nov 22 10:05:08 mx1 postfix/smtpd[1234]: warning: unknown[192.0.2.7]: "
    "SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=admin";

static void
plain_event(struct fixture *f)
{
    fixture_init(f, plain_line, sizeof plain_line - 1, &sasl_rule);
    field(&f->ev, "client_host", "unknown");
    field(&f->ev, "client_ip", "192.0.2.7");
    field(&f->ev, "user", "admin");
    field(&f->ev, "reason", "UGFzc3dvcmQ6");
}

/* NUL, ESC, CR, LF, invalid bytes, and the syntax of every output */
static const char hostile_line[] =
    "Nov 22 10:05:08 mx1 postfix/smtpd[1234]: a|b=c\\d]e\"f [x@1 a=\"b\"] "
    "\r\n<14>1 - CEF:0|v|p|1|i|n|10|act=evil \x00 \x1b[2J \xff\xfe\xc0\xaf "
    "sasl_username=ad\"m]i\\n=x|y\r\nz";

static const char hostile_user[] = "ad\"m]i\\n=x|y\r\nz";

static void
hostile_event(struct fixture *f, const struct mw_rule *rule)
{
    fixture_init(f, hostile_line, sizeof hostile_line - 1, rule);
    field(&f->ev, "client_ip", "192.0.2.7");
    field(&f->ev, "client_port", "25\"]");
    field(&f->ev, "client_host", "h|o=s\\t]\"");
    field(&f->ev, "user", hostile_user);
    field(&f->ev, "queue_id", "Q=1\\");
}

/* ---- CEF -------------------------------------------------------------------
 */

START_TEST(test_cef_plain)
{
    struct fixture f;
    struct cef_rec r;
    plain_event(&f);
    char *out = render_one("cef", &f.ev, "/var/log/mail.log", NULL);
    assert_one_line(out);
    cef_parse(&r, out);
    ck_assert_str_eq(r.hdr[0], "CEF:0");
    ck_assert_str_eq(r.hdr[1], "maillog-why");
    ck_assert_str_eq(r.hdr[2], "maillog-why");
    ck_assert_str_eq(r.hdr[3], "9.9|x");
    ck_assert_str_eq(r.hdr[4], "postfix.smtpd.sasl_auth_failed");
    ck_assert_str_eq(r.hdr[5], "SASL authentication failed");
    ck_assert_str_eq(r.hdr[6], "5");
    ck_assert_str_eq(cef_get(&r, "rt"), "1795341908123");
    ck_assert_str_eq(cef_get(&r, "src"), "192.0.2.7");
    ck_assert_ptr_null(cef_get(&r, "shost")); /* "unknown" */
    ck_assert_str_eq(cef_get(&r, "suser"), "admin");
    ck_assert_str_eq(cef_get(&r, "act"), "sasl-auth-failed");
    ck_assert_str_eq(cef_get(&r, "outcome"), "failure");
    ck_assert_str_eq(cef_get(&r, "reason"), "UGFzc3dvcmQ6");
    ck_assert_str_eq(cef_get(&r, "msg"), plain_line);
    ck_assert_str_eq(cef_get(&r, "app"), "smtp");
    ck_assert_str_eq(cef_get(&r, "cat"), "auth.failure");
    ck_assert_str_eq(cef_get(&r, "dvchost"), "mx1");
    ck_assert_str_eq(cef_get(&r, "dvcpid"), "1234");
    ck_assert_str_eq(cef_get(&r, "deviceProcessName"), "postfix/smtpd");
    ck_assert_str_eq(cef_get(&r, "fname"), "/var/log/mail.log");
    ck_assert_str_eq(cef_get(&r, "cn1"), "4096");
    ck_assert_str_eq(cef_get(&r, "cn1Label"), "offset");
    ck_assert_str_eq(cef_get(&r, "cs1Label"), "rule");
    ck_assert_str_eq(cef_get(&r, "cs1"), "postfix.smtpd.sasl_auth_failed");
    ck_assert_str_eq(cef_get(&r, "cs2Label"), "cause");
    ck_assert_str_eq(cef_get(&r, "cs2"), "A client tried a wrong password.");
    ck_assert_ptr_null(cef_get(&r, "cs3"));
    cef_free(&r);
    free(out);
}
END_TEST

/* the client as logged by a dual-stack server: IPv4-mapped IPv6 is the
 * IPv4 client; other IPv6 addresses and Postfix's "IPv6:" form stay IPv6 */
START_TEST(test_cef_mapped_ip)
{
    static const char *const in[] = {"::ffff:192.0.2.7", "::FFFF:192.0.2.7",
                                     "IPv6:2001:db8::1", "2001:db8::ffff:1",
                                     "::ffff:nope"};
    static const char *const want[] = {"192.0.2.7", "192.0.2.7", "2001:db8::1",
                                       "2001:db8::ffff:1", NULL};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        struct fixture f;
        struct cef_rec r;
        fixture_init(&f, plain_line, sizeof plain_line - 1, &sasl_rule);
        field(&f.ev, "client_ip", in[i]);
        char *out = render_one("cef", &f.ev, "/var/log/mail.log", NULL);
        cef_parse(&r, out);
        if (want[i])
            ck_assert_str_eq(cef_get(&r, "src"), want[i]);
        else
            ck_assert_ptr_null(cef_get(&r, "src"));
        cef_free(&r);
        free(out);
    }
}
END_TEST

static const unsigned cef_sev[MW_LEVEL_COUNT] = {1, 3, 5, 8, 10};
static const unsigned syslog_pri[MW_LEVEL_COUNT] = {22, 21, 20, 19, 18};

START_TEST(test_levels)
{
    struct fixture f;
    struct mw_rule rule = sasl_rule;
    struct cef_rec r;
    struct s5424 m;
    char want[8];
    rule.level = (enum mw_level)_i;
    plain_event(&f);
    f.ev.rule = &rule;
    char *cef = render_one("cef", &f.ev, "p", NULL);
    cef_parse(&r, cef);
    snprintf(want, sizeof want, "%u", cef_sev[_i]);
    ck_assert_str_eq(r.hdr[6], want);
    char *sl = render_one("syslog", &f.ev, "p", NULL);
    s5424_parse(&m, sl);
    ck_assert_uint_eq(m.pri, syslog_pri[_i]);
    ck_assert_str_eq(sd_get(&m, "level"), level_name(rule.level));
    cef_free(&r);
    s5424_free(&m);
    free(cef);
    free(sl);
}
END_TEST

START_TEST(test_cef_hostile)
{
    struct fixture f;
    struct cef_rec r;
    hostile_event(&f, &evil_rule);
    char *out = render_one("cef", &f.ev, "/tmp/a|b=c\\d\ne", NULL);
    assert_one_line(out);
    cef_parse(&r, out);
    /* header: pipes and backslashes escaped, the newline a space */
    ck_assert_str_eq(r.hdr[4], "x.evil|id\\");
    ck_assert_str_eq(r.hdr[5], "pipe | back\\slash new line");
    ck_assert_str_eq(r.hdr[6], "10");
    /* values come back exactly, CR and LF included */
    ck_assert_str_eq(cef_get(&r, "suser"), hostile_user);
    ck_assert_str_eq(cef_get(&r, "shost"), "h|o=s\\t]\"");
    ck_assert_str_eq(cef_get(&r, "cs3"), "Q=1\\");
    ck_assert_str_eq(cef_get(&r, "cs3Label"), "queueId");
    ck_assert_str_eq(cef_get(&r, "fname"), "/tmp/a|b=c\\d\ne");
    ck_assert_str_eq(cef_get(&r, "cs2"), "cause with act=x and \\ and |");
    ck_assert_ptr_null(cef_get(&r, "spt")); /* not a port */
    /* the line: one act, the injected one is inside msg */
    size_t acts = 0;
    for (size_t i = 0; i < r.next; i++)
        acts += strcmp(r.key[i], "act") == 0;
    ck_assert_uint_eq(acts, 1);
    const char *msg = cef_get(&r, "msg");
    ck_assert_ptr_nonnull(strstr(msg, "a|b=c\\d]e\"f [x@1 a=\"b\"] \r\n<14>1"));
    ck_assert_ptr_nonnull(strstr(msg, "|10|act=evil \xef\xbf\xbd \xef\xbf\xbd"
                                      "[2J \xef\xbf\xbd\xef\xbf\xbd"));
    ck_assert_ptr_nonnull(strstr(msg, "sasl_username=ad\"m]i\\n=x|y\r\nz"));
    cef_free(&r);
    free(out);
}
END_TEST

/* ---- RFC 5424 --------------------------------------------------------------
 */

START_TEST(test_syslog_plain)
{
    struct fixture f;
    struct s5424 m;
    plain_event(&f);
    char *out = render_one("syslog", &f.ev, "/var/log/mail.log", NULL);
    assert_one_line(out);
    s5424_parse(&m, out);
    ck_assert_uint_eq(m.pri, 2 * 8 + 4); /* mail, medium = warning */
    ck_assert_str_eq(m.ts, "2026-11-22T10:05:08.123456Z");
    ck_assert_str_eq(m.host, "mx1");
    ck_assert_str_eq(m.app, "maillog-why");
    ck_assert_str_eq(m.msgid, "auth.failure");
    ck_assert_str_eq(m.sdid, "maillogwhy@32473");
    ck_assert_str_eq(sd_get(&m, "rule"), "postfix.smtpd.sasl_auth_failed");
    ck_assert_str_eq(sd_get(&m, "category"), "auth.failure");
    ck_assert_str_eq(sd_get(&m, "ip"), "192.0.2.7");
    ck_assert_str_eq(sd_get(&m, "user"), "admin");
    ck_assert_str_eq(sd_get(&m, "file"), "/var/log/mail.log");
    ck_assert_str_eq(sd_get(&m, "offset"), "4096");
    ck_assert_str_eq(sd_get(&m, "line"), "77");
    ck_assert_str_eq(sd_get(&m, "prog"), "postfix/smtpd");
    ck_assert_str_eq(sd_get(&m, "pid"), "1234");
    ck_assert_str_eq(m.msg, plain_line);
    s5424_free(&m);
    free(out);
}
END_TEST

START_TEST(test_syslog_hostile)
{
    struct fixture f;
    struct s5424 m;
    hostile_event(&f, &evil_rule);
    char *out = render_one("syslog", &f.ev, "/tmp/x\"] y=\"z", NULL);
    assert_one_line(out);
    s5424_parse(&m, out);
    ck_assert_uint_eq(m.pri, 2 * 8 + 2);
    ck_assert_str_eq(m.sdid, "maillogwhy@32473");
    ck_assert_uint_eq(m.n, 11);
    ck_assert_str_eq(sd_get(&m, "rule"), "x.evil|id\\");
    /* CR and LF become spaces; the rest comes back exactly */
    ck_assert_str_eq(sd_get(&m, "user"), "ad\"m]i\\n=x|y  z");
    ck_assert_str_eq(sd_get(&m, "queueid"), "Q=1\\");
    ck_assert_str_eq(sd_get(&m, "file"), "/tmp/x\"] y=\"z");
    ck_assert_ptr_null(sd_get(&m, "a"));
    /* MSG: controls and bad bytes as \xHH, one line */
    ck_assert_ptr_nonnull(strstr(m.msg, "a|b=c\\d]e\"f [x@1 a=\"b\"] "
                                        "\\x0d\\x0a<14>1 - CEF:0|"));
    ck_assert_ptr_nonnull(strstr(m.msg, "\\x00 \\x1b[2J \\xff\\xfe\\xc0\\xaf"));
    s5424_free(&m);
    free(out);
}
END_TEST

/* hostile or over-long hosts and missing stamps keep the header valid */
START_TEST(test_syslog_header_fields)
{
    static const char line[] = "Nov 22 10:05:08 m x\xc3\xa9\x01\"]= rest";
    struct fixture f;
    struct s5424 m;
    char longhost[400];
    fixture_init(&f, line, sizeof line - 1, &sasl_rule);
    f.rec.host = line + 16;
    f.rec.host_len = 12;
    f.rec.prog = NULL; /* the line is too short for the fixture's */
    f.rec.prog_len = 0;
    f.rec.ts.valid = false;
    char *out = render_one("syslog", &f.ev, "p", NULL);
    s5424_parse(&m, out);
    ck_assert_str_eq(m.host, "m_x___\"]=_re");
    ck_assert_str_eq(m.ts, "-");
    s5424_free(&m);
    free(out);

    memset(longhost, 'h', sizeof longhost);
    f.rec.host = longhost;
    f.rec.host_len = sizeof longhost;
    f.rec.ts = (struct mw_time){T1, 500000000, 1, true};
    out = render_one("syslog", &f.ev, "p", NULL);
    s5424_parse(&m, out);
    ck_assert_uint_eq(strlen(m.host), 255);
    ck_assert_str_eq(m.ts, "2026-11-22T10:05:08.5Z");
    s5424_free(&m);
    free(out);

    f.rec.host = NULL; /* our own name, or NILVALUE */
    f.rec.host_len = 0;
    f.rec.ts.frac = 0;
    out = render_one("syslog", &f.ev, "p", NULL);
    s5424_parse(&m, out);
    ck_assert_uint_gt(strlen(m.host), 0);
    ck_assert_str_eq(m.ts, "2026-11-22T10:05:08Z");
    s5424_free(&m);
    free(out);
}
END_TEST

/* CEF or JSON as the message (what --syslog-server sends for -o cef and
 * -o ndjson) */
START_TEST(test_syslog_payloads)
{
    struct fixture f;
    struct s5424 m;
    struct cef_rec r;
    hostile_event(&f, &sasl_rule);

    char *out = render_one("syslog", &f.ev, "p", "cef");
    assert_one_line(out);
    s5424_parse(&m, out);
    ck_assert_str_eq(m.msgid, "auth.failure");
    char *cef = malloc(strlen(m.msg) + 2);
    sprintf(cef, "%s\n", m.msg);
    cef_parse(&r, cef);
    ck_assert_str_eq(r.hdr[0], "CEF:0");
    ck_assert_str_eq(cef_get(&r, "suser"), hostile_user);
    cef_free(&r);
    free(cef);
    s5424_free(&m);
    free(out);

    out = render_one("syslog", &f.ev, "p", "ndjson");
    assert_one_line(out);
    s5424_parse(&m, out);
    ck_assert(m.msg[0] == '{' && m.msg[strlen(m.msg) - 1] == '}');
    ck_assert_ptr_nonnull(
        strstr(m.msg, "\"user\":{\"name\":\"ad\\\"m]i\\\\n=x|y\\r\\nz\"}"));
    s5424_free(&m);
    free(out);
}
END_TEST

static Suite *
render2_suite(void)
{
    Suite *s = suite_create("render2");
    TCase *core = tcase_create("core");
    TCase *hostile = tcase_create("hostile");
    TCase *edge = tcase_create("edge");
    tcase_add_test(core, test_cef_plain);
    tcase_add_test(core, test_cef_mapped_ip);
    tcase_add_test(core, test_syslog_plain);
    tcase_add_loop_test(core, test_levels, 0, MW_LEVEL_COUNT);
    tcase_add_test(hostile, test_cef_hostile);
    tcase_add_test(hostile, test_syslog_hostile);
    tcase_add_test(hostile, test_syslog_payloads);
    tcase_add_test(edge, test_syslog_header_fields);
    suite_add_tcase(s, core);
    suite_add_tcase(s, hostile);
    suite_add_tcase(s, edge);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(render2_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
