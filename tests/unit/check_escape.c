/* Unit tests for the escapers (escape.c) and the renderers (render*.c):
 * every output stays well-formed whatever bytes the log lines hold. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg.h"
#include "buf.h"
#include "escape.h"
#include "render.h"
#include "rules.h"

typedef void (*escaper)(struct mw_buf *b, const char *s, size_t len);

#define FFFD   "\xef\xbf\xbd"
#define S(lit) lit, sizeof lit - 1

/* ---- a small strict JSON checker (RFC 8259), independent of escape.c ---- */

struct jp {
    const unsigned char *p, *end;
};

/* length of the well-formed UTF-8 sequence at p, 0 if ill-formed */
static size_t
utf8_ok(const unsigned char *p, const unsigned char *end)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xe0) == 0xc0 ? 2
               : (p[0] & 0xf0) == 0xe0 ? 3
               : (p[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    unsigned long cp;
    if (n == 0 || (size_t)(end - p) < n)
        return 0;
    if (n == 1)
        return 1;
    cp = p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static bool
utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        size_t n = utf8_ok(p, end);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

static void
jp_ws(struct jp *j)
{
    while (j->p < j->end &&
           (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
        j->p++;
}

static bool
jp_string(struct jp *j)
{
    if (j->p >= j->end || *j->p++ != '"')
        return false;
    while (j->p < j->end) {
        unsigned char c = *j->p;
        if (c == '"') {
            j->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (j->end - j->p < 2)
                return false;
            c = j->p[1];
            if (c == 'u') {
                if (j->end - j->p < 6)
                    return false;
                for (int i = 2; i < 6; i++)
                    if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
                        return false;
                j->p += 6;
            } else if (c && strchr("\"\\/bfnrt", c)) {
                j->p += 2;
            } else {
                return false;
            }
            continue;
        }
        size_t n = utf8_ok(j->p, j->end);
        if (!n)
            return false;
        j->p += n;
    }
    return false;
}

static bool
jp_digits(struct jp *j)
{
    const unsigned char *s = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > s;
}

static bool
jp_number(struct jp *j)
{
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p < j->end && *j->p == '0')
        j->p++;
    else if (!jp_digits(j))
        return false;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (!jp_digits(j))
            return false;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!jp_digits(j))
            return false;
    }
    return true;
}

static bool jp_value(struct jp *j, int depth);

static bool
jp_container(struct jp *j, int depth, char close)
{
    j->p++;
    jp_ws(j);
    if (j->p < j->end && *j->p == (unsigned char)close) {
        j->p++;
        return true;
    }
    for (;;) {
        jp_ws(j);
        if (close == '}') {
            if (!jp_string(j))
                return false;
            jp_ws(j);
            if (j->p >= j->end || *j->p++ != ':')
                return false;
        }
        if (!jp_value(j, depth + 1))
            return false;
        jp_ws(j);
        if (j->p >= j->end)
            return false;
        if (*j->p == (unsigned char)close) {
            j->p++;
            return true;
        }
        if (*j->p++ != ',')
            return false;
    }
}

static bool
jp_literal(struct jp *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool
jp_value(struct jp *j, int depth)
{
    jp_ws(j);
    if (depth > 64 || j->p >= j->end)
        return false;
    switch (*j->p) {
    case '{':
        return jp_container(j, depth, '}');
    case '[':
        return jp_container(j, depth, ']');
    case '"':
        return jp_string(j);
    case 't':
        return jp_literal(j, "true");
    case 'f':
        return jp_literal(j, "false");
    case 'n':
        return jp_literal(j, "null");
    default:
        return jp_number(j);
    }
}

static bool
json_valid(const char *s, size_t len)
{
    struct jp j = {(const unsigned char *)s, (const unsigned char *)s + len};
    if (!jp_value(&j, 0))
        return false;
    jp_ws(&j);
    return j.p == j.end;
}

/* ---- escaper tables ----------------------------------------------------- */

struct esc_case {
    escaper fn;
    const char *name;
    const char *in;
    size_t inlen;
    const char *out;
    size_t outlen;
};

static const struct esc_case esc_cases[] = {
    /* JSON */
    {escape_json, "json plain", S("hello, world"), S("hello, world")},
    {escape_json, "json quote", S("a\"b\\c/d"), S("a\\\"b\\\\c/d")},
    {escape_json, "json nl cr tab", S("\n\r\t"), S("\\n\\r\\t")},
    {escape_json, "json nul", S("a\0b"), S("a\\u0000b")},
    {escape_json, "json del", S("\x7f"), S("\\u007f")},
    {escape_json, "json esc bs ff", S("\x1b\b\f\x1f"),
     S("\\u001b\\u0008\\u000c\\u001f")},
    {escape_json, "json multibyte",
     S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
     S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")},
    {escape_json, "json max scalar", S("\xf4\x8f\xbf\xbf"),
     S("\xf4\x8f\xbf\xbf")},
    {escape_json, "json overlong 2", S("\xc0\xaf"), S(FFFD FFFD)},
    {escape_json, "json overlong 3", S("\xe0\x80\xaf"), S(FFFD FFFD FFFD)},
    {escape_json, "json overlong 4", S("\xf0\x80\x80\xaf"),
     S(FFFD FFFD FFFD FFFD)},
    {escape_json, "json lone continuation", S("a\x80z"), S("a" FFFD "z")},
    {escape_json, "json truncated at end", S("x\xe2\x82"), S("x" FFFD FFFD)},
    {escape_json, "json truncated mid",
     S("\xe2\x82"
       "A"),
     S(FFFD FFFD "A")},
    {escape_json, "json surrogate", S("\xed\xa0\x80"), S(FFFD FFFD FFFD)},
    {escape_json, "json above 10ffff", S("\xf4\x90\x80\x80"),
     S(FFFD FFFD FFFD FFFD)},
    {escape_json, "json f5 lead", S("\xf5\x80"), S(FFFD FFFD)},
    {escape_json, "json ff fe", S("\xff\xfe"), S(FFFD FFFD)},
    {escape_json, "json line separator",
     S("a\xe2\x80\xa8"
       "b\xe2\x80\xa9"),
     S("a\\u2028b\\u2029")},
    {escape_json, "json injection", S("\"}\n{\"injected\":1"),
     S("\\\"}\\n{\\\"injected\\\":1")},
    {escape_json, "json empty", S(""), S("")},
    /* text */
    {escape_text, "text plain", S("a b\\c"), S("a b\\c")},
    {escape_text, "text escape seq", S("\x1b[2J"), S("\\x1b[2J")},
    {escape_text, "text newline", S("a\nb\r"), S("a\\x0ab\\x0d")},
    {escape_text, "text nul del bel", S("\0\x7f\a"), S("\\x00\\x7f\\x07")},
    {escape_text, "text utf8", S("\xc3\xa9\xe2\x96\x88"),
     S("\xc3\xa9\xe2\x96\x88")},
    {escape_text, "text invalid", S("\xff\xc3"), S("\\xff\\xc3")},
    {escape_text, "text c1 csi",
     S("\xc2\x9b"
       "2J"),
     S("\\xc2\\x9b2J")},
    {escape_text, "text bidi override",
     S("a\xe2\x80\xae"
       "b"),
     S("a\\xe2\\x80\\xaeb")},
    {escape_text, "text nbsp passes", S("\xc2\xa0"), S("\xc2\xa0")},
    /* HTML */
    {escape_html, "html markup", S("<a href=\"x\">&'"),
     S("&lt;a href=&quot;x&quot;&gt;&amp;&#39;")},
    {escape_html, "html controls", S("a\tb\nc\x01\r"), S("a\tb\nc\\x01\\x0d")},
    {escape_html, "html invalid",
     S("\xff"
       "<"),
     S("\\xff&lt;")},
    {escape_html, "html script", S("</script>"), S("&lt;/script&gt;")},
    /* CEF header */
    {escape_cef_header, "cef header pipe", S("a|b\\c"), S("a\\|b\\\\c")},
    {escape_cef_header, "cef header equals", S("a=b"), S("a=b")},
    {escape_cef_header, "cef header newline", S("a\r\nb\tc"), S("a  b c")},
    {escape_cef_header, "cef header nul", S("a\0b\xff"), S("a" FFFD "b" FFFD)},
    /* CEF extension value */
    {escape_cef_value, "cef value", S("a=b\\c|d"), S("a\\=b\\\\c|d")},
    {escape_cef_value, "cef value crlf", S("l1\r\nl2"), S("l1\\r\\nl2")},
    {escape_cef_value, "cef value injection", S("x act=allow"),
     S("x act\\=allow")},
    {escape_cef_value, "cef value controls", S("\0\t\xc0"), S(FFFD " " FFFD)},
    /* RFC 5424 SD-PARAM value */
    {escape_sd_value, "sd specials", S("a\"b\\c]d"), S("a\\\"b\\\\c\\]d")},
    {escape_sd_value, "sd bracket open", S("[x=y]"), S("[x=y\\]")},
    {escape_sd_value, "sd newline", S("a\nb\r"), S("a b ")},
    {escape_sd_value, "sd invalid", S("\x01\xff"), S(FFFD FFFD)},
};

START_TEST(test_escape_table)
{
    const struct esc_case *c = &esc_cases[_i];
    struct mw_buf b = {0};
    c->fn(&b, c->in, c->inlen);
    ck_assert_msg(b.len == c->outlen && memcmp(b.data, c->out, b.len) == 0,
                  "%s: got \"%.*s\" (%zu bytes), want %zu bytes", c->name,
                  (int)b.len, b.data, b.len, c->outlen);
    buf_free(&b);
}
END_TEST

/* every control byte alone: JSON escapes it, text shows \xHH */
START_TEST(test_escape_each_control)
{
    char c = (char)(_i == 0x20 ? 0x7f : _i);
    char want[8];
    struct mw_buf b = {0};

    escape_json(&b, &c, 1);
    if (c == '\n' || c == '\r' || c == '\t')
        snprintf(want, sizeof want, "\\%c",
                 c == '\n'   ? 'n'
                 : c == '\r' ? 'r'
                             : 't');
    else
        snprintf(want, sizeof want, "\\u%04x", (unsigned char)c);
    ck_assert_str_eq(b.data, want);
    buf_reset(&b);
    escape_text(&b, &c, 1);
    snprintf(want, sizeof want, "\\x%02x", (unsigned char)c);
    ck_assert_str_eq(b.data, want);
    buf_free(&b);
}
END_TEST

START_TEST(test_escape_appends)
{
    struct mw_buf b = {0};
    buf_puts(&b, "K=");
    escape_cef_value(&b, S("v=1"));
    escape_json(&b, NULL, 0);
    ck_assert_str_eq(b.data, "K=v\\=1");
    buf_free(&b);
}
END_TEST

/* every byte value once, through every escaper: always valid UTF-8 */
START_TEST(test_escape_all_bytes_valid_utf8)
{
    static const escaper fns[] = {escape_json,      escape_text,
                                  escape_html,      escape_cef_header,
                                  escape_cef_value, escape_sd_value};
    char in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        struct mw_buf b = {0};
        fns[f](&b, in, sizeof in);
        ck_assert_msg(utf8_valid(b.data, b.len), "escaper %zu", f);
        for (size_t k = 0; k < b.len; k++)
            ck_assert_msg(
                (unsigned char)b.data[k] >= 0x20 ||
                    (f == 2 && (b.data[k] == '\t' || b.data[k] == '\n')),
                "escaper %zu: raw control 0x%02x", f, (unsigned char)b.data[k]);
        buf_free(&b);
    }
}
END_TEST

/* a long clean run comes out unchanged, and a long hostile one as valid
 * JSON */
START_TEST(test_escape_long_input)
{
    size_t n = 1 << 20;
    char *in = malloc(n + 2);
    struct mw_buf b = {0};
    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < n; i++)
        in[i] = (char)('a' + i % 26);
    escape_json(&b, in, n);
    ck_assert_uint_eq(b.len, n);
    ck_assert(memcmp(b.data, in, n) == 0);
    for (size_t i = 0; i < n; i += 7)
        in[i] = (char)(i * 31);
    buf_reset(&b);
    buf_putc(&b, '"');
    escape_json(&b, in, n);
    buf_putc(&b, '"');
    ck_assert(json_valid(b.data, b.len));
    buf_free(&b);
    free(in);
}
END_TEST

/* ---- renderers ---------------------------------------------------------- */

struct capture {
    FILE *f;
    char *data;
    size_t len;
};

static void
capture_open(struct capture *c)
{
    c->data = NULL;
    c->len = 0;
    c->f = open_memstream(&c->data, &c->len);
    ck_assert_ptr_nonnull(c->f);
}

static void
capture_close(struct capture *c)
{
    fclose(c->f);
}

static void
utc(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
}

/* 2026-11-22T09:00:00Z */
#define T0 ((int64_t)1795338000)

static struct mw_sum_point series[12];
static const char *finding_clients[] = {"203.0.113.5", "198.51.100.7",
                                        "192.0.2.9"};
static struct mw_sum_evidence evidence[2];
static struct mw_sum_input inputs[1];
static struct mw_sum_category categories[1];
static struct mw_sum_client clients[2];
static struct mw_sum_finding findings[1];
static struct mw_sum_shape shapes[1];

static const char hostile[] = "smtpd: \x1b[2J\r\n\"}\n{\"injected\":1 "
                              "\x00\xff\xfe\x07 <b>";

/* a small summary: one finding with evidence, one category, two clients */
static void
summary_build(struct mw_summary *s)
{
    int auth = category_index("auth.failure");
    int proto = category_index("protocol");
    ck_assert_int_ge(auth, 0);
    ck_assert_int_ge(proto, 0);
    for (int i = 0; i < 12; i++) {
        series[i].start = T0 + i * 300;
        series[i].count = (uint64_t)(i < 6 ? 0 : i == 8 ? 120 : 12);
    }
    inputs[0] =
        (struct mw_sum_input){"mail.log", "syslog", 12345, 516, 3, 1, false};
    categories[0] = (struct mw_sum_category){
        "auth.failure",   516,    3, T0 + 1800, T0 + 3500,
        {T0 + 2400, 120}, series, 12};
    memset(clients, 0, sizeof clients);
    clients[0].ip = "203.0.113.5";
    clients[0].count = 400;
    clients[0].by_category[auth] = 390;
    clients[0].by_category[proto] = 10;
    clients[0].first = T0 + 1800;
    clients[0].last = T0 + 3500;
    clients[1].ip = "198.51.100.7";
    clients[1].count = 116;
    clients[1].by_category[auth] = 116;
    clients[1].first = T0 + 2000;
    clients[1].last = T0 + 3000;
    evidence[0] = (struct mw_sum_evidence){
        "mail.log", 1234,
        "Nov 22 09:35:08 mx1 postfix/smtpd[1234]: warning: "
        "unknown[203.0.113.5]: SASL LOGIN authentication failed",
        102};
    evidence[1] =
        (struct mw_sum_evidence){"mail.log", 1240, hostile, sizeof hostile - 1};
    findings[0] = (struct mw_sum_finding){
        .id = "postfix.smtpd.sasl_auth_failed",
        .title = "SASL authentication failed",
        .category = "auth.failure",
        .cause = "A client tried to log in with a wrong user name or password.",
        .fix = NULL,
        .level = MW_LEVEL_HIGH,
        .confidence = 0.9,
        .start = T0 + 1800,
        .end = T0 + 3500,
        .onset = T0 + 1800,
        .peak = {T0 + 2400, 120},
        .ongoing = true,
        .count = 516,
        .clients = finding_clients,
        .nclients = 3,
        .nclients_total = 7,
        .evidence = evidence,
        .nevidence = 2};
    shapes[0] = (struct mw_sum_shape){"connect from <host>[<ip>]", 4096,
                                      "connect from a[192.0.2.1]"};
    *s = (struct mw_summary){
        inputs, 1,       true, T0, T0 + 3599, 300, 12345,  516, categories,
        1,      clients, 2,    2,  findings,  1,   shapes, 1};
}

/* fragment present (or absent), showing the whole output when not */
#define assert_has(out, frag)                                                  \
    ck_assert_msg(strstr(out, frag) != NULL, "missing \"%s\" in:\n%s", frag,   \
                  out)
#define assert_lacks(out, frag)                                                \
    ck_assert_msg(strstr(out, frag) == NULL, "unexpected \"%s\" in:\n%s",      \
                  frag, out)

static char *
render_summary(const char *name, const struct mw_summary *s, bool color)
{
    struct capture c;
    const struct mw_renderer *r = render_find(name);
    ck_assert_ptr_nonnull(r);
    capture_open(&c);
    struct mw_render_opts o = {.out = c.f,
                               .color = color,
                               .top = 10,
                               .now = T0 + 3600,
                               .version = "9.9"};
    void *st = r->open(&o);
    ck_assert_int_eq(r->finish(st, s), 0);
    r->close(st);
    capture_close(&c);
    return c.data;
}

START_TEST(test_render_table)
{
    ck_assert_str_eq(render_names(), "text|json|html|ndjson|cef|syslog");
    ck_assert_str_eq(render_find("text")->name, "text");
    ck_assert_str_eq(render_find("json")->name, "json");
    ck_assert_str_eq(render_find("ndjson")->name, "ndjson");
    ck_assert(render_find("text")->needs_summary);
    ck_assert(!render_find("ndjson")->needs_summary);
    ck_assert_ptr_null(render_find("xml"));
    ck_assert_ptr_null(render_find(""));
    ck_assert_ptr_null(render_find(NULL));
}
END_TEST

START_TEST(test_render_json_summary)
{
    struct mw_summary s;
    utc();
    summary_build(&s);
    char *out = render_summary("json", &s, false);
    size_t len = strlen(out);

    ck_assert_msg(json_valid(out, len), "invalid JSON:\n%s", out);
    assert_has(out, "{\n  \"schema\": \"maillog-why/summary/1\",\n");
    assert_has(out, "\"version\": \"9.9\"");
    assert_has(out, "\"window_seconds\": 300,");
    assert_has(
        out,
        "\"span\": {\n    \"start\": \"2026-11-22T09:00:00Z\",\n    \"end\": \"2026-11-22T09:59:59Z\"\n  }");
    assert_has(
        out,
        "\"path\": \"mail.log\",\n      \"dialect\": \"syslog\",\n      \"lines\": 12345,");
    assert_has(out, "[\"2026-11-22T09:40:00Z\", 120]");
    assert_has(
        out,
        "\"peak\": {\n        \"start\": \"2026-11-22T09:40:00Z\",\n        \"count\": 120\n      }");
    assert_has(
        out,
        "\"categories\": {\n        \"auth.failure\": 390,\n        \"protocol\": 10\n      }");
    assert_lacks(out, "\"dns\"");
    assert_has(out, "\"confidence\": 0.90,");
    assert_has(out, "\"level\": \"high\",");
    assert_has(out, "\"ongoing\": true,");
    assert_has(out, "\"clients_total\": 7,");
    assert_has(out, "\"fix\": null");
    assert_has(out, "\"line\": 1240,");
    assert_has(out,
               "\\u001b[2J\\r\\n\\\"}\\n{\\\"injected\\\":1 \\u0000" FFFD FFFD
               "\\u0007 <b>\"");
    assert_has(
        out,
        "\"unmatched\": [\n    {\n      \"shape\": \"connect from <host>[<ip>]\",\n      \"count\": 4096,");
    ck_assert(out[len - 1] == '\n' && out[len - 2] == '}');
    free(out);
}
END_TEST

START_TEST(test_render_json_empty)
{
    struct mw_summary s;
    memset(&s, 0, sizeof s);
    char *out = render_summary("json", &s, false);
    ck_assert_msg(json_valid(out, strlen(out)), "invalid JSON:\n%s", out);
    assert_has(out, "\"span\": null,");
    assert_has(out, "\"inputs\": [],");
    assert_has(out, "\"findings\": [],");
    assert_has(out, "\"unmatched\": []\n}\n");
    free(out);
}
END_TEST

/* ---- ndjson ------------------------------------------------------------- */

static const struct mw_rule sasl_rule = {
    "postfix.smtpd.sasl_auth_failed",
    "SASL authentication failed",
    "auth.failure",
    3,
    "A client tried to log in with a wrong password.",
    "Block it.",
    MW_LEVEL_MEDIUM,
    "rules/postfix.yaml",
    10,
    100,
    NULL};

static const struct mw_rule dnsbl_rule = {"postfix.smtpd.dnsbl_reject",
                                          "Client listed on a DNS blocklist",
                                          "policy.dnsbl",
                                          9,
                                          "The client is listed.",
                                          NULL,
                                          MW_LEVEL_LOW,
                                          "rules/postfix.yaml",
                                          20,
                                          100,
                                          NULL};

static void
field(struct mw_event *ev, const char *name, const char *val)
{
    ev->fields[ev->nfields].name = name;
    ev->fields[ev->nfields].val = val;
    ev->fields[ev->nfields].len = strlen(val);
    ev->nfields++;
}

static char *
render_event(const struct mw_event *ev, const char *path)
{
    struct capture c;
    const struct mw_renderer *r = render_find("ndjson");
    struct mw_summary s;
    memset(&s, 0, sizeof s);
    capture_open(&c);
    struct mw_render_opts o = {.out = c.f, .top = 10, .version = "9.9"};
    void *st = r->open(&o);
    ck_assert_int_eq(r->event(st, ev, path), 0);
    ck_assert_int_eq(r->finish(st, &s), 0);
    r->close(st);
    capture_close(&c);
    return c.data;
}

/* exactly one line, terminated, holding one valid JSON object */
static void
assert_one_json_line(const char *out, size_t len)
{
    ck_assert_uint_gt(len, 2);
    ck_assert_msg(memchr(out, '\n', len) == out + len - 1,
                  "not exactly one line: %s", out);
    ck_assert(out[0] == '{' && out[len - 2] == '}');
    ck_assert_msg(json_valid(out, len - 1), "invalid JSON: %s", out);
    assert_lacks(out, "null");
    assert_lacks(out, "{}");
}

START_TEST(test_ndjson_hostile)
{
    static const char line[] =
        "Nov 22 10:05:08 mx1 postfix/smtpd[1234]: warning: "
        "unknown[192.0.2.7]: SASL LOGIN authentication failed: \"}\n"
        "{\"injected\":1 \x00 \xff\xfe\xc0\xaf \x1b[2J, sasl_username=ad\"min";
    struct mw_line ln = {line, sizeof line - 1, 4096, 77, false};
    struct mw_record rec = {0};
    struct mw_event ev = {0};

    rec.line = &ln;
    rec.ts = (struct mw_time){T0 + 3908, 123000000, 3, true};
    rec.host = line + 16;
    rec.host_len = 3;
    rec.prog = line + 20;
    rec.prog_len = 13;
    rec.pid = 1234;
    rec.parsed = true;
    ev.rule = &sasl_rule;
    ev.rec = &rec;
    field(&ev, "client_host", "unknown");
    field(&ev, "client_ip", "192.0.2.7");
    field(&ev, "sasl_method", "LOGIN");
    field(&ev, "reason", "\"}\n{\"injected\":1");
    field(&ev, "user", "ad\"min");
    field(&ev, "client_port", "x25");
    field(&ev, "sasl_method", "PLAIN"); /* duplicate name: first wins */

    char *out = render_event(&ev, "/var/log/mail.log");
    size_t len = strlen(out);
    assert_one_json_line(out, len);
    ck_assert_msg(
        strncmp(
            out,
            "{\"@timestamp\":\"2026-11-22T10:05:08.123Z\",\"message\":\"Nov 22 10:05:08 mx1 ",
            72) == 0,
        "%s", out);
    assert_has(
        out, "failed: \\\"}\\n{\\\"injected\\\":1 \\u0000 " FFFD FFFD FFFD FFFD
             " \\u001b[2J, sasl_username=ad\\\"min\",");
    assert_has(
        out,
        "\"event\":{\"kind\":\"event\",\"category\":[\"authentication\"],\"type\":[\"start\"],\"outcome\":\"failure\",\"action\":\"sasl-auth-failed\",\"reason\":\"\\\"}\\n{\\\"injected\\\":1\",\"severity\":5}");
    assert_has(
        out,
        "\"rule\":{\"id\":\"postfix.smtpd.sasl_auth_failed\",\"name\":\"SASL authentication failed\",\"category\":\"auth.failure\"}");
    assert_has(out, "\"source\":{\"ip\":\"192.0.2.7\"}");
    assert_has(out, "\"user\":{\"name\":\"ad\\\"min\"}");
    assert_has(out, "\"host\":{\"name\":\"mx1\"}");
    assert_has(out, "\"process\":{\"name\":\"postfix/smtpd\",\"pid\":1234}");
    assert_has(
        out,
        "\"log\":{\"file\":{\"path\":\"/var/log/mail.log\"},\"offset\":4096}");
    assert_has(out,
               "\"related\":{\"ip\":[\"192.0.2.7\"],\"user\":[\"ad\\\"min\"]}");
    assert_has(
        out,
        "\"maillog_why\":{\"category\":\"auth.failure\",\"cause\":\"A client tried to log in with a wrong password.\",\"level\":\"medium\",\"line\":77,\"fields\":{\"sasl_method\":\"LOGIN\"}}");
    assert_has(out, ",\"ecs\":{\"version\":\"8.17.0\"}}\n");
    assert_lacks(out, "destination");
    assert_lacks(out, "\"tls\"");
    assert_lacks(out, "\"domain\"");
    assert_lacks(out, "\"code\"");
    assert_lacks(out, "{\"injected\"");
    free(out);
}
END_TEST

START_TEST(test_ndjson_outbound)
{
    static const char line[] =
        "postfix/smtp: connect to mx.example[2001:db8::25]:25: "
        "Connection refused";
    struct mw_line ln = {line, sizeof line - 1, 0, 1, true};
    struct mw_record rec = {0};
    struct mw_event ev = {0};

    rec.line = &ln;
    rec.pid = -1;
    ev.rule = &dnsbl_rule;
    ev.rec = &rec;
    field(&ev, "remote_host", "mx.example");
    field(&ev, "remote_ip", "IPv6:2001:db8::25");
    field(&ev, "remote_port", "25");
    field(&ev, "client_ip", "not-an-ip");
    field(&ev, "reply_code", "554");
    field(&ev, "dsn", "5.7.1");
    field(&ev, "queue_id", "4FzT1x3abc");
    field(&ev, "recipient", "u@example.org");
    field(&ev, "tls_error", "no shared cipher");
    field(&ev, "helo", "");

    char *out = render_event(&ev, "-");
    size_t len = strlen(out);
    assert_one_json_line(out, len);
    ck_assert_msg(strncmp(out, "{\"message\":", 11) == 0, "%s", out);
    assert_has(
        out,
        "\"category\":[\"network\",\"intrusion_detection\"],\"type\":[\"connection\",\"denied\"]");
    assert_has(out, "\"code\":\"554\"");
    assert_has(out, "\"reason\":\"Client listed on a DNS blocklist\"");
    assert_has(out, "\"source\":{\"address\":\"not-an-ip\"}");
    assert_has(
        out,
        "\"destination\":{\"ip\":\"2001:db8::25\",\"domain\":\"mx.example\",\"port\":25}");
    assert_has(
        out,
        "\"email\":{\"local_id\":\"4FzT1x3abc\",\"to\":{\"address\":[\"u@example.org\"]}}");
    assert_has(
        out,
        "\"tls\":{\"established\":false},\"error\":{\"message\":\"no shared cipher\"}");
    assert_has(
        out,
        "\"related\":{\"ip\":[\"2001:db8::25\"],\"hosts\":[\"mx.example\"]}");
    assert_has(out, "\"truncated\":true");
    assert_lacks(out, "@timestamp");
    assert_lacks(out, "\"process\"");
    assert_lacks(out, "\"host\"");
    assert_lacks(out, "helo");
    free(out);
}
END_TEST

/* a write error is reported: to a read-only stream at once, to a full
 * device at the latest by finish */
START_TEST(test_ndjson_write_error)
{
    static const char line[] = "x";
    struct mw_line ln = {line, 1, 0, 1, false};
    struct mw_record rec = {0};
    struct mw_event ev = {0};
    struct mw_summary s;
    const struct mw_renderer *r = render_find("ndjson");
    FILE *ro = fopen("/dev/null", "r");
    memset(&s, 0, sizeof s);
    rec.line = &ln;
    rec.pid = -1;
    ev.rule = &sasl_rule;
    ev.rec = &rec;
    ck_assert_ptr_nonnull(ro);
    struct mw_render_opts o = {.out = ro, .top = 10, .version = "9.9"};
    void *st = r->open(&o);
    ck_assert_int_eq(r->event(st, &ev, "x"), -1);
    r->close(st);
    fclose(ro);

    FILE *full = fopen("/dev/full", "w");
    if (!full)
        return;
    o.out = full;
    st = r->open(&o);
    int rc = r->event(st, &ev, "x");
    if (rc == 0)
        rc = r->finish(st, &s);
    ck_assert_int_eq(rc, -1);
    r->close(st);
    fclose(full);
}
END_TEST

/* ---- text --------------------------------------------------------------- */

/* every line at most 100 columns (a code point counts one column, SGR
 * sequences none), and no control byte but '\n' and, with colour, ESC */
static void
assert_text_sane(const char *out, bool color)
{
    size_t cols = 0, lineno = 1;
    const unsigned char *p = (const unsigned char *)out;
    ck_assert(utf8_valid(out, strlen(out)));
    while (*p) {
        if (*p == '\n') {
            cols = 0;
            lineno++;
            p++;
            continue;
        }
        if (color && p[0] == 0x1b && p[1] == '[') {
            p += 2;
            while (*p && *p != 'm')
                p++;
            ck_assert(*p == 'm');
            p++;
            continue;
        }
        ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control 0x%02x on line %zu",
                      *p, lineno);
        if ((*p & 0xc0) != 0x80)
            cols++;
        ck_assert_msg(cols <= 100, "line %zu longer than 100 columns", lineno);
        p++;
    }
}

START_TEST(test_text_summary)
{
    struct mw_summary s;
    utc();
    setenv("LC_ALL", "C", 1);
    summary_build(&s);
    char *out = render_summary("text", &s, false);
    assert_text_sane(out, false);
    static const char head[] = "maillog-why: 1 finding in 12,345 lines "
                               "(2026-11-22 09:00 - 09:59 UTC), 4.1% "
                               "matched\n";
    ck_assert_msg(strncmp(out, head, sizeof head - 1) == 0, "%s", out);
    assert_has(out, "\nFINDINGS");
    assert_has(
        out,
        "\n 1. HIGH     SASL authentication failed (auth.failure, confidence 90%)\n");
    assert_has(
        out,
        "\n    516 hits from 203.0.113.5, 198.51.100.7, 192.0.2.9 and 4 more\n");
    assert_has(
        out, "\n    since 09:30, peak 09:40 with 120 in 5 min, still going\n");
    assert_has(out, "\n    Cause: A client tried");
    assert_lacks(out, "Fix:");
    assert_has(out, "\n      mail.log:1234: Nov 22 09:35:08 mx1");
    assert_has(
        out,
        "\\x1b[2J\\x0d\\x0a\"}\\x0a{\"injected\":1 \\x00\\xff\\xfe\\x07 <b>\n");
    assert_has(
        out,
        "\nTIMELINE  (5 min windows, local time)\n  auth.failure        |");
    assert_has(out, "@@@@");
    assert_has(
        out,
        "\nTOP CLIENTS  (2 of 2)\n  203.0.113.5           400  09:30 - 09:58  auth.failure 390, protocol 10\n");
    assert_has(
        out,
        "\nCOVERAGE\n  mail.log (syslog): 12,345 lines, 516 matched, 3 not parsed, 1 cut (too long)\n");
    assert_has(out, "\n      4,096  connect from <host>[<ip>]\n");
    ck_assert_ptr_null(strchr(out, '\033'));
    free(out);
}
END_TEST

START_TEST(test_text_color_and_utf8)
{
    struct mw_summary s;
    utc();
    setenv("LC_ALL", "C.UTF-8", 1);
    summary_build(&s);
    char *out = render_summary("text", &s, true);
    assert_text_sane(out, true);
    assert_has(out, "\033[1;31mHIGH\033[0m");
    assert_has(out, "\xe2\x96\x88"); /* U+2588 */
    assert_lacks(out, "\\xe2\\x96\\x88");
    free(out);
    setenv("LC_ALL", "C", 1);
}
END_TEST

START_TEST(test_text_nothing_found)
{
    struct mw_summary s;
    memset(&s, 0, sizeof s);
    char *out = render_summary("text", &s, false);
    ck_assert_str_eq(out, "maillog-why: no failures found in 0 lines\n");
    free(out);
}
END_TEST

/* very long values everywhere still give lines of at most 100 columns */
START_TEST(test_text_long_values)
{
    struct mw_summary s;
    char *big = malloc(6000), *word = malloc(400), *path = malloc(600);
    utc();
    setenv("LC_ALL", "C.UTF-8", 1);
    summary_build(&s);
    ck_assert_ptr_nonnull(big);
    ck_assert_ptr_nonnull(word);
    ck_assert_ptr_nonnull(path);
    for (size_t i = 0; i < 6000; i++) /* words, CJK, controls, bad bytes */
        big[i] = "ab \xe6\x97\xa5\x01\xff\tz"[i % 9];
    big[5999] = '\0';
    memset(word, 'w', 399);
    word[399] = '\0';
    memset(path, 'p', 599);
    path[0] = '/';
    path[599] = '\0';
    inputs[0].path = path;
    inputs[0].dialect = word;
    evidence[0].path = path;
    evidence[0].text = big;
    evidence[0].text_len = 5999;
    findings[0].title = big;
    findings[0].cause = word;
    findings[0].fix = big;
    finding_clients[0] = word;
    clients[0].ip = word;
    categories[0].category = word;
    shapes[0].shape = big;
    s.has_span = true;
    s.span_end = T0 + 86400 * 3; /* several days: longer time stamps */
    char *out = render_summary("text", &s, false);
    assert_text_sane(out, false);
    free(out);
    out = render_summary("text", &s, true);
    assert_text_sane(out, true);
    free(out);
    finding_clients[0] = "203.0.113.5";
    free(big);
    free(word);
    free(path);
    setenv("LC_ALL", "C", 1);
}
END_TEST

static Suite *
escape_suite(void)
{
    Suite *s = suite_create("escape");
    TCase *core = tcase_create("core");
    TCase *edge = tcase_create("edge");
    TCase *render = tcase_create("render");
    TCase *hostile_tc = tcase_create("hostile");

    tcase_add_loop_test(core, test_escape_table, 0,
                        (int)(sizeof esc_cases / sizeof esc_cases[0]));
    tcase_add_test(core, test_escape_appends);
    tcase_add_loop_test(edge, test_escape_each_control, 0, 0x21);
    tcase_add_test(edge, test_escape_all_bytes_valid_utf8);
    tcase_add_test(edge, test_escape_long_input);
    tcase_add_test(render, test_render_table);
    tcase_add_test(render, test_render_json_summary);
    tcase_add_test(render, test_render_json_empty);
    tcase_add_test(render, test_text_summary);
    tcase_add_test(render, test_text_color_and_utf8);
    tcase_add_test(render, test_text_nothing_found);
    tcase_add_test(hostile_tc, test_ndjson_hostile);
    tcase_add_test(hostile_tc, test_ndjson_outbound);
    tcase_add_test(hostile_tc, test_ndjson_write_error);
    tcase_add_test(hostile_tc, test_text_long_values);
    suite_add_tcase(s, core);
    suite_add_tcase(s, edge);
    suite_add_tcase(s, render);
    suite_add_tcase(s, hostile_tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(escape_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
