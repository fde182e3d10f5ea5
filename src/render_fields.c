#include "config.h"

#include "render_fields.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

/* group names of notes/rules-format.md that map to ECS / CEF / SD fields;
 * the others go to maillog_why.fields in ndjson */
static const char *const slot_names[MW_SLOT_COUNT] = {
    "client_ip",   "client_host", "client_port", "remote_ip",  "remote_host",
    "remote_port", "user",        "queue_id",    "reply_code", "dsn",
    "reason",      "sender",      "recipient",   "tls_error"};

static const unsigned level_severity[MW_LEVEL_COUNT] = {1, 3, 5, 8, 10};

int
render_slot_of(const char *name)
{
    for (int i = 0; i < MW_SLOT_COUNT; i++)
        if (slot_names[i][0] == name[0] && strcmp(slot_names[i], name) == 0)
            return i;
    return -1;
}

void
render_fields_collect(const struct mw_event *ev, struct mw_fval *v)
{
    memset(v, 0, MW_SLOT_COUNT * sizeof *v);
    for (size_t i = 0; i < ev->nfields && i < MW_MAX_FIELDS; i++) {
        const struct mw_field *f = &ev->fields[i];
        int s = f->name ? render_slot_of(f->name) : -1;
        if (s >= 0 && !v[s].s && f->val && f->len) {
            v[s].s = f->val;
            v[s].len = f->len;
        }
    }
}

bool
render_ip_check(struct mw_fval *v)
{
    char tmp[64];
    unsigned char bin[16];
    if (v->len > 5 && strncmp(v->s, "IPv6:", 5) == 0) {
        v->s += 5;
        v->len -= 5;
    }
    if (v->len >= sizeof tmp)
        return false;
    memcpy(tmp, v->s, v->len);
    tmp[v->len] = '\0';
    /* an IPv4-mapped IPv6 address, as Dovecot and Courier log clients of a
     * dual-stack socket ("::ffff:192.0.2.7"), is the IPv4 client */
    if (v->len > 7 && strncasecmp(tmp, "::ffff:", 7) == 0 &&
        inet_pton(AF_INET, tmp + 7, bin) == 1) {
        v->s += 7;
        v->len -= 7;
        return true;
    }
    return inet_pton(AF_INET, tmp, bin) == 1 ||
           inet_pton(AF_INET6, tmp, bin) == 1;
}

bool
render_port_check(const struct mw_fval *v, unsigned *port)
{
    unsigned n = 0;
    if (!v->s || v->len == 0 || v->len > 5)
        return false;
    for (size_t i = 0; i < v->len; i++) {
        if (v->s[i] < '0' || v->s[i] > '9')
            return false;
        n = n * 10 + (unsigned)(v->s[i] - '0');
    }
    *port = n;
    return n <= 65535;
}

bool
render_is_unknown(const struct mw_fval *v)
{
    return v->len == 7 && memcmp(v->s, "unknown", 7) == 0;
}

unsigned
render_level_severity(enum mw_level l)
{
    return (unsigned)l < MW_LEVEL_COUNT ? level_severity[l] : 0;
}
