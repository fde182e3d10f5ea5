#include "config.h"

#include "escape.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every escaper walks the input once: runs of bytes that need nothing are
 * appended as one span; a byte class table says which bytes stop a run for
 * which escaper. Bytes >= 0x80 stop every run and are checked as UTF-8: a
 * well-formed sequence joins the run (unless the escaper wants that code
 * point escaped), each byte of an ill-formed one is handed to the
 * escaper's "bad byte" action. */

enum {
    F_CTL = 1 << 0,   /* 0x00-0x1f and 0x7f */
    F_HIGH = 1 << 1,  /* 0x80-0xff: UTF-8 check */
    F_QUOT = 1 << 2,  /* " */
    F_BSL = 1 << 3,   /* \ */
    F_APOS = 1 << 4,  /* ' */
    F_LT = 1 << 5,    /* < */
    F_GT = 1 << 6,    /* > */
    F_AMP = 1 << 7,   /* & */
    F_PIPE = 1 << 8,  /* | */
    F_EQ = 1 << 9,    /* = */
    F_RBRK = 1 << 10, /* ] */
};

#define CLS(c)                                                                 \
    ((c) < 0x20 || (c) == 0x7f ? F_CTL                                         \
     : (c) >= 0x80             ? F_HIGH                                        \
     : (c) == '"'              ? F_QUOT                                        \
     : (c) == '\\'             ? F_BSL                                         \
     : (c) == '\''             ? F_APOS                                        \
     : (c) == '<'              ? F_LT                                          \
     : (c) == '>'              ? F_GT                                          \
     : (c) == '&'              ? F_AMP                                         \
     : (c) == '|'              ? F_PIPE                                        \
     : (c) == '='              ? F_EQ                                          \
     : (c) == ']'              ? F_RBRK                                        \
                               : 0)
#define CLS4(c)  CLS(c), CLS((c) + 1), CLS((c) + 2), CLS((c) + 3)
#define CLS16(c) CLS4(c), CLS4((c) + 4), CLS4((c) + 8), CLS4((c) + 12)
#define CLS64(c) CLS16(c), CLS16((c) + 16), CLS16((c) + 32), CLS16((c) + 48)

static const uint16_t byte_class[256] = {CLS64(0), CLS64(64), CLS64(128),
                                         CLS64(192)};

static const char hexdig[] = "0123456789abcdef";
static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

struct esc_ops {
    unsigned mask; /* byte classes that end a run */
    /* an ASCII byte whose class is in mask */
    void (*ascii)(struct mw_buf *b, unsigned char c);
    /* one byte of an ill-formed UTF-8 sequence */
    void (*bad)(struct mw_buf *b, unsigned char c);
    /* optional: true when this well-formed sequence must be escaped too;
     * it is then written with seq() */
    bool (*special)(const unsigned char *p, size_t n);
    void (*seq)(struct mw_buf *b, const unsigned char *p, size_t n);
};

/* Length of the well-formed UTF-8 sequence at p (Unicode 15, table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF), 0 if ill-formed. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c < 0xc2 || c > 0xf4)
        return 0;
    if (c < 0xe0)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (c < 0xf0)
        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3
                                                                           : 0;
    return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 &&
                   (p[3] & 0xc0) == 0x80
               ? 4
               : 0;
}

static void
escape_run(struct mw_buf *b, const char *s, size_t len,
           const struct esc_ops *ops)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0;

    if (len == 0) {
        buf_append(b, "", 0); /* s may be NULL; b still ends in NUL */
        return;
    }
    buf_reserve(b, len);
    while (i < len) {
        /* most text needs no escape: four bytes a test */
        while (len - i >= 4 && !((byte_class[p[i]] | byte_class[p[i + 1]] |
                                  byte_class[p[i + 2]] | byte_class[p[i + 3]]) &
                                 ops->mask))
            i += 4;
        if (i >= len)
            break;
        unsigned f = byte_class[p[i]] & ops->mask;
        if (!f) {
            i++;
            continue;
        }
        size_t n = f & F_HIGH ? utf8_len(p + i, len - i) : 0;
        if (n && !(ops->special && ops->special(p + i, n))) {
            i += n;
            continue;
        }
        buf_append(b, p + start, i - start);
        if (n) {
            ops->seq(b, p + i, n);
            i += n;
        } else {
            if (f & F_HIGH)
                ops->bad(b, p[i]);
            else
                ops->ascii(b, p[i]);
            i++;
        }
        start = i;
    }
    buf_append(b, p + start, i - start);
}

static void
put_hex(struct mw_buf *b, unsigned char c)
{
    char e[4] = {'\\', 'x', hexdig[c >> 4], hexdig[c & 15]};
    buf_append(b, e, 4);
}

static void
put_replacement(struct mw_buf *b, unsigned char c)
{
    (void)c;
    buf_append(b, replacement, 3);
}

/* ---- JSON (RFC 8259 section 7) ------------------------------------------ */

static void
json_ascii(struct mw_buf *b, unsigned char c)
{
    char e[6] = {'\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15]};
    switch (c) {
    case '"':
    case '\\':
        e[1] = (char)c;
        buf_append(b, e, 2);
        return;
    case '\n':
        buf_append(b, "\\n", 2);
        return;
    case '\r':
        buf_append(b, "\\r", 2);
        return;
    case '\t':
        buf_append(b, "\\t", 2);
        return;
    default:
        buf_append(b, e, 6);
    }
}

/* U+2028 and U+2029 are valid JSON but end a line in JavaScript: escape them
 * so that the output can also be embedded in a <script> block. */
static bool
json_special(const unsigned char *p, size_t n)
{
    return n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
           (p[2] == 0xa8 || p[2] == 0xa9);
}

static void
json_seq(struct mw_buf *b, const unsigned char *p, size_t n)
{
    (void)n;
    buf_append(b, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
}

void
escape_json(struct mw_buf *b, const char *s, size_t len)
{
    static const struct esc_ops ops = {F_CTL | F_HIGH | F_QUOT | F_BSL,
                                       json_ascii, put_replacement,
                                       json_special, json_seq};
    escape_run(b, s, len, &ops);
}

/* ---- plain text --------------------------------------------------------- */

/* C1 controls (U+0080-U+009F: some terminals take U+009B as CSI) and the
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069, which
 * can make a line display as something else) are escaped like controls. */
static bool
text_special(const unsigned char *p, size_t n)
{
    if (n == 2)
        return p[0] == 0xc2 && p[1] < 0xa0;
    if (n != 3 || p[0] != 0xe2)
        return false;
    return (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
           (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
}

static void
text_seq(struct mw_buf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_hex(b, p[i]);
}

void
escape_text(struct mw_buf *b, const char *s, size_t len)
{
    static const struct esc_ops ops = {F_CTL | F_HIGH, put_hex, put_hex,
                                       text_special, text_seq};
    escape_run(b, s, len, &ops);
}

/* ---- HTML --------------------------------------------------------------- */

static void
html_ascii(struct mw_buf *b, unsigned char c)
{
    switch (c) {
    case '&':
        buf_append(b, "&amp;", 5);
        return;
    case '<':
        buf_append(b, "&lt;", 4);
        return;
    case '>':
        buf_append(b, "&gt;", 4);
        return;
    case '"':
        buf_append(b, "&quot;", 6);
        return;
    case '\'':
        buf_append(b, "&#39;", 5);
        return;
    case '\t':
    case '\n':
        buf_putc(b, (char)c); /* white space in HTML, harmless */
        return;
    default:
        put_hex(b, c);
    }
}

void
escape_html(struct mw_buf *b, const char *s, size_t len)
{
    static const struct esc_ops ops = {
        F_CTL | F_HIGH | F_QUOT | F_APOS | F_LT | F_GT | F_AMP, html_ascii,
        put_hex, text_special, text_seq};
    escape_run(b, s, len, &ops);
}

/* ---- ArcSight CEF (Implementing ArcSight CEF v25, "Character encoding") - */

static void
cef_header_ascii(struct mw_buf *b, unsigned char c)
{
    if (c == '\\' || c == '|') {
        char e[2] = {'\\', (char)c};
        buf_append(b, e, 2);
    } else if (c == '\r' || c == '\n' || c == '\t') {
        buf_putc(b, ' '); /* no line breaks in the header */
    } else {
        buf_append(b, replacement, 3);
    }
}

void
escape_cef_header(struct mw_buf *b, const char *s, size_t len)
{
    static const struct esc_ops ops = {F_CTL | F_HIGH | F_BSL | F_PIPE,
                                       cef_header_ascii, put_replacement, NULL,
                                       NULL};
    escape_run(b, s, len, &ops);
}

static void
cef_value_ascii(struct mw_buf *b, unsigned char c)
{
    if (c == '\\' || c == '=') {
        char e[2] = {'\\', (char)c};
        buf_append(b, e, 2);
    } else if (c == '\r') {
        buf_append(b, "\\r", 2);
    } else if (c == '\n') {
        buf_append(b, "\\n", 2);
    } else if (c == '\t') {
        buf_putc(b, ' ');
    } else {
        buf_append(b, replacement, 3);
    }
}

void
escape_cef_value(struct mw_buf *b, const char *s, size_t len)
{
    static const struct esc_ops ops = {F_CTL | F_HIGH | F_BSL | F_EQ,
                                       cef_value_ascii, put_replacement, NULL,
                                       NULL};
    escape_run(b, s, len, &ops);
}

/* ---- RFC 5424 PARAM-VALUE (section 6.3.3) ------------------------------- */

static void
sd_ascii(struct mw_buf *b, unsigned char c)
{
    if (c == '"' || c == '\\' || c == ']') {
        char e[2] = {'\\', (char)c};
        buf_append(b, e, 2);
    } else if (c == '\r' || c == '\n' || c == '\t') {
        buf_putc(b, ' '); /* a newline would end the record in LF framing */
    } else {
        buf_append(b, replacement, 3);
    }
}

void
escape_sd_value(struct mw_buf *b, const char *s, size_t len)
{
    static const struct esc_ops ops = {F_CTL | F_HIGH | F_QUOT | F_BSL | F_RBRK,
                                       sd_ascii, put_replacement, NULL, NULL};
    escape_run(b, s, len, &ops);
}
