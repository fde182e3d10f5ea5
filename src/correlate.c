#include "config.h"

#include "correlate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* A fixed table: a new entry replaces whatever was in its slot, so memory
 * stays bounded (about 2 MiB) however many messages a log holds; a queue id
 * lives from "client=" to its last delivery line, minutes in practice. */
#define SLOTS   32768u
#define QID_MAX 24u
#define IP_MAX  46u

struct slot {
    uint8_t qlen, iplen;
    char qid[QID_MAX];
    char ip[IP_MAX];
};

struct mw_correlate {
    struct slot *slots;
};

struct mw_correlate *
correlate_new(void)
{
    struct mw_correlate *c = xmalloc(sizeof *c);
    c->slots = xcalloc(SLOTS, sizeof *c->slots);
    return c;
}

void
correlate_free(struct mw_correlate *c)
{
    if (!c)
        return;
    free(c->slots);
    free(c);
}

static uint32_t
qid_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h & (SLOTS - 1);
}

/* a Postfix queue id: short (upper-case hex) or long (base 52 + digits) */
static bool
is_qid(const char *s, size_t n)
{
    if (n < 6 || n > QID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= 'a' && ch <= 'z')))
            return false;
    }
    return true;
}

static bool
is_ip_char(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
           (ch >= 'A' && ch <= 'F') || ch == '.' || ch == ':';
}

void
correlate_learn(struct mw_correlate *c, const struct mw_record *rec)
{
    static const char key[] = ": client=";
    const char *m = rec->msg;
    size_t n = rec->msg_len;
    /* postfix smtpd: "QUEUEID: client=name[ip]" (smtpd/smtpd.c) */
    if (!m || n < 20 || rec->prog_base_len != 5 ||
        memcmp(rec->prog_base, "smtpd", 5) != 0)
        return;
    const char *k = memchr(m, ':', n < QID_MAX + 1 ? n : QID_MAX + 1);
    if (!k || (size_t)(m + n - k) < sizeof key ||
        memcmp(k, key, sizeof key - 1) != 0 || !is_qid(m, (size_t)(k - m)))
        return;
    const char *p = k + sizeof key - 1, *end = m + n;
    const char *lb = memchr(p, '[', (size_t)(end - p));
    if (!lb)
        return;
    const char *ip = lb + 1, *q = ip;
    while (q < end && is_ip_char(*q))
        q++;
    if (q == ip || q >= end || *q != ']' || (size_t)(q - ip) > IP_MAX)
        return;
    size_t qlen = (size_t)(k - m);
    struct slot *s = &c->slots[qid_hash(m, qlen)];
    s->qlen = (uint8_t)qlen;
    memcpy(s->qid, m, qlen);
    s->iplen = (uint8_t)(q - ip);
    memcpy(s->ip, ip, s->iplen);
}

void
correlate_fill(struct mw_correlate *c, struct mw_event *ev)
{
    size_t qlen, iplen;
    if (event_field(ev, "client_ip", &iplen) ||
        event_field(ev, "submitter_ip", &iplen) || ev->nfields >= MW_MAX_FIELDS)
        return;
    const char *qid = event_field(ev, "queue_id", &qlen);
    if (!qid || !is_qid(qid, qlen))
        return;
    const struct slot *s = &c->slots[qid_hash(qid, qlen)];
    if (s->qlen != qlen || memcmp(s->qid, qid, qlen) != 0)
        return;
    ev->fields[ev->nfields++] = (struct mw_field){
        .name = "submitter_ip", .val = s->ip, .len = s->iplen};
}
