#include "config.h"

#include "agg.h"

#include <string.h>

#include "agg_impl.h"
#include "strpool.h"

/* Unmatched lines: each is reduced to a shape (numbers, addresses, ids
 * masked) and counted per shape, with one example line; past a first
 * stretch, lines are sampled. */

#define SHAPE_MSG_MAX  96u
#define SHAPE_PROG_MAX 32u
#define SHAPE_BUF      (SHAPE_PROG_MAX + 2 + 2 * SHAPE_MSG_MAX + 8)
#define SHAPE_EXACT    16384u /* unmatched lines shaped one by one */
#define SHAPE_SAMPLE   16u    /* then one in this many (a power of 2) */
#define EXAMPLE_MAX    200u

/* character classes of shape masking */
#define C_ALPHA   1
#define C_DIGIT   2
#define C_SPECIAL 4 /* '[' and '<' */
#define C_DELIM   8 /* ends a host name: space = < ( , " ' tab */

static const unsigned char shape_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 8, 0, 0,  0, 0, 8, 8, 0, 0, 0, 8, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 12, 8, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 4, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0,
};

static bool
is_digit(unsigned c)
{
    return shape_class[c & 255] & C_DIGIT;
}

static bool
is_alnum(unsigned c)
{
    return shape_class[c & 255] & (C_ALPHA | C_DIGIT);
}

static bool
is_hex(unsigned c)
{
    return is_digit(c) || (c | 32u) - 'a' < 6u;
}

/* Emit the alphanumeric run s[b..e) holding a digit: "X" for an id (hex of
 * at least 6 characters, or at least 10 characters mixing letters and
 * digits, like Postfix long queue ids), else the run with each digit run
 * replaced by "N". */
static size_t
shape_run(const unsigned char *s, size_t b, size_t e, char *out, size_t o)
{
    size_t digits = 0;
    bool hex = true;
    for (size_t i = b; i < e; i++) {
        digits += is_digit(s[i]);
        hex = hex && is_hex(s[i]);
    }
    size_t len = e - b;
    if (digits < len && ((hex && len >= 6) || len >= 10)) {
        out[o++] = 'X';
        return o;
    }
    for (size_t i = b; i < e; i++) {
        if (!is_digit(s[i]))
            out[o++] = (char)s[i];
        else if (i == b || !is_digit(s[i - 1]))
            out[o++] = 'N';
    }
    return o;
}

/* length of an address inside "[...]" starting at s[i] ('['), or 0 */
static size_t
shape_ip(const unsigned char *s, size_t i, size_t m)
{
    size_t j = i + 1;
    if (m - j > 5 && memcmp(s + j, "IPv6:", 5) == 0)
        j += 5;
    bool digit = false, sep = false;
    for (; j < m && j - i <= 52; j++) {
        unsigned c = s[j];
        if (c == ']')
            return digit && sep ? j - i + 1 : 0;
        if (c == '.' || c == ':')
            sep = true;
        else if (is_digit(c))
            digit = true;
        else if (!is_hex(c))
            return 0;
    }
    return 0;
}

/* "[IP]" at out[o]; a host name before it holding a dot becomes "HOST"
 * ("mail.example.com[IP]" -> "HOST[IP]", "unknown[IP]" stays) */
static size_t
shape_host_ip(char *out, size_t o, size_t lo)
{
    size_t tok = o;
    while (tok > lo && !(shape_class[(unsigned char)out[tok - 1]] & C_DELIM))
        tok--;
    if (memchr(out + tok, '.', o - tok)) {
        memcpy(out + tok, "HOST", 4);
        o = tok + 4;
    }
    memcpy(out + o, "[IP]", 4);
    return o + 4;
}

/* length of "<...@...>" starting at s[i], or of the rest when cut; or 0 */
static size_t
shape_addr(const unsigned char *s, size_t i, size_t m)
{
    const unsigned char *gt = memchr(s + i, '>', m - i);
    size_t end = gt ? (size_t)(gt - s) + 1 : m;
    return memchr(s + i, '@', end - i) ? end - i : 0;
}

/* Non-zero when one of the 8 bytes of w is a digit, '[' or '<'. The
 * digit test is exact per byte; the equality tests may flag a wrong byte
 * but only when a right one is present (bit hacks: "determine if a word
 * has a zero byte"). */
static uint64_t
word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = ones << 7;
    uint64_t t = w & ~high;
    uint64_t digit = (t + ones * 0x50) & (ones * 0xB9 - t) & ~w & high;
    uint64_t lb = w ^ (ones * '['), lt = w ^ (ones * '<');
    return digit | ((lb - ones) & ~lb & high) | ((lt - ones) & ~lt & high);
}

/* index of the first digit, '[' or '<' in s[i..m), or m */
static size_t
shape_next(const unsigned char *s, size_t i, size_t m)
{
    while (m - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t hit = word_special(w);
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* the lowest flagged byte is always a true one */
        if (hit)
            return i + (size_t)__builtin_ctzll(hit) / 8;
#else
        if (hit)
            break;
#endif
        i += 8;
    }
    while (i < m && !(shape_class[s[i]] & (C_DIGIT | C_SPECIAL)))
        i++;
    return i;
}

/* Emit the alphanumeric run holding the digit at s[i], which starts at b,
 * into out[o]; *end gets the end of the run. */
static size_t
shape_digits(const unsigned char *s, size_t b, size_t i, size_t m, char *out,
             size_t o, size_t *end)
{
    size_t e = i;
    while (e < m && is_digit(s[e]))
        e++;
    if (b == i && (e == m || !(shape_class[s[e]] & C_ALPHA))) {
        /* a plain number, by far the most common run */
        out[o++] = 'N';
        *end = e;
        return o;
    }
    while (e < m && is_alnum(s[e]))
        e++;
    *end = e;
    return shape_run(s, b, e, out, o);
}

/* Mask s[0..m) into out from o; returns the new length. Output is at most
 * twice the input. Bytes are copied in spans; only digits, '[' and '<'
 * stop the scan. */
static size_t
shape_mask(const unsigned char *s, size_t m, char *out, size_t o)
{
    size_t lo = o, from = 0, i = 0;
    for (;;) {
        i = shape_next(s, i, m);
        if (i == m)
            break;
        unsigned c = s[i];
        size_t b = i, n = 0;
        if (c == '[' || c == '<') {
            n = c == '[' ? shape_ip(s, i, m) : shape_addr(s, i, m);
            if (n == 0) {
                i++;
                continue;
            }
        } else {
            /* the letters before the digit belong to its run; a run never
             * starts before from (which follows a non-alphanumeric) */
            while (b > from && (shape_class[s[b - 1]] & C_ALPHA))
                b--;
        }
        memcpy(out + o, s + from, b - from);
        o += b - from;
        if (c == '[') {
            o = shape_host_ip(out, o, lo);
            i += n;
        } else if (c == '<') {
            memcpy(out + o, "<ADDR>", 6);
            o += 6;
            i += n;
        } else {
            o = shape_digits(s, b, i, m, out, o, &i);
        }
        from = i;
    }
    memcpy(out + o, s + from, m - from);
    return o + (m - from);
}

void
agg_unmatched(struct mw_agg *a, size_t input, const struct mw_record *rec)
{
    (void)input;
    /* Shapes are the costliest per-line work of a run. After the first
     * SHAPE_EXACT lines, one line in SHAPE_SAMPLE is shaped and counted
     * SHAPE_SAMPLE times: the ranking of frequent shapes stays right and
     * the counts become estimates. */
    uint32_t weight = 1;
    if (a->unmatched_seen++ >= SHAPE_EXACT) {
        if ((a->unmatched_seen & (SHAPE_SAMPLE - 1)) != 0)
            return;
        weight = SHAPE_SAMPLE;
    }
    char buf[SHAPE_BUF];
    size_t o = 0;
    if (rec->prog_base && rec->prog_base_len) {
        o = rec->prog_base_len < SHAPE_PROG_MAX ? rec->prog_base_len
                                                : SHAPE_PROG_MAX;
        memcpy(buf, rec->prog_base, o);
        buf[o++] = ':';
        buf[o++] = ' ';
    }
    size_t m = rec->msg_len < SHAPE_MSG_MAX ? rec->msg_len : SHAPE_MSG_MAX;
    if (rec->msg)
        o = shape_mask((const unsigned char *)rec->msg, m, buf, o);
    bool isnew;
    uint32_t i = agg_tab_get(&a->shapetab, buf, o, agg_tab_hash(buf, o),
                             a->pool, &isnew);
    if (i == MW_FND_NONE) {
        a->shape_overflow++;
        return;
    }
    if (isnew) {
        a->shapes = agg_tab_fit(a->shapes, &a->capshapes, i, sizeof *a->shapes);
        const char *ex = rec->line ? rec->line->data : rec->msg;
        size_t exlen = rec->line ? rec->line->len : rec->msg_len;
        if (!ex)
            exlen = 0;
        a->shapes[i].example =
            strpool_add(a->pool, ex, exlen < EXAMPLE_MAX ? exlen : EXAMPLE_MAX);
    }
    a->shapes[i].count += weight;
}
