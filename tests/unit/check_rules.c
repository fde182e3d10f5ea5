/* Unit tests for the rule engine: loading rule files, errors with their
 * positions, priority order, program filter, literal prefilter and its
 * derivation, fields, PCRE2 limits and --check-rules. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "prefilter.h"
#include "rules.h"
#include "rules_impl.h"
#include "xalloc.h"

/* ------------------------------------------------------------ helpers */

struct tmp {
    char dir[256];
    char paths[16][320];
    int n;
};

static void
tmp_init(struct tmp *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/check_rules.XXXXXX",
             base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    t->n = 0;
}

/* write name in the temp dir; returns its path */
static const char *
tmp_write(struct tmp *t, const char *name, const char *text)
{
    ck_assert_int_lt(t->n, 16);
    char *p = t->paths[t->n++];
    char path[sizeof t->paths[0]];
    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    memcpy(p, path, sizeof path);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

static void
tmp_done(struct tmp *t)
{
    for (int i = 0; i < t->n; i++)
        unlink(t->paths[i]);
    rmdir(t->dir);
}

/* a record as the syslog dialect would make it */
static struct mw_record
rec_make(const char *prog_base, const char *msg)
{
    struct mw_record r;
    memset(&r, 0, sizeof r);
    r.pid = -1;
    r.prog_base = prog_base;
    r.prog_base_len = prog_base ? strlen(prog_base) : 0;
    r.msg = msg;
    r.msg_len = strlen(msg);
    r.parsed = prog_base != NULL;
    return r;
}

/* load one file's text and finish; NULL (err formatted) on error */
static struct mw_ruleset *
load_text(struct tmp *t, const char *text, char *errout, size_t errsize)
{
    struct mw_err err;
    struct mw_ruleset *rs = ruleset_new();
    const char *p = tmp_write(t, "rules.yaml", text);
    if (ruleset_load(rs, p, &err) < 0 || ruleset_finish(rs, &err) < 0) {
        err_format(&err, errout, errsize);
        ruleset_free(rs);
        return NULL;
    }
    return rs;
}

static bool
field_is(const struct mw_event *ev, const char *name, const char *want)
{
    size_t len = 0;
    const char *v = event_field(ev, name, &len);
    return v && len == strlen(want) && memcmp(v, want, len) == 0;
}

/* the rules-format example */
static const char sasl_rule[] =
    "# comment\n"
    "rules:\n"
    "  - id: postfix.smtpd.sasl_auth_failed\n"
    "    title: SASL authentication failed\n"
    "    category: auth.failure\n"
    "    level: medium\n"
    "    cause: >-\n"
    "      A client tried to log in over SMTP AUTH and the SASL backend\n"
    "      rejected it.\n"
    "    fix: Block the address if it keeps guessing.\n"
    "    program: [smtpd]\n"
    "    priority: 100\n"
    "    prefilter: \"authentication failed\"\n"
    "    match: '^warning: (?<client_host>[^\\[\\s]*)\\[(?<client_ip>[^\\]]+)"
    "\\]: SASL (?<sasl_method>[\\w-]+) authentication failed: "
    "(?<reason>[^,]*)(?:, sasl_username=(?<user>.*))?$'\n"
    "    examples:\n"
    "      - line: 'Nov 22 10:05:08 mx1 postfix/smtpd[1234]: warning: "
    "unknown[192.0.2.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, "
    "sasl_username=admin'\n"
    "        fields: {client_ip: 192.0.2.7, user: admin, sasl_method: LOGIN}\n"
    "      - 'Nov 22 10:05:08 mx1 postfix/smtpd[1234]: warning: "
    "unknown[192.0.2.8]: SASL PLAIN authentication failed: authentication "
    "failure'\n"
    "    counter_examples:\n"
    "      - 'Nov 22 10:05:09 mx1 postfix/smtpd[1234]: connect from "
    "unknown[192.0.2.7]'\n";

/* a rule with the given id, priority, program line and pattern */
static void
rule_text(char *out, size_t size, const char *id, int prio, const char *extra,
          const char *match)
{
    snprintf(out, size,
             "  - id: %s\n    title: t\n    category: protocol\n"
             "    level: low\n    cause: c\n    priority: %d\n%s"
             "    match: '%s'\n    examples: [x]\n"
             "    counter_examples: [y]\n",
             id, prio, extra, match);
}

/* --------------------------------------------------------------- core */

START_TEST(test_load_good)
{
    struct tmp t;
    char e[2048] = "";
    tmp_init(&t);
    struct mw_ruleset *rs = load_text(&t, sasl_rule, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    ck_assert_uint_eq(ruleset_count(rs), 1);
    const struct mw_rule *r = ruleset_rule(rs, 0);
    ck_assert_str_eq(r->id, "postfix.smtpd.sasl_auth_failed");
    ck_assert_str_eq(r->title, "SASL authentication failed");
    ck_assert_str_eq(r->category, "auth.failure");
    ck_assert_int_eq(r->category_idx, category_index("auth.failure"));
    ck_assert_int_eq(r->level, MW_LEVEL_MEDIUM);
    ck_assert_str_eq(r->cause, "A client tried to log in over SMTP AUTH and "
                               "the SASL backend rejected it.");
    ck_assert_str_eq(r->fix, "Block the address if it keeps guessing.");
    ck_assert_str_eq(r->file, t.paths[0]);
    ck_assert_uint_eq(r->line, 3);
    ck_assert_int_eq(r->priority, 100);
    ck_assert_ptr_eq(ruleset_find(rs, "postfix.smtpd.sasl_auth_failed"), r);
    ck_assert_ptr_null(ruleset_find(rs, "nope"));
    ck_assert_ptr_null(ruleset_rule(rs, 1));
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_fields)
{
    struct tmp t;
    char e[2048] = "";
    struct mw_event ev;
    tmp_init(&t);
    struct mw_ruleset *rs = load_text(&t, sasl_rule, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    struct mw_record rec = rec_make(
        "smtpd", "warning: unknown[192.0.2.7]: SASL LOGIN authentication "
                 "failed: UGFzc3dvcmQ6, sasl_username=admin");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_ptr_eq(ev.rule, ruleset_rule(rs, 0));
    ck_assert_ptr_eq(ev.rec, &rec);
    ck_assert_uint_eq(ev.nfields, 5);
    ck_assert(field_is(&ev, "client_ip", "192.0.2.7"));
    ck_assert(field_is(&ev, "client_host", "unknown"));
    ck_assert(field_is(&ev, "sasl_method", "LOGIN"));
    ck_assert(field_is(&ev, "user", "admin"));
    ck_assert(field_is(&ev, "reason", "UGFzc3dvcmQ6"));
    /* fields are views into the message */
    size_t len;
    const char *ip = event_field(&ev, "client_ip", &len);
    ck_assert(ip >= rec.msg && ip + len <= rec.msg + rec.msg_len);

    /* the optional group did not take part: no user field */
    rec = rec_make("smtpd", "warning: unknown[192.0.2.8]: SASL PLAIN "
                            "authentication failed: authentication failure");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_uint_eq(ev.nfields, 4);
    len = 99;
    ck_assert_ptr_null(event_field(&ev, "user", &len));
    ck_assert_uint_eq(len, 0);
    ck_assert(field_is(&ev, "reason", "authentication failure"));

    rec = rec_make("smtpd", "connect from unknown[192.0.2.7]");
    ck_assert(!ruleset_match(rs, &rec, &ev));
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_priority_order)
{
    struct tmp t;
    char e[2048] = "", a[512], b[512], c[512], text[2048];
    struct mw_event ev;
    tmp_init(&t);
    /* a generic rule first in the file, a specific one with a lower
     * priority later, and a tie broken by file order */
    rule_text(a, sizeof a, "generic", 100, "", "connection");
    rule_text(b, sizeof b, "specific", 50, "", "lost connection");
    rule_text(c, sizeof c, "generic2", 100, "", "connection");
    snprintf(text, sizeof text, "rules:\n%s%s%s", a, b, c);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    ck_assert_str_eq(ruleset_rule(rs, 0)->id, "specific");
    ck_assert_str_eq(ruleset_rule(rs, 1)->id, "generic");
    ck_assert_str_eq(ruleset_rule(rs, 2)->id, "generic2");
    struct mw_record rec = rec_make("smtpd", "lost connection after EHLO");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "specific");
    rec = rec_make("smtpd", "connection reset");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "generic");
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_directory_order)
{
    struct tmp t;
    char a[512], b[512], text[1024];
    struct mw_err err;
    struct mw_event ev;
    tmp_init(&t);
    rule_text(a, sizeof a, "from.b", 100, "", "timeout after");
    rule_text(b, sizeof b, "from.a", 100, "", "timeout after");
    snprintf(text, sizeof text, "rules:\n%s", a);
    tmp_write(&t, "20-b.yml", text);
    snprintf(text, sizeof text, "rules:\n%s", b);
    tmp_write(&t, "10-a.yaml", text);
    tmp_write(&t, "README", "not a rule file");
    tmp_write(&t, "30-c.yaml.orig", "not: [a rule file");
    struct mw_ruleset *rs = ruleset_new();
    ck_assert_int_eq(ruleset_load(rs, t.dir, &err), 0);
    ck_assert_int_eq(ruleset_finish(rs, &err), 0);
    ck_assert_uint_eq(ruleset_count(rs), 2);
    struct mw_record rec = rec_make("smtpd", "timeout after DATA");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "from.a");
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_missing_path)
{
    struct mw_err err;
    char out[2048];
    struct mw_ruleset *rs = ruleset_new();
    ck_assert_int_eq(ruleset_load(rs, "/nonexistent/rules.d", &err), -1);
    err_format(&err, out, sizeof out);
    ck_assert_msg(strncmp(out, "/nonexistent/rules.d: ", 22) == 0, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "No such file or directory"));
    ruleset_free(rs);
}
END_TEST

START_TEST(test_program_filter)
{
    struct tmp t;
    char e[2048] = "", a[512], b[512], text[2048];
    struct mw_event ev;
    tmp_init(&t);
    rule_text(a, sizeof a, "out.smtp", 10, "    program: [smtp, lmtp]\n",
              "Connection timed out");
    rule_text(b, sizeof b, "any", 20, "", "Connection timed out");
    snprintf(text, sizeof text, "rules:\n%s%s", a, b);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    const char *msg = "connect to mx[192.0.2.1]:25: Connection timed out";
    struct mw_record rec = rec_make("smtp", msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "out.smtp");
    rec = rec_make("lmtp", msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "out.smtp");
    /* smtpd is not smtp: the program-less rule takes it */
    rec = rec_make("smtpd", msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "any");
    rec = rec_make("smt", msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "any");
    /* a line without program is tried against every rule */
    rec = rec_make(NULL, msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "out.smtp");
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

/* apps_only: every line but those of a program another rule names */
START_TEST(test_apps_only)
{
    struct tmp t;
    char e[2048] = "", a[512], b[512], text[2048];
    struct mw_event ev;
    tmp_init(&t);
    rule_text(a, sizeof a, "server", 10, "    program: [smtpd]\n",
              "^warning: ");
    rule_text(b, sizeof b, "client", 20, "    apps_only: true\n",
              "Connection refused");
    snprintf(text, sizeof text, "rules:\n%s%s", a, b);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    const char *msg = "SMTP ERROR: Failed to connect: Connection refused";
    struct mw_record rec = rec_make("php-fpm", msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "client");
    rec = rec_make(NULL, msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "client");
    /* smtpd is named by a rule: its lines skip the client rule */
    rec = rec_make("smtpd", msg);
    ck_assert(!ruleset_match(rs, &rec, &ev));
    ck_assert(
        !rule_program_ok(rs, rule_impl(ruleset_find(rs, "client")), &rec));
    rec = rec_make("smtp", msg);
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "client");
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_prefilter_explicit)
{
    struct tmp t;
    char e[2048] = "", a[512], text[1024];
    struct mw_event ev;
    tmp_init(&t);
    /* the regex alone would match; the literal decides */
    rule_text(a, sizeof a, "lit", 100,
              "    prefilter: [\"reject:\", \"blocked\"]\n", "^NOQUEUE");
    snprintf(text, sizeof text, "rules:\n%s", a);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    const struct mw_rule_impl *ri = rule_impl(ruleset_rule(rs, 0));
    ck_assert_uint_eq(ri->nlits, 2);
    ck_assert(!ri->lits_derived);
    struct mw_record rec = rec_make("smtpd", "NOQUEUE: filter: RCPT");
    ck_assert(!ruleset_match(rs, &rec, &ev));
    rec = rec_make("smtpd", "NOQUEUE: reject: RCPT");
    ck_assert(ruleset_match(rs, &rec, &ev));
    rec = rec_make("smtpd", "NOQUEUE: x; blocked");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

/* a short explicit literal: the longer derived one is scanned for, and
 * the explicit one still decides */
START_TEST(test_prefilter_short_explicit)
{
    struct tmp t;
    char e[2048] = "", a[512], text[1024];
    struct mw_event ev;
    tmp_init(&t);
    rule_text(a, sizeof a, "short", 100,
              "    prefilter: [\"530\", \"5.7.0\"]\n",
              "^NOQUEUE: reject: RCPT from \\S+: (?<reply_code>\\d+)");
    snprintf(text, sizeof text, "rules:\n%s", a);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    const struct mw_rule_impl *ri = rule_impl(ruleset_rule(rs, 0));
    ck_assert_str_eq(ri->scan_lit, "NOQUEUE: reject: RCPT from ");
    ck_assert_uint_eq(ri->nlits, 2);
    struct mw_record rec =
        rec_make("smtpd", "NOQUEUE: reject: RCPT from a[1.2.3.4]: 554 x");
    ck_assert(!ruleset_match(rs, &rec, &ev));
    /* no rule names smtpd: its lines use the program-less rules' tables,
     * built by that first use */
    ck_assert(rs->any->built);
    ck_assert_uint_eq(prefilter_window(rs->any->pf), 27);
    rec = rec_make("smtpd", "NOQUEUE: reject: RCPT from a[1.2.3.4]: 530 x");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert(field_is(&ev, "reply_code", "530"));
    rec = rec_make("smtpd", "NOQUEUE: reject: RCPT from a[1.2.3.4]: 554 5.7.0");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_levels_categories)
{
    ck_assert_uint_eq(mw_category_count, 15);
    ck_assert_str_eq(mw_categories[0], "connection.refused");
    ck_assert_str_eq(mw_categories[14], "server.unavailable");
    ck_assert_int_eq(category_index("policy.dnsbl"), 9);
    ck_assert_int_eq(category_index("policy"), -1);
    for (size_t i = 0; i < mw_category_count; i++)
        ck_assert_int_eq(category_index(mw_categories[i]), (int)i);
    ck_assert_int_eq(level_from_name("informational"), MW_LEVEL_INFORMATIONAL);
    ck_assert_int_eq(level_from_name("critical"), MW_LEVEL_CRITICAL);
    ck_assert_int_eq(level_from_name("High"), -1);
    ck_assert_str_eq(level_name(MW_LEVEL_HIGH), "high");
    ck_assert_str_eq(level_name(MW_LEVEL_LOW), "low");
}
END_TEST

/* ------------------------------------------------------- derivation */

static const struct {
    const char *pat;
    const char *lit; /* "" = none */
} derive_cases[] = {
    {"^lost connection after (?<cmd>\\w+) from", "lost connection after "},
    {"^warning: (?<h>[^\\[]*)\\[(?<ip>[^\\]]+)\\]: SASL", "warning: "},
    {"SASL \\w+ authentication failed", " authentication failed"},
    {"Relay access denied", "Relay access denied"},
    {"connect to \\S+: Connection refused", ": Connection refused"},
    {"abc|defghij", ""},
    {"(?:abc|def)ghijk", "ghijk"},
    {"(?i)authentication failed", ""},
    {"x(?i:authentication failed)", ""},
    {"authentication (?-i)failed", ""},
    {"timeouts? after", "timeout"},
    {"colou?r scheme", "r scheme"},
    {"ab*cdefg", "cdefg"},
    {"abcdef+g", "abcde"},
    {"abcdef{2}g", "abcde"},
    {"abcdef{2,3}g", "abcde"},
    {"mx\\.example\\.com\\[", "mx.example.com["},
    {"status=\\d+ deferred", " deferred"},
    {"a\\x41bcd", "bcd"},
    {"ab\\Q|||\\Ecdef", "cdef"},
    {"[|(]abc[]x]defgh", "defgh"},
    {"[[:alpha:]]+ rejected", " rejected"},
    {"a.b.c.d", "a"},
    {"(?#comment|x)literal text", "literal text"},
    {"\\(?i\\)", "i)"},
    {"foo\\/bar-baz", "foo/bar-baz"},
    {"ab\\", "ab"},
    {"", ""},
    {"^$", ""},
};

START_TEST(test_derive)
{
    const char *pat = derive_cases[_i].pat;
    const char *want = derive_cases[_i].lit;
    char out[256];
    size_t n = prefilter_derive(pat, strlen(pat), out);
    ck_assert_msg(n == strlen(want) && memcmp(out, want, n) == 0,
                  "pattern '%s': got '%.*s', want '%s'", pat, (int)n, out,
                  want);
}
END_TEST

START_TEST(test_derived_literal_used)
{
    struct tmp t;
    char e[2048] = "", a[512], b[512], text[2048];
    tmp_init(&t);
    rule_text(a, sizeof a, "derived", 100, "", "^lost connection after \\w+");
    rule_text(b, sizeof b, "always", 100, "", "^(?i)lost");
    snprintf(text, sizeof text, "rules:\n%s%s", a, b);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    const struct mw_rule_impl *ri = rule_impl(ruleset_find(rs, "derived"));
    ck_assert_uint_eq(ri->nlits, 1);
    ck_assert(ri->lits_derived);
    ck_assert_str_eq(ri->lits[0], "lost connection after ");
    ri = rule_impl(ruleset_find(rs, "always"));
    ck_assert_uint_eq(ri->nlits, 0);
    struct mw_event ev;
    struct mw_record rec = rec_make("smtpd", "LOST it");
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert_str_eq(ev.rule->id, "always");
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

/* ------------------------------------------------------------- errors */

#define HEAD "rules:\n  - id: a.b\n    title: t\n    category: dns\n"
#define MID  "    level: low\n    cause: c\n"
#define TAIL "    examples: [x]\n    counter_examples: [y]\n"
#define GOOD HEAD MID "    match: abc\n" TAIL

/* '@' in want stands for the rule file's path */
static const struct {
    const char *text;
    const char *want;
} error_cases[] = {
    {"rules:\n  - id: a\n   title: x\n",
     "@:3:4: yaml syntax error: did not find expected '-' indicator (while "
     "parsing a block collection)"},
    {"rules: [a, b\n", "@:2:1: yaml syntax error: did not find expected ',' "
                       "or ']' (while parsing a flow sequence)"},
    {"rules:\n  - id: \"a\xff\"\n",
     "@:2:11: yaml syntax error: invalid leading UTF-8 octet"},
    {GOOD "    colour: red\n", "@:10:5: unknown key 'colour'"},
    {GOOD "  - 42\n", "@:10:5: a rule must be a mapping, not a string"},
    {"rules: x\n", "@:1:8: 'rules' must be a list, not a string"},
    {"rules: []\n", "@:1:8: empty value for 'rules'"},
    {"- a\n", "@:1:1: the top level must be a mapping, not a list"},
    {"", "@:1:1: missing required key 'rules'"},
    {"rule: []\n", "@:1:1: unknown key 'rule'"},
    {HEAD MID TAIL, "@:2:5: missing required key 'match'"},
    {HEAD "    match: abc\n" TAIL, "@:2:5: missing required key 'level'"},
    {HEAD "    title: u\n" MID "    match: x\n" TAIL,
     "@:5:5: duplicate key 'title'"},
    {HEAD MID "    match: [abc]\n" TAIL,
     "@:7:12: 'match' must be a string, not a list"},
    {HEAD MID "    match: ''\n" TAIL, "@:7:12: empty value for 'match'"},
    {HEAD MID "    match:\n" TAIL, "@:7:11: empty value for 'match'"},
    {HEAD MID "    match: abc\n    fix: ~\n" TAIL,
     "@:8:10: empty value for 'fix'"},
    {"rules:\n  - id: a.b\n    title: t\n    category: dnsbl\n" MID
     "    match: abc\n" TAIL,
     "@:4:15: unknown category 'dnsbl'"},
    {HEAD "    level: severe\n    cause: c\n    match: abc\n" TAIL,
     "@:5:12: unknown level 'severe' (use informational, low, medium, high "
     "or critical)"},
    {"rules:\n  - id: Postfix.A\n", "@:2:9: bad id 'Postfix.A': use only "
                                    "a-z, 0-9, '_', '.', '-'"},
    {GOOD "  - id: a.b\n", "@:10:9: duplicate id 'a.b' (first defined at "
                           "@:2)"},
    {HEAD MID "    match: abc(def\n" TAIL,
     "@:7:19: bad regex: missing closing parenthesis"},
    {HEAD MID "    match: 'it''s (def'\n" TAIL,
     "@:7:23: bad regex: missing closing parenthesis"},
    {HEAD MID "    match: \"a\\\\.b[c\"\n" TAIL,
     "@:7:20: bad regex: missing terminating ] for character class"},
    {HEAD MID "    match: 'x{2,1}'\n" TAIL,
     "@:7:18: bad regex: numbers out of order in {} quantifier"},
    {HEAD MID "    match: |\n      abc(\n" TAIL,
     "@:7:12: bad regex: missing closing parenthesis"},
    {HEAD MID "    match: abc\n    prefilter: [abcd, ab]\n" TAIL,
     "@:8:23: prefilter literal 'ab' is shorter than 3 bytes"},
    {HEAD MID "    match: abc\n    priority: high\n" TAIL,
     "@:8:15: 'priority' must be an integer, not 'high'"},
    {HEAD MID "    match: abc\n    program: {a: b}\n" TAIL,
     "@:8:14: 'program' must be a list or a string, not a mapping"},
    {HEAD MID "    match: abc\n    examples: [{fields: {a: b}}]\n"
              "    counter_examples: [y]\n",
     "@:8:16: missing required key 'line'"},
    {HEAD MID "    match: abc\n    examples: [{line: x, field: {}}]\n"
              "    counter_examples: [y]\n",
     "@:8:26: unknown key 'field'"},
    {HEAD MID "    match: abc\n    examples: [x]\n"
              "    counter_examples: [{line: y}]\n",
     "@:9:24: an entry of 'counter_examples' must be a string, not a "
     "mapping"},
    {HEAD MID "    match: abc\n    apps_only: yes\n" TAIL,
     "@:8:16: 'apps_only' must be true or false"},
    {HEAD MID "    match: abc\n    apps_only: true\n    program: smtpd\n" TAIL,
     "@:2:5: 'apps_only' and 'program' exclude each other"},
    {"rules:\n  - &r {id: a}\n  - *r\n", "@:3:5: aliases are not supported"},
    {"rules: [x]\n---\nrules: []\n",
     "@:2:1: more than one YAML document in a rule file"},
    {"a: 1\n---\nb: 2\n", "@:2:1: more than one YAML document in a rule file"},
    {"rules:\n  - id: a.b\n    title: "
     "0123456789012345678901234567890123456789012345678901234567890\n",
     "@:3:12: title longer than 60 characters"},
};

START_TEST(test_errors)
{
    struct tmp t;
    char got[2048] = "", want[2048];
    tmp_init(&t);
    struct mw_ruleset *rs =
        load_text(&t, error_cases[_i].text, got, sizeof got);
    ck_assert_msg(rs == NULL, "case %d loaded", _i);
    /* expand '@' into the path */
    size_t n = 0;
    for (const char *w = error_cases[_i].want; *w && n < sizeof want - 400;
         w++) {
        if (*w == '@')
            n += (size_t)snprintf(want + n, sizeof want - n, "%s", t.paths[0]);
        else
            want[n++] = *w;
    }
    want[n] = '\0';
    ck_assert_str_eq(got, want);
    tmp_done(&t);
}
END_TEST

START_TEST(test_error_rolls_back_file)
{
    struct tmp t;
    struct mw_err err;
    tmp_init(&t);
    struct mw_ruleset *rs = ruleset_new();
    const char *p = tmp_write(&t, "a.yaml", GOOD "  - id: a.b\n");
    ck_assert_int_eq(ruleset_load(rs, p, &err), -1);
    ck_assert_uint_eq(ruleset_count(rs), 0);
    p = tmp_write(&t, "b.yaml", GOOD);
    ck_assert_int_eq(ruleset_load(rs, p, &err), 0);
    ck_assert_uint_eq(ruleset_count(rs), 1);
    /* the same id in a second file */
    ck_assert_int_eq(ruleset_load(rs, p, &err), -1);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.text, "first defined at"));
    ck_assert_uint_eq(ruleset_count(rs), 1);
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

/* ------------------------------------------------------------- hostile */

START_TEST(test_match_limit)
{
    struct tmp t;
    char e[2048] = "", a[512], text[1024];
    struct mw_event ev;
    tmp_init(&t);
    rule_text(a, sizeof a, "evil", 100, "", "^(a+)+$");
    snprintf(text, sizeof text, "rules:\n%s", a);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    size_t n = 100000;
    char *s = xmalloc(n + 1);
    memset(s, 'a', n);
    s[n - 1] = 'b';
    s[n] = '\0';
    struct mw_record rec = rec_make(NULL, s);
    clock_t c0 = clock();
    ck_assert(!ruleset_match(rs, &rec, &ev));
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    ck_assert_msg(secs < 2.0, "took %.2f s", secs);
    /* the same rule still matches a sane line */
    rec = rec_make(NULL, "aaaa");
    ck_assert(ruleset_match(rs, &rec, &ev));
    free(s);
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_binary_message)
{
    struct tmp t;
    char e[2048] = "", a[512], text[1024];
    struct mw_event ev;
    tmp_init(&t);
    rule_text(a, sizeof a, "bin", 100, "",
              "refused: (?<reason>[^\\x00]*)\\x00(?<user>.*)$");
    snprintf(text, sizeof text, "rules:\n%s", a);
    struct mw_ruleset *rs = load_text(&t, text, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    static const char msg[] = "x refused: a\xff\0b";
    struct mw_record rec = rec_make(NULL, "");
    rec.msg = msg;
    rec.msg_len = sizeof msg - 1;
    ck_assert(ruleset_match(rs, &rec, &ev));
    ck_assert(field_is(&ev, "reason", "a\xff"));
    ck_assert(field_is(&ev, "user", "b"));
    rec.msg_len = 9; /* "x refused" only: the literal is cut */
    ck_assert(!ruleset_match(rs, &rec, &ev));
    rec.msg = NULL;
    rec.msg_len = 0;
    ck_assert(!ruleset_match(rs, &rec, &ev));
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

/* many rules, each with its own literal, spread over several bitset
 * words: each line finds its rule, and the lower index wins */
START_TEST(test_many_rules)
{
    struct tmp t;
    struct mw_err err;
    struct mw_event ev;
    struct mw_buf b = {0};
    char one[512], pat[64], msg[128];
    tmp_init(&t);
    buf_puts(&b, "rules:\n");
    for (int i = 0; i < 300; i++) {
        char id[32];
        snprintf(id, sizeof id, "r%03d", i);
        snprintf(pat, sizeof pat, "^x? ?token%03d-(?<n>\\d+)", i);
        rule_text(one, sizeof one, id, 100, "", pat);
        buf_puts(&b, one);
    }
    const char *p = tmp_write(&t, "many.yaml", b.data);
    buf_free(&b);
    struct mw_ruleset *rs = ruleset_new();
    ck_assert_int_eq(ruleset_load(rs, p, &err), 0);
    ck_assert_int_eq(ruleset_finish(rs, &err), 0);
    for (int i = 0; i < 300; i++) {
        snprintf(msg, sizeof msg, "token%03d-%d", i, i * 7);
        struct mw_record rec = rec_make("smtpd", msg);
        ck_assert_msg(ruleset_match(rs, &rec, &ev), "%s", msg);
        snprintf(pat, sizeof pat, "r%03d", i);
        ck_assert_str_eq(ev.rule->id, pat);
        snprintf(pat, sizeof pat, "%d", i * 7);
        ck_assert(field_is(&ev, "n", pat));
    }
    struct mw_record rec = rec_make("smtpd", "token12-1 token299-1");
    ck_assert(!ruleset_match(rs, &rec, &ev));
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

/* the prefilter against a plain search, on random literals and texts
 * over a small alphabet (many near misses) */
START_TEST(test_prefilter_random)
{
    srand(12345 + (unsigned)_i);
    size_t nrules = 1 + (size_t)rand() % 150;
    size_t nlits = nrules + (size_t)rand() % 20;
    char lits[200][16];
    size_t lens[200], rule_of[200];
    struct mw_prefilter *pf = prefilter_new(nrules);
    for (size_t i = 0; i < nlits; i++) {
        lens[i] = 2 + (size_t)rand() % 10;
        for (size_t k = 0; k < lens[i]; k++)
            lits[i][k] = "ab cd\xff"[rand() % 6];
        rule_of[i] = i < nrules ? i : (size_t)rand() % nrules;
        if (rand() % 10 == 0)
            prefilter_add_always(pf, rule_of[i]);
        else
            prefilter_add(pf, rule_of[i], lits[i], lens[i]);
    }
    prefilter_build(pf);
    uint64_t cand[4], want[4];
    for (int round = 0; round < 300; round++) {
        char text[200];
        size_t len = (size_t)rand() % sizeof text;
        for (size_t k = 0; k < len; k++)
            text[k] = "ab cd\xff"[rand() % 6];
        prefilter_scan(pf, text, len, cand);
        memset(want, 0, sizeof want);
        for (size_t i = 0; i < nlits; i++) {
            bool hit = false;
            for (size_t s = 0; !hit && s + lens[i] <= len; s++)
                hit = memcmp(text + s, lits[i], lens[i]) == 0;
            if (hit)
                want[rule_of[i] / 64] |= UINT64_C(1) << (rule_of[i] % 64);
        }
        /* rules marked always were set whether or not their literal hit */
        for (size_t w = 0; w < prefilter_words(pf); w++)
            ck_assert_msg((cand[w] & want[w]) == want[w],
                          "missed a literal (round %d)", round);
        prefilter_scan(pf, "", 0, cand);
        for (size_t w = 0; w < prefilter_words(pf); w++)
            want[w] = cand[w];
        prefilter_scan(pf, text, len, cand);
        for (size_t w = 0; w < prefilter_words(pf); w++) {
            uint64_t extra = cand[w] & ~want[w];
            /* every extra bit must be a real literal hit */
            for (size_t i = 0; i < nlits && extra; i++) {
                bool hit = false;
                for (size_t s = 0; !hit && s + lens[i] <= len; s++)
                    hit = memcmp(text + s, lits[i], lens[i]) == 0;
                if (hit && rule_of[i] / 64 == w)
                    extra &= ~(UINT64_C(1) << (rule_of[i] % 64));
            }
            ck_assert_msg(extra == 0, "spurious candidate (round %d)", round);
        }
    }
    prefilter_free(pf);
}
END_TEST

/* ---------------------------------------------------------- check */

static const char check_rules[] =
    "rules:\n"
    "  - id: wide\n"
    "    title: t\n"
    "    category: connection.lost\n"
    "    level: low\n"
    "    cause: c\n"
    "    priority: 10\n"
    "    match: 'lost connection after (?<command>\\w+)'\n"
    "    examples: ['Oct 22 02:13:42 mx postfix/smtpd[1]: lost connection "
    "after RCPT from a[192.0.2.1]']\n"
    "    counter_examples: ['Oct 22 02:13:42 mx postfix/smtpd[1]: lost "
    "connection after DATA']\n"
    "  - id: narrow\n"
    "    title: t\n"
    "    category: connection.lost\n"
    "    level: low\n"
    "    cause: c\n"
    "    program: smtpd\n"
    "    match: '^lost connection after (?<command>\\w+) from "
    "(?<client_host>[^\\[]*)\\[(?<client_ip>[^\\]]+)\\]'\n"
    "    examples:\n"
    "      - 'Oct 22 02:13:42 mx postfix/smtpd[1]: lost connection after "
    "EHLO from b[192.0.2.2]'\n"
    "      - line: 'Oct 22 02:13:42 mx postfix/smtp[1]: lost connection "
    "after EHLO from c[192.0.2.3]'\n"
    "    counter_examples:\n"
    "      - 'Oct 22 02:13:42 mx postfix/smtpd[1]: lost connection after "
    "DATA'\n"
    "  - id: fields\n"
    "    title: t\n"
    "    category: dns\n"
    "    level: low\n"
    "    cause: c\n"
    "    match: '^warning: hostname (?<client_host>\\S+) does not resolve "
    "to address (?<client_ip>\\S+?)(?<port>:\\d+)?:'\n"
    "    examples:\n"
    "      - line: 'Nov  1 10:14:26 mx postfix/smtpd[2]: warning: hostname "
    "h.example does not resolve to address 192.0.2.9: Name or service not "
    "known'\n"
    "        fields: {client_ip: 192.0.2.99, client_host: h.example, port: "
    "':25', user: x}\n"
    "      - 'Nov  1 10:14:26 mx postfix/smtpd[2]: warning: hostname h does "
    "not resolve'\n"
    "    counter_examples: ['Nov  1 10:14:26 mx postfix/smtpd[2]: ok']\n";

START_TEST(test_check)
{
    struct tmp t;
    char e[2048] = "";
    char *out = NULL;
    size_t outlen = 0, n = 0;
    tmp_init(&t);
    struct mw_ruleset *rs = load_text(&t, check_rules, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    FILE *f = open_memstream(&out, &outlen);
    ck_assert_ptr_nonnull(f);
    size_t fails = ruleset_check(rs, f, &n);
    fclose(f);
    const char *p = t.paths[0];
    char want[4096];
    snprintf(want, sizeof want,
             "%s:10:24: counter example is matched by rule wide\n"
             "%s:19:9: example is matched first by rule wide (%s:2)\n"
             "%s:20:15: example is matched first by rule wide (%s:2)\n"
             "%s:30:15: field client_ip: expected '192.0.2.99', got "
             "'192.0.2.9'\n"
             "%s:30:15: field port: expected ':25', got nothing\n"
             "%s:30:15: field user: no such named group in the pattern\n"
             "%s:32:9: example does not match rule fields (no prefilter "
             "literal occurs in the message)\n",
             p, p, p, p, p, p, p, p, p);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(fails, 7);
    ck_assert_uint_eq(n, 8);
    free(out);
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

START_TEST(test_check_clean)
{
    struct tmp t;
    char e[2048] = "";
    size_t n = 0;
    tmp_init(&t);
    struct mw_ruleset *rs = load_text(&t, sasl_rule, e, sizeof e);
    ck_assert_msg(rs != NULL, "%s", e);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(ruleset_check(rs, f, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ftell(f), 0);
    fclose(f);
    ruleset_free(rs);
    tmp_done(&t);
}
END_TEST

static Suite *
rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 30);
    tcase_add_test(core, test_load_good);
    tcase_add_test(core, test_fields);
    tcase_add_test(core, test_priority_order);
    tcase_add_test(core, test_directory_order);
    tcase_add_test(core, test_missing_path);
    tcase_add_test(core, test_program_filter);
    tcase_add_test(core, test_apps_only);
    tcase_add_test(core, test_prefilter_explicit);
    tcase_add_test(core, test_prefilter_short_explicit);
    tcase_add_test(core, test_levels_categories);
    tcase_add_loop_test(core, test_derive, 0,
                        (int)(sizeof derive_cases / sizeof derive_cases[0]));
    tcase_add_test(core, test_derived_literal_used);
    tcase_add_test(core, test_check);
    tcase_add_test(core, test_check_clean);
    suite_add_tcase(s, core);
    TCase *edge = tcase_create("errors");
    tcase_add_loop_test(edge, test_errors, 0,
                        (int)(sizeof error_cases / sizeof error_cases[0]));
    tcase_add_test(edge, test_error_rolls_back_file);
    suite_add_tcase(s, edge);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 60);
    tcase_add_test(hostile, test_match_limit);
    tcase_add_test(hostile, test_binary_message);
    tcase_add_test(hostile, test_many_rules);
    tcase_add_loop_test(hostile, test_prefilter_random, 0, 40);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(rules_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
