/* Private to the renderer family: the backend objects listed in the table
 * in render.c, and small helpers the backends share. */
#ifndef MW_RENDER_BACKENDS_H
#define MW_RENDER_BACKENDS_H

#include "buf.h"
#include "render.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern const struct mw_renderer render_text_backend;
extern const struct mw_renderer render_json_backend;
extern const struct mw_renderer render_ndjson_backend;
extern const struct mw_renderer render_html_backend;
extern const struct mw_renderer render_cef_backend;
extern const struct mw_renderer render_syslog_backend;

/* Write all of b to out. -1 on a short write or a stream error (errno is
 * the writer's, e.g. EPIPE). */
int render_write(FILE *out, const struct mw_buf *b);
/* fflush(out); -1 on error */
int render_flush(FILE *out);
/* The end of a summary format's finish: write all of b to out, free b's
 * data and flush out. -1 on a write or flush error, as render_write. */
int render_finish_buf(FILE *out, struct mw_buf *b);
/* event of a summary format: nothing, the report is written by finish */
int render_event_none(void *state, const struct mw_event *ev, const char *path);
/* close of a backend whose state is one block from malloc: free(state) */
void render_close_free(void *state);
/* RFC 3339 UTC of epoch seconds ("2026-11-22T09:05:07Z"); out needs 40
 * bytes; returns the length */
size_t render_rfc3339(int64_t sec, char *out, size_t size);
/* 12345 -> "12,345", without the locale, into out (32 bytes); returns out */
const char *render_count(char *out, uint64_t n);
/* The indices (into mw_categories) of client c's at most k biggest
 * categories, biggest first (ties: lower index first), into out; returns
 * how many. */
size_t render_top_categories(const struct mw_sum_client *c, size_t k,
                             size_t *out);
/* Append a JSON string: quotes around escape_json(s, len). */
void render_json_str(struct mw_buf *b, const char *s, size_t len);
/* Same for a C string; NULL gives null. */
void render_json_cstr(struct mw_buf *b, const char *s);

#endif
