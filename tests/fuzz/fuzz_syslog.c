#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"

/* Each dialect parses the input as one line, then line by line with one
 * reader (so the stamp caches see consecutive lines); every view in a
 * record must lie inside its line. The line is an exactly-sized copy so
 * that sanitizers catch any read past its end. */

#define FUZZ_REF 1795392000 /* 2026-11-23T00:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_dialects[] = {"syslog", "exim", "postlog", "app"};

static void
check_inside(const struct mw_record *r, const struct mw_line *l)
{
    const char *b = l->data, *e = l->data + l->len;
    /* a split Exim line joined from several lines lives in reader storage */
    bool joined = r->prog_base_len >= 4 &&
                  memcmp(r->prog_base, "exim", 4) == 0 &&
                  (r->msg < b || r->msg > e);
    if (r->line != l || (!joined && (r->msg < b || r->msg > e ||
                                     r->msg_len > (size_t)(e - r->msg))))
        abort();
    if (r->host && (r->host < b || r->host_len > (size_t)(e - r->host)))
        abort();
    if (r->prog && r->prog_base_len > r->prog_len)
        abort();
    if (!r->parsed && (r->msg != b || r->msg_len != l->len))
        abort();
    if (r->ts.valid && (r->ts.nsec < 0 || r->ts.nsec > 999999999 ||
                        r->ts.frac < 0 || r->ts.frac > 9))
        abort();
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
    if (rc < 0)
        abort();
    if (rc == 0)
        check_inside(&r, &l);
    time_format_rfc3339(&r.ts, ts, sizeof ts);
    free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    for (size_t k = 0; k < sizeof fuzz_dialects / sizeof fuzz_dialects[0];
         k++) {
        const struct mw_dialect *d = dialect_find(fuzz_dialects[k]);
        if (d == NULL)
            abort();
        void *st = d->open(FUZZ_REF);
        parse_checked(d, st, s, size);
        for (size_t i = 0; i < size;) {
            const char *nl = memchr(s + i, '\n', size - i);
            size_t end = nl ? (size_t)(nl - s) : size;
            parse_checked(d, st, s + i, end - i);
            i = end + 1;
        }
        d->close(st);
    }
    struct mw_line one = {s, size, 0, 1, false};
    const char *why = NULL;
    if (dialect_sniff(&one, 1, &why) == NULL || why == NULL)
        abort();
    return 0;
}
