#include "config.h"

#include "render_html_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "window.h"
#include "xalloc.h"

/* The timeline of the HTML page: one inline SVG bar chart per category,
 * with the count scale, UTC time ticks, the peak window in red and the
 * onset of the rise dashed. */

#define HTML_CHART_COLS 240 /* most bars per chart */
#define HTML_CHART_W    1000
#define HTML_CHART_H    158
#define HTML_PLOT_X0    52 /* room for the count labels */
#define HTML_PLOT_X1    990
#define HTML_PLOT_Y0    40  /* room for the onset and peak labels */
#define HTML_PLOT_Y1    130 /* base line; time labels below */
/* axis labels */
#define HTML_AXIS "font-size=\"12\" fill=\"#4a5466\""
/* peak and onset labels: bold, with a white halo over bars and lines */
#define HTML_MARK                                                              \
    "paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"4\" "               \
    "font-size=\"12\" font-weight=\"600\" "

/* x >= 0 with one decimal, whatever LC_NUMERIC says (out: 24) */
static const char *
dec1(char *out, double x)
{
    long v = x > 0.0 ? (long)(x * 10.0 + 0.5) : 0;
    snprintf(out, 24, "%ld.%ld", v / 10, v % 10);
    return out;
}

/* One chart: a long series is squeezed into columns, each showing its
 * busiest window, so that heights stay hits per window like the peak. */
struct chart {
    const struct mw_sum_category *c;
    size_t ncols;
    uint64_t *col; /* ncols maxima */
    uint64_t max;  /* busiest column */
    int64_t t0, span;
    size_t peak_col;
    bool has_onset;
    int64_t mark; /* the onset, or the first hit without one */
};

static double
chart_x(const struct chart *ch, int64_t t)
{
    double f = (double)(t - ch->t0) / (double)ch->span;
    if (f < 0.0)
        f = 0.0;
    if (f > 1.0)
        f = 1.0;
    return HTML_PLOT_X0 + f * (HTML_PLOT_X1 - HTML_PLOT_X0);
}

static void
chart_init(struct chart *ch, const struct mw_summary *s,
           const struct mw_sum_category *c)
{
    uint64_t *v = xcalloc(c->nseries, sizeof *v);
    struct mw_burst bu;

    memset(ch, 0, sizeof *ch);
    ch->c = c;
    ch->ncols = c->nseries < HTML_CHART_COLS ? c->nseries : HTML_CHART_COLS;
    ch->col = xcalloc(ch->ncols, sizeof *ch->col);
    ch->t0 = c->series[0].start;
    ch->span = s->window > 0 ? (int64_t)c->nseries * s->window
                             : c->series[c->nseries - 1].start - ch->t0 + 1;
    if (ch->span <= 0)
        ch->span = 1;
    for (size_t i = 0; i < c->nseries; i++) {
        size_t k = (size_t)((unsigned long long)i * ch->ncols / c->nseries);
        v[i] = c->series[i].count;
        if (v[i] > ch->col[k])
            ch->col[k] = v[i];
        if (ch->col[k] > ch->max)
            ch->max = ch->col[k];
        if (c->series[i].start == c->peak.start && c->peak.count)
            ch->peak_col = k;
    }
    window_detect(v, c->nseries, &bu);
    ch->has_onset = bu.has_onset;
    ch->mark = bu.has_onset ? c->series[bu.onset].start : c->first;
    free(v);
}

/* a text label centred on x, or starting or ending there when centred it
 * would leave the chart (a 12px character is at most about 7 units wide) */
static void
chart_label(struct mw_buf *b, double x, double y, const char *attrs,
            const char *text)
{
    double half = 3.5 * (double)strlen(text);
    const char *anchor = x - half < HTML_PLOT_X0 - 8 ? "start"
                         : x + half > HTML_CHART_W   ? "end"
                                                     : "middle";
    char xs[24], ys[24];
    buf_printf(b, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" %s>%s</text>",
               dec1(xs, x), dec1(ys, y), anchor, attrs, text);
}

/* time ticks: the smallest step giving at most 8 labels, aligned in UTC */
static void
chart_axis(struct mw_html *w, const struct chart *ch)
{
    static const int64_t steps[] = {60,    300,    600,    900,    1800,
                                    3600,  7200,   10800,  21600,  43200,
                                    86400, 172800, 604800, 2592000};
    int64_t step = steps[sizeof steps / sizeof steps[0] - 1];
    char a[40], xs[24];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (ch->span / steps[i] <= 8) {
            step = steps[i];
            break;
        }
    int64_t t = window_floor_div(ch->t0 + step - 1, step) * step;
    for (; t <= ch->t0 + ch->span; t += step) {
        double x = chart_x(ch, t);
        struct tm tm;
        render_html_gmtime(t, &tm);
        if (w->multi_day && tm.tm_hour == 0 && tm.tm_min == 0)
            snprintf(a, sizeof a, "%s %d", render_html_month(tm.tm_mon),
                     tm.tm_mday);
        else
            snprintf(a, sizeof a, "%02d:%02d", tm.tm_hour, tm.tm_min);
        buf_printf(w->b,
                   "<line x1=\"%s\" x2=\"%s\" y1=\"%d\" y2=\"%d\" "
                   "stroke=\"#94a3b8\"/>",
                   dec1(xs, x), xs, HTML_PLOT_Y1, HTML_PLOT_Y1 + 5);
        chart_label(w->b, x, HTML_PLOT_Y1 + 19, HTML_AXIS, a);
    }
    buf_printf(w->b, "<text x=\"0\" y=\"%d\" %s>UTC</text>", HTML_PLOT_Y1 + 19,
               HTML_AXIS);
}

/* grid, the count scale and the base line */
static void
chart_frame(struct mw_html *w, const struct chart *ch)
{
    char n[32];
    buf_printf(w->b,
               "<path stroke=\"#e2e8f0\" d=\"M%d %dH%d\"/><path "
               "stroke=\"#e2e8f0\" stroke-dasharray=\"4 4\" d=\"M%d %dH%d\"/>",
               HTML_PLOT_X0, HTML_PLOT_Y0, HTML_PLOT_X1, HTML_PLOT_X0,
               (HTML_PLOT_Y0 + HTML_PLOT_Y1) / 2, HTML_PLOT_X1);
    buf_printf(w->b,
               "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" %s>%s</text>"
               "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" %s>0</text>",
               HTML_PLOT_X0 - 8, HTML_PLOT_Y0 + 4, HTML_AXIS,
               render_count(n, ch->max), HTML_PLOT_X0 - 8, HTML_PLOT_Y1 + 4,
               HTML_AXIS);
}

/* all bars as one path, the peak column drawn on top in red */
static void
chart_bars(struct mw_html *w, const struct chart *ch)
{
    double cw = (double)(HTML_PLOT_X1 - HTML_PLOT_X0) / (double)ch->ncols;
    double bw = cw > 3.0 ? cw * 0.82 : cw;
    double ph = HTML_PLOT_Y1 - HTML_PLOT_Y0, h, x;
    char n[32], a[40], label[96], xs[24], ws[24], hs[24];

    buf_puts(w->b, "<path fill=\"#64748b\" d=\"");
    for (size_t k = 0; k < ch->ncols; k++) {
        if (!ch->col[k] || (k == ch->peak_col && ch->c->peak.count))
            continue;
        h = (double)ch->col[k] * ph / (double)ch->max;
        buf_printf(w->b, "M%s %dh%sv-%sh-%sz",
                   dec1(xs, HTML_PLOT_X0 + (double)k * cw), HTML_PLOT_Y1,
                   dec1(ws, bw), dec1(hs, h < 1.5 ? 1.5 : h), ws);
    }
    buf_puts(w->b, "\"/>");
    if (!ch->c->peak.count || !ch->max)
        return;
    h = (double)ch->col[ch->peak_col] * ph / (double)ch->max;
    h = h < 1.5 ? 1.5 : h;
    x = HTML_PLOT_X0 + (double)ch->peak_col * cw;
    buf_printf(w->b,
               "<rect fill=\"#dc2626\" x=\"%s\" y=\"%s\" width=\"%s\" "
               "height=\"%s\"/>",
               dec1(xs, x), dec1(a, HTML_PLOT_Y1 - h), dec1(ws, bw),
               dec1(hs, h));
    snprintf(label, sizeof label, "peak %s at %s",
             render_count(n, ch->c->peak.count),
             render_html_time(w, a, ch->c->peak.start, false));
    chart_label(w->b, x + bw / 2, HTML_PLOT_Y1 - h - 5,
                HTML_MARK "fill=\"#b91c1c\"", label);
}

/* dashed line at the onset (or the first hit when there is no burst) */
static void
chart_onset(struct mw_html *w, const struct chart *ch)
{
    char a[40], label[64], xs[24];
    double x = chart_x(ch, ch->mark);
    buf_printf(w->b,
               "<path stroke=\"#d97706\" stroke-width=\"1.5\" "
               "stroke-dasharray=\"5 3\" d=\"M%s %dV%d\"/>",
               dec1(xs, x), HTML_PLOT_Y0 - 20, HTML_PLOT_Y1);
    snprintf(label, sizeof label, "%s %s", ch->has_onset ? "onset" : "first",
             render_html_time(w, a, ch->mark, false));
    chart_label(w->b, x, HTML_PLOT_Y0 - 24, HTML_MARK "fill=\"#b45309\"",
                label);
}

static void
put_chart(struct mw_html *w, const struct mw_sum_category *c)
{
    struct chart ch;
    char n[32];
    if (!c->nseries)
        return;
    chart_init(&ch, w->s, c);
    buf_puts(w->b, "<div class=\"card chart\">\n<h3><span class=\"mono\">");
    render_html_esc(w->b, c->category);
    buf_printf(w->b, "</span><span>%s hit%s", render_count(n, c->count),
               c->count == 1 ? "" : "s");
    if (c->clients)
        buf_printf(w->b, " &middot; %zu client%s", c->clients,
                   c->clients == 1 ? "" : "s");
    buf_puts(w->b, " &middot; ");
    render_html_range(w, c->first, c->last);
    buf_puts(w->b, " UTC</span></h3>\n");
    buf_printf(w->b,
               "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "role=\"img\" aria-label=\"",
               HTML_CHART_W, HTML_CHART_H, HTML_CHART_W, HTML_CHART_H);
    render_html_esc(w->b, c->category);
    buf_puts(w->b, " per window\">");
    chart_frame(w, &ch);
    chart_bars(w, &ch);
    chart_onset(w, &ch);
    chart_axis(w, &ch);
    buf_printf(w->b,
               "<path stroke=\"#475569\" d=\"M%d %dH%d\"/></svg>\n</div>\n",
               HTML_PLOT_X0, HTML_PLOT_Y1, HTML_PLOT_X1);
    free(ch.col);
}

void
render_html_timeline(struct mw_html *w)
{
    const struct mw_summary *s = w->s;
    char d[32];
    if (!s->ncategories || !s->has_span)
        return;
    buf_puts(w->b, "<h2 id=\"timeline\">Timeline <span class=\"muted\">");
    if (s->window > 0)
        buf_printf(w->b, "hits per %s window, UTC; ",
                   render_html_duration(d, s->window));
    buf_puts(w->b, "busiest window in red, onset of the rise dashed"
                   "</span></h2>\n");
    for (size_t i = 0; i < s->ncategories; i++)
        put_chart(w, &s->categories[i]);
}
