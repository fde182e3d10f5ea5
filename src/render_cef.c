#include "config.h"

#include "render_backends.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render_fields.h"
#include "xalloc.h"

/* --output cef: one ArcSight CEF:0 line per rule hit.
 *
 *   CEF:0|maillog-why|maillog-why|VERSION|rule.id|rule title|SEV|EXTENSION
 *
 * Format and escaping: Micro Focus "Implementing ArcSight CEF" v25 (2017),
 * summarised in FORMATS.md section 3.2. Header fields escape '\' and '|'
 * and never hold a line break; extension values escape '\' and '=' and
 * write CR/LF as \r \n, so a hostile log line cannot end a value, start a
 * key or a record. Invalid UTF-8 becomes U+FFFD (escape.c). Severity maps
 * informational 1, low 3, medium 5, high 8, critical 10. */

struct cef {
    FILE *out;
    const char *version;
    struct mw_buf buf; /* one record, written with one fwrite */
};

/* the extension: "key=value" pairs separated by single spaces */
struct ext {
    struct mw_buf *b;
    bool any;
};

static void
ext_key(struct ext *x, const char *key)
{
    if (x->any)
        buf_putc(x->b, ' ');
    buf_puts(x->b, key);
    buf_putc(x->b, '=');
    x->any = true;
}

/* key=escaped value; nothing when the value is absent or empty */
static void
ext_str(struct ext *x, const char *key, const char *s, size_t len)
{
    if (!s || !len)
        return;
    ext_key(x, key);
    escape_cef_value(x->b, s, len);
}

static void
ext_cstr(struct ext *x, const char *key, const char *s)
{
    if (s && *s)
        ext_str(x, key, s, strlen(s));
}

static void
ext_num(struct ext *x, const char *key, unsigned long long n)
{
    ext_key(x, key);
    buf_printf(x->b, "%llu", n);
}

/* act: the last dotted part of the rule id, '_' as '-'
 * ("postfix.smtpd.sasl_auth_failed" -> "sasl-auth-failed") */
static void
ext_action(struct ext *x, const char *id)
{
    const char *dot = strrchr(id, '.');
    const char *p = dot && dot[1] ? dot + 1 : id;
    ext_key(x, "act");
    for (; *p; p++) {
        char c = *p == '_' ? '-' : *p;
        escape_cef_value(x->b, &c, 1);
    }
}

/* app: the protocol of the service that logged the line */
static const char *
app_of(const struct mw_record *rec)
{
    static const char *const protos[] = {"imap", "pop3", "lmtp"};
    const char *p = rec->prog_base ? rec->prog_base : rec->prog;
    size_t n = rec->prog_base ? rec->prog_base_len : rec->prog_len;
    const char *m = rec->msg;
    size_t mlen = rec->msg_len;
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
        size_t k = strlen(protos[i]);
        /* "imap", "imap-login", Dovecot's "imap-login: ..." message */
        if ((p && n >= k && memcmp(p, protos[i], k) == 0) ||
            (m && mlen > k && memcmp(m, protos[i], k) == 0 &&
             (m[k] == '-' || m[k] == '(' || m[k] == ':')))
            return protos[i];
    }
    return "smtp";
}

/* src, spt, shost or dst, dpt, dhost */
static void
ext_peer(struct ext *x, const char *const keys[3], struct mw_fval *ip,
         const struct mw_fval *host, const struct mw_fval *port)
{
    unsigned n;
    if (ip->s && render_ip_check(ip))
        ext_str(x, keys[0], ip->s, ip->len);
    if (render_port_check(port, &n))
        ext_num(x, keys[1], n);
    if (host->s && !render_is_unknown(host))
        ext_str(x, keys[2], host->s, host->len);
}

static void
cef_header(struct mw_buf *b, const struct mw_rule *r, const char *version)
{
    buf_append(b, "CEF:0|maillog-why|maillog-why|", 30);
    escape_cef_header(b, version, strlen(version));
    buf_putc(b, '|');
    escape_cef_header(b, r->id, strlen(r->id));
    buf_putc(b, '|');
    if (r->title)
        escape_cef_header(b, r->title, strlen(r->title));
    buf_printf(b, "|%u|", render_level_severity(r->level));
}

static void
cef_identity(struct ext *x, const struct mw_record *rec, const char *path)
{
    ext_str(x, "dvchost", rec->host, rec->host_len);
    if (rec->pid >= 0)
        ext_num(x, "dvcpid", (unsigned long long)rec->pid);
    ext_str(x, "deviceProcessName", rec->prog, rec->prog_len);
    ext_cstr(x, "fname", path);
    if (rec->line) {
        ext_num(x, "cn1", rec->line->offset);
        ext_str(x, "cn1Label", "offset", 6);
    }
}

void
render_cef_record(struct mw_buf *b, const struct mw_event *ev, const char *path,
                  const char *version)
{
    static const char *const src_keys[3] = {"src", "spt", "shost"};
    static const char *const dst_keys[3] = {"dst", "dpt", "dhost"};
    const struct mw_record *rec = ev->rec;
    const struct mw_rule *r = ev->rule;
    struct mw_fval v[MW_SLOT_COUNT];
    struct ext x = {b, false};

    render_fields_collect(ev, v);
    cef_header(b, r, version ? version : "");
    if (rec->ts.valid) {
        ext_key(&x, "rt");
        buf_printf(b, "%lld",
                   (long long)rec->ts.sec * 1000 + rec->ts.nsec / 1000000);
    }
    ext_peer(&x, src_keys, &v[MW_SLOT_CLIENT_IP], &v[MW_SLOT_CLIENT_HOST],
             &v[MW_SLOT_CLIENT_PORT]);
    ext_peer(&x, dst_keys, &v[MW_SLOT_REMOTE_IP], &v[MW_SLOT_REMOTE_HOST],
             &v[MW_SLOT_REMOTE_PORT]);
    ext_str(&x, "suser", v[MW_SLOT_USER].s, v[MW_SLOT_USER].len);
    ext_action(&x, r->id);
    ext_str(&x, "outcome", "failure", 7);
    if (v[MW_SLOT_REASON].s)
        ext_str(&x, "reason", v[MW_SLOT_REASON].s, v[MW_SLOT_REASON].len);
    else
        ext_cstr(&x, "reason", r->title);
    if (rec->line)
        ext_str(&x, "msg", rec->line->data, rec->line->len);
    ext_cstr(&x, "app", app_of(rec));
    ext_cstr(&x, "cat", r->category);
    cef_identity(&x, rec, path);
    ext_str(&x, "cs1Label", "rule", 4);
    ext_cstr(&x, "cs1", r->id);
    ext_str(&x, "cs2Label", "cause", 5);
    ext_cstr(&x, "cs2", r->cause);
    if (v[MW_SLOT_QUEUE_ID].s) {
        ext_str(&x, "cs3Label", "queueId", 7);
        ext_str(&x, "cs3", v[MW_SLOT_QUEUE_ID].s, v[MW_SLOT_QUEUE_ID].len);
    }
    if (v[MW_SLOT_REPLY_CODE].s || v[MW_SLOT_DSN].s) {
        const struct mw_fval *c =
            v[MW_SLOT_REPLY_CODE].s ? &v[MW_SLOT_REPLY_CODE] : &v[MW_SLOT_DSN];
        ext_str(&x, "cs4Label", "replyCode", 9);
        ext_str(&x, "cs4", c->s, c->len);
    }
    if (v[MW_SLOT_TLS_ERROR].s) {
        ext_str(&x, "cs5Label", "tlsError", 8);
        ext_str(&x, "cs5", v[MW_SLOT_TLS_ERROR].s, v[MW_SLOT_TLS_ERROR].len);
    }
}

/* ---- backend ------------------------------------------------------------ */

static void *
cef_open(const struct mw_render_opts *o)
{
    struct cef *st = xcalloc(1, sizeof *st);
    st->out = o->out;
    st->version = o->version ? o->version : PACKAGE_VERSION;
    return st;
}

static int
cef_event(void *state, const struct mw_event *ev, const char *path)
{
    struct cef *st = state;
    if (!ev || !ev->rule || !ev->rec || !ev->rule->id)
        return 0;
    buf_reset(&st->buf);
    render_cef_record(&st->buf, ev, path, st->version);
    buf_putc(&st->buf, '\n');
    return render_write(st->out, &st->buf);
}

static int
cef_finish(void *state, const struct mw_summary *s)
{
    struct cef *st = state;
    (void)s;
    return render_flush(st->out);
}

static void
cef_close(void *state)
{
    struct cef *st = state;
    if (!st)
        return;
    buf_free(&st->buf);
    free(st);
}

const struct mw_renderer render_cef_backend = {
    "cef", false, cef_open, cef_event, cef_finish, cef_close};
