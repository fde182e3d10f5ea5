#include "config.h"

#include "explain.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "strpool.h"
#include "xalloc.h"

/* The catalog files are read with libyaml's event API into a small tree of
 * nodes that remember their position, then checked against a table of keys
 * per section, so that every error can say file:line:column. */

#define MAX_FILE_SIZE (4u * 1024u * 1024u)
#define MAX_DEPTH     16
#define MAX_TERM      128
#define TEXT_WIDTH    79 /* prose */
#define LIST_WIDTH    99 /* list items hold commands: keep them whole */

enum xkind { K_REPLY, K_ENHANCED, K_CATEGORY, K_CAUSE, K_COUNT };

struct xpos {
    unsigned long line, column;
};

struct xlist {
    const char **v;
    struct xpos *pos;
    size_t n;
};

struct xentry {
    const char *key;
    const char *title, *source, *body, *admin;
    struct xlist likely, check;
    struct xlist links; /* cause ids (codes) or categories (causes) */
    const char *file;
    struct xpos pos;
};

struct xtable {
    struct xentry *v;
    size_t n, cap;
};

struct mw_explain {
    struct mw_strpool *pool;
    struct xtable t[K_COUNT];
};

struct mw_explain *
explain_new(void)
{
    struct mw_explain *x = xcalloc(1, sizeof *x);
    x->pool = strpool_new();
    return x;
}

static void
list_free(struct xlist *l)
{
    free(l->v);
    free(l->pos);
}

void
explain_free(struct mw_explain *x)
{
    if (!x)
        return;
    for (int k = 0; k < K_COUNT; k++) {
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

static const struct xentry *
find(const struct mw_explain *x, enum xkind k, const char *key)
{
    const struct xtable *t = &x->t[k];
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].key, key) == 0)
            return &t->v[i];
    return NULL;
}

const char *
explain_cause_title(const struct mw_explain *x, const char *id)
{
    const struct xentry *e = find(x, K_CAUSE, id);
    return e ? e->title : NULL;
}

/* ---- keys ----------------------------------------------------------- */

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "535", or one digit explained: "5xx", "x5x" */
static bool
reply_key_ok(const char *s)
{
    if (strlen(s) != 3)
        return false;
    if (s[0] >= '2' && s[0] <= '5')
        return (is_digit(s[1]) && is_digit(s[2])) ||
               (s[1] == 'x' && s[2] == 'x');
    return s[0] == 'x' && is_digit(s[1]) && s[2] == 'x';
}

/* class, subject and detail of an enhanced code; "X" for any */
struct enh {
    char cls[2], subj[4], det[4];
};

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
    while (is_digit(**s) && n < max)
        out[n++] = *(*s)++;
    out[n] = '\0';
    return n > 0 && !is_digit(**s);
}

/* "5.7.1", "X.7.1", "X.7.X", "5.X.X" (lower-case x accepted) */
static bool
enh_parse(const char *s, struct enh *e)
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
    struct enh e;
    if (!enh_parse(s, &e) || strchr(s, 'x'))
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
        if (!((*s >= 'a' && *s <= 'z') || is_digit(*s) || *s == '.' ||
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
        n, F_STR, r, offsetof(struct xentry, m)                                \
    }
#define LIST(n, m, r)                                                          \
    {                                                                          \
        n, F_LIST, r, offsetof(struct xentry, m)                               \
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
    enum xkind kind;
    const struct field *fields;
    bool (*key_ok)(const char *key);
    const char *key_hint;
};

static const struct section sections[] = {
    {"replies", K_REPLY, code_fields, reply_key_ok,
     "a reply code such as 535, 5xx or x5x"},
    {"enhanced", K_ENHANCED, code_fields, enhanced_key_ok,
     "a code such as X.7.1, 5.7.139, X.7.X or 5.X.X"},
    {"categories", K_CATEGORY, category_fields, category_key_ok,
     "a category of maillog-why-rules(5)"},
    {"causes", K_CAUSE, cause_fields, cause_key_ok,
     "an id such as cause.dns.mx"},
};

#define NSECTIONS (sizeof sections / sizeof sections[0])

/* ---- the YAML tree -------------------------------------------------- */

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
    enum ytype type;
    struct xpos pos;
    yaml_scalar_style_t style;
    char *val;
    size_t len;
    struct ynode **kids; /* items, or key, value, key, value ... */
    size_t n, cap;
};

struct loader {
    struct mw_explain *x;
    const char *path; /* in the pool */
    struct mw_err *err;
    const char *text;
    size_t len;
};

static void
ynode_free(struct ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        ynode_free(n->kids[i]);
    free(n->kids);
    free(n->val);
    free(n);
}

static int fail(struct loader *ld, struct xpos pos, const char *fmt, ...)
    MW_PRINTF(3, 4);

static int
fail(struct loader *ld, struct xpos pos, const char *fmt, ...)
{
    char text[sizeof ld->err->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    err_set_pos(ld->err, ld->path, pos.line, pos.column, "%s", text);
    return -1;
}

static struct xpos
mark_pos(yaml_mark_t m)
{
    struct xpos p = {(unsigned long)m.line + 1, (unsigned long)m.column + 1};
    return p;
}

static int
yaml_fail(struct loader *ld, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    struct xpos pos = mark_pos(p->problem_mark);
    if (p->error == YAML_MEMORY_ERROR)
        free(xmalloc(SIZE_MAX)); /* reports and exits */
    if (p->error == YAML_READER_ERROR) {
        /* only a byte offset is known: count lines up to it */
        pos.line = pos.column = 1;
        for (size_t i = 0; i < p->problem_offset && i < ld->len; i++) {
            if (ld->text[i] == '\n') {
                pos.line++;
                pos.column = 1;
            } else if (((unsigned char)ld->text[i] & 0xc0) != 0x80) {
                pos.column++;
            }
        }
    }
    if (p->context)
        return fail(ld, pos, "yaml syntax error: %s (%s)", problem, p->context);
    return fail(ld, pos, "yaml syntax error: %s", problem);
}

struct builder {
    struct ynode *root;
    struct ynode *stack[MAX_DEPTH];
    int depth;
};

static int
build_node(struct loader *ld, struct builder *b, const yaml_event_t *ev,
           enum ytype type)
{
    if (b->depth == MAX_DEPTH)
        return fail(ld, mark_pos(ev->start_mark),
                    "nesting deeper than %d levels", MAX_DEPTH);
    struct ynode *n = xcalloc(1, sizeof *n);
    n->type = type;
    n->pos = mark_pos(ev->start_mark);
    if (type == Y_SCALAR) {
        n->style = ev->data.scalar.style;
        n->len = ev->data.scalar.length;
        n->val = xmemdup(ev->data.scalar.value, n->len);
    }
    struct ynode *parent = b->depth ? b->stack[b->depth - 1] : NULL;
    if (parent) {
        if (parent->n == parent->cap) {
            parent->cap = parent->cap ? 2 * parent->cap : 8;
            parent->kids =
                xreallocarray(parent->kids, parent->cap, sizeof *parent->kids);
        }
        parent->kids[parent->n++] = n;
    } else {
        b->root = n; /* one node per document, one document */
    }
    if (type != Y_SCALAR)
        b->stack[b->depth++] = n;
    return 0;
}

static int
build_event(struct loader *ld, struct builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->root)
            return fail(ld, mark_pos(ev->start_mark),
                        "more than one YAML document in a catalog file");
        return 0;
    case YAML_ALIAS_EVENT:
        return fail(ld, mark_pos(ev->start_mark), "aliases are not supported");
    case YAML_SCALAR_EVENT:
        return build_node(ld, b, ev, Y_SCALAR);
    case YAML_SEQUENCE_START_EVENT:
        return build_node(ld, b, ev, Y_SEQ);
    case YAML_MAPPING_START_EVENT:
        return build_node(ld, b, ev, Y_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (b->depth > 0)
            b->depth--;
        return 0;
    default:
        return 0;
    }
}

/* the whole file as a tree in *root (NULL for an empty file) */
static int
yaml_tree(struct loader *ld, struct ynode **root)
{
    yaml_parser_t p;
    struct builder b;
    int rc = 0;
    bool done = false;
    memset(&b, 0, sizeof b);
    if (!yaml_parser_initialize(&p))
        free(xmalloc(SIZE_MAX)); /* reports and exits */
    yaml_parser_set_input_string(&p, (const unsigned char *)ld->text, ld->len);
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = yaml_fail(ld, &p);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = build_event(ld, &b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (rc != 0) {
        ynode_free(b.root);
        return -1;
    }
    *root = b.root;
    return 0;
}

/* ---- entries -------------------------------------------------------- */

static const char *
kind_name(const struct ynode *n)
{
    return n->type == Y_MAP   ? "a mapping"
           : n->type == Y_SEQ ? "a list"
                              : "a string";
}

/* a non-empty string without NUL bytes */
static int
want_string(struct loader *ld, const struct ynode *v, const char *key)
{
    if (v->type != Y_SCALAR)
        return fail(ld, v->pos, "'%s' must be a string, not %s", key,
                    kind_name(v));
    if (v->len == 0 ||
        (v->style == YAML_PLAIN_SCALAR_STYLE &&
         (strcmp(v->val, "~") == 0 || strcmp(v->val, "null") == 0)))
        return fail(ld, v->pos, "empty value for '%s'", key);
    if (memchr(v->val, '\0', v->len))
        return fail(ld, v->pos, "NUL byte in '%s'", key);
    return 0;
}

static const char *
pool_str(struct loader *ld, const struct ynode *v)
{
    return strpool_add(ld->x->pool, v->val, v->len);
}

static int
set_list(struct loader *ld, struct xlist *l, const struct ynode *v,
         const char *key)
{
    if (v->type != Y_SEQ)
        return fail(ld, v->pos, "'%s' must be a list, not %s", key,
                    kind_name(v));
    if (v->n == 0)
        return fail(ld, v->pos, "empty value for '%s'", key);
    l->v = xreallocarray(NULL, v->n, sizeof *l->v);
    l->pos = xreallocarray(NULL, v->n, sizeof *l->pos);
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *it = v->kids[i];
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
set_field(struct loader *ld, struct xentry *e, const struct field *f,
          const struct ynode *v)
{
    if (f->type == F_LIST)
        return set_list(ld, (struct xlist *)((char *)e + f->off), v, f->name);
    if (want_string(ld, v, f->name) < 0)
        return -1;
    *(const char **)((char *)e + f->off) = pool_str(ld, v);
    return 0;
}

static int
check_key(struct loader *ld, const struct section *s, const struct ynode *v)
{
    if (!s->key_ok(v->val))
        return fail(ld, v->pos, "bad %s '%s': expected %s", s->fields[0].name,
                    v->val, s->key_hint);
    const struct xentry *dup = find(ld->x, s->kind, v->val);
    if (dup)
        return fail(ld, v->pos, "duplicate %s '%s' (first at %s:%lu)",
                    s->fields[0].name, v->val, dup->file, dup->pos.line);
    return 0;
}

/* one entry of a section; fields go into e, which the caller keeps or
 * drops */
static int
read_entry(struct loader *ld, const struct section *s, const struct ynode *m,
           struct xentry *e)
{
    unsigned seen = 0;
    if (m->type != Y_MAP)
        return fail(ld, m->pos, "an entry of '%s' must be a mapping, not %s",
                    s->name, kind_name(m));
    e->file = ld->path;
    e->pos = m->pos;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const struct ynode *k = m->kids[i], *v = m->kids[i + 1];
        size_t f = 0;
        while (s->fields[f].name &&
               (k->type != Y_SCALAR || strcmp(k->val, s->fields[f].name) != 0))
            f++;
        if (!s->fields[f].name)
            return fail(ld, k->pos, "unknown key '%s' in '%s'",
                        k->type == Y_SCALAR ? k->val : "?", s->name);
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
             const struct ynode *seq)
{
    if (seq->type != Y_SEQ)
        return fail(ld, seq->pos, "'%s' must be a list, not %s", s->name,
                    kind_name(seq));
    struct xtable *t = &ld->x->t[s->kind];
    for (size_t i = 0; i < seq->n; i++) {
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 64;
            t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
        }
        struct xentry *e = &t->v[t->n];
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
read_root(struct loader *ld, const struct ynode *root)
{
    if (!root)
        return 0; /* an empty file */
    if (root->type != Y_MAP)
        return fail(ld, root->pos,
                    "a catalog file must be a mapping of "
                    "sections, not %s",
                    kind_name(root));
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const struct ynode *k = root->kids[i];
        size_t s = 0;
        while (s < NSECTIONS &&
               (k->type != Y_SCALAR || strcmp(k->val, sections[s].name) != 0))
            s++;
        if (s == NSECTIONS)
            return fail(ld, k->pos,
                        "unknown section '%s' (use replies, enhanced, "
                        "categories, causes)",
                        k->type == Y_SCALAR ? k->val : "?");
        if (read_section(ld, &sections[s], root->kids[i + 1]) < 0)
            return -1;
    }
    return 0;
}

static char *
read_file(const char *path, size_t *len, struct mw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set_errno(err, path, errno, "cannot open");
        return NULL;
    }
    size_t cap = 64 * 1024, n = 0;
    char *text = xmalloc(cap);
    for (;;) {
        size_t got = fread(text + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= MAX_FILE_SIZE) {
            err_set(err, path, "file larger than %u bytes", MAX_FILE_SIZE);
            break;
        }
        cap *= 2;
        text = xrealloc(text, cap);
    }
    int bad = ferror(f) ? errno : 0;
    fclose(f);
    if (bad || n >= MAX_FILE_SIZE) {
        if (bad)
            err_set_errno(err, path, bad, "read error");
        free(text);
        return NULL;
    }
    *len = n;
    return text;
}

int
explain_load(struct mw_explain *x, const char *path, struct mw_err *err)
{
    struct loader ld = {x, NULL, err, NULL, 0};
    struct ynode *root = NULL;
    err_clear(err);
    char *text = read_file(path, &ld.len, err);
    if (!text)
        return -1;
    ld.path = strpool_add(x->pool, path, strlen(path));
    ld.text = text;
    int rc = yaml_tree(&ld, &root);
    if (rc == 0)
        rc = read_root(&ld, root);
    ynode_free(root);
    free(text);
    return rc;
}

int
explain_finish(const struct mw_explain *x, struct mw_err *err)
{
    static const enum xkind coded[] = {K_REPLY, K_ENHANCED};
    for (size_t k = 0; k < 2; k++) {
        const struct xtable *t = &x->t[coded[k]];
        for (size_t i = 0; i < t->n; i++) {
            const struct xlist *l = &t->v[i].links;
            for (size_t j = 0; j < l->n; j++) {
                if (find(x, K_CAUSE, l->v[j]))
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

/* ---- text ----------------------------------------------------------- */

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* columns of a UTF-8 word (characters; no wide-character table) */
static size_t
cols(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/* append, with control characters (from rule files) shown as '?' */
static void
put_clean(struct mw_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf_putc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
}

/* first, then the words of text filled up to width columns; later lines
 * start with indent spaces */
static void
put_wrapped(struct mw_buf *b, const char *first, size_t indent, size_t width,
            const char *text)
{
    size_t col = cols(first, strlen(first));
    bool empty = true;
    buf_puts(b, first);
    for (const char *p = text;;) {
        while (*p && is_space(*p))
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && !is_space(*p))
            p++;
        size_t n = (size_t)(p - w), c = cols(w, n);
        if (!empty && col + 1 + c > width) {
            buf_putc(b, '\n');
            for (size_t i = 0; i < indent; i++)
                buf_putc(b, ' ');
            col = indent;
            empty = true;
        }
        if (!empty) {
            buf_putc(b, ' ');
            col++;
        }
        put_clean(b, w, n);
        col += c;
        empty = false;
    }
    buf_putc(b, '\n');
}

static void put_fmt(struct mw_buf *b, size_t indent, const char *fmt, ...)
    MW_PRINTF(3, 4);

/* a formatted line, wrapped like prose */
static void
put_fmt(struct mw_buf *b, size_t indent, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    put_wrapped(b, "", indent, TEXT_WIDTH, line);
}

/* "Heading:" and an indented paragraph */
static void
put_para(struct mw_buf *b, const char *heading, const char *text)
{
    if (!text)
        return;
    buf_printf(b, "\n%s\n", heading);
    put_wrapped(b, "  ", 2, TEXT_WIDTH, text);
}

static void
put_items(struct mw_buf *b, const char *heading, const struct xlist *l)
{
    if (!l->n)
        return;
    buf_printf(b, "\n%s\n", heading);
    for (size_t i = 0; i < l->n; i++)
        put_wrapped(b, "  - ", 4, LIST_WIDTH, l->v[i]);
}

/* cause ids with their titles, aligned */
static void
put_causes(const struct mw_explain *x, struct mw_buf *b, const char **ids,
           size_t n)
{
    size_t w = 0;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++)
        if (strlen(ids[i]) > w)
            w = strlen(ids[i]);
    buf_puts(b, "\nPossible causes (maillog-why --explain ID):\n");
    for (size_t i = 0; i < n; i++) {
        const char *t = explain_cause_title(x, ids[i]);
        char first[128];
        snprintf(first, sizeof first, "  %-*s  ", (int)w, ids[i]);
        put_wrapped(b, first, w + 4, TEXT_WIDTH, t ? t : "");
    }
}

static void
put_source(struct mw_buf *b, const struct xentry *e)
{
    if (e->source)
        put_fmt(b, 2, "Source: %s", e->source);
}

/* ---- codes ---------------------------------------------------------- */

static void
put_code_body(const struct mw_explain *x, struct mw_buf *b,
              const struct xentry *e)
{
    put_para(b, "Meaning:", e->body);
    put_para(b, "What it usually means for the mail administrator:", e->admin);
    put_causes(x, b, e->links.v, e->links.n);
}

static bool
explain_reply(const struct mw_explain *x, struct mw_buf *b, const char *code)
{
    char ckey[4] = {code[0], 'x', 'x', '\0'};
    char dkey[4] = {'x', code[1], 'x', '\0'};
    const struct xentry *e = find(x, K_REPLY, code);
    const struct xentry *ce = find(x, K_REPLY, ckey);
    const struct xentry *de = find(x, K_REPLY, dkey);
    if (!e && !ce)
        return false;
    if (e)
        put_fmt(b, 2, "%s: %s", code, e->title);
    else
        put_fmt(b, 2,
                "%s: not a reply code of the catalog; what its digits "
                "say follows",
                code);
    if (e)
        put_source(b, e);
    if (ce && ce != e)
        put_fmt(b, 2, "Class: %s %s", ckey, ce->title);
    if (de && !e)
        put_fmt(b, 2, "Second digit: %s %s", dkey, de->title);
    if (e) {
        put_code_body(x, b, e);
    } else {
        put_para(b, "Meaning of the first digit:", ce->body);
        put_para(
            b, "What it usually means for the mail administrator:", ce->admin);
        if (de)
            put_para(b, "Meaning of the second digit:", de->body);
    }
    return true;
}

static bool
explain_enhanced(const struct mw_explain *x, struct mw_buf *b, const char *term,
                 const struct enh *c)
{
    char key[16], ckey[16], skey[16], gkey[16];
    bool cx = c->cls[0] == 'X', sx = c->subj[0] == 'X';
    const struct xentry *e = NULL;
    snprintf(key, sizeof key, "%s.%s.%s", c->cls, c->subj, c->det);
    snprintf(ckey, sizeof ckey, "%s.X.X", c->cls);
    snprintf(skey, sizeof skey, "X.%s.X", c->subj);
    snprintf(gkey, sizeof gkey, "X.%s.0", c->subj);
    e = find(x, K_ENHANCED, key);
    if (!e && !cx) { /* 5.7.1 is X.7.1 for class 5, 5.7.X is X.7.X */
        key[0] = 'X';
        e = find(x, K_ENHANCED, key);
    }
    const struct xentry *ce = cx ? NULL : find(x, K_ENHANCED, ckey);
    const struct xentry *se = sx ? NULL : find(x, K_ENHANCED, skey);
    if (!e && !ce && !se)
        return false;
    if (e)
        put_fmt(b, 2, "%s: %s", term, e->title);
    else
        put_fmt(b, 2,
                "%s: this detail code is not in the catalog; its "
                "class and subject follow",
                term);
    if (e)
        put_source(b, e);
    if (ce && ce != e)
        put_fmt(b, 2, "Class: %s %s", ckey, ce->title);
    if (se && se != e)
        put_fmt(b, 2, "Subject: %s %s", skey, se->title);
    if (e) {
        put_code_body(x, b, e);
        return true;
    }
    if (ce)
        put_para(b, "About the class:", ce->body);
    if (se)
        put_para(b, "About the subject:", se->body);
    const struct xentry *g = find(x, K_ENHANCED, gkey);
    if (g && !sx) {
        buf_puts(b, "\n");
        put_fmt(b, 2, "The general code of this subject is %s: %s.", gkey,
                g->title);
        put_code_body(x, b, g);
    }
    return true;
}

/* ---- causes, categories, rules -------------------------------------- */

static bool
list_has(const struct xlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

/* the codes that name cause id */
static void
put_codes_of(const struct mw_explain *x, struct mw_buf *b, const char *id)
{
    struct mw_buf t = {0};
    for (int k = K_REPLY; k <= K_ENHANCED; k++)
        for (size_t i = 0; i < x->t[k].n; i++)
            if (list_has(&x->t[k].v[i].links, id))
                buf_printf(&t, "%s%s", t.len ? ", " : "", x->t[k].v[i].key);
    if (t.len) {
        buf_puts(b, "\nSMTP codes that point to it:\n");
        put_wrapped(b, "  ", 2, TEXT_WIDTH, t.data);
    }
    buf_free(&t);
}

static void
explain_cause(const struct mw_explain *x, struct mw_buf *b,
              const struct xentry *e)
{
    struct mw_buf t = {0};
    put_fmt(b, 2, "%s: %s", e->key, e->title);
    for (size_t i = 0; i < e->links.n; i++)
        buf_printf(&t, "%s%s", i ? ", " : "", e->links.v[i]);
    put_fmt(b, 2, "Categories: %s", t.data ? t.data : "");
    buf_free(&t);
    put_para(b, "What it is:", e->body);
    put_items(b, "Likely reasons:", &e->likely);
    put_items(b, "What to check or do:", &e->check);
    put_codes_of(x, b, e->key);
}

static void
explain_category(const struct mw_explain *x, const struct mw_ruleset *rs,
                 struct mw_buf *b, const char *name)
{
    const struct xentry *e = find(x, K_CATEGORY, name);
    const struct xtable *t = &x->t[K_CAUSE];
    const char **ids = xreallocarray(NULL, t->n + 1, sizeof *ids);
    size_t n = 0, nrules = 0;
    if (e)
        put_fmt(b, 2, "%s: %s (category)", name, e->title);
    else
        put_fmt(b, 2, "%s (category)", name);
    if (e)
        put_para(b, "What it is:", e->body);
    for (size_t i = 0; i < t->n; i++)
        if (list_has(&t->v[i].links, name))
            ids[n++] = t->v[i].key;
    put_causes(x, b, ids, n);
    free(ids);
    for (size_t i = 0; rs && i < ruleset_count(rs); i++) {
        const struct mw_rule *r = ruleset_rule(rs, i);
        nrules += r->category && strcmp(r->category, name) == 0;
    }
    if (rs) {
        buf_puts(b, "\n");
        put_fmt(b, 0, "%zu loaded rule%s this category.", nrules,
                nrules == 1 ? " has" : "s have");
    }
}

static void
explain_rule(struct mw_buf *b, const struct mw_rule *r)
{
    put_fmt(b, 2, "%s: %s (rule)", r->id, r->title ? r->title : "");
    put_fmt(b, 2, "Category: %s", r->category ? r->category : "?");
    put_fmt(b, 2, "Level: %s", level_name(r->level));
    if (r->file)
        put_fmt(b, 2, "Defined in: %s:%lu", r->file, r->line);
    put_para(b, "Cause:", r->cause);
    put_para(b, "What to check or fix:", r->fix);
    if (r->category) {
        buf_puts(b, "\n");
        put_fmt(b, 2, "More about its category: maillog-why --explain %s",
                r->category);
    }
}

/* ---- dispatch ------------------------------------------------------- */

/* one word: a code, a cause, a category or a rule */
static bool
explain_word(const struct mw_explain *x, const struct mw_ruleset *rs,
             const char *w, struct mw_buf *b)
{
    struct enh c;
    char lower[4], cause[MAX_TERM + 8];
    if (strlen(w) == 3) {
        for (int i = 0; i < 4; i++)
            lower[i] = w[i] == 'X' ? 'x' : w[i];
        if (reply_key_ok(lower))
            return explain_reply(x, b, lower);
    }
    if (enh_parse(w, &c)) {
        char norm[16];
        snprintf(norm, sizeof norm, "%s.%s.%s", c.cls, c.subj, c.det);
        return explain_enhanced(x, b, norm, &c);
    }
    if (category_index(w) >= 0 || find(x, K_CATEGORY, w)) {
        explain_category(x, rs, b, w);
        return true;
    }
    const struct xentry *e = find(x, K_CAUSE, w);
    snprintf(cause, sizeof cause, "cause.%s", w);
    if (!e)
        e = find(x, K_CAUSE, cause);
    if (e) {
        explain_cause(x, b, e);
        return true;
    }
    const struct mw_rule *r = rs ? ruleset_find(rs, w) : NULL;
    if (r)
        explain_rule(b, r);
    return r != NULL;
}

bool
explain_term(const struct mw_explain *x, const struct mw_ruleset *rs,
             const char *term, struct mw_buf *out)
{
    char w[MAX_TERM + 1];
    size_t start = out->len, n;
    while (is_space(*term))
        term++;
    n = strlen(term);
    while (n && is_space(term[n - 1]))
        n--;
    if (n == 0 || n > MAX_TERM)
        return false;
    memcpy(w, term, n);
    w[n] = '\0';
    /* "550 5.7.1" or "550-5.7.1", as servers write them */
    bool found;
    if (n > 4 && (w[3] == ' ' || w[3] == '-') && is_digit(w[0])) {
        const char *rest = w + 4;
        w[3] = '\0';
        while (is_space(*rest))
            rest++;
        found = explain_word(x, rs, w, out);
        size_t mid = out->len;
        if (found)
            buf_puts(out, "\n");
        if (explain_word(x, rs, rest, out))
            found = true;
        else if (out->data) {
            out->len = mid;
            out->data[mid] = '\0';
        }
    } else {
        found = explain_word(x, rs, w, out);
    }
    if (!found && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    return found;
}
