#include "config.h"

#include "dialect_backends.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* `journalctl -o json` (and -o json-seq): one JSON object per line, every
 * value a string (journalctl(1), "json"; FORMATS.md 1.4). journalctl writes
 * null for values over 4096 bytes without --all, an array for a field that
 * occurs more than once, and an array of byte numbers for a value that is
 * not valid UTF-8. Field meanings: systemd.journal-fields(7).
 *
 * A small strict scanner, not a JSON library: one pass validates the object
 * and notes where the few wanted values are; only those are then decoded,
 * into a per-reader buffer that never needs more bytes than the line has.
 * Anything that is not one well-formed object is kept whole, unparsed. */

/* nesting depth accepted inside skipped values */
#define JSON_DEPTH_MAX 32
/* pids longer than this are not pids */
#define PID_DIGITS_MAX 10
/* JSON text sequences (RFC 7464, journalctl -o json-seq) start with RS */
#define JSON_SEQ_RS 0x1e

enum jfield {
    JF_MESSAGE,
    JF_REALTIME,
    JF_SOURCE_REALTIME,
    JF_HOSTNAME,
    JF_IDENTIFIER,
    JF_COMM,
    JF_SYSLOG_PID,
    JF_PID,
    JF_COUNT
};

static const struct {
    const char *name;
    size_t len;
} jfield_names[JF_COUNT] = {
    [JF_MESSAGE] = {"MESSAGE", 7},
    [JF_REALTIME] = {"__REALTIME_TIMESTAMP", 20},
    [JF_SOURCE_REALTIME] = {"_SOURCE_REALTIME_TIMESTAMP", 26},
    [JF_HOSTNAME] = {"_HOSTNAME", 9},
    [JF_IDENTIFIER] = {"SYSLOG_IDENTIFIER", 17},
    [JF_COMM] = {"_COMM", 5},
    [JF_SYSLOG_PID] = {"SYSLOG_PID", 10},
    [JF_PID] = {"_PID", 4},
};

enum jkind { JK_ABSENT, JK_STRING, JK_BYTES };

/* raw text of one wanted value: the inside of "..." or of [n,n,...] */
struct jvalue {
    enum jkind kind;
    const char *p;
    size_t n;
};

struct jscan {
    const char *s;
    size_t len;
    size_t i;
};

struct journal_reader {
    struct mw_timectx tc; /* for Exim's own stamp inside MESSAGE */
    char *buf;            /* decoded values of the last record */
    size_t cap;
};

static void
skip_ws(struct jscan *js)
{
    while (js->i < js->len && (js->s[js->i] == ' ' || js->s[js->i] == '\t' ||
                               js->s[js->i] == '\n' || js->s[js->i] == '\r'))
        js->i++;
}

static int
hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* the 4 hex digits at s, or -1 */
static long
hex4(const char *s)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hex_value(s[k]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/* A string at js->i (which is at '"'): validates escapes and control
 * characters, sets *v to its raw inside, leaves js->i after the '"' */
static bool
scan_string(struct jscan *js, struct jvalue *v)
{
    const char *s = js->s;
    size_t i = js->i + 1, len = js->len;
    size_t start = i;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"')
            break;
        if (ch < 0x20)
            return false;
        if (ch != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= len)
            return false;
        char e = s[i + 1];
        if (e == 'u') {
            if (len - i < 6 || hex4(s + i + 2) < 0)
                return false;
            i += 6;
        } else if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
            i += 2;
        } else {
            return false;
        }
    }
    if (i >= len)
        return false;
    v->kind = JK_STRING;
    v->p = s + start;
    v->n = i - start;
    js->i = i + 1;
    return true;
}

/* a JSON number at js->i; *byte gets its value when it is an integer in
 * 0..255 written without sign, fraction or exponent, else -1 */
static bool
scan_number(struct jscan *js, int *byte)
{
    const char *s = js->s;
    size_t i = js->i, len = js->len;
    bool plain = true;
    if (i < len && s[i] == '-') {
        plain = false;
        i++;
    }
    size_t d0 = i;
    long v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (v <= 255)
            v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == d0 || (s[d0] == '0' && i - d0 > 1))
        return false;
    if (i < len && s[i] == '.') {
        plain = false;
        size_t f0 = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f0)
            return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        plain = false;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e0)
            return false;
    }
    *byte = plain && v <= 255 ? (int)v : -1;
    js->i = i;
    return true;
}

static bool
scan_word(struct jscan *js, const char *w, size_t n)
{
    if (js->len - js->i < n || memcmp(js->s + js->i, w, n) != 0)
        return false;
    js->i += n;
    return true;
}

static bool scan_value(struct jscan *js, int depth, struct jvalue *v);

/* An array at js->i (at '['). For a wanted value (v not NULL): an array of
 * byte numbers becomes JK_BYTES; otherwise the first element that is a
 * string or a byte array is taken (a field logged more than once). */
static bool
scan_array(struct jscan *js, int depth, struct jvalue *v)
{
    size_t open = js->i++;
    bool bytes = true;
    struct jvalue first = {JK_ABSENT, NULL, 0};
    skip_ws(js);
    if (js->i < js->len && js->s[js->i] == ']') {
        js->i++;
        return true; /* an empty array: absent */
    }
    for (;;) {
        skip_ws(js);
        if (js->i >= js->len)
            return false;
        char ch = js->s[js->i];
        struct jvalue el = {JK_ABSENT, NULL, 0};
        int byte = -1;
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            if (!scan_number(js, &byte))
                return false;
        } else if (!scan_value(js, depth + 1, v ? &el : NULL)) {
            return false;
        }
        bytes = bytes && byte >= 0;
        if (first.kind == JK_ABSENT)
            first = el;
        skip_ws(js);
        if (js->i >= js->len)
            return false;
        if (js->s[js->i] == ']')
            break;
        if (js->s[js->i] != ',')
            return false;
        js->i++;
    }
    if (v && bytes) {
        v->kind = JK_BYTES;
        v->p = js->s + open + 1;
        v->n = js->i - open - 1;
    } else if (v) {
        *v = first;
    }
    js->i++;
    return true;
}

/* An object at js->i (at '{'), skipped */
static bool
scan_object_skip(struct jscan *js, int depth)
{
    struct jvalue key;
    js->i++;
    skip_ws(js);
    if (js->i < js->len && js->s[js->i] == '}') {
        js->i++;
        return true;
    }
    for (;;) {
        skip_ws(js);
        if (js->i >= js->len || js->s[js->i] != '"' || !scan_string(js, &key))
            return false;
        skip_ws(js);
        if (js->i >= js->len || js->s[js->i] != ':')
            return false;
        js->i++;
        if (!scan_value(js, depth + 1, NULL))
            return false;
        skip_ws(js);
        if (js->i >= js->len)
            return false;
        if (js->s[js->i++] == '}')
            return true;
        if (js->s[js->i - 1] != ',')
            return false;
    }
}

/* Any value at js->i (after white space). With v, a string, byte array or
 * array of them is noted in *v; null and everything else leave it absent. */
static bool
scan_value(struct jscan *js, int depth, struct jvalue *v)
{
    int byte;
    skip_ws(js);
    if (js->i >= js->len || depth > JSON_DEPTH_MAX)
        return false;
    char ch = js->s[js->i];
    struct jvalue ignored;
    switch (ch) {
    case '"':
        return scan_string(js, v ? v : &ignored);
    case '[':
        return scan_array(js, depth, v);
    case '{':
        return scan_object_skip(js, depth);
    case 'n':
        return scan_word(js, "null", 4);
    case 't':
        return scan_word(js, "true", 4);
    case 'f':
        return scan_word(js, "false", 5);
    default:
        return scan_number(js, &byte);
    }
}

static int
jfield_lookup(const struct jvalue *key)
{
    for (int f = 0; f < JF_COUNT; f++)
        if (key->n == jfield_names[f].len &&
            memcmp(key->p, jfield_names[f].name, key->n) == 0)
            return f;
    return -1;
}

/* The whole line as one object; vals[] gets the first occurrence of each
 * wanted field. False when the line is not exactly one object. */
static bool
scan_entry(const char *s, size_t len, struct jvalue vals[JF_COUNT])
{
    struct jscan js = {s, len, len > 0 && s[0] == JSON_SEQ_RS};
    for (int f = 0; f < JF_COUNT; f++)
        vals[f].kind = JK_ABSENT;
    skip_ws(&js);
    if (js.i >= len || s[js.i] != '{')
        return false;
    js.i++;
    skip_ws(&js);
    bool more = js.i >= len || s[js.i] != '}';
    if (!more)
        js.i++;
    while (more) {
        struct jvalue key, val = {JK_ABSENT, NULL, 0};
        skip_ws(&js);
        if (js.i >= len || s[js.i] != '"' || !scan_string(&js, &key))
            return false;
        skip_ws(&js);
        if (js.i >= len || s[js.i++] != ':')
            return false;
        int f = jfield_lookup(&key);
        bool take = f >= 0 && vals[f].kind == JK_ABSENT;
        if (!scan_value(&js, 1, take ? &val : NULL))
            return false;
        if (take)
            vals[f] = val;
        skip_ws(&js);
        if (js.i >= len)
            return false;
        char ch = s[js.i++];
        if (ch != ',' && ch != '}')
            return false;
        more = ch == ',';
    }
    skip_ws(&js);
    return js.i == len;
}

/* UTF-8 of code point cp at out; returns its length */
static size_t
utf8_put(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* "\uXXXX" (or a surrogate pair of them) at s[*i]: code point, and *i
 * after it. A lone surrogate becomes U+FFFD. */
static unsigned long
decode_u(const char *s, size_t n, size_t *i)
{
    long hi = hex4(s + *i + 2);
    *i += 6;
    if (hi < 0xd800 || hi > 0xdfff)
        return (unsigned long)hi;
    if (hi <= 0xdbff && n - *i >= 6 && s[*i] == '\\' && s[*i + 1] == 'u') {
        long lo = hex4(s + *i + 2);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
            *i += 6;
            return 0x10000 + ((unsigned long)(hi - 0xd800) << 10) +
                   (unsigned long)(lo - 0xdc00);
        }
    }
    return 0xfffd;
}

/* the escapes of a validated string into out (never longer than n) */
static size_t
decode_string(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            out[o++] = s[i++];
            continue;
        }
        char e = s[i + 1];
        if (e == 'u') {
            o += utf8_put(out + o, decode_u(s, n, &i));
            continue;
        }
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        out[o++] = to[strchr(from, e) - from];
        i += 2;
    }
    return o;
}

/* "119, 97,..." (validated numbers 0..255) into bytes */
static size_t
decode_bytes(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] < '0' || s[i] > '9') {
            i++;
            continue;
        }
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (unsigned)(s[i++] - '0');
        out[o++] = (char)v;
    }
    return o;
}

/* the decoded value at *at in the reader's buffer; *at moves past it */
static const char *
jvalue_decode(const struct jvalue *v, char *buf, size_t *at, size_t *len)
{
    char *out = buf + *at;
    *len = v->kind == JK_STRING ? decode_string(v->p, v->n, out)
                                : decode_bytes(v->p, v->n, out);
    *at += *len;
    return out;
}

/* digits only, at most max of them: value, or -1 */
static int64_t
jvalue_digits(const struct jvalue *v, size_t max)
{
    if (v->kind != JK_STRING || v->n == 0 || v->n > max)
        return -1;
    int64_t r = 0;
    for (size_t k = 0; k < v->n; k++) {
        if (v->p[k] < '0' || v->p[k] > '9')
            return -1;
        r = r * 10 + (v->p[k] - '0');
    }
    return r;
}

static void
record_time(const struct jvalue vals[JF_COUNT], struct mw_record *rec)
{
    /* 18 digits of microseconds reach the year 33658 */
    int64_t us = jvalue_digits(&vals[JF_REALTIME], 18);
    if (us < 0)
        us = jvalue_digits(&vals[JF_SOURCE_REALTIME], 18);
    if (us < 0)
        return;
    rec->ts.sec = us / 1000000;
    rec->ts.nsec = (int32_t)(us % 1000000) * 1000;
    rec->ts.frac = 6;
    rec->ts.valid = true;
}

static void
record_prog(const struct jvalue *v, char *buf, size_t *at,
            struct mw_record *rec)
{
    rec->prog = jvalue_decode(v, buf, at, &rec->prog_len);
    rec->prog_base = rec->prog;
    rec->prog_base_len = rec->prog_len;
    for (size_t k = 0; k < rec->prog_len; k++)
        if (rec->prog[k] == '/') {
            rec->prog_base = rec->prog + k + 1;
            rec->prog_base_len = rec->prog_len - k - 1;
        }
}

/* Fill rec from the noted values; every decoded value goes to buf, whose
 * size is at least the line's length */
static void
record_fill(struct journal_reader *r, const struct jvalue vals[JF_COUNT],
            struct mw_record *rec)
{
    size_t at = 0;
    record_time(vals, rec);
    if (vals[JF_HOSTNAME].kind != JK_ABSENT)
        rec->host =
            jvalue_decode(&vals[JF_HOSTNAME], r->buf, &at, &rec->host_len);
    if (vals[JF_IDENTIFIER].kind != JK_ABSENT)
        record_prog(&vals[JF_IDENTIFIER], r->buf, &at, rec);
    else if (vals[JF_COMM].kind != JK_ABSENT)
        record_prog(&vals[JF_COMM], r->buf, &at, rec);
    int64_t pid = jvalue_digits(&vals[JF_SYSLOG_PID], PID_DIGITS_MAX);
    if (pid < 0)
        pid = jvalue_digits(&vals[JF_PID], PID_DIGITS_MAX);
    rec->pid = (long)pid;
    rec->msg = r->buf + at;
    rec->msg_len = 0;
    if (vals[JF_MESSAGE].kind != JK_ABSENT)
        rec->msg = jvalue_decode(&vals[JF_MESSAGE], r->buf, &at, &rec->msg_len);
    /* a syslog file never keeps the newline that ends a message */
    while (rec->msg_len > 0 && (rec->msg[rec->msg_len - 1] == '\n' ||
                                rec->msg[rec->msg_len - 1] == '\r'))
        rec->msg_len--;
}

static bool
line_is_entry(const struct mw_line *l)
{
    const char *s = l->data;
    size_t len = l->len, i = len > 0 && s[0] == JSON_SEQ_RS;
    if (s == NULL || len - i < 2 || s[i] != '{' || s[i + 1] != '"')
        return false;
    return memmem(s, len, "\"__REALTIME_TIMESTAMP\"", 22) != NULL ||
           memmem(s, len, "\"MESSAGE\"", 9) != NULL;
}

/* share of lines (0..100) that are journal entries */
static int
journal_sniff(const struct mw_line *lines, size_t n)
{
    size_t hits = 0, seen = 0;
    for (size_t k = 0; k < n; k++) {
        if (lines[k].len == 0)
            continue;
        seen++;
        hits += line_is_entry(&lines[k]);
    }
    return seen ? (int)(hits * 100 / seen) : 0;
}

static void *
journal_open(time_t ref)
{
    struct journal_reader *r = xcalloc(1, sizeof *r);
    timectx_init(&r->tc, ref);
    return r;
}

static int
journal_parse(void *state, const struct mw_line *line, struct mw_record *rec)
{
    struct journal_reader *r = state;
    struct jvalue vals[JF_COUNT];
    dialect_record_raw(line, rec);
    if (!scan_entry(line->data, line->len, vals))
        return 0;
    if (r->cap < line->len + 1) {
        size_t cap = r->cap ? r->cap : 256;
        while (cap < line->len + 1)
            cap *= 2;
        free(r->buf);
        r->buf = xmalloc(cap);
        r->cap = cap;
    }
    record_fill(r, vals, rec);
    rec->parsed = true;
    if (rec->prog)
        syslog_exim_fixup(&r->tc, rec);
    return 0;
}

static void
journal_close(void *state)
{
    struct journal_reader *r = state;
    if (r == NULL)
        return;
    free(r->buf);
    free(r);
}

const struct mw_dialect mw_dialect_journal = {
    "journal-json", journal_sniff, journal_open, journal_parse, journal_close,
};
