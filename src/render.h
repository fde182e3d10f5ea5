/* Renderers: one backend per output format, in the table in render.c.
 * Streaming formats write in event(); summary formats in finish(). */
#ifndef MW_RENDER_H
#define MW_RENDER_H

#include "agg.h"
#include "rules.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mw_sink;

struct mw_render_opts {
    FILE *out;
    bool color;          /* ANSI colour allowed (text) */
    size_t top;          /* rows per table */
    int64_t now;         /* reference "now" */
    const char *version; /* program version for headers */
    /* --syslog-server: the syslog renderer hands each record to sink
     * (sink.h) instead of writing to out, with payload in MSG: NULL for the
     * log line, "cef" or "ndjson" */
    struct mw_sink *sink;
    const char *payload;
};

struct mw_renderer {
    const char *name;   /* "text", "json", "ndjson", ... */
    bool needs_summary; /* the pipeline must aggregate */
    void *(*open)(const struct mw_render_opts *o);
    /* one rule hit; path is the input path as given */
    int (*event)(void *st, const struct mw_event *ev, const char *path);
    int (*finish)(void *st, const struct mw_summary *s);
    void (*close)(void *st);
};

const struct mw_renderer *render_find(const char *name);
/* "text|json|ndjson" for --help and errors */
const char *render_names(void);

#endif
