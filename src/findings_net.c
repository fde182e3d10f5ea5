#include "config.h"

#include "findings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "findings_impl.h"
#include "xalloc.h"

/* Detectors of trouble on the network around the server: one destination
 * down, outbound port 25 blocked, the DNS resolver failing, this server on
 * a DNS blocklist or clients rejected by one. */

/* ---- outbound connections -------------------------------------------------
 */

#define OUT_MIN_FAILURES 3
#define OUT_ONE_SHARE    0.8
#define OUT_MANY_DESTS   5
#define OUT_PORT25_SHARE 0.8
#define OUT_LOCAL_MIN    10   /* failures of a destination seen in its time */
#define OUT_MANY_HIGH    10   /* failing destinations that alone mean "us" */
#define OUT_LASTING      1800 /* seconds: an outage, not a blip */

static void
remote_down(struct mw_fnd_ctx *x, uint32_t d, double conf)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_OUT];
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_OUT);
    const struct mw_fnd_dest *de = &in->dests[d];
    /* High when it lasts half an hour or more: all mail for that domain
     * is held up; a shorter blip is medium. */
    bool lasting = de->first != MW_FND_NO_TIME &&
                   de->last - de->first >= OUT_LASTING &&
                   de->count >= OUT_LOCAL_MIN;
    findings_set_text(f, "finding.remote_down",
                      findings_main_category_in(in, MW_SRC_OUT, de->first,
                                                de->last, "connection.refused"),
                      lasting ? MW_LEVEL_HIGH : MW_LEVEL_MEDIUM, conf);
    f->cause_id = "cause.server.down";
    if (de->many_hosts)
        f->title = findings_fmt(
            x, "Mail servers of %.80s down or refusing connections", de->name);
    else
        f->title = findings_fmt(
            x, "Remote host %.80s down or refusing connections", de->host);
    f->cause = "Most outbound connection failures go to one destination: "
               "that server is down, refuses connections (firewall, "
               "overload) or cannot be reached from here. Mail for it stays "
               "in the queue and is retried.";
    f->fix = "Test from this host (nc -vz HOST 25) and check the domain's MX "
             "records (dig MX). If only this destination fails, the problem "
             "is on its side; mail is retried until maximal_queue_lifetime.";
    f->count = de->count;
    findings_set_timing(x, f, st->series, de->first, de->last);
    struct mw_fnd_evsel s;
    findings_evsel_init(&s);
    s.dest = d;
    findings_set_evidence(x, f, &st->ev, &s);
}

static void
port25_blocked(struct mw_fnd_ctx *x, size_t ndests)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_OUT];
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_OUT);
    /* 0.5 with 5 failing destinations, up to 0.85 with 25 or more: many
     * unrelated servers failing on port 25 point at our side (provider
     * or firewall blocking outbound SMTP), not at the remote servers.
     * High from OUT_MANY_HIGH destinations, or when the failures started
     * at one moment; a few small sites failing now and then all day long
     * look the same in the log, so that alone is medium. */
    struct mw_burst b;
    window_detect(st->series, in->layout.n, &b);
    findings_set_text(
        f, "finding.port25_blocked",
        findings_main_category(in, MW_SRC_OUT, "connection.timeout"),
        ndests >= OUT_MANY_HIGH || b.has_onset ? MW_LEVEL_HIGH
                                               : MW_LEVEL_MEDIUM,
        0.5 + 0.35 * findings_clamp01((double)(ndests - OUT_MANY_DESTS) / 20));
    f->cause_id = "cause.port25.blocked";
    f->title = findings_fmt(x,
                            "Outbound port 25 blocked? Connections to %zu mail "
                            "servers fail",
                            ndests);
    f->cause = "Outbound SMTP connections on port 25 fail for many different "
               "mail servers. When many unrelated servers cannot be reached, "
               "the problem is on this side: the hosting provider or a "
               "firewall blocks outbound port 25 (common on cloud and "
               "residential networks), or outbound routing is broken.";
    f->fix = "Test from this host: nc -vz gmail-smtp-in.l.google.com 25. If "
             "it fails, ask the provider to unblock port 25, or relay "
             "through a smarthost on port 587 with authentication "
             "(Postfix relayhost).";
    f->count = st->count;
    findings_set_timing(x, f, st->series, st->first, st->last);
    findings_set_evidence(x, f, &st->ev, NULL);
}

/* A destination that fails densely for a while, among failures to others
 * all day: the one with the largest share (at least OUT_ONE_SHARE) of the
 * outbound failures in the windows from its first to its last failure.
 * *conf gets the confidence that the fault is at that destination: 0.9
 * when the other destinations fail no more than usual meanwhile, down to
 * 0.5 when their failures rose four times or more (then this side may be
 * in trouble too). */
static bool
dest_local(const struct mw_fnd_in *in, uint32_t *best, double *conf)
{
    const struct mw_window_layout *l = &in->layout;
    const uint64_t *series = in->src[MW_SRC_OUT].series;
    uint64_t timed = findings_series_sum(
        l, series, l->first, l->first + (int64_t)l->n * l->window - 1);
    double share = 0;
    bool found = false;
    for (size_t i = 0; i < in->ndests; i++) {
        const struct mw_fnd_dest *d = &in->dests[i];
        if (d->count < OUT_LOCAL_MIN || d->first == MW_FND_NO_TIME)
            continue;
        uint64_t all = findings_series_sum(l, series, d->first, d->last);
        double sh = all ? findings_clamp01((double)d->count / (double)all) : 0;
        if (sh < OUT_ONE_SHARE || (found && sh <= share))
            continue;
        double win =
            (double)(window_floor_div(d->last - l->first, l->window) -
                     window_floor_div(d->first - l->first, l->window) + 1);
        double others_in = all > d->count ? (double)(all - d->count) : 0;
        double others_out = timed > all ? (double)(timed - all) : 0;
        double win_out = (double)l->n > win ? (double)l->n - win : 1;
        double rise = (others_in / win + 1) / (others_out / win_out + 1);
        *conf = 0.9 - 0.4 * findings_clamp01((rise - 1) / 3);
        *best = (uint32_t)i;
        share = sh;
        found = true;
    }
    return found;
}

void
findings_detect_outbound(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    uint64_t total = in->src[MW_SRC_OUT].count, port25 = 0;
    if (total < OUT_MIN_FAILURES || in->ndests == 0)
        return;
    uint32_t best = 0;
    for (size_t i = 0; i < in->ndests; i++) {
        const struct mw_fnd_dest *d = &in->dests[i];
        port25 += d->port25;
        if (d->count > in->dests[best].count ||
            (d->count == in->dests[best].count &&
             strcmp(d->name, in->dests[best].name) < 0))
            best = (uint32_t)i;
    }
    double share = (double)in->dests[best].count / (double)total, conf = 0;
    if (share >= OUT_ONE_SHARE)
        /* 0.5 at 80% of the outbound failures on one destination, up to
         * 0.9 when all are: the fault is then most likely there. */
        remote_down(x, best,
                    0.5 +
                        0.4 * findings_clamp01((share - OUT_ONE_SHARE) / 0.2));
    else if (dest_local(in, &best, &conf))
        remote_down(x, best, conf);
    else if (in->ndests >= OUT_MANY_DESTS && share < 0.5 &&
             (double)port25 >= OUT_PORT25_SHARE * (double)total)
        port25_blocked(x, in->ndests);
}

/* ---- DNS ------------------------------------------------------------------
 */

#define DNS_MIN_FAILURES 10
#define DNS_MIN_DOMAINS  3
#define DNS_PERIOD       3600

struct dns_best {
    size_t from, to; /* event range [from, to] */
    size_t count, domains;
};

/* the one-hour period holding the most failures over at least
 * DNS_MIN_DOMAINS domains (two pointers over the sorted events) */
static bool
dns_cluster(const struct mw_fnd_in *in, struct dns_best *best)
{
    uint32_t maxdom = 0;
    for (size_t i = 0; i < in->ndns; i++)
        if (in->dns[i].domain != MW_FND_NONE && in->dns[i].domain >= maxdom)
            maxdom = in->dns[i].domain + 1;
    uint32_t *seen = xcalloc((size_t)maxdom + 1, sizeof *seen);
    size_t lo = 0, distinct = 0;
    memset(best, 0, sizeof *best);
    for (size_t hi = 0; hi < in->ndns; hi++) {
        uint32_t d = in->dns[hi].domain;
        if (d != MW_FND_NONE && seen[d]++ == 0)
            distinct++;
        while (in->dns[hi].t - in->dns[lo].t >= DNS_PERIOD) {
            uint32_t e = in->dns[lo++].domain;
            if (e != MW_FND_NONE && --seen[e] == 0)
                distinct--;
        }
        size_t count = hi - lo + 1;
        if (distinct >= DNS_MIN_DOMAINS && count > best->count)
            *best = (struct dns_best){lo, hi, count, distinct};
    }
    free(seen);
    if (best->count < DNS_MIN_FAILURES)
        return false;
    /* The hour must stand out from the failures of the other hours, the
     * background of every server (mistyped domains, clients without
     * reverse DNS), which a resolver outage multiplies: the same test as
     * window_detect's "clearly above" for Poisson-like counts. */
    double hours = (double)(in->dns[in->ndns - 1].t - in->dns[0].t) / 3600;
    double outside =
        (double)(in->ndns - best->count) / (hours > 2 ? hours - 1 : 1);
    return (double)best->count >= 3 * outside + 4 * sqrt(outside) + 1;
}

void
findings_detect_dns(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    struct dns_best b;
    if (!dns_cluster(in, &b))
        return;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DNS];
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_DNS);
    /* 0.5 for 10 failures over 3 domains within an hour, up to 0.85 with
     * 10 or more domains: one domain failing is that domain's problem,
     * many unrelated ones failing together is our resolver. */
    findings_set_text(f, "finding.dns.resolver", "dns", MW_LEVEL_HIGH,
                      0.5 +
                          0.35 * findings_clamp01((double)(b.domains - 3) / 7));
    f->cause_id = "cause.dns.resolver";
    f->title = findings_fmt(x,
                            "DNS lookups failing for %zu domains (resolver "
                            "problem?)",
                            b.domains);
    f->cause = "Many DNS lookups for unrelated domains failed within one "
               "hour: the resolver this server uses is down, slow, "
               "unreachable or refusing queries, or a firewall blocks DNS.";
    f->fix = "Check /etc/resolv.conf (and the copy in the Postfix chroot, "
             "/var/spool/postfix/etc/resolv.conf); test with dig MX "
             "example.com against each resolver; restart or replace the "
             "local resolver (unbound, systemd-resolved).";
    f->count = b.count;
    findings_set_timing(x, f, st->series, in->dns[b.from].t, in->dns[b.to].t);
    struct mw_fnd_evsel s;
    findings_evsel_init(&s);
    s.from = in->dns[b.from].t;
    s.to = in->dns[b.to].t;
    findings_set_evidence(x, f, &st->ev, &s);
}

/* ---- DNSBL ----------------------------------------------------------------
 */

static void
dnsbl_listed(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DNSBL_OUT];
    struct mw_sum_finding *f =
        findings_cand_new(x, true, 1u << MW_SRC_DNSBL_OUT);
    /* 0.7 for one reject, 0.9 with 3 or more: remote servers say in
     * plain words that our address is listed. */
    findings_set_text(f, "finding.dnsbl.listed", "policy.dnsbl", MW_LEVEL_HIGH,
                      st->count >= 3 ? 0.9 : 0.7);
    f->cause_id = "cause.dnsbl.our_ip_listed";
    if (in->ndnsbls == 1)
        f->title =
            findings_fmt(x,
                         "Our mail is rejected: this server is listed on "
                         "%.80s",
                         in->dnsbls[0]);
    else if (in->ndnsbls > 1)
        f->title =
            findings_fmt(x,
                         "Our mail is rejected: this server is listed on "
                         "%.80s and %zu more blocklists",
                         in->dnsbls[0], in->ndnsbls - 1);
    else
        f->title = "Our mail is rejected: this server is on a DNS blocklist";
    f->cause = "Remote mail servers rejected our outgoing mail because this "
               "server's address is on a DNS blocklist. Usually caused by "
               "spam sent through a compromised account or web form, an "
               "open relay, or a previous user of the address.";
    f->fix = "Look the address up on the blocklist's site, find and stop the "
             "source of spam (compromised SASL accounts, web scripts, the "
             "queue: mailq), then request delisting. Check reverse DNS, SPF "
             "and the HELO name.";
    f->count = st->count;
    findings_set_timing(x, f, st->series, st->first, st->last);
    findings_set_evidence(x, f, &st->ev, NULL);
}

static void
dnsbl_inbound(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DNSBL_IN];
    struct mw_sum_finding *f =
        findings_cand_new(x, true, 1u << MW_SRC_DNSBL_IN);
    /* 0.8: these rejects are the anti-spam policy doing its job; what is
     * uncertain is only that no wanted sender was among them. */
    findings_set_text(f, "finding.dnsbl.inbound", "policy.dnsbl", MW_LEVEL_LOW,
                      0.8);
    f->cause_id = "cause.dnsbl.client_listed";
    f->title = "Clients on DNS blocklists rejected (working as intended)";
    f->cause = "Connecting clients were rejected because their address is "
               "on a DNS blocklist: the anti-spam policy is working. Worth a "
               "look only when a wanted sender complains.";
    f->fix = "Nothing to do unless a wanted sender is blocked: then allow "
             "its address (postscreen_access_list, check_client_access) "
             "instead of dropping the blocklist.";
    f->count = st->count;
    findings_set_timing(x, f, st->series, st->first, st->last);
    uint32_t *top = findings_array(x->ar, in->top, sizeof *top);
    size_t ntop =
        findings_top_ips(in, NULL, 0, MW_FND_METRIC_DNSBL, in->top, top);
    size_t total = 0;
    for (size_t i = 0; i < in->nips; i++)
        total += in->ips[i].dnsbl > 0;
    findings_set_clients(x, f, top, ntop, total);
    findings_set_evidence(x, f, &st->ev, NULL);
}

void
findings_detect_dnsbl(struct mw_fnd_ctx *x)
{
    if (x->in->src[MW_SRC_DNSBL_OUT].count)
        dnsbl_listed(x);
    if (x->in->src[MW_SRC_DNSBL_IN].count)
        dnsbl_inbound(x);
}
