#include "config.h"

#include "findings.h"

#include <string.h>

#include "findings_impl.h"

/* Lookups on the findings input that the detectors share: window sums,
 * top clients by a metric, their time span, the main category of a
 * source. */

/* the sum of series over the windows holding [from, to] */
uint64_t
findings_series_sum(const struct mw_window_layout *l, const uint64_t *series,
                    int64_t from, int64_t to)
{
    uint64_t sum = 0;
    if (from == MW_FND_NO_TIME || to == MW_FND_NO_TIME || !l->n)
        return 0;
    int64_t a = window_floor_div(from - l->first, l->window);
    int64_t b = window_floor_div(to - l->first, l->window);
    for (int64_t i = a < 0 ? 0 : a; i <= b && i < (int64_t)l->n; i++)
        sum += series[i];
    return sum;
}

static uint64_t
ip_metric(const struct mw_fnd_ip *ip, enum mw_fnd_metric m)
{
    return m == MW_FND_METRIC_AUTH  ? ip->auth
           : m == MW_FND_METRIC_TLS ? ip->tls
                                    : ip->dnsbl;
}

static bool
ip_before(const struct mw_fnd_ip *a, const struct mw_fnd_ip *b,
          enum mw_fnd_metric m)
{
    uint64_t va = ip_metric(a, m), vb = ip_metric(b, m);
    if (va != vb)
        return va > vb;
    return strcmp(a->ip, b->ip) < 0;
}

/* The k clients with the highest metric (> 0) among idx[0..n) (all clients
 * when idx is NULL), best first, into out; returns how many. */
size_t
findings_top_ips(const struct mw_fnd_in *in, const uint32_t *idx, size_t n,
                 enum mw_fnd_metric m, size_t k, uint32_t *out)
{
    size_t got = 0;
    if (k == 0)
        return 0;
    if (!idx)
        n = in->nips;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = idx ? idx[i] : (uint32_t)i;
        const struct mw_fnd_ip *ip = &in->ips[c];
        if (ip_metric(ip, m) == 0)
            continue;
        size_t j = got < k ? got++ : k;
        if (j == k && !ip_before(ip, &in->ips[out[k - 1]], m))
            continue;
        if (j == k)
            j = k - 1;
        while (j > 0 && ip_before(ip, &in->ips[out[j - 1]], m)) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = c;
    }
    return got;
}

void
findings_span_of_ips(const struct mw_fnd_in *in, const uint32_t *idx, size_t n,
                     int64_t *first, int64_t *last)
{
    *first = *last = MW_FND_NO_TIME;
    for (size_t i = 0; i < n; i++) {
        const struct mw_fnd_ip *ip = &in->ips[idx[i]];
        if (ip->first != MW_FND_NO_TIME &&
            (*first == MW_FND_NO_TIME || ip->first < *first))
            *first = ip->first;
        if (ip->last != MW_FND_NO_TIME &&
            (*last == MW_FND_NO_TIME || ip->last > *last))
            *last = ip->last;
    }
}

/* the category of the rule that fed source src most, or fallback */
const char *
findings_main_category(const struct mw_fnd_in *in, enum mw_fnd_src src,
                       const char *fallback)
{
    const struct mw_fnd_rule *best = NULL;
    for (size_t i = 0; i < in->nrules; i++) {
        const struct mw_fnd_rule *r = &in->rules[i];
        if ((r->srcmask & (1u << src)) && (!best || r->count > best->count))
            best = r;
    }
    return best ? best->category : fallback;
}

/* the category of the rule that fed source src most in the windows of
 * [from, to], or fallback */
const char *
findings_main_category_in(const struct mw_fnd_in *in, enum mw_fnd_src src,
                          int64_t from, int64_t to, const char *fallback)
{
    const struct mw_fnd_rule *best = NULL;
    uint64_t most = 0;
    for (size_t i = 0; i < in->nrules; i++) {
        const struct mw_fnd_rule *r = &in->rules[i];
        if (!(r->srcmask & (1u << src)))
            continue;
        uint64_t n = findings_series_sum(&in->layout, r->series, from, to);
        if (n > most) {
            most = n;
            best = r;
        }
    }
    return best ? best->category : findings_main_category(in, src, fallback);
}

double
findings_clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* "a, b, c" of up to n addresses, or "" when that would exceed max bytes */
const char *
findings_ip_list(struct mw_fnd_ctx *x, const uint32_t *idx, size_t n,
                 size_t max)
{
    char buf[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ip = x->in->ips[idx[i]].ip;
        size_t l = strlen(ip);
        if (len + l + 2 > max || len + l + 2 >= sizeof buf)
            return "";
        if (i) {
            memcpy(buf + len, ", ", 2);
            len += 2;
        }
        memcpy(buf + len, ip, l);
        len += l;
    }
    return strpool_add(x->pool, buf, len);
}
