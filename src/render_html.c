#include "config.h"

#include "render_html_impl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "xalloc.h"

/* --output html: the summary as one self-contained page, for a browser or
 * a mail attachment: inline CSS, inline SVG charts, no script, no fonts,
 * images or links outside the page (a Content-Security-Policy says so too,
 * should anything slip through). Times are UTC, so that a page mailed
 * across zones reads the same everywhere. Every string of the summary
 * goes through escape_html: log text can never become markup. Numbers are
 * formatted without the locale. */

#define HTML_CATS_SHOWN 3 /* categories named per client */

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
put_headline(struct mw_html *w)
{
    char n[32];
    size_t k = w->s->nfindings;
    if (k)
        buf_printf(w->b, "maillog-why: %s finding%s", render_count(n, k),
                   k == 1 ? "" : "s");
    else
        buf_puts(w->b, "maillog-why: no failures found");
}

static void
put_head(struct mw_html *w)
{
    buf_puts(w->b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, "
                   "initial-scale=1\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" "
                   "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                   "img-src data:\">\n"
                   "<meta name=\"generator\" content=\"maillog-why ");
    render_html_esc(w->b, w->o->version);
    buf_puts(w->b, "\">\n<title>");
    put_headline(w);
    buf_puts(w->b, "</title>\n<style>");
    buf_puts(w->b, html_css);
    buf_puts(w->b, "</style>\n</head>\n<body>\n<main>\n");
}

static void
put_fact(struct mw_html *w, const char *label, const char *value)
{
    buf_printf(w->b, "<div><dt>%s</dt><dd>%s</dd></div>", label, value);
}

/* "3 high, 5 medium, ..." as badges, most severe first */
static void
put_level_tally(struct mw_html *w)
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
put_header(struct mw_html *w)
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
                 render_html_time(w, a, s->span_start, true),
                 render_html_time(w, z, s->span_end, w->multi_day));
        put_fact(w, "Period", v);
    }
    snprintf(v, sizeof v, "%s in %zu file%s", render_count(n, s->lines),
             s->ninputs, s->ninputs == 1 ? "" : "s");
    put_fact(w, "Lines read", v);
    snprintf(v, sizeof v, "%s (%llu.%llu%%)", render_count(n, s->matched),
             (unsigned long long)(pm / 10), (unsigned long long)(pm % 10));
    put_fact(w, "Rule hits", v);
    put_fact(w, "Clients", render_count(n, s->nclients_total));
    if (s->has_span && s->window > 0)
        put_fact(w, "Window", render_html_duration(v, s->window));
    buf_printf(w->b,
               "</dl>\n<div class=\"muted\">Generated %s UTC by "
               "maillog-why ",
               render_html_time(w, a, w->o->now, true));
    render_html_esc(w->b, w->o->version);
    buf_puts(w->b, "</div>\n</header>\n");
}

/* ---- findings ------------------------------------------------------- */

/* "from 07:48 to 08:30, burst from 07:45, peak 08:20 with 45 in 5 min" */
static void
put_when(struct mw_html *w, const struct mw_sum_finding *f)
{
    char a[40], z[40], n[32], d[32];
    if (f->ongoing)
        buf_printf(w->b, "since %s", render_html_time(w, a, f->start, false));
    else if (f->end <= f->start)
        buf_printf(w->b, "at %s", render_html_time(w, a, f->start, false));
    else
        buf_printf(w->b, "from %s to %s",
                   render_html_time(w, a, f->start, false),
                   render_html_time(w, z, f->end, false));
    buf_puts(w->b, " UTC");
    if (f->onset > f->start)
        buf_printf(w->b, ", burst from %s",
                   render_html_time(w, a, f->onset, false));
    if (f->peak.count > 0 && f->peak.count < f->count && w->s->window > 0)
        buf_printf(w->b, ", peak %s with %s in %s",
                   render_html_time(w, a, f->peak.start, false),
                   render_count(n, f->peak.count),
                   render_html_duration(d, w->s->window));
    if (f->ongoing)
        buf_puts(w->b, " <span class=\"badge going\">still going</span>");
}

static void
put_overview(struct mw_html *w)
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
        render_html_wrap(w->b, "", f->title ? f->title : f->id,
                         "</a></td><td class=\"mono\">");
        render_html_esc(w->b, f->category);
        buf_printf(w->b, "</td><td class=\"num\">%s</td><td class=\"nowrap\">",
                   render_count(n, f->count));
        if (s->has_span)
            render_html_range(w, f->start, f->end);
        buf_puts(w->b, "</td></tr>\n");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

static void
put_clients_of(struct mw_html *w, const struct mw_sum_finding *f)
{
    char n[32];
    size_t total =
        f->nclients_total > f->nclients ? f->nclients_total : f->nclients;
    for (size_t i = 0; i < f->nclients; i++) {
        render_html_wrap(w->b, "<span class=\"ip mono\">",
                         f->clients[i] ? f->clients[i] : "?", "</span> ");
    }
    if (total > f->nclients)
        buf_printf(w->b, "and %s more", render_count(n, total - f->nclients));
}

static void
put_evidence(struct mw_html *w, const struct mw_sum_finding *f)
{
    if (!f->nevidence)
        return;
    buf_puts(w->b, "<ol class=\"ev\">\n");
    for (size_t i = 0; i < f->nevidence; i++) {
        const struct mw_sum_evidence *e = &f->evidence[i];
        render_html_wrap(w->b, "<li><span class=\"loc mono\">",
                         e->path ? e->path : "-", "");
        buf_printf(w->b, ":%llu</span><pre>", (unsigned long long)e->line);
        if (e->text)
            escape_html(w->b, e->text, e->text_len);
        buf_puts(w->b, "</pre></li>\n");
    }
    buf_puts(w->b, "</ol>\n");
}

static void
put_finding(struct mw_html *w, size_t i, const struct mw_sum_finding *f)
{
    char n[32];
    unsigned lv = level_of(f->level);

    buf_printf(w->b,
               "<section class=\"card bl-%s\" id=\"f%zu\">\n"
               "<h3><span class=\"rank\">%zu.</span>",
               level_css[lv], i + 1, i + 1);
    put_badge(w->b, f->level);
    render_html_wrap(w->b, " ",
                     f->title ? f->title
                     : f->id  ? f->id
                              : "?",
                     "</h3>\n<p class=\"meta\"><span class=\"mono\">");
    render_html_esc(w->b, f->category);
    buf_printf(w->b, "</span> &middot; %s hit%s", render_count(n, f->count),
               f->count == 1 ? "" : "s");
    if (f->confidence > 0.0 && f->confidence <= 1.0)
        buf_printf(w->b, " &middot; confidence %d%%",
                   (int)(f->confidence * 100.0 + 0.5));
    render_html_wrap(w->b, " &middot; <span class=\"mono\">", f->id,
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
        render_html_wrap(w->b, "<dt>Cause</dt><dd>", f->cause, "</dd>\n");
    if (f->fix && *f->fix)
        render_html_wrap(w->b, "<dt>Fix</dt><dd>", f->fix, "</dd>\n");
    buf_puts(w->b, "</dl>\n");
    put_evidence(w, f);
    buf_puts(w->b, "</section>\n");
}

static void
put_findings(struct mw_html *w)
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

/* ---- clients and coverage ------------------------------------------- */

/* the client's biggest categories, "auth.failure 148, connection.lost 65" */
static void
put_client_categories(struct mw_html *w, const struct mw_sum_client *c)
{
    size_t top[HTML_CATS_SHOWN];
    size_t k = render_top_categories(c, HTML_CATS_SHOWN, top);
    char n[32];
    for (size_t i = 0; i < k; i++)
        buf_printf(w->b, "%s<span class=\"mono\">%s</span> %s", i ? ", " : "",
                   mw_categories[top[i]],
                   render_count(n, c->by_category[top[i]]));
}

static void
put_clients(struct mw_html *w)
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
        render_count(n, s->nclients_total > shown ? s->nclients_total : shown));
    buf_puts(w->b, "<table>\n<thead><tr><th>Client</th><th class=\"num\">"
                   "Hits</th><th>First &ndash; last (UTC)</th>"
                   "<th>Categories</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < shown; i++) {
        const struct mw_sum_client *c = &s->clients[i];
        uint64_t pct =
            s->clients[0].count ? c->count * 100 / s->clients[0].count : 0;
        render_html_wrap(w->b, "<tr><td class=\"mono wrap\">",
                         c->ip ? c->ip : "?", "");
        buf_printf(w->b,
                   "</td><td class=\"num\">%s<span class=\"bar\" "
                   "style=\"width:%llupx\"></span></td><td "
                   "class=\"nowrap\">",
                   render_count(n, c->count), (unsigned long long)(pct + 1));
        if (s->has_span)
            render_html_range(w, c->first, c->last);
        buf_puts(w->b, "</td><td>");
        put_client_categories(w, c);
        buf_puts(w->b, "</td></tr>\n");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

static void
put_inputs(struct mw_html *w)
{
    const struct mw_summary *s = w->s;
    char n[4][32];
    buf_puts(w->b, "<table>\n<thead><tr><th>Input</th><th>Dialect</th>"
                   "<th class=\"num\">Lines</th><th class=\"num\">Matched</th>"
                   "<th class=\"num\">Not parsed</th><th class=\"num\">Cut"
                   "</th><th>Status</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < s->ninputs; i++) {
        const struct mw_sum_input *in = &s->inputs[i];
        render_html_wrap(w->b, "<tr><td class=\"mono wrap\">",
                         in->path ? in->path : "-", "</td><td>");
        render_html_wrap(w->b, "", in->dialect ? in->dialect : "?", "</td>");
        buf_printf(
            w->b,
            "<td class=\"num\">%s</td><td class=\"num\">%s</td>"
            "<td class=\"num\">%s</td><td class=\"num\">%s</td>"
            "<td>%s</td></tr>\n",
            render_count(n[0], in->lines), render_count(n[1], in->matched),
            render_count(n[2], in->unparsed), render_count(n[3], in->truncated),
            in->read_error ? "<b>read error</b>" : "ok");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

static void
put_coverage(struct mw_html *w)
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
                   render_count(n, u->count));
        render_html_wrap(w->b, "", u->shape,
                         "</td><td class=\"mono wrap muted\">");
        render_html_wrap(w->b, "", u->example, "</td></tr>\n");
    }
    buf_puts(w->b, "</tbody>\n</table>\n");
}

/* ---- the page ------------------------------------------------------- */

static void
html_page(struct mw_html *w)
{
    const struct mw_summary *s = w->s;
    if (s->has_span) {
        struct tm a, z;
        render_html_gmtime(s->span_start, &a);
        render_html_gmtime(s->span_end, &z);
        w->multi_day = a.tm_year != z.tm_year || a.tm_yday != z.tm_yday;
    }
    put_head(w);
    put_header(w);
    if (s->nfindings == 0)
        buf_puts(w->b, "<div class=\"card\" style=\"margin-top:20px\">"
                       "No rule found a failure in these logs.</div>\n");
    put_findings(w);
    render_html_timeline(w);
    put_clients(w);
    put_coverage(w);
    render_html_wrap(w->b, "<footer>maillog-why ", w->o->version, "");
    buf_puts(w->b, " &middot; times in UTC &middot; log text is shown as "
                   "written, with control and invalid bytes as \\xHH"
                   "</footer>\n</main>\n</body>\n</html>\n");
}

static void *
html_open(const struct mw_render_opts *o)
{
    struct mw_html_state *st = xcalloc(1, sizeof *st);
    st->out = o->out;
    st->top = o->top ? o->top : 10;
    st->now = o->now;
    st->version = o->version ? o->version : "";
    return st;
}

static int
html_finish(void *state, const struct mw_summary *s)
{
    struct mw_html_state *st = state;
    struct mw_buf b = {0};
    struct mw_html w = {.o = st, .b = &b, .s = s};
    html_page(&w);
    return render_finish_buf(st->out, &b);
}

/* the page is written by finish */
const struct mw_renderer render_html_backend = {
    "html", true, html_open, render_event_none, html_finish, render_close_free};
