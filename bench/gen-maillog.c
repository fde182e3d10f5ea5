/*
 * gen-maillog - write a deterministic, realistic Postfix + Dovecot mail.log
 * for benchmarks and sample incidents.
 *
 *   cc -O2 -o gen-maillog gen-maillog.c
 *   ./gen-maillog --seed 1 --size 300M --incidents > mail.log
 *
 * Standalone C11: no project headers, no libm, no locale or time zone
 * dependence. The same options always give the same bytes. Message texts
 * are those of Postfix 3.7 (Debian 12) and Dovecot 2.3 / 2.4; the source of
 * each template is named beside it (postfix smtpd/smtpd.c, ...).
 *
 * Time model: the time of a normal session follows the share of normal
 * traffic written so far, through a day/night profile, so the output covers
 * --duration for any --size. Incidents add events at their own rate and
 * change what normal sessions log while they are active.
 *
 * One file longer than the project's usual size: it is a table of message
 * templates that must stay a single standalone source.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER_IP     "203.0.113.10"
#define LOCAL_DOM     "example.net"
#define PF_VERSION    "3.7.11"
#define OUT_CAP       (4u << 20)
#define LINE_RESERVE  4096u
#define MAX_INCIDENTS 16
#define US            1000000LL
#define N(a)          (sizeof(a) / sizeof((a)[0]))
#define PICK(g, arr)  ((arr)[rng_below(&(g)->rng, N(arr))])

/* ------------------------------------------------------------ random */

struct rng {
    uint64_t s[4];
};

static uint64_t
splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

/* xoshiro256** (Blackman and Vigna, public domain) */
static uint64_t
rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return res;
}

static uint32_t
rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static uint32_t
rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

static double
rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static bool
rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

/* ------------------------------------------------------------ tables */

static const char *const first_names[] = {
    "anna",  "ben",    "clara",  "david", "eva",   "felix",  "greta",  "hannes",
    "ida",   "jonas",  "katrin", "lukas", "maria", "niklas", "olga",   "paul",
    "rita",  "stefan", "tina",   "uwe",   "vera",  "walter", "yvonne", "zoe",
    "alice", "bob",    "carol",  "dan",   "erin",  "frank",  "grace",  "henry"};
static const char *const last_names[] = {
    "mueller", "schmidt",  "schneider", "fischer",  "weber",  "meyer",
    "wagner",  "becker",   "schulz",    "hoffmann", "koch",   "richter",
    "klein",   "wolf",     "neumann",   "schwarz",  "braun",  "zimmermann",
    "krueger", "hartmann", "lange",     "werner",   "krause", "lehmann",
    "walker",  "brown",    "taylor"};
static const char *const role_names[] = {"info",    "office",  "sales",
                                         "support", "billing", "jobs"};
static const char *const guess_names[] = {
    "admin",   "info",       "test",      "office",  "sales",
    "support", "postmaster", "webmaster", "contact", "user",
    "mail",    "scanner",    "backup",    "root"};
static const char *const sender_locals[] = {
    "newsletter", "noreply", "no-reply",      "info", "service", "rechnung",
    "support",    "orders",  "notifications", "team", "hello",   "billing"};
static const char *const sender_domains[] = {
    "gmail.com",   "outlook.com",      "gmx.de",           "web.de",
    "t-online.de", "yahoo.com",        "example.org",      "example.com",
    "posteo.de",   "shop.example.com", "news.example.com", "mailbox.org"};
static const char *const bad_domains[] = {"gmial.con", "gmx.dee", "outlook.cmo",
                                          "web.ed", "t-online.dde"};
static const char *const words[] = {
    "baeckerei", "stadtwerke", "kanzlei",  "autohaus",   "praxis", "hotel",
    "verlag",    "druckerei",  "apotheke", "immobilien", "reisen", "elektro"};
static const char *const bot_net[] = {
    "45",  "80",  "85",  "91",  "92",  "103", "109", "141", "147", "162", "176",
    "178", "185", "193", "194", "195", "196", "36",  "39",  "42",  "49",  "58",
    "61",  "114", "117", "119", "121", "171", "175", "180", "182", "186", "187",
    "189", "190", "200", "201", "5",   "31",  "37",  "46",  "62",  "77"};
static const char *const ms_regions[] = {"db8eur", "am0eur", "vi1eur",
                                         "he1eur", "fra01",  "ams02"};
static const char *const g_prefix[] = {"wr", "wm", "ej", "lf", "pj", "qk"};
static const char *const bot_helos[] = {"User",        "ylmf-pc",
                                        "localhost",   "WIN-9QL4SDRB93L",
                                        "example.com", "[127.0.0.1]"};
static const char b62[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* OpenSSL 3 errors as tls_print_errors() logs them: error:file:line:data: */
static const char p_nocipher[] = "error:0A0000C1:SSL routines::no shared "
                                 "cipher:../ssl/statem/statem_srvr.c:2220:";
static const char p_protocol[] = "error:0A000102:SSL routines::unsupported "
                                 "protocol:../ssl/statem/statem_srvr.c:1657:";
static const char p_version[] = "error:0A00010B:SSL routines::wrong version "
                                "number:../ssl/record/ssl3_record.c:354:";
static const char p_unknown_ca[] =
    "error:0A000418:SSL routines::tlsv1 alert unknown ca:"
    "../ssl/record/rec_layer_s3.c:1586:SSL alert number 48:";
static const char p_cert_unknown[] =
    "error:0A000416:SSL routines::sslv3 alert certificate unknown:"
    "../ssl/record/rec_layer_s3.c:1586:SSL alert number 46:";

/* outbound destinations; style selects the remote "250" reply text */
enum { R_GMAIL, R_MS, R_GENERIC };
struct dest {
    const char *domain, *mx, *ip, *mx2, *ip2;
    int style;
    unsigned weight;
};
static const struct dest dests[] = {
    {"gmail.com", "gmail-smtp-in.l.google.com", "142.250.102.27", NULL, NULL,
     R_GMAIL, 30},
    {"googlemail.com", "gmail-smtp-in.l.google.com", "142.251.9.26", NULL, NULL,
     R_GMAIL, 3},
    {"outlook.com", "outlook-com.olc.protection.outlook.com", "52.101.68.18",
     NULL, NULL, R_MS, 10},
    {"hotmail.com", "hotmail-com.olc.protection.outlook.com", "52.101.11.0",
     NULL, NULL, R_MS, 6},
    {"gmx.de", "mx00.emig.gmx.net", "212.227.15.9", NULL, NULL, R_GENERIC, 8},
    {"web.de", "mx-ha03.web.de", "212.227.17.8", NULL, NULL, R_GENERIC, 7},
    {"t-online.de", "mx00.t-online.de", "194.25.134.8", NULL, NULL, R_GENERIC,
     5},
    {"yahoo.com", "mta7.am0.yahoodns.net", "67.195.204.72", NULL, NULL,
     R_GENERIC, 3},
    {"example.org", "mail.example.org", "192.0.2.25", NULL, NULL, R_GENERIC, 4},
    {"example.com", "mx.example.com", "198.51.100.42", NULL, NULL, R_GENERIC,
     4},
    {"kanzlei-berger.example", "mx.kanzlei-berger.example", "203.0.113.58",
     NULL, NULL, R_GENERIC, 3},
    /* last: the destination of the "outage" incident */
    {"nordwind-logistik.example", "mx01.nordwind-logistik.example",
     "198.51.100.25", "mx02.nordwind-logistik.example", "198.51.100.26",
     R_GENERIC, 7},
};
#define OUTAGE_DEST (&dests[N(dests) - 1])

/* small sites where background delivery trouble happens: a dead server, a
 * slow one, one that greylists (the big providers above just work) */
static const struct dest small_dests[] = {
    {"alte-druckerei.example", "mail.alte-druckerei.example", "192.0.2.61",
     NULL, NULL, R_GENERIC, 1},
    {"verein-sonnenhof.example", "mx.verein-sonnenhof.example", "198.51.100.77",
     NULL, NULL, R_GENERIC, 1},
    {"praxis-dr-weber.example", "mail.praxis-dr-weber.example", "203.0.113.90",
     NULL, NULL, R_GENERIC, 1},
    {"hotel-seeblick.example", "mx1.hotel-seeblick.example", "192.0.2.140",
     "mx2.hotel-seeblick.example", "192.0.2.141", R_GENERIC, 1},
    {"kita-regenbogen.example", "mail.kita-regenbogen.example",
     "198.51.100.150", NULL, NULL, R_GENERIC, 1},
    {"elektro-lange.example", "smtp.elektro-lange.example", "203.0.113.171",
     NULL, NULL, R_GENERIC, 1},
};

/* ------------------------------------------------------------ state */

enum kind { K_BRUTE, K_TLSWAVE, K_OUTAGE, K_CERT, K_DNSBL, K_NKINDS };
static const char *const kind_names[] = {"bruteforce", "tlswave", "outage",
                                         "certbreak", "dnsbl"};

struct incident {
    enum kind kind;
    int64_t from, to, mid; /* microseconds */
    double rate;           /* events per second; 0 = default */
    int64_t next_ev;
    int stage; /* 0 before, 1 active, 2 second phase, 3 over */
};

struct opts {
    uint64_t seed, max_bytes, max_lines;
    int64_t start, dur; /* microseconds since 1970, naive (no zone) */
    bool rfc3339;
    int dovecot; /* 23, 24, or 0 = both wordings */
    double fail_rate;
    const char *host, *outfile;
    struct incident inc[MAX_INCIDENTS];
    int ninc;
};

struct host {
    char na[96]; /* "name[ip]" */
    char ip[48];
    uint8_t nalen, iplen;
    uint8_t pick; /* stable per-host random byte: TLS habits and such */
};

struct population {
    struct host *h;
    double *cum;
    size_t n;
};

struct pool {
    uint32_t pid[8];
    uint16_t left[8];
    uint8_t n;
    bool smtpd;
};

struct out {
    FILE *fp;
    char *buf;
    size_t len, mark;
    uint64_t bytes, lines, max_bytes, max_lines;
    bool done, scratch, failed;
};

enum tls_mode { TLS_OK, TLS_NOCIPHER, TLS_NOKEY, TLS_NOCHAIN };
enum pop_id { POP_MTA, POP_USER, POP_BOT, POP_N };
enum pool_id {
    PL_SMTPD,
    PL_SUBM,
    PL_SMTPS,
    PL_CLEANUP,
    PL_SMTP,
    PL_LMTP,
    PL_N
};

struct gen {
    struct opts o;
    struct rng rng;
    struct out out;
    struct population pop[POP_N];
    struct host attackers[3];
    struct pool pools[PL_N];
    char **users;
    size_t nusers;
    double *user_cum, dest_cum[N(dests)];
    int64_t now, last, stamp_sec, deadline, span_cap;
    char stamp[32], hostname[64];
    size_t stamp_len, hostname_len;
    uint32_t pid_counter, pid_master, pid_qmgr, pid_ps, pid_anvil, pid_tlsmgr,
        pid_scache, pid_pickup, pid_local, pid_bounce, pid_dnsblog;
    enum tls_mode tls;
    bool outage, in_normal;
    uint64_t normal_units; /* bytes or lines of normal traffic so far */
    double normal_target, step_scale;
    double seg_cum[512];
    int64_t seg_len, next_stats, next_daily;
    int nseg;
    unsigned sessions_since_stats;
};

/* ------------------------------------------------------------ time */

/* Howard Hinnant's days_from_civil / civil_from_days (public domain) */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "Nov 22 10:05:07" (RFC 3164, day space-padded) or
 * "2026-11-22T10:05:07" into buf[32] */
static size_t
fmt_time(char *buf, int64_t sec, bool iso)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int y;
    unsigned m, d, s = (unsigned)(sec % 86400);
    civil_from_days(sec / 86400, &y, &m, &d);
    if (iso)
        return (size_t)snprintf(buf, 32, "%04d-%02u-%02uT%02u:%02u:%02u", y, m,
                                d, s / 3600, s / 60 % 60, s % 60);
    return (size_t)snprintf(buf, 32, "%.3s %2u %02u:%02u:%02u",
                            months + 3 * (m - 1), d, s / 3600, s / 60 % 60,
                            s % 60);
}

/* advance the session clock by a scaled random step; a session never runs
 * past its deadline, so the log cannot drift ahead of the plan.
 * (Here and below, at most one argument of a call draws random numbers:
 * the order of evaluation of arguments is unspecified, and the output must
 * not depend on the compiler.) */
static void
tick(struct gen *g, uint32_t lo_ms, uint32_t hi_ms)
{
    double ms = (double)rng_range(&g->rng, lo_ms, hi_ms);
    g->now += (int64_t)(ms * 1000.0 * g->step_scale);
    g->now += rng_below(&g->rng, 997);
    if (g->now > g->deadline)
        g->now = g->deadline;
}

/* ------------------------------------------------------------ output */

static void
out_flush(struct out *o)
{
    if (!o->scratch && o->len > 0 && fwrite(o->buf, 1, o->len, o->fp) != o->len)
        o->failed = true;
    o->len = 0;
}

static inline void
put_mem(struct gen *g, const char *p, size_t n)
{
    memcpy(g->out.buf + g->out.len, p, n);
    g->out.len += n;
}

static inline void
put_str(struct gen *g, const char *s)
{
    put_mem(g, s, strlen(s));
}

static void
put_u(struct gen *g, uint64_t v)
{
    char tmp[24];
    int i = 24;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put_mem(g, tmp + i, (size_t)(24 - i));
}

/* Postfix delay: two significant digits under 10 s ("0.08", "3.6", "42") */
static void
put_delay(struct gen *g, uint32_t ms)
{
    char b[16];
    if (ms >= 10000)
        snprintf(b, sizeof b, "%u", ms / 1000);
    else if (ms >= 1000)
        snprintf(b, sizeof b, "%u.%u", ms / 1000, ms / 100 % 10);
    else if (ms >= 10)
        snprintf(b, sizeof b, "0.%02u", ms / 10);
    else
        snprintf(b, sizeof b, "0");
    put_str(g, b);
}

static void
put_token(struct gen *g, const char *alphabet, unsigned alen, int n)
{
    uint64_t x = rng_next(&g->rng);
    for (int i = 0; i < n; i++) {
        if (i % 10 == 9)
            x = rng_next(&g->rng);
        g->out.buf[g->out.len++] = alphabet[x % alen];
        x /= alen;
    }
}

static void put_msgid(struct gen *g, bool local);
static void put_sender(struct gen *g);
static void put_helo(struct gen *g, const struct host *h);

/* "delay=3.6, delays=0.08/0.02/0.85/0.14" (global/log_adhoc.c) */
static void
put_delays(struct gen *g, uint32_t ms)
{
    uint32_t a = ms / 5, b = rng_below(&g->rng, 20), c = ms / 4;
    put_str(g, "delay=");
    put_delay(g, ms);
    put_str(g, ", delays=");
    put_delay(g, a);
    put_str(g, "/");
    put_delay(g, b);
    put_str(g, "/");
    put_delay(g, c);
    put_str(g, "/");
    put_delay(g, ms > a + b + c ? ms - a - b - c : 0);
}

/*
 * A small printf for log text, much cheaper than stdio's:
 *   %s string  %u unsigned  %U uint64_t  %h host "name[ip]"  %i host address
 *   %g host's HELO  %d delay (ms)  %D "delay=.., delays=.." (ms)
 *   %t random token of N (int) letters and digits  %m message-id (int local)
 *   %e random sender address  %S "session=<...>"  %% percent
 */
static void
vputf(struct gen *g, const char *fmt, va_list ap)
{
    const char *p;
    while ((p = strchr(fmt, '%')) != NULL) {
        put_mem(g, fmt, (size_t)(p - fmt));
        const struct host *h;
        switch (p[1]) {
        case 's':
            put_str(g, va_arg(ap, const char *));
            break;
        case 'u':
            put_u(g, va_arg(ap, unsigned));
            break;
        case 'U':
            put_u(g, va_arg(ap, uint64_t));
            break;
        case 'h':
            h = va_arg(ap, const struct host *);
            put_mem(g, h->na, h->nalen);
            break;
        case 'i':
            h = va_arg(ap, const struct host *);
            put_mem(g, h->ip, h->iplen);
            break;
        case 'g':
            put_helo(g, va_arg(ap, const struct host *));
            break;
        case 'd':
            put_delay(g, va_arg(ap, unsigned));
            break;
        case 'D':
            put_delays(g, va_arg(ap, unsigned));
            break;
        case 't':
            put_token(g, b62, 62, va_arg(ap, int));
            break;
        case 'm':
            put_msgid(g, va_arg(ap, int) != 0);
            break;
        case 'e':
            put_sender(g);
            break;
        case 'S':
            put_str(g, "session=<");
            put_token(g, b62, 62, 16);
            put_str(g, ">");
            break;
        default:
            put_mem(g, "%", 1);
            break;
        }
        fmt = p + 2;
    }
    put_str(g, fmt);
}

static void
putf(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vputf(g, fmt, ap);
    va_end(ap);
}

/* start a line: stamp, host, "tag[pid]: " (no pid when pid is 0) */
static void
line(struct gen *g, const char *tag, uint32_t pid)
{
    struct out *o = &g->out;
    if (o->len + LINE_RESERVE > OUT_CAP)
        out_flush(o);
    o->mark = o->len;
    if (g->now < g->last)
        g->now = g->last;
    g->last = g->now;
    int64_t sec = g->now / US;
    if (sec != g->stamp_sec) {
        g->stamp_sec = sec;
        g->stamp_len = fmt_time(g->stamp, sec, g->o.rfc3339);
    }
    put_mem(g, g->stamp, g->stamp_len);
    if (g->o.rfc3339) {
        char frac[16];
        snprintf(frac, sizeof frac, ".%06u+00:00", (unsigned)(g->now % US));
        put_mem(g, frac, 13);
    }
    putf(g, " %s %s", g->hostname, tag);
    if (pid)
        putf(g, "[%u]", pid);
    put_mem(g, ": ", 2);
}

static void
end(struct gen *g)
{
    struct out *o = &g->out;
    put_mem(g, "\n", 1);
    if (o->done) {
        o->len = o->mark;
        return;
    }
    uint64_t n = o->len - o->mark;
    o->bytes += n;
    o->lines++;
    if (g->in_normal)
        g->normal_units += o->max_lines ? 1 : n;
    if ((o->max_lines && o->lines >= o->max_lines) ||
        (o->max_bytes && o->bytes >= o->max_bytes))
        o->done = true;
}

/* one whole line */
static void
say(struct gen *g, const char *tag, uint32_t pid, const char *fmt, ...)
{
    va_list ap;
    line(g, tag, pid);
    va_start(ap, fmt);
    vputf(g, fmt, ap);
    va_end(ap);
    end(g);
}

/* ------------------------------------------------------------ picks */

static size_t
pick_cum(struct gen *g, const double *cum, size_t n)
{
    double u = rng_unit(&g->rng) * cum[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct host *
pick_host(struct gen *g, enum pop_id id)
{
    struct population *p = &g->pop[id];
    return &p->h[pick_cum(g, p->cum, p->n)];
}

/* a host whose pick byte % mod is below `below` (a population subset) */
static const struct host *
pick_where(struct gen *g, enum pop_id id, int mod, int below)
{
    const struct host *h = pick_host(g, id);
    for (int i = 0; i < 30 && h->pick % mod >= below; i++)
        h = pick_host(g, id);
    return h;
}

static const char *
pick_user(struct gen *g)
{
    return g->users[pick_cum(g, g->user_cum, g->nusers)];
}

/* the mailbox owner behind a submission / IMAP client address */
static const char *
owner(const struct gen *g, const struct host *h)
{
    return g->users[(size_t)(h - g->pop[POP_USER].h) % g->nusers];
}

static void
put_sender(struct gen *g)
{
    put_str(g, PICK(g, sender_locals));
    if (rng_chance(&g->rng, 0.3))
        put_u(g, rng_below(&g->rng, 100));
    putf(g, "@%s", PICK(g, sender_domains));
}

static void
put_msgid(struct gen *g, bool local)
{
    if (local) {
        putf(g, "<%t@" LOCAL_DOM ">", 24);
        return;
    }
    switch (rng_below(&g->rng, 4)) {
    case 0:
        putf(g, "<CA%t@mail.gmail.com>", 30);
        break;
    case 1:
        putf(g, "<%t@AM0PR04MB%u.eurprd04.prod.outlook.com>", 18,
             rng_range(&g->rng, 1000, 9999));
        break;
    case 2:
        put_str(g, "<0102019");
        put_token(g, b62 + 26, 36, 28);
        put_str(g, "-000000@eu-west-1.amazonses.com>");
        break;
    default:
        putf(g, "<%t@%s>", 20, PICK(g, sender_domains));
    }
}

static void
put_helo(struct gen *g, const struct host *h)
{
    if (memcmp(h->na, "unknown[", 8) == 0 || h->pick % 3 == 0)
        put_str(g, bot_helos[h->pick % N(bot_helos)]);
    else
        put_mem(g, h->na, (size_t)(strchr(h->na, '[') - h->na));
}

static void
new_qid(struct gen *g, char *q)
{
    static const char hex[] = "0123456789ABCDEF";
    uint64_t x = rng_next(&g->rng);
    int n = (int)rng_range(&g->rng, 10, 11);
    q[0] = hex[1 + x % 15]; /* short queue ids: hex, no leading zero */
    for (int i = 1; i < n; i++)
        q[i] = hex[(x >>= 4) & 15];
    q[n] = 0;
}

/* ------------------------------------------------------------ processes */

static uint32_t
new_pid(struct gen *g)
{
    g->pid_counter += rng_range(&g->rng, 1, 60);
    if (g->pid_counter > 4000000)
        g->pid_counter = 1200;
    return g->pid_counter;
}

/* tls/tls_certkey.c set_cert_stuff(): a renewed certificate installed with
 * the old key; every smtpd process that starts while it is there logs this
 * and runs without TLS (smtpd/smtpd.c then answers STARTTLS with 454) */
static void
tls_key_warnings(struct gen *g, const char *tag, uint32_t pid)
{
    say(g, tag, pid,
        "warning: cannot get RSA private key from file "
        "\"/etc/ssl/private/mx1." LOCAL_DOM ".key\": disabling TLS support");
    say(g, tag, pid,
        "warning: TLS library problem: error:05800074:x509 certificate "
        "routines::key values mismatch:../crypto/x509/x509_cmp.c:405:");
}

/* a daemon process from a pool; a new process replaces a worn-out one
 * (Postfix max_use) and, for smtpd while the key is broken, complains */
static uint32_t
pool_pid(struct gen *g, enum pool_id id, const char *tag)
{
    struct pool *p = &g->pools[id];
    unsigned i = rng_below(&g->rng, p->n);
    if (p->left[i] == 0) {
        p->pid[i] = new_pid(g);
        p->left[i] = (uint16_t)rng_range(&g->rng, 20, 100);
        if (p->smtpd && g->tls == TLS_NOKEY)
            tls_key_warnings(g, tag, p->pid[i]);
    }
    p->left[i]--;
    return p->pid[i];
}

/* "postfix reload" (postfix-script, master/master.c); tlsmgr restarts */
static void
postfix_reload(struct gen *g, bool dovecot)
{
    say(g, "postfix/postfix-script", new_pid(g),
        "refreshing the Postfix mail system");
    tick(g, 1, 30);
    say(g, "postfix/master", g->pid_master,
        "reload -- version " PF_VERSION ", configuration /etc/postfix");
    for (int i = 0; i < PL_N; i++)
        memset(g->pools[i].left, 0, sizeof g->pools[i].left);
    g->pid_qmgr = new_pid(g);
    g->pid_tlsmgr = new_pid(g);
    tick(g, 100, 2000);
    say(g, "postfix/tlsmgr", g->pid_tlsmgr,
        "warning: request to update table btree:/var/lib/postfix/smtpd_scache "
        "in non-postfix directory /var/lib/postfix");
    say(g, "postfix/tlsmgr", g->pid_tlsmgr,
        "warning: redirecting the request to postfix-owned data_directory "
        "/var/lib/postfix");
    if (dovecot) {
        tick(g, 100, 3000);
        say(g, "dovecot", 0,
            "master: Warning: SIGHUP received - reloading configuration");
    }
}

/* ------------------------------------------------------------ smtpd */

/* disconnect statistics (smtpd/smtpd.c): "name=ok[/total] ... commands=" */
enum {
    C_EHLO,
    C_STARTTLS,
    C_AUTH,
    C_MAIL,
    C_RCPT,
    C_DATA,
    C_RSET,
    C_QUIT,
    C_N
};
static const char *const cmd_names[C_N] = {"ehlo", "starttls", "auth", "mail",
                                           "rcpt", "data",     "rset", "quit"};
struct cmds {
    uint8_t ok[C_N], tot[C_N];
};

static void
cmd(struct cmds *c, int which, int ok, int tot)
{
    c->ok[which] = (uint8_t)(c->ok[which] + ok);
    c->tot[which] = (uint8_t)(c->tot[which] + tot);
}

static void
disconnect(struct gen *g, const char *tag, uint32_t pid, const struct host *h,
           const struct cmds *c)
{
    unsigned ok = 0, tot = 0;
    tick(g, 10, 200);
    line(g, tag, pid);
    putf(g, "disconnect from %h", h);
    for (int i = 0; i < C_N; i++) {
        if (!c->tot[i])
            continue;
        putf(g, " %s=%u", cmd_names[i], c->ok[i]);
        if (c->ok[i] != c->tot[i])
            putf(g, "/%u", c->tot[i]);
        ok += c->ok[i];
        tot += c->tot[i];
    }
    putf(g, " commands=%u", ok);
    if (ok != tot || tot == 0)
        putf(g, "/%u", tot);
    end(g);
}

static void
tls_established(struct gen *g, const char *tag, uint32_t pid,
                const struct host *h)
{
    tick(g, 20, 300);
    if (h->pick % 5 == 0)
        say(g, tag, pid,
            "Anonymous TLS connection established from %h: TLSv1.2 with "
            "cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
            h);
    else
        say(g, tag, pid,
            "Anonymous TLS connection established from %h: TLSv1.3 with "
            "cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
            "server-signature RSA-PSS (2048 bits) server-digest SHA256",
            h);
}

/* tls/tls_server.c "SSL_accept error from %s: %d", then tls_print_errors()
 * "warning: TLS library problem: %s:%s:%d:%s:" */
static void
ssl_accept_error(struct gen *g, const char *tag, uint32_t pid,
                 const struct host *h, const char *problem)
{
    tick(g, 20, 400);
    say(g, tag, pid, "SSL_accept error from %h: -1", h);
    say(g, tag, pid, "warning: TLS library problem: %s", problem);
    tick(g, 5, 50);
    say(g, tag, pid, "lost connection after STARTTLS from %h", h);
}

/* EHLO + STARTTLS under the current incident state; false: session over.
 * `verifies`: this client insists on TLS with a valid certificate chain */
static bool
starttls(struct gen *g, const char *tag, uint32_t pid, const struct host *h,
         struct cmds *c, bool verifies)
{
    cmd(c, C_EHLO, 1, 1);
    switch (g->tls) {
    case TLS_NOCIPHER:
        if (h->pick % 100 < 45) {
            cmd(c, C_STARTTLS, 0, 1);
            ssl_accept_error(g, tag, pid, h,
                             h->pick % 4 ? p_nocipher : p_protocol);
            return false;
        }
        break;
    case TLS_NOKEY: /* 454 4.7.0 TLS not available due to local problem */
        cmd(c, C_STARTTLS, 0, 1);
        if (verifies)
            cmd(c, C_QUIT, 1, 1);
        return !verifies;
    case TLS_NOCHAIN:
        if (verifies) {
            cmd(c, C_STARTTLS, 0, 1);
            ssl_accept_error(g, tag, pid, h,
                             h->pick % 3 ? p_unknown_ca : p_cert_unknown);
            return false;
        }
        break;
    case TLS_OK:
        break;
    }
    cmd(c, C_STARTTLS, 1, 1);
    cmd(c, C_EHLO, 1, 1);
    tls_established(g, tag, pid, h);
    return true;
}

/* ------------------------------------------------------------ queue */

static void
cleanup_qmgr(struct gen *g, const char *qid, bool local, const char *from,
             int nrcpt)
{
    uint32_t r = rng_below(&g->rng, 1000);
    tick(g, 10, 150);
    say(g, "postfix/cleanup", pool_pid(g, PL_CLEANUP, "postfix/cleanup"),
        "%s: message-id=%m", qid, local);
    tick(g, 5, 80);
    line(g, "postfix/qmgr", g->pid_qmgr);
    putf(g, "%s: from=<", qid);
    if (from)
        put_str(g, from);
    else
        put_sender(g);
    putf(g, ">, size=%U, nrcpt=%u (queue active)",
         (uint64_t)(900 + rng_below(&g->rng, 9000) + (uint64_t)r * r * r / 400),
         (unsigned)nrcpt);
    end(g);
}

static void
removed(struct gen *g, const char *qid)
{
    tick(g, 5, 60);
    say(g, "postfix/qmgr", g->pid_qmgr, "%s: removed", qid);
}

/* lmtp(8) to Dovecot, and Dovecot's own line */
static void
deliver_local(struct gen *g, const char *qid, const char *user)
{
    uint32_t pid = pool_pid(g, PL_LMTP, "postfix/lmtp");
    tick(g, 50, 400);
    say(g, "postfix/lmtp", pid,
        "%s: to=<%s>, relay=mx1." LOCAL_DOM "[private/dovecot-lmtp], %D, "
        "dsn=2.0.0, status=sent (250 2.0.0 <%s> %t Saved)",
        qid, user, rng_range(&g->rng, 90, 2400), user, 22);
    say(g, "dovecot", 0, "lmtp(%s)<%u><%t>: msgid=%m: saved mail to INBOX",
        user, pid + 2, 22, 0); /* the lmtp process Postfix talks to */
}

static void
remote_reply(struct gen *g, const struct dest *d)
{
    char q[16];
    switch (d->style) {
    case R_GMAIL:
        putf(g, "250 2.0.0 OK  %U %t - gsmtp", (uint64_t)(g->now / US), 20);
        break;
    case R_MS:
        putf(g,
             "250 2.6.0 <%t@" LOCAL_DOM "> [InternalId=%U] Queued mail for "
             "delivery",
             20, rng_next(&g->rng) >> 20);
        break;
    default:
        new_qid(g, q);
        putf(g, "250 2.0.0 Ok: queued as %s", q);
    }
}

/* smtp(8) delivery: sent, or (smtp/smtp_connect.c "connect to %s[%s]:%d:
 * %m") deferred when the destination is down */
static void
deliver_remote(struct gen *g, const char *qid, const struct dest *d,
               bool timeout)
{
    uint32_t pid = pool_pid(g, PL_SMTP, "postfix/smtp");
    const char *first = PICK(g, first_names), *last = PICK(g, last_names);
    unsigned ms = rng_range(&g->rng, 300, 4000);
    tick(g, 100, 900);
    if (timeout || (g->outage && d == OUTAGE_DEST)) {
        const char *why =
            timeout ? "Connection timed out" : "Connection refused";
        say(g, "postfix/smtp", pid, "connect to %s[%s]:25: %s", d->mx, d->ip,
            why);
        if (d->mx2)
            say(g, "postfix/smtp", pid, "connect to %s[%s]:25: %s", d->mx2,
                d->ip2, why);
        say(g, "postfix/smtp", pid,
            "%s: to=<%s@%s>, relay=none, %D, dsn=4.4.1, status=deferred "
            "(connect to %s[%s]:25: %s)",
            qid, first, d->domain, ms * 7, d->mx2 ? d->mx2 : d->mx,
            d->mx2 ? d->ip2 : d->ip, why);
        return;
    }
    say(g, "postfix/smtp", pid,
        "%s TLS connection established to %s[%s]:25: TLSv1.3 with cipher "
        "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
        "server-signature ECDSA (P-256) server-digest SHA256",
        d->style == R_GENERIC ? "Untrusted" : "Trusted", d->mx, d->ip);
    tick(g, 100, 900);
    line(g, "postfix/smtp", pid);
    putf(g, "%s: to=<%s.%s@%s>, relay=%s[%s]:25, %D, dsn=2.0.0, status=sent (",
         qid, first, last, d->domain, d->mx, d->ip, ms);
    remote_reply(g, d);
    putf(g, ")");
    end(g);
}

/* ------------------------------------------------------------ sessions */

static void
postscreen_pass(struct gen *g, const struct host *h)
{
    unsigned port = rng_range(&g->rng, 1024, 65535);
    say(g, "postfix/postscreen", g->pid_ps,
        "CONNECT from [%i]:%u to [" SERVER_IP "]:25", h, port);
    tick(g, 5, 100);
    say(g, "postfix/postscreen", g->pid_ps, "PASS %s [%i]:%u",
        h->pick % 7 ? "OLD" : "NEW", h, port);
}

/* inbound mail from another MTA, through postscreen, delivered by lmtp */
static void
inbound_host(struct gen *g, const struct host *h)
{
    const char *tag = "postfix/smtpd";
    struct cmds c = {0};
    char qid[16];
    int nrcpt = rng_chance(&g->rng, 0.85) ? 1 : (int)rng_range(&g->rng, 2, 4);
    postscreen_pass(g, h);
    uint32_t pid = pool_pid(g, PL_SMTPD, tag);
    tick(g, 5, 60);
    say(g, tag, pid, "connect from %h", h);
    if (h->pick % 8 == 1) { /* this client does not use STARTTLS */
        cmd(&c, C_EHLO, 1, 1);
    } else if (!starttls(g, tag, pid, h, &c, h->pick % 4 == 0)) {
        disconnect(g, tag, pid, h, &c);
        return;
    }
    new_qid(g, qid);
    tick(g, 30, 400);
    say(g, tag, pid, "%s: client=%h", qid, h);
    cleanup_qmgr(g, qid, false, NULL, nrcpt);
    cmd(&c, C_MAIL, 1, 1);
    cmd(&c, C_RCPT, nrcpt, nrcpt);
    cmd(&c, C_DATA, 1, 1);
    cmd(&c, C_QUIT, 1, 1);
    disconnect(g, tag, pid, h, &c);
    for (int i = 0; i < nrcpt; i++)
        deliver_local(g, qid, pick_user(g));
    removed(g, qid);
}

/* Dovecot wording: 2.3 "Disconnected (...)", 2.4 "Login aborted: ..." */
static bool
dovecot24(struct gen *g)
{
    return g->o.dovecot == 24 ||
           (g->o.dovecot == 0 && rng_chance(&g->rng, 0.3));
}

static void
dovecot_tls_fail(struct gen *g, const struct host *h, const char *why)
{
    say(g, "dovecot", 0,
        "imap-login: Disconnected (no auth attempts in 0 secs): user=<>, "
        "rip=%i, lip=" SERVER_IP ", TLS handshaking: SSL_accept() failed: %s, "
        "%S",
        h, why);
}

static void
imap_host(struct gen *g, const struct host *h)
{
    const char *user = owner(g, h);
    if (g->tls == TLS_NOKEY) { /* the login process dies at start-up */
        say(g, "dovecot", 0,
            "imap-login: Fatal: Can't load private ssl_key: Key is for a "
            "different cert than ssl_cert");
        tick(g, 1, 20);
        say(g, "dovecot", 0,
            "master: Error: service(imap-login): command startup failed, "
            "throttling for 2 secs");
        return;
    }
    if (g->tls == TLS_NOCHAIN && h->pick % 8) {
        dovecot_tls_fail(g, h,
                         "error:0A000418:SSL routines::tlsv1 alert unknown ca: "
                         "SSL alert number 48");
        return;
    }
    uint32_t mpid = new_pid(g);
    unsigned in = rng_range(&g->rng, 40, 2000);
    unsigned out = rng_range(&g->rng, 400, 90000);
    char sess[17];
    for (int i = 0; i < 16; i++)
        sess[i] = b62[rng_below(&g->rng, 62)];
    sess[16] = 0;
    say(g, "dovecot", 0,
        "imap-login: Login: user=<%s>, method=PLAIN, rip=%i, lip=" SERVER_IP
        ", mpid=%u, TLS, session=<%s>",
        user, h, mpid, sess);
    tick(g, 200, 9000);
    say(g, "dovecot", 0,
        "imap(%s)<%u><%s>: Logged out in=%u out=%u deleted=0 expunged=0 "
        "trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0",
        user, mpid, sess, in, out);
}

/* submission on 587 (STARTTLS required) or 465 (wrapper mode) */
static bool
submission_tls(struct gen *g, const char *tag, uint32_t pid,
               const struct host *h, struct cmds *c, bool smtps)
{
    if (!smtps)
        return starttls(g, tag, pid, h, c,
                        g->tls == TLS_NOKEY || h->pick % 8 != 0);
    if (g->tls == TLS_NOKEY) { /* smtpd/smtpd.c smtpd_proto() */
        say(g, tag, pid,
            "warning: Wrapper-mode request dropped from %h for service smtps. "
            "TLS context initialization failed. For details see earlier "
            "warnings in your logs.",
            h);
        return false;
    }
    if (g->tls == TLS_NOCHAIN && h->pick % 8) {
        ssl_accept_error(g, tag, pid, h, p_unknown_ca);
        return false;
    }
    tls_established(g, tag, pid, h);
    cmd(c, C_EHLO, 1, 1);
    return true;
}

/* authenticated submission, then delivery of each recipient */
static void
submission_host(struct gen *g, const struct host *h)
{
    const char *user = owner(g, h);
    bool smtps = h->pick % 4 == 0;
    const char *tag =
        smtps ? "postfix/smtps/smtpd" : "postfix/submission/smtpd";
    uint32_t pid = pool_pid(g, smtps ? PL_SMTPS : PL_SUBM, tag);
    struct cmds c = {0};
    char qid[16];
    int nrcpt = rng_chance(&g->rng, 0.8) ? 1 : (int)rng_range(&g->rng, 2, 3);
    say(g, tag, pid, "connect from %h", h);
    if (!submission_tls(g, tag, pid, h, &c, smtps)) {
        disconnect(g, tag, pid, h, &c);
        return;
    }
    cmd(&c, C_AUTH, 1, 1);
    new_qid(g, qid);
    tick(g, 100, 900);
    say(g, tag, pid, "%s: client=%h, sasl_method=PLAIN, sasl_username=%s", qid,
        h, user);
    cleanup_qmgr(g, qid, true, user, nrcpt);
    cmd(&c, C_MAIL, 1, 1);
    cmd(&c, C_RCPT, nrcpt, nrcpt);
    cmd(&c, C_DATA, 1, 1);
    cmd(&c, C_QUIT, 1, 1);
    disconnect(g, tag, pid, h, &c);
    for (int i = 0; i < nrcpt; i++) {
        if (rng_chance(&g->rng, 0.15))
            deliver_local(g, qid, pick_user(g));
        else
            deliver_remote(g, qid, &dests[pick_cum(g, g->dest_cum, N(dests))],
                           false);
    }
    removed(g, qid);
}

static void
sess_inbound(struct gen *g)
{
    inbound_host(g, pick_host(g, POP_MTA));
}

static void
sess_imap(struct gen *g)
{
    imap_host(g, pick_host(g, POP_USER));
}

static void
sess_submission(struct gen *g)
{
    submission_host(g, pick_host(g, POP_USER));
}

/* a cron job's mail to root, delivered by local(8) */
static void
sess_local(struct gen *g)
{
    char qid[16];
    new_qid(g, qid);
    say(g, "postfix/pickup", g->pid_pickup, "%s: uid=0 from=<root>", qid);
    cleanup_qmgr(g, qid, true, "root@mx1." LOCAL_DOM, 1);
    tick(g, 10, 100);
    say(g, "postfix/local", g->pid_local,
        "%s: to=<root@mx1." LOCAL_DOM ">, orig_to=<root>, relay=local, %D, "
        "dsn=2.0.0, status=sent (delivered to mailbox)",
        qid, rng_range(&g->rng, 10, 120));
    removed(g, qid);
}

/* ------------------------------------------------------------ rejects */

enum rej {
    RJ_RELAY,
    RJ_RBL,
    RJ_HELO,
    RJ_SENDER,
    RJ_UNKNOWN,
    RJ_GREY,
    RJ_NOPTR
};

/* smtpd/smtpd_check.c log_whatsup():
 * "%s: reject: %s from %s: %s; from=<%s> to=<%s> proto=%s helo=<%s>" */
static void
reject(struct gen *g, uint32_t pid, const struct host *h, enum rej why)
{
    char to[96], bad[64];
    const char *user = pick_user(g), *first = PICK(g, first_names);
    const char *dom = PICK(g, sender_domains), *guess = PICK(g, guess_names);
    unsigned num = rng_below(&g->rng, 50);
    snprintf(to, sizeof to, "%s", user);
    snprintf(bad, sizeof bad, "billing@%s", PICK(g, bad_domains));
    if (why == RJ_RELAY)
        snprintf(to, sizeof to, "%s@%s", first, dom);
    else if (why == RJ_UNKNOWN)
        snprintf(to, sizeof to, "%s%u@" LOCAL_DOM, guess, num);
    tick(g, 50, 900);
    line(g, "postfix/smtpd", pid);
    putf(g, "NOQUEUE: reject: RCPT from %h: ", h);
    switch (why) {
    case RJ_RELAY:
        putf(g, "454 4.7.1 <%s>: Relay access denied", to);
        break;
    case RJ_RBL:
        putf(g,
             "554 5.7.1 Service unavailable; Client host [%i] blocked using "
             "zen.spamhaus.org; https://www.spamhaus.org/query/ip/%i",
             h, h);
        break;
    case RJ_HELO:
        putf(g, "504 5.5.2 <localhost>: Helo command rejected: need "
                "fully-qualified hostname");
        break;
    case RJ_SENDER:
        putf(g, "450 4.1.8 <%s>: Sender address rejected: Domain not found",
             bad);
        break;
    case RJ_UNKNOWN:
        putf(g,
             "550 5.1.1 <%s>: Recipient address rejected: User unknown in "
             "virtual mailbox table",
             to);
        break;
    case RJ_GREY:
        putf(g,
             "450 4.2.0 <%s>: Recipient address rejected: Greylisted, see "
             "https://postgrey.schweikert.ch/help/" LOCAL_DOM ".html",
             to);
        break;
    case RJ_NOPTR:
        putf(g,
             "450 4.7.1 Client host rejected: cannot find your hostname, "
             "[%i]",
             h);
        break;
    }
    putf(g, "; from=<");
    if (why == RJ_SENDER)
        put_str(g, bad);
    else
        put_sender(g);
    putf(g, "> to=<%s> proto=ESMTP helo=<", to);
    if (why == RJ_HELO)
        put_str(g, "localhost");
    else
        put_helo(g, h);
    putf(g, ">");
    end(g);
}

static void
reject_host(struct gen *g, const struct host *h, enum rej why)
{
    struct cmds c = {0};
    postscreen_pass(g, h);
    uint32_t pid = pool_pid(g, PL_SMTPD, "postfix/smtpd");
    tick(g, 5, 60);
    say(g, "postfix/smtpd", pid, "connect from %h", h);
    if (why == RJ_NOPTR || h->pick % 9 == 0) /* smtpd/smtpd_peer.c */
        say(g, "postfix/smtpd", pid,
            "warning: hostname %s.example.com does not resolve to address %i",
            PICK(g, words), h);
    cmd(&c, C_EHLO, 1, 1);
    cmd(&c, C_MAIL, 1, 1);
    reject(g, pid, h, why);
    cmd(&c, C_RCPT, 0, 1);
    cmd(&c, h->pick % 2 ? C_DATA : C_RSET, h->pick % 2 ? 0 : 1, 1);
    cmd(&c, C_QUIT, 1, 1);
    disconnect(g, "postfix/smtpd", pid, h, &c);
}

static void
sess_reject(struct gen *g)
{
    static const enum rej mix[] = {RJ_RELAY,   RJ_RELAY, RJ_RBL,    RJ_RBL,
                                   RJ_RBL,     RJ_HELO,  RJ_SENDER, RJ_UNKNOWN,
                                   RJ_UNKNOWN, RJ_GREY,  RJ_GREY,   RJ_NOPTR};
    enum rej why = PICK(g, mix);
    reject_host(g, pick_host(g, why == RJ_GREY ? POP_MTA : POP_BOT), why);
}

static void
sess_too_many_errors(struct gen *g)
{
    const struct host *h = pick_host(g, POP_BOT);
    struct cmds c = {0};
    int n = (int)rng_range(&g->rng, 10, 20);
    postscreen_pass(g, h);
    uint32_t pid = pool_pid(g, PL_SMTPD, "postfix/smtpd");
    say(g, "postfix/smtpd", pid, "connect from %h", h);
    cmd(&c, C_EHLO, 1, 1);
    cmd(&c, C_MAIL, 1, 1);
    for (int i = 0; i < n; i++)
        reject(g, pid, h, RJ_UNKNOWN);
    cmd(&c, C_RCPT, 0, n);
    say(g, "postfix/smtpd", pid, "too many errors after RCPT from %h", h);
    disconnect(g, "postfix/smtpd", pid, h, &c);
}

/* smtpd/smtpd.c: "%s after %s from %s", "%s after DATA (%lu bytes) from %s",
 * "improper command pipelining after %s from %s: %s" */
static void
sess_dropped(struct gen *g)
{
    const struct host *h = pick_host(g, POP_BOT);
    const char *tag = "postfix/smtpd";
    uint32_t pid = pool_pid(g, PL_SMTPD, tag);
    unsigned v = rng_below(&g->rng, 10);
    struct cmds c = {0};
    char qid[16];
    say(g, tag, pid, "connect from %h", h);
    if (v == 9)
        say(g, tag, pid,
            "improper command pipelining after CONNECT from %h: "
            "EHLO User\\r\\nMAIL FROM:<>\\r\\n",
            h);
    if (v >= 4 && v != 6 && v != 7)
        cmd(&c, C_EHLO, 1, 1);
    if (v == 8) {
        new_qid(g, qid);
        tick(g, 200, 2000);
        say(g, tag, pid, "%s: client=%h", qid, h);
        cmd(&c, C_MAIL, 1, 1);
        cmd(&c, C_RCPT, 1, 1);
        cmd(&c, C_DATA, 0, 1);
    }
    tick(g, 200, v >= 6 ? 300000 : 5000);
    if (v < 4)
        say(g, tag, pid, "lost connection after CONNECT from %h", h);
    else if (v < 6 || v == 9)
        say(g, tag, pid, "lost connection after EHLO from %h", h);
    else if (v < 8)
        say(g, tag, pid, "timeout after CONNECT from %h", h);
    else
        say(g, tag, pid, "timeout after DATA (%u bytes) from %h",
            rng_range(&g->rng, 0, 80000), h);
    disconnect(g, tag, pid, h, &c);
}

/* ------------------------------------------------------------ auth */

/* smtpd/smtpd_sasl_glue.c:
 * "%s: SASL %.100s authentication failed: %s, sasl_username=%.100s" */
static void
sasl_attack(struct gen *g, const struct host *h, int tries)
{
    bool subm = h->pick % 4 != 0, login = h->pick % 3 != 0;
    const char *tag = subm ? "postfix/submission/smtpd" : "postfix/smtpd";
    uint32_t pid = pool_pid(g, subm ? PL_SUBM : PL_SMTPD, tag);
    struct cmds c = {0};
    char user[80];
    say(g, tag, pid, "connect from %h", h);
    cmd(&c, C_EHLO, 1, 1);
    if (subm || h->pick % 2) {
        cmd(&c, C_STARTTLS, 1, 1);
        cmd(&c, C_EHLO, 1, 1);
        tls_established(g, tag, pid, h);
    }
    for (int i = 0; i < tries; i++) {
        if (rng_chance(&g->rng, 0.5))
            snprintf(user, sizeof user, "%s", pick_user(g));
        else
            snprintf(user, sizeof user, "%s@" LOCAL_DOM, PICK(g, guess_names));
        tick(g, 500, 4000);
        if (login && h->pick % 5 == 0)
            say(g, tag, pid,
                "warning: %h: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
                h);
        else
            say(g, tag, pid,
                "warning: %h: SASL %s authentication failed: authentication "
                "failure, sasl_username=%s",
                h, login ? "LOGIN" : "PLAIN", user);
    }
    cmd(&c, C_AUTH, 0, tries);
    tick(g, 10, 300);
    say(g, tag, pid, "lost connection after AUTH from %h", h);
    disconnect(g, tag, pid, h, &c);
}

static void
sess_sasl(struct gen *g)
{
    const struct host *h = pick_host(g, POP_BOT);
    sasl_attack(g, h, rng_chance(&g->rng, 0.8) ? 1 : 3);
}

static void
dovecot_login_fail(struct gen *g, const struct host *h, const char *user,
                   unsigned tries, bool inactivity)
{
    bool v24 = dovecot24(g);
    unsigned secs =
        inactivity ? rng_range(&g->rng, 170, 180) : rng_range(&g->rng, 2, 30);
    say(g, "dovecot", 0,
        "imap-login: %s%s (auth failed, %u attempts in %u secs)%s: user=<%s>, "
        "method=PLAIN, rip=%i, lip=" SERVER_IP ", TLS, %S",
        v24 ? "Login aborted: " : "Disconnected",
        inactivity ? (v24 ? "Inactivity" : ": Inactivity")
                   : (v24 ? "Connection closed" : ""),
        tries, secs, v24 ? " (auth_failed)" : "", user, h);
}

static void
sess_dovecot_fail(struct gen *g)
{
    unsigned v = rng_below(&g->rng, 6), tries = rng_range(&g->rng, 1, 3);
    const struct host *h = pick_host(g, v < 2 ? POP_USER : POP_BOT);
    if (v < 4)
        dovecot_login_fail(g, h, pick_user(g), tries, v == 1);
    else
        dovecot_tls_fail(g, pick_host(g, POP_BOT),
                         v == 4 ? "error:0A00010B:SSL routines::wrong version "
                                  "number"
                                : "error:0A000102:SSL routines::unsupported "
                                  "protocol");
}

/* ------------------------------------------------------------ postscreen */

/* postscreen/postscreen_early.c, postscreen_dnsbl.c, postscreen_smtpd.c
 * (its reject has commas between the fields, unlike smtpd's) */
static void
postscreen_dnsbl_host(struct gen *g, const struct host *h)
{
    unsigned port = rng_range(&g->rng, 1024, 65535);
    const char *ps = "postfix/postscreen";
    say(g, ps, g->pid_ps, "CONNECT from [%i]:%u to [" SERVER_IP "]:25", h,
        port);
    tick(g, 5, 200);
    say(g, "postfix/dnsblog", g->pid_dnsblog,
        "addr %i listed by domain zen.spamhaus.org as 127.0.0.%u", h,
        h->pick % 2 ? 4u : 3u);
    tick(g, 5, 200);
    say(g, ps, g->pid_ps, "DNSBL rank %u for [%i]:%u", 2 + h->pick % 3, h,
        port);
    tick(g, 500, 6000);
    say(g, ps, g->pid_ps,
        "NOQUEUE: reject: RCPT from [%i]:%u: 550 5.7.1 Service unavailable; "
        "client [%i] blocked using zen.spamhaus.org; from=<%e>, to=<%s>, "
        "proto=ESMTP, helo=<%g>",
        h, port, h, pick_user(g), h);
    tick(g, 10, 3000);
    say(g, ps, g->pid_ps, "DISCONNECT [%i]:%u", h, port);
}

static void
sess_postscreen(struct gen *g)
{
    const struct host *h = pick_host(g, POP_BOT);
    unsigned port = rng_range(&g->rng, 1024, 65535), v = rng_below(&g->rng, 3);
    const char *ps = "postfix/postscreen";
    if (v == 0) {
        postscreen_dnsbl_host(g, h);
        return;
    }
    say(g, ps, g->pid_ps, "CONNECT from [%i]:%u to [" SERVER_IP "]:25", h,
        port);
    tick(g, 50, 3000);
    if (v == 1)
        say(g, ps, g->pid_ps,
            "PREGREET %u after 0.%u from [%i]:%u: EHLO User\\r\\n",
            11 + h->pick % 6, rng_range(&g->rng, 10, 99), h, port);
    else
        say(g, ps, g->pid_ps,
            "HANGUP after %d from [%i]:%u in tests before SMTP handshake",
            rng_range(&g->rng, 100, 9000), h, port);
    tick(g, 10, 3000);
    say(g, ps, g->pid_ps, "DISCONNECT [%i]:%u", h, port);
}

static void
sess_tls_junk(struct gen *g)
{
    const struct host *h = pick_host(g, POP_BOT);
    const char *tag = "postfix/smtpd";
    uint32_t pid = pool_pid(g, PL_SMTPD, tag);
    struct cmds c = {0};
    say(g, tag, pid, "connect from %h", h);
    cmd(&c, C_EHLO, 1, 1);
    cmd(&c, C_STARTTLS, 0, 1);
    if (h->pick % 3 == 0) {
        tick(g, 20, 2000);
        say(g, tag, pid, "SSL_accept error from %h: lost connection", h);
        say(g, tag, pid, "lost connection after STARTTLS from %h", h);
    } else {
        ssl_accept_error(g, tag, pid, h,
                         h->pick % 3 == 1 ? p_version : p_protocol);
    }
    disconnect(g, tag, pid, h, &c);
}

/* ------------------------------------------------------------ outbound */

static void
queue_from_user(struct gen *g, char *qid)
{
    const char *user = pick_user(g);
    new_qid(g, qid);
    say(g, "postfix/qmgr", g->pid_qmgr,
        "%s: from=<%s>, size=%u, nrcpt=1 (queue active)", qid, user,
        rng_range(&g->rng, 1200, 90000));
    tick(g, 50, 500);
}

/* smtp/smtp_trouble.c, dns/dns_lookup.c, bounce/bounce_notify_service.c */
static void
sess_outbound_fail(struct gen *g)
{
    unsigned v = rng_below(&g->rng, 8), ms = rng_range(&g->rng, 300, 9000);
    unsigned k = rng_below(&g->rng, 3);
    /* dead sites time out, one is slow to greet, two greylist */
    const struct dest *d = &small_dests[v < 3 ? k : v == 7 ? 3 : 4 + k % 2];
    const struct dest *big = &dests[rng_below(&g->rng, N(dests) - 1)];
    const char *sm = "postfix/smtp", *bad = PICK(g, bad_domains);
    char qid[16], q2[16];
    queue_from_user(g, qid);
    if (v < 3) {
        deliver_remote(g, qid, d, true);
        return;
    }
    uint32_t pid = pool_pid(g, PL_SMTP, sm);
    const char *rcpt = PICK(g, first_names);
    if (v < 5) /* a mistyped address at a big provider */
        say(g, sm, pid,
            "%s: to=<%s@%s>, relay=%s[%s]:25, %D, dsn=5.1.1, status=bounced "
            "(host %s[%s] said: 550 5.1.1 User unknown (in reply to RCPT TO "
            "command))",
            qid, rcpt, big->domain, big->mx, big->ip, ms, big->mx, big->ip);
    else if (v == 5)
        say(g, sm, pid,
            "%s: to=<%s@%s>, relay=none, %D, dsn=5.4.4, status=bounced (Host "
            "or domain name not found. Name service error for name=%s "
            "type=MX: Host not found)",
            qid, rcpt, bad, ms / 20, bad);
    else if (v == 6)
        say(g, sm, pid,
            "%s: to=<%s@%s>, relay=%s[%s]:25, %D, dsn=4.2.0, status=deferred "
            "(host %s[%s] said: 450 4.2.0 Greylisted, please try again later "
            "(in reply to RCPT TO command))",
            qid, rcpt, d->domain, d->mx, d->ip, ms, d->mx, d->ip);
    else
        say(g, sm, pid,
            "%s: to=<%s@%s>, relay=%s[%s]:25, %D, dsn=4.4.2, status=deferred "
            "(conversation with %s[%s] timed out while receiving the initial "
            "server greeting)",
            qid, rcpt, d->domain, d->mx, d->ip, ms, d->mx, d->ip);
    if (v >= 6)
        return;
    new_qid(g, q2);
    tick(g, 5, 80);
    say(g, "postfix/bounce", g->pid_bounce,
        "%s: sender non-delivery notification: %s", qid, q2);
    removed(g, qid);
}

/* ------------------------------------------------------------ mix */

struct weighted {
    void (*fn)(struct gen *);
    unsigned w;
};

static const struct weighted normal_mix[] = {{sess_inbound, 40},
                                             {sess_imap, 34},
                                             {sess_submission, 14},
                                             {sess_local, 2}};
static const struct weighted failure_mix[] = {
    {sess_sasl, 14},          {sess_dropped, 16},        {sess_reject, 22},
    {sess_postscreen, 14},    {sess_too_many_errors, 2}, {sess_tls_junk, 6},
    {sess_outbound_fail, 10}, {sess_dovecot_fail, 10}};

static void
run_mix(struct gen *g, const struct weighted *mix, size_t n)
{
    unsigned total = 0, u;
    for (size_t i = 0; i < n; i++)
        total += mix[i].w;
    u = rng_below(&g->rng, total);
    for (size_t i = 0; i < n; i++) {
        if (u < mix[i].w) {
            mix[i].fn(g);
            return;
        }
        u -= mix[i].w;
    }
}

static void
session_normal(struct gen *g)
{
    if (rng_chance(&g->rng, g->o.fail_rate))
        run_mix(g, failure_mix, N(failure_mix));
    else
        run_mix(g, normal_mix, N(normal_mix));
}

/* anvil/anvil.c and scache/scache.c status reports (every 600 s) */
static void
periodic_stats(struct gen *g)
{
    const struct host *h = pick_host(g, POP_MTA);
    char at[32], at2[32], start[32];
    unsigned hit = rng_below(&g->rng, 8), miss = rng_range(&g->rng, 1, 12);
    int64_t sec = g->now / US;
    fmt_time(at, sec - rng_below(&g->rng, 500), false);
    fmt_time(at2, sec - rng_below(&g->rng, 500), false);
    fmt_time(start, sec - 600, false);
    say(g, "postfix/anvil", g->pid_anvil,
        "statistics: max connection rate %u/60s for (smtp:%i) at %s",
        rng_range(&g->rng, 1, 6), h, at);
    say(g, "postfix/anvil", g->pid_anvil,
        "statistics: max connection count %u for (smtp:%i) at %s",
        rng_range(&g->rng, 1, 3), h, at);
    say(g, "postfix/anvil", g->pid_anvil, "statistics: max cache size %u at %s",
        rng_range(&g->rng, 2, 40), at2);
    say(g, "postfix/scache", g->pid_scache, "statistics: start interval %s",
        start);
    say(g, "postfix/scache", g->pid_scache,
        "statistics: domain lookup hits=%u miss=%u success=%u%%", hit, miss,
        100 * hit / (hit + miss));
    say(g, "postfix/scache", g->pid_scache,
        "statistics: max simultaneous domains=1 addresses=1 connection=%u",
        rng_range(&g->rng, 1, 3));
}

/* ------------------------------------------------------------ incidents */

static void
event(struct gen *g, enum kind k)
{
    char qid[16];
    unsigned u = rng_below(&g->rng, 10);
    const struct host *a = &g->attackers[u < 4 ? 0 : u < 7 ? 1 : 2];
    switch (k) {
    case K_BRUTE: /* three addresses guess passwords, now and then IMAP */
        if (u == 9)
            dovecot_login_fail(g, a, pick_user(g), 3, false);
        else
            sasl_attack(g, a, rng_chance(&g->rng, 0.7) ? 1 : 3);
        break;
    case K_TLSWAVE: /* MTAs retrying after their STARTTLS failed */
        inbound_host(g, pick_where(g, POP_MTA, 100, 45));
        break;
    case K_OUTAGE: /* queue runs for mail to the unreachable destination */
        queue_from_user(g, qid);
        deliver_remote(g, qid, OUTAGE_DEST, false);
        break;
    case K_CERT: /* mail clients retrying */
        if (u < 5)
            imap_host(g, pick_host(g, POP_USER));
        else
            submission_host(g, pick_host(g, POP_USER));
        break;
    case K_DNSBL: /* a spam run from listed addresses */
        if (u < 6)
            postscreen_dnsbl_host(g, pick_host(g, POP_BOT));
        else
            reject_host(g, pick_host(g, POP_BOT), RJ_RBL);
        break;
    case K_NKINDS:
        break;
    }
}

/* state changes at the start, middle (certbreak) and end of an incident:
 * tlswave = a reload with ciphers nobody else has; certbreak = a renewed
 * certificate installed with the old key, then the key fixed but the chain
 * missing its intermediate, then the full chain */
static void
hook(struct gen *g, struct incident *in)
{
    in->stage++;
    if (in->kind != K_CERT && in->stage == 2)
        in->stage = 3;
    switch (in->kind) {
    case K_TLSWAVE:
        postfix_reload(g, false);
        g->tls = in->stage == 1 ? TLS_NOCIPHER : TLS_OK;
        break;
    case K_OUTAGE:
        g->outage = in->stage == 1;
        break;
    case K_CERT:
        postfix_reload(g, true);
        g->tls = in->stage == 1   ? TLS_NOKEY
                 : in->stage == 2 ? TLS_NOCHAIN
                                  : TLS_OK;
        break;
    default:
        break;
    }
    if (in->stage == 1)
        in->next_ev = in->from + (int64_t)(rng_unit(&g->rng) * US / in->rate);
}

static int64_t
hook_time(const struct incident *in)
{
    switch (in->stage) {
    case 0:
        return in->from;
    case 1:
        return in->kind == K_CERT ? in->mid : in->to;
    case 2:
        return in->to;
    default:
        return INT64_MAX;
    }
}

/* the earliest scheduled item: 0 hook, 1 incident event, 2 stats, 3 daily */
static int64_t
next_item(struct gen *g, int *which, int *what)
{
    int64_t best = g->next_stats;
    *which = -1;
    *what = 2;
    if (g->next_daily < best) {
        best = g->next_daily;
        *what = 3;
    }
    for (int i = 0; i < g->o.ninc; i++) {
        struct incident *in = &g->o.inc[i];
        if (hook_time(in) < best) {
            best = hook_time(in);
            *which = i;
            *what = 0;
        }
        if ((in->stage == 1 || in->stage == 2) && in->next_ev < best &&
            in->next_ev < in->to) {
            best = in->next_ev;
            *which = i;
            *what = 1;
        }
    }
    return best;
}

/* emit everything scheduled up to time t, in time order */
static void
run_pending(struct gen *g, int64_t t)
{
    int which, what;
    int64_t when;
    while (!g->out.done && (when = next_item(g, &which, &what)) <= t) {
        struct incident *in = which >= 0 ? &g->o.inc[which] : NULL;
        g->now = when;
        g->deadline = when + g->span_cap;
        g->in_normal = what >= 2; /* part of the normal traffic budget */
        if (what == 0) {
            hook(g, in);
        } else if (what == 1) {
            in->next_ev +=
                (int64_t)((0.3 + 1.4 * rng_unit(&g->rng)) * US / in->rate);
            event(g, in->kind);
        } else if (what == 2) {
            g->next_stats += (int64_t)rng_range(&g->rng, 590, 610) * US;
            if (g->sessions_since_stats >= 5) /* only after some traffic */
                periodic_stats(g);
            g->sessions_since_stats = 0;
        } else {
            g->next_daily += 86400 * US; /* e.g. a certbot deploy hook */
            postfix_reload(g, false);
        }
        g->in_normal = false;
    }
}

/* ------------------------------------------------------------ hosts */

static void
host_set(struct host *h, const char *name, const char *ip, uint8_t pick)
{
    int n =
        snprintf(h->na, sizeof h->na, "%s[%s]", name ? name : "unknown", ip);
    snprintf(h->ip, sizeof h->ip, "%s", ip);
    h->nalen = (uint8_t)(n < (int)sizeof h->na ? n : (int)sizeof h->na - 1);
    h->iplen = (uint8_t)strlen(h->ip);
    h->pick = pick;
}

static void
doc_ip(struct gen *g, char *ip, size_t n)
{
    static const char *const nets[] = {"192.0.2", "198.51.100", "203.0.113"};
    /* .200 and up are left to the bruteforce attackers */
    const char *net = PICK(g, nets);
    snprintf(ip, n, "%s.%u", net, rng_range(&g->rng, 11, 199));
}

/* sending MTAs: big providers with their real naming schemes, businesses */
static void
make_mta(struct gen *g, struct host *h)
{
    char name[80], ip[48];
    unsigned c = rng_below(&g->rng, 256), d = rng_range(&g->rng, 1, 254);
    bool v6 = rng_chance(&g->rng, 0.15);
    switch (rng_below(&g->rng, 10)) {
    case 0:
    case 1:
    case 2:
        if (v6)
            snprintf(ip, sizeof ip, "2a00:1450:4864:20::%x", 0x20 + c);
        else
            snprintf(ip, sizeof ip, "209.85.%u.%u", 128 + c % 128, d);
        snprintf(name, sizeof name, "mail-%s%u-f%u.google.com",
                 PICK(g, g_prefix), 1 + c % 2, d);
        break;
    case 3:
    case 4:
        if (v6)
            snprintf(ip, sizeof ip, "2a01:111:f403:%x::%x", 0x2600 + c,
                     0x600 + d);
        else
            snprintf(ip, sizeof ip, "40.107.%u.%u", c, d);
        snprintf(name, sizeof name,
                 "mail-%s%02uon2%03u.outbound.protection.outlook.com",
                 PICK(g, ms_regions), 1 + c % 12, d);
        break;
    case 5:
        snprintf(ip, sizeof ip, "54.240.%u.%u", c % 16, d);
        snprintf(name, sizeof name, "a%u-%u.smtp-out.amazonses.com", c % 16, d);
        break;
    case 6:
        snprintf(ip, sizeof ip, "212.227.%u.%u", c % 2 ? 15 : 17, d);
        snprintf(name, sizeof name, "%s",
                 c % 3 == 0   ? "mout.gmx.net"
                 : c % 3 == 1 ? "mout.web.de"
                              : "mout.kundenserver.de");
        break;
    case 7:
        snprintf(ip, sizeof ip, "167.89.%u.%u", c, d);
        snprintf(name, sizeof name, "o%ux%u.outbound-mail.sendgrid.net",
                 rng_range(&g->rng, 1000000, 9999999), d);
        break;
    case 8: {
        const char *net = PICK(g, bot_net), *w = PICK(g, words);
        snprintf(ip, sizeof ip, "%s.%u.%u.%u", net, c, d / 2, d);
        snprintf(name, sizeof name, "mail.%s-%s.de", w, PICK(g, last_names));
        break;
    }
    default:
        doc_ip(g, ip, sizeof ip);
        snprintf(name, sizeof name, "mail%u.example.%s", c % 20,
                 c % 2 ? "org" : "com");
    }
    host_set(h, name, ip, (uint8_t)rng_next(&g->rng));
}

/* submission and IMAP clients: DSL, cable, mobile IPv6 */
static void
make_user_host(struct gen *g, struct host *h)
{
    char name[80], ip[48];
    unsigned a = rng_range(&g->rng, 79, 95), b = rng_below(&g->rng, 256),
             c = rng_below(&g->rng, 256), d = rng_range(&g->rng, 1, 254);
    const char *nm = name;
    switch (rng_below(&g->rng, 5)) {
    case 0:
        snprintf(ip, sizeof ip, "%u.%u.%u.%u", a, b, c, d);
        snprintf(name, sizeof name, "p%02x%02x%02x%02x.dip0.t-ipconnect.de", a,
                 b, c, d);
        break;
    case 1:
        snprintf(ip, sizeof ip, "77.%u.%u.%u", b, c, d);
        snprintf(name, sizeof name,
                 "dynamic-077-%03u-%03u-%03u.77.%u.pool.telefonica.de", b, c, d,
                 b);
        break;
    case 2:
        snprintf(ip, sizeof ip, "88.%u.%u.%u", b, c, d);
        snprintf(name, sizeof name,
                 "ip-88-%u-%u-%u.um%02u.pools.vodafone-ip.de", b, c, d,
                 10 + b % 40);
        break;
    case 3:
        snprintf(ip, sizeof ip, "2a02:3100:%x:%x:%x:%x:%x:%x", b * 97 + c,
                 c * 13 + d, (a * b * 31) & 0xffff, rng_below(&g->rng, 65536),
                 b + 1, d);
        nm = NULL;
        break;
    default:
        doc_ip(g, ip, sizeof ip);
        nm = NULL;
    }
    host_set(h, nm, ip, (uint8_t)rng_next(&g->rng));
}

/* bots and scanners: mostly without reverse DNS */
static void
make_bot(struct gen *g, struct host *h)
{
    char name[80], ip[48];
    unsigned b = rng_below(&g->rng, 256), c = rng_below(&g->rng, 256),
             d = rng_range(&g->rng, 1, 254), v = rng_below(&g->rng, 20);
    if (v < 14)
        snprintf(ip, sizeof ip, "%s.%u.%u.%u", PICK(g, bot_net), b, c, d);
    else if (v < 18)
        doc_ip(g, ip, sizeof ip);
    else
        snprintf(ip, sizeof ip, "2001:db8:%x:%x::%x", b + 1, c, d);
    snprintf(name, sizeof name, "vps%u.%s-hosting.example", b * 256 + c,
             PICK(g, words));
    host_set(h, v % 7 == 3 ? name : NULL, ip, (uint8_t)rng_next(&g->rng));
}

static void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "gen-maillog: out of memory\n");
        exit(2);
    }
    return p;
}

/* Zipf-like popularity: weight 1 / (rank + q); larger q = flatter */
static double *
zipf_cum(size_t n, double q)
{
    double *cum = xcalloc(n, sizeof *cum), acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += 1.0 / ((double)i + q);
        cum[i] = acc;
    }
    return cum;
}

static void
populations_init(struct gen *g)
{
    static const size_t sizes[POP_N] = {1500, 400, 5000};
    static const double skew[POP_N] = {3, 6, 25};
    static void (*const make[POP_N])(struct gen *, struct host *) = {
        make_mta, make_user_host, make_bot};
    for (int p = 0; p < POP_N; p++) {
        g->pop[p].n = sizes[p];
        g->pop[p].h = xcalloc(sizes[p], sizeof(struct host));
        for (size_t i = 0; i < sizes[p]; i++)
            make[p](g, &g->pop[p].h[i]);
        g->pop[p].cum = zipf_cum(sizes[p], skew[p]);
    }
    g->nusers = 150 + N(role_names);
    g->users = xcalloc(g->nusers, sizeof(char *));
    for (size_t i = 0; i < g->nusers; i++) {
        g->users[i] = xcalloc(64, 1);
        if (i < 150) /* distinct first/last pairs */
            snprintf(g->users[i], 64, "%s.%s@" LOCAL_DOM,
                     first_names[i % N(first_names)],
                     last_names[(i / N(first_names) + i * 5) % N(last_names)]);
        else
            snprintf(g->users[i], 64, "%s@" LOCAL_DOM, role_names[i - 150]);
    }
    g->user_cum = zipf_cum(g->nusers, 4);
    for (size_t i = 0; i < N(dests); i++)
        g->dest_cum[i] = (i ? g->dest_cum[i - 1] : 0) + dests[i].weight;
    host_set(&g->attackers[0], NULL, "203.0.113.211", 1);
    host_set(&g->attackers[1], NULL, "198.51.100.203", 2);
    host_set(&g->attackers[2], NULL, "2001:db8:ff00::45", 8);
}

/* ------------------------------------------------------------ lifecycle */

static struct gen *
gen_new(const struct opts *o, uint64_t seed)
{
    static const uint8_t pool_sizes[PL_N] = {8, 4, 2, 3, 6, 3};
    struct gen *g = xcalloc(1, sizeof *g);
    g->o = *o;
    rng_seed(&g->rng, seed);
    g->out.buf = xcalloc(OUT_CAP, 1);
    g->out.max_bytes = o->max_bytes;
    g->out.max_lines = o->max_lines;
    g->now = g->last = o->start;
    g->stamp_sec = INT64_MIN;
    g->step_scale = 1;
    g->deadline = INT64_MAX;
    g->hostname_len =
        (size_t)snprintf(g->hostname, sizeof g->hostname, "%s", o->host);
    populations_init(g);
    g->pid_counter = 1000 + rng_below(&g->rng, 30000);
    g->pid_master = 700 + rng_below(&g->rng, 400);
    uint32_t *fixed[] = {&g->pid_ps,     &g->pid_qmgr,   &g->pid_anvil,
                         &g->pid_tlsmgr, &g->pid_scache, &g->pid_pickup,
                         &g->pid_local,  &g->pid_bounce, &g->pid_dnsblog};
    for (size_t i = 0; i < N(fixed); i++)
        *fixed[i] = new_pid(g);
    for (int i = 0; i < PL_N; i++) {
        g->pools[i].n = pool_sizes[i];
        g->pools[i].smtpd = i <= PL_SMTPS;
        for (int j = 0; j < pool_sizes[i]; j++) {
            g->pools[i].pid[j] = new_pid(g);
            g->pools[i].left[j] = (uint16_t)rng_range(&g->rng, 1, 100);
        }
    }
    return g;
}

static void
gen_free(struct gen *g)
{
    for (int p = 0; p < POP_N; p++) {
        free(g->pop[p].h);
        free(g->pop[p].cum);
    }
    for (size_t i = 0; i < g->nusers; i++)
        free(g->users[i]);
    free(g->users);
    free(g->user_cum);
    free(g->out.buf);
    free(g);
}

static double
units(const struct gen *g)
{
    return (double)(g->o.max_lines ? g->out.lines : g->out.bytes);
}

/* measure the average size of a normal session and of each incident event
 * on a scratch generator, so the clock can be planned before writing */
static void
calibrate(const struct opts *o, double *per_session, double *per_event)
{
    struct gen *s = gen_new(o, o->seed ^ 0x5bd1e995ULL);
    const int n = 4000, m = 300;
    s->out.scratch = true;
    s->out.max_bytes = s->out.max_lines = 0;
    s->step_scale = 0.01;
    for (int i = 0; i < n; i++)
        session_normal(s);
    *per_session = units(s) / n;
    for (int k = 0; k < K_NKINDS; k++) {
        double before = units(s);
        s->outage = k == K_OUTAGE;
        for (int i = 0; i < m; i++) {
            s->tls = k == K_TLSWAVE ? TLS_NOCIPHER
                     : k == K_CERT  ? (i % 3 ? TLS_NOCHAIN : TLS_NOKEY)
                                    : TLS_OK;
            event(s, (enum kind)k);
        }
        per_event[k] = (units(s) - before) / m;
    }
    gen_free(s);
}

/* the share of a day's traffic in each hour */
static const unsigned hourly[24] = {35, 28,  24,  22,  22,  26,  40,  62,
                                    85, 100, 105, 104, 100, 102, 104, 100,
                                    95, 88,  75,  66,  58,  52,  46,  40};

static void
profile_init(struct gen *g)
{
    int64_t seg = 900 * US, end = g->o.start + g->o.dur;
    double acc = 0;
    if (g->o.dur / seg >= (int64_t)N(g->seg_cum))
        seg = g->o.dur / (int64_t)(N(g->seg_cum) - 1) + 1;
    g->nseg = (int)((g->o.dur + seg - 1) / seg);
    for (int i = 0; i < g->nseg; i++) {
        int64_t t = g->o.start + i * seg;
        int64_t len = t + seg > end ? end - t : seg;
        acc += hourly[(t / US / 3600) % 24] * ((double)len / (double)seg);
        g->seg_cum[i] = acc;
    }
    for (int i = 0; i < g->nseg; i++)
        g->seg_cum[i] /= acc;
    g->seg_len = seg;
}

/* time of the next normal session from the share of normal traffic done */
static int64_t
normal_clock(struct gen *g)
{
    double p = (double)g->normal_units / g->normal_target;
    int lo = 0, hi = g->nseg - 1;
    if (p >= 1)
        return g->o.start + g->o.dur + (int64_t)((p - 1) * (double)g->o.dur);
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (g->seg_cum[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    double prev = lo ? g->seg_cum[lo - 1] : 0;
    double frac = (p - prev) / (g->seg_cum[lo] - prev);
    int64_t from = g->o.start + lo * g->seg_len, end = g->o.start + g->o.dur;
    int64_t len = from + g->seg_len > end ? end - from : g->seg_len;
    return from + (int64_t)(frac * (double)len);
}

/* ------------------------------------------------------------ options */

static const char usage[] =
    "usage: gen-maillog [options] > mail.log\n"
    "  --seed N           PRNG seed (default 1); same options, same bytes\n"
    "  --size S           stop after S bytes (suffix K, M, G: binary units)\n"
    "  --lines N          stop after N lines (default 10000)\n"
    "  --start TIME       first stamp, YYYY-MM-DDTHH:MM:SS (default "
    "2026-11-22T00:00:00)\n"
    "  --duration D       time covered: 24h, 6h, 90m, 2d (default 24h)\n"
    "  --format F         bsd (RFC 3164, default) or rfc3339 (Debian 12)\n"
    "  --host NAME        syslog host name (default mx1)\n"
    "  --fail-rate F      share of background failure sessions (default "
    "0.18)\n"
    "  --dovecot V        Dovecot wording: 2.3, 2.4 or mixed (default)\n"
    "  --incidents        add the default incidents:\n"
    "                       bruteforce@10:00+40m tlswave@14:05+45m "
    "outage@16:00+1h\n"
    "  --incident SPEC    add one incident: KIND@WHEN+DURATION[/PER_MINUTE]\n"
    "                       KIND bruteforce, tlswave, outage, certbreak, dnsbl\n"
    "                       WHEN HH:MM[:SS] (start day) or "
    "YYYY-MM-DDTHH:MM[:SS]\n"
    "  -o, --output FILE  write there instead of stdout\n";

static int
parse_u64(const char *s, uint64_t *v, const char **rest)
{
    char *e;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 10);
    if (e == s || errno || *s == '-' || *s == '+')
        return -1;
    *v = x;
    *rest = e;
    return 0;
}

static int
parse_size(const char *s, uint64_t *v)
{
    const char *r;
    if (parse_u64(s, v, &r) != 0)
        return -1;
    const char *units = "KMG", *u = *r ? strchr(units, *r & ~0x20) : NULL;
    int shift = u ? 10 * (int)(u - units + 1) : 0;
    if (u)
        r++;
    if (u && strcmp(r, "iB") == 0)
        r += 2;
    if (*r || *v == 0 || *v > (UINT64_C(1) << 50) >> shift)
        return -1;
    *v <<= shift;
    return 0;
}

static int
parse_duration(const char *s, int64_t *us)
{
    uint64_t v;
    const char *r;
    if (parse_u64(s, &v, &r) != 0 || v == 0 || v > 10000000)
        return -1;
    int64_t mul = *r == 'd' ? 86400 : *r == 'h' ? 3600 : *r == 'm' ? 60 : 1;
    if (*r && strchr("smhd", *r))
        r++;
    *us = (int64_t)v * mul * US;
    return *r ? -1 : 0;
}

/* "YYYY-MM-DDTHH:MM[:SS]", or "HH:MM[:SS]" on `day` when day >= 0 */
static int
parse_time(const char *s, int64_t day, int64_t *us)
{
    int y, mo = 1, d = 1, h, mi, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) == 5)
        day = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 * US;
    else if (day < 0 || sscanf(s, "%2d:%2d%n", &h, &mi, &n) != 2)
        return -1;
    s += n;
    if (*s == ':' && sscanf(s + 1, "%2d%n", &sec, &n) == 1)
        s += 1 + n;
    if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return -1;
    *us = day + ((int64_t)h * 3600 + mi * 60 + sec) * US;
    return 0;
}

static int
parse_incident(struct opts *o, const char *spec)
{
    char buf[128], *at, *plus, *slash;
    struct incident *in = &o->inc[o->ninc];
    int64_t day = o->start - o->start % (86400 * US), dur;
    snprintf(buf, sizeof buf, "%s", spec);
    if (o->ninc >= MAX_INCIDENTS || !(at = strchr(buf, '@')) ||
        !(plus = strchr(at, '+')))
        return -1;
    *at++ = 0;
    *plus++ = 0;
    if ((slash = strchr(plus, '/')) != NULL)
        *slash++ = 0;
    memset(in, 0, sizeof *in);
    in->kind = K_NKINDS;
    for (int k = 0; k < K_NKINDS; k++)
        if (strcmp(buf, kind_names[k]) == 0)
            in->kind = (enum kind)k;
    if (in->kind == K_NKINDS || parse_time(at, day, &in->from) != 0 ||
        parse_duration(plus, &dur) != 0)
        return -1;
    if (!strchr(at, 'T') && in->from < o->start)
        in->from += 86400 * US; /* a clock time before --start: next day */
    in->to = in->from + dur;
    in->mid = in->from + dur * 36 / 100;
    if (slash) {
        char *e;
        in->rate = strtod(slash, &e) / 60.0;
        if (*e || !(in->rate > 0) || in->rate > 1e6)
            return -1;
    }
    o->ninc++;
    return 0;
}

static int
bad(const char *opt, const char *val)
{
    fprintf(stderr, "gen-maillog: invalid value for %s: '%s'\n%s", opt,
            val ? val : "", usage);
    return -1;
}

static int
set_option(struct opts *o, const char *name, const char *v, const char **inc,
           int *ninc)
{
    const char *r = "";
    char *e = NULL;
    int ok = -1;
    if (strcmp(name, "--seed") == 0) {
        ok = parse_u64(v, &o->seed, &r) == 0 && !*r ? 0 : -1;
    } else if (strcmp(name, "--size") == 0) {
        o->max_lines = 0;
        ok = parse_size(v, &o->max_bytes);
    } else if (strcmp(name, "--lines") == 0) {
        o->max_bytes = 0;
        ok = parse_u64(v, &o->max_lines, &r) == 0 && !*r && o->max_lines ? 0
                                                                         : -1;
    } else if (strcmp(name, "--start") == 0) {
        ok = parse_time(v, -1, &o->start);
    } else if (strcmp(name, "--duration") == 0) {
        ok = parse_duration(v, &o->dur);
    } else if (strcmp(name, "--format") == 0) {
        o->rfc3339 = strcmp(v, "rfc3339") == 0;
        ok = o->rfc3339 || strcmp(v, "bsd") == 0 ? 0 : -1;
    } else if (strcmp(name, "--host") == 0) {
        o->host = v;
        ok = *v && strlen(v) < 60 && !strpbrk(v, " \t\r\n") ? 0 : -1;
    } else if (strcmp(name, "--fail-rate") == 0) {
        o->fail_rate = strtod(v, &e);
        ok = *v && !*e && o->fail_rate >= 0 && o->fail_rate <= 1 ? 0 : -1;
    } else if (strcmp(name, "--dovecot") == 0) {
        o->dovecot = strcmp(v, "2.3") == 0   ? 23
                     : strcmp(v, "2.4") == 0 ? 24
                                             : 0;
        ok = o->dovecot || strcmp(v, "mixed") == 0 ? 0 : -1;
    } else if (strcmp(name, "--incident") == 0) {
        ok = *ninc < MAX_INCIDENTS ? 0 : -1;
        if (ok == 0)
            inc[(*ninc)++] = v;
    } else if (strcmp(name, "--output") == 0 || strcmp(name, "-o") == 0) {
        o->outfile = v;
        ok = 0;
    } else {
        fprintf(stderr, "gen-maillog: unknown option '%s'\n%s", name, usage);
        return -1;
    }
    return ok == 0 ? 0 : bad(name, v);
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
    static const char *const defaults[] = {
        "bruteforce@10:00+40m", "tlswave@14:05+45m", "outage@16:00+1h"};
    const char *inc[MAX_INCIDENTS];
    int ninc = 0;
    bool def = false;
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->max_lines = 10000;
    o->dur = 86400 * US;
    o->fail_rate = 0.18;
    o->host = "mx1";
    parse_time("2026-11-22T00:00:00", -1, &o->start);
    for (int i = 1; i < argc; i++) {
        char name[32];
        const char *a = argv[i], *eq = strchr(a, '='), *v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        }
        if (strcmp(a, "--incidents") == 0) {
            def = true;
            continue;
        }
        if (strncmp(a, "--", 2) == 0 && eq && eq - a < (int)sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            v = eq + 1;
        } else if (i + 1 < argc && strlen(a) < sizeof name) {
            snprintf(name, sizeof name, "%s", a);
            v = argv[++i];
        } else {
            return bad(a, NULL);
        }
        if (set_option(o, name, v, inc, &ninc) != 0)
            return -1;
    }
    for (size_t i = 0; def && i < N(defaults); i++)
        if (parse_incident(o, defaults[i]) != 0)
            return bad("--incidents", defaults[i]);
    for (int i = 0; i < ninc; i++)
        if (parse_incident(o, inc[i]) != 0)
            return bad("--incident", inc[i]);
    return 0;
}

/* ------------------------------------------------------------ main */

/* default intensity of an incident: a share of the normal session rate r,
 * with a floor so that small logs still show it clearly */
static double
default_rate(enum kind k, double r)
{
    static const double share[K_NKINDS] = {0.06, 0.02, 0.01, 0.03, 0.01};
    static const double floor_per_min[K_NKINDS] = {3, 1, 0.7, 1, 0.2};
    double a = share[k] * r, b = floor_per_min[k] / 60.0;
    return a > b ? a : b;
}

/* size the traffic so that normal sessions plus incidents fill the target */
static void
plan(struct gen *g)
{
    double per_session, per_event[K_NKINDS], est = 0, rates = 0;
    double total = (double)(g->o.max_lines ? g->o.max_lines : g->o.max_bytes);
    double secs = (double)g->o.dur / US;
    calibrate(&g->o, &per_session, per_event);
    double r = total / per_session / secs;
    for (int i = 0; i < g->o.ninc; i++) {
        struct incident *in = &g->o.inc[i];
        if (in->rate <= 0)
            in->rate = default_rate(in->kind, r);
        est +=
            in->rate * (double)(in->to - in->from) / US * per_event[in->kind];
        rates += in->rate;
    }
    g->normal_target = total - est > total * 0.2 ? total - est : total * 0.2;
    double session_rate = g->normal_target / per_session / secs;
    g->step_scale = 1.0 / session_rate / 6.0;
    if (g->step_scale > 1)
        g->step_scale = 1;
    g->span_cap = (int64_t)(0.8 * US / (session_rate + rates)) + 1000;
    profile_init(g);
    int64_t day = g->o.start - g->o.start % (86400 * US);
    g->next_daily = day + (6 * 3600 + 25 * 60) * US;
    if (g->next_daily < g->o.start)
        g->next_daily += 86400 * US;
    g->next_stats = g->o.start + (int64_t)rng_range(&g->rng, 30, 600) * US;
}

int
main(int argc, char **argv)
{
    struct opts o;
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    FILE *fp = o.outfile ? fopen(o.outfile, "wb") : stdout;
    if (!fp) {
        fprintf(stderr, "gen-maillog: %s: %s\n", o.outfile, strerror(errno));
        return 2;
    }
    struct gen *g = gen_new(&o, o.seed);
    g->out.fp = fp;
    plan(g);
    while (!g->out.done && !g->out.failed) {
        int64_t t = normal_clock(g);
        run_pending(g, t);
        if (g->now < t)
            g->now = t;
        g->deadline = g->now + g->span_cap;
        g->in_normal = true;
        session_normal(g);
        g->in_normal = false;
        g->sessions_since_stats++;
    }
    out_flush(&g->out);
    int rc = g->out.failed || fflush(fp) != 0 || ferror(fp);
    if (o.outfile && fclose(fp) != 0)
        rc = 1;
    if (rc)
        fprintf(stderr, "gen-maillog: write error: %s\n", strerror(errno));
    gen_free(g);
    return rc;
}
