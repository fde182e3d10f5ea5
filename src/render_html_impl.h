/* Private to the HTML renderer: render_html.c (the page), render_html_chart.c
 * (the inline SVG timeline) and render_html_fmt.c (the formatters both
 * use). Every string of the summary goes through escape_html; numbers and
 * times are formatted without the locale, times in UTC. */
#ifndef MW_RENDER_HTML_IMPL_H
#define MW_RENDER_HTML_IMPL_H

#include "agg.h"
#include "buf.h"
#include "render_backends.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* the renderer's state: the options of the run */
struct mw_html_state {
    FILE *out;
    size_t top;
    int64_t now;
    const char *version;
};

/* one page being written */
struct mw_html {
    const struct mw_html_state *o;
    struct mw_buf *b;
    const struct mw_summary *s;
    bool multi_day; /* the span covers more than one UTC date */
};

/* ---- render_html_fmt.c ---------------------------------------------- */

/* s escaped (nothing when s is NULL) */
void render_html_esc(struct mw_buf *b, const char *s);
/* markup, escaped text, markup */
void render_html_wrap(struct mw_buf *b, const char *pre, const char *s,
                      const char *post);
/* "5 min", "1 h", "2 days" into out (32 bytes); returns out */
const char *render_html_duration(char *out, int64_t s);
/* the UTC time of epoch seconds t (all zero when out of range) */
void render_html_gmtime(int64_t t, struct tm *tm);
/* "Jan" .. "Dec" for tm_mon */
const char *render_html_month(int mon);
/* "09:12", or "Nov 22 09:12" when the page spans several days; with full,
 * "2026-11-22 09:12" into out (40 bytes); returns out */
const char *render_html_time(const struct mw_html *w, char *out, int64_t t,
                             bool full);
/* "07:48 &ndash; 08:31", "Nov 20 14:05 &ndash; 14:44", or one time when
 * both ends fall in one minute */
void render_html_range(const struct mw_html *w, int64_t a, int64_t z);

/* ---- render_html_chart.c -------------------------------------------- */

/* The timeline section: a bar chart per category (nothing without
 * categories or a span). */
void render_html_timeline(struct mw_html *w);

#endif
