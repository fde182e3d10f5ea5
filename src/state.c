#include "config.h"

#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "xalloc.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

#define STATE_HEADER  "maillog-why state"
#define STATE_VERSION 1

/* ------------------------------------------------------------ SHA-256 */

/* FIPS 180-4, section 6.2. A 256-bit hash and not a 64-bit one: the
 * fingerprint decides whether a file is the one we stopped in, and a
 * collision would silently skip or repeat a whole file's hits; SHA-256 makes
 * that impossible in practice, at a cost (one 1 KiB hash per file opened)
 * nobody can measure. */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t
rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void
sha_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], v[8];
    for (unsigned i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (unsigned i = 16; i < 64; i++) {
        uint32_t s0 =
            rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 =
            rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, h, sizeof v);
    for (unsigned i = 0; i < 64; i++) {
        uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + s1 + ch + sha_k[i] + w[i];
        uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof *v);
        v[4] += t1;
        v[0] = t1 + s0 + maj;
    }
    for (unsigned i = 0; i < 8; i++)
        h[i] += v[i];
}

void
state_sha256(const void *data, size_t len, unsigned char out[MW_SHA256_LEN])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    unsigned char tail[128];
    size_t n = len;
    uint64_t bits = (uint64_t)len * 8;

    for (; n >= 64; n -= 64, p += 64)
        sha_block(h, p);
    /* the rest, 0x80, zeros, and the length in bits: one or two blocks */
    memset(tail, 0, sizeof tail);
    if (n)
        memcpy(tail, p, n);
    tail[n] = 0x80;
    size_t total = n + 9 <= 64 ? 64 : 128;
    for (unsigned i = 0; i < 8; i++)
        tail[total - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t off = 0; off < total; off += 64)
        sha_block(h, tail + off);
    for (unsigned i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(h[i] >> 8);
        out[4 * i + 3] = (unsigned char)h[i];
    }
}

/* ------------------------------------------------------------ records */

struct mw_state *
state_new(void)
{
    return xcalloc(1, sizeof(struct mw_state));
}

static void
state_clear(struct mw_state *st)
{
    for (size_t i = 0; i < st->ninputs; i++)
        free(st->inputs[i].path);
    free(st->inputs);
    if (st->output)
        free(st->output->path);
    free(st->output);
    memset(st, 0, sizeof *st);
}

void
state_free(struct mw_state *st)
{
    if (!st)
        return;
    state_clear(st);
    free(st);
}

struct mw_state_input *
state_find(struct mw_state *st, const char *path)
{
    for (size_t i = 0; i < st->ninputs; i++)
        if (strcmp(st->inputs[i].path, path) == 0)
            return &st->inputs[i];
    return NULL;
}

struct mw_state_input *
state_put(struct mw_state *st, const char *path)
{
    struct mw_state_input *in = state_find(st, path);
    if (in)
        return in;
    st->inputs = xreallocarray(st->inputs, st->ninputs + 1, sizeof *in);
    in = &st->inputs[st->ninputs++];
    memset(in, 0, sizeof *in);
    in->path = xstrdup(path);
    return in;
}

struct mw_state_output *
state_set_output(struct mw_state *st, const char *path)
{
    if (st->output && strcmp(st->output->path, path) == 0)
        return st->output;
    if (st->output)
        free(st->output->path);
    else
        st->output = xmalloc(sizeof *st->output);
    memset(st->output, 0, sizeof *st->output);
    st->output->path = xstrdup(path);
    return st->output;
}

/* ------------------------------------------------------------ text form */

static const char hexdig[] = "0123456789abcdef";

/* '%', space and control bytes as %XX; other bytes (UTF-8 too) as is */
static void
put_path(struct mw_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f || *p == '%') {
            char e[3] = {'%', hexdig[*p >> 4], hexdig[*p & 15]};
            buf_append(b, e, 3);
        } else {
            buf_putc(b, (char)*p);
        }
    }
}

static void
put_hex(struct mw_buf *b, const char *key, const unsigned char *h, bool has)
{
    buf_printf(b, " %s=", key);
    if (!has) {
        buf_putc(b, '-');
        return;
    }
    for (unsigned i = 0; i < MW_SHA256_LEN; i++) {
        buf_putc(b, hexdig[h[i] >> 4]);
        buf_putc(b, hexdig[h[i] & 15]);
    }
}

void
state_format(const struct mw_state *st, struct mw_buf *out)
{
    buf_printf(out, "%s %d\n", STATE_HEADER, STATE_VERSION);
    for (size_t i = 0; i < st->ninputs; i++) {
        const struct mw_state_input *in = &st->inputs[i];
        buf_puts(out, "input ");
        put_path(out, in->path);
        buf_printf(out,
                   " dev=%llu ino=%llu size=%llu offset=%llu line=%llu "
                   "fp_len=%u",
                   (unsigned long long)in->dev, (unsigned long long)in->ino,
                   (unsigned long long)in->size, (unsigned long long)in->offset,
                   (unsigned long long)in->line, (unsigned)in->fp_len);
        put_hex(out, "fp", in->fp, true);
        if (in->last_ts.valid)
            buf_printf(out, " ts=%lld.%09ld", (long long)in->last_ts.sec,
                       (long)in->last_ts.nsec);
        else
            buf_puts(out, " ts=-");
        put_hex(out, "last", in->last, in->has_last);
        buf_printf(out, " saved=%llu\n", (unsigned long long)in->saved);
    }
    if (st->output) {
        const struct mw_state_output *o = st->output;
        buf_puts(out, "output ");
        put_path(out, o->path);
        buf_printf(out, " length=%llu", (unsigned long long)o->len);
        put_hex(out, "tail", o->tail, o->has_tail);
        buf_putc(out, '\n');
    }
}

/* one line being parsed: tokens separated by single spaces */
struct cursor {
    const char *p, *end;
    const char *line_start;
    unsigned long lineno;
    const char *path;
    struct mw_err *err;
};

static int
bad(struct cursor *c, const char *at, const char *what)
{
    err_set_pos(c->err, c->path, c->lineno,
                (unsigned long)(at - c->line_start) + 1, "%s", what);
    return -1;
}

/* the next token: [*tok, *tok + *len); false at the end of the line */
static bool
next_token(struct cursor *c, const char **tok, size_t *len)
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
    if (c->p >= c->end)
        return false;
    *tok = c->p;
    while (c->p < c->end && *c->p != ' ')
        c->p++;
    *len = (size_t)(c->p - *tok);
    return true;
}

static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* percent-decoded copy, or NULL when an escape is malformed or yields NUL */
static char *
get_path(const char *s, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            out[n++] = s[i];
            continue;
        }
        int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0)) {
            free(out);
            return NULL;
        }
        out[n++] = (char)(hi << 4 | lo);
        i += 2;
    }
    out[n] = '\0';
    return out;
}

static bool
get_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 20)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool
get_hash(const char *s, size_t len, unsigned char *out, bool *has)
{
    if (len == 1 && s[0] == '-') {
        *has = false;
        return true;
    }
    if (len != 2 * MW_SHA256_LEN)
        return false;
    for (unsigned i = 0; i < MW_SHA256_LEN; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    *has = true;
    return true;
}

/* "SEC.NNNNNNNNN" or "-" */
static bool
get_ts(const char *s, size_t len, struct mw_time *t)
{
    const char *dot = memchr(s, '.', len);
    uint64_t sec, nsec;
    memset(t, 0, sizeof *t);
    if (len == 1 && s[0] == '-')
        return true;
    if (!dot || (size_t)(s + len - dot - 1) != 9 ||
        !get_u64(s, (size_t)(dot - s), &sec) || sec > INT64_MAX ||
        !get_u64(dot + 1, 9, &nsec))
        return false;
    t->sec = (int64_t)sec;
    t->nsec = (int32_t)nsec;
    t->valid = true;
    return true;
}

enum key_kind { K_U64, K_U32, K_HASH, K_TS };

struct key_def {
    const char *name;
    enum key_kind kind;
    size_t off;     /* offset of the field in the record's struct */
    size_t has_off; /* K_HASH: offset of its bool */
    bool required;
};

#define IN_OFF(f) offsetof(struct mw_state_input, f)

static const struct key_def input_keys[] = {
    {"dev", K_U64, IN_OFF(dev), 0, true},
    {"ino", K_U64, IN_OFF(ino), 0, true},
    {"size", K_U64, IN_OFF(size), 0, false},
    {"offset", K_U64, IN_OFF(offset), 0, true},
    {"line", K_U64, IN_OFF(line), 0, false},
    {"fp_len", K_U32, IN_OFF(fp_len), 0, true},
    {"fp", K_HASH, IN_OFF(fp), 0, true},
    {"ts", K_TS, IN_OFF(last_ts), 0, false},
    {"last", K_HASH, IN_OFF(last), IN_OFF(has_last), false},
    {"saved", K_U64, IN_OFF(saved), 0, false},
};

#define OUT_OFF(f) offsetof(struct mw_state_output, f)

static const struct key_def output_keys[] = {
    {"length", K_U64, OUT_OFF(len), 0, true},
    {"tail", K_HASH, OUT_OFF(tail), OUT_OFF(has_tail), false},
};

#define NKEYS_MAX 16

static bool
set_key(void *rec, const struct key_def *k, const char *v, size_t len)
{
    char *base = rec;
    bool ignored;
    uint64_t u;
    switch (k->kind) {
    case K_U64:
        return get_u64(v, len, (uint64_t *)(void *)(base + k->off));
    case K_U32:
        if (!get_u64(v, len, &u) || u > MW_STATE_FP_MAX)
            return false;
        *(uint32_t *)(void *)(base + k->off) = (uint32_t)u;
        return true;
    case K_HASH:
        return get_hash(v, len, (unsigned char *)(base + k->off),
                        k->has_off ? (bool *)(void *)(base + k->has_off)
                                   : &ignored);
    case K_TS:
        return get_ts(v, len, (struct mw_time *)(void *)(base + k->off));
    }
    return false;
}

/* the key=value fields of a record into rec, by the table keys */
static int
parse_fields(struct cursor *c, void *rec, const struct key_def *keys,
             size_t nkeys)
{
    bool seen[NKEYS_MAX] = {false};
    const char *tok;
    size_t len;
    while (next_token(c, &tok, &len)) {
        const char *eq = memchr(tok, '=', len);
        if (!eq)
            return bad(c, tok, "expected key=value");
        size_t klen = (size_t)(eq - tok);
        for (size_t k = 0; k < nkeys; k++) {
            if (strlen(keys[k].name) != klen ||
                memcmp(keys[k].name, tok, klen) != 0)
                continue;
            if (!set_key(rec, &keys[k], eq + 1, len - klen - 1))
                return bad(c, eq + 1, "invalid value");
            seen[k] = true;
        }
    }
    for (size_t k = 0; k < nkeys; k++)
        if (keys[k].required && !seen[k])
            return bad(c, c->p, "missing key");
    return 0;
}

static int
parse_input_fields(struct cursor *c, struct mw_state_input *in)
{
    if (parse_fields(c, in, input_keys,
                     sizeof input_keys / sizeof input_keys[0]) < 0)
        return -1;
    if (in->fp_len > in->offset)
        return bad(c, c->line_start, "fp_len beyond offset");
    return 0;
}

static int
parse_record(struct mw_state *st, struct cursor *c)
{
    const char *kw, *ptok;
    size_t kwlen, plen;
    if (!next_token(c, &kw, &kwlen))
        return 0;
    if (kw[0] == '#')
        return 0;
    bool is_input = kwlen == 5 && memcmp(kw, "input", 5) == 0;
    bool is_output = kwlen == 6 && memcmp(kw, "output", 6) == 0;
    if (!is_input && !is_output)
        return bad(c, kw, "unknown record");
    if (!next_token(c, &ptok, &plen))
        return bad(c, c->p, "missing path");
    char *path = get_path(ptok, plen);
    if (!path)
        return bad(c, ptok, "invalid path");
    if (is_output) {
        if (st->output) {
            free(path);
            return bad(c, kw, "duplicate output record");
        }
        struct mw_state_output *o = state_set_output(st, path);
        free(path);
        return parse_fields(c, o, output_keys,
                            sizeof output_keys / sizeof output_keys[0]);
    }
    if (state_find(st, path)) {
        free(path);
        return bad(c, ptok, "duplicate input record");
    }
    struct mw_state_input *in = state_put(st, path);
    free(path);
    return parse_input_fields(c, in);
}

/* "maillog-why state N" */
static int
parse_header(struct cursor *c)
{
    size_t hlen = strlen(STATE_HEADER);
    uint64_t v;
    if ((size_t)(c->end - c->p) <= hlen ||
        memcmp(c->p, STATE_HEADER " ", hlen + 1) != 0)
        return bad(c, c->p, "not a maillog-why state file");
    if (!get_u64(c->p + hlen + 1, (size_t)(c->end - c->p) - hlen - 1, &v))
        return bad(c, c->p + hlen + 1, "invalid version");
    if (v != STATE_VERSION) {
        err_set_pos(c->err, c->path, c->lineno, (unsigned long)hlen + 2,
                    "unsupported state version %llu (this program writes %d)",
                    (unsigned long long)v, STATE_VERSION);
        return -1;
    }
    return 0;
}

int
state_parse(struct mw_state *st, const char *text, size_t len, const char *path,
            struct mw_err *err)
{
    struct cursor c = {.path = path ? path : "", .err = err};
    const char *p = text, *end = text + len;
    int rc = 0;
    err_clear(err);
    while (rc == 0 && (p < end || c.lineno == 0)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        c.lineno++;
        c.p = c.line_start = p;
        c.end = le;
        if (memchr(p, '\0', (size_t)(le - p)))
            rc = bad(&c, p, "NUL byte");
        else if (c.lineno == 1)
            rc = parse_header(&c);
        else
            rc = parse_record(st, &c);
        p = nl ? nl + 1 : end;
    }
    if (rc < 0)
        state_clear(st);
    return rc;
}

/* ------------------------------------------------------------ files */

/* the whole file into b; -1 with errno on error */
static int
read_all(int fd, struct mw_buf *b)
{
    for (;;) {
        buf_reserve(b, 4096);
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        b->len += (size_t)n;
        if (b->len > 64u * 1024u * 1024u) {
            errno = EFBIG;
            return -1;
        }
    }
}

int
state_load(struct mw_state *st, const char *path, bool *found,
           struct mw_err *err)
{
    struct mw_buf b = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int rc;
    *found = false;
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        err_set_errno(err, path, errno, "cannot read state");
        return -1;
    }
    if (read_all(fd, &b) < 0) {
        err_set_errno(err, path, errno, "cannot read state");
        close(fd);
        buf_free(&b);
        return -1;
    }
    close(fd);
    *found = true;
    rc = state_parse(st, b.data ? b.data : "", b.len, path, err);
    buf_free(&b);
    return rc;
}

static int
write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* the directory part of path ("." when none) */
static char *
dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xmemdup(path, (size_t)(slash - path));
}

/* fsync the directory holding path, so that the rename survives a crash;
 * file systems that cannot sync a directory (EINVAL) are not an error */
static int
sync_dir(const char *path)
{
    char *dir = dir_of(path);
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    free(dir);
    if (fd < 0)
        return -1;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = -1;
    close(fd);
    return rc;
}

int
state_save(const struct mw_state *st, const char *path, struct mw_err *err)
{
    struct mw_buf text = {0};
    size_t n = strlen(path);
    char *tmp = xmalloc(n + 8);
    int fd, rc = -1;

    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    state_format(st, &text);
    fd = mkstemp(tmp);
    if (fd < 0) {
        err_set_errno(err, path, errno, "cannot write state");
        goto out;
    }
    if (write_all(fd, text.data, text.len) < 0 || fsync(fd) != 0) {
        err_set_errno(err, path, errno, "cannot write state");
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        err_set_errno(err, path, errno, "cannot write state");
        unlink(tmp);
        goto out;
    }
    if (sync_dir(path) < 0) {
        err_set_errno(err, path, errno, "cannot sync the state directory");
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    buf_free(&text);
    return rc;
}

int
state_lock(const char *path, struct mw_err *err)
{
    size_t n = strlen(path);
    char *lock = xmalloc(n + 6);
    int fd;
    memcpy(lock, path, n);
    memcpy(lock + n, ".lock", 6);
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        err_set_errno(err, lock, errno, "cannot lock state");
        free(lock);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            err_set(err, path, "state in use by another maillog-why run");
        else
            err_set_errno(err, lock, errno, "cannot lock state");
        close(fd);
        free(lock);
        return -1;
    }
    free(lock);
    return fd;
}
