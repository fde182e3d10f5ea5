/* Unit tests of the explanation catalog: the shipped data files load and
 * cover every category and every cause id the findings use; codes, causes,
 * categories and rules are explained within 100 columns; broken catalog
 * files are reported with their position. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "explain.h"
#include "rules.h"

/* ---- helpers ---------------------------------------------------------- */

static char data_dir[1024];

static struct mw_explain *
shipped(void)
{
    const char *src = getenv("MW_SRCDIR");
    struct mw_err err;
    snprintf(data_dir, sizeof data_dir, "%s/data", src && *src ? src : ".");
    struct mw_explain *x = explain_new();
    if (explain_load_dir(x, data_dir, &err) < 0) {
        char msg[1024];
        ck_abort_msg("%s", err_format(&err, msg, sizeof msg));
    }
    return x;
}

/* the explanation of term (found or not); *found set; caller frees */
static char *
explain(const struct mw_explain *x, const struct mw_ruleset *rs,
        const char *term, bool *found)
{
    struct mw_buf b = {0};
    buf_puts(&b, "");
    *found = explain_term(x, rs, term, &b);
    return b.data;
}

static void
assert_width(const char *text)
{
    size_t col = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            col = 0;
            continue;
        }
        if (((unsigned char)*p & 0xc0) != 0x80)
            col++;
        ck_assert_msg(col <= MW_EXPLAIN_WIDTH, "line too wide in:\n%s", text);
    }
}

static void
assert_explains(const struct mw_explain *x, const char *term,
                const char *const *want)
{
    bool found;
    char *t = explain(x, NULL, term, &found);
    ck_assert_msg(found, "no explanation for %s", term);
    for (size_t i = 0; want[i]; i++)
        ck_assert_msg(strstr(t, want[i]), "'%s' lacks \"%s\":\n%s", term,
                      want[i], t);
    assert_width(t);
    free(t);
}

struct tmp {
    char dir[256];
    char path[512];
};

static void
tmp_init(struct tmp *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/check_explain.XXXXXX",
             base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
}

/* write dir/name; returns its path (valid until the next write) */
static const char *
tmp_write(struct tmp *t, const char *name, const char *text)
{
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *f = fopen(t->path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
    return t->path;
}

static void
tmp_remove(struct tmp *t, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", t->dir, name);
    unlink(p);
}

/* ---- core ------------------------------------------------------------- */

START_TEST(test_shipped_catalog)
{
    struct mw_explain *x = shipped();
    bool found;
    for (size_t i = 0; i < mw_category_count; i++) {
        char *t = explain(x, NULL, mw_categories[i], &found);
        ck_assert(found);
        ck_assert_msg(strstr(t, "Possible causes"), "%s has no causes:\n%s",
                      mw_categories[i], t);
        assert_width(t);
        free(t);
    }
    /* the cause ids findings.c gives its detector findings */
    static const char *const used[] = {
        "cause.bruteforce",
        "cause.credentials.wrong",
        "cause.tls.cert_load",
        "cause.tls.cert_mismatch",
        "cause.tls.protocol_mismatch",
        "cause.server.down",
        "cause.port25.blocked",
        "cause.dns.resolver",
        "cause.dnsbl.our_ip_listed",
        "cause.dnsbl.client_listed",
        "cause.server.overload",
        "cause.disk.full",
    };
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        ck_assert_msg(explain_cause_title(x, used[i]), "%s missing", used[i]);
    ck_assert_ptr_null(explain_cause_title(x, "cause.no.such"));
    explain_free(x);
}
END_TEST

static const struct {
    const char *term;
    const char *want[4];
} cases[] = {
    {"535",
     {"535: Authentication credentials invalid", "RFC 4954",
      "cause.credentials.wrong", NULL}},
    {"421",
     {"Service not available", "Class: 4xx", "cause.server.overload", NULL}},
    {"5.7.1",
     {"5.7.1: Delivery not authorized", "Class: 5.X.X", "Subject: X.7.X",
      NULL}},
    {"4.7.25",
     {"Reverse DNS validation failed", "RFC 7372", "cause.dns.ptr", NULL}},
    {"5.1.1",
     {"Bad destination mailbox address", "cause.mailbox.unknown", NULL}},
    {"x.7.26", {"X.7.26: Multiple authentication checks failed", NULL}},
    {"5.7.139", {"Microsoft", "cause.account.disabled", NULL}},
    {"4.7.99", {"not in the catalog", "Class: 4.X.X", "X.7.0", NULL}},
    {"599", {"not a reply code of the catalog", "Class: 5xx", NULL}},
    {"550 5.7.1",
     {"550: Requested action not taken", "5.7.1: Delivery not authorized",
      NULL}},
    {"  454-4.7.0 ",
     {"454: Temporary authentication failure",
      "4.7.0: Other or undefined security status", NULL}},
    {"5XX", {"5xx: Permanent negative completion", NULL}},
    {"cause.dns.mx", {"dig +short MX", "Categories: dns", "X.1.2", NULL}},
    {"tls.cert_load", {"cause.tls.cert_load", "openssl", NULL}},
    {"auth.failure", {"(category)", "cause.bruteforce", NULL}},
};

START_TEST(test_terms)
{
    struct mw_explain *x = shipped();
    assert_explains(x, cases[_i].term, cases[_i].want);
    explain_free(x);
}
END_TEST

START_TEST(test_unknown)
{
    struct mw_explain *x = shipped();
    static const char *const bad[] = {"XYZ",    "",          "   ", "3.1.1",
                                      "X.X.X",  "5.7.1234",  "199", "5.7.1.2",
                                      "cause.", "cause.nope"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mw_buf b = {0};
        buf_puts(&b, "keep");
        ck_assert_msg(!explain_term(x, NULL, bad[i], &b), "'%s' explained",
                      bad[i]);
        ck_assert_str_eq(b.data, "keep");
        buf_free(&b);
    }
    char big[300];
    memset(big, '5', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct mw_buf b = {0};
    ck_assert(!explain_term(x, NULL, big, &b));
    ck_assert_uint_eq(b.len, 0);
    buf_free(&b);
    explain_free(x);
}
END_TEST

START_TEST(test_rule)
{
    struct tmp t;
    struct mw_err err;
    tmp_init(&t);
    const char *path = tmp_write(
        &t, "r.yaml",
        "rules:\n"
        "  - id: demo.sasl\n"
        "    title: Login failed\n"
        "    category: auth.failure\n"
        "    level: medium\n"
        "    cause: The password was wrong, with a very long explanation "
        "that goes on and on so that it must be wrapped over several lines "
        "of at most one hundred columns.\n"
        "    fix: Fix the password.\n"
        "    match: 'authentication failed'\n"
        "    examples:\n"
        "      - line: 'Nov 22 10:05:07 mx1 postfix/smtpd[1]: authentication "
        "failed'\n"
        "    counter_examples: ['Nov 22 10:05:07 mx1 postfix/smtpd[1]: ok']\n");
    struct mw_ruleset *rs = ruleset_new();
    ck_assert_int_eq(ruleset_load(rs, path, &err), 0);
    ck_assert_int_eq(ruleset_finish(rs, &err), 0);
    struct mw_explain *x = shipped();
    bool found;
    char *s = explain(x, rs, "demo.sasl", &found);
    ck_assert(found);
    ck_assert_ptr_nonnull(strstr(s, "demo.sasl: Login failed (rule)"));
    ck_assert_ptr_nonnull(strstr(s, "Category: auth.failure"));
    ck_assert_ptr_nonnull(strstr(s, "Level: medium"));
    ck_assert_ptr_nonnull(strstr(s, "r.yaml:2"));
    ck_assert_ptr_nonnull(strstr(s, "Fix the password."));
    assert_width(s);
    free(s);
    /* a category counts the loaded rules */
    s = explain(x, rs, "auth.failure", &found);
    ck_assert_ptr_nonnull(strstr(s, "1 loaded rule has this category."));
    free(s);
    /* without a ruleset the rule is unknown */
    s = explain(x, NULL, "demo.sasl", &found);
    ck_assert(!found);
    free(s);
    explain_free(x);
    ruleset_free(rs);
    tmp_remove(&t, "r.yaml");
    rmdir(t.dir);
}
END_TEST

/* ---- hostile: broken catalog files ------------------------------------ */

static const struct {
    const char *text;
    const char *want; /* ":line:column: message" */
} broken[] = {
    {"replies:\n  - code: '535'\n    text: x\n    meaning: [a\n",
     ":5:1: yaml syntax error"},
    {"replies:\n  - code: '535'\n    text: x\n    meaning: y\n    wat: z\n",
     ":5:5: unknown key 'wat' in 'replies'"},
    {"replies:\n  - code: '5355'\n    text: x\n    meaning: y\n",
     ":2:11: bad code '5355'"},
    {"enhanced:\n  - code: '5.7.X'\n    text: x\n    meaning: y\n",
     ":2:11: bad code '5.7.X'"},
    {"replies:\n  - code: '535'\n    text: x\n", ":2:5: missing key 'meaning'"},
    {"replies:\n  - code: '535'\n    text: x\n    meaning: ''\n",
     ":4:14: empty value for 'meaning'"},
    {"replies:\n  - {code: '535', text: a, meaning: b}\n"
     "  - {code: '535', text: a, meaning: b}\n",
     ":3:12: duplicate code '535' (first at "},
    {"causes:\n  - id: cause.x\n    title: t\n    explanation: e\n"
     "    likely: [a]\n    check: [b]\n    categories: [dns, nope]\n",
     ":7:23: unknown category 'nope'"},
    {"causes:\n  - id: Cause.X\n", ":2:9: bad id 'Cause.X'"},
    {"categories:\n  - id: dns\n    title: &a t\n    explanation: *a\n",
     ":4:18: aliases are not supported"},
    {"replies: {code: 1}\n", ":1:10: 'replies' must be a list, not a mapping"},
    {"other: []\n", ":1:1: unknown section 'other'"},
    {"- a\n", ":1:1: a catalog file must be a mapping"},
    {"replies:\n  - code: '535'\n    text: \"a\\0b\"\n    meaning: y\n",
     ":3:11: NUL byte in 'text'"},
    {"replies:\n  - code: '535'\n    text: x\n    meaning: y\n"
     "    causes: [cause.nowhere]\n",
     ":5:14: unknown cause 'cause.nowhere'"},
    {"replies:\n  - code: '535'\n    text: x\n    meaning: y\n"
     "    causes: cause.x\n",
     ":5:13: 'causes' must be a list, not a string"},
    {"---\nreplies: []\n---\nreplies: []\n", ":3:1: more than one YAML"},
};

START_TEST(test_broken)
{
    struct tmp t;
    struct mw_err err;
    char msg[1024];
    tmp_init(&t);
    const char *path = tmp_write(&t, "c.yaml", broken[_i].text);
    struct mw_explain *x = explain_new();
    int rc = explain_load(x, path, &err);
    if (rc == 0)
        rc = explain_finish(x, &err);
    ck_assert_int_eq(rc, -1);
    err_format(&err, msg, sizeof msg);
    ck_assert_msg(strstr(msg, path) == msg, "no path in: %s", msg);
    ck_assert_msg(strstr(msg, broken[_i].want), "case %d: got: %s", _i, msg);
    explain_free(x);
    tmp_remove(&t, "c.yaml");
    rmdir(t.dir);
}
END_TEST

START_TEST(test_missing_and_empty)
{
    struct tmp t;
    struct mw_err err;
    char msg[1024];
    tmp_init(&t);
    struct mw_explain *x = explain_new();
    ck_assert_int_eq(explain_load_dir(x, t.dir, &err), -1);
    err_format(&err, msg, sizeof msg);
    ck_assert_ptr_nonnull(strstr(msg, MW_EXPLAIN_CODES_FILE));
    ck_assert_ptr_nonnull(strstr(msg, "cannot open"));
    /* empty files are valid and explain nothing */
    tmp_write(&t, MW_EXPLAIN_CODES_FILE, "");
    tmp_write(&t, MW_EXPLAIN_CAUSES_FILE, "# nothing yet\n");
    ck_assert_int_eq(explain_load_dir(x, t.dir, &err), 0);
    struct mw_buf b = {0};
    ck_assert(!explain_term(x, NULL, "535", &b));
    /* a category is known even without catalog text */
    ck_assert(explain_term(x, NULL, "dns", &b));
    ck_assert_ptr_nonnull(strstr(b.data, "dns (category)"));
    buf_free(&b);
    explain_free(x);
    explain_free(NULL);
    tmp_remove(&t, MW_EXPLAIN_CODES_FILE);
    tmp_remove(&t, MW_EXPLAIN_CAUSES_FILE);
    rmdir(t.dir);
}
END_TEST

/* control characters in rule text never reach the terminal */
START_TEST(test_control_chars)
{
    struct tmp t;
    struct mw_err err;
    tmp_init(&t);
    const char *path = tmp_write(
        &t, "r.yaml",
        "rules:\n"
        "  - id: demo.esc\n"
        "    title: Escape\n"
        "    category: protocol\n"
        "    level: low\n"
        "    cause: \"bell \\a and escape \\e[31m red\"\n"
        "    match: 'x'\n"
        "    examples:\n"
        "      - line: 'Nov 22 10:05:07 mx1 postfix/smtpd[1]: x'\n"
        "    counter_examples: ['Nov 22 10:05:07 mx1 postfix/smtpd[1]: y']\n");
    struct mw_ruleset *rs = ruleset_new();
    ck_assert_int_eq(ruleset_load(rs, path, &err), 0);
    ck_assert_int_eq(ruleset_finish(rs, &err), 0);
    struct mw_explain *x = shipped();
    bool found;
    char *s = explain(x, rs, "demo.esc", &found);
    ck_assert(found);
    for (const char *p = s; *p; p++)
        ck_assert(*p == '\n' || ((unsigned char)*p >= 0x20 && *p != 0x7f));
    ck_assert_ptr_nonnull(strstr(s, "?[31m"));
    free(s);
    explain_free(x);
    ruleset_free(rs);
    tmp_remove(&t, "r.yaml");
    rmdir(t.dir);
}
END_TEST

static Suite *
explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_shipped_catalog);
    tcase_add_loop_test(core, test_terms, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(core, test_unknown);
    tcase_add_test(core, test_rule);
    suite_add_tcase(s, core);
    TCase *hostile = tcase_create("hostile");
    tcase_add_loop_test(hostile, test_broken, 0,
                        (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(hostile, test_missing_and_empty);
    tcase_add_test(hostile, test_control_chars);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(explain_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
