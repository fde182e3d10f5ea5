#include "config.h"

#include "dialect_backends.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

/* Microsoft Exchange transport logs (FORMATS.md 1.7): SMTP receive and send
 * protocol logs and message tracking logs. UTF-8 with a BOM, "#Software:",
 * "#Version:", "#Log-type:", "#Date:" and "#Fields:" header lines, then CSV
 * rows (RFC 4180 quoting: a field with a comma or quote is quoted, quotes
 * doubled) with UTC ISO 8601 stamps. Columns are mapped by the "#Fields:"
 * header, as message tracking grew columns across versions
 * (https://learn.microsoft.com/en-us/exchange/mail-flow/connectors/protocol-logging,
 * https://learn.microsoft.com/en-us/exchange/mail-flow/transport-logs/message-tracking).
 *
 * Each row becomes a record whose message is a normalised text with the
 * server-side facts first, in a fixed order, and the free text last, so a
 * rule anchored at '^' cannot be fooled by text a client sent:
 *   protocol: [client=IP|remote=IP] [port=N] [session=ID] EVENT DATA[ |
 * CONTEXT] tracking: event=ID [client=IP] [server=IP] [source=S] [sender=A]
 *             [recipient=A] status=TEXT
 * "client=" is the remote endpoint of a receive log (the SMTP client),
 * "remote=" that of a send log (the next hop). Protocol rows without an
 * endpoint (some "*" rows) get the last one seen in their session. */

#define XF_MAX       64   /* CSV columns looked at; more are ignored */
#define SESS_SLOTS   4096 /* session-id -> endpoint cache, direct-mapped */
#define SESS_ID_MAX  32
#define SESS_EP_MAX  64
#define UTF8_BOM     "\xEF\xBB\xBF"
#define UTF8_BOM_LEN 3

enum xcol {
    XC_DATETIME,
    XC_CONNECTOR,
    XC_SESSION,
    XC_LOCAL,
    XC_REMOTE,
    XC_EVENT,
    XC_DATA,
    XC_CONTEXT,
    XC_CLIENT_IP,
    XC_CLIENT_HOST,
    XC_SERVER_IP,
    XC_SERVER_HOST,
    XC_EVENT_ID,
    XC_RECIPIENT,
    XC_RCPT_STATUS,
    XC_SENDER,
    XC_SUBJECT,
    XC_SOURCE_CONTEXT,
    XC_SOURCE,
    XC_USER,
    XC_COMMAND,
    XC_PARAMETERS,
    XC_COUNT
};

static const char *const xcol_names[XC_COUNT] = {
    [XC_DATETIME] = "date-time",
    [XC_CONNECTOR] = "connector-id",
    [XC_SESSION] = "session-id",
    [XC_LOCAL] = "local-endpoint",
    [XC_REMOTE] = "remote-endpoint",
    [XC_EVENT] = "event",
    [XC_DATA] = "data",
    [XC_CONTEXT] = "context",
    [XC_CLIENT_IP] = "client-ip",
    [XC_CLIENT_HOST] = "client-hostname",
    [XC_SERVER_IP] = "server-ip",
    [XC_SERVER_HOST] = "server-hostname",
    [XC_EVENT_ID] = "event-id",
    [XC_RECIPIENT] = "recipient-address",
    [XC_RCPT_STATUS] = "recipient-status",
    [XC_SENDER] = "sender-address",
    [XC_SUBJECT] = "message-subject",
    [XC_SOURCE_CONTEXT] = "source-context",
    [XC_SOURCE] = "source",
    [XC_USER] = "user",
    [XC_COMMAND] = "command",
    [XC_PARAMETERS] = "parameters",
};

/* the IMAP4 and POP3 protocol logs name their columns in camelCase:
 * "dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,
 * command,parameters,context" */
static const struct {
    const char *name;
    enum xcol col;
} xcol_aliases[] = {
    {"dateTime", XC_DATETIME},
    {"sessionId", XC_SESSION},
    {"sIp", XC_LOCAL},
    {"cIp", XC_REMOTE},
};

/* Headers assumed for rows that come without a "#Fields:" line (a file cut
 * by tail, or rows copied on their own), chosen by the number of columns */
static const char hdr_protocol[] =
    "date-time,connector-id,session-id,sequence-number,local-endpoint,"
    "remote-endpoint,event,data,context";
/* Exchange 2013 to 2019 */
static const char hdr_tracking[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,"
    "source-context,connector-id,source,event-id,internal-message-id,"
    "message-id,network-message-id,recipient-address,recipient-status,"
    "total-bytes,recipient-count,related-recipient-address,reference,"
    "message-subject,sender-address,return-path,message-info,"
    "directionality,tenant-id,original-client-ip,original-server-ip,"
    "custom-data,transport-traffic-type,log-id,schema-version";
/* Exchange 2010: no network-message-id and none of the last three */
static const char hdr_tracking_2010[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,"
    "source-context,connector-id,source,event-id,internal-message-id,"
    "message-id,recipient-address,recipient-status,total-bytes,"
    "recipient-count,related-recipient-address,reference,message-subject,"
    "sender-address,return-path,message-info,directionality,tenant-id,"
    "original-client-ip,original-server-ip,custom-data";
/* IMAP4 and POP3 protocol logs (Exchange 2013 to 2019; puid since CU) */
static const char hdr_mailbox[] =
    "dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,"
    "command,parameters,context,puid";
#define HDR_MAILBOX_COLS       12
#define HDR_PROTOCOL_COLS      9
#define HDR_TRACKING_COLS      30
#define HDR_TRACKING_2010_COLS 26

/* IIS W3C extended logs: their header lines, and "YYYY-MM-DD hh:mm:ss" */
#define W3C_SOFTWARE "#Software: Microsoft Internet Information Services"
#define W3C_FIELDS   "#Fields: date time "
#define W3C_STAMP    19

enum xlayout { XL_NONE, XL_PROTOCOL, XL_MAILBOX, XL_TRACKING, XL_OTHER };
enum xtype { XT_UNKNOWN, XT_RECEIVE, XT_SEND, XT_TRACKING, XT_IMAP, XT_POP };

static const char prog_receive[] = "exchange-receive";
static const char prog_send[] = "exchange-send";
static const char prog_tracking[] = "exchange-tracking";
static const char prog_other[] = "exchange";
static const char prog_w3c[] = "iis";
static const char prog_imap[] = "exchange-imap";
static const char prog_pop[] = "exchange-pop";

struct xfield {
    const char *p;
    size_t n;
};

struct xsession {
    char id[SESS_ID_MAX];
    char ep[SESS_EP_MAX];
    uint8_t id_len;
    uint8_t ep_len;
};

struct exchange_reader {
    int col[XC_COUNT]; /* column index, -1 when the header lacks it */
    enum xlayout layout;
    enum xtype type;  /* from "#Log-type:" */
    bool have_fields; /* a "#Fields:" line was seen */
    bool w3c;         /* IIS W3C extended log: space-separated, UTC */
    struct xfield f[XF_MAX];
    size_t nf;
    char *fbuf; /* unquoted fields of the current row */
    size_t fcap;
    struct mw_buf msg;
    struct xsession *sess; /* SESS_SLOTS entries, allocated on first use */
};

static bool
has_prefix(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && memcmp(s, p, n) == 0;
}

/* Split one CSV row into r->f[] (unquoted copies in r->fbuf, which holds at
 * least len bytes). A quote that is never closed runs to the end of the
 * row; bytes after a closing quote are kept, as Exchange never writes any. */
static void
csv_split(struct exchange_reader *r, const char *s, size_t len)
{
    size_t i = 0, o = 0;
    r->nf = 0;
    for (;;) {
        char *start = r->fbuf + o;
        bool quoted = false;
        while (i < len && (quoted || s[i] != ',')) {
            if (s[i] == '"' && quoted && i + 1 < len && s[i + 1] == '"') {
                r->fbuf[o++] = '"';
                i += 2;
            } else if (s[i] == '"' && (quoted || start == r->fbuf + o)) {
                quoted = !quoted;
                i++;
            } else {
                r->fbuf[o++] = s[i++];
            }
        }
        if (r->nf < XF_MAX)
            r->f[r->nf++] =
                (struct xfield){start, (size_t)(r->fbuf + o - start)};
        if (i >= len)
            return;
        i++; /* ',' */
    }
}

/* the field for column c, or an empty one */
static struct xfield
col_get(const struct exchange_reader *r, enum xcol c)
{
    int k = r->col[c];
    if (k < 0 || (size_t)k >= r->nf)
        return (struct xfield){"", 0};
    return r->f[k];
}

/* map columns from a "#Fields:" value: comma-separated names */
static void
fields_map(struct exchange_reader *r, const char *s, size_t len)
{
    for (int c = 0; c < XC_COUNT; c++)
        r->col[c] = -1;
    size_t i = 0;
    for (int k = 0; i <= len && k < XF_MAX; k++) {
        size_t e = i;
        while (e < len && s[e] != ',')
            e++;
        size_t a = i, b = e;
        while (a < b && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
            b--;
        for (int c = 0; c < XC_COUNT; c++)
            if (r->col[c] < 0 && strlen(xcol_names[c]) == b - a &&
                memcmp(s + a, xcol_names[c], b - a) == 0)
                r->col[c] = k;
        for (size_t x = 0; x < sizeof xcol_aliases / sizeof xcol_aliases[0];
             x++)
            if (r->col[xcol_aliases[x].col] < 0 &&
                strlen(xcol_aliases[x].name) == b - a &&
                memcmp(s + a, xcol_aliases[x].name, b - a) == 0)
                r->col[xcol_aliases[x].col] = k;
        i = e + 1;
    }
    if (r->col[XC_DATETIME] < 0)
        r->layout = XL_NONE;
    else if (r->col[XC_EVENT] >= 0 && r->col[XC_SESSION] >= 0)
        r->layout = XL_PROTOCOL;
    else if (r->col[XC_COMMAND] >= 0 && r->col[XC_REMOTE] >= 0)
        r->layout = XL_MAILBOX;
    else if (r->col[XC_EVENT_ID] >= 0)
        r->layout = XL_TRACKING;
    else
        r->layout = XL_OTHER;
}

/* "#Name: value" lines; all lines starting with '#' are consumed */
static void
header_line(struct exchange_reader *r, const char *s, size_t len)
{
    if (s == NULL)
        return;
    if (has_prefix(s, len, "#Software:")) {
        r->type = XT_UNKNOWN; /* the start of another file */
        r->w3c = has_prefix(s, len, W3C_SOFTWARE);
    } else if (has_prefix(s, len, W3C_FIELDS)) {
        r->w3c = true;
    } else if (has_prefix(s, len, "#Fields:")) {
        size_t n = sizeof "#Fields:" - 1;
        fields_map(r, s + n, len - n);
        r->have_fields = true;
    } else if (has_prefix(s, len, "#Log-type:")) {
        if (memmem(s, len, "Receive", 7))
            r->type = XT_RECEIVE;
        else if (memmem(s, len, "Send", 4))
            r->type = XT_SEND;
        else if (memmem(s, len, "Tracking", 8))
            r->type = XT_TRACKING;
        else if (memmem(s, len, "IMAP", 4))
            r->type = XT_IMAP;
        else if (memmem(s, len, "POP3", 4))
            r->type = XT_POP;
        else
            r->type = XT_UNKNOWN;
    }
}

/* Rows before any "#Fields:" line: assume the usual header for rows with
 * that many columns whose first one is a stamp */
static void
guess_layout(struct exchange_reader *r)
{
    struct mw_time t;
    if (r->nf == 0 || r->f[0].n == 0 ||
        time_parse_iso(NULL, r->f[0].p, r->f[0].n, &t) != r->f[0].n)
        return;
    if (r->nf == HDR_PROTOCOL_COLS)
        fields_map(r, hdr_protocol, sizeof hdr_protocol - 1);
    else if (r->nf == HDR_MAILBOX_COLS || r->nf == HDR_MAILBOX_COLS + 1)
        fields_map(r, hdr_mailbox, sizeof hdr_mailbox - 1);
    else if (r->nf >= HDR_TRACKING_COLS)
        fields_map(r, hdr_tracking, sizeof hdr_tracking - 1);
    else if (r->nf >= HDR_TRACKING_2010_COLS)
        fields_map(r, hdr_tracking_2010, sizeof hdr_tracking_2010 - 1);
}

static size_t
sess_slot(const char *id, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t k = 0; k < n; k++)
        h = (h ^ (unsigned char)id[k]) * 16777619u;
    return h % SESS_SLOTS;
}

/* The endpoint for session id: ep itself when set (remembered), else the
 * last one remembered for the session, else empty */
static struct xfield
sess_endpoint(struct exchange_reader *r, struct xfield id, struct xfield ep)
{
    if (id.n == 0 || id.n > SESS_ID_MAX)
        return ep;
    if (r->sess == NULL)
        r->sess = xcalloc(SESS_SLOTS, sizeof *r->sess);
    struct xsession *s = &r->sess[sess_slot(id.p, id.n)];
    bool same = s->id_len == id.n && memcmp(s->id, id.p, id.n) == 0;
    if (ep.n > 0) {
        if (ep.n <= SESS_EP_MAX) {
            memcpy(s->id, id.p, id.n);
            s->id_len = (uint8_t)id.n;
            memcpy(s->ep, ep.p, ep.n);
            s->ep_len = (uint8_t)ep.n;
        }
        return ep;
    }
    return same ? (struct xfield){s->ep, s->ep_len} : ep;
}

/* a token that can stand in the message: not empty, no space or control */
static bool
is_token(struct xfield f)
{
    if (f.n == 0)
        return false;
    for (size_t k = 0; k < f.n; k++)
        if ((unsigned char)f.p[k] <= ' ')
            return false;
    return true;
}

/* " key=value" for a token value; other values are left out */
static void
put_token(struct mw_buf *b, const char *key, struct xfield f)
{
    if (!is_token(f))
        return;
    if (b->len > 0)
        buf_putc(b, ' ');
    buf_puts(b, key);
    buf_append(b, f.p, f.n);
}

/* "1.2.3.4:25", "[2001:db8::1]:25", or a bare address: ip and port */
static void
endpoint_split(struct xfield ep, struct xfield *ip, struct xfield *port)
{
    *ip = ep;
    *port = (struct xfield){"", 0};
    if (ep.n > 0 && ep.p[0] == '[') {
        const char *close = memchr(ep.p, ']', ep.n);
        if (close == NULL)
            return;
        *ip = (struct xfield){ep.p + 1, (size_t)(close - ep.p - 1)};
        size_t rest = ep.n - (size_t)(close - ep.p) - 1;
        if (rest > 1 && close[1] == ':')
            *port = (struct xfield){close + 2, rest - 1};
        return;
    }
    const char *colon = memchr(ep.p, ':', ep.n);
    if (colon == NULL ||
        memchr(colon + 1, ':', ep.n - (size_t)(colon - ep.p) - 1))
        return; /* no port, or a bare IPv6 address */
    *ip = (struct xfield){ep.p, (size_t)(colon - ep.p)};
    *port = (struct xfield){colon + 1, ep.n - (size_t)(colon - ep.p) - 1};
}

/* a port number, or -1 */
static long
port_value(struct xfield f)
{
    long v = 0;
    if (f.n == 0 || f.n > 5)
        return -1;
    for (size_t k = 0; k < f.n; k++) {
        if (f.p[k] < '0' || f.p[k] > '9')
            return -1;
        v = v * 10 + (f.p[k] - '0');
    }
    return v;
}

/* receive or send, for a protocol row: "#Log-type:", else the connector
 * ("SERVER\Name" is a receive connector; send connectors are bare names),
 * else the endpoints (a receive log's local port is the listening one) */
static enum xtype
protocol_type(const struct exchange_reader *r)
{
    if (r->type == XT_RECEIVE || r->type == XT_SEND)
        return r->type;
    struct xfield con = col_get(r, XC_CONNECTOR);
    if (con.n > 0)
        return memchr(con.p, '\\', con.n) ? XT_RECEIVE : XT_SEND;
    struct xfield lip, lport, rip, rport;
    endpoint_split(col_get(r, XC_LOCAL), &lip, &lport);
    endpoint_split(col_get(r, XC_REMOTE), &rip, &rport);
    long lp = port_value(lport), rp = port_value(rport);
    return lp > 0 && lp <= rp ? XT_RECEIVE : XT_SEND;
}

static void
protocol_msg(struct exchange_reader *r, struct mw_record *rec)
{
    enum xtype t = protocol_type(r);
    struct xfield sid = col_get(r, XC_SESSION), ip, port;
    struct xfield ep = sess_endpoint(r, sid, col_get(r, XC_REMOTE));
    struct xfield data = col_get(r, XC_DATA), ctx = col_get(r, XC_CONTEXT);
    struct xfield ev = col_get(r, XC_EVENT);
    struct mw_buf *b = &r->msg;
    endpoint_split(ep, &ip, &port);
    put_token(b, t == XT_RECEIVE ? "client=" : "remote=", ip);
    put_token(b, "port=", port);
    put_token(b, "session=", sid);
    put_token(b, "", ev);
    if (b->len > 0 && data.n + ctx.n > 0)
        buf_putc(b, ' ');
    buf_append(b, data.p, data.n);
    if (data.n > 0 && ctx.n > 0)
        buf_append(b, " | ", 3);
    buf_append(b, ctx.p, ctx.n);
    rec->prog = t == XT_RECEIVE ? prog_receive : prog_send;
    struct xfield con = col_get(r, XC_CONNECTOR);
    const char *bs = t == XT_RECEIVE ? memchr(con.p, '\\', con.n) : NULL;
    if (bs && bs > con.p) {
        rec->host = con.p;
        rec->host_len = (size_t)(bs - con.p);
    }
}

/* An IMAP4 or POP3 protocol log row: "client=IP port=P session=S user=U
 * command parameters | context", as in
 * "client=192.0.2.12 port=35070 session=000000000000000E user=testuser
 * authenticate PLAIN | R="2 NO AUTHENTICATE failed.";Msg="AuthFailed:..."" */
static void
mailbox_msg(struct exchange_reader *r, struct mw_record *rec)
{
    struct xfield ip, port, lip, lport;
    struct xfield par = col_get(r, XC_PARAMETERS), ctx = col_get(r, XC_CONTEXT);
    struct mw_buf *b = &r->msg;
    endpoint_split(col_get(r, XC_REMOTE), &ip, &port);
    endpoint_split(col_get(r, XC_LOCAL), &lip, &lport);
    put_token(b, "client=", ip);
    put_token(b, "port=", port);
    put_token(b, "session=", col_get(r, XC_SESSION));
    put_token(b, "user=", col_get(r, XC_USER));
    put_token(b, "", col_get(r, XC_COMMAND));
    while (par.n > 0 && par.p[0] == ' ') {
        par.p++;
        par.n--;
    }
    if (par.n > 0) {
        buf_putc(b, ' ');
        buf_append(b, par.p, par.n);
    }
    if (ctx.n > 0) {
        buf_append(b, " | ", 3);
        buf_append(b, ctx.p, ctx.n);
    }
    long lp = port_value(lport);
    bool pop =
        r->type == XT_POP || (r->type != XT_IMAP && (lp == 110 || lp == 995));
    rec->prog = pop ? prog_pop : prog_imap;
}

static void
tracking_msg(struct exchange_reader *r, struct mw_record *rec)
{
    struct mw_buf *b = &r->msg;
    struct xfield st = col_get(r, XC_RCPT_STATUS);
    put_token(b, "event=", col_get(r, XC_EVENT_ID));
    put_token(b, "client=", col_get(r, XC_CLIENT_IP));
    put_token(b, "server=", col_get(r, XC_SERVER_IP));
    put_token(b, "source=", col_get(r, XC_SOURCE));
    put_token(b, "sender=", col_get(r, XC_SENDER));
    put_token(b, "recipient=", col_get(r, XC_RECIPIENT));
    if (b->len > 0)
        buf_putc(b, ' ');
    buf_puts(b, "status=");
    buf_append(b, st.p, st.n);
    rec->prog = prog_tracking;
    struct xfield host = col_get(r, XC_SERVER_HOST);
    if (host.n > 0) {
        rec->host = host.p;
        rec->host_len = host.n;
    }
}

/* columns other than the stamp, joined by commas */
static void
other_msg(struct exchange_reader *r, struct mw_record *rec)
{
    for (size_t k = 0; k < r->nf; k++) {
        if ((int)k == r->col[XC_DATETIME])
            continue;
        if (r->msg.len > 0)
            buf_putc(&r->msg, ',');
        buf_append(&r->msg, r->f[k].p, r->f[k].n);
    }
    rec->prog = prog_other;
}

static void
fbuf_fit(struct exchange_reader *r, size_t len)
{
    if (r->fcap >= len + 1)
        return;
    size_t cap = r->fcap ? r->fcap : 256;
    while (cap < len + 1)
        cap *= 2;
    free(r->fbuf);
    r->fbuf = xmalloc(cap);
    r->fcap = cap;
}

/* An IIS W3C extended log row (Exchange 2003 and IIS SMTP service logs):
 * "date time c-ip cs-username s-sitename ..." separated by spaces, the
 * stamp in UTC (W3C working draft WD-logfile-960323). The rules see the
 * row after the stamp. */
static int
w3c_row(const char *s, size_t len, struct mw_record *rec)
{
    char stamp[W3C_STAMP + 2];
    if (len <= W3C_STAMP || s[W3C_STAMP] != ' ')
        return 0;
    memcpy(stamp, s, W3C_STAMP);
    stamp[W3C_STAMP] = 'Z';
    if (time_parse_iso(NULL, stamp, W3C_STAMP + 1, &rec->ts) != W3C_STAMP + 1) {
        rec->ts.valid = false;
        return 0;
    }
    rec->prog = rec->prog_base = prog_w3c;
    rec->prog_len = rec->prog_base_len = sizeof prog_w3c - 1;
    rec->msg = s + W3C_STAMP + 1;
    rec->msg_len = len - W3C_STAMP - 1;
    rec->parsed = true;
    return 0;
}

static int
exchange_parse(void *state, const struct mw_line *line, struct mw_record *rec)
{
    struct exchange_reader *r = state;
    const char *s = line->data;
    size_t len = line->len;
    dialect_record_raw(line, rec);
    if (has_prefix(s, len, UTF8_BOM)) {
        s += UTF8_BOM_LEN;
        len -= UTF8_BOM_LEN;
    }
    if (len > 0 && s[0] == '#') {
        header_line(r, s, len);
        return 1;
    }
    if (r->w3c)
        return w3c_row(s, len, rec);
    fbuf_fit(r, len);
    csv_split(r, s, len);
    if (!r->have_fields && r->layout == XL_NONE)
        guess_layout(r);
    if (r->layout == XL_NONE)
        return 0;
    struct xfield dt = col_get(r, XC_DATETIME);
    if (dt.n == 0 || time_parse_iso(NULL, dt.p, dt.n, &rec->ts) != dt.n) {
        rec->ts.valid = false;
        return 0;
    }
    buf_reset(&r->msg);
    if (r->layout == XL_PROTOCOL)
        protocol_msg(r, rec);
    else if (r->layout == XL_MAILBOX)
        mailbox_msg(r, rec);
    else if (r->layout == XL_TRACKING)
        tracking_msg(r, rec);
    else
        other_msg(r, rec);
    rec->prog_base = rec->prog;
    rec->prog_len = rec->prog_base_len = strlen(rec->prog);
    rec->msg = r->msg.data ? r->msg.data : "";
    rec->msg_len = r->msg.len;
    rec->parsed = true;
    return 0;
}

static void *
exchange_open(time_t ref)
{
    (void)ref; /* every stamp has its zone */
    struct exchange_reader *r = xcalloc(1, sizeof *r);
    for (int c = 0; c < XC_COUNT; c++)
        r->col[c] = -1;
    return r;
}

static void
exchange_close(void *state)
{
    struct exchange_reader *r = state;
    if (r == NULL)
        return;
    free(r->fbuf);
    free(r->sess);
    buf_free(&r->msg);
    free(r);
}

/* kind of line for sniffing: 2 an Exchange header, 1 a row starting with
 * "YYYY-MM-DDThh:mm:ss[.f]Z,", 0 anything else */
static int
sniff_line(const struct mw_line *l)
{
    const char *s = l->data;
    size_t len = l->len;
    struct mw_time t;
    if (has_prefix(s, len, UTF8_BOM)) {
        s += UTF8_BOM_LEN;
        len -= UTF8_BOM_LEN;
    }
    if (has_prefix(s, len, "#Software: Microsoft Exchange") ||
        has_prefix(s, len, "#Fields: date-time,") ||
        has_prefix(s, len, W3C_SOFTWARE) || has_prefix(s, len, W3C_FIELDS))
        return 2;
    if (len < 20 || s[4] != '-' || s[10] != 'T')
        return 0;
    size_t n = time_parse_iso(NULL, s, len, &t);
    return n > 0 && n < len && s[n - 1] == 'Z' && s[n] == ',';
}

static int
exchange_sniff(const struct mw_line *lines, size_t n)
{
    size_t hits = 0, seen = 0;
    for (size_t k = 0; k < n; k++) {
        if (lines[k].len == 0)
            continue;
        seen++;
        int kind = sniff_line(&lines[k]);
        if (kind == 2)
            return 100;
        hits += (size_t)kind;
    }
    return seen ? (int)(hits * 100 / seen) : 0;
}

const char *
exchange_sniff_why(const struct mw_line *lines, size_t n)
{
    struct exchange_reader r = {.type = XT_UNKNOWN};
    for (size_t k = 0; k < n; k++) {
        const char *s = lines[k].data;
        size_t len = lines[k].len;
        if (has_prefix(s, len, UTF8_BOM)) {
            s += UTF8_BOM_LEN;
            len -= UTF8_BOM_LEN;
        }
        if (has_prefix(s, len, "#Log-type:") ||
            has_prefix(s, len, "#Software:") || has_prefix(s, len, W3C_FIELDS))
            header_line(&r, s, len);
    }
    if (r.w3c)
        return "IIS W3C extended log (SMTP service)";
    switch (r.type) {
    case XT_RECEIVE:
        return "Microsoft Exchange SMTP receive protocol log";
    case XT_SEND:
        return "Microsoft Exchange SMTP send protocol log";
    case XT_TRACKING:
        return "Microsoft Exchange message tracking log";
    case XT_IMAP:
        return "Microsoft Exchange IMAP4 protocol log";
    case XT_POP:
        return "Microsoft Exchange POP3 protocol log";
    default:
        return "Microsoft Exchange CSV log";
    }
}

const struct mw_dialect mw_dialect_exchange = {
    "exchange", exchange_sniff, exchange_open, exchange_parse, exchange_close,
};
