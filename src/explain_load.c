#include "config.h"

#include "explain.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain_impl.h"
#include "strpool.h"
#include "xalloc.h"
#include "yamltree.h"

/* The catalog files are read into a yamltree, a tree of nodes that
 * remember their position, then checked against a table of keys per
 * section, so that every error can say file:line:column. */

struct mw_explain *
explain_new(void)
{
    struct mw_explain *x = xcalloc(1, sizeof *x);
    x->pool = strpool_new();
    return x;
}

static void
list_free(struct mw_xlist *l)
{
    free(l->v);
    free(l->pos);
}

void
explain_free(struct mw_explain *x)
{
    if (!x)
        return;
    for (int k = 0; k < MW_XK_COUNT; k++) {
        for (size_t i = 0; i < x->t[k].n; i++) {
            list_free(&x->t[k].v[i].likely);
            list_free(&x->t[k].v[i].check);
            list_free(&x->t[k].v[i].links);
        }
        free(x->t[k].v);
    }
    strpool_free(x->pool);
    free(x);
}

const struct mw_xentry *
explain_find(const struct mw_explain *x, enum mw_xkind k, const char *key)
{
    const struct mw_xtable *t = &x->t[k];
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].key, key) == 0)
            return &t->v[i];
    return NULL;
}

const char *
explain_cause_title(const struct mw_explain *x, const char *id)
{
    const struct mw_xentry *e = explain_find(x, MW_XK_CAUSE, id);
    return e ? e->title : NULL;
}

/* ---- keys ----------------------------------------------------------- */

bool
explain_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool
explain_reply_code_ok(const char *s)
{
    if (strlen(s) != 3)
        return false;
    if (s[0] >= '2' && s[0] <= '5')
        return (explain_is_digit(s[1]) && explain_is_digit(s[2])) ||
               (s[1] == 'x' && s[2] == 'x');
    return s[0] == 'x' && explain_is_digit(s[1]) && s[2] == 'x';
}

static bool
enh_part(const char **s, char *out, size_t max, bool x_ok)
{
    size_t n = 0;
    if (x_ok && (**s == 'X' || **s == 'x')) {
        out[0] = 'X';
        out[1] = '\0';
        (*s)++;
        return true;
    }
    while (explain_is_digit(**s) && n < max)
        out[n++] = *(*s)++;
    out[n] = '\0';
    return n > 0 && !explain_is_digit(**s);
}

/* "5.7.1", "X.7.1", "X.7.X", "5.X.X" (lower-case x accepted) */
bool
explain_parse_enhanced(const char *s, struct mw_enh *e)
{
    if (!((s[0] == '2' || s[0] == '4' || s[0] == '5' || s[0] == 'X' ||
           s[0] == 'x') &&
          s[1] == '.'))
        return false;
    e->cls[0] = s[0] == 'x' ? 'X' : s[0];
    e->cls[1] = '\0';
    s += 2;
    if (!enh_part(&s, e->subj, 3, true) || *s++ != '.' ||
        !enh_part(&s, e->det, 3, true) || *s)
        return false;
    bool sx = e->subj[0] == 'X', dx = e->det[0] == 'X';
    return !(sx && !dx) && !(sx && e->cls[0] == 'X');
}

/* as keys: X.s.d, c.s.d, X.s.X or c.X.X */
static bool
enhanced_key_ok(const char *s)
{
    struct mw_enh e;
    if (!explain_parse_enhanced(s, &e) || strchr(s, 'x'))
        return false;
    bool cx = e.cls[0] == 'X', sx = e.subj[0] == 'X', dx = e.det[0] == 'X';
    return !(dx && !sx && !cx);
}

static bool
category_key_ok(const char *s)
{
    return category_index(s) >= 0;
}

static bool
cause_key_ok(const char *s)
{
    if (strncmp(s, "cause.", 6) != 0 || !s[6])
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || explain_is_digit(*s) || *s == '.' ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* ---- sections ------------------------------------------------------- */

enum ftype { F_STR, F_LIST };

struct field {
    const char *name;
    enum ftype type;
    bool required;
    size_t off;
};

#define STR(n, m, r)                                                           \
    {                                                                          \
        n, F_STR, r, offsetof(struct mw_xentry, m)                             \
    }
#define LIST(n, m, r)                                                          \
    {                                                                          \
        n, F_LIST, r, offsetof(struct mw_xentry, m)                            \
    }

static const struct field code_fields[] = {
    STR("code", key, true),       STR("text", title, true),
    STR("source", source, false), STR("meaning", body, true),
    STR("admin", admin, false),   LIST("causes", links, false),
    {NULL, F_STR, false, 0},
};
static const struct field category_fields[] = {
    STR("id", key, true),
    STR("title", title, true),
    STR("explanation", body, true),
    {NULL, F_STR, false, 0},
};
static const struct field cause_fields[] = {
    STR("id", key, true),
    STR("title", title, true),
    LIST("categories", links, true),
    STR("explanation", body, true),
    LIST("likely", likely, true),
    LIST("check", check, true),
    {NULL, F_STR, false, 0},
};

struct section {
    const char *name;
    enum mw_xkind kind;
    const struct field *fields;
    bool (*key_ok)(const char *key);
    const char *key_hint;
};

static const struct section sections[] = {
    {"replies", MW_XK_REPLY, code_fields, explain_reply_code_ok,
     "a reply code such as 535, 5xx or x5x"},
    {"enhanced", MW_XK_ENHANCED, code_fields, enhanced_key_ok,
     "a code such as X.7.1, 5.7.139, X.7.X or 5.X.X"},
    {"categories", MW_XK_CATEGORY, category_fields, category_key_ok,
     "a category of maillog-why-rules(5)"},
    {"causes", MW_XK_CAUSE, cause_fields, cause_key_ok,
     "an id such as cause.dns.mx"},
};

#define NSECTIONS (sizeof sections / sizeof sections[0])

/* ---- loading ------------------------------------------------------- */

static const struct mw_yamltree_opts catalog_file = {
    .doc_name = "catalog file",
    .max_depth = 16,
    .max_size = 4u * 1024u * 1024u,
    .open_msg = "cannot open",
    .read_msg = "read error",
    .size_msg = "file larger than 4194304 bytes",
};

struct loader {
    struct mw_explain *x;
    const char *path; /* in the pool */
    struct mw_err *err;
    const struct mw_yamltree *tree;
};

static int fail(struct loader *ld, struct mw_pos pos, const char *fmt, ...)
    MW_PRINTF(3, 4);

static int
fail(struct loader *ld, struct mw_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yamltree_vfail(ld->tree, ld->err, pos, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- entries -------------------------------------------------------- */

/* a non-empty string without NUL bytes */
static int
want_string(struct loader *ld, const struct mw_ynode *v, const char *key)
{
    if (v->kind != MW_YKIND_SCALAR)
        return fail(ld, v->pos, "'%s' must be a string, not %s", key,
                    yamltree_kind_name(v));
    if (v->len == 0 ||
        (v->style == MW_YSTYLE_PLAIN &&
         (strcmp(v->val, "~") == 0 || strcmp(v->val, "null") == 0)))
        return fail(ld, v->pos, "empty value for '%s'", key);
    if (memchr(v->val, '\0', v->len))
        return fail(ld, v->pos, "NUL byte in '%s'", key);
    return 0;
}

static const char *
pool_str(struct loader *ld, const struct mw_ynode *v)
{
    return strpool_add(ld->x->pool, v->val, v->len);
}

static int
set_list(struct loader *ld, struct mw_xlist *l, const struct mw_ynode *v,
         const char *key)
{
    if (v->kind != MW_YKIND_SEQ)
        return fail(ld, v->pos, "'%s' must be a list, not %s", key,
                    yamltree_kind_name(v));
    if (v->n == 0)
        return fail(ld, v->pos, "empty value for '%s'", key);
    l->v = xreallocarray(NULL, v->n, sizeof *l->v);
    l->pos = xreallocarray(NULL, v->n, sizeof *l->pos);
    for (size_t i = 0; i < v->n; i++) {
        const struct mw_ynode *it = v->kids[i];
        if (want_string(ld, it, key) < 0)
            return -1;
        /* the only lists of references: check their syntax here */
        if (strcmp(key, "categories") == 0 && !category_key_ok(it->val))
            return fail(ld, it->pos, "unknown category '%s'", it->val);
        if (strcmp(key, "causes") == 0 && !cause_key_ok(it->val))
            return fail(ld, it->pos, "bad cause id '%s'", it->val);
        l->v[l->n] = pool_str(ld, it);
        l->pos[l->n++] = it->pos;
    }
    return 0;
}

static int
set_field(struct loader *ld, struct mw_xentry *e, const struct field *f,
          const struct mw_ynode *v)
{
    if (f->type == F_LIST)
        return set_list(ld, (struct mw_xlist *)((char *)e + f->off), v,
                        f->name);
    if (want_string(ld, v, f->name) < 0)
        return -1;
    *(const char **)((char *)e + f->off) = pool_str(ld, v);
    return 0;
}

static int
check_key(struct loader *ld, const struct section *s, const struct mw_ynode *v)
{
    if (!s->key_ok(v->val))
        return fail(ld, v->pos, "bad %s '%s': expected %s", s->fields[0].name,
                    v->val, s->key_hint);
    const struct mw_xentry *dup = explain_find(ld->x, s->kind, v->val);
    if (dup)
        return fail(ld, v->pos, "duplicate %s '%s' (first at %s:%lu)",
                    s->fields[0].name, v->val, dup->file, dup->pos.line);
    return 0;
}

/* one entry of a section; fields go into e, which the caller keeps or
 * drops */
static int
read_entry(struct loader *ld, const struct section *s, const struct mw_ynode *m,
           struct mw_xentry *e)
{
    unsigned seen = 0;
    if (m->kind != MW_YKIND_MAP)
        return fail(ld, m->pos, "an entry of '%s' must be a mapping, not %s",
                    s->name, yamltree_kind_name(m));
    e->file = ld->path;
    e->pos = m->pos;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const struct mw_ynode *k = m->kids[i], *v = m->kids[i + 1];
        size_t f = 0;
        while (s->fields[f].name && !yamltree_is(k, s->fields[f].name))
            f++;
        if (!s->fields[f].name)
            return fail(ld, k->pos, "unknown key '%s' in '%s'",
                        k->kind == MW_YKIND_SCALAR ? k->val : "?", s->name);
        if (seen & (1u << f))
            return fail(ld, k->pos, "key '%s' given twice", k->val);
        seen |= 1u << f;
        if (f == 0 &&
            (want_string(ld, v, k->val) < 0 || check_key(ld, s, v) < 0))
            return -1;
        if (set_field(ld, e, &s->fields[f], v) < 0)
            return -1;
    }
    for (size_t f = 0; s->fields[f].name; f++)
        if (s->fields[f].required && !(seen & (1u << f)))
            return fail(ld, m->pos, "missing key '%s'", s->fields[f].name);
    return 0;
}

static int
read_section(struct loader *ld, const struct section *s,
             const struct mw_ynode *seq)
{
    if (seq->kind != MW_YKIND_SEQ)
        return fail(ld, seq->pos, "'%s' must be a list, not %s", s->name,
                    yamltree_kind_name(seq));
    struct mw_xtable *t = &ld->x->t[s->kind];
    for (size_t i = 0; i < seq->n; i++) {
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 64;
            t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
        }
        struct mw_xentry *e = &t->v[t->n];
        memset(e, 0, sizeof *e);
        if (read_entry(ld, s, seq->kids[i], e) < 0) {
            list_free(&e->likely);
            list_free(&e->check);
            list_free(&e->links);
            return -1;
        }
        t->n++;
    }
    return 0;
}

static int
read_root(struct loader *ld, const struct mw_ynode *root)
{
    if (!root)
        return 0; /* an empty file */
    if (root->kind != MW_YKIND_MAP)
        return fail(ld, root->pos,
                    "a catalog file must be a mapping of "
                    "sections, not %s",
                    yamltree_kind_name(root));
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const struct mw_ynode *k = root->kids[i];
        size_t s = 0;
        while (s < NSECTIONS && !yamltree_is(k, sections[s].name))
            s++;
        if (s == NSECTIONS)
            return fail(ld, k->pos,
                        "unknown section '%s' (use replies, enhanced, "
                        "categories, causes)",
                        k->kind == MW_YKIND_SCALAR ? k->val : "?");
        if (read_section(ld, &sections[s], root->kids[i + 1]) < 0)
            return -1;
    }
    return 0;
}

int
explain_load(struct mw_explain *x, const char *path, struct mw_err *err)
{
    err_clear(err);
    struct mw_yamltree *tree = yamltree_load(path, &catalog_file, err);
    if (!tree)
        return -1;
    struct loader ld = {x, strpool_add(x->pool, path, strlen(path)), err, tree};
    int rc = read_root(&ld, yamltree_root(tree));
    yamltree_free(tree);
    return rc;
}

int
explain_finish(const struct mw_explain *x, struct mw_err *err)
{
    static const enum mw_xkind coded[] = {MW_XK_REPLY, MW_XK_ENHANCED};
    for (size_t k = 0; k < 2; k++) {
        const struct mw_xtable *t = &x->t[coded[k]];
        for (size_t i = 0; i < t->n; i++) {
            const struct mw_xlist *l = &t->v[i].links;
            for (size_t j = 0; j < l->n; j++) {
                if (explain_find(x, MW_XK_CAUSE, l->v[j]))
                    continue;
                err_set_pos(err, t->v[i].file, l->pos[j].line, l->pos[j].column,
                            "unknown cause '%s'", l->v[j]);
                return -1;
            }
        }
    }
    return 0;
}

int
explain_load_dir(struct mw_explain *x, const char *dir, struct mw_err *err)
{
    static const char *const names[] = {MW_EXPLAIN_CODES_FILE,
                                        MW_EXPLAIN_CAUSES_FILE};
    char path[4096];
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (explain_load(x, path, err) < 0)
            return -1;
    }
    return explain_finish(x, err);
}
