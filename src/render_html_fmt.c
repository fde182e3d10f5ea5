#include "config.h"

#include "render_html_impl.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"

/* Small formatters of the HTML page: escaped text, counts, durations and
 * UTC times, all without the locale. */

void
render_html_esc(struct mw_buf *b, const char *s)
{
    if (s)
        escape_html(b, s, strlen(s));
}

/* markup, escaped text, markup */
void
render_html_wrap(struct mw_buf *b, const char *pre, const char *s,
                 const char *post)
{
    buf_puts(b, pre);
    render_html_esc(b, s);
    buf_puts(b, post);
}

/* "5 min", "1 h", "2 days" (out: 32) */
const char *
render_html_duration(char *out, int64_t s)
{
    static const struct {
        int64_t n;
        const char *unit;
    } u[] = {{86400, "day"}, {3600, "h"}, {60, "min"}, {1, "s"}};
    size_t i = 0;
    while (i < 3 && !(s > 0 && s % u[i].n == 0))
        i++;
    snprintf(out, 32, "%lld %s%s", (long long)(s / u[i].n), u[i].unit,
             i == 0 && s != 86400 ? "s" : "");
    return out;
}

void
render_html_gmtime(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, tm))
        memset(tm, 0, sizeof *tm);
}

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

const char *
render_html_month(int mon)
{
    return months[mon % 12];
}

/* "09:12", or "Nov 22 09:12" when the report spans several days; with
 * full, "2026-11-22 09:12" (out: 40) */
const char *
render_html_time(const struct mw_html *w, char *out, int64_t t, bool full)
{
    struct tm tm;
    render_html_gmtime(t, &tm);
    if (full)
        snprintf(out, 40, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    else if (w->multi_day)
        snprintf(out, 40, "%s %d %02d:%02d", render_html_month(tm.tm_mon),
                 tm.tm_mday, tm.tm_hour, tm.tm_min);
    else
        snprintf(out, 40, "%02d:%02d", tm.tm_hour, tm.tm_min);
    return out;
}

/* "07:48 &ndash; 08:31", "Nov 20 14:05 &ndash; 14:44", or one time when
 * both ends fall in one minute */
void
render_html_range(const struct mw_html *w, int64_t a, int64_t z)
{
    char sa[40], sz[40];
    size_t day = strlen(render_html_time(w, sa, a, false)) - 5; /* "Nov 20 " */
    render_html_time(w, sz, z, false);
    if (strcmp(sa, sz) == 0)
        buf_puts(w->b, sa);
    else
        buf_printf(w->b, "%s &ndash; %s", sa,
                   strncmp(sa, sz, day) == 0 ? sz + day : sz);
}
