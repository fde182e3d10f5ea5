/* Decompression: sniffing by magic bytes, gzip single and multi-member,
 * truncated and corrupt input, trailing garbage, and the optional formats
 * when compiled in. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef HAVE_XZ
#include <lzma.h>
#endif
#ifdef HAVE_BZIP2
#include <bzlib.h>
#endif

#include "decomp.h"
#include "diag.h"
#include "xalloc.h"

static char tmpdir[4096];
static char path[8192];

static void
setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/check_decomp.XXXXXX",
             t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(path, sizeof path, "%s/in", tmpdir);
}

static void
teardown(void)
{
    unlink(path);
    rmdir(tmpdir);
}

/* growable byte string */
struct bytes {
    unsigned char *p;
    size_t len, cap;
};

static void
bytes_add(struct bytes *b, const void *p, size_t len)
{
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 64;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, len);
    b->len += len;
}

static void
write_file(const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* the result of decoding a whole stream */
struct decoded {
    struct bytes out;
    int rc; /* 0 end of stream, -1 error */
    struct mw_err err;
    char msg[2048];
    char format[16];
};

static void
decode_fd(struct decoded *r, int fd, size_t chunk)
{
    struct mw_decomp *d;
    unsigned char *buf = xmalloc(chunk);
    ssize_t n;
    memset(r, 0, sizeof *r);
    d = decomp_open(fd, "in.log", &r->err);
    ck_assert_ptr_nonnull(d);
    snprintf(r->format, sizeof r->format, "%s", decomp_name(d));
    while ((n = decomp_read(d, buf, chunk, &r->err)) > 0)
        bytes_add(&r->out, buf, (size_t)n);
    r->rc = (int)n;
    if (n < 0) {
        struct mw_err again;
        char msg[2048];
        err_format(&r->err, r->msg, sizeof r->msg);
        /* the error stays: reading on gives no more data, the same error */
        err_clear(&again);
        ck_assert_int_eq(decomp_read(d, buf, chunk, &again), -1);
        ck_assert_str_eq(err_format(&again, msg, sizeof msg), r->msg);
    } else {
        ck_assert_int_eq(decomp_read(d, buf, chunk, &r->err), 0);
    }
    decomp_close(d);
    free(buf);
}

static void
decode_file(struct decoded *r, const void *data, size_t len, size_t chunk)
{
    int fd;
    write_file(data, len);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    decode_fd(r, fd, chunk);
    close(fd);
}

static void
decoded_free(struct decoded *r)
{
    free(r->out.p);
}

/* deterministic log-like text */
static char *
make_text(size_t lines, size_t *len_out)
{
    struct bytes b = {NULL, 0, 0};
    char line[256];
    for (size_t i = 0; i < lines; i++) {
        int n = snprintf(line, sizeof line,
                         "Nov 22 10:%02zu:%02zu mx postfix/smtpd[%zu]: "
                         "connect from unknown[192.0.2.%zu]\n",
                         i / 60 % 60, i % 60, 1000 + i * 7 % 9000, i % 250);
        bytes_add(&b, line, (size_t)n);
    }
    *len_out = b.len;
    return (char *)b.p;
}

static void
gzip_add(struct bytes *b, const void *data, size_t len)
{
    z_stream zs;
    size_t cap = compressBound((uLong)len) + 64;
    unsigned char *out = xmalloc(cap);
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(
        deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    bytes_add(b, out, cap - zs.avail_out);
    deflateEnd(&zs);
    free(out);
}

/* ------------------------------------------------------------ core */

START_TEST(test_plain)
{
    size_t len;
    char *text = make_text(20000, &len);
    struct decoded r;
    decode_file(&r, text, len, 65536);
    ck_assert_str_eq(r.format, "plain");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(text);
}
END_TEST

START_TEST(test_gzip_single)
{
    size_t len;
    char *text = make_text(30000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    gzip_add(&z, text, len);
    decode_file(&r, z.p, z.len, 256 * 1024);
    ck_assert_str_eq(r.format, "gzip");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* written with zlib's own gz* file API, read in small pieces */
START_TEST(test_gzip_gzwrite)
{
    size_t len;
    char *text = make_text(5000, &len);
    struct decoded r;
    gzFile gz = gzopen(path, "wb9");
    int fd;
    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, text, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    decode_fd(&r, fd, 7);
    close(fd);
    ck_assert_str_eq(r.format, "gzip");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(text);
}
END_TEST

/* members: text, an empty one, text again (as `cat a.gz b.gz`) */
START_TEST(test_gzip_multi_member)
{
    size_t len;
    char *text = make_text(10000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    size_t half = len / 3;
    gzip_add(&z, text, half);
    gzip_add(&z, "", 0);
    gzip_add(&z, text + half, len - half);
    decode_file(&r, z.p, z.len, 100000);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* many small members: member ends fall on input buffer boundaries */
START_TEST(test_gzip_many_members)
{
    size_t len;
    char *text = make_text(40000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    for (size_t pos = 0; pos < len; pos += 777)
        gzip_add(&z, text + pos, len - pos < 777 ? len - pos : 777);
    decode_file(&r, z.p, z.len, 4096);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

START_TEST(test_formats)
{
    const char *f = decomp_formats();
    ck_assert(strncmp(f, "gzip", 4) == 0);
#ifdef HAVE_BZIP2
    ck_assert_ptr_nonnull(strstr(f, "bzip2"));
#endif
#ifdef HAVE_XZ
    ck_assert_ptr_nonnull(strstr(f, ",xz"));
#endif
#ifdef HAVE_ZSTD
    ck_assert_ptr_nonnull(strstr(f, "zstd"));
#endif
}
END_TEST

/* ------------------------------------------------------------ edge */

/* short files: sniffing must not need six bytes */
static const struct {
    const char *data;
    size_t len;
    const char *format;
} short_files[] = {
    {"", 0, "plain"},
    {"\x1f", 1, "plain"},
    {"\x1f\x8b", 2, "plain"},
    {"a\n", 2, "plain"},
    {"\x1fhello world\n", 13, "plain"},
    {"\x1f\x8b\x07xx\n", 6, "plain"},
    {"\x28\xb5\x2f", 3, "plain"},
    {"BZ", 2, "plain"},
    {"\xfd"
     "7zXZ",
     5, "plain"},
};

START_TEST(test_short_plain)
{
    struct decoded r;
    decode_file(&r, short_files[_i].data, short_files[_i].len, 100);
    ck_assert_str_eq(r.format, short_files[_i].format);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, short_files[_i].len);
    if (r.out.len)
        ck_assert_mem_eq(r.out.p, short_files[_i].data, r.out.len);
    decoded_free(&r);
}
END_TEST

/* the gzip magic and nothing else */
START_TEST(test_gzip_magic_only)
{
    struct decoded r;
    decode_file(&r, "\x1f\x8b\x08", 3, 100);
    ck_assert_str_eq(r.format, "gzip");
    ck_assert_int_eq(r.rc, -1);
    ck_assert_str_eq(r.msg, "in.log: byte 3: unexpected end of gzip data");
    decoded_free(&r);
}
END_TEST

/* This program re-run as a writer (see main): copies FILE to standard
 * output in writes of varying size, or of one byte each, so that a reader
 * on the pipe sees short reads. A fresh program (not a bare fork) keeps
 * leak checkers quiet about the copied heap. */
static const char *self_path = "/proc/self/exe";

static int
chunk_writer(const char *mode, const char *file)
{
    FILE *f = fopen(file, "rb");
    char *data = NULL;
    size_t len = 0, cap = 0, n, pos = 0, k = 1;
    bool bytewise = strcmp(mode, "bytes") == 0;
    if (!f)
        return 1;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            data = xrealloc(data, cap);
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    while (pos < len) {
        size_t want = bytewise ? 1 : k;
        ssize_t w = write(STDOUT_FILENO, data + pos,
                          want < len - pos ? want : len - pos);
        if (w <= 0)
            break;
        pos += (size_t)w;
        k = k * 7 % 100003 + 1;
    }
    free(data);
    return pos == len ? 0 : 1;
}

/* the read end of a pipe fed with file by a writer process */
static int
pipe_from(const char *mode, const char *file, pid_t *pid)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    *pid = fork();
    ck_assert_int_ge(*pid, 0);
    if (*pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(self_path, self_path, "--chunk-writer", mode, file, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    return fds[0];
}

static void
pipe_wait(pid_t pid)
{
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* a pipe delivering one byte per write: short reads while sniffing */
START_TEST(test_gzip_pipe_bytewise)
{
    size_t len;
    char *text = make_text(300, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    pid_t pid;
    int fd;
    gzip_add(&z, text, len);
    write_file(z.p, z.len);
    fd = pipe_from("bytes", path, &pid);
    decode_fd(&r, fd, 1000);
    close(fd);
    pipe_wait(pid);
    ck_assert_str_eq(r.format, "gzip");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* plain text on a pipe that stays open: sniffing returns at once */
START_TEST(test_sniff_no_wait)
{
    int fds[2];
    struct mw_err err;
    struct mw_decomp *d;
    char buf[16];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], "ab", 2), 2);
    err_clear(&err);
    d = decomp_open(fds[0], "pipe", &err);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(decomp_name(d), "plain");
    ck_assert_int_eq(decomp_read(d, buf, sizeof buf, &err), 2);
    ck_assert_mem_eq(buf, "ab", 2);
    decomp_close(d);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ------------------------------------------------------------ hostile */

/* cut at several points: every byte decoded before the cut comes out,
 * then the error names the compressed offset reached */
START_TEST(test_gzip_truncated)
{
    size_t len;
    char *text = make_text(20000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    char want[256];
    size_t cut;
    gzip_add(&z, text, len);
    cut = 10 + (z.len - 10) * (size_t)_i / 4;
    decode_file(&r, z.p, cut, 65536);
    ck_assert_int_eq(r.rc, -1);
    snprintf(want, sizeof want, "in.log: byte %zu: unexpected end of gzip data",
             cut);
    ck_assert_str_eq(r.msg, want);
    ck_assert_uint_le(r.out.len, len);
    if (r.out.len)
        ck_assert_mem_eq(r.out.p, text, r.out.len);
    if (_i >= 2)
        ck_assert_uint_gt(r.out.len, len / 4);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* a second member cut short: the whole first member still comes out */
START_TEST(test_gzip_truncated_second_member)
{
    size_t len;
    char *text = make_text(2000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    gzip_add(&z, text, len);
    size_t first = z.len;
    gzip_add(&z, text, len);
    decode_file(&r, z.p, first + 20, 65536);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.err.offset, first + 20);
    ck_assert_uint_ge(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

START_TEST(test_gzip_corrupt)
{
    size_t len;
    char *text = make_text(20000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    gzip_add(&z, text, len);
    for (size_t i = z.len / 2; i < z.len / 2 + 200; i++)
        z.p[i] = (unsigned char)(z.p[i] * 31 + 7);
    decode_file(&r, z.p, z.len, 65536);
    ck_assert_int_eq(r.rc, -1);
    ck_assert(r.err.has_offset);
    ck_assert_uint_le(r.err.offset, z.len);
    ck_assert_msg(strstr(r.msg, ": corrupt gzip data: ") != NULL, "%s", r.msg);
    ck_assert(strncmp(r.msg, "in.log: byte ", 13) == 0);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* a bad CRC-32 in the trailer: all data, then the error */
START_TEST(test_gzip_bad_crc)
{
    size_t len;
    char *text = make_text(1000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    gzip_add(&z, text, len);
    z.p[z.len - 8] ^= 0xff;
    decode_file(&r, z.p, z.len, 65536);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    ck_assert_msg(strstr(r.msg, "corrupt gzip data: incorrect data check") !=
                      NULL,
                  "%s", r.msg);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

START_TEST(test_gzip_trailing_garbage)
{
    size_t len;
    char *text = make_text(1000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    char want[256];
    gzip_add(&z, text, len);
    size_t end = z.len;
    bytes_add(&z, "not gzip\n", 9);
    decode_file(&r, z.p, z.len, 65536);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    snprintf(want, sizeof want,
             "in.log: byte %zu: trailing garbage after gzip member", end);
    ck_assert_str_eq(r.msg, want);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* one stray byte after the member */
START_TEST(test_gzip_trailing_byte)
{
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    gzip_add(&z, "x\n", 2);
    bytes_add(&z, "\x1f", 1);
    decode_file(&r, z.p, z.len, 100);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.out.len, 2);
    ck_assert_uint_eq(r.err.offset, z.len - 1);
    ck_assert_str_eq(r.err.text, "trailing garbage after gzip member");
    decoded_free(&r);
    free(z.p);
}
END_TEST

/* ------------------------------------------------------------ optional */

typedef void (*compress_fn)(struct bytes *out, const void *data, size_t len);

#ifdef HAVE_ZSTD
static void
zstd_add(struct bytes *b, const void *data, size_t len)
{
    size_t cap = ZSTD_compressBound(len);
    unsigned char *out = xmalloc(cap);
    size_t n = ZSTD_compress(out, cap, data, len, 3);
    ck_assert(!ZSTD_isError(n));
    bytes_add(b, out, n);
    free(out);
}
#endif

#ifdef HAVE_XZ
static void
xz_add(struct bytes *b, const void *data, size_t len)
{
    size_t cap = lzma_stream_buffer_bound(len);
    size_t pos = 0;
    unsigned char *out = xmalloc(cap);
    ck_assert_int_eq(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, data,
                                             len, out, &pos, cap),
                     LZMA_OK);
    bytes_add(b, out, pos);
    free(out);
}
#endif

#ifdef HAVE_BZIP2
static void
bz2_add(struct bytes *b, const void *data, size_t len)
{
    unsigned cap = (unsigned)(len + len / 100 + 600);
    char *out = xmalloc(cap);
    ck_assert_int_eq(BZ2_bzBuffToBuffCompress(out, &cap,
                                              (char *)(uintptr_t)data,
                                              (unsigned)len, 1, 0, 0),
                     BZ_OK);
    bytes_add(b, out, cap);
    free(out);
}
#endif

static const struct {
    const char *name;
    compress_fn add;
} optional[] = {
    {"gzip", gzip_add},
#ifdef HAVE_ZSTD
    {"zstd", zstd_add},
#endif
#ifdef HAVE_XZ
    {"xz", xz_add},
#endif
#ifdef HAVE_BZIP2
    {"bzip2", bz2_add},
#endif
};
#define N_OPTIONAL (int)(sizeof optional / sizeof optional[0])

/* two streams/frames back to back, read in odd-sized pieces */
START_TEST(test_roundtrip)
{
    size_t len;
    char *text = make_text(30000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    optional[_i].add(&z, text, len / 2);
    optional[_i].add(&z, text + len / 2, len - len / 2);
    decode_file(&r, z.p, z.len, 12345);
    ck_assert_str_eq(r.format, optional[_i].name);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert_mem_eq(r.out.p, text, len);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

START_TEST(test_truncated)
{
    size_t len;
    char *text = make_text(30000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    char want[256];
    optional[_i].add(&z, text, len);
    size_t cut = z.len * 3 / 4;
    decode_file(&r, z.p, cut, 65536);
    ck_assert_str_eq(r.format, optional[_i].name);
    ck_assert_int_eq(r.rc, -1);
    snprintf(want, sizeof want, "in.log: byte %zu: unexpected end of %s data",
             cut, optional[_i].name);
    ck_assert_str_eq(r.msg, want);
    ck_assert_uint_lt(r.out.len, len);
    if (r.out.len)
        ck_assert_mem_eq(r.out.p, text, r.out.len);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

START_TEST(test_corrupt)
{
    size_t len;
    char *text = make_text(30000, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    char want[64];
    optional[_i].add(&z, text, len);
    for (size_t i = z.len / 2; i < z.len / 2 + 100; i++)
        z.p[i] ^= 0xa5;
    decode_file(&r, z.p, z.len, 65536);
    ck_assert_int_eq(r.rc, -1);
    ck_assert(r.err.has_offset);
    ck_assert_uint_le(r.err.offset, z.len);
    snprintf(want, sizeof want, "corrupt %s data: ", optional[_i].name);
    ck_assert_msg(strncmp(r.err.text, want, strlen(want)) == 0, "%s", r.msg);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* ------------------------------------------------------------ thread */

/* Compressed input is decoded ahead on a second thread, into a few buffers
 * of a few hundred KiB (decomp.c): these streams cross many of them, stop
 * the thread early, and reach errors after many buffers of good data. */

/* about 6.5 MB of text */
#define BIG_LINES 80000

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sleep ms milliseconds: time for the other thread to get ahead */
static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* the bytes zlib itself inflates from z before it stops (at the end of
 * the data or at a problem), all input given at once */
static void
zlib_inflate(struct bytes *b, const unsigned char *z, size_t len)
{
    z_stream zs;
    unsigned char *out = xmalloc(65536);
    int rc;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)z;
    zs.avail_in = (uInt)len;
    do {
        zs.next_out = out;
        zs.avail_out = 65536;
        rc = inflate(&zs, Z_NO_FLUSH);
        bytes_add(b, out, 65536 - zs.avail_out);
    } while (rc == Z_OK);
    inflateEnd(&zs);
    free(out);
}

/* read sizes: odd and small, larger than any buffer of the reader, and
 * between the two */
static const size_t big_chunks[] = {4093, 1024 * 1024 + 7, 300 * 1024 + 1};
#define N_BIG_CHUNKS (int)(sizeof big_chunks / sizeof big_chunks[0])

/* every format, every read size: the same bytes as the plain text */
START_TEST(test_big_exact)
{
    size_t len;
    char *text = make_text(BIG_LINES, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded plain, r;
    int fmt = _i / N_BIG_CHUNKS;
    size_t chunk = big_chunks[_i % N_BIG_CHUNKS];
    decode_file(&plain, text, len, chunk);
    ck_assert_str_eq(plain.format, "plain");
    optional[fmt].add(&z, text, len);
    decode_file(&r, z.p, z.len, chunk);
    ck_assert_str_eq(r.format, optional[fmt].name);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.out.len, plain.out.len);
    ck_assert_uint_eq(r.out.len, len);
    ck_assert(memcmp(r.out.p, plain.out.p, len) == 0);
    ck_assert(memcmp(r.out.p, text, len) == 0);
    decoded_free(&plain);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* Cut (even _i) or damaged (odd _i) three quarters in or later: exactly
 * the bytes zlib decodes before the problem come out (after damage, some
 * may be wrong before it is found), then the error. */
START_TEST(test_big_gzip_error_late)
{
    size_t len;
    char *text = make_text(BIG_LINES, &len);
    struct bytes z = {NULL, 0, 0}, ref = {NULL, 0, 0};
    struct decoded r;
    char want[256];
    gzip_add(&z, text, len);
    size_t at = z.len * (size_t)(3 + _i / 2) / (4 + (size_t)_i / 2);
    size_t zlen = z.len;
    if (_i % 2 == 0)
        zlen = at;
    else
        for (size_t i = at; i < at + 16; i++)
            z.p[i] ^= 0x5a;
    zlib_inflate(&ref, z.p, zlen);
    ck_assert_uint_gt(ref.len, len / 2);
    ck_assert(memcmp(ref.p, text, len / 2) == 0);
    decode_file(&r, z.p, zlen, 65536 + 3);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.out.len, ref.len);
    ck_assert(memcmp(r.out.p, ref.p, ref.len) == 0);
    if (_i % 2 == 0) {
        snprintf(want, sizeof want,
                 "in.log: byte %zu: unexpected end of gzip data", zlen);
        ck_assert_str_eq(r.msg, want);
    } else {
        ck_assert(r.err.has_offset);
        ck_assert_uint_ge(r.err.offset, at);
        ck_assert_uint_le(r.err.offset, zlen);
        ck_assert_msg(strstr(r.msg, ": corrupt gzip data: ") != NULL, "%s",
                      r.msg);
    }
    decoded_free(&r);
    free(ref.p);
    free(z.p);
    free(text);
}
END_TEST

/* the other formats, cut late: a prefix of the text, then the error */
START_TEST(test_big_truncated_late)
{
    size_t len;
    char *text = make_text(BIG_LINES, &len);
    struct bytes z = {NULL, 0, 0};
    struct decoded r;
    char want[256];
    optional[_i].add(&z, text, len);
    size_t cut = z.len * 7 / 8;
    decode_file(&r, z.p, cut, 65536);
    ck_assert_int_eq(r.rc, -1);
    snprintf(want, sizeof want, "in.log: byte %zu: unexpected end of %s data",
             cut, optional[_i].name);
    ck_assert_str_eq(r.msg, want);
    ck_assert_uint_lt(r.out.len, len);
    ck_assert(memcmp(r.out.p, text, r.out.len) == 0);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* read from d until at least want bytes came, checking them against text;
 * returns the count read */
static size_t
read_prefix(struct mw_decomp *d, const char *text, size_t want)
{
    unsigned char *buf = xmalloc(65536);
    struct mw_err err;
    size_t got = 0;
    err_clear(&err);
    while (got < want) {
        ssize_t n = decomp_read(d, buf, 65536, &err);
        ck_assert_int_gt(n, 0);
        ck_assert(memcmp(buf, text + got, (size_t)n) == 0);
        got += (size_t)n;
    }
    free(buf);
    return got;
}

/* The caller stops early (output closed, say) while the decoding thread
 * waits for a free buffer: closing ends it at once. _i: how much was read
 * before (nothing, a little, several buffers). */
START_TEST(test_close_early)
{
    static const size_t reads[] = {0, 100, 3 * 1024 * 1024};
    size_t len;
    char *text = make_text(BIG_LINES, &len);
    struct bytes z = {NULL, 0, 0};
    struct mw_err err;
    int fd;
    gzip_add(&z, text, len);
    write_file(z.p, z.len);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    err_clear(&err);
    struct mw_decomp *d = decomp_open(fd, "in.log", &err);
    ck_assert_ptr_nonnull(d);
    read_prefix(d, text, reads[_i]);
    pause_ms(100);
    double t0 = now_s();
    decomp_close(d);
    ck_assert_msg(now_s() - t0 < 2.0, "close took %.3f s", now_s() - t0);
    close(fd);
    free(z.p);
    free(text);
}
END_TEST

/* A pipe that stays open and silent after half a stream: the decoding
 * thread waits for input that never comes, and closing still ends it at
 * once (_i = 1: close without any pause). */
START_TEST(test_close_silent_pipe)
{
    size_t len;
    char *text = make_text(2000, &len);
    struct bytes z = {NULL, 0, 0};
    struct mw_err err;
    int fds[2];
    gzip_add(&z, text, len);
    size_t half = z.len / 2;
    ck_assert_uint_lt(half, 60000); /* fits in the pipe */
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], z.p, half), (ssize_t)half);
    err_clear(&err);
    struct mw_decomp *d = decomp_open(fds[0], "pipe", &err);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(decomp_name(d), "gzip");
    if (_i == 0)
        pause_ms(100);
    double t0 = now_s();
    decomp_close(d);
    ck_assert_msg(now_s() - t0 < 2.0, "close took %.3f s", now_s() - t0);
    close(fds[0]);
    close(fds[1]);
    free(z.p);
    free(text);
}
END_TEST

/* half a stream on a pipe whose writer then goes away: the decoded bytes,
 * then the error */
START_TEST(test_pipe_truncated)
{
    size_t len;
    char *text = make_text(2000, &len);
    struct bytes z = {NULL, 0, 0}, ref = {NULL, 0, 0};
    struct decoded r;
    char want[256];
    int fds[2];
    gzip_add(&z, text, len);
    size_t half = z.len / 2;
    zlib_inflate(&ref, z.p, half);
    size_t expect = ref.len;
    free(ref.p);
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], z.p, half), (ssize_t)half);
    close(fds[1]);
    decode_fd(&r, fds[0], 5000);
    close(fds[0]);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.out.len, expect);
    ck_assert(memcmp(r.out.p, text, expect) == 0);
    snprintf(want, sizeof want, "in.log: byte %zu: unexpected end of gzip data",
             half);
    ck_assert_str_eq(r.msg, want);
    decoded_free(&r);
    free(z.p);
    free(text);
}
END_TEST

/* the lowest free descriptor: unchanged after the cycles means no leak */
static int
lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);
    ck_assert_int_ge(fd, 0);
    close(fd);
    return fd;
}

/* open, read some or all, close: on a file and on pipes, many times */
START_TEST(test_open_close_cycles)
{
    size_t len;
    char *text = make_text(30000, &len);
    struct bytes z = {NULL, 0, 0}, small = {NULL, 0, 0};
    unsigned char buf[16];
    struct mw_err err;
    int fd, fd_low = lowest_free_fd();
    gzip_add(&z, text, len);
    gzip_add(&small, text, 3000);
    write_file(z.p, z.len);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    for (size_t i = 0; i < 300; i++) {
        int fds[2] = {fd, -1};
        /* every third on a pipe, open and silent every other time */
        bool on_pipe = i % 3 == 2, silent = on_pipe && i % 2 != 0;
        size_t total = on_pipe ? 3000 : len;
        size_t want = i % 4 == 0 ? 0 : i % 4 == 1 ? 1 : i * 9973 % total;
        if (i % 4 == 3)
            want = total;
        if (silent) /* it gives nothing: the decoder waits for more */
            want = 0;
        if (on_pipe) {
            ck_assert_int_eq(pipe(fds), 0);
            ck_assert_int_eq(write(fds[1], small.p, small.len),
                             (ssize_t)small.len);
            if (!silent)
                close(fds[1]);
        } else {
            ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        }
        err_clear(&err);
        struct mw_decomp *d = decomp_open(fds[0], "x", &err);
        ck_assert_ptr_nonnull(d);
        if (read_prefix(d, text, want) == total)
            ck_assert_int_eq(decomp_read(d, buf, sizeof buf, &err), 0);
        decomp_close(d);
        if (on_pipe)
            close(fds[0]);
        if (silent)
            close(fds[1]);
    }
    close(fd);
    ck_assert_int_eq(lowest_free_fd(), fd_low);
    free(small.p);
    free(z.p);
    free(text);
}
END_TEST

Suite *decomp_suite(void);

Suite *
decomp_suite(void)
{
    Suite *s = suite_create("decomp");
    TCase *core = tcase_create("core");
    TCase *edge = tcase_create("edge");
    TCase *hostile = tcase_create("hostile");
    TCase *formats = tcase_create("formats");
    TCase *thread = tcase_create("thread");
    TCase *all[] = {core, edge, hostile, formats, thread};
    for (size_t i = 0; i < 5; i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        tcase_set_timeout(all[i], 60);
    }
    tcase_add_test(core, test_plain);
    tcase_add_test(core, test_gzip_single);
    tcase_add_test(core, test_gzip_gzwrite);
    tcase_add_test(core, test_gzip_multi_member);
    tcase_add_test(core, test_gzip_many_members);
    tcase_add_test(core, test_formats);
    tcase_add_loop_test(edge, test_short_plain, 0,
                        (int)(sizeof short_files / sizeof short_files[0]));
    tcase_add_test(edge, test_gzip_magic_only);
    tcase_add_test(edge, test_gzip_pipe_bytewise);
    tcase_add_test(edge, test_sniff_no_wait);
    tcase_add_loop_test(hostile, test_gzip_truncated, 0, 4);
    tcase_add_test(hostile, test_gzip_truncated_second_member);
    tcase_add_test(hostile, test_gzip_corrupt);
    tcase_add_test(hostile, test_gzip_bad_crc);
    tcase_add_test(hostile, test_gzip_trailing_garbage);
    tcase_add_test(hostile, test_gzip_trailing_byte);
    tcase_add_loop_test(formats, test_roundtrip, 0, N_OPTIONAL);
    tcase_add_loop_test(formats, test_truncated, 0, N_OPTIONAL);
    tcase_add_loop_test(formats, test_corrupt, 0, N_OPTIONAL);
    suite_add_tcase(s, core);
    suite_add_tcase(s, edge);
    suite_add_tcase(s, hostile);
    tcase_add_loop_test(thread, test_big_exact, 0, N_OPTIONAL * N_BIG_CHUNKS);
    tcase_add_loop_test(thread, test_big_gzip_error_late, 0, 4);
    tcase_add_loop_test(thread, test_big_truncated_late, 0, N_OPTIONAL);
    tcase_add_loop_test(thread, test_close_early, 0, 3);
    tcase_add_loop_test(thread, test_close_silent_pipe, 0, 2);
    tcase_add_test(thread, test_pipe_truncated);
    tcase_add_test(thread, test_open_close_cycles);
    tcase_set_timeout(thread, 300);
    suite_add_tcase(s, formats);
    suite_add_tcase(s, thread);
    return s;
}

int
main(int argc, char **argv)
{
    SRunner *sr;
    int failed;
    if (argc == 4 && strcmp(argv[1], "--chunk-writer") == 0)
        return chunk_writer(argv[2], argv[3]);
    if (argc > 0 && argv[0] && strchr(argv[0], '/'))
        self_path = argv[0];
    sr = srunner_create(decomp_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
