#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"

/* The journal-json and exchange dialects: the input is parsed as one line,
 * then line by line with one reader (so Exchange's #Fields mapping and
 * session cache and the journal's decode buffer carry over between lines).
 * Lines are exactly-sized copies, so sanitizers catch reads past their end;
 * every byte of every view is read, so views into freed or too-short
 * buffers are caught too. */

#define FUZZ_REF 1795392000 /* 2026-11-23T00:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_dialects[] = {"journal-json", "exchange",
                                            "postlog"};

static unsigned
touch(const char *p, size_t n)
{
    unsigned sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += (unsigned char)p[k];
    return sum;
}

static void
check_record(const struct mw_record *r, const struct mw_line *l)
{
    if (r->line != l || r->msg == NULL)
        abort();
    if (!r->parsed && (r->msg != l->data || r->msg_len != l->len ||
                       r->prog != NULL || r->ts.valid))
        abort();
    if (r->host == NULL && r->host_len != 0)
        abort();
    if (r->prog && (r->prog_base < r->prog ||
                    r->prog_base + r->prog_base_len != r->prog + r->prog_len))
        abort();
    if (r->ts.valid && (r->ts.nsec < 0 || r->ts.nsec > 999999999 ||
                        r->ts.frac < 0 || r->ts.frac > 9))
        abort();
    /* decoded values never need more room than the line; Exchange's
     * message adds its key names and a carried endpoint */
    if (r->msg_len > l->len + 256 || r->host_len > l->len ||
        r->prog_len > l->len + 32)
        abort();
    volatile unsigned sink = touch(r->msg, r->msg_len);
    if (r->host)
        sink += touch(r->host, r->host_len);
    if (r->prog)
        sink += touch(r->prog, r->prog_len);
    (void)sink;
}

static void
parse_checked(const struct mw_dialect *d, void *st, const char *p, size_t n)
{
    char *copy = malloc(n ? n : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, p, n);
    struct mw_line l = {copy, n, 0, 1, false};
    struct mw_record r;
    char ts[48];
    int rc = d->parse(st, &l, &r);
    if (rc < 0 || rc > 1)
        abort();
    if (rc == 0) {
        check_record(&r, &l);
        time_format_rfc3339(&r.ts, ts, sizeof ts);
    }
    free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct mw_line lines[64];
    size_t nl = 0;
    for (size_t k = 0; k < sizeof fuzz_dialects / sizeof fuzz_dialects[0];
         k++) {
        const struct mw_dialect *d = dialect_find(fuzz_dialects[k]);
        if (d == NULL)
            abort();
        void *st = d->open(FUZZ_REF);
        parse_checked(d, st, s, size);
        for (size_t i = 0; i < size;) {
            const char *nlp = memchr(s + i, '\n', size - i);
            size_t end = nlp ? (size_t)(nlp - s) : size;
            parse_checked(d, st, s + i, end - i);
            if (k == 0 && nl < 64) {
                lines[nl] = (struct mw_line){s + i, end - i, i, nl + 1, false};
                nl++;
            }
            i = end + 1;
        }
        d->close(st);
    }
    const char *why = NULL;
    if (dialect_sniff(lines, nl, &why) == NULL || why == NULL)
        abort();
    return 0;
}
