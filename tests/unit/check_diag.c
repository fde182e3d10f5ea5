/* Unit tests for the support modules: diag, buf, strpool, xalloc. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "strpool.h"
#include "xalloc.h"

START_TEST(test_err_forms)
{
    struct mw_err e;
    char out[256];

    err_set(&e, "mail.log", "is a directory");
    ck_assert_str_eq(err_format(&e, out, sizeof out),
                     "mail.log: is a directory");
    err_set_pos(&e, "r.yaml", 12, 5, "unknown key '%s'", "foo");
    ck_assert_str_eq(err_format(&e, out, sizeof out),
                     "r.yaml:12:5: unknown key 'foo'");
    err_set_offset(&e, "x.gz", 1234, "unexpected end of gzip data");
    ck_assert_str_eq(err_format(&e, out, sizeof out),
                     "x.gz: byte 1234: unexpected end of gzip data");
    err_set_errno(&e, "missing", 2, "%s", "");
    ck_assert_str_eq(err_format(&e, out, sizeof out),
                     "missing: No such file or directory");
    err_set(&e, NULL, "no path");
    ck_assert_str_eq(err_format(&e, out, sizeof out), "no path");
}
END_TEST

START_TEST(test_err_escapes_controls)
{
    struct mw_err e;
    char out[256];
    err_set(&e, "a\nb", "x\033[2Jy");
    ck_assert_str_eq(err_format(&e, out, sizeof out), "a\\x0ab: x\\x1b[2Jy");
}
END_TEST

START_TEST(test_err_small_buffer)
{
    struct mw_err e;
    char out[8];
    err_set(&e, "a-very-long-path", "reason");
    err_format(&e, out, sizeof out);
    ck_assert_uint_lt(strlen(out), sizeof out);
}
END_TEST

START_TEST(test_buf)
{
    struct mw_buf b = {0};
    buf_puts(&b, "abc");
    buf_putc(&b, '-');
    buf_printf(&b, "%d/%s", 42, "x");
    buf_append(&b, "\0z", 2);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_int_eq(memcmp(b.data, "abc-42/x\0z", 10), 0);
    buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    for (int i = 0; i < 10000; i++)
        buf_putc(&b, 'a');
    ck_assert_uint_eq(b.len, 10000);
    ck_assert_int_eq(b.data[b.len], '\0');
    buf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_strpool)
{
    struct mw_strpool *p = strpool_new();
    const char *a = strpool_intern(p, "192.0.2.1xyz", 9);
    const char *b = strpool_intern(p, "192.0.2.1", 9);
    const char *c = strpool_intern(p, "192.0.2.2", 9);
    ck_assert_ptr_eq(a, b);
    ck_assert_ptr_ne(a, c);
    ck_assert_str_eq(a, "192.0.2.1");
    char big[100000];
    memset(big, 'q', sizeof big);
    const char *d = strpool_add(p, big, sizeof big);
    ck_assert_uint_eq(strlen(d), sizeof big);
    /* many interned strings survive table growth */
    char tmp[32];
    const char *first = NULL;
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(tmp, sizeof tmp, "k%d", i);
        const char *s = strpool_intern(p, tmp, (size_t)n);
        if (i == 0)
            first = s;
    }
    ck_assert_ptr_eq(strpool_intern(p, "k0", 2), first);
    strpool_free(p);
    strpool_free(NULL);
}
END_TEST

START_TEST(test_xalloc)
{
    char *s = xmemdup("ab\0c", 4);
    ck_assert_int_eq(memcmp(s, "ab\0c", 5), 0);
    free(s);
    int *v = xreallocarray(NULL, 10, sizeof *v);
    v[9] = 1;
    free(v);
}
END_TEST

static Suite *
diag_suite(void)
{
    Suite *s = suite_create("diag");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_err_forms);
    tcase_add_test(core, test_buf);
    tcase_add_test(core, test_strpool);
    tcase_add_test(core, test_xalloc);
    suite_add_tcase(s, core);
    TCase *hostile = tcase_create("hostile");
    tcase_add_test(hostile, test_err_escapes_controls);
    tcase_add_test(hostile, test_err_small_buffer);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(diag_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
