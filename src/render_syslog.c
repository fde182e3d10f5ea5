#include "config.h"

#include "render_backends.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "render_fields.h"
#include "sink.h"
#include "timeparse.h"
#include "xalloc.h"

/* --output syslog: one RFC 5424 message per rule hit.
 *
 *   <PRI>1 TIMESTAMP HOSTNAME maillog-why PROCID MSGID [SD] MSG
 *
 * PRI is facility mail (2) * 8 + a severity from the rule level (critical
 * 2, high 3, medium 4, low 5, informational 6); TIMESTAMP the event time in
 * UTC (RFC 5424 section 6.2.3 allows at most 6 fraction digits);
 * HOSTNAME the host named in the log line, else ours; PROCID our pid;
 * MSGID the category. Header fields are printable ASCII within the lengths
 * of RFC 5424 section 6 (HOSTNAME 255, PROCID 128, MSGID 32): other bytes
 * become '_'. SD-PARAM values escape '"', '\' and ']' (section 6.3.3).
 * MSG is the log line as escape_text writes it: valid UTF-8, controls and
 * invalid bytes as \xHH, so one record is one line; no BOM is written.
 *
 * With --syslog-server the records go to a sink (sink.h) instead of the
 * output file, and MSG may instead hold the CEF line or the ndjson
 * document of the hit (render opts payload). */

#define MW_SD_ID     "maillogwhy@32473" /* RFC 5612 documentation PEN */
#define MW_FAC_MAIL  2
#define MW_HOST_MAX  255
#define MW_MSGID_MAX 32

enum payload { PAYLOAD_LINE, PAYLOAD_CEF, PAYLOAD_NDJSON };

struct slog {
    FILE *out;
    struct mw_sink *sink;
    enum payload payload;
    const char *version;
    char host[MW_HOST_MAX + 1]; /* ours, for lines without a host */
    unsigned long pid;
    struct mw_buf buf, tmp;
};

/* syslog severity of a rule level (RFC 5424 table 2) */
static const unsigned level_sev[MW_LEVEL_COUNT] = {6, 5, 4, 3, 2};

/* printable ASCII (33-126) of at most max bytes, other bytes as '_';
 * NILVALUE "-" when empty */
static void
put_header_field(struct mw_buf *b, const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    if (!s || n == 0) {
        buf_putc(b, '-');
        return;
    }
    buf_reserve(b, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf_putc(b, c > 32 && c < 127 ? (char)c : '_');
    }
}

/* TIMESTAMP: RFC 3339 UTC with the log's fraction digits, at most 6 */
static void
put_timestamp(struct mw_buf *b, const struct mw_time *t)
{
    char ts[48];
    size_t n;
    if (!t->valid || (n = render_rfc3339(t->sec, ts, sizeof ts)) < 2) {
        buf_putc(b, '-');
        return;
    }
    buf_append(b, ts, n - 1); /* without the 'Z' */
    if (t->frac > 0) {
        int digits = t->frac > 6 ? 6 : t->frac;
        long v = t->nsec;
        for (int i = digits; i < 9; i++)
            v /= 10;
        buf_printf(b, ".%0*ld", digits, v);
    }
    buf_putc(b, 'Z');
}

static void
sd_param(struct mw_buf *b, const char *name, const char *s, size_t len)
{
    if (!s || !len)
        return;
    buf_printf(b, " %s=\"", name);
    escape_sd_value(b, s, len);
    buf_putc(b, '"');
}

static void
sd_cparam(struct mw_buf *b, const char *name, const char *s)
{
    if (s && *s)
        sd_param(b, name, s, strlen(s));
}

static void
sd_num(struct mw_buf *b, const char *name, unsigned long long n)
{
    buf_printf(b, " %s=\"%llu\"", name, n);
}

static void
put_sd(struct mw_buf *b, const struct mw_event *ev, const char *path)
{
    const struct mw_record *rec = ev->rec;
    const struct mw_rule *r = ev->rule;
    struct mw_fval v[MW_SLOT_COUNT];

    render_fields_collect(ev, v);
    buf_puts(b, "[" MW_SD_ID);
    sd_cparam(b, "rule", r->id);
    sd_cparam(b, "category", r->category);
    if ((unsigned)r->level < MW_LEVEL_COUNT)
        sd_cparam(b, "level", level_name(r->level));
    if (v[MW_SLOT_CLIENT_IP].s && render_ip_check(&v[MW_SLOT_CLIENT_IP]))
        sd_param(b, "ip", v[MW_SLOT_CLIENT_IP].s, v[MW_SLOT_CLIENT_IP].len);
    if (v[MW_SLOT_REMOTE_IP].s && render_ip_check(&v[MW_SLOT_REMOTE_IP]))
        sd_param(b, "remote", v[MW_SLOT_REMOTE_IP].s, v[MW_SLOT_REMOTE_IP].len);
    sd_param(b, "user", v[MW_SLOT_USER].s, v[MW_SLOT_USER].len);
    sd_param(b, "queueid", v[MW_SLOT_QUEUE_ID].s, v[MW_SLOT_QUEUE_ID].len);
    sd_param(b, "prog", rec->prog, rec->prog_len);
    if (rec->pid >= 0)
        sd_num(b, "pid", (unsigned long long)rec->pid);
    sd_cparam(b, "file", path);
    if (rec->line) {
        sd_num(b, "offset", rec->line->offset);
        sd_num(b, "line", rec->line->lineno);
    }
    buf_putc(b, ']');
}

/* one record without a line end */
static void
syslog_record(struct slog *st, const struct mw_event *ev, const char *path)
{
    struct mw_buf *b = &st->buf;
    const struct mw_record *rec = ev->rec;
    const struct mw_rule *r = ev->rule;
    unsigned sev =
        (unsigned)r->level < MW_LEVEL_COUNT ? level_sev[r->level] : 5;

    buf_printf(b, "<%u>1 ", MW_FAC_MAIL * 8 + sev);
    put_timestamp(b, &rec->ts);
    buf_putc(b, ' ');
    if (rec->host && rec->host_len)
        put_header_field(b, rec->host, rec->host_len, MW_HOST_MAX);
    else
        put_header_field(b, st->host, strlen(st->host), MW_HOST_MAX);
    buf_printf(b, " maillog-why %lu ", st->pid);
    put_header_field(b, r->category, r->category ? strlen(r->category) : 0,
                     MW_MSGID_MAX);
    buf_putc(b, ' ');
    put_sd(b, ev, path);
    buf_putc(b, ' ');
    if (st->payload == PAYLOAD_CEF) {
        render_cef_record(b, ev, path, st->version);
    } else if (st->payload == PAYLOAD_NDJSON) {
        buf_reset(&st->tmp);
        render_ndjson_record(&st->tmp, ev, path);
        if (st->tmp.len && st->tmp.data[st->tmp.len - 1] == '\n')
            st->tmp.len--;
        buf_append(b, st->tmp.data, st->tmp.len);
    } else if (rec->line) {
        escape_text(b, rec->line->data, rec->line->len);
    }
}

/* ---- backend ------------------------------------------------------------ */

static void *
syslog_open(const struct mw_render_opts *o)
{
    struct slog *st = xcalloc(1, sizeof *st);
    st->out = o->out;
    st->sink = o->sink;
    st->version = o->version ? o->version : PACKAGE_VERSION;
    if (o->payload && strcmp(o->payload, "cef") == 0)
        st->payload = PAYLOAD_CEF;
    else if (o->payload && strcmp(o->payload, "ndjson") == 0)
        st->payload = PAYLOAD_NDJSON;
    if (gethostname(st->host, sizeof st->host - 1) != 0)
        st->host[0] = '\0';
    st->host[sizeof st->host - 1] = '\0';
    st->pid = (unsigned long)getpid();
    return st;
}

static int
syslog_event(void *state, const struct mw_event *ev, const char *path)
{
    struct slog *st = state;
    if (!ev || !ev->rule || !ev->rec || !ev->rule->id)
        return 0;
    buf_reset(&st->buf);
    syslog_record(st, ev, path);
    if (st->sink) {
        sink_send(st->sink, st->buf.data, st->buf.len);
        return 0;
    }
    buf_putc(&st->buf, '\n');
    return render_write(st->out, &st->buf);
}

static int
syslog_finish(void *state, const struct mw_summary *s)
{
    struct slog *st = state;
    (void)s;
    return st->sink ? 0 : render_flush(st->out);
}

static void
syslog_close(void *state)
{
    struct slog *st = state;
    if (!st)
        return;
    buf_free(&st->buf);
    buf_free(&st->tmp);
    free(st);
}

const struct mw_renderer render_syslog_backend = {
    "syslog", false, syslog_open, syslog_event, syslog_finish, syslog_close};
