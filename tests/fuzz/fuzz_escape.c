/* Fuzz target: every escaper on arbitrary bytes. Invariants (abort() on
 * violation): all output is valid UTF-8; JSON has no raw control byte and
 * every backslash starts a valid escape, and decodes back to the input when
 * the input was valid UTF-8; text has no control byte; HTML no markup
 * character; CEF header no unescaped '|' or line break; CEF value no
 * unescaped '=' or line break; SD value no unescaped '"' or ']'. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* length of the well-formed UTF-8 sequence at p, 0 if ill-formed */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xe0) == 0xc0 ? 2
               : (p[0] & 0xf0) == 0xe0 ? 3
               : (p[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    unsigned long cp;
    if (n == 0 || left < n)
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
utf8_valid(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

static void
check(bool ok)
{
    if (!ok)
        abort();
}

static unsigned
hexval(unsigned char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* JSON string body: no raw controls, valid escapes; decoded into dec */
static void
check_json(const struct mw_buf *b, struct mw_buf *dec)
{
    const unsigned char *p = (const unsigned char *)b->data;
    for (size_t i = 0; i < b->len; i++) {
        check(p[i] >= 0x20 && p[i] != 0x7f && p[i] != '"');
        if (p[i] != '\\') {
            buf_putc(dec, (char)p[i]);
            continue;
        }
        check(i + 1 < b->len);
        unsigned char e = p[++i];
        const char *simple = strchr("\"\\nrt", e);
        check(e && (simple || e == 'u'));
        if (simple) {
            buf_putc(dec, e == 'n'   ? '\n'
                          : e == 'r' ? '\r'
                          : e == 't' ? '\t'
                                     : (char)e);
            continue;
        }
        check(i + 4 < b->len);
        unsigned cp = 0;
        for (int k = 1; k <= 4; k++) {
            check(strchr("0123456789abcdef", p[i + k]) && p[i + k]);
            cp = cp << 4 | hexval(p[i + k]);
        }
        i += 4;
        check(cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029);
        if (cp < 0x80) {
            buf_putc(dec, (char)cp);
        } else {
            char u[3] = {'\xe2', '\x80', (char)(cp == 0x2028 ? 0xa8 : 0xa9)};
            buf_append(dec, u, 3);
        }
    }
}

/* after a backslash only the bytes in ok may follow; the bytes in bad may
 * not appear unescaped */
static void
check_backslashes(const struct mw_buf *b, const char *ok, const char *bad)
{
    for (size_t i = 0; i < b->len; i++) {
        char c = b->data[i];
        check(c != '\r' && c != '\n');
        if (c == '\\') {
            check(i + 1 < b->len && b->data[i + 1] &&
                  strchr(ok, b->data[i + 1]));
            i++;
        } else {
            check(!c || !strchr(bad, c));
        }
    }
}

static void
check_no_controls(const struct mw_buf *b, bool html)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (html && (c == '\t' || c == '\n'))
            continue;
        check(c >= 0x20 && c != 0x7f);
        if (html)
            check(!strchr("<>\"'", c) && c);
    }
}

/* every '&' in HTML output starts one of the entities escape_html writes */
static void
check_entities(const struct mw_buf *b)
{
    static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;",
                                      "&#39;"};
    for (size_t i = 0; i < b->len; i++) {
        bool found = false;
        if (b->data[i] != '&')
            continue;
        for (size_t k = 0; k < 5 && !found; k++)
            found = strncmp(b->data + i, ent[k], strlen(ent[k])) == 0;
        check(found);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct mw_buf b = {0}, dec = {0};

    escape_json(&b, s, size);
    check(utf8_valid((const unsigned char *)b.data, b.len));
    check_json(&b, &dec);
    if (utf8_valid(data, size))
        check(dec.len == size && (size == 0 || memcmp(dec.data, s, size) == 0));

    buf_reset(&b);
    escape_text(&b, s, size);
    check(utf8_valid((const unsigned char *)b.data, b.len));
    check_no_controls(&b, false);

    buf_reset(&b);
    escape_html(&b, s, size);
    check(utf8_valid((const unsigned char *)b.data, b.len));
    check_no_controls(&b, true);
    check_entities(&b);

    buf_reset(&b);
    escape_cef_header(&b, s, size);
    check(utf8_valid((const unsigned char *)b.data, b.len));
    check_backslashes(&b, "\\|", "|");
    check_no_controls(&b, false);

    buf_reset(&b);
    escape_cef_value(&b, s, size);
    check(utf8_valid((const unsigned char *)b.data, b.len));
    check_backslashes(&b, "\\=rn", "=");
    check_no_controls(&b, false);

    buf_reset(&b);
    escape_sd_value(&b, s, size);
    check(utf8_valid((const unsigned char *)b.data, b.len));
    check_backslashes(&b, "\\\"]", "\"]");
    check_no_controls(&b, false);

    buf_free(&b);
    buf_free(&dec);
    return 0;
}
