#include "config.h"

#include "yamltree.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "xalloc.h"

/* ------------------------------------------------------------ arena */

/* Nodes, their strings and their lists of kids are carved from large
 * blocks and freed with them: the 950 KB of shipped rules make some 23,000
 * nodes and 20,000 strings, which took a malloc and a free each. Blocks
 * start small for small files and double up to ARENA_MAX; a request of
 * more than a quarter of a block gets a block of its own. */
#define ARENA_MIN (16u * 1024u)
#define ARENA_MAX (1024u * 1024u)

struct block {
    struct block *next;
    size_t cap, used;
    /* data follows, from DATA_OFF */
};

#define ALIGN    _Alignof(max_align_t)
#define DATA_OFF ((sizeof(struct block) + ALIGN - 1) & ~(ALIGN - 1))

struct arena {
    struct block *head; /* the block being filled */
    struct block *big;  /* blocks of single large requests */
    size_t next_cap;
};

static struct block *
block_new(size_t cap)
{
    struct block *b = xmalloc(DATA_OFF + cap);
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

static void
arena_free(struct arena *a)
{
    struct block *lists[2] = {a->head, a->big};
    for (size_t i = 0; i < 2; i++) {
        for (struct block *b = lists[i], *next; b; b = next) {
            next = b->next;
            free(b);
        }
    }
    a->head = a->big = NULL;
}

/* size bytes aligned for any node or pointer; never fails */
static void *
arena_alloc(struct arena *a, size_t size)
{
    if (size > SIZE_MAX / 2)
        free(xmalloc(SIZE_MAX)); /* reports and exits */
    size = size ? (size + ALIGN - 1) & ~(ALIGN - 1) : ALIGN;
    if (size > a->next_cap / 4) {
        struct block *b = block_new(size);
        b->next = a->big;
        a->big = b;
        return (char *)b + DATA_OFF;
    }
    if (!a->head || a->head->cap - a->head->used < size) {
        struct block *b = block_new(a->next_cap);
        b->next = a->head;
        a->head = b;
        if (a->next_cap < ARENA_MAX)
            a->next_cap *= 2;
    }
    void *p = (char *)a->head + DATA_OFF + a->head->used;
    a->head->used += size;
    return p;
}

/* a NUL-terminated copy of len bytes */
static char *
arena_strdup(struct arena *a, const void *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* ------------------------------------------------------------- tree */

struct mw_yamltree {
    struct arena arena;
    char *text; /* the file, owned */
    size_t len;
    const char *path;      /* in the arena */
    struct mw_ynode *root; /* NULL: no document */
};

void
yamltree_free(struct mw_yamltree *t)
{
    if (!t)
        return;
    arena_free(&t->arena);
    free(t->text);
    free(t);
}

const struct mw_ynode *
yamltree_root(const struct mw_yamltree *t)
{
    return t->root;
}

int
yamltree_vfail(const struct mw_yamltree *t, struct mw_err *err,
               struct mw_pos pos, const char *fmt, va_list ap)
{
    char text[sizeof err->text];
    vsnprintf(text, sizeof text, fmt, ap);
    err_set_pos(err, t->path, pos.line, pos.column, "%s", text);
    return -1;
}

int
yamltree_fail(const struct mw_yamltree *t, struct mw_err *err,
              struct mw_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yamltree_vfail(t, err, pos, fmt, ap);
    va_end(ap);
    return -1;
}

/* 1-based line and column (in characters) of a byte offset of the file */
static struct mw_pos
pos_of_offset(const struct mw_yamltree *t, size_t off)
{
    struct mw_pos p = {1, 1};
    for (size_t i = 0; i < off && i < t->len; i++) {
        unsigned char c = (unsigned char)t->text[i];
        if (c == '\n') {
            p.line++;
            p.column = 1;
        } else if ((c & 0xc0) != 0x80) {
            p.column++;
        }
    }
    return p;
}

static struct mw_pos
mark_pos(yaml_mark_t m)
{
    struct mw_pos p = {(unsigned long)m.line + 1, (unsigned long)m.column + 1};
    return p;
}

static int
yaml_fail(const struct mw_yamltree *t, struct mw_err *err,
          const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    struct mw_pos pos = mark_pos(p->problem_mark);
    if (p->error == YAML_MEMORY_ERROR)
        free(xmalloc(SIZE_MAX));       /* reports and exits */
    if (p->error == YAML_READER_ERROR) /* only a byte offset is known */
        pos = pos_of_offset(t, p->problem_offset);
    if (p->context)
        return yamltree_fail(t, err, pos, "yaml syntax error: %s (%s)", problem,
                             p->context);
    return yamltree_fail(t, err, pos, "yaml syntax error: %s", problem);
}

/* --------------------------------------------------------- building */

struct builder {
    struct mw_yamltree *t;
    const struct mw_yamltree_opts *o;
    struct mw_err *err;
    struct mw_ynode **open; /* the open sequences and mappings */
    size_t *first;          /* per open one: its first item in items */
    int depth;
    /* the items of every open container, innermost last: a container's
     * kids are copied to the arena at its end, at their final count */
    struct mw_ynode **items;
    size_t nitems, cap;
    int docs;
};

static enum mw_ystyle
style_of(yaml_scalar_style_t s)
{
    switch (s) {
    case YAML_PLAIN_SCALAR_STYLE:
        return MW_YSTYLE_PLAIN;
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        return MW_YSTYLE_SINGLE;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        return MW_YSTYLE_DOUBLE;
    case YAML_LITERAL_SCALAR_STYLE:
        return MW_YSTYLE_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE:
        return MW_YSTYLE_FOLDED;
    default:
        return MW_YSTYLE_NONE;
    }
}

static void
push_item(struct builder *b, struct mw_ynode *n)
{
    if (b->nitems == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->items = xreallocarray(b->items, b->cap, sizeof *b->items);
    }
    b->items[b->nitems++] = n;
}

/* attach a new node to the tree; sequences and mappings are opened */
static int
open_node(struct builder *b, const yaml_event_t *ev, enum mw_ykind kind)
{
    if (b->depth == b->o->max_depth)
        return yamltree_fail(b->t, b->err, mark_pos(ev->start_mark),
                             "nesting deeper than %d levels", b->o->max_depth);
    struct mw_ynode *n = arena_alloc(&b->t->arena, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->pos = mark_pos(ev->start_mark);
    n->end_line = (unsigned long)ev->end_mark.line + 1;
    n->val = "";
    if (kind == MW_YKIND_SCALAR) {
        n->style = style_of(ev->data.scalar.style);
        n->len = ev->data.scalar.length;
        n->val = arena_strdup(&b->t->arena, ev->data.scalar.value, n->len);
    }
    if (b->depth > 0)
        push_item(b, n);
    else if (!b->t->root)
        b->t->root = n; /* one node per document, one document */
    if (kind != MW_YKIND_SCALAR) {
        b->open[b->depth] = n;
        b->first[b->depth++] = b->nitems;
    }
    return 0;
}

static void
close_node(struct builder *b, const yaml_event_t *ev)
{
    if (b->depth == 0)
        return;
    struct mw_ynode *n = b->open[--b->depth];
    size_t first = b->first[b->depth];
    n->end_line = (unsigned long)ev->end_mark.line + 1;
    n->n = b->nitems - first;
    if (n->n > 0) {
        struct mw_ynode **kids = arena_alloc(&b->t->arena, n->n * sizeof *kids);
        memcpy(kids, b->items + first, n->n * sizeof *kids);
        n->kids = kids;
    }
    b->nitems = first;
}

static int
build_event(struct builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->docs++ > 0)
            return yamltree_fail(b->t, b->err, mark_pos(ev->start_mark),
                                 "more than one YAML document in a %s",
                                 b->o->doc_name);
        return 0;
    case YAML_ALIAS_EVENT:
        return yamltree_fail(b->t, b->err, mark_pos(ev->start_mark),
                             "aliases are not supported");
    case YAML_SCALAR_EVENT:
        return open_node(b, ev, MW_YKIND_SCALAR);
    case YAML_SEQUENCE_START_EVENT:
        return open_node(b, ev, MW_YKIND_SEQ);
    case YAML_MAPPING_START_EVENT:
        return open_node(b, ev, MW_YKIND_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        close_node(b, ev);
        return 0;
    default:
        return 0;
    }
}

/* parse t->text into t->root */
static int
build(struct mw_yamltree *t, const struct mw_yamltree_opts *o,
      struct mw_err *err)
{
    yaml_parser_t p;
    struct builder b = {.t = t, .o = o, .err = err};
    size_t depth = o->max_depth > 0 ? (size_t)o->max_depth : 1;
    int rc = 0;
    bool done = false;
    b.open = arena_alloc(&t->arena, depth * sizeof *b.open);
    b.first = arena_alloc(&t->arena, depth * sizeof *b.first);
    if (!yaml_parser_initialize(&p))
        free(xmalloc(SIZE_MAX)); /* reports and exits */
    yaml_parser_set_input_string(&p, (const unsigned char *)t->text, t->len);
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = yaml_fail(t, err, &p);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = build_event(&b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    free(b.items);
    return rc;
}

/* takes ownership of text */
static struct mw_yamltree *
tree_parse(char *text, size_t len, const char *path,
           const struct mw_yamltree_opts *o, struct mw_err *err)
{
    struct mw_yamltree *t = xcalloc(1, sizeof *t);
    /* a large file: start with the largest blocks */
    t->arena.next_cap = len < ARENA_MAX / 4 ? ARENA_MIN : ARENA_MAX;
    t->text = text;
    t->len = len;
    t->path = arena_strdup(&t->arena, path, strlen(path));
    if (build(t, o, err) < 0) {
        yamltree_free(t);
        return NULL;
    }
    return t;
}

struct mw_yamltree *
yamltree_parse(const char *text, size_t len, const char *path,
               const struct mw_yamltree_opts *o, struct mw_err *err)
{
    return tree_parse(xmemdup(text, len), len, path, o, err);
}

/* the whole file, in a buffer sized from its length where known */
static char *
read_all(FILE *f, const char *path, const struct mw_yamltree_opts *o,
         size_t *len, struct mw_err *err)
{
    struct stat st;
    size_t cap = 4096, n = 0;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (uintmax_t)st.st_size < o->max_size)
        cap = (size_t)st.st_size + 1; /* + 1: end of file without growing */
    if (cap > o->max_size)
        cap = o->max_size;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap >= o->max_size) {
                err_set(err, path, "%s", o->size_msg);
                free(buf);
                return NULL;
            }
            cap = cap < o->max_size / 2 ? 2 * cap : o->max_size;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        err_set_errno(err, path, errno, "%s", o->read_msg);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

struct mw_yamltree *
yamltree_load(const char *path, const struct mw_yamltree_opts *o,
              struct mw_err *err)
{
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set_errno(err, path, errno, "%s", o->open_msg);
        return NULL;
    }
    char *text = read_all(f, path, o, &len, err);
    fclose(f);
    if (!text)
        return NULL;
    return tree_parse(text, len, path, o, err);
}

/* ---------------------------------------------------------- lookups */

const char *
yamltree_kind_name(const struct mw_ynode *n)
{
    return n->kind == MW_YKIND_MAP   ? "a mapping"
           : n->kind == MW_YKIND_SEQ ? "a list"
                                     : "a string";
}

bool
yamltree_is(const struct mw_ynode *n, const char *s)
{
    return n->kind == MW_YKIND_SCALAR && strcmp(n->val, s) == 0;
}

const struct mw_ynode *
yamltree_get(const struct mw_ynode *map, const char *s)
{
    if (map->kind != MW_YKIND_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (yamltree_is(map->kids[i], s))
            return map->kids[i + 1];
    return NULL;
}

const struct mw_ynode *
yamltree_key_before(const struct mw_ynode *map, size_t i)
{
    const struct mw_ynode *k = map->kids[i];
    for (size_t j = 0; j < i; j += 2)
        if (map->kids[j]->kind == MW_YKIND_SCALAR &&
            map->kids[j]->len == k->len &&
            memcmp(map->kids[j]->val, k->val, k->len) == 0)
            return map->kids[j];
    return NULL;
}

/* ------------------------------------------- positions within values */

static size_t
utf8_len(unsigned char c)
{
    return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* byte offset in the file of a 1-based line and character column */
static size_t
offset_of_pos(const struct mw_yamltree *t, struct mw_pos pos)
{
    size_t i = 0;
    unsigned long line = 1, col = 1;
    if (t->len >= 3 && memcmp(t->text, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* libyaml skips a BOM */
    for (; i < t->len && line < pos.line; i++)
        if (t->text[i] == '\n')
            line++;
    for (; i < t->len && col < pos.column; col++)
        i += utf8_len((unsigned char)t->text[i]);
    return i < t->len ? i : t->len;
}

static int
hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* bytes of value produced by the double-quoted escape at s[0] == '\\' and
 * the source bytes it spans; 0 when unknown */
static size_t
dq_escape(const char *s, size_t avail, size_t *srclen)
{
    size_t hex = 0;
    if (avail < 2)
        return 0;
    switch (s[1]) {
    case 'x':
        hex = 2;
        break;
    case 'u':
        hex = 4;
        break;
    case 'U':
        hex = 8;
        break;
    case 'N':
    case '_':
        *srclen = 2;
        return 2; /* U+0085, U+00A0 */
    case 'L':
    case 'P':
        *srclen = 2;
        return 3; /* U+2028, U+2029 */
    default:
        *srclen = 2;
        return 1;
    }
    if (avail < 2 + hex)
        return 0;
    unsigned long cp = 0;
    for (size_t i = 0; i < hex; i++) {
        int d = hex_digit(s[2 + i]);
        if (d < 0)
            return 0;
        cp = cp * 16 + (unsigned long)d;
    }
    *srclen = 2 + hex;
    return hex == 2 || cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

struct mw_pos
yamltree_value_pos(const struct mw_yamltree *t, const struct mw_ynode *n,
                   size_t off)
{
    struct mw_pos pos = n->pos;
    bool sq = n->style == MW_YSTYLE_SINGLE;
    bool dq = n->style == MW_YSTYLE_DOUBLE;
    if (n->end_line != n->pos.line ||
        !(sq || dq || n->style == MW_YSTYLE_PLAIN))
        return n->pos;
    size_t s = offset_of_pos(t, n->pos) + (sq || dq);
    size_t v = 0;
    pos.column += sq || dq;
    while (v < off && v < n->len && s < t->len) {
        const char *src = t->text + s;
        size_t avail = t->len - s, vlen = 1, slen = 1, chars = 1;
        if (sq && avail >= 2 && src[0] == '\'' && src[1] == '\'') {
            slen = 2;
            chars = 2;
        } else if (dq && src[0] == '\\') {
            vlen = dq_escape(src, avail, &slen);
            chars = slen;
            if (vlen == 0)
                return n->pos;
        } else {
            vlen = slen = utf8_len((unsigned char)*src);
            if (slen > avail || slen > n->len - v ||
                memcmp(src, n->val + v, slen) != 0)
                return n->pos; /* lost track: best effort */
        }
        s += slen;
        v += vlen;
        pos.column += chars;
    }
    return pos;
}
