/* Lines of a growing plain file (tail.c): offsets from any start, the
 * unterminated last line held until its '\n' (or the end is final), reads
 * going on after the end, cut lines. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decomp.h"
#include "diag.h"
#include "linereader.h"
#include "tail.h"

static char tmpdir[4096];
static char path[8192];
static int fd = -1;

static void
setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/check_tail.XXXXXX",
             t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(path, sizeof path, "%s/mail.log", tmpdir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
}

static void
teardown(void)
{
    close(fd);
    unlink(path);
    rmdir(tmpdir);
}

static void
append(const char *s, size_t len)
{
    ck_assert_int_eq(pwrite(fd, s, len, lseek(fd, 0, SEEK_END)), (ssize_t)len);
}

#define APPEND(s) append(s, sizeof s - 1)

/* the next line must be text at offset off, number no */
static void
want_line(struct mw_tail *t, bool final, const char *text, uint64_t off,
          uint64_t no)
{
    struct mw_line l;
    struct mw_err err;
    ck_assert_int_eq(tail_next(t, &l, final, &err), 1);
    ck_assert_uint_eq(l.len, strlen(text));
    ck_assert_int_eq(memcmp(l.data, text, l.len), 0);
    ck_assert_uint_eq(l.offset, off);
    ck_assert_uint_eq(l.lineno, no);
}

static void
want_none(struct mw_tail *t, bool final)
{
    struct mw_line l;
    struct mw_err err;
    ck_assert_int_eq(tail_next(t, &l, final, &err), 0);
}

START_TEST(test_lines_and_partial)
{
    struct mw_tail *t = tail_new(fd, path, 0, 0, 0);
    want_none(t, false); /* empty */
    APPEND("one\ntwo\r\nthr");
    want_line(t, false, "one", 0, 1);
    want_line(t, false, "two", 4, 2);
    want_none(t, false); /* "thr" waits for its newline */
    ck_assert_uint_eq(tail_offset(t), 9);
    APPEND("ee\n");
    want_line(t, false, "three", 9, 3);
    ck_assert_uint_eq(tail_offset(t), 15);
    want_none(t, false);
    APPEND("four");
    want_none(t, false);
    want_line(t, true, "four", 15, 4); /* the end is final: it counts */
    ck_assert_uint_eq(tail_offset(t), 19);
    want_none(t, true);
    ck_assert_uint_eq(tail_lineno(t), 4);
    tail_free(t);
}
END_TEST

/* a resumed read: offsets and numbers go on from the state's */
START_TEST(test_start_offset)
{
    APPEND("aaaa\nbbbb\ncccc\n");
    struct mw_tail *t = tail_new(fd, path, 5, 1, 0);
    want_line(t, false, "bbbb", 5, 2);
    want_line(t, false, "cccc", 10, 3);
    want_none(t, false);
    ck_assert_uint_eq(tail_offset(t), 15);
    tail_free(t);
    /* at the end already: nothing, and the offset stays */
    t = tail_new(fd, path, 15, 3, 0);
    want_none(t, true);
    ck_assert_uint_eq(tail_offset(t), 15);
    tail_free(t);
}
END_TEST

/* lines longer than max_len are cut and flagged, their rest skipped, even
 * when the rest arrives later */
START_TEST(test_cut_lines)
{
    char big[1000];
    struct mw_line l;
    struct mw_err err;
    memset(big, 'x', sizeof big);
    struct mw_tail *t = tail_new(fd, path, 0, 0, 256);
    append(big, 600);
    want_none(t, false); /* no '\n' yet: not handed out */
    append(big, 400);
    APPEND("\nnext\n");
    ck_assert_int_eq(tail_next(t, &l, false, &err), 1);
    ck_assert(l.cut);
    ck_assert_uint_eq(l.len, 256);
    ck_assert_uint_eq(l.offset, 0);
    ck_assert_uint_eq(tail_offset(t), 1001);
    want_line(t, false, "next", 1001, 2);
    ck_assert_uint_eq(tail_cut_count(t), 1);
    /* a long line that never ends: returned cut when final */
    append(big, 700);
    want_none(t, false);
    ck_assert_int_eq(tail_next(t, &l, true, &err), 1);
    ck_assert(l.cut);
    ck_assert_uint_eq(l.offset, 1006);
    ck_assert_uint_eq(tail_offset(t), 1706);
    tail_free(t);
}
END_TEST

/* exactly max_len bytes plus "\r\n" is not cut */
START_TEST(test_cut_boundary)
{
    char line[260];
    struct mw_line l;
    struct mw_err err;
    memset(line, 'y', 256);
    line[256] = '\r';
    line[257] = '\n';
    append(line, 258);
    struct mw_tail *t = tail_new(fd, path, 0, 0, 256);
    ck_assert_int_eq(tail_next(t, &l, false, &err), 1);
    ck_assert(!l.cut);
    ck_assert_uint_eq(l.len, 256);
    tail_free(t);
}
END_TEST

/* many lines across reads (the buffer moves) keep exact offsets */
START_TEST(test_many_lines)
{
    char buf[64];
    uint64_t off = 0;
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(buf, sizeof buf, "line %d\n", i);
        append(buf, (size_t)n);
    }
    struct mw_tail *t = tail_new(fd, path, 0, 0, 0);
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(buf, sizeof buf, "line %d", i);
        want_line(t, false, buf, off, (uint64_t)i + 1);
        off += (uint64_t)n + 1;
    }
    want_none(t, false);
    tail_free(t);
}
END_TEST

/* the same lines as linereader over random text with CRs, empty and long
 * lines, and no final newline, read in one go or as it grows */
START_TEST(test_same_as_linereader)
{
    static char data[300000];
    unsigned seed = 12345u + (unsigned)_i;
    size_t len = 0;
    while (len < sizeof data - 1) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 16) % 100;
        char c = r < 3   ? '\n'
                 : r < 5 ? '\r'
                 : r < 6 ? '\0'
                         : (char)('a' + r % 26);
        /* now and then a very long line */
        if (r == 99 && len + 3000 < sizeof data) {
            memset(data + len, 'L', 3000);
            len += 3000;
        }
        data[len++] = c;
    }
    append(data, len);
    struct mw_err err;
    struct mw_decomp *d = decomp_open(fd, path, &err);
    ck_assert_ptr_nonnull(d);
    struct mw_linereader *lr = linereader_new(d, 1000);
    struct mw_tail *t = tail_new(fd, path, 0, 0, 1000);
    struct mw_line a, b;
    int ra, rb;
    do {
        ra = linereader_next(lr, &a, &err);
        rb = tail_next(t, &b, true, &err);
        ck_assert_int_eq(ra, rb);
        if (ra == 1) {
            ck_assert_uint_eq(a.len, b.len);
            ck_assert_uint_eq(a.offset, b.offset);
            ck_assert_uint_eq(a.lineno, b.lineno);
            ck_assert_int_eq(a.cut, b.cut);
            ck_assert_int_eq(memcmp(a.data, b.data, a.len), 0);
        }
    } while (ra == 1);
    ck_assert_uint_eq(linereader_cut_count(lr), tail_cut_count(t));
    ck_assert_uint_eq(tail_offset(t), len);
    tail_free(t);
    linereader_free(lr);
    decomp_close(d);
}
END_TEST

START_TEST(test_read_error)
{
    struct mw_line l;
    struct mw_err err;
    struct mw_tail *t = tail_new(-1, "bad", 0, 0, 0);
    ck_assert_int_eq(tail_next(t, &l, false, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.text, "read error"));
    tail_free(t);
    tail_free(NULL);
}
END_TEST

static Suite *
tail_suite(void)
{
    Suite *s = suite_create("tail");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_lines_and_partial);
    tcase_add_test(tc, test_start_offset);
    suite_add_tcase(s, tc);
    tc = tcase_create("edge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cut_lines);
    tcase_add_test(tc, test_cut_boundary);
    tcase_add_test(tc, test_many_lines);
    tcase_add_test(tc, test_read_error);
    tcase_add_loop_test(tc, test_same_as_linereader, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tail_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
