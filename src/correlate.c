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
    struct slot *slots;    /* Postfix queue id -> submitting client */
    struct slot *sessions; /* Dovecot and OpenSMTPD session id -> client */
};

struct mw_correlate *
correlate_new(void)
{
    struct mw_correlate *c = xmalloc(sizeof *c);
    c->slots = xcalloc(SLOTS, sizeof *c->slots);
    c->sessions = xcalloc(SLOTS, sizeof *c->sessions);
    return c;
}

void
correlate_free(struct mw_correlate *c)
{
    if (!c)
        return;
    free(c->slots);
    free(c->sessions);
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

/* the value of "key" (e.g. "rip=") up to the next ',' or '>' in m */
static const char *
kv(const char *m, size_t n, const char *key, size_t klen, size_t *vlen)
{
    const char *end = m + n, *p = m;
    while ((p = memmem(p, (size_t)(end - p), key, klen)) != NULL) {
        if (p == m || p[-1] == ' ' || p[-1] == '<') {
            const char *v = p + klen, *q = v;
            while (q < end && *q != ',' && *q != '>' && *q != ' ')
                q++;
            *vlen = (size_t)(q - v);
            return v;
        }
        p += klen;
    }
    return NULL;
}

static void
slot_put(struct slot *table, const char *k, size_t klen, const char *v,
         size_t vlen)
{
    struct slot *s = &table[qid_hash(k, klen)];
    s->qlen = (uint8_t)klen;
    memcpy(s->qid, k, klen);
    s->iplen = (uint8_t)vlen;
    memcpy(s->ip, v, vlen);
}

static bool
is_ip(const char *v, size_t n)
{
    if (n == 0 || n > IP_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_ip_char(v[i]))
            return false;
    return true;
}

/* Dovecot: a login line names the session and the client, "...: Login:
 * user=<u>, method=PLAIN, rip=192.0.2.7, ..., session=<AbCd>" (also
 * aborted logins); later lines of the session carry only the id, as in
 * "imap(u)<1234><AbCd>: ..." (log_prefix "%s(%u)<%{pid}><%{session}>: ") */
static void
learn_dovecot(struct mw_correlate *c, const struct mw_record *rec)
{
    size_t slen, rlen;
    const char *sid = kv(rec->msg, rec->msg_len, "session=<", 9, &slen);
    if (!sid || slen == 0 || slen > QID_MAX)
        return;
    const char *rip = kv(rec->msg, rec->msg_len, "rip=", 4, &rlen);
    if (rip && is_ip(rip, rlen))
        slot_put(c->sessions, sid, slen, rip, rlen);
}

static bool
ends_login(const char *p, size_t n)
{
    return n > 6 && memcmp(p + n - 6, "-login", 6) == 0;
}

static bool
is_dovecot(const struct mw_record *rec)
{
    const char *p = rec->prog_base;
    size_t n = rec->prog_base_len;
    return p && ((n == 7 && memcmp(p, "dovecot", 7) == 0) || ends_login(p, n));
}

/* A line of a login process ("imap-login", "pop3-login", ...): the tag
 * itself, or the "imap-login: " that starts the message of a "dovecot"
 * tag. Only they log the "rip=... session=<...>" elements
 * (login_log_format_elements). */
static bool
is_login_line(const struct mw_record *rec)
{
    if (ends_login(rec->prog_base, rec->prog_base_len))
        return true;
    size_t n = rec->msg_len < 32 ? rec->msg_len : 32;
    const char *colon = memchr(rec->msg, ':', n);
    return colon && ends_login(rec->msg, (size_t)(colon - rec->msg));
}

/* OpenSMTPD (tag "smtpd", like Postfix's smtpd), smtp_session.c: each
 * line of a session starts with its 64-bit id in hex; the client address
 * is only on the session's first line:
 *   6.x: "1a2b3c4d5e6f7a8b smtp connected address=192.0.2.1 host=h"
 *   5.x: "smtp-in: New session 1a2b3c4d5e6f7a8b from host h [192.0.2.1]"
 * and the lines that need it look like
 *   "1a2b3c4d5e6f7a8b smtp authentication user=u result=permfail"
 *   "smtp-in: Authentication failed for user u on session 1a2b3c4d5e6f7a8b"
 *   "smtp-in: Failed command on session 1a2b3c4d5e6f7a8b: ..." */
#define OSMTPD_ID 16

static bool
is_hex_id(const char *s, size_t n)
{
    if (n < OSMTPD_ID)
        return false;
    for (size_t i = 0; i < OSMTPD_ID; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool
has_prefix(const char *s, size_t n, const char *p, size_t plen)
{
    return n >= plen && memcmp(s, p, plen) == 0;
}

/* the session id of an OpenSMTPD message, and in *rest what follows it;
 * NULL when there is none. 6.x puts it first; 5.x's "smtp-in: " lines have
 * it right after "New session " or "Failed command on session ", or end
 * with it ("Authentication failed for user U on session ID": U is the
 * client's, so the id is the one that ends the line). */
static const char *
osmtpd_session(const char *m, size_t n, const char **rest)
{
    static const char v5[] = "smtp-in: ", newsess[] = "smtp-in: New session ",
                      failed[] = "smtp-in: Failed command on session ",
                      onsess[] = " on session ";
    const char *id = m, *end = m + n;
    if (has_prefix(m, n, newsess, sizeof newsess - 1))
        id = m + sizeof newsess - 1;
    else if (has_prefix(m, n, failed, sizeof failed - 1))
        id = m + sizeof failed - 1;
    else if (has_prefix(m, n, v5, sizeof v5 - 1))
        id = n >= OSMTPD_ID + sizeof onsess - 1 &&
                     memcmp(end - OSMTPD_ID - (sizeof onsess - 1), onsess,
                            sizeof onsess - 1) == 0
                 ? end - OSMTPD_ID
                 : end;
    size_t left = (size_t)(end - id);
    if (!is_hex_id(id, left) ||
        (left > OSMTPD_ID && id[OSMTPD_ID] != ' ' && id[OSMTPD_ID] != ':'))
        return NULL;
    *rest = id + OSMTPD_ID;
    return id;
}

/* an OpenSMTPD session start: remember its client */
static bool
learn_osmtpd(struct mw_correlate *c, const char *m, size_t n)
{
    static const char conn6[] = " smtp connected address=";
    static const char new5[] = "smtp-in: New session ";
    const char *rest, *end = m + n;
    const char *id = osmtpd_session(m, n, &rest);
    if (!id)
        return false;
    const char *ip = NULL, *q = end;
    if (has_prefix(rest, (size_t)(end - rest), conn6, sizeof conn6 - 1)) {
        ip = rest + sizeof conn6 - 1;
        for (q = ip; q < end && *q != ' '; q++)
            ;
    } else if (has_prefix(m, n, new5, sizeof new5 - 1) && rest < end &&
               end[-1] == ']') {
        /* 5.x: "... from host h [ip]" */
        q = end - 1;
        ip = memrchr(rest, '[', (size_t)(q - rest));
        ip = ip ? ip + 1 : NULL;
    }
    if (ip && is_ip(ip, (size_t)(q - ip)))
        slot_put(c->sessions, id, OSMTPD_ID, ip, (size_t)(q - ip));
    return true;
}

/* Axigen (dialect_exim.c gives program "axigen" and the message from the
 * service on): a session's first line names the client,
 *   "IMAP:0000002A: [192.0.2.10:993] connection accepted from
 *    [198.51.100.10:50000]"
 * and its later lines only the session ("IMAP:0000002A: Authentication
 * error for user ..."). The key is "SERVICE:ID"; its length, or 0. */
static size_t
axigen_key(const char *m, size_t n)
{
    const char *c1 = memchr(m, ':', n < QID_MAX ? n : QID_MAX);
    if (!c1)
        return 0;
    size_t left = n - (size_t)(c1 + 1 - m);
    const char *c2 = memchr(c1 + 1, ':', left < QID_MAX ? left : QID_MAX);
    if (!c2 || (size_t)(c2 - m) > QID_MAX || c2 == c1 + 1)
        return 0;
    return (size_t)(c2 - m);
}

static bool
is_axigen(const struct mw_record *rec)
{
    return rec->prog_base_len == 6 && memcmp(rec->prog_base, "axigen", 6) == 0;
}

static void
learn_axigen(struct mw_correlate *c, const char *m, size_t n)
{
    static const char acc[] = " connection accepted from [";
    size_t klen = axigen_key(m, n);
    if (klen == 0)
        return;
    const char *p = memmem(m + klen, n - klen, acc, sizeof acc - 1);
    if (!p)
        return;
    const char *ip = p + sizeof acc - 1, *end = m + n;
    const char *close = memchr(ip, ']', (size_t)(end - ip));
    if (!close)
        return;
    const char *colon = memrchr(ip, ':', (size_t)(close - ip));
    const char *ipend = colon ? colon : close;
    if (is_ip(ip, (size_t)(ipend - ip)))
        slot_put(c->sessions, m, klen, ip, (size_t)(ipend - ip));
}

void
correlate_learn(struct mw_correlate *c, const struct mw_record *rec)
{
    if (rec->msg && rec->msg_len > 20 && is_dovecot(rec)) {
        if (is_login_line(rec))
            learn_dovecot(c, rec);
        return;
    }
    if (rec->msg && is_axigen(rec)) {
        learn_axigen(c, rec->msg, rec->msg_len);
        return;
    }
    static const char key[] = ": client=";
    const char *m = rec->msg;
    size_t n = rec->msg_len;
    /* postfix smtpd: "QUEUEID: client=name[ip]" (smtpd/smtpd.c) */
    if (!m || n < 20 || rec->prog_base_len != 5 ||
        memcmp(rec->prog_base, "smtpd", 5) != 0)
        return;
    if (learn_osmtpd(c, m, n))
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
    slot_put(c->slots, m, (size_t)(k - m), ip, (size_t)(q - ip));
}

/* "name(user)<pid><session>: " at the start of a Dovecot message: the
 * session id, or NULL */
static const char *
dovecot_session(const struct mw_record *rec, size_t *len)
{
    const char *m = rec->msg, *end = m + rec->msg_len;
    const char *p = memchr(m, ')', rec->msg_len < 200 ? rec->msg_len : 200);
    if (!p || p + 1 >= end || p[1] != '<')
        return NULL;
    p = memchr(p + 1, '>', (size_t)(end - p - 1));
    if (!p || p + 1 >= end || p[1] != '<')
        return NULL;
    const char *sid = p + 2, *q = memchr(sid, '>', (size_t)(end - sid));
    if (!q || q == sid || (size_t)(q - sid) > QID_MAX)
        return NULL;
    *len = (size_t)(q - sid);
    return sid;
}

/* the slot that holds key, or NULL */
static const struct slot *
slot_get(const struct slot *table, const char *key, size_t klen)
{
    if (klen == 0 || klen > QID_MAX)
        return NULL;
    const struct slot *s = &table[qid_hash(key, klen)];
    return s->qlen == klen && memcmp(s->qid, key, klen) == 0 ? s : NULL;
}

/* The session id of a hit of a daemon whose sessions are learnt (Dovecot,
 * Axigen, OpenSMTPD): 1 with *key set, 0 for such a daemon's line without
 * one, -1 for other daemons. */
static int
session_key(const struct mw_record *rec, const char **key, size_t *klen)
{
    const char *rest;
    if (is_dovecot(rec)) {
        *key = dovecot_session(rec, klen);
        return *key != NULL;
    }
    if (is_axigen(rec)) {
        *key = rec->msg;
        *klen = axigen_key(rec->msg, rec->msg_len);
        return *klen > 0;
    }
    if (rec->prog_base_len == 5 && memcmp(rec->prog_base, "smtpd", 5) == 0 &&
        (*key = osmtpd_session(rec->msg, rec->msg_len, &rest)) != NULL) {
        *klen = OSMTPD_ID;
        return 1;
    }
    return -1;
}

static void
add_ip(struct mw_event *ev, const char *name, const struct slot *s)
{
    if (s)
        ev->fields[ev->nfields++] =
            (struct mw_field){.name = name, .val = s->ip, .len = s->iplen};
}

void
correlate_fill(struct mw_correlate *c, struct mw_event *ev)
{
    size_t len;
    const char *key;
    const struct mw_record *rec = ev->rec;
    if (!rec || !rec->msg || ev->nfields >= MW_MAX_FIELDS ||
        event_field(ev, "client_ip", &len))
        return;
    /* a session's later lines take the client of its first one */
    int k = session_key(rec, &key, &len);
    if (k >= 0) {
        if (k > 0)
            add_ip(ev, "client_ip", slot_get(c->sessions, key, len));
        return;
    }
    /* a Postfix delivery takes the client that submitted its message */
    if (event_field(ev, "submitter_ip", &len))
        return;
    key = event_field(ev, "queue_id", &len);
    if (key && is_qid(key, len))
        add_ip(ev, "submitter_ip", slot_get(c->slots, key, len));
}
