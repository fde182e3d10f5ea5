/* Line framing: offsets, CRLF, NUL bytes, cut lines, buffer boundaries,
 * pipes, and errors from the decompressor below. */
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
#include <unistd.h>
#include <zlib.h>

#include "decomp.h"
#include "diag.h"
#include "linereader.h"
#include "xalloc.h"

static char tmpdir[4096];

static void
setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/check_linereader.XXXXXX",
             t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
    DIR *dir = opendir(tmpdir);
    struct dirent *de;
    char p[8192];
    if (!dir)
        return;
    while ((de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
        unlink(p);
    }
    closedir(dir);
    rmdir(tmpdir);
}

/* write len bytes to tmpdir/name; returns the path (static storage) */
static const char *
write_file(const char *name, const void *data, size_t len)
{
    static char path[8192];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* every line of a stream, copied */
struct lines {
    size_t n;
    char **data;
    size_t *len;
    uint64_t *offset;
    uint64_t *lineno;
    bool *cut;
    int rc; /* the final result: 0 or -1 */
    struct mw_err err;
    uint64_t cuts;
    uint64_t bytes;
    const char *format;
};

static void
lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->data[i]);
    free(l->data);
    free(l->len);
    free(l->offset);
    free(l->lineno);
    free(l->cut);
    memset(l, 0, sizeof *l);
}

static void
lines_push(struct lines *l, const struct mw_line *ln)
{
    size_t n = l->n + 1;
    l->data = xreallocarray(l->data, n, sizeof *l->data);
    l->len = xreallocarray(l->len, n, sizeof *l->len);
    l->offset = xreallocarray(l->offset, n, sizeof *l->offset);
    l->lineno = xreallocarray(l->lineno, n, sizeof *l->lineno);
    l->cut = xreallocarray(l->cut, n, sizeof *l->cut);
    l->data[l->n] = xmemdup(ln->data, ln->len);
    l->len[l->n] = ln->len;
    l->offset[l->n] = ln->offset;
    l->lineno[l->n] = ln->lineno;
    l->cut[l->n] = ln->cut;
    l->n = n;
}

/* read every line from fd; after the end, one more call must return 0 */
static void
read_fd(struct lines *l, int fd, size_t max_len)
{
    struct mw_err err;
    struct mw_decomp *d;
    struct mw_linereader *lr;
    struct mw_line ln;
    int rc;
    memset(l, 0, sizeof *l);
    err_clear(&err);
    d = decomp_open(fd, "input", &err);
    ck_assert_ptr_nonnull(d);
    l->format = decomp_name(d);
    lr = linereader_new(d, max_len);
    while ((rc = linereader_next(lr, &ln, &err)) == 1)
        lines_push(l, &ln);
    l->rc = rc;
    l->err = err;
    ck_assert_int_eq(linereader_next(lr, &ln, &err), 0);
    l->cuts = linereader_cut_count(lr);
    l->bytes = linereader_bytes(lr);
    linereader_free(lr);
    decomp_close(d);
}

static void
read_mem(struct lines *l, const void *data, size_t len, size_t max_len)
{
    const char *path = write_file("in", data, len);
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    read_fd(l, fd, max_len);
    close(fd);
}

#define READ_STR(l, s, max) read_mem((l), (s), sizeof(s) - 1, (max))

static void
assert_line(const struct lines *l, size_t i, const char *s, size_t len,
            uint64_t off)
{
    ck_assert_uint_lt(i, l->n);
    ck_assert_uint_eq(l->len[i], len);
    ck_assert_mem_eq(l->data[i], s, len);
    ck_assert_uint_eq(l->offset[i], off);
    ck_assert_uint_eq(l->lineno[i], i + 1);
}

/* ------------------------------------------------------------ core */

START_TEST(test_simple)
{
    struct lines l;
    READ_STR(&l, "a\nbb\n\nccc\n", 0);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 4);
    assert_line(&l, 0, "a", 1, 0);
    assert_line(&l, 1, "bb", 2, 2);
    assert_line(&l, 2, "", 0, 5);
    assert_line(&l, 3, "ccc", 3, 6);
    ck_assert_uint_eq(l.bytes, 10);
    ck_assert_uint_eq(l.cuts, 0);
    ck_assert_str_eq(l.format, "plain");
    lines_free(&l);
}
END_TEST

START_TEST(test_empty)
{
    struct lines l;
    read_mem(&l, "", 0, 0);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_uint_eq(l.bytes, 0);
    lines_free(&l);
}
END_TEST

START_TEST(test_no_final_newline)
{
    struct lines l;
    READ_STR(&l, "first\nlast", 0);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 2);
    assert_line(&l, 0, "first", 5, 0);
    assert_line(&l, 1, "last", 4, 6);
    ck_assert_uint_eq(l.bytes, 10);
    lines_free(&l);
}
END_TEST

START_TEST(test_crlf)
{
    struct lines l;
    READ_STR(&l, "a\r\nbc\r\n\r\nd\r\r\ne\r", 0);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 5);
    assert_line(&l, 0, "a", 1, 0);
    assert_line(&l, 1, "bc", 2, 3);
    assert_line(&l, 2, "", 0, 7);
    /* only one '\r' before '\n' is dropped */
    assert_line(&l, 3, "d\r", 2, 9);
    /* no '\n' follows: the '\r' is data */
    assert_line(&l, 4, "e\r", 2, 13);
    lines_free(&l);
}
END_TEST

START_TEST(test_single_newline)
{
    struct lines l;
    READ_STR(&l, "\n", 0);
    ck_assert_uint_eq(l.n, 1);
    assert_line(&l, 0, "", 0, 0);
    lines_free(&l);
}
END_TEST

/* ------------------------------------------------------------ edge */

START_TEST(test_nul_bytes)
{
    struct lines l;
    READ_STR(&l, "a\0b\n\0\0\n\0", 0);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 3);
    assert_line(&l, 0, "a\0b", 3, 0);
    assert_line(&l, 1, "\0\0", 2, 4);
    assert_line(&l, 2, "\0", 1, 7);
    lines_free(&l);
}
END_TEST

START_TEST(test_invalid_utf8)
{
    struct lines l;
    READ_STR(&l, "\xff\xfe\xc3\n\xed\xa0\x80 x\n", 0);
    ck_assert_uint_eq(l.n, 2);
    assert_line(&l, 0, "\xff\xfe\xc3", 3, 0);
    assert_line(&l, 1, "\xed\xa0\x80 x", 5, 4);
    lines_free(&l);
}
END_TEST

/* 1 MiB line, max_len 64 KiB, then a normal line */
START_TEST(test_huge_line)
{
    size_t big = 1024 * 1024;
    char *data = xmalloc(big + 64);
    struct lines l;
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    memcpy(data + big, "\nnext line\n", 11);
    read_mem(&l, data, big + 11, 64 * 1024);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_uint_eq(l.len[0], 64 * 1024);
    ck_assert(l.cut[0]);
    ck_assert_mem_eq(l.data[0], data, 64 * 1024);
    ck_assert(!l.cut[1]);
    assert_line(&l, 1, "next line", 9, big + 1);
    ck_assert_uint_eq(l.cuts, 1);
    ck_assert_uint_eq(l.bytes, big + 11);
    lines_free(&l);
    free(data);
}
END_TEST

/* a cut line at the very end, without '\n' */
START_TEST(test_huge_last_line)
{
    size_t big = 700 * 1024;
    char *data = xmalloc(big + 8);
    struct lines l;
    memcpy(data, "x\n", 2);
    memset(data + 2, 'z', big);
    read_mem(&l, data, big + 2, 1000);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 2);
    assert_line(&l, 0, "x", 1, 0);
    ck_assert_uint_eq(l.len[1], 1000);
    ck_assert(l.cut[1]);
    ck_assert_uint_eq(l.offset[1], 2);
    ck_assert_uint_eq(l.cuts, 1);
    lines_free(&l);
    free(data);
}
END_TEST

/* lengths around max_len, with and without CRLF */
START_TEST(test_max_len_boundary)
{
    struct lines l;
    READ_STR(&l,
             "12345678\n123456789\n12345678\r\n123456789\r\n1234567890123"
             "\nok\n123456789",
             8);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 7);
    assert_line(&l, 0, "12345678", 8, 0);
    ck_assert(!l.cut[0]);
    assert_line(&l, 1, "12345678", 8, 9);
    ck_assert(l.cut[1]);
    assert_line(&l, 2, "12345678", 8, 19);
    ck_assert(!l.cut[2]);
    assert_line(&l, 3, "12345678", 8, 29);
    ck_assert(l.cut[3]);
    assert_line(&l, 4, "12345678", 8, 40);
    ck_assert(l.cut[4]);
    assert_line(&l, 5, "ok", 2, 54);
    ck_assert(!l.cut[5]);
    assert_line(&l, 6, "12345678", 8, 57);
    ck_assert(l.cut[6]);
    ck_assert_uint_eq(l.cuts, 4);
    lines_free(&l);
}
END_TEST

/* Deterministic lines of varied length (0..599 bytes), some with CRLF,
 * long enough to cross many read buffers at every position. */
static char *
make_lines(size_t count, size_t *len_out)
{
    struct {
        char *p;
        size_t len, cap;
    } b = {NULL, 0, 0};
    uint32_t seed = 12345;
    for (size_t i = 0; i < count; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 8) % 600;
        bool crlf = (seed >> 4) % 7 == 0;
        if (b.len + n + 2 > b.cap) {
            b.cap = (b.cap + n + 2) * 2;
            b.p = xrealloc(b.p, b.cap);
        }
        for (size_t k = 0; k < n; k++)
            b.p[b.len + k] = (char)('0' + (i + k) % 64);
        b.len += n;
        if (crlf)
            b.p[b.len++] = '\r';
        b.p[b.len++] = '\n';
    }
    *len_out = b.len;
    return b.p;
}

/* compare l against the lines of data[0..len) split by hand */
static void
assert_split(const struct lines *l, const char *data, size_t len)
{
    size_t i = 0, pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - data - pos) : len - pos;
        size_t keep = n;
        if (nl && n > 0 && data[pos + n - 1] == '\r')
            keep--;
        ck_assert_uint_lt(i, l->n);
        ck_assert_uint_eq(l->offset[i], pos);
        ck_assert_uint_eq(l->len[i], keep);
        ck_assert_mem_eq(l->data[i], data + pos, keep);
        ck_assert_uint_eq(l->lineno[i], i + 1);
        pos += n + (nl ? 1 : 0);
        i++;
    }
    ck_assert_uint_eq(l->n, i);
}

START_TEST(test_buffer_boundaries)
{
    size_t len;
    char *data = make_lines(6000, &len);
    struct lines l;
    ck_assert_uint_gt(len, 3 * MW_READ_BUFSIZE);
    read_mem(&l, data, len, 0);
    ck_assert_int_eq(l.rc, 0);
    assert_split(&l, data, len);
    ck_assert_uint_eq(l.bytes, len);
    lines_free(&l);
    free(data);
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

static void
read_pipe(struct lines *l, const char *data, size_t len, size_t max_len)
{
    pid_t pid;
    const char *path = write_file("pipe-src", data, len);
    int fd = pipe_from("chunks", path, &pid);
    read_fd(l, fd, max_len);
    close(fd);
    pipe_wait(pid);
}

START_TEST(test_pipe)
{
    size_t len;
    char *data = make_lines(5000, &len);
    struct lines l;
    read_pipe(&l, data, len, 0);
    ck_assert_int_eq(l.rc, 0);
    assert_split(&l, data, len);
    lines_free(&l);
    free(data);
}
END_TEST

/* max_len above the default: the buffer grows, the line stays whole */
START_TEST(test_large_max_len)
{
    size_t big = 900 * 1024;
    char *data = xmalloc(big + 16);
    struct lines l;
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('A' + i % 23);
    memcpy(data + big, "\nz\n", 3);
    read_pipe(&l, data, big + 3, 1024 * 1024);
    ck_assert_int_eq(l.rc, 0);
    ck_assert_uint_eq(l.n, 2);
    assert_line(&l, 0, data, big, 0);
    ck_assert(!l.cut[0]);
    assert_line(&l, 1, "z", 1, big + 1);
    ck_assert_uint_eq(l.cuts, 0);
    lines_free(&l);
    free(data);
}
END_TEST

/* many cut lines in a row, through a pipe, tiny max_len */
START_TEST(test_many_cuts)
{
    size_t len;
    char *data = make_lines(3000, &len);
    struct lines l;
    size_t expect_cuts = 0, pos = 0;
    read_pipe(&l, data, len, 64);
    ck_assert_int_eq(l.rc, 0);
    for (size_t i = 0; i < l.n; i++) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = (size_t)(nl - data - pos);
        if (n > 0 && data[pos + n - 1] == '\r')
            n--;
        ck_assert_uint_eq(l.offset[i], pos);
        ck_assert_uint_eq(l.len[i], n > 64 ? 64 : n);
        ck_assert_mem_eq(l.data[i], data + pos, l.len[i]);
        ck_assert(l.cut[i] == (n > 64));
        expect_cuts += n > 64;
        pos = (size_t)(nl - data) + 1;
    }
    ck_assert_uint_eq(l.n, 3000);
    ck_assert_uint_eq(l.cuts, expect_cuts);
    lines_free(&l);
    free(data);
}
END_TEST

/* ------------------------------------------------------------ hostile */

static unsigned char *
gzip_mem(const char *data, size_t len, size_t *out_len)
{
    z_stream zs;
    size_t cap = len + len / 100 + 1024;
    unsigned char *out = xmalloc(cap);
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(
        deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* a truncated gzip file: every line decoded before the cut, the partial
 * line, then the error with the compressed offset, then the end */
START_TEST(test_truncated_gzip)
{
    size_t len, zlen;
    char *data = make_lines(4000, &len);
    unsigned char *z = gzip_mem(data, len, &zlen);
    struct lines l;
    char msg[2048], got_msg[2048];
    size_t cut = zlen / 2;
    size_t got = 0;
    read_mem(&l, z, cut, 0);
    ck_assert_str_eq(l.format, "gzip");
    ck_assert_int_eq(l.rc, -1);
    ck_assert(l.err.has_offset);
    ck_assert_uint_eq(l.err.offset, cut);
    snprintf(msg, sizeof msg, "input: byte %zu: unexpected end of gzip data",
             cut);
    ck_assert_str_eq(err_format(&l.err, got_msg, sizeof got_msg), msg);
    /* lines are the prefix of the original, offsets exact */
    ck_assert_uint_gt(l.n, 100);
    for (size_t i = 0; i < l.n; i++) {
        ck_assert_uint_eq(l.offset[i], got);
        ck_assert_mem_eq(l.data[i], data + got, l.len[i]);
        const char *nl = memchr(data + got, '\n', len - got);
        got = (size_t)(nl - data) + 1;
    }
    lines_free(&l);
    free(z);
    free(data);
}
END_TEST

START_TEST(test_corrupt_gzip)
{
    size_t len, zlen;
    char *data = make_lines(2000, &len);
    unsigned char *z = gzip_mem(data, len, &zlen);
    struct lines l;
    for (size_t i = zlen / 2; i < zlen / 2 + 64; i++)
        z[i] ^= 0x5a;
    read_mem(&l, z, zlen, 0);
    ck_assert_int_eq(l.rc, -1);
    ck_assert(l.err.has_offset);
    ck_assert_uint_le(l.err.offset, zlen);
    ck_assert_str_eq(l.err.path, "input");
    ck_assert_msg(strncmp(l.err.text, "corrupt gzip data: ", 19) == 0, "%s",
                  l.err.text);
    lines_free(&l);
    free(z);
    free(data);
}
END_TEST

Suite *linereader_suite(void);

Suite *
linereader_suite(void)
{
    Suite *s = suite_create("linereader");
    TCase *core = tcase_create("core");
    TCase *edge = tcase_create("edge");
    TCase *hostile = tcase_create("hostile");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(edge, setup, teardown);
    tcase_add_checked_fixture(hostile, setup, teardown);
    tcase_set_timeout(edge, 60);
    tcase_add_test(core, test_simple);
    tcase_add_test(core, test_empty);
    tcase_add_test(core, test_no_final_newline);
    tcase_add_test(core, test_crlf);
    tcase_add_test(core, test_single_newline);
    tcase_add_test(edge, test_nul_bytes);
    tcase_add_test(edge, test_invalid_utf8);
    tcase_add_test(edge, test_huge_line);
    tcase_add_test(edge, test_huge_last_line);
    tcase_add_test(edge, test_max_len_boundary);
    tcase_add_test(edge, test_buffer_boundaries);
    tcase_add_test(edge, test_pipe);
    tcase_add_test(edge, test_large_max_len);
    tcase_add_test(edge, test_many_cuts);
    tcase_add_test(hostile, test_truncated_gzip);
    tcase_add_test(hostile, test_corrupt_gzip);
    suite_add_tcase(s, core);
    suite_add_tcase(s, edge);
    suite_add_tcase(s, hostile);
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
    sr = srunner_create(linereader_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
