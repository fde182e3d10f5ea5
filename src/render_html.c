#include "config.h"

#include "render_backends.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "window.h"
#include "xalloc.h"

/* --output html: the summary as one self-contained page, for a browser or
 * a mail attachment: inline CSS, inline SVG charts, no script, no fonts,
 * images or links outside the page (a Content-Security-Policy says so too,
 * should anything slip through). Times are UTC, so that a page mailed
 * across zones reads the same everywhere. Every string of the summary
 * goes through escape_html: log text can never become markup. Numbers are
 * formatted without the locale. */

#define HTML_CHART_COLS 240 /* most bars per chart */
#define HTML_CHART_W    1000
#define HTML_CHART_H    158
#define HTML_PLOT_X0    52 /* room for the count labels */
#define HTML_PLOT_X1    990
#define HTML_PLOT_Y0    40  /* room for the onset and peak labels */
#define HTML_PLOT_Y1    130 /* base line; time labels below */
#define HTML_CATS_SHOWN 3   /* categories named per client */
/* axis labels */
#define HTML_AXIS "font-size=\"12\" fill=\"#4a5466\""
/* peak and onset labels: bold, with a white halo over bars and lines */
#define HTML_MARK                                                              \
    "paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"4\" "               \
    "font-size=\"12\" font-weight=\"600\" "

struct html_state {
    FILE *out;
    size_t top;
    int64_t now;
    const char *version;
};

/* one page being written */
struct hw {
    const struct html_state *o;
    struct mw_buf *b;
    const struct mw_summary *s;
    bool multi_day; /* the span covers more than one UTC date */
};

static const char *const level_css[MW_LEVEL_COUNT] = {"info", "low", "medium",
                                                      "high", "critical"};
static const char *const level_tags[MW_LEVEL_COUNT] = {"INFO", "LOW", "MEDIUM",
                                                       "HIGH", "CRITICAL"};

static const char html_css[] =
    ":root{color-scheme:light}*{box-sizing:border-box}body{margin:0;"
    "background:#eef1f5;color:#1e2532;font:15px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}main{max-width:1120px;"
    "margin:0 auto;padding:24px 20px 48px}h1{font-size:26px;margin:0 0 4px}"
    "h2{font-size:19px;margin:36px 0 12px;padding-bottom:6px;"
    "border-bottom:2px solid #cfd6e0}h3{font-size:16px;margin:0 0 6px}"
    "a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}"
    "pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "'Liberation Mono',monospace;font-size:13px}.muted{color:#5d6778}"
    ".nowrap{white-space:nowrap}header{background:#1e2a3d;color:#f1f5fb;"
    "border-radius:10px;padding:20px 24px}header .muted,"
    ".facts dt{color:#b4bfd0}.facts{display:flex;flex-wrap:wrap;gap:10px 28px;"
    "margin:14px 0 6px}.facts dt,th{font-size:12px;text-transform:uppercase;"
    "letter-spacing:.05em}.facts dd{margin:0;font-size:17px;font-weight:600}"
    ".badge{display:inline-block;min-width:64px;text-align:center;"
    "padding:1px 8px;border-radius:4px;font-size:12px;font-weight:700;"
    "letter-spacing:.04em;color:#fff;vertical-align:1px}"
    ".lv-critical{background:#7f1d1d}.lv-high{background:#dc2626}"
    ".lv-medium{background:#c2410c}.lv-low{background:#2563eb}"
    ".lv-info{background:#64748b}.going{background:#fde68a;color:#713f12;"
    "min-width:0}.card{background:#fff;border:1px solid #d5dbe4;"
    "border-radius:8px;padding:14px 18px;margin:0 0 14px}"
    ".bl-info{border-left:5px solid #64748b}"
    ".bl-low{border-left:5px solid #2563eb}"
    ".bl-medium{border-left:5px solid #c2410c}"
    ".bl-high{border-left:5px solid #dc2626}"
    ".bl-critical{border-left:5px solid #7f1d1d}.rank,.meta,.loc,"
    "footer{color:#5d6778}.rank{margin-right:6px}.meta{margin:0 0 8px;"
    "font-size:14px}.fd{display:grid;grid-template-columns:90px 1fr;"
    "gap:4px 12px;margin:0}.fd dt{font-weight:600;color:#3b4556}"
    ".fd dd{margin:0}.ip{display:inline-block;background:#eef2f7;"
    "border-radius:3px;padding:0 5px;margin:1px 2px 1px 0}.ev{list-style:none;"
    "margin:10px 0 0;padding:0}.ev li{margin:0 0 6px}.loc{font-size:12px}"
    "pre{margin:2px 0 0;padding:7px 10px;background:#111827;color:#e5e7eb;"
    "border-radius:5px;white-space:pre-wrap;overflow-wrap:anywhere;"
    "line-height:1.45}table{border-collapse:collapse;width:100%;"
    "background:#fff;border:1px solid #d5dbe4;font-size:14px;"
    "margin-bottom:14px}th,td{text-align:left;padding:6px 10px;"
    "border-bottom:1px solid #e5e9ef;vertical-align:top}th{background:#f5f7fa;"
    "color:#4a5466}.num{text-align:right;white-space:nowrap}"
    "td.wrap{overflow-wrap:anywhere}.bar{display:inline-block;height:8px;"
    "background:#94a3b8;border-radius:2px;margin-left:6px}"
    ".chart h3{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline}"
    ".chart h3 span{font-weight:400;font-size:14px}"
    ".chart h3 .mono{font-weight:700;font-size:15px}.chart svg{display:block;"
    "width:100%;height:auto;font-family:system-ui,-apple-system,'Segoe UI',"
    "Roboto,Arial,sans-serif}footer{margin-top:36px;font-size:13px}"
    "@media print{body{background:#fff}.card,tr{break-inside:avoid}}";

/* ---- small formatters ----------------------------------------------- */

static void
put_esc(struct mw_buf *b, const char *s)
{
    if (s)
        escape_html(b, s, strlen(s));
}

/* markup, escaped text, markup */
static void
put_wrap(struct mw_buf *b, const char *pre, const char *s, const char *post)
{
    buf_puts(b, pre);
    put_esc(b, s);
    buf_puts(b, post);
}

/* 12345 -> "12,345" (out: 32 bytes) */
static const char *
fmt_count(char *out, uint64_t n)
{
    char d[24];
    int len = snprintf(d, sizeof d, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = d[i];
    }
    out[o] = '\0';
    return out;
}

/* "5 min", "1 h", "2 days" (out: 32) */
static const char *
fmt_duration(char *out, int64_t s)
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

static void
utc_tm(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, tm))
        memset(tm, 0, sizeof *tm);
}

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "09:12", or "Nov 22 09:12" when the report spans several days; with
 * full, "2026-11-22 09:12" (out: 40) */
static const char *
fmt_utc(const struct hw *w, char *out, int64_t t, bool full)
{
    struct tm tm;
    utc_tm(t, &tm);
    if (full)
        snprintf(out, 40, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    else if (w->multi_day)
        snprintf(out, 40, "%s %d %02d:%02d", months[tm.tm_mon % 12], tm.tm_mday,
                 tm.tm_hour, tm.tm_min);
    else
        snprintf(out, 40, "%02d:%02d", tm.tm_hour, tm.tm_min);
    return out;
}

/* "07:48 &ndash; 08:31", "Nov 20 14:05 &ndash; 14:44", or one time when
 * both ends fall in one minute */
static void
put_range(const struct hw *w, int64_t a, int64_t z)
{
    char sa[40], sz[40];
    size_t day = strlen(fmt_utc(w, sa, a, false)) - 5; /* "Nov 20 " */
    fmt_utc(w, sz, z, false);
    if (strcmp(sa, sz) == 0)
        buf_puts(w->b, sa);
    else
        buf_printf(w->b, "%s &ndash; %s", sa,
                   strncmp(sa, sz, day) == 0 ? sz + day : sz);
}

/* x >= 0 with one decimal, whatever LC_NUMERIC says (out: 24) */
static const char *
dec1(char *out, double x)
{
    long v = x > 0.0 ? (long)(x * 10.0 + 0.5) : 0;
    snprintf(out, 24, "%ld.%ld", v / 10, v % 10);
    return out;
}

static unsigned
level_of(enum mw_level l)
{
    return (unsigned)l < MW_LEVEL_COUNT ? (unsigned)l : 0;
}

static void
put_badge(struct mw_buf *b, enum mw_level l)
{
    unsigned lv = level_of(l);
    buf_printf(b, "<span class=\"badge lv-%s\">%s</span>", level_css[lv],
               level_tags[lv]);
}

/* ---- header --------------------------------------------------------- */

/* "maillog-why: 3 findings" */
static void
put_headline(struct hw *w)
{
    char n[32];
    size_t k = w->s->nfindings;
    if (k)
        buf_printf(w->b, "maillog-why: %s finding%s", fmt_count(n, k),
                   k == 1 ? "" : "s");
    else
        buf_puts(w->b, "maillog-why: no failures found");
}

static void
put_head(struct hw *w)
{
    buf_puts(w->b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, "
                   "initial-scale=1\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" "
                   "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                   "img-src data:\">\n"
                   "<meta name=\"generator\" content=\"maillog-why ");
    put_esc(w->b, w->o->version);
    buf_puts(w->b, "\">\n<title>");
    put_headline(w);
    buf_puts(w->b, "</title>\n<style>");
    buf_puts(w->b, html_css);
    buf_puts(w->b, "</style>\n</head>\n<body>\n<main>\n");
}

static void
put_fact(struct hw *w, const char *label, const char *value)
{
    buf_printf(w->b, "<div><dt>%s</dt><dd>%s</dd></div>", label, value);
}

/* "3 high, 5 medium, ..." as badges, most severe first */
static void
put_level_tally(struct hw *w)
{
    size_t count[MW_LEVEL_COUNT] = {0};
    for (size_t i = 0; i < w->s->nfindings; i++)
        count[level_of(w->s->findings[i].level)]++;
    for (int lv = MW_LEVEL_COUNT - 1; lv >= 0; lv--)
        if (count[lv])
            buf_printf(w->b, " <span class=\"badge lv-%s\">%zu %s</span>",
                       level_css[lv], count[lv], level_tags[lv]);
}

static void
put_header(struct hw *w)
{
    const struct mw_summary *s = w->s;
    char n[32], a[40], z[40], v[96];
    uint64_t pm = s->lines ? s->matched * 1000 / s->lines : 0;

    buf_puts(w->b, "<header>\n<h1>");
    put_headline(w);
    buf_puts(w->b, "</h1>\n<div>");
    put_level_tally(w);
    buf_puts(w->b, "</div>\n<dl class=\"facts\">");
    if (s->has_span) {
        snprintf(v, sizeof v, "%s &ndash; %s UTC",
                 fmt_utc(w, a, s->span_start, true),
                 fmt_utc(w, z, s->span_end, w->multi_day));
        put_fact(w, "Period", v);
    }
    snprintf(v, sizeof v, "%s in %zu file%s", fmt_count(n, s->lines),
             s->ninputs, s->ninputs == 1 ? "" : "s");
    put_fact(w, "Lines read", v);
    snprintf(v, sizeof v, "%s (%llu.%llu%%)", fmt_count(n, s->matched),
             (unsigned long long)(pm / 10), (unsigned long long)(pm % 10));
    put_fact(w, "Rule hits", v);
    put_fact(w, "Clients", fmt_count(n, s->nclients_total));
    if (s->has_span && s->window > 0)
        put_fact(w, "Window", fmt_duration(v, s->window));
    buf_printf(w->b,
               "</dl>\n<div class=\"muted\">Generated %s UTC by "
               "maillog-why ",
               fmt_utc(w, a, w->o->now, true));
    put_esc(w->b, w->o->version);
    buf_puts(w->b, "</div>\n</header>\n");
}

/* ---- findings ------------------------------------------------------- */

/* "from 07:48 to 08:30, burst from 07:45, peak 08:20 with 45 in 5 min" */
static void
put_when(struct hw *w, const struct mw_sum_finding *f)
{
    char a[40], z[40], n[32], d[32];
    if (f->ongoing)
        buf_printf(w->b, "since %s", fmt_utc(w, a, f->start, false));
    else if (f->end <= f->start)
        buf_printf(w->b, "at %s", fmt_utc(w, a, f->start, false));
    else
        buf_printf(w->b, "from %s to %s", fmt_utc(w, a, f->start, false),
                   fmt_utc(w, z, f->end, false));
    buf_puts(w->b, " UTC");
    if (f->onset > f->start)
        buf_printf(w->b, ", burst from %s", fmt_utc(w, a, f->onset, false));
    if (f->peak.count > 0 && f->peak.count < f->count && w->s->window > 0)
        buf_printf(w->b, ", peak %s with %s in %s",
                   fmt_utc(w, a, f->peak.start, false),
                   fmt_count(n, f->peak.count), fmt_duration(d, w->s->window));
    if (f->ongoing)
        buf_puts(w->b, " <span class=\"badge going\">still going</span>");
}

static void
put_overview(struct hw *w)
{
    const struct mw_summary *s = w->s;
    char n[32];
    buf_puts(w->b, "<table class=\"overview\">\n<thead><tr><th>#</th>"
                   "<th>Level</th><th>Finding</th><th>Category</th>"
                   "<th class=\"num\">Hits</th><th>When (UTC)</th></tr>"
                   "</thead>\n<tbody>\n");
    for (size_t i = 0; i < s->nfindings; i++) {
        const struct mw_sum_finding *f = &s->findings[i];
        buf_printf(w->b, "<tr><td>%zu</td><td>", i + 1);
        put_badge(w->b, f->level);
        buf_printf(w->b, "</td><td><a href=\"#f%zu\">", i + 1);
        put_wrap(w->b, "", f->title ? f->title : f->id,
                 "</a></td><td class=\"mono\">");
        put_esc(w->b, f->category);
        buf_printf(w->b, "</td><td class=\"num\">%s</td><td class=\"nowrap\">",
                   fmt_count(n, f->count));
        if (s->has_span)
            put_range(w, f->start, f->end);
        buf_puts(w->b, "</td></tr>\n");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

static void
put_clients_of(struct hw *w, const struct mw_sum_finding *f)
{
    char n[32];
    size_t total =
        f->nclients_total > f->nclients ? f->nclients_total : f->nclients;
    for (size_t i = 0; i < f->nclients; i++) {
        put_wrap(w->b, "<span class=\"ip mono\">",
                 f->clients[i] ? f->clients[i] : "?", "</span> ");
    }
    if (total > f->nclients)
        buf_printf(w->b, "and %s more", fmt_count(n, total - f->nclients));
}

static void
put_evidence(struct hw *w, const struct mw_sum_finding *f)
{
    if (!f->nevidence)
        return;
    buf_puts(w->b, "<ol class=\"ev\">\n");
    for (size_t i = 0; i < f->nevidence; i++) {
        const struct mw_sum_evidence *e = &f->evidence[i];
        put_wrap(w->b, "<li><span class=\"loc mono\">", e->path ? e->path : "-",
                 "");
        buf_printf(w->b, ":%llu</span><pre>", (unsigned long long)e->line);
        if (e->text)
            escape_html(w->b, e->text, e->text_len);
        buf_puts(w->b, "</pre></li>\n");
    }
    buf_puts(w->b, "</ol>\n");
}

static void
put_finding(struct hw *w, size_t i, const struct mw_sum_finding *f)
{
    char n[32];
    unsigned lv = level_of(f->level);

    buf_printf(w->b,
               "<section class=\"card bl-%s\" id=\"f%zu\">\n"
               "<h3><span class=\"rank\">%zu.</span>",
               level_css[lv], i + 1, i + 1);
    put_badge(w->b, f->level);
    put_wrap(w->b, " ",
             f->title ? f->title
             : f->id  ? f->id
                      : "?",
             "</h3>\n<p class=\"meta\"><span class=\"mono\">");
    put_esc(w->b, f->category);
    buf_printf(w->b, "</span> &middot; %s hit%s", fmt_count(n, f->count),
               f->count == 1 ? "" : "s");
    if (f->confidence > 0.0 && f->confidence <= 1.0)
        buf_printf(w->b, " &middot; confidence %d%%",
                   (int)(f->confidence * 100.0 + 0.5));
    put_wrap(w->b, " &middot; <span class=\"mono\">", f->id,
             "</span></p>\n<dl class=\"fd\">\n");
    if (w->s->has_span) {
        buf_puts(w->b, "<dt>When</dt><dd>");
        put_when(w, f);
        buf_puts(w->b, "</dd>\n");
    }
    if (f->nclients) {
        buf_puts(w->b, "<dt>Clients</dt><dd>");
        put_clients_of(w, f);
        buf_puts(w->b, "</dd>\n");
    }
    if (f->cause && *f->cause)
        put_wrap(w->b, "<dt>Cause</dt><dd>", f->cause, "</dd>\n");
    if (f->fix && *f->fix)
        put_wrap(w->b, "<dt>Fix</dt><dd>", f->fix, "</dd>\n");
    buf_puts(w->b, "</dl>\n");
    put_evidence(w, f);
    buf_puts(w->b, "</section>\n");
}

static void
put_findings(struct hw *w)
{
    const struct mw_summary *s = w->s;
    if (!s->nfindings)
        return;
    buf_puts(w->b, "<h2 id=\"findings\">Findings "
                   "<span class=\"muted\">most important first</span></h2>\n");
    put_overview(w);
    for (size_t i = 0; i < s->nfindings; i++)
        put_finding(w, i, &s->findings[i]);
}

/* ---- timeline charts ------------------------------------------------ */

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
chart_axis(struct hw *w, const struct chart *ch)
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
        utc_tm(t, &tm);
        if (w->multi_day && tm.tm_hour == 0 && tm.tm_min == 0)
            snprintf(a, sizeof a, "%s %d", months[tm.tm_mon % 12], tm.tm_mday);
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
chart_frame(struct hw *w, const struct chart *ch)
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
               fmt_count(n, ch->max), HTML_PLOT_X0 - 8, HTML_PLOT_Y1 + 4,
               HTML_AXIS);
}

/* all bars as one path, the peak column drawn on top in red */
static void
chart_bars(struct hw *w, const struct chart *ch)
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
             fmt_count(n, ch->c->peak.count),
             fmt_utc(w, a, ch->c->peak.start, false));
    chart_label(w->b, x + bw / 2, HTML_PLOT_Y1 - h - 5,
                HTML_MARK "fill=\"#b91c1c\"", label);
}

/* dashed line at the onset (or the first hit when there is no burst) */
static void
chart_onset(struct hw *w, const struct chart *ch)
{
    char a[40], label[64], xs[24];
    double x = chart_x(ch, ch->mark);
    buf_printf(w->b,
               "<path stroke=\"#d97706\" stroke-width=\"1.5\" "
               "stroke-dasharray=\"5 3\" d=\"M%s %dV%d\"/>",
               dec1(xs, x), HTML_PLOT_Y0 - 20, HTML_PLOT_Y1);
    snprintf(label, sizeof label, "%s %s", ch->has_onset ? "onset" : "first",
             fmt_utc(w, a, ch->mark, false));
    chart_label(w->b, x, HTML_PLOT_Y0 - 24, HTML_MARK "fill=\"#b45309\"",
                label);
}

static void
put_chart(struct hw *w, const struct mw_sum_category *c)
{
    struct chart ch;
    char n[32];
    if (!c->nseries)
        return;
    chart_init(&ch, w->s, c);
    buf_puts(w->b, "<div class=\"card chart\">\n<h3><span class=\"mono\">");
    put_esc(w->b, c->category);
    buf_printf(w->b, "</span><span>%s hit%s", fmt_count(n, c->count),
               c->count == 1 ? "" : "s");
    if (c->clients)
        buf_printf(w->b, " &middot; %zu client%s", c->clients,
                   c->clients == 1 ? "" : "s");
    buf_puts(w->b, " &middot; ");
    put_range(w, c->first, c->last);
    buf_puts(w->b, " UTC</span></h3>\n");
    buf_printf(w->b,
               "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "role=\"img\" aria-label=\"",
               HTML_CHART_W, HTML_CHART_H, HTML_CHART_W, HTML_CHART_H);
    put_esc(w->b, c->category);
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

static void
put_timeline(struct hw *w)
{
    const struct mw_summary *s = w->s;
    char d[32];
    if (!s->ncategories || !s->has_span)
        return;
    buf_puts(w->b, "<h2 id=\"timeline\">Timeline <span class=\"muted\">");
    if (s->window > 0)
        buf_printf(w->b, "hits per %s window, UTC; ",
                   fmt_duration(d, s->window));
    buf_puts(w->b, "busiest window in red, onset of the rise dashed"
                   "</span></h2>\n");
    for (size_t i = 0; i < s->ncategories; i++)
        put_chart(w, &s->categories[i]);
}

/* ---- clients and coverage ------------------------------------------- */

/* the client's biggest categories, "auth.failure 148, connection.lost 65" */
static void
put_client_categories(struct hw *w, const struct mw_sum_client *c)
{
    size_t ncat = mw_category_count < 32 ? mw_category_count : 32;
    bool used[32] = {false};
    char n[32];
    for (int shown = 0; shown < HTML_CATS_SHOWN; shown++) {
        size_t best = ncat;
        for (size_t k = 0; k < ncat; k++)
            if (!used[k] && c->by_category[k] &&
                (best == ncat || c->by_category[k] > c->by_category[best]))
                best = k;
        if (best == ncat)
            break;
        used[best] = true;
        buf_printf(w->b, "%s<span class=\"mono\">%s</span> %s",
                   shown ? ", " : "", mw_categories[best],
                   fmt_count(n, c->by_category[best]));
    }
}

static void
put_clients(struct hw *w)
{
    const struct mw_summary *s = w->s;
    size_t shown = s->nclients < w->o->top ? s->nclients : w->o->top;
    char n[32];
    if (!shown)
        return;
    buf_printf(
        w->b,
        "<h2 id=\"clients\">Top clients <span class=\"muted\">"
        "%zu of %s</span></h2>\n",
        shown,
        fmt_count(n, s->nclients_total > shown ? s->nclients_total : shown));
    buf_puts(w->b, "<table>\n<thead><tr><th>Client</th><th class=\"num\">"
                   "Hits</th><th>First &ndash; last (UTC)</th>"
                   "<th>Categories</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < shown; i++) {
        const struct mw_sum_client *c = &s->clients[i];
        uint64_t pct =
            s->clients[0].count ? c->count * 100 / s->clients[0].count : 0;
        put_wrap(w->b, "<tr><td class=\"mono wrap\">", c->ip ? c->ip : "?", "");
        buf_printf(w->b,
                   "</td><td class=\"num\">%s<span class=\"bar\" "
                   "style=\"width:%llupx\"></span></td><td "
                   "class=\"nowrap\">",
                   fmt_count(n, c->count), (unsigned long long)(pct + 1));
        if (s->has_span)
            put_range(w, c->first, c->last);
        buf_puts(w->b, "</td><td>");
        put_client_categories(w, c);
        buf_puts(w->b, "</td></tr>\n");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

static void
put_inputs(struct hw *w)
{
    const struct mw_summary *s = w->s;
    char n[4][32];
    buf_puts(w->b, "<table>\n<thead><tr><th>Input</th><th>Dialect</th>"
                   "<th class=\"num\">Lines</th><th class=\"num\">Matched</th>"
                   "<th class=\"num\">Not parsed</th><th class=\"num\">Cut"
                   "</th><th>Status</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < s->ninputs; i++) {
        const struct mw_sum_input *in = &s->inputs[i];
        put_wrap(w->b, "<tr><td class=\"mono wrap\">",
                 in->path ? in->path : "-", "</td><td>");
        put_wrap(w->b, "", in->dialect ? in->dialect : "?", "</td>");
        buf_printf(w->b,
                   "<td class=\"num\">%s</td><td class=\"num\">%s</td>"
                   "<td class=\"num\">%s</td><td class=\"num\">%s</td>"
                   "<td>%s</td></tr>\n",
                   fmt_count(n[0], in->lines), fmt_count(n[1], in->matched),
                   fmt_count(n[2], in->unparsed),
                   fmt_count(n[3], in->truncated),
                   in->read_error ? "<b>read error</b>" : "ok");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

static void
put_coverage(struct hw *w)
{
    const struct mw_summary *s = w->s;
    char n[32];
    buf_puts(w->b, "<h2 id=\"coverage\">Coverage</h2>\n");
    put_inputs(w);
    if (!s->nunmatched)
        return;
    buf_puts(w->b, "<h3 style=\"margin-top:20px\">Most common lines without "
                   "a rule</h3>\n<table>\n<thead><tr><th class=\"num\">Lines"
                   "</th><th>Shape</th><th>Example</th></tr></thead>\n"
                   "<tbody>\n");
    for (size_t i = 0; i < s->nunmatched && i < w->o->top; i++) {
        const struct mw_sum_shape *u = &s->unmatched[i];
        buf_printf(w->b,
                   "<tr><td class=\"num\">%s</td><td class=\"mono wrap\">",
                   fmt_count(n, u->count));
        put_wrap(w->b, "", u->shape, "</td><td class=\"mono wrap muted\">");
        put_wrap(w->b, "", u->example, "</td></tr>\n");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

/* ---- the page ------------------------------------------------------- */

static void
html_page(struct hw *w)
{
    const struct mw_summary *s = w->s;
    if (s->has_span) {
        struct tm a, z;
        utc_tm(s->span_start, &a);
        utc_tm(s->span_end, &z);
        w->multi_day = a.tm_year != z.tm_year || a.tm_yday != z.tm_yday;
    }
    put_head(w);
    put_header(w);
    if (s->nfindings == 0)
        buf_puts(w->b, "<div class=\"card\" style=\"margin-top:20px\">"
                       "No rule found a failure in these logs.</div>\n");
    put_findings(w);
    put_timeline(w);
    put_clients(w);
    put_coverage(w);
    put_wrap(w->b, "<footer>maillog-why ", w->o->version, "");
    buf_puts(w->b, " &middot; times in UTC &middot; log text is shown as "
                   "written, with control and invalid bytes as \\xHH"
                   "</footer>\n</main>\n</body>\n</html>\n");
}

static void *
html_open(const struct mw_render_opts *o)
{
    struct html_state *st = xcalloc(1, sizeof *st);
    st->out = o->out;
    st->top = o->top ? o->top : 10;
    st->now = o->now;
    st->version = o->version ? o->version : "";
    return st;
}

static int
html_finish(void *state, const struct mw_summary *s)
{
    struct html_state *st = state;
    struct mw_buf b = {0};
    struct hw w = {.o = st, .b = &b, .s = s};
    html_page(&w);
    return render_finish_buf(st->out, &b);
}

/* the page is written by finish */
const struct mw_renderer render_html_backend = {
    "html", true, html_open, render_event_none, html_finish, render_close_free};
