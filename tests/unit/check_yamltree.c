/* Unit tests of the positioned YAML tree: node kinds, styles and
 * line:column positions (in characters), lookups, positions inside
 * scalar values, the errors of broken, hostile and oversized input, and a
 * large document spread over many arena blocks. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yamltree.h"

static const struct mw_yamltree_opts opts = {
    .doc_name = "test file",
    .max_depth = 8,
    .max_size = 4096,
    .open_msg = "cannot open",
    .read_msg = "cannot read",
    .size_msg = "too large",
};

/* ---- helpers ---------------------------------------------------------- */

static struct mw_yamltree *
parse_ok(const char *text)
{
    struct mw_err err;
    err_clear(&err);
    struct mw_yamltree *t =
        yamltree_parse(text, strlen(text), "t.yaml", &opts, &err);
    if (!t) {
        char msg[1024];
        ck_abort_msg("%s", err_format(&err, msg, sizeof msg));
    }
    return t;
}

static void
assert_node(const struct mw_ynode *n, enum mw_ykind kind, unsigned long line,
            unsigned long column)
{
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->kind, kind);
    ck_assert_uint_eq(n->pos.line, line);
    ck_assert_uint_eq(n->pos.column, column);
}

static void
assert_scalar(const struct mw_ynode *n, const char *val, enum mw_ystyle style,
              unsigned long line, unsigned long column)
{
    assert_node(n, MW_YKIND_SCALAR, line, column);
    ck_assert_uint_eq(n->len, strlen(val));
    ck_assert_str_eq(n->val, val);
    ck_assert_int_eq(n->style, style);
}

struct tmpfile {
    char dir[512];
    char path[600];
};

static const char *
tmp_write(struct tmpfile *f, const char *data, size_t len)
{
    const char *base = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/check_yamltree.XXXXXX",
             base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/f.yaml", f->dir);
    FILE *fp = fopen(f->path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
    return f->path;
}

static void
tmp_done(struct tmpfile *f)
{
    unlink(f->path);
    rmdir(f->dir);
}

/* ---- core ------------------------------------------------------------- */

START_TEST(test_kinds_positions)
{
    struct mw_yamltree *t = parse_ok("a: 1\n"
                                     "b: [x, 'y']\n"
                                     "c:\n"
                                     "  - {d: \"e\"}\n"
                                     "  - |\n"
                                     "    lit\n");
    const struct mw_ynode *r = yamltree_root(t);
    assert_node(r, MW_YKIND_MAP, 1, 1);
    ck_assert_uint_eq(r->n, 6);
    ck_assert_str_eq(r->val, "");
    ck_assert_int_eq(r->style, MW_YSTYLE_NONE);
    assert_scalar(r->kids[0], "a", MW_YSTYLE_PLAIN, 1, 1);
    assert_scalar(r->kids[1], "1", MW_YSTYLE_PLAIN, 1, 4);
    const struct mw_ynode *b = r->kids[3];
    assert_node(b, MW_YKIND_SEQ, 2, 4);
    ck_assert_uint_eq(b->n, 2);
    assert_scalar(b->kids[0], "x", MW_YSTYLE_PLAIN, 2, 5);
    assert_scalar(b->kids[1], "y", MW_YSTYLE_SINGLE, 2, 8);
    const struct mw_ynode *c = r->kids[5];
    assert_node(c, MW_YKIND_SEQ, 4, 3);
    ck_assert_uint_eq(c->n, 2);
    assert_node(c->kids[0], MW_YKIND_MAP, 4, 5);
    ck_assert_uint_eq(c->kids[0]->n, 2);
    assert_scalar(c->kids[0]->kids[1], "e", MW_YSTYLE_DOUBLE, 4, 9);
    assert_scalar(c->kids[1], "lit\n", MW_YSTYLE_LITERAL, 5, 5);
    ck_assert_uint_eq(c->kids[1]->end_line, 7);
    ck_assert_uint_eq(b->end_line, 2);
    yamltree_free(t);
}
END_TEST

START_TEST(test_columns_in_characters)
{
    /* two-byte and three-byte characters count as one column each */
    struct mw_yamltree *t = parse_ok("\xc3\xa9t\xc3\xa9: \xe2\x82\xac"
                                     "5\n"
                                     "k: >\n  folded\n  text\n");
    const struct mw_ynode *r = yamltree_root(t);
    assert_scalar(r->kids[0], "\xc3\xa9t\xc3\xa9", MW_YSTYLE_PLAIN, 1, 1);
    assert_scalar(r->kids[1],
                  "\xe2\x82\xac"
                  "5",
                  MW_YSTYLE_PLAIN, 1, 6);
    assert_scalar(r->kids[3], "folded text\n", MW_YSTYLE_FOLDED, 2, 4);
    yamltree_free(t);
}
END_TEST

START_TEST(test_lookups)
{
    struct mw_yamltree *t = parse_ok("a: 1\nb: [2]\n? [k]\n: 3\na: 4\n");
    const struct mw_ynode *r = yamltree_root(t);
    ck_assert_str_eq(yamltree_get(r, "a")->val, "1");
    ck_assert_ptr_eq(yamltree_get(r, "b"), r->kids[3]);
    ck_assert_ptr_null(yamltree_get(r, "c"));
    ck_assert_ptr_null(yamltree_get(r->kids[3], "a")); /* not a mapping */
    ck_assert(yamltree_is(r->kids[0], "a"));
    ck_assert(!yamltree_is(r->kids[0], "ab"));
    ck_assert(!yamltree_is(r->kids[3], "")); /* a list is no string */
    ck_assert_ptr_null(yamltree_key_before(r, 0));
    ck_assert_ptr_null(yamltree_key_before(r, 2));
    ck_assert_ptr_null(yamltree_key_before(r, 4)); /* [k] is no string */
    ck_assert_ptr_eq(yamltree_key_before(r, 6), r->kids[0]);
    ck_assert_str_eq(yamltree_kind_name(r), "a mapping");
    ck_assert_str_eq(yamltree_kind_name(r->kids[3]), "a list");
    ck_assert_str_eq(yamltree_kind_name(r->kids[0]), "a string");
    yamltree_free(t);
}
END_TEST

/* positions of a byte of a value, as for a regex error */
static const struct {
    const char *text;
    size_t off;
    unsigned long line, column;
} value_cases[] = {
    {"k: abc(def\n", 3, 1, 7},
    {"k: 'it''s (d'\n", 5, 1, 11},
    {"k: \"a\\x41(\"\n", 2, 1, 10},
    {"k: \"\\u00e9\\t(\"\n", 3, 1, 13},
    {"k: \"\\U0001F600(\"\n", 4, 1, 15},
    {"k: \xc3\xa9\xc3\xa9(\n", 4, 1, 6},
    {"x: 1\nk:   abc\n", 2, 2, 8},
    {"\xef\xbb\xbfk: 'a(b'\n", 1, 1, 6},
    {"k: |\n  abc(\n", 3, 1, 4}, /* literal: the scalar's start */
    {"k: 'a\n  b('\n", 3, 1, 4}, /* two lines: the scalar's start */
    {"k: abc\n", 99, 1, 7},      /* past the end: stops there */
    {"k: \"\\\"(\"\n", 1, 1, 7}, /* an escaped quote */
};

START_TEST(test_value_pos)
{
    struct mw_yamltree *t = parse_ok(value_cases[_i].text);
    const struct mw_ynode *v = yamltree_root(t)->kids[1];
    if (strncmp(value_cases[_i].text, "x:", 2) == 0)
        v = yamltree_root(t)->kids[3];
    struct mw_pos p = yamltree_value_pos(t, v, value_cases[_i].off);
    ck_assert_msg(p.line == value_cases[_i].line &&
                      p.column == value_cases[_i].column,
                  "case %d: %lu:%lu", _i, p.line, p.column);
    yamltree_free(t);
}
END_TEST

START_TEST(test_load_file)
{
    struct tmpfile f;
    struct mw_err err;
    const char *text = "list:\n  - one\n  - two\n";
    const char *path = tmp_write(&f, text, strlen(text));
    struct mw_yamltree *t = yamltree_load(path, &opts, &err);
    ck_assert_ptr_nonnull(t);
    const struct mw_ynode *l = yamltree_get(yamltree_root(t), "list");
    assert_node(l, MW_YKIND_SEQ, 2, 3);
    assert_scalar(l->kids[1], "two", MW_YSTYLE_PLAIN, 3, 5);
    /* errors of the loader carry the path given */
    ck_assert_int_eq(yamltree_fail(t, &err, l->pos, "bad %s", "list"), -1);
    char msg[2048], want[2048];
    snprintf(want, sizeof want, "%s:2:3: bad list", path);
    ck_assert_str_eq(err_format(&err, msg, sizeof msg), want);
    yamltree_free(t);
    tmp_done(&f);
}
END_TEST

/* ---- edge ------------------------------------------------------------- */

START_TEST(test_empty)
{
    static const char *const none[] = {"", "# a comment\n", "\n\n"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        struct mw_yamltree *t = parse_ok(none[i]);
        ck_assert_ptr_null(yamltree_root(t));
        yamltree_free(t);
    }
    struct mw_yamltree *t = parse_ok("---\n");
    assert_scalar(yamltree_root(t), "", MW_YSTYLE_PLAIN, 2, 1);
    yamltree_free(t);
    t = parse_ok("[]");
    assert_node(yamltree_root(t), MW_YKIND_SEQ, 1, 1);
    ck_assert_uint_eq(yamltree_root(t)->n, 0);
    yamltree_free(t);
    yamltree_free(NULL);
}
END_TEST

START_TEST(test_depth_limit)
{
    /* seven lists and a scalar fit in eight levels */
    struct mw_yamltree *t = parse_ok("[[[[[[[1]]]]]]]");
    const struct mw_ynode *n = yamltree_root(t);
    for (int i = 0; i < 7; i++) {
        ck_assert_int_eq(n->kind, MW_YKIND_SEQ);
        ck_assert_uint_eq(n->n, 1);
        n = n->kids[0];
    }
    assert_scalar(n, "1", MW_YSTYLE_PLAIN, 1, 8);
    yamltree_free(t);
}
END_TEST

START_TEST(test_nul_in_value)
{
    struct mw_yamltree *t = parse_ok("k: \"a\\0b\"\n");
    const struct mw_ynode *v = yamltree_root(t)->kids[1];
    ck_assert_uint_eq(v->len, 3);
    ck_assert_int_eq(memcmp(v->val, "a\0b", 4), 0);
    ck_assert(yamltree_is(v, "a")); /* compared as a C string */
    yamltree_free(t);
}
END_TEST

/* ---- hostile ---------------------------------------------------------- */

static const struct {
    const char *text;
    size_t len; /* 0: strlen */
    const char *want;
} error_cases[] = {
    {"a: &x 1\nb: *x\n", 0, "t.yaml:2:4: aliases are not supported"},
    {"- &a [1, 2]\n- [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n", 0,
     "t.yaml:2:4: aliases are not supported"},
    {"a: 1\n---\nb: 2\n", 0,
     "t.yaml:2:1: more than one YAML document in a test file"},
    {"--- a\n...\n--- b\n", 0,
     "t.yaml:3:1: more than one YAML document in a test file"},
    {"[[[[[[[[1]]]]]]]]", 0, "t.yaml:1:9: nesting deeper than 8 levels"},
    {"a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h:\n        i: "
     "j\n",
     0, "t.yaml:8:8: nesting deeper than 8 levels"},
    {"a: b\nc: \xff\n", 0,
     "t.yaml:2:4: yaml syntax error: invalid leading UTF-8 octet"},
    {"a: \xc3\xa9\xc3(\n", 0,
     "t.yaml:1:6: yaml syntax error: invalid trailing UTF-8 octet"},
    {"a: b\xc3", 0,
     "t.yaml:1:5: yaml syntax error: incomplete UTF-8 octet sequence"},
    {"a: b\0c\n", 7,
     "t.yaml:1:5: yaml syntax error: control characters are not allowed"},
    {"a: [1, 2\n", 0,
     "t.yaml:2:1: yaml syntax error: did not find expected ',' or ']' "
     "(while parsing a flow sequence)"},
    {"a: 'open\n", 0,
     "t.yaml:2:1: yaml syntax error: found unexpected end of stream (while "
     "scanning a quoted scalar)"},
    {"a:\n\tb: 1\n", 0,
     "t.yaml:2:1: yaml syntax error: found character that cannot start any "
     "token (while scanning for the next token)"},
    {"a: 1\n b: 2\n", 0,
     "t.yaml:2:3: yaml syntax error: mapping values are not allowed in this "
     "context"},
};

START_TEST(test_errors)
{
    struct mw_err err;
    char msg[1024];
    size_t len = error_cases[_i].len ? error_cases[_i].len
                                     : strlen(error_cases[_i].text);
    err_clear(&err);
    struct mw_yamltree *t =
        yamltree_parse(error_cases[_i].text, len, "t.yaml", &opts, &err);
    ck_assert_msg(t == NULL, "case %d parsed", _i);
    ck_assert_str_eq(err_format(&err, msg, sizeof msg), error_cases[_i].want);
}
END_TEST

START_TEST(test_file_errors)
{
    struct tmpfile f;
    struct mw_err err;
    char msg[2048], want[2048];
    static char big[4096];
    memset(big, '#', sizeof big);

    ck_assert_ptr_null(yamltree_load("/nonexistent/x.yaml", &opts, &err));
    ck_assert_str_eq(err_format(&err, msg, sizeof msg),
                     "/nonexistent/x.yaml: cannot open: No such file or "
                     "directory");

    /* max_size bytes are too many, one less is fine */
    const char *path = tmp_write(&f, big, sizeof big);
    ck_assert_ptr_null(yamltree_load(path, &opts, &err));
    snprintf(want, sizeof want, "%s: too large", path);
    ck_assert_str_eq(err_format(&err, msg, sizeof msg), want);
    tmp_done(&f);
    path = tmp_write(&f, big, sizeof big - 1);
    struct mw_yamltree *t = yamltree_load(path, &opts, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_null(yamltree_root(t));
    yamltree_free(t);

    /* a directory opens but cannot be read */
    ck_assert_ptr_null(yamltree_load(f.dir, &opts, &err));
    snprintf(want, sizeof want, "%s: cannot read: Is a directory", f.dir);
    ck_assert_str_eq(err_format(&err, msg, sizeof msg), want);
    tmp_done(&f);
}
END_TEST

/* 20,000 entries and a scalar larger than an arena block */
START_TEST(test_large_document)
{
    static const struct mw_yamltree_opts big_opts = {
        "test file", 32, 64u * 1024u * 1024u, "o", "r", "s",
    };
    const size_t n = 20000, huge = 3u * 1024u * 1024u;
    size_t cap = n * 64 + huge + 64, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len, "big: ");
    memset(text + len, 'x', huge);
    len += huge;
    len += (size_t)snprintf(text + len, cap - len, "\nrules:\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "  - {id: r%zu, v: [\"\\u00e9%zu\"]}\n", i, i);
    struct mw_err err;
    struct mw_yamltree *t = yamltree_parse(text, len, "big", &big_opts, &err);
    free(text);
    ck_assert_ptr_nonnull(t);
    const struct mw_ynode *big = yamltree_get(yamltree_root(t), "big");
    ck_assert_uint_eq(big->len, huge);
    ck_assert_int_eq(big->val[huge - 1], 'x');
    ck_assert_int_eq(big->val[huge], '\0');
    const struct mw_ynode *rules = yamltree_get(yamltree_root(t), "rules");
    assert_node(rules, MW_YKIND_SEQ, 3, 3);
    ck_assert_uint_eq(rules->n, n);
    for (size_t i = 0; i < n; i += 997) {
        char id[32], v[32];
        const struct mw_ynode *m = rules->kids[i];
        assert_node(m, MW_YKIND_MAP, 3 + i, 5);
        snprintf(id, sizeof id, "r%zu", i);
        snprintf(v, sizeof v, "\xc3\xa9%zu", i);
        ck_assert_str_eq(yamltree_get(m, "id")->val, id);
        assert_scalar(yamltree_get(m, "v")->kids[0], v, MW_YSTYLE_DOUBLE, 3 + i,
                      10 + strlen(id) + 6);
    }
    yamltree_free(t);
}
END_TEST

static Suite *
yamltree_suite(void)
{
    Suite *s = suite_create("yamltree");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_kinds_positions);
    tcase_add_test(core, test_columns_in_characters);
    tcase_add_test(core, test_lookups);
    tcase_add_loop_test(core, test_value_pos, 0,
                        (int)(sizeof value_cases / sizeof value_cases[0]));
    tcase_add_test(core, test_load_file);
    suite_add_tcase(s, core);
    TCase *edge = tcase_create("edge");
    tcase_add_test(edge, test_empty);
    tcase_add_test(edge, test_depth_limit);
    tcase_add_test(edge, test_nul_in_value);
    suite_add_tcase(s, edge);
    TCase *hostile = tcase_create("hostile");
    tcase_add_loop_test(hostile, test_errors, 0,
                        (int)(sizeof error_cases / sizeof error_cases[0]));
    tcase_add_test(hostile, test_file_errors);
    tcase_add_test(hostile, test_large_document);
    tcase_set_timeout(hostile, 60);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(yamltree_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
