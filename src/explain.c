#include "config.h"

#include "explain.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain_impl.h"
#include "xalloc.h"

/* The text of --explain: one explanation per kind of term, wrapped to
 * TEXT_WIDTH columns (list items, which hold commands, to LIST_WIDTH). */

#define MAX_TERM   128
#define TEXT_WIDTH 79
#define LIST_WIDTH 99

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
put_items(struct mw_buf *b, const char *heading, const struct mw_xlist *l)
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
put_source(struct mw_buf *b, const struct mw_xentry *e)
{
    if (e->source)
        put_fmt(b, 2, "Source: %s", e->source);
}

/* ---- codes ---------------------------------------------------------- */

static void
put_code_body(const struct mw_explain *x, struct mw_buf *b,
              const struct mw_xentry *e)
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
    const struct mw_xentry *e = explain_find(x, MW_XK_REPLY, code);
    const struct mw_xentry *ce = explain_find(x, MW_XK_REPLY, ckey);
    const struct mw_xentry *de = explain_find(x, MW_XK_REPLY, dkey);
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
                 const struct mw_enh *c)
{
    char key[16], ckey[16], skey[16], gkey[16];
    bool cx = c->cls[0] == 'X', sx = c->subj[0] == 'X';
    const struct mw_xentry *e = NULL;
    snprintf(key, sizeof key, "%s.%s.%s", c->cls, c->subj, c->det);
    snprintf(ckey, sizeof ckey, "%s.X.X", c->cls);
    snprintf(skey, sizeof skey, "X.%s.X", c->subj);
    snprintf(gkey, sizeof gkey, "X.%s.0", c->subj);
    e = explain_find(x, MW_XK_ENHANCED, key);
    if (!e && !cx) { /* 5.7.1 is X.7.1 for class 5, 5.7.X is X.7.X */
        key[0] = 'X';
        e = explain_find(x, MW_XK_ENHANCED, key);
    }
    const struct mw_xentry *ce =
        cx ? NULL : explain_find(x, MW_XK_ENHANCED, ckey);
    const struct mw_xentry *se =
        sx ? NULL : explain_find(x, MW_XK_ENHANCED, skey);
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
    const struct mw_xentry *g = explain_find(x, MW_XK_ENHANCED, gkey);
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
list_has(const struct mw_xlist *l, const char *s)
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
    for (int k = MW_XK_REPLY; k <= MW_XK_ENHANCED; k++)
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
              const struct mw_xentry *e)
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
    const struct mw_xentry *e = explain_find(x, MW_XK_CATEGORY, name);
    const struct mw_xtable *t = &x->t[MW_XK_CAUSE];
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
    struct mw_enh c;
    char lower[4], cause[MAX_TERM + 8];
    if (strlen(w) == 3) {
        for (int i = 0; i < 4; i++)
            lower[i] = w[i] == 'X' ? 'x' : w[i];
        if (explain_reply_code_ok(lower))
            return explain_reply(x, b, lower);
    }
    if (explain_parse_enhanced(w, &c)) {
        char norm[16];
        snprintf(norm, sizeof norm, "%s.%s.%s", c.cls, c.subj, c.det);
        return explain_enhanced(x, b, norm, &c);
    }
    if (category_index(w) >= 0 || explain_find(x, MW_XK_CATEGORY, w)) {
        explain_category(x, rs, b, w);
        return true;
    }
    const struct mw_xentry *e = explain_find(x, MW_XK_CAUSE, w);
    snprintf(cause, sizeof cause, "cause.%s", w);
    if (!e)
        e = explain_find(x, MW_XK_CAUSE, cause);
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
    if (n > 4 && (w[3] == ' ' || w[3] == '-') && explain_is_digit(w[0])) {
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
