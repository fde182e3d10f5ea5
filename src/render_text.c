#include "config.h"

#include "render_backends.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "escape.h"
#include "xalloc.h"

/* --output text: the incident summary for a person, in a terminal or in a
 * cron mail. Every line fits in MW_TEXT_WIDTH columns (long values are
 * wrapped or cut with "..."); colour only when opts->color. Times are local
 * time (TZ, as the syslog stamps in the log are), and the header names the
 * zone. Log text goes through escape_text, so no log line can move the
 * cursor, ring the bell or fake a line of the report. */

#define MW_TEXT_WIDTH     100
#define MW_EVIDENCE_SHOWN 3
#define MW_SHAPES_SHOWN   5
#define MW_CLIENTS_NAMED  3

#define SGR_BOLD   "\033[1m"
#define SGR_RED    "\033[1;31m"
#define SGR_YELLOW "\033[33m"
#define SGR_OFF    "\033[0m"

struct text_state {
    FILE *out;
    bool color, utf8;
    size_t top;
};

/* one report being written */
struct tx {
    struct mw_buf out;  /* the whole report */
    struct mw_buf line; /* the line being built */
    struct mw_buf tmp;
    bool color, utf8;
    bool multi_day; /* the span covers more than one local date */
    size_t top;
    const struct mw_summary *s;
};

/* ---- columns ------------------------------------------------------------ */

/* East Asian wide and emoji ranges: 2 columns. Everything else counts 1
 * (combining marks too: counting too much only cuts earlier). */
static const unsigned wide_ranges[][2] = {
    {0x1100, 0x115f},   {0x2e80, 0x303e},   {0x3041, 0x33ff},
    {0x3400, 0x4dbf},   {0x4e00, 0x9fff},   {0xa000, 0xa4cf},
    {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe30, 0xfe4f},
    {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x1f300, 0x1f64f},
    {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff}, {0x20000, 0x3fffd}};

/* Decode one character of escaped (valid UTF-8) text; returns its byte
 * length and sets *cols. A stray byte counts as one column. */
static size_t
char_next(const char *s, size_t len, size_t *cols)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = p[0] < 0x80 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
    unsigned cp;
    *cols = 1;
    if (p[0] < 0xc2 || p[0] > 0xf4 || n > len)
        return 1;
    cp = n == 2 ? p[0] & 0x1fu : n == 3 ? p[0] & 0x0fu : p[0] & 0x07u;
    for (size_t i = 1; i < n; i++)
        cp = cp << 6 | (p[i] & 0x3fu);
    for (size_t i = 0; i < sizeof wide_ranges / sizeof wide_ranges[0]; i++)
        if (cp >= wide_ranges[i][0] && cp <= wide_ranges[i][1])
            *cols = 2;
    return n;
}

/* length of an SGR sequence ("\033[...m") at s, 0 if none */
static size_t
sgr_len(const char *s, size_t len)
{
    size_t i = 2;
    if (len < 3 || s[0] != '\033' || s[1] != '[')
        return 0;
    while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';'))
        i++;
    return i < len && s[i] == 'm' ? i + 1 : 0;
}

/* Display columns of s; with stop, also the byte length of the longest
 * prefix that fits in stop columns (*fit). */
static size_t
str_cols(const char *s, size_t len, size_t stop, size_t *fit)
{
    size_t cols = 0, i = 0, w;
    if (fit)
        *fit = len;
    while (i < len) {
        size_t n = sgr_len(s + i, len - i);
        if (n) {
            i += n;
            continue;
        }
        n = char_next(s + i, len - i, &w);
        if (fit && *fit == len && cols + w > stop)
            *fit = i;
        cols += w;
        i += n;
    }
    return cols;
}

/* Write the current line, cut to the width with "..." when too long. */
static void
tx_emit(struct tx *t)
{
    struct mw_buf *l = &t->line;
    size_t fit;
    /* drop trailing blanks (a wrapped or empty field leaves some) */
    while (l->len && l->data[l->len - 1] == ' ')
        l->len--;
    if (str_cols(l->data, l->len, MW_TEXT_WIDTH - 3, &fit) > MW_TEXT_WIDTH) {
        buf_append(&t->out, l->data, fit);
        buf_append(&t->out, "...", 3);
        if (t->color)
            buf_puts(&t->out, SGR_OFF);
    } else {
        buf_append(&t->out, l->data, l->len);
    }
    buf_putc(&t->out, '\n');
    buf_reset(l);
}

static void
tx_style(struct tx *t, const char *sgr)
{
    if (t->color)
        buf_puts(&t->line, sgr);
}

static void
tx_spaces(struct tx *t, size_t n)
{
    while (n--)
        buf_putc(&t->line, ' ');
}

/* pad the line with spaces to column col */
static void
tx_pad_to(struct tx *t, size_t col)
{
    size_t cols = str_cols(t->line.data, t->line.len, 0, NULL);
    tx_spaces(t, col > cols ? col - cols : 1);
}

/* Append words to the line, wrapping at the width: words are split at
 * white space (whole: s is one unbreakable word) and each is escaped;
 * continuation lines start with indent spaces. sep: the first word needs a
 * space before it. The last line is left open. */
static void
tx_words(struct tx *t, size_t indent, const char *s, size_t len, bool sep,
         bool whole)
{
    size_t col = str_cols(t->line.data, t->line.len, 0, NULL);
    for (size_t i = 0; i < len;) {
        size_t j = whole ? len : i, fit;
        while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' &&
               s[j] != '\r')
            j++;
        if (j == i) {
            i++;
            continue;
        }
        buf_reset(&t->tmp);
        escape_text(&t->tmp, s + i, j - i);
        const char *w = t->tmp.data;
        size_t wl = t->tmp.len, ww = str_cols(w, wl, 0, NULL);
        if (col > indent && col + sep + ww > MW_TEXT_WIDTH) {
            tx_emit(t);
            tx_spaces(t, indent);
            col = indent;
            sep = false;
        }
        if (sep) {
            buf_putc(&t->line, ' ');
            col++;
        }
        while (col + ww > MW_TEXT_WIDTH) { /* a word longer than a line */
            str_cols(w, wl, MW_TEXT_WIDTH - col, &fit);
            if (fit == 0)
                fit = 1;
            buf_append(&t->line, w, fit);
            tx_emit(t);
            tx_spaces(t, indent);
            col = indent;
            w += fit;
            wl -= fit;
            ww = str_cols(w, wl, 0, NULL);
        }
        buf_append(&t->line, w, wl);
        col += ww;
        sep = true;
        i = j;
    }
}

static void
tx_wrap(struct tx *t, size_t indent, const char *s, size_t len)
{
    tx_words(t, indent, s, len, false, false);
    tx_emit(t);
}

/* ---- numbers and times -------------------------------------------------- */

static void
local_tm(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;
    if (!localtime_r(&tt, tm))
        memset(tm, 0, sizeof *tm);
}

/* "10:02", or "Nov 22 10:02" when the report spans several days (out: 32) */
static const char *
fmt_clock(const struct tx *t, char *out, int64_t sec)
{
    static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    local_tm(sec, &tm);
    if (t->multi_day)
        snprintf(out, 32, "%s %2d %02d:%02d", mon[tm.tm_mon % 12], tm.tm_mday,
                 tm.tm_hour, tm.tm_min);
    else
        snprintf(out, 32, "%02d:%02d", tm.tm_hour, tm.tm_min);
    return out;
}

/* "300" -> "5 min" (out: 32) */
static const char *
fmt_duration(char *out, int64_t s)
{
    if (s > 0 && s % 86400 == 0)
        snprintf(out, 32, "%lld day%s", (long long)(s / 86400),
                 s == 86400 ? "" : "s");
    else if (s > 0 && s % 3600 == 0)
        snprintf(out, 32, "%lld h", (long long)(s / 3600));
    else if (s > 0 && s % 60 == 0)
        snprintf(out, 32, "%lld min", (long long)(s / 60));
    else
        snprintf(out, 32, "%lld s", (long long)s);
    return out;
}

/* "2026-11-22 09:00 - 10:12 CET", dates and zones repeated only when they
 * differ */
static void
put_span(const struct tx *t, struct mw_buf *b)
{
    struct tm a, z;
    char za[16] = "", zz[16] = "";
    local_tm(t->s->span_start, &a);
    local_tm(t->s->span_end, &z);
    strftime(za, sizeof za, "%Z", &a);
    strftime(zz, sizeof zz, "%Z", &z);
    bool same_zone = strcmp(za, zz) == 0;
    buf_printf(b, "%04d-%02d-%02d %02d:%02d", a.tm_year + 1900, a.tm_mon + 1,
               a.tm_mday, a.tm_hour, a.tm_min);
    if (!same_zone)
        buf_printf(b, " %s", za);
    buf_puts(b, " - ");
    if (t->multi_day)
        buf_printf(b, "%04d-%02d-%02d ", z.tm_year + 1900, z.tm_mon + 1,
                   z.tm_mday);
    buf_printf(b, "%02d:%02d", z.tm_hour, z.tm_min);
    if (zz[0])
        buf_printf(b, " %s", zz);
}

/* ---- header ------------------------------------------------------------- */

/* " of 3 files (2026-11-22 09:00 - 10:12 CET)" */
static void
put_input_notes(const struct tx *t, struct mw_buf *b)
{
    const struct mw_summary *s = t->s;
    if (s->ninputs > 1)
        buf_printf(b, " of %zu files", s->ninputs);
    if (s->has_span) {
        buf_puts(b, " (");
        put_span(t, b);
        buf_putc(b, ')');
    }
}

static void
put_header(struct tx *t)
{
    const struct mw_summary *s = t->s;
    struct mw_buf rest = {0};
    char n[32];
    tx_style(t, SGR_BOLD);
    buf_puts(&t->line, "maillog-why: ");
    if (s->nfindings)
        buf_printf(&t->line, "%s finding%s", render_count(n, s->nfindings),
                   s->nfindings == 1 ? "" : "s");
    else
        buf_puts(&t->line, "no findings");
    tx_style(t, SGR_OFF);
    buf_printf(&rest, "in %s line%s", render_count(n, s->lines),
               s->lines == 1 ? "" : "s");
    put_input_notes(t, &rest);
    if (s->lines) {
        uint64_t pm = s->matched * 1000 / s->lines;
        buf_printf(&rest, ", %llu.%llu%% matched",
                   (unsigned long long)(pm / 10),
                   (unsigned long long)(pm % 10));
    }
    tx_words(t, 4, rest.data, rest.len, true, false);
    tx_emit(t);
    buf_free(&rest);
}

/* the whole report when there is nothing to report */
static void
put_nothing(struct tx *t)
{
    struct mw_buf rest = {0};
    uint64_t unparsed = 0;
    char n[32];
    for (size_t i = 0; i < t->s->ninputs; i++)
        unparsed += t->s->inputs[i].unparsed;
    buf_printf(&rest, "maillog-why: no failures found in %s line%s",
               render_count(n, t->s->lines), t->s->lines == 1 ? "" : "s");
    put_input_notes(t, &rest);
    if (unparsed)
        buf_printf(&rest, ", %s of them not parsed", render_count(n, unparsed));
    tx_wrap(t, 4, rest.data, rest.len);
    buf_free(&rest);
}

static void
put_section(struct tx *t, const char *title, const char *note)
{
    buf_putc(&t->out, '\n');
    tx_style(t, SGR_BOLD);
    buf_puts(&t->line, title);
    tx_style(t, SGR_OFF);
    if (note && *note)
        buf_printf(&t->line, "  (%s)", note);
    tx_emit(t);
}

/* ---- findings ----------------------------------------------------------- */

static const char *const level_tags[MW_LEVEL_COUNT] = {"INFO", "LOW", "MEDIUM",
                                                       "HIGH", "CRITICAL"};

/* " 1. HIGH     SASL authentication failed (auth.failure)" */
static void
put_finding_title(struct tx *t, size_t i, const struct mw_sum_finding *f)
{
    unsigned lv = (unsigned)f->level < MW_LEVEL_COUNT ? (unsigned)f->level : 0;
    const char *tag = level_tags[lv];
    const char *title = f->title ? f->title : f->id ? f->id : "?";

    buf_printf(&t->line, "%2zu. ", i + 1);
    if (lv >= MW_LEVEL_MEDIUM)
        tx_style(t, lv >= MW_LEVEL_HIGH ? SGR_RED : SGR_YELLOW);
    buf_puts(&t->line, tag);
    if (lv >= MW_LEVEL_MEDIUM)
        tx_style(t, SGR_OFF);
    tx_spaces(t, 9 - strlen(tag));
    tx_style(t, SGR_BOLD);
    tx_words(t, 13, title, strlen(title), false, false);
    tx_style(t, SGR_OFF);
    if (f->category || f->confidence > 0.0) {
        struct mw_buf note = {0};
        buf_printf(&note, "(%s", f->category ? f->category : "");
        if (f->confidence > 0.0 && f->confidence <= 1.0)
            buf_printf(&note, "%sconfidence %d%%", f->category ? ", " : "",
                       (int)(f->confidence * 100.0 + 0.5));
        buf_putc(&note, ')');
        tx_words(t, 13, note.data, note.len, true, true);
        buf_free(&note);
    }
    tx_emit(t);
}

/* "312 hits from A, B, C and 4 more" */
static void
put_finding_count(struct tx *t, const struct mw_sum_finding *f)
{
    struct mw_buf raw = {0};
    char n[32];
    size_t named =
        f->nclients < MW_CLIENTS_NAMED ? f->nclients : MW_CLIENTS_NAMED;
    size_t total =
        f->nclients_total > f->nclients ? f->nclients_total : f->nclients;

    buf_printf(&raw, "%s hit%s", render_count(n, f->count),
               f->count == 1 ? "" : "s");
    for (size_t i = 0; i < named; i++) {
        const char *sep = i == 0 ? " from " : " and ";
        if (i > 0 && (i + 1 < named || total > named))
            sep = ", ";
        buf_puts(&raw, sep);
        buf_puts(&raw, f->clients[i] ? f->clients[i] : "?");
    }
    if (total > named)
        buf_printf(&raw, " and %s more", render_count(n, total - named));
    tx_spaces(t, 4);
    tx_wrap(t, 6, raw.data, raw.len);
    buf_free(&raw);
}

/* "since 10:02, peak 10:15 with 120 in 5 min, still going" */
static void
put_finding_when(struct tx *t, const struct mw_sum_finding *f)
{
    char a[32], z[32], n[32], d[32];
    struct mw_buf raw = {0};
    if (!t->s->has_span)
        return;
    if (f->ongoing && f->onset > f->start)
        buf_printf(&raw, "first at %s, since %s", fmt_clock(t, a, f->start),
                   fmt_clock(t, z, f->onset));
    else if (f->ongoing)
        buf_printf(&raw, "since %s", fmt_clock(t, a, f->start));
    else if (f->end <= f->start)
        buf_printf(&raw, "at %s", fmt_clock(t, a, f->start));
    else
        buf_printf(&raw, "from %s to %s", fmt_clock(t, a, f->start),
                   fmt_clock(t, z, f->end));
    if (f->peak.count > 0 && f->peak.count < f->count && t->s->window > 0)
        buf_printf(
            &raw, ", peak %s with %s in %s", fmt_clock(t, a, f->peak.start),
            render_count(n, f->peak.count), fmt_duration(d, t->s->window));
    if (f->ongoing)
        buf_puts(&raw, ", still going");
    tx_spaces(t, 4);
    tx_wrap(t, 6, raw.data, raw.len);
    buf_free(&raw);
}

static void
put_label_text(struct tx *t, const char *label, const char *s)
{
    if (!s || !*s)
        return;
    tx_spaces(t, 4);
    buf_puts(&t->line, label);
    tx_pad_to(t, 11);
    tx_wrap(t, 11, s, strlen(s));
}

static void
put_evidence(struct tx *t, const struct mw_sum_finding *f)
{
    size_t n =
        f->nevidence < MW_EVIDENCE_SHOWN ? f->nevidence : MW_EVIDENCE_SHOWN;
    if (!n)
        return;
    buf_puts(&t->line, "    Evidence:");
    tx_emit(t);
    for (size_t i = 0; i < n; i++) {
        const struct mw_sum_evidence *e = &f->evidence[i];
        tx_spaces(t, 6);
        if (e->path)
            escape_text(&t->line, e->path, strlen(e->path));
        buf_printf(&t->line, ":%llu: ", (unsigned long long)e->line);
        if (e->text)
            escape_text(&t->line, e->text, e->text_len);
        tx_emit(t);
    }
}

static void
put_findings(struct tx *t)
{
    const struct mw_summary *s = t->s;
    if (!s->nfindings)
        return;
    put_section(t, "FINDINGS", "most important first");
    for (size_t i = 0; i < s->nfindings; i++) {
        const struct mw_sum_finding *f = &s->findings[i];
        if (i)
            buf_putc(&t->out, '\n');
        put_finding_title(t, i, f);
        put_finding_count(t, f);
        put_finding_when(t, f);
        put_label_text(t, "Cause:", f->cause);
        put_label_text(t, "Fix:", f->fix);
        put_evidence(t, f);
    }
}

/* ---- timeline ----------------------------------------------------------- */

static const char *const spark_utf8[] = {" ",      "\u2581", "\u2582",
                                         "\u2583", "\u2584", "\u2585",
                                         "\u2586", "\u2587", "\u2588"};
static const char spark_ascii[] = " .:-=+*#%@";

/* The series in width columns: a long series is squeezed (neighbouring
 * windows summed), a short one stretched (each window drawn several
 * times). Heights are relative to the busiest cell; an empty window is
 * blank, any hit at least the lowest mark. */
static void
put_spark(struct tx *t, const struct mw_sum_category *c, size_t width)
{
    size_t cells = c->nseries < width ? c->nseries : width;
    size_t rep = cells ? width / cells : 1; /* cells per window, short series */
    uint64_t *sum = xcalloc(cells ? cells : 1, sizeof *sum);
    uint64_t max = 0;
    unsigned levels = t->utf8 ? 8 : 9;

    for (size_t i = 0; i < c->nseries; i++) {
        size_t k = (size_t)((unsigned long long)i * cells / c->nseries);
        sum[k] += c->series[i].count;
        if (sum[k] > max)
            max = sum[k];
    }
    buf_putc(&t->line, '|');
    for (size_t k = 0; k < cells; k++) {
        unsigned lv = 0;
        if (sum[k])
            lv = (unsigned)((sum[k] * levels + max - 1) / max);
        if (lv > levels)
            lv = levels;
        for (size_t r = 0; r < rep; r++) {
            if (t->utf8)
                buf_puts(&t->line, spark_utf8[lv]);
            else
                buf_putc(&t->line, spark_ascii[lv]);
        }
    }
    buf_putc(&t->line, '|');
    tx_spaces(t, width - cells * rep);
    free(sum);
}

static void
put_timeline(struct tx *t)
{
    const struct mw_summary *s = t->s;
    char a[32], z[32], n[32], note[64];
    /* "  category            |...|  count  first - last" */
    size_t range = t->multi_day ? 27 : 13;
    size_t width = MW_TEXT_WIDTH - 2 - 20 - 2 - 9 - 2 - range;

    if (!s->ncategories)
        return;
    snprintf(note, sizeof note, "%s windows, local time",
             fmt_duration(a, s->window));
    put_section(t, "TIMELINE", s->has_span && s->window > 0 ? note : "");
    for (size_t i = 0; i < s->ncategories; i++) {
        const struct mw_sum_category *c = &s->categories[i];
        const char *name = c->category ? c->category : "?";
        tx_spaces(t, 2);
        escape_text(&t->line, name, strlen(name));
        tx_pad_to(t, 22);
        if (s->has_span && c->nseries)
            put_spark(t, c, width);
        buf_printf(&t->line, "%9s", render_count(n, c->count));
        if (s->has_span)
            buf_printf(&t->line, "  %s - %s", fmt_clock(t, a, c->first),
                       fmt_clock(t, z, c->last));
        tx_emit(t);
    }
}

/* ---- clients ------------------------------------------------------------ */

/* "auth.failure 240, protocol 10": the client's three biggest categories */
static void
put_client_categories(struct tx *t, const struct mw_sum_client *c)
{
    size_t top[3];
    size_t k = render_top_categories(c, 3, top);
    char n[32];
    for (size_t i = 0; i < k; i++)
        buf_printf(&t->line, "%s%s %s", i ? ", " : "  ", mw_categories[top[i]],
                   render_count(n, c->by_category[top[i]]));
}

static void
put_clients(struct tx *t)
{
    const struct mw_summary *s = t->s;
    size_t shown = s->nclients < t->top ? s->nclients : t->top;
    size_t ipw = 15;
    char a[32], z[32], n[32], note[64];

    if (!shown)
        return;
    for (size_t i = 0; i < shown; i++) {
        const char *ip = s->clients[i].ip ? s->clients[i].ip : "?";
        size_t w = strlen(ip);
        if (w > ipw)
            ipw = w < 39 ? w : 39;
    }
    snprintf(
        note, sizeof note, "%zu of %s", shown,
        render_count(n, s->nclients_total > shown ? s->nclients_total : shown));
    put_section(t, "TOP CLIENTS", note);
    for (size_t i = 0; i < shown; i++) {
        const struct mw_sum_client *c = &s->clients[i];
        tx_spaces(t, 2);
        if (c->ip)
            escape_text(&t->line, c->ip, strlen(c->ip));
        tx_pad_to(t, 2 + ipw + 1);
        buf_printf(&t->line, "%9s", render_count(n, c->count));
        if (s->has_span)
            buf_printf(&t->line, "  %s - %s", fmt_clock(t, a, c->first),
                       fmt_clock(t, z, c->last));
        put_client_categories(t, c);
        tx_emit(t);
    }
}

/* ---- coverage ----------------------------------------------------------- */

/* the path, its start cut away when longer than max columns */
static void
put_path(struct tx *t, const char *path, size_t max)
{
    size_t at = t->line.len, cols;
    escape_text(&t->line, path, strlen(path));
    cols = str_cols(t->line.data + at, t->line.len - at, 0, NULL);
    if (cols <= max)
        return;
    /* keep the last max-3 columns: skip what does not fit */
    const char *p = t->line.data + at;
    size_t len = t->line.len - at, skip = 0, w;
    while (skip < len && cols > max - 3) {
        size_t k = char_next(p + skip, len - skip, &w);
        skip += k;
        cols -= w;
    }
    buf_reset(&t->tmp);
    buf_append(&t->tmp, p + skip, len - skip);
    t->line.len = at;
    buf_append(&t->line, "...", 3);
    buf_append(&t->line, t->tmp.data, t->tmp.len);
}

static void
put_coverage(struct tx *t)
{
    const struct mw_summary *s = t->s;
    char n1[32], n2[32];
    put_section(t, "COVERAGE", "");
    for (size_t i = 0; i < s->ninputs; i++) {
        const struct mw_sum_input *in = &s->inputs[i];
        const char *dialect = in->dialect ? in->dialect : "?";
        tx_spaces(t, 2);
        put_path(t, in->path ? in->path : "-", 40);
        buf_puts(&t->line, " (");
        escape_text(&t->line, dialect, strlen(dialect));
        buf_printf(&t->line, "): %s lines, %s matched",
                   render_count(n1, in->lines), render_count(n2, in->matched));
        if (in->unparsed)
            buf_printf(&t->line, ", %s not parsed",
                       render_count(n1, in->unparsed));
        if (in->truncated)
            buf_printf(&t->line, ", %s cut (too long)",
                       render_count(n1, in->truncated));
        if (in->read_error)
            buf_puts(&t->line, ", read error");
        tx_emit(t);
    }
    if (!s->nunmatched)
        return;
    buf_puts(&t->line, "  Most common lines without a rule:");
    tx_emit(t);
    for (size_t i = 0; i < s->nunmatched && i < MW_SHAPES_SHOWN; i++) {
        const struct mw_sum_shape *u = &s->unmatched[i];
        buf_printf(&t->line, "%11s  ", render_count(n1, u->count));
        if (u->shape)
            escape_text(&t->line, u->shape, strlen(u->shape));
        tx_emit(t);
    }
}

/* ---- the report --------------------------------------------------------- */

static void
text_report(struct tx *t)
{
    const struct mw_summary *s = t->s;
    struct tm a, z;
    if (s->has_span) {
        local_tm(s->span_start, &a);
        local_tm(s->span_end, &z);
        t->multi_day = a.tm_year != z.tm_year || a.tm_yday != z.tm_yday;
    }
    if (s->nfindings == 0 && s->matched == 0) {
        put_nothing(t);
        return;
    }
    put_header(t);
    put_findings(t);
    put_timeline(t);
    put_clients(t);
    put_coverage(t);
}

/* LC_ALL, else LC_CTYPE, else LANG names a UTF-8 locale ("C.UTF-8",
 * "de_DE.utf8") */
static bool
locale_is_utf8(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        for (; *v; v++)
            if (strncasecmp(v, "utf-8", 5) == 0 ||
                strncasecmp(v, "utf8", 4) == 0)
                return true;
        return false;
    }
    return false;
}

static void *
text_open(const struct mw_render_opts *o)
{
    struct text_state *st = xcalloc(1, sizeof *st);
    st->out = o->out;
    st->color = o->color;
    st->top = o->top ? o->top : 10;
    st->utf8 = locale_is_utf8();
    return st;
}

static int
text_finish(void *state, const struct mw_summary *s)
{
    struct text_state *st = state;
    struct tx t = {
        .color = st->color, .utf8 = st->utf8, .top = st->top, .s = s};
    text_report(&t);
    buf_free(&t.line);
    buf_free(&t.tmp);
    return render_finish_buf(st->out, &t.out);
}

/* the summary is written by finish */
const struct mw_renderer render_text_backend = {
    "text", true, text_open, render_event_none, text_finish, render_close_free};
