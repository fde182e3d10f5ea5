/* The --state file: SHA-256 fingerprints, the text form (parse and write),
 * atomic saves and the lock. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "state.h"
#include "xalloc.h"

static char tmpdir[4096];

static void
setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/check_state.XXXXXX",
             t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *de;
    char p[8192];
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(tmpdir);
}

static void
hex(const unsigned char *h, char out[65])
{
    static const char dig[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = dig[h[i] >> 4];
        out[2 * i + 1] = dig[h[i] & 15];
    }
    out[64] = '\0';
}

/* ------------------------------------------------------------ sha256 */

/* FIPS 180-4 examples, and lengths around the padding boundaries (55/56
 * bytes: one or two final blocks), checked against sha256sum(1) */
static const struct {
    char ch; /* 0: use text */
    const char *text;
    size_t len;
    const char *want;
} vectors[] = {
    {0, "", 0,
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {0, "abc", 3,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {0, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {'a', NULL, 1000000,
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    {'x', NULL, 55,
     "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
    {'x', NULL, 56,
     "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
    {'x', NULL, 63,
     "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
    {'x', NULL, 64,
     "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
    {'x', NULL, 65,
     "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
    {'x', NULL, 119,
     "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
    {'x', NULL, 120,
     "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
    {'x', NULL, 1024,
     "49abd65bbf7f7e40c7055093ed2e3fd75f2f602f2c5fcf955c213e3135eb03f7"},
};

START_TEST(test_sha256_vectors)
{
    unsigned char h[MW_SHA256_LEN];
    char got[65];
    char *data = NULL;
    const char *p = vectors[_i].text;
    if (vectors[_i].ch) {
        data = xmalloc(vectors[_i].len + 1);
        memset(data, vectors[_i].ch, vectors[_i].len);
        p = data;
    }
    state_sha256(p, vectors[_i].len, h);
    hex(h, got);
    ck_assert_str_eq(got, vectors[_i].want);
    free(data);
}
END_TEST

/* a fingerprint tells heads apart that differ in one bit */
START_TEST(test_sha256_one_bit)
{
    unsigned char a[MW_SHA256_LEN], b[MW_SHA256_LEN];
    char head[1024];
    memset(head, 'q', sizeof head);
    state_sha256(head, sizeof head, a);
    head[700] ^= 1;
    state_sha256(head, sizeof head, b);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
}
END_TEST

/* ------------------------------------------------------------ text form */

static struct mw_state *
sample_state(void)
{
    struct mw_state *st = state_new();
    struct mw_state_input *in = state_put(st, "/var/log/mail.log");
    in->dev = 2049;
    in->ino = 393231;
    in->size = 80213;
    in->offset = 80100;
    in->line = 612;
    in->fp_len = 1024;
    state_sha256("head", 4, in->fp);
    in->last_ts =
        (struct mw_time){.sec = 1795338307, .nsec = 250000000, .valid = true};
    in->has_last = true;
    state_sha256("last line", 9, in->last);
    in->saved = 1795338310;
    in = state_put(st, "/srv/odd name/100%\tx.log");
    in->dev = 1;
    in->ino = UINT64_MAX;
    in->offset = 12;
    in->fp_len = 12;
    struct mw_state_output *o = state_set_output(st, "/srv/siem/mail ndjson");
    o->len = 48211;
    o->has_tail = true;
    state_sha256("}\n", 2, o->tail);
    return st;
}

START_TEST(test_roundtrip)
{
    struct mw_state *st = sample_state();
    struct mw_state *back = state_new();
    struct mw_buf a = {0}, b = {0};
    struct mw_err err;
    state_format(st, &a);
    ck_assert_msg(strncmp(a.data, "maillog-why state 1\n", 20) == 0, "%s",
                  a.data);
    /* one record per line; the odd path is escaped */
    ck_assert_ptr_nonnull(
        strstr(a.data, "input /srv/odd%20name/100%25%09x.log "));
    ck_assert_ptr_nonnull(strstr(a.data, " ts=1795338307.250000000 "));
    ck_assert_ptr_nonnull(strstr(a.data, " ts=- last=- saved=0\n"));
    ck_assert_ptr_nonnull(
        strstr(a.data, "\noutput /srv/siem/mail%20ndjson length=48211 tail="));
    ck_assert_int_eq(state_parse(back, a.data, a.len, "st", &err), 0);
    ck_assert_uint_eq(back->ninputs, 2);
    struct mw_state_input *x = state_find(back, "/var/log/mail.log");
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->dev, 2049);
    ck_assert_uint_eq(x->ino, 393231);
    ck_assert_uint_eq(x->size, 80213);
    ck_assert_uint_eq(x->offset, 80100);
    ck_assert_uint_eq(x->line, 612);
    ck_assert_uint_eq(x->fp_len, 1024);
    ck_assert_int_eq(memcmp(x->fp, st->inputs[0].fp, MW_SHA256_LEN), 0);
    ck_assert(x->last_ts.valid);
    ck_assert_int_eq(x->last_ts.sec, 1795338307);
    ck_assert_int_eq(x->last_ts.nsec, 250000000);
    ck_assert(x->has_last);
    ck_assert_int_eq(memcmp(x->last, st->inputs[0].last, MW_SHA256_LEN), 0);
    ck_assert_uint_eq(x->saved, 1795338310);
    x = state_find(back, "/srv/odd name/100%\tx.log");
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->ino, UINT64_MAX);
    ck_assert(!x->last_ts.valid);
    ck_assert(!x->has_last);
    ck_assert_ptr_nonnull(back->output);
    ck_assert_str_eq(back->output->path, "/srv/siem/mail ndjson");
    ck_assert_uint_eq(back->output->len, 48211);
    ck_assert(back->output->has_tail);
    ck_assert_int_eq(
        memcmp(back->output->tail, st->output->tail, MW_SHA256_LEN), 0);
    /* and the same text again */
    state_format(back, &b);
    ck_assert_str_eq(a.data, b.data);
    buf_free(&a);
    buf_free(&b);
    state_free(st);
    state_free(back);
}
END_TEST

START_TEST(test_put_find)
{
    struct mw_state *st = state_new();
    ck_assert_ptr_null(state_find(st, "a"));
    struct mw_state_input *a = state_put(st, "a");
    a->offset = 5;
    state_put(st, "b");
    ck_assert_uint_eq(st->ninputs, 2);
    ck_assert_uint_eq(state_put(st, "a")->offset, 5);
    ck_assert_uint_eq(st->ninputs, 2);
    state_set_output(st, "o1")->len = 1;
    ck_assert_uint_eq(state_set_output(st, "o1")->len, 1); /* same file */
    ck_assert_uint_eq(state_set_output(st, "o2")->len, 0); /* another */
    ck_assert_str_eq(st->output->path, "o2");
    state_free(st);
    state_free(NULL);
}
END_TEST

/* comments, blank lines and keys of a later writer are passed over */
START_TEST(test_parse_lenient)
{
    static const char text[] =
        "maillog-why state 1\n"
        "# written by hand\n"
        "\n"
        "input mail.log future=yes dev=1 ino=2 offset=30 fp_len=0 "
        "fp=0000000000000000000000000000000000000000000000000000000000000000"
        "\n";
    struct mw_state *st = state_new();
    struct mw_err err;
    ck_assert_int_eq(state_parse(st, text, sizeof text - 1, "s", &err), 0);
    ck_assert_uint_eq(st->ninputs, 1);
    ck_assert_uint_eq(st->inputs[0].offset, 30);
    ck_assert_uint_eq(st->inputs[0].line, 0);
    ck_assert(!st->inputs[0].last_ts.valid);
    ck_assert_ptr_null(st->output);
    state_free(st);
}
END_TEST

#define FP64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define GOOD "input m dev=1 ino=2 offset=9 fp_len=9 fp=" FP64

/* malformed files: each is refused with PATH:LINE:COL */
static const struct {
    const char *text;
    const char *want; /* start of the formatted error */
} bad_files[] = {
    {"", "st:1:1: not a maillog-why state file"},
    {"offset 12\n", "st:1:1: not a maillog-why state file"},
    {"maillog-why state 2\n" GOOD "\n", "st:1:19: unsupported state version 2"},
    {"maillog-why state x\n", "st:1:19: invalid version"},
    {"maillog-why state 1\nfoo bar\n", "st:2:1: unknown record"},
    {"maillog-why state 1\ninput\n", "st:2:6: missing path"},
    {"maillog-why state 1\ninput m dev=1 ino=2 offset=9 fp_len=9\n", "st:2:"},
    {"maillog-why state 1\ninput m dev=1 ino=2 fp_len=9 fp=" FP64 "\n",
     "st:2:"},
    {"maillog-why state 1\ninput m dev=x ino=2 offset=9 fp_len=9 fp=" FP64 "\n",
     "st:2:13: invalid value"},
    {"maillog-why state 1\ninput m dev=1 ino=2 offset=9 fp_len=9 fp=abc\n",
     "st:2:"},
    {"maillog-why state 1\ninput m dev=1 ino=2 offset=99999 fp_len=2000 "
     "fp=" FP64 "\n",
     "st:2:"},
    {"maillog-why state 1\ninput m dev=1 ino=2 offset=3 fp_len=9 fp=" FP64 "\n",
     "st:2:1: fp_len beyond offset"},
    {"maillog-why state 1\n" GOOD "\n" GOOD "\n",
     "st:3:7: duplicate input record"},
    {"maillog-why state 1\n" GOOD " ts=12.5\n", "st:2:"},
    {"maillog-why state 1\n" GOOD " dev=99999999999999999999\n", "st:2:"},
    {"maillog-why state 1\ninput m%zz dev=1\n", "st:2:7: invalid path"},
    {"maillog-why state 1\ninput m%00 dev=1\n", "st:2:7: invalid path"},
    {"maillog-why state 1\noutput o\n", "st:2:9: missing key"},
    {"maillog-why state 1\noutput o length=1 tail=xyz\n",
     "st:2:24: invalid value"},
    {"maillog-why state 1\noutput o length=1\noutput p length=2\n",
     "st:3:1: duplicate output record"},
    {"maillog-why state 1\n" GOOD "\n\0\n", "st:3:1: NUL byte"},
};

START_TEST(test_parse_bad)
{
    struct mw_state *st = state_new();
    struct mw_err err;
    char msg[2048];
    size_t len = strlen(bad_files[_i].text);
    if (_i == sizeof bad_files / sizeof bad_files[0] - 1)
        len += 2; /* the NUL and the newline after it */
    ck_assert_int_eq(state_parse(st, bad_files[_i].text, len, "st", &err), -1);
    err_format(&err, msg, sizeof msg);
    ck_assert_msg(
        strncmp(msg, bad_files[_i].want, strlen(bad_files[_i].want)) == 0,
        "case %d: got '%s', want '%s'", _i, msg, bad_files[_i].want);
    /* nothing half-read is kept */
    ck_assert_uint_eq(st->ninputs, 0);
    ck_assert_ptr_null(st->output);
    state_free(st);
}
END_TEST

/* ------------------------------------------------------------ files */

static size_t
count_files(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *de;
    size_t n = 0;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

START_TEST(test_save_load)
{
    char path[8192];
    struct mw_state *st = sample_state();
    struct mw_state *back = state_new();
    struct mw_err err;
    bool found = true;
    snprintf(path, sizeof path, "%s/state", tmpdir);
    ck_assert_int_eq(state_load(back, path, &found, &err), 0);
    ck_assert(!found);
    ck_assert_uint_eq(back->ninputs, 0);
    ck_assert_int_eq(state_save(st, path, &err), 0);
    ck_assert_int_eq(state_save(st, path, &err), 0); /* over the old one */
    ck_assert_uint_eq(count_files(), 1);             /* no temporary left */
    ck_assert_int_eq(state_load(back, path, &found, &err), 0);
    ck_assert(found);
    ck_assert_uint_eq(back->ninputs, 2);
    ck_assert_uint_eq(back->output->len, 48211);
    state_free(back);
    state_free(st);
}
END_TEST

START_TEST(test_save_fails_cleanly)
{
    char path[8192];
    struct mw_state *st = sample_state();
    struct mw_err err;
    snprintf(path, sizeof path, "%s/no/such/dir/state", tmpdir);
    ck_assert_int_eq(state_save(st, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.text, "cannot write state"));
    state_free(st);
}
END_TEST

START_TEST(test_load_garbage)
{
    char path[8192];
    struct mw_state *st = state_new();
    struct mw_err err;
    bool found;
    snprintf(path, sizeof path, "%s/state", tmpdir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("maillog-why state 1\ninput x dev=1\n", fp);
    fclose(fp);
    ck_assert_int_eq(state_load(st, path, &found, &err), -1);
    ck_assert(found);
    ck_assert_uint_eq(err.line, 2);
    state_free(st);
}
END_TEST

START_TEST(test_lock)
{
    char path[8192];
    struct mw_err err;
    snprintf(path, sizeof path, "%s/state", tmpdir);
    int a = state_lock(path, &err);
    ck_assert_int_ge(a, 0);
    /* a second run (another open file description) is refused */
    ck_assert_int_eq(state_lock(path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.text, "in use"));
    close(a);
    int b = state_lock(path, &err);
    ck_assert_int_ge(b, 0);
    close(b);
}
END_TEST

static Suite *
state_suite(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_sha256_vectors, 0,
                        sizeof vectors / sizeof vectors[0]);
    tcase_add_test(tc, test_sha256_one_bit);
    tcase_add_test(tc, test_roundtrip);
    tcase_add_test(tc, test_put_find);
    suite_add_tcase(s, tc);
    tc = tcase_create("edge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_parse_lenient);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_save_fails_cleanly);
    tcase_add_test(tc, test_lock);
    suite_add_tcase(s, tc);
    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_parse_bad, 0,
                        sizeof bad_files / sizeof bad_files[0]);
    tcase_add_test(tc, test_load_garbage);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(state_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
