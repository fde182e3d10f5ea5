#include "config.h"

#include "findings.h"

#include <stddef.h>
#include <stdint.h>

#include "findings_impl.h"

/* Detectors of authentication failures: password guessing from few
 * addresses, spraying one account from many, and one device with a stale
 * password. */

#define BRUTE_MIN_FAILURES 20
#define BRUTE_SHARE        0.6
#define BRUTE_LOCAL_SHARE  0.5 /* of the failures in the attack's own time */
#define SPRAY_MIN_CLIENTS  10

/* distinct user names that failed from any of the clients idx[0..n) */
static size_t
users_of_ips(const struct mw_fnd_in *in, const uint32_t *idx, size_t n,
             uint32_t *one)
{
    size_t users = 0;
    for (size_t u = 0; u < in->nusers; u++) {
        const struct mw_fnd_user *us = &in->users[u];
        bool hit = false;
        for (size_t i = 0; i < us->nauth_ips && !hit; i++)
            for (size_t k = 0; k < n && !hit; k++)
                hit = us->auth_ips[i] == idx[k];
        if (hit) {
            users++;
            *one = (uint32_t)u;
        }
    }
    return users;
}

static void
stale_password(struct mw_fnd_ctx *x, uint32_t ip, uint32_t user, uint64_t count)
{
    const struct mw_fnd_in *in = x->in;
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_AUTH);
    /* 0.6: one address, one user name, failing again and again is most
     * often a device with an old password, but can be a slow attack on
     * that one account. */
    findings_set_text(f, "finding.auth.stale_password", "auth.failure",
                      MW_LEVEL_MEDIUM, 0.6);
    f->cause_id = "cause.credentials.wrong";
    f->title = findings_fmt(x, "Repeated login failures for user %.64s from %s",
                            in->users[user].name, in->ips[ip].ip);
    f->cause = "One address keeps failing to log in with the same user name: "
               "typically a mail client, phone or device still using an old "
               "password after a password change, or a slow guessing attack "
               "on that one account.";
    f->fix = "Find the device at that address and update its password. If "
             "the address is unknown to you, block it (fail2ban, firewall) "
             "and change the account's password.";
    f->count = count;
    int64_t first, last;
    findings_span_of_ips(in, &ip, 1, &first, &last);
    findings_set_timing(x, f, in->src[MW_SRC_AUTH].series, first, last);
    findings_set_clients(x, f, &ip, 1, 1);
    struct mw_fnd_evsel s;
    findings_evsel_init(&s);
    s.ips = &ip;
    s.nips = 1;
    findings_set_evidence(x, f, &in->src[MW_SRC_AUTH].ev, &s);
}

/* An attack seen in its own time, when the failures of the whole span
 * drown it: of the top clients top[0..ntop), the first k whose failures
 * make the largest share (at least BRUTE_LOCAL_SHARE: the rest of that
 * time's failures come from many addresses) of all failures in the
 * windows from their first to their last hit. Returns k, 0 for none. */
static size_t
bruteforce_local(const struct mw_fnd_in *in, const uint32_t *top, size_t ntop,
                 uint64_t *sum, double *share)
{
    size_t best = 0;
    uint64_t s = 0;
    *share = 0;
    for (size_t k = 1; k <= ntop; k++) {
        int64_t first, last;
        s += in->ips[top[k - 1]].auth;
        findings_span_of_ips(in, top, k, &first, &last);
        uint64_t all = findings_series_sum(
            &in->layout, in->src[MW_SRC_AUTH].series, first, last);
        double sh = all ? findings_clamp01((double)s / (double)all) : 0;
        if (s >= BRUTE_MIN_FAILURES && sh >= BRUTE_LOCAL_SHARE &&
            sh >= *share) {
            best = k;
            *sum = s;
            *share = sh;
        }
    }
    return best;
}

void
findings_detect_bruteforce(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    uint64_t total = in->src[MW_SRC_AUTH].count;
    uint32_t top[3];
    size_t ntop = findings_top_ips(in, NULL, 0, MW_FND_METRIC_AUTH, 3, top);
    uint64_t sum = 0;
    size_t k = 0;
    if (total < BRUTE_MIN_FAILURES)
        return;
    while (k < ntop && (double)sum < BRUTE_SHARE * (double)total)
        sum += in->ips[top[k++]].auth;
    double share = (double)sum / (double)total;
    if (share < BRUTE_SHARE) {
        k = bruteforce_local(in, top, ntop, &sum, &share);
        if (k == 0)
            return;
    }
    uint32_t user = MW_FND_NONE;
    size_t users = users_of_ips(in, top, k, &user);
    if (k == 1 && users == 1) {
        stale_password(x, top[0], user, sum);
        return;
    }
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_AUTH);
    /* Confidence: 0.5 for "most failures come from at most three
     * addresses"; up to +0.2 as their share goes from 60% to 100% (a
     * dedicated attacker); +0.15 when they tried 3 or more user names
     * (guessing, not one client with a stale password); +0.1 from 100
     * failures on. At most 0.95. */
    double conf = 0.5 + 0.2 * findings_clamp01((share - BRUTE_SHARE) / 0.4) +
                  (users >= 3 ? 0.15 : 0) + (total >= 100 ? 0.1 : 0);
    findings_set_text(f, "finding.bruteforce", "auth.failure", MW_LEVEL_HIGH,
                      conf > 0.95 ? 0.95 : conf);
    f->cause_id = "cause.bruteforce";
    const char *names = findings_ip_list(x, top, k, 60);
    f->title = findings_fmt(x, "Password guessing from %zu address%s%s%s", k,
                            k == 1 ? "" : "es", *names ? ": " : "", names);
    f->cause = "Most failed logins come from very few addresses, trying "
               "passwords (often for many user names) again and again: a "
               "password guessing (brute force) attack.";
    f->fix = "Block these addresses (fail2ban on the SASL/IMAP failures, or "
             "the firewall), make sure no account has a weak password, and "
             "offer AUTH only on the submission ports (587/465) with TLS.";
    f->count = sum;
    int64_t first, last;
    findings_span_of_ips(in, top, k, &first, &last);
    findings_set_timing(x, f, in->src[MW_SRC_AUTH].series, first, last);
    findings_set_clients(x, f, top, k, k);
    struct mw_fnd_evsel s;
    findings_evsel_init(&s);
    s.ips = top;
    s.nips = k;
    findings_set_evidence(x, f, &in->src[MW_SRC_AUTH].ev, &s);
}

void
findings_detect_spraying(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    size_t best = SIZE_MAX, others = 0, second = 0;
    for (size_t u = 0; u < in->nusers; u++) {
        const struct mw_fnd_user *us = &in->users[u];
        if (us->nauth_ips < SPRAY_MIN_CLIENTS)
            continue;
        if (best != SIZE_MAX)
            others++;
        if (best == SIZE_MAX || us->nauth_ips > in->users[best].nauth_ips ||
            (us->nauth_ips == in->users[best].nauth_ips &&
             us->auth > in->users[best].auth)) {
            if (best != SIZE_MAX)
                second = in->users[best].nauth_ips;
            best = u;
        } else if (us->nauth_ips > second) {
            second = us->nauth_ips;
        }
    }
    if (best == SIZE_MAX)
        return;
    const struct mw_fnd_user *us = &in->users[best];
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_AUTH);
    /* 0.6 at 10 distinct addresses failing for one account, up to 0.9 at
     * 50: a user travelling changes address a few times, a botnet
     * spreading its guesses over many addresses changes it every time.
     * High when this account stands out (twice the addresses of any
     * other); when many names are tried from about as many addresses each,
     * it is the background guessing every server on the internet sees. */
    double conf =
        0.6 + 0.3 * findings_clamp01((double)(us->nauth_ips - 10) / 40);
    bool targeted = us->nauth_ips >= 2 * second;
    findings_set_text(f, "finding.spraying", "auth.failure",
                      targeted ? MW_LEVEL_HIGH : MW_LEVEL_MEDIUM, conf);
    f->cause_id = "cause.bruteforce";
    if (!targeted)
        f->title =
            findings_fmt(x,
                         "Password guessing from many addresses against %zu "
                         "user names (most: %.64s, from %zu addresses)",
                         others + 1, us->name, us->nauth_ips);
    else if (others)
        f->title = findings_fmt(x,
                                "Password guessing against user %.64s from %zu "
                                "addresses (and %zu more user names)",
                                us->name, us->nauth_ips, others);
    else
        f->title = findings_fmt(x,
                                "Password guessing against user %.64s from %zu "
                                "addresses",
                                us->name, us->nauth_ips);
    f->cause = "Logins for one user name fail from many different addresses: "
               "a distributed guessing attack (a botnet spreading its tries "
               "to stay under per-address limits).";
    f->fix = "Make sure the account has a strong password (or disable it if "
             "unused), rate-limit AUTH per user (e.g. Dovecot auth_policy, "
             "fail2ban per user), and require AUTH only over TLS on 587/465.";
    f->count = us->auth;
    uint32_t *top = findings_array(x->ar, in->top, sizeof *top);
    size_t ntop = findings_top_ips(in, us->auth_ips, us->nauth_ips,
                                   MW_FND_METRIC_AUTH, in->top, top);
    int64_t first, last;
    findings_span_of_ips(in, us->auth_ips, us->nauth_ips, &first, &last);
    findings_set_timing(x, f, in->src[MW_SRC_AUTH].series, first, last);
    findings_set_clients(x, f, top, ntop, us->nauth_ips);
    struct mw_fnd_evsel s;
    findings_evsel_init(&s);
    s.user = (uint32_t)best;
    findings_set_evidence(x, f, &in->src[MW_SRC_AUTH].ev, &s);
}
