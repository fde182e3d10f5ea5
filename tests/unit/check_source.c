/* Input files: opening (errors, stdin, identity) and the order of rotated
 * series (FORMATS.md 2.2). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "source.h"
#include "xalloc.h"

static char tmpdir[4096];

static void
setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/check_source.XXXXXX",
             t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
    char p[8192];
    snprintf(p, sizeof p, "%s/mail.log", tmpdir);
    unlink(p);
    snprintf(p, sizeof p, "%s/sub", tmpdir);
    rmdir(p);
    rmdir(tmpdir);
}

/* ------------------------------------------------------------ order */

/* arguments and the expected order, space separated */
static const struct {
    const char *in;
    const char *want;
} orders[] = {
    /* Debian: delaycompress leaves .1 plain */
    {"mail.log mail.log.2.gz mail.log.1", "mail.log.2.gz mail.log.1 mail.log"},
    {"mail.log.1 mail.log.4.gz mail.log mail.log.3.gz mail.log.2.gz",
     "mail.log.4.gz mail.log.3.gz mail.log.2.gz mail.log.1 mail.log"},
    /* numbers compare as numbers, not text */
    {"x.log.10.gz x.log.9.gz x.log.2 x.log",
     "x.log.10.gz x.log.9.gz x.log.2 x.log"},
    {"x.log x.log.2 x.log.9.gz x.log.10.gz",
     "x.log.10.gz x.log.9.gz x.log.2 x.log"},
    /* RHEL dateext */
    {"maillog maillog-20261115 maillog-20261108.gz",
     "maillog-20261108.gz maillog-20261115 maillog"},
    {"/var/log/maillog-20261122.xz /var/log/maillog-20261101.bz2 /var/log/maillog",
     "/var/log/maillog-20261101.bz2 /var/log/maillog-20261122.xz /var/log/maillog"},
    /* hourly dateext next to daily */
    {"m-2026112210 m-2026112209 m-20261121 m",
     "m-20261121 m-2026112209 m-2026112210 m"},
    /* postfix logrotate names */
    {"postfix.log postfix.log.20261122-101500.gz postfix.log.20261121-235959.zst",
     "postfix.log.20261121-235959.zst postfix.log.20261122-101500.gz postfix.log"},
    /* unrelated names keep their order; a series sits at its first member */
    {"b.log a.log a.log.1 c.log", "b.log a.log.1 a.log c.log"},
    {"z a y", "z a y"},
    {"exim4/mainlog exim4/rejectlog.1 exim4/mainlog.1 exim4/rejectlog",
     "exim4/mainlog.1 exim4/mainlog exim4/rejectlog.1 exim4/rejectlog"},
    /* same base name in different directories: different series */
    {"a/mail.log b/mail.log.1 a/mail.log.1 b/mail.log",
     "a/mail.log.1 a/mail.log b/mail.log.1 b/mail.log"},
    /* compressed live file groups with its rotations */
    {"mail.log.gz mail.log.1.gz", "mail.log.1.gz mail.log.gz"},
    /* not dates: bad month, wrong length; kept as given */
    {"app-20261399 app-20261101 app", "app-20261399 app-20261101 app"},
    {"log-1234567 log", "log-1234567 log"},
    /* dateformat .%Y%m%d */
    {"app.log app.log.20261121 app.log.20261120",
     "app.log.20261120 app.log.20261121 app.log"},
    /* stdin and odd names stay put */
    {"- mail.log.1 - mail.log", "- mail.log.1 mail.log -"},
    {".1 .2 .gz", ".1 .2 .gz"},
    {"dir/.1 dir/.2", "dir/.1 dir/.2"},
    {"mail.log.1 mail.log.1", "mail.log.1 mail.log.1"},
    {"single", "single"},
};

/* split s at spaces into an array (the strings are one allocation) */
static const char **
split(const char *s, size_t *n, char **store)
{
    char *copy = xstrdup(s);
    const char **v = NULL;
    *n = 0;
    for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) {
        v = xreallocarray(v, *n + 1, sizeof *v);
        v[(*n)++] = tok;
    }
    *store = copy;
    return v;
}

START_TEST(test_order)
{
    char *s_in, *s_want;
    size_t n_in, n_want;
    const char **in = split(orders[_i].in, &n_in, &s_in);
    const char **want = split(orders[_i].want, &n_want, &s_want);
    const char **orig = xreallocarray(NULL, n_in, sizeof *orig);
    memcpy(orig, in, n_in * sizeof *in);
    ck_assert_uint_eq(n_in, n_want);
    source_order(in, n_in);
    for (size_t i = 0; i < n_in; i++)
        ck_assert_msg(strcmp(in[i], want[i]) == 0, "row %d pos %zu: %s != %s",
                      _i, i, in[i], want[i]);
    /* the pointers are the caller's, only moved */
    for (size_t i = 0; i < n_in; i++) {
        size_t k = 0;
        while (k < n_in && orig[k] != in[i])
            k++;
        ck_assert_uint_lt(k, n_in);
    }
    free(orig);
    free(in);
    free(want);
    free(s_in);
    free(s_want);
}
END_TEST

START_TEST(test_order_empty)
{
    const char *one[] = {"x"};
    source_order(NULL, 0);
    source_order(one, 1);
    ck_assert_str_eq(one[0], "x");
}
END_TEST

/* a large shuffled series comes out fully ordered */
START_TEST(test_order_large)
{
    enum { N = 2000 };
    char(*names)[32] = xreallocarray(NULL, N, sizeof *names);
    const char **v = xreallocarray(NULL, N, sizeof *v);
    for (size_t i = 0; i < N; i++) {
        size_t k = (i * 7919) % N; /* a permutation of 0..N-1 */
        if (k == 0)
            snprintf(names[i], sizeof names[i], "mail.log");
        else
            snprintf(names[i], sizeof names[i], "mail.log.%zu%s", k,
                     k % 2 ? ".gz" : "");
        v[i] = names[i];
    }
    source_order(v, N);
    for (size_t i = 0; i + 1 < N; i++) {
        char want[32];
        snprintf(want, sizeof want, "mail.log.%zu%s", (size_t)N - 1 - i,
                 (N - 1 - i) % 2 ? ".gz" : "");
        ck_assert_str_eq(v[i], want);
    }
    ck_assert_str_eq(v[N - 1], "mail.log");
    free(names);
    free(v);
}
END_TEST

/* ------------------------------------------------------------ open */

START_TEST(test_open_file)
{
    char p[8192];
    struct mw_source s;
    struct mw_err err;
    struct stat st;
    FILE *f;
    snprintf(p, sizeof p, "%s/mail.log", tmpdir);
    f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs("hello\n", f);
    fclose(f);
    ck_assert_int_eq(stat(p, &st), 0);
    err_clear(&err);
    ck_assert_int_eq(source_open(&s, p, &err), 0);
    ck_assert_int_ge(s.fd, 0);
    ck_assert(!s.is_stdin);
    ck_assert_ptr_eq(s.path, p);
    ck_assert_uint_eq(s.size, 6);
    ck_assert_uint_eq(s.ino, (uint64_t)st.st_ino);
    ck_assert_uint_eq(s.dev, (uint64_t)st.st_dev);
    ck_assert_int_eq((long)s.mtime, (long)st.st_mtime);
    /* close-on-exec is set */
    ck_assert_int_ne(fcntl(s.fd, F_GETFD) & FD_CLOEXEC, 0);
    char buf[16];
    ck_assert_int_eq(read(s.fd, buf, sizeof buf), 6);
    source_close(&s);
    ck_assert_int_eq(s.fd, -1);
}
END_TEST

START_TEST(test_open_stdin)
{
    struct mw_source s;
    struct mw_err err;
    err_clear(&err);
    ck_assert_int_eq(source_open(&s, "-", &err), 0);
    ck_assert(s.is_stdin);
    ck_assert_int_eq(s.fd, STDIN_FILENO);
    ck_assert_int_eq((long)s.mtime, 0);
    ck_assert_uint_eq(s.ino, 0);
    source_close(&s);
    /* standard input stays open */
    ck_assert_int_ne(fcntl(STDIN_FILENO, F_GETFD), -1);
}
END_TEST

START_TEST(test_open_directory)
{
    char p[8192], want[8300], msg[2048];
    struct mw_source s;
    struct mw_err err;
    snprintf(p, sizeof p, "%s/sub", tmpdir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    err_clear(&err);
    ck_assert_int_eq(source_open(&s, p, &err), -1);
    snprintf(want, sizeof want, "%s: is a directory", p);
    ck_assert_str_eq(err_format(&err, msg, sizeof msg), want);
    ck_assert_int_eq(s.fd, -1);
}
END_TEST

START_TEST(test_open_missing)
{
    char p[8192], want[8300], msg[2048];
    struct mw_source s;
    struct mw_err err;
    snprintf(p, sizeof p, "%s/no-such-file", tmpdir);
    err_clear(&err);
    ck_assert_int_eq(source_open(&s, p, &err), -1);
    ck_assert_int_eq(err.errnum, ENOENT);
    snprintf(want, sizeof want, "%s: No such file or directory", p);
    ck_assert_str_eq(err_format(&err, msg, sizeof msg), want);
}
END_TEST

START_TEST(test_open_unreadable)
{
    char p[8192], want[8300], msg[2048];
    struct mw_source s;
    struct mw_err err;
    FILE *f;
    if (geteuid() == 0)
        return; /* root reads anything */
    snprintf(p, sizeof p, "%s/mail.log", tmpdir);
    f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(chmod(p, 0), 0);
    err_clear(&err);
    ck_assert_int_eq(source_open(&s, p, &err), -1);
    ck_assert_int_eq(err.errnum, EACCES);
    snprintf(want, sizeof want, "%s: Permission denied", p);
    ck_assert_str_eq(err_format(&err, msg, sizeof msg), want);
}
END_TEST

/* control characters in a file name are escaped in the message */
START_TEST(test_open_hostile_name)
{
    char p[8192], msg[2048];
    struct mw_source s;
    struct mw_err err;
    snprintf(p, sizeof p, "%s/evil\n\x1b[31mname", tmpdir);
    err_clear(&err);
    ck_assert_int_eq(source_open(&s, p, &err), -1);
    err_format(&err, msg, sizeof msg);
    ck_assert_ptr_null(strchr(msg, '\n'));
    ck_assert_ptr_null(strchr(msg, '\x1b'));
    ck_assert_ptr_nonnull(strstr(msg, "evil\\x0a\\x1b[31mname"));
}
END_TEST

Suite *source_suite(void);

Suite *
source_suite(void)
{
    Suite *s = suite_create("source");
    TCase *core = tcase_create("core");
    TCase *edge = tcase_create("edge");
    TCase *hostile = tcase_create("hostile");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(edge, setup, teardown);
    tcase_add_checked_fixture(hostile, setup, teardown);
    tcase_add_loop_test(core, test_order, 0,
                        (int)(sizeof orders / sizeof orders[0]));
    tcase_add_test(core, test_open_file);
    tcase_add_test(core, test_open_stdin);
    tcase_add_test(edge, test_order_empty);
    tcase_add_test(edge, test_order_large);
    tcase_add_test(edge, test_open_directory);
    tcase_add_test(edge, test_open_missing);
    tcase_add_test(edge, test_open_unreadable);
    tcase_add_test(hostile, test_open_hostile_name);
    suite_add_tcase(s, core);
    suite_add_tcase(s, edge);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(source_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
