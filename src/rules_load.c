#include "config.h"

#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "prefilter.h"
#include "rules_impl.h"
#include "xalloc.h"
#include "yamltree.h"

/* Rule files (rules-format version 1) are read into a yamltree, a tree of
 * nodes that remember where they start, then checked key by key, so that
 * every error can say file:line:column. */

#define MAX_TITLE 60

/* SPEC "Root-cause categories", in SPEC order */
const char *const mw_categories[] = {
    "connection.refused",
    "connection.timeout",
    "connection.lost",
    "auth.failure",
    "auth.required",
    "tls.handshake",
    "tls.certificate",
    "dns",
    "network",
    "policy.dnsbl",
    "policy.relay",
    "policy.reject",
    "protocol",
    "mailbox",
    "server.unavailable",
};
const size_t mw_category_count = sizeof mw_categories / sizeof mw_categories[0];

static const char *const level_names[MW_LEVEL_COUNT] = {
    "informational", "low", "medium", "high", "critical",
};

int
level_from_name(const char *s)
{
    for (int i = 0; i < MW_LEVEL_COUNT; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

const char *
level_name(enum mw_level l)
{
    return (unsigned)l < MW_LEVEL_COUNT ? level_names[l] : "unknown";
}

int
category_index(const char *name)
{
    for (size_t i = 0; i < mw_category_count; i++)
        if (strcmp(name, mw_categories[i]) == 0)
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------ loading */

static const struct mw_yamltree_opts rule_file = {
    .doc_name = "rule file",
    .max_depth = 32,
    .max_size = 16u * 1024u * 1024u,
    .open_msg = "cannot open rule file",
    .read_msg = "cannot read rule file",
    .size_msg = "rule file larger than 16 MiB",
};

struct loader {
    struct mw_ruleset *rs;
    const char *path; /* in the ruleset's pool */
    const struct mw_yamltree *tree;
    struct mw_err *err;
};

static int fail_at(struct loader *ld, struct mw_pos pos, const char *fmt, ...)
    MW_PRINTF(3, 4);

static int
fail_at(struct loader *ld, struct mw_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yamltree_vfail(ld->tree, ld->err, pos, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------- value checks */

/* an empty plain scalar, or one of YAML's null spellings */
static bool
is_empty(const struct mw_ynode *n)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL"};
    if (n->len == 0)
        return true;
    if (n->style != MW_YSTYLE_PLAIN)
        return false;
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strcmp(n->val, nulls[i]) == 0)
            return true;
    return false;
}

/* a non-empty string value for key */
static int
want_string(struct loader *ld, const struct mw_ynode *v, const char *key)
{
    if (v->kind != MW_YKIND_SCALAR)
        return fail_at(ld, v->pos, "'%s' must be a string, not %s", key,
                       yamltree_kind_name(v));
    if (is_empty(v))
        return fail_at(ld, v->pos, "empty value for '%s'", key);
    return 0;
}

/* a non-empty list for key; a single string is accepted when one_ok */
static int
want_list(struct loader *ld, const struct mw_ynode *v, const char *key,
          bool one_ok)
{
    if (one_ok && v->kind == MW_YKIND_SCALAR)
        return want_string(ld, v, key);
    if (v->kind != MW_YKIND_SEQ)
        return fail_at(ld, v->pos, "'%s' must be a list%s, not %s", key,
                       one_ok ? " or a string" : "", yamltree_kind_name(v));
    if (v->n == 0)
        return fail_at(ld, v->pos, "empty value for '%s'", key);
    return 0;
}

/* the items of a string-or-list value */
static const struct mw_ynode *const *
list_items(const struct mw_ynode *const *v, size_t *n)
{
    if ((*v)->kind == MW_YKIND_SCALAR) {
        *n = 1;
        return v;
    }
    *n = (*v)->n;
    return (const struct mw_ynode *const *)(*v)->kids;
}

static size_t
utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* ----------------------------------------------------------- rule keys */

struct rulebuild {
    struct mw_rule *r;
    struct mw_rule_impl *ri;
    const struct mw_ynode *match;
    unsigned seen; /* bit i: rule_keys[i] was given */
};

typedef int (*key_fn)(struct loader *ld, struct rulebuild *b,
                      const struct mw_ynode *v);

static const char *
pool_str(struct loader *ld, const struct mw_ynode *v)
{
    return strpool_add(ld->rs->pool, v->val, v->len);
}

static bool
id_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static int
key_id(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (want_string(ld, v, "id") < 0)
        return -1;
    for (size_t i = 0; i < v->len; i++)
        if (!id_char_ok(v->val[i]))
            return fail_at(ld, v->pos,
                           "bad id '%s': use only a-z, 0-9, '_', '.', '-'",
                           v->val);
    const struct mw_rule *first = ruleset_find(ld->rs, v->val);
    if (first)
        return fail_at(ld, v->pos,
                       "duplicate id '%s' (first defined at %s:%lu)", v->val,
                       first->file, first->line);
    b->r->id = pool_str(ld, v);
    return 0;
}

static int
key_title(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (want_string(ld, v, "title") < 0)
        return -1;
    if (utf8_chars(v->val, v->len) > MAX_TITLE)
        return fail_at(ld, v->pos, "title longer than %d characters",
                       MAX_TITLE);
    b->r->title = pool_str(ld, v);
    return 0;
}

static int
key_category(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (want_string(ld, v, "category") < 0)
        return -1;
    int i = category_index(v->val);
    if (i < 0)
        return fail_at(ld, v->pos, "unknown category '%s'", v->val);
    b->r->category = mw_categories[i];
    b->r->category_idx = i;
    return 0;
}

static int
key_level(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (want_string(ld, v, "level") < 0)
        return -1;
    int l = level_from_name(v->val);
    if (l < 0)
        return fail_at(ld, v->pos,
                       "unknown level '%s' (use informational, low, medium, "
                       "high or critical)",
                       v->val);
    b->r->level = (enum mw_level)l;
    return 0;
}

static int
key_cause(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (want_string(ld, v, "cause") < 0)
        return -1;
    b->r->cause = pool_str(ld, v);
    return 0;
}

static int
key_fix(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (want_string(ld, v, "fix") < 0)
        return -1;
    b->r->fix = pool_str(ld, v);
    return 0;
}

static int
key_priority(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (want_string(ld, v, "priority") < 0)
        return -1;
    char *end = NULL;
    errno = 0;
    long p = strtol(v->val, &end, 10);
    if (errno || end != v->val + v->len || p < INT_MIN || p > INT_MAX ||
        v->val[0] == ' ')
        return fail_at(ld, v->pos, "'priority' must be an integer, not '%s'",
                       v->val);
    b->r->priority = (int)p;
    return 0;
}

static int
key_program(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    size_t n;
    if (want_list(ld, v, "program", true) < 0)
        return -1;
    const struct mw_ynode *const *items = list_items(&v, &n);
    b->ri->progs = xcalloc(n, sizeof *b->ri->progs);
    b->ri->prog_lens = xcalloc(n, sizeof *b->ri->prog_lens);
    for (size_t i = 0; i < n; i++) {
        if (want_string(ld, items[i], "program") < 0)
            return -1;
        b->ri->progs[i] =
            strpool_intern(ld->rs->pool, items[i]->val, items[i]->len);
        b->ri->prog_lens[i] = items[i]->len;
        b->ri->nprogs++;
    }
    return 0;
}

static int
key_prefilter(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    size_t n;
    if (want_list(ld, v, "prefilter", true) < 0)
        return -1;
    const struct mw_ynode *const *items = list_items(&v, &n);
    b->ri->lits = xcalloc(n, sizeof *b->ri->lits);
    b->ri->lit_lens = xcalloc(n, sizeof *b->ri->lit_lens);
    for (size_t i = 0; i < n; i++) {
        if (want_string(ld, items[i], "prefilter") < 0)
            return -1;
        if (items[i]->len < MW_LITERAL_MIN)
            return fail_at(ld, items[i]->pos,
                           "prefilter literal '%s' is shorter than %d bytes",
                           items[i]->val, MW_LITERAL_MIN);
        b->ri->lits[i] = pool_str(ld, items[i]);
        b->ri->lit_lens[i] = items[i]->len;
        b->ri->nlits++;
    }
    return 0;
}

static int
key_match(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    char text[256];
    size_t off = 0;
    if (want_string(ld, v, "match") < 0)
        return -1;
    b->ri->match_pos = v->pos;
    b->match = v;
    if (rule_compile(ld->rs, b->ri, v->val, v->len, text, sizeof text, &off) <
        0) {
        /* too many groups: no offset; else PCRE2's offset in the pattern */
        struct mw_pos pos =
            b->ri->code ? v->pos : yamltree_value_pos(ld->tree, v, off);
        return fail_at(ld, pos, "bad regex: %s", text);
    }
    return 0;
}

/* ------------------------------------------------------------ examples */

/* a mapping key: a string, not seen before in the mapping */
static int
check_key(struct loader *ld, const struct mw_ynode *map, size_t i)
{
    const struct mw_ynode *k = map->kids[i];
    if (k->kind != MW_YKIND_SCALAR)
        return fail_at(ld, k->pos, "a key must be a string, not %s",
                       yamltree_kind_name(k));
    if (yamltree_key_before(map, i))
        return fail_at(ld, k->pos, "duplicate key '%s'", k->val);
    return 0;
}

static int
example_fields(struct loader *ld, struct mw_example *ex,
               const struct mw_ynode *v)
{
    if (v->kind != MW_YKIND_MAP)
        return fail_at(ld, v->pos, "'fields' must be a mapping, not %s",
                       yamltree_kind_name(v));
    ex->fields = xcalloc(v->n / 2 + 1, sizeof *ex->fields);
    for (size_t i = 0; i + 1 < v->n; i += 2) {
        const struct mw_ynode *val = v->kids[i + 1];
        if (check_key(ld, v, i) < 0)
            return -1;
        if (val->kind != MW_YKIND_SCALAR)
            return fail_at(ld, val->pos, "field '%s' must be a string, not %s",
                           v->kids[i]->val, yamltree_kind_name(val));
        struct mw_expect *f = &ex->fields[ex->nfields++];
        f->name = pool_str(ld, v->kids[i]);
        f->val = pool_str(ld, val);
        f->len = val->len;
        f->pos = val->pos;
    }
    return 0;
}

/* {line: ..., fields: {...}} */
static int
example_map(struct loader *ld, struct mw_example *ex, const struct mw_ynode *m)
{
    const struct mw_ynode *line = NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const struct mw_ynode *k = m->kids[i], *v = m->kids[i + 1];
        if (check_key(ld, m, i) < 0)
            return -1;
        if (yamltree_is(k, "line")) {
            if (want_string(ld, v, "line") < 0)
                return -1;
            line = v;
        } else if (yamltree_is(k, "fields")) {
            if (example_fields(ld, ex, v) < 0)
                return -1;
        } else {
            return fail_at(ld, k->pos, "unknown key '%s'", k->val);
        }
    }
    if (!line)
        return fail_at(ld, m->pos, "missing required key 'line'");
    ex->text = pool_str(ld, line);
    ex->len = line->len;
    ex->pos = line->pos;
    return 0;
}

/* examples (mappings allowed) or counter_examples (strings only) */
static int
example_list(struct loader *ld, const struct mw_ynode *v, const char *key,
             bool maps, struct mw_example **out, size_t *nout)
{
    if (want_list(ld, v, key, false) < 0)
        return -1;
    *out = xcalloc(v->n, sizeof **out);
    for (size_t i = 0; i < v->n; i++) {
        const struct mw_ynode *it = v->kids[i];
        struct mw_example *ex = &(*out)[(*nout)++];
        if (maps && it->kind == MW_YKIND_MAP) {
            if (example_map(ld, ex, it) < 0)
                return -1;
            continue;
        }
        if (it->kind != MW_YKIND_SCALAR)
            return fail_at(ld, it->pos, "an entry of '%s' must be %s, not %s",
                           key, maps ? "a string or a mapping" : "a string",
                           yamltree_kind_name(it));
        if (is_empty(it))
            return fail_at(ld, it->pos, "empty value in '%s'", key);
        ex->text = pool_str(ld, it);
        ex->len = it->len;
        ex->pos = it->pos;
    }
    return 0;
}

static int
key_examples(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    return example_list(ld, v, "examples", true, &b->ri->examples,
                        &b->ri->nexamples);
}

static int
key_counters(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    return example_list(ld, v, "counter_examples", false, &b->ri->counters,
                        &b->ri->ncounters);
}

/* --------------------------------------------------------------- rules */

/* "apps_only: true": for the output of mail clients and applications,
 * which no mail-server daemon logs. Such a rule stays out of the scan of
 * the programs other rules name (smtpd, dovecot, ...), where its literals
 * would only slow every line down. */
static int
key_apps_only(struct loader *ld, struct rulebuild *b, const struct mw_ynode *v)
{
    if (!yamltree_is(v, "true") && !yamltree_is(v, "false"))
        return fail_at(ld, v->pos, "'apps_only' must be true or false");
    b->ri->apps_only = yamltree_is(v, "true");
    return 0;
}

static const struct rule_key {
    const char *name;
    bool required;
    key_fn fn;
} rule_keys[] = {
    {"id", true, key_id},
    {"title", true, key_title},
    {"category", true, key_category},
    {"level", true, key_level},
    {"cause", true, key_cause},
    {"fix", false, key_fix},
    {"program", false, key_program},
    {"apps_only", false, key_apps_only},
    {"priority", false, key_priority},
    {"prefilter", false, key_prefilter},
    {"match", true, key_match},
    {"examples", true, key_examples},
    {"counter_examples", true, key_counters},
};
#define NRULE_KEYS (sizeof rule_keys / sizeof rule_keys[0])

static int
rule_key(struct loader *ld, struct rulebuild *b, const struct mw_ynode *k,
         const struct mw_ynode *v)
{
    if (k->kind != MW_YKIND_SCALAR)
        return fail_at(ld, k->pos, "a key must be a string, not %s",
                       yamltree_kind_name(k));
    for (size_t i = 0; i < NRULE_KEYS; i++) {
        if (strcmp(k->val, rule_keys[i].name) != 0)
            continue;
        if (b->seen & (1u << i))
            return fail_at(ld, k->pos, "duplicate key '%s'", k->val);
        b->seen |= 1u << i;
        return rule_keys[i].fn(ld, b, v);
    }
    return fail_at(ld, k->pos, "unknown key '%s'", k->val);
}

/* The literal every match must contain, when the pattern has one: the
 * prefilter literal of a rule without `prefilter`, else the one scanned for
 * when an explicit literal is so short that it would shrink the scan window
 * of every line. A longer literal is not a more selective one (", relay="
 * is on every delivery line, " said: " only on failures), so explicit
 * literals of usable length are kept. */
static void
rule_derive(struct loader *ld, struct rulebuild *b)
{
    char *lit = xmalloc(b->match->len + 1);
    size_t n = prefilter_derive(b->match->val, b->match->len, lit);
    size_t shortest = SIZE_MAX;
    for (size_t i = 0; i < b->ri->nlits; i++)
        if (b->ri->lit_lens[i] < shortest)
            shortest = b->ri->lit_lens[i];
    if (b->ri->nlits > 0 && shortest < 5 && n >= 6 && n > shortest) {
        b->ri->scan_lit = strpool_add(ld->rs->pool, lit, n);
        b->ri->scan_len = n;
    } else if (b->ri->nlits == 0 && n >= MW_LITERAL_MIN) {
        b->ri->lits = xcalloc(1, sizeof *b->ri->lits);
        b->ri->lit_lens = xcalloc(1, sizeof *b->ri->lit_lens);
        b->ri->lits[0] = strpool_add(ld->rs->pool, lit, n);
        b->ri->lit_lens[0] = n;
        b->ri->nlits = 1;
        b->ri->lits_derived = true;
    }
    free(lit);
}

static int
load_rule(struct loader *ld, const struct mw_ynode *m)
{
    struct rulebuild b = {0};
    b.r = xcalloc(1, sizeof *b.r);
    b.ri = xcalloc(1, sizeof *b.ri);
    b.r->impl = b.ri;
    b.r->priority = 100;
    b.r->file = ld->path;
    b.r->line = m->pos.line;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i + 1 < m->n; i += 2)
        rc = rule_key(ld, &b, m->kids[i], m->kids[i + 1]);
    for (size_t i = 0; rc == 0 && i < NRULE_KEYS; i++)
        if (rule_keys[i].required && !(b.seen & (1u << i)))
            rc = fail_at(ld, m->pos, "missing required key '%s'",
                         rule_keys[i].name);
    if (rc == 0 && b.ri->apps_only && b.ri->nprogs > 0)
        rc =
            fail_at(ld, m->pos, "'apps_only' and 'program' exclude each other");
    if (rc != 0) {
        rule_free(b.r);
        return -1;
    }
    rule_derive(ld, &b);
    ruleset_add_rule(ld->rs, b.r);
    return 0;
}

static int
load_root(struct loader *ld, const struct mw_ynode *root)
{
    struct mw_pos start = {1, 1};
    const struct mw_ynode *rules = NULL;
    if (!root)
        return fail_at(ld, start, "missing required key 'rules'");
    if (root->kind != MW_YKIND_MAP)
        return fail_at(ld, root->pos, "the top level must be a mapping, not %s",
                       yamltree_kind_name(root));
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const struct mw_ynode *k = root->kids[i];
        if (check_key(ld, root, i) < 0)
            return -1;
        if (!yamltree_is(k, "rules"))
            return fail_at(ld, k->pos, "unknown key '%s'", k->val);
        rules = root->kids[i + 1];
    }
    if (!rules)
        return fail_at(ld, root->pos, "missing required key 'rules'");
    if (want_list(ld, rules, "rules", false) < 0)
        return -1;
    for (size_t i = 0; i < rules->n; i++) {
        const struct mw_ynode *m = rules->kids[i];
        if (m->kind != MW_YKIND_MAP)
            return fail_at(ld, m->pos, "a rule must be a mapping, not %s",
                           yamltree_kind_name(m));
        if (load_rule(ld, m) < 0)
            return -1;
    }
    return 0;
}

/* -------------------------------------------------------- files, dirs */

static int
load_file(struct mw_ruleset *rs, const char *path, struct mw_err *err)
{
    struct loader ld = {.rs = rs, .err = err};
    size_t before = rs->n;
    struct mw_yamltree *tree = yamltree_load(path, &rule_file, err);
    if (!tree)
        return -1;
    ld.tree = tree;
    ld.path = strpool_intern(rs->pool, path, strlen(path));
    int rc = load_root(&ld, yamltree_root(tree));
    yamltree_free(tree);
    if (rc != 0)
        ruleset_truncate(rs, before); /* a file loads whole or not at all */
    return rc;
}

static bool
is_rule_file(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return false;
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_dir(struct mw_ruleset *rs, const char *path, struct mw_err *err)
{
    DIR *d = opendir(path);
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (!d) {
        err_set_errno(err, path, errno, "cannot open rules directory");
        return -1;
    }
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (!is_rule_file(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xreallocarray(names, cap, sizeof *names);
        }
        size_t len = strlen(path) + strlen(de->d_name) + 2;
        names[n] = xmalloc(len);
        snprintf(names[n++], len, "%s/%s", path, de->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = load_file(rs, names[i], err);
        free(names[i]);
    }
    free(names);
    return rc;
}

int
ruleset_load(struct mw_ruleset *rs, const char *path, struct mw_err *err)
{
    struct stat st;
    err_clear(err);
    if (stat(path, &st) != 0) {
        err_set_errno(err, path, errno, "cannot read rules");
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return load_dir(rs, path, err);
    return load_file(rs, path, err);
}
