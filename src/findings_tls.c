#include "config.h"

#include "findings.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "findings_impl.h"
#include "xalloc.h"

/* Detectors of TLS failures: many clients starting to fail at once (a
 * change on this server) or one client failing again and again. */

#define TLS_MIN_CLIENTS  5
#define TLS_RISE         3 /* times the rise of all other hits */
#define OLD_CLIENT_MIN   5
#define OLD_CLIENT_SHARE 0.3

/* "14:05 CET", with the date when the span covers a day or more */
static const char *
clock_text(struct mw_fnd_ctx *x, int64_t t)
{
    const struct mw_summary *s = x->in->sum;
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];
    if (!localtime_r(&tt, &tm))
        return "?";
    size_t n = s->span_end - s->span_start >= 86400
                   ? strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %Z", &tm)
                   : strftime(buf, sizeof buf, "%H:%M %Z", &tm);
    return strpool_add(x->pool, buf, n);
}

/* last window of the burst of b: windows above its threshold from the
 * peak on, one quiet window tolerated */
static size_t
burst_last(const uint64_t *v, size_t n, const struct mw_burst *b)
{
    size_t last = b->peak;
    for (size_t i = b->peak + 1; i < n && i <= last + 2; i++)
        if ((double)v[i] > b->threshold)
            last = i;
    return last;
}

/* Clients whose first TLS failure is in [since, until) into after; the
 * number of those that failed before since into *nbefore, the earliest
 * first failure into *first. Returns how many are in after. */
static size_t
tls_new_clients(const struct mw_fnd_in *in, int64_t since, int64_t until,
                uint32_t *after, size_t *nbefore, int64_t *first)
{
    size_t n = 0;
    *nbefore = 0;
    *first = MW_FND_NO_TIME;
    for (size_t i = 0; i < in->nips; i++) {
        const struct mw_fnd_ip *ip = &in->ips[i];
        if (ip->tls == 0 || ip->tls_first == INT64_MAX)
            continue;
        if (ip->tls_first < since) {
            (*nbefore)++;
        } else if (ip->tls_first < until) {
            after[n++] = (uint32_t)i;
            if (*first == MW_FND_NO_TIME || ip->tls_first < *first)
                *first = ip->tls_first;
        }
    }
    return n;
}

/* A rule saying this server could not load its certificate or key hit
 * during [from, to]. Rule ids are stable: postfix.tls.certificate_load_failed,
 * dovecot.ssl.certificate_load_failed, exchange.tls.no_credentials,
 * sendmail.tls.certificate_config. */
static bool
cert_load_failed(const struct mw_fnd_in *in, int64_t from, int64_t to)
{
    static const char *const marks[] = {"load", "no_credentials",
                                        "certificate_config"};
    for (size_t i = 0; i < in->nrules; i++) {
        const struct mw_fnd_rule *r = &in->rules[i];
        if (!r->count || strcmp(r->category, "tls.certificate") != 0 ||
            r->first == MW_FND_NO_TIME || r->last < from || r->first > to)
            continue;
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
            if (strstr(r->id, marks[k]))
                return true;
    }
    return false;
}

/* Did TLS failures rise in the burst [b->onset, endw] TLS_RISE times more
 * than the hits of all other rules? A change on this server makes TLS
 * fail; the busy hours of the day raise every kind of failure alike. */
static bool
tls_rise_stands_out(const struct mw_fnd_in *in, const struct mw_burst *b,
                    size_t endw)
{
    const uint64_t *tls = in->src[MW_SRC_TLS].series;
    double tb = 0, ti = 0, ob = 0, oi = 0;
    for (size_t i = 0; i <= endw; i++)
        *(i < b->onset ? &tb : &ti) += (double)tls[i];
    for (size_t r = 0; r < in->nrules; r++) {
        const struct mw_fnd_rule *ru = &in->rules[r];
        if (!ru->count || (ru->srcmask & (1u << MW_SRC_TLS)))
            continue;
        for (size_t i = 0; i <= endw; i++)
            *(i < b->onset ? &ob : &oi) += (double)ru->series[i];
    }
    double nb = b->onset ? (double)b->onset : 1;
    double ni = (double)(endw - b->onset + 1);
    double tls_rise = (ti / ni + 1) / (tb / nb + 1);
    double other_rise = (oi / ni + 1) / (ob / nb + 1);
    return tls_rise >= TLS_RISE * other_rise;
}

static void
tls_serverwide_text(struct mw_sum_finding *f, bool cert_load)
{
    if (cert_load) {
        /* Critical: TLS is off for every client until the files are
         * fixed, and mail clients that insist on TLS cannot send. */
        f->level = MW_LEVEL_CRITICAL;
        f->cause_id = "cause.tls.cert_load";
        f->cause = "TLS failures from many different clients began when "
                   "this server could not load its TLS certificate or "
                   "private key (missing or unreadable file, key that does "
                   "not match the certificate, broken PEM): TLS is disabled "
                   "or the TLS service cannot start, so every client that "
                   "needs TLS fails.";
        f->fix = "Look for the \"cannot load\" / \"cannot get\" / \"key values "
                 "mismatch\" lines at the onset, install the certificate "
                 "with its own key and full chain, fix permissions, reload "
                 "(postfix reload, doveadm reload) and test with openssl "
                 "s_client -connect HOST:587 -starttls smtp.";
        return;
    }
    f->cause_id = strcmp(f->category, "tls.certificate") == 0
                      ? "cause.tls.cert_mismatch"
                      : "cause.tls.protocol_mismatch";
    f->cause = "TLS failures from many different clients began at the same "
               "moment: something changed on this server. Usually a renewed "
               "or replaced certificate (expired, incomplete chain, wrong "
               "name, unreadable key file), or TLS protocol or cipher "
               "settings tightened (e.g. TLS 1.0/1.1 disabled) or a TLS "
               "library upgrade.";
    f->fix = "Check what changed at that time: test with openssl s_client "
             "-connect HOST:25 -starttls smtp (and :587, :993), check the "
             "certificate files, chain and permissions, and the smtpd_tls_* / "
             "Dovecot ssl_* settings and recent package upgrades.";
}

/* Many clients start failing TLS in one window, and TLS failures rise far
 * more than all other hits: a change on this server. A steady background
 * of failing clients (scanners, old devices) is allowed. */
static bool
tls_serverwide(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_window_layout *l = &in->layout;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_TLS];
    struct mw_burst b;
    window_detect(st->series, l->n, &b);
    if (!b.has_onset)
        return false;
    size_t endw = burst_last(st->series, l->n, &b);
    int64_t since = l->first + (int64_t)b.onset * l->window;
    int64_t until = l->first + (int64_t)(endw + 1) * l->window;
    uint32_t *after = xreallocarray(NULL, in->nips + 1, sizeof *after);
    size_t nbefore;
    int64_t first;
    size_t nafter = tls_new_clients(in, since, until, after, &nbefore, &first);
    if (nafter < TLS_MIN_CLIENTS || !tls_rise_stands_out(in, &b, endw)) {
        free(after);
        return false;
    }
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_TLS);
    /* 0.6 when 5 clients started failing in the same window, up to 0.9
     * with 25 or more; -0.1 when other clients failed before (part of it
     * may be older, unrelated trouble). */
    double conf = 0.6 + 0.3 * findings_clamp01((double)(nafter - 5) / 20) -
                  (nbefore ? 0.1 : 0);
    findings_set_text(f, "finding.tls.serverwide",
                      findings_main_category(in, MW_SRC_TLS, "tls.handshake"),
                      MW_LEVEL_HIGH, conf);
    tls_serverwide_text(f, cert_load_failed(in, since - l->window, until));
    for (size_t i = b.onset; i <= endw; i++)
        f->count += st->series[i];
    /* the first failure since the onset: exact when it is the first TLS
     * failure at all, else that of the first client failing since then */
    if (st->first != MW_FND_NO_TIME && st->first >= since)
        first = st->first;
    findings_set_timing(x, f, st->series, first,
                        st->last < until ? st->last : until - 1);
    f->onset = since;
    f->title =
        findings_fmt(x, "TLS handshakes %s for %zu clients %s %s",
                     f->ongoing ? "failing" : "failed", nafter,
                     f->ongoing ? "since" : "starting", clock_text(x, since));
    uint32_t *top = findings_array(x->ar, in->top, sizeof *top);
    size_t ntop =
        findings_top_ips(in, after, nafter, MW_FND_METRIC_TLS, in->top, top);
    findings_set_clients(x, f, top, ntop, nafter);
    struct mw_fnd_evsel s;
    findings_evsel_init(&s);
    s.from = since;
    s.to = until - 1;
    findings_set_evidence(x, f, &st->ev, &s);
    free(after);
    return true;
}

static void
tls_old_client(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_TLS];
    uint32_t top[3];
    size_t n = findings_top_ips(in, NULL, 0, MW_FND_METRIC_TLS, 3, top), k = 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = in->ips[top[i]].tls;
        if (v >= OLD_CLIENT_MIN && (double)v >= OLD_CLIENT_SHARE * st->count) {
            top[k++] = top[i];
            sum += v;
        }
    }
    if (k == 0)
        return;
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_TLS);
    /* 0.5: the same address failing again and again points at that
     * client's TLS stack, but a broken middlebox or a scanner looks the
     * same in the log. */
    findings_set_text(f, "finding.tls.old_client", "tls.handshake",
                      MW_LEVEL_LOW, 0.5);
    f->cause_id = "cause.tls.protocol_mismatch";
    if (k == 1)
        f->title =
            findings_fmt(x, "TLS keeps failing for client %s (old software?)",
                         in->ips[top[0]].ip);
    else
        f->title = findings_fmt(
            x, "TLS keeps failing for %zu clients (old software?)", k);
    f->cause = "The same client fails the TLS handshake again and again: "
               "typically old software that offers only TLS 1.0/1.1 or weak "
               "ciphers this server no longer accepts, or a client that does "
               "not trust the server's certificate.";
    f->fix = "Identify the client (printer, scanner, old phone, monitoring "
             "probe) and update it. If it must keep working, give it a "
             "separate listener with legacy settings rather than weakening "
             "TLS for everyone.";
    f->count = sum;
    int64_t first, last;
    findings_span_of_ips(in, top, k, &first, &last);
    findings_set_timing(x, f, st->series, first, last);
    findings_set_clients(x, f, top, k, k);
    struct mw_fnd_evsel s;
    findings_evsel_init(&s);
    s.ips = top;
    s.nips = k;
    findings_set_evidence(x, f, &st->ev, &s);
}

void
findings_detect_tls(struct mw_fnd_ctx *x)
{
    if (x->in->src[MW_SRC_TLS].count == 0)
        return;
    if (!tls_serverwide(x))
        tls_old_client(x);
}
