/* Private parts of the explanation catalog, shared by explain_load.c (the
 * data files) and explain.c (the text) only. */
#ifndef MW_EXPLAIN_IMPL_H
#define MW_EXPLAIN_IMPL_H

#include "explain.h"
#include "strpool.h"
#include "yamltree.h"
#include <stdbool.h>
#include <stddef.h>

enum mw_xkind {
    MW_XK_REPLY,
    MW_XK_ENHANCED,
    MW_XK_CATEGORY,
    MW_XK_CAUSE,
    MW_XK_COUNT
};

struct mw_xlist {
    const char **v; /* in the pool */
    struct mw_pos *pos;
    size_t n;
};

/* one code, category or cause; strings are in the catalog's pool */
struct mw_xentry {
    const char *key;
    const char *title, *source, *body, *admin;
    struct mw_xlist likely, check;
    struct mw_xlist links; /* cause ids (codes) or categories (causes) */
    const char *file;
    struct mw_pos pos;
};

struct mw_xtable {
    struct mw_xentry *v;
    size_t n, cap;
};

struct mw_explain {
    struct mw_strpool *pool;
    struct mw_xtable t[MW_XK_COUNT];
};

/* class, subject and detail of an enhanced status code; "X" for any */
struct mw_enh {
    char cls[2], subj[4], det[4];
};

/* the entry of kind k with this key, or NULL */
const struct mw_xentry *explain_find(const struct mw_explain *x,
                                     enum mw_xkind k, const char *key);
bool explain_is_digit(char c);
/* "535", or one digit explained: "5xx", "x5x" */
bool explain_reply_code_ok(const char *s);
/* "5.7.1", "X.7.1", "X.7.X", "5.X.X", "5.7.X" (lower-case x accepted,
 * upper-cased in e) */
bool explain_parse_enhanced(const char *s, struct mw_enh *e);

#endif
