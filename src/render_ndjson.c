#include "config.h"

#include "render_backends.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render_fields.h"
#include "xalloc.h"

/* --output ndjson: one ECS document per rule hit, on one line, written as
 * the hit happens. Field choice: Elastic Common Schema 8.17
 * (https://www.elastic.co/docs/reference/ecs) as summarised in FORMATS.md
 * section 3.1. Absent values are omitted, never null; an object with no
 * member is left out. */

#define MW_ECS_VERSION "8.17.0"

struct ndjson {
    FILE *out;
    struct mw_buf buf; /* one record, written with one fwrite */
};

/* ---- a tiny lazy JSON object writer --------------------------------------
 * An object writes its key and '{' only when its first member arrives, so
 * nested objects with nothing in them vanish. */

struct jo {
    struct mw_buf *b;
    struct jo *parent;
    const char *key; /* key in the parent (plain ASCII) */
    bool open, any;
};

static void jo_key(struct jo *o, const char *key);

static void
jo_open(struct jo *o)
{
    if (o->open)
        return;
    if (o->parent)
        jo_key(o->parent, o->key);
    buf_putc(o->b, '{');
    o->open = true;
}

static void
jo_key(struct jo *o, const char *key)
{
    char tmp[64];
    size_t n = strlen(key), k = 0;
    jo_open(o);
    if (n > sizeof tmp - 4) { /* not one of ours: no fast path */
        buf_append(o->b, o->any ? ",\"" : "\"", o->any ? 2 : 1);
        buf_append(o->b, key, n);
        buf_append(o->b, "\":", 2);
        o->any = true;
        return;
    }
    /* one append per key: this runs for every field of every record */
    if (o->any)
        tmp[k++] = ',';
    tmp[k++] = '"';
    memcpy(tmp + k, key, n);
    k += n;
    tmp[k++] = '"';
    tmp[k++] = ':';
    buf_append(o->b, tmp, k);
    o->any = true;
}

static void
jo_end(struct jo *o)
{
    if (o->open)
        buf_putc(o->b, '}');
}

static void
jo_str(struct jo *o, const char *key, const char *s, size_t len)
{
    if (!s || !len)
        return;
    jo_key(o, key);
    render_json_str(o->b, s, len);
}

static void
jo_cstr(struct jo *o, const char *key, const char *s)
{
    if (s && *s)
        jo_str(o, key, s, strlen(s));
}

static void
jo_raw(struct jo *o, const char *key, const char *json)
{
    jo_key(o, key);
    buf_puts(o->b, json);
}

static void
jo_num(struct jo *o, const char *key, unsigned long long n)
{
    char d[24];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    jo_key(o, key);
    buf_append(o->b, d + i, sizeof d - i);
}

/* ---- ECS categorisation (allowed values: FORMATS.md section 3.1) -------- */

struct ecs_class {
    const char *prefix; /* our category, or a prefix ending in '.' */
    const char *category, *type;
};

static const struct ecs_class ecs_classes[] = {
    {"auth.", "[\"authentication\"]", "[\"start\"]"},
    {"policy.reject", "[\"network\"]", "[\"connection\",\"denied\"]"},
    {"policy.", "[\"network\",\"intrusion_detection\"]",
     "[\"connection\",\"denied\"]"},
    {"protocol", "[\"network\",\"intrusion_detection\"]",
     "[\"protocol\",\"denied\"]"},
    {"mailbox", "[\"network\"]", "[\"connection\",\"denied\"]"},
};
static const struct ecs_class ecs_default = {"", "[\"network\"]",
                                             "[\"connection\",\"error\"]"};

static const struct ecs_class *
ecs_class_of(const char *cat)
{
    for (size_t i = 0; cat && i < sizeof ecs_classes / sizeof ecs_classes[0];
         i++) {
        const char *p = ecs_classes[i].prefix;
        size_t n = strlen(p);
        if (p[n - 1] == '.' ? strncmp(cat, p, n) == 0 : strcmp(cat, p) == 0)
            return &ecs_classes[i];
    }
    return &ecs_default;
}

/* event.action from the rule id: the last dotted part, '_' as '-'
 * ("postfix.smtpd.sasl_auth_failed" -> "sasl-auth-failed") */
static void
put_action(struct jo *ev, const char *id)
{
    const char *dot = strrchr(id, '.');
    const char *p = dot && dot[1] ? dot + 1 : id;
    jo_key(ev, "action");
    buf_putc(ev->b, '"');
    for (; *p; p++) {
        char c = *p == '_' ? '-' : *p;
        escape_json(ev->b, &c, 1);
    }
    buf_putc(ev->b, '"');
}

static void
put_event(struct jo *root, const struct mw_event *ev, const struct mw_fval *v)
{
    const struct mw_rule *r = ev->rule;
    const struct ecs_class *c = ecs_class_of(r->category);
    struct jo e = {root->b, root, "event", false, false};
    const struct mw_fval *code =
        v[MW_SLOT_REPLY_CODE].s ? &v[MW_SLOT_REPLY_CODE] : &v[MW_SLOT_DSN];

    jo_raw(&e, "kind", "\"event\"");
    jo_raw(&e, "category", c->category);
    jo_raw(&e, "type", c->type);
    jo_raw(&e, "outcome", "\"failure\"");
    if (r->id)
        put_action(&e, r->id);
    jo_str(&e, "code", code->s, code->len);
    if (v[MW_SLOT_REASON].s)
        jo_str(&e, "reason", v[MW_SLOT_REASON].s, v[MW_SLOT_REASON].len);
    else
        jo_cstr(&e, "reason", r->title);
    if (render_level_severity(r->level))
        jo_num(&e, "severity", render_level_severity(r->level));
    jo_end(&e);
}

static void
put_rule(struct jo *root, const struct mw_rule *r)
{
    struct jo o = {root->b, root, "rule", false, false};
    jo_cstr(&o, "id", r->id);
    jo_cstr(&o, "name", r->title);
    jo_cstr(&o, "category", r->category);
    jo_end(&o);
}

/* source.* or destination.*: ip (or address when not an IP), domain, port */
static void
put_peer(struct jo *root, const char *key, struct mw_fval *ip,
         const struct mw_fval *host, const struct mw_fval *port)
{
    struct jo o = {root->b, root, key, false, false};
    unsigned n;
    if (ip->s && !render_ip_check(ip)) {
        jo_str(&o, "address", ip->s, ip->len);
        ip->s = NULL; /* not for related.ip either */
    }
    jo_str(&o, "ip", ip->s, ip->len);
    if (host->s && !render_is_unknown(host))
        jo_str(&o, "domain", host->s, host->len);
    if (render_port_check(port, &n))
        jo_num(&o, "port", n);
    jo_end(&o);
}

static void
put_array(struct jo *o, const char *key, const struct mw_fval *a, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!a[i].s)
            continue;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = a[j].s && a[j].len == a[i].len &&
                  memcmp(a[j].s, a[i].s, a[i].len) == 0;
        if (dup)
            continue;
        if (!any)
            jo_key(o, key);
        buf_putc(o->b, any ? ',' : '[');
        render_json_str(o->b, a[i].s, a[i].len);
        any = true;
    }
    if (any)
        buf_putc(o->b, ']');
}

static void
put_related(struct jo *root, const struct mw_fval *v)
{
    struct jo o = {root->b, root, "related", false, false};
    struct mw_fval ips[2] = {v[MW_SLOT_CLIENT_IP], v[MW_SLOT_REMOTE_IP]};
    struct mw_fval hosts[2] = {v[MW_SLOT_CLIENT_HOST], v[MW_SLOT_REMOTE_HOST]};
    for (size_t i = 0; i < 2; i++)
        if (hosts[i].s && render_is_unknown(&hosts[i]))
            hosts[i].s = NULL;
    put_array(&o, "ip", ips, 2);
    put_array(&o, "user", &v[MW_SLOT_USER], 1);
    put_array(&o, "hosts", hosts, 2);
    jo_end(&o);
}

static void
put_email(struct jo *root, const struct mw_fval *v)
{
    struct jo o = {root->b, root, "email", false, false};
    struct jo from = {root->b, &o, "from", false, false};
    struct jo to = {root->b, &o, "to", false, false};
    jo_str(&o, "local_id", v[MW_SLOT_QUEUE_ID].s, v[MW_SLOT_QUEUE_ID].len);
    put_array(&from, "address", &v[MW_SLOT_SENDER], 1);
    jo_end(&from);
    put_array(&to, "address", &v[MW_SLOT_RECIPIENT], 1);
    jo_end(&to);
    jo_end(&o);
}

static void
put_process_host(struct jo *root, const struct mw_record *rec)
{
    struct jo host = {root->b, root, "host", false, false};
    struct jo proc = {root->b, root, "process", false, false};
    jo_str(&host, "name", rec->host, rec->host_len);
    jo_end(&host);
    jo_str(&proc, "name", rec->prog, rec->prog_len);
    if (rec->pid >= 0)
        jo_num(&proc, "pid", (unsigned long long)rec->pid);
    jo_end(&proc);
}

static void
put_log(struct jo *root, const struct mw_record *rec, const char *path)
{
    struct jo log = {root->b, root, "log", false, false};
    struct jo file = {root->b, &log, "file", false, false};
    jo_cstr(&file, "path", path);
    jo_end(&file);
    if (rec->line)
        jo_num(&log, "offset", rec->line->offset);
    jo_end(&log);
}

/* fields that have no ECS home, under maillog_why.fields (first value of a
 * name wins, as in event_field) */
static void
put_extra_fields(struct jo *mw, const struct mw_event *ev)
{
    struct jo o = {mw->b, mw, "fields", false, false};
    size_t n = ev->nfields < MW_MAX_FIELDS ? ev->nfields : MW_MAX_FIELDS;
    for (size_t i = 0; i < n; i++) {
        const struct mw_field *f = &ev->fields[i];
        bool seen = false;
        if (!f->name || !f->val || !f->len || render_slot_of(f->name) >= 0)
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = ev->fields[j].name && ev->fields[j].val &&
                   ev->fields[j].len &&
                   strcmp(ev->fields[j].name, f->name) == 0;
        if (seen)
            continue;
        jo_open(&o);
        if (o.any)
            buf_putc(o.b, ',');
        o.any = true;
        render_json_cstr(o.b, f->name);
        buf_putc(o.b, ':');
        render_json_str(o.b, f->val, f->len);
    }
    jo_end(&o);
}

static void
put_maillog_why(struct jo *root, const struct mw_event *ev)
{
    const struct mw_rule *r = ev->rule;
    struct jo o = {root->b, root, "maillog_why", false, false};
    jo_cstr(&o, "category", r->category);
    jo_cstr(&o, "cause", r->cause);
    if ((unsigned)r->level < MW_LEVEL_COUNT)
        jo_cstr(&o, "level", level_name(r->level));
    if (ev->rec->line)
        jo_num(&o, "line", ev->rec->line->lineno);
    if (ev->rec->line && ev->rec->line->cut)
        jo_raw(&o, "truncated", "true");
    put_extra_fields(&o, ev);
    jo_end(&o);
}

static void
put_tls(struct jo *root, const struct mw_fval *v)
{
    struct jo tls = {root->b, root, "tls", false, false};
    struct jo err = {root->b, root, "error", false, false};
    if (!v[MW_SLOT_TLS_ERROR].s)
        return;
    jo_raw(&tls, "established", "false");
    jo_end(&tls);
    jo_str(&err, "message", v[MW_SLOT_TLS_ERROR].s, v[MW_SLOT_TLS_ERROR].len);
    jo_end(&err);
}

void
render_ndjson_record(struct mw_buf *b, const struct mw_event *ev,
                     const char *path)
{
    const struct mw_record *rec = ev->rec;
    struct mw_fval v[MW_SLOT_COUNT];
    struct jo root = {b, NULL, NULL, false, false};
    char ts[48];

    render_fields_collect(ev, v);
    jo_open(&root);
    if (rec->ts.valid && time_format_rfc3339(&rec->ts, ts, sizeof ts) > 0)
        jo_str(&root, "@timestamp", ts, strlen(ts));
    if (rec->line)
        jo_str(&root, "message", rec->line->data, rec->line->len);
    put_event(&root, ev, v);
    put_rule(&root, ev->rule);
    put_peer(&root, "source", &v[MW_SLOT_CLIENT_IP], &v[MW_SLOT_CLIENT_HOST],
             &v[MW_SLOT_CLIENT_PORT]);
    put_peer(&root, "destination", &v[MW_SLOT_REMOTE_IP],
             &v[MW_SLOT_REMOTE_HOST], &v[MW_SLOT_REMOTE_PORT]);
    if (v[MW_SLOT_USER].s) {
        struct jo user = {b, &root, "user", false, false};
        jo_str(&user, "name", v[MW_SLOT_USER].s, v[MW_SLOT_USER].len);
        jo_end(&user);
    }
    put_process_host(&root, rec);
    put_log(&root, rec, path);
    put_email(&root, v);
    put_tls(&root, v);
    put_related(&root, v);
    put_maillog_why(&root, ev);
    jo_raw(&root, "ecs", "{\"version\":\"" MW_ECS_VERSION "\"}");
    jo_end(&root);
    buf_putc(b, '\n');
}

/* ---- backend ------------------------------------------------------------ */

static void *
ndjson_open(const struct mw_render_opts *o)
{
    struct ndjson *st = xcalloc(1, sizeof *st);
    st->out = o->out;
    return st;
}

static int
ndjson_event(void *state, const struct mw_event *ev, const char *path)
{
    struct ndjson *st = state;
    if (!ev || !ev->rule || !ev->rec)
        return 0;
    buf_reset(&st->buf);
    render_ndjson_record(&st->buf, ev, path);
    return render_write(st->out, &st->buf);
}

static int
ndjson_finish(void *state, const struct mw_summary *s)
{
    struct ndjson *st = state;
    (void)s;
    return render_flush(st->out);
}

static void
ndjson_close(void *state)
{
    struct ndjson *st = state;
    if (!st)
        return;
    buf_free(&st->buf);
    free(st);
}

const struct mw_renderer render_ndjson_backend = {
    "ndjson", false, ndjson_open, ndjson_event, ndjson_finish, ndjson_close};
