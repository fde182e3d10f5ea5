/* A YAML file as a tree of nodes that remember where they start, for the
 * loaders of rule and catalog files, which check the tree key by key and
 * report every error as PATH:LINE:COLUMN.
 *
 * The file is parsed with libyaml's event API. Nodes and their strings
 * live in an arena owned by the tree: a few large blocks, freed at once by
 * yamltree_free. Aliases and more than one document are refused; so is
 * nesting deeper than the loader allows. */
#ifndef MW_YAMLTREE_H
#define MW_YAMLTREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* a position in a file: 1-based line and column, the column counted in
 * characters (UTF-8 sequences) */
struct mw_pos {
    unsigned long line;
    unsigned long column;
};

enum mw_ykind { MW_YKIND_SCALAR, MW_YKIND_SEQ, MW_YKIND_MAP };

/* how a scalar was written; MW_YSTYLE_NONE for sequences and mappings */
enum mw_ystyle {
    MW_YSTYLE_NONE,
    MW_YSTYLE_PLAIN,
    MW_YSTYLE_SINGLE, /* 'single-quoted' */
    MW_YSTYLE_DOUBLE, /* "double-quoted" */
    MW_YSTYLE_LITERAL,
    MW_YSTYLE_FOLDED
};

/* One node; everything it points to belongs to its tree. */
struct mw_ynode {
    enum mw_ykind kind;
    enum mw_ystyle style;
    struct mw_pos pos;      /* where the node starts */
    unsigned long end_line; /* line of its end */
    const char *val;        /* scalar bytes, NUL-terminated; "" otherwise */
    size_t len;             /* of val, which may hold NUL bytes */
    struct mw_ynode *const *kids; /* items, or key, value, key, value ... */
    size_t n;                     /* entries of kids */
};

/* What a loader accepts, and how its messages name things. */
struct mw_yamltree_opts {
    const char *doc_name; /* "rule file": "more than one YAML document in a
                             rule file" */
    int max_depth;        /* deepest nesting of sequences and mappings */
    size_t max_size;      /* a file of this many bytes or more is refused */
    const char *open_msg; /* reason when the file cannot be opened */
    const char *read_msg; /* reason when reading fails */
    const char *size_msg; /* reason when the file is too large */
};

struct mw_yamltree;

/* Read and parse the file at path. Returns an owned tree, or NULL with err
 * filled: the opts messages for file errors, "PATH:LINE:COL: yaml syntax
 * error: ..." and the like for the YAML. */
struct mw_yamltree *yamltree_load(const char *path,
                                  const struct mw_yamltree_opts *o,
                                  struct mw_err *err);
/* Like yamltree_load, on len bytes of text (copied) said to be from path. */
struct mw_yamltree *yamltree_parse(const char *text, size_t len,
                                   const char *path,
                                   const struct mw_yamltree_opts *o,
                                   struct mw_err *err);
/* Release the tree and every node of it; accepts NULL. */
void yamltree_free(struct mw_yamltree *t);

/* The top node, or NULL for a file without a document. */
const struct mw_ynode *yamltree_root(const struct mw_yamltree *t);

/* Fill err with "PATH:LINE:COL: reason" for a position of t's file and
 * return -1. */
int yamltree_fail(const struct mw_yamltree *t, struct mw_err *err,
                  struct mw_pos pos, const char *fmt, ...) MW_PRINTF(4, 5);
/* yamltree_fail with a va_list */
int yamltree_vfail(const struct mw_yamltree *t, struct mw_err *err,
                   struct mw_pos pos, const char *fmt, va_list ap)
    MW_PRINTF(4, 0);

/* Where byte off of scalar n's value is in the file: exact for one-line
 * plain, single- and double-quoted scalars, else the scalar's start. */
struct mw_pos yamltree_value_pos(const struct mw_yamltree *t,
                                 const struct mw_ynode *n, size_t off);

/* "a string", "a list" or "a mapping", for messages */
const char *yamltree_kind_name(const struct mw_ynode *n);
/* is n a scalar whose value, up to a NUL byte, is s? */
bool yamltree_is(const struct mw_ynode *n, const char *s);
/* the value of the first key s of mapping map, or NULL */
const struct mw_ynode *yamltree_get(const struct mw_ynode *map, const char *s);
/* an earlier key of mapping map with the same bytes as key kids[i], or
 * NULL */
const struct mw_ynode *yamltree_key_before(const struct mw_ynode *map,
                                           size_t i);

#endif
