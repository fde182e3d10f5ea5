/* Line framing and format sniffing on arbitrary bytes: the input goes
 * through a temporary file, decomp (any format) and the line reader with a
 * tiny max_len, so cutting, CRLF, NUL bytes and broken compressed data are
 * all reached. Invariants are checked with abort(). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decomp.h"
#include "diag.h"
#include "linereader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* stop after this much output: a small input may expand a lot */
#define FUZZ_OUTPUT_MAX (64u * 1024u * 1024u)

static void
check_lines(struct mw_decomp *d, size_t max_len)
{
    struct mw_linereader *lr = linereader_new(d, max_len);
    struct mw_line ln;
    struct mw_err err;
    uint64_t next_off = 0, lineno = 0, cuts = 0;
    int rc;
    err_clear(&err);
    while ((rc = linereader_next(lr, &ln, &err)) == 1) {
        if (ln.len > max_len || ln.offset < next_off || ln.lineno != ++lineno ||
            (ln.len && !ln.data))
            abort();
        if (ln.len > 0 && memchr(ln.data, '\n', ln.len))
            abort();
        cuts += ln.cut;
        next_off = ln.offset + ln.len;
        if (next_off > FUZZ_OUTPUT_MAX)
            break;
    }
    if (rc == -1 && err.text[0] == '\0')
        abort();
    if (rc != 1 && linereader_next(lr, &ln, &err) != 0)
        abort();
    if (linereader_cut_count(lr) != cuts)
        abort();
    linereader_free(lr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = tmpfile();
    struct mw_decomp *d;
    struct mw_err err;
    if (!f)
        return 0;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    fflush(f);
    for (size_t max_len = 1; max_len <= 64; max_len *= 64) {
        if (lseek(fileno(f), 0, SEEK_SET) != 0)
            break;
        err_clear(&err);
        d = decomp_open(fileno(f), "fuzz", &err);
        if (!d)
            break;
        check_lines(d, max_len);
        decomp_close(d);
    }
    fclose(f);
    return 0;
}
