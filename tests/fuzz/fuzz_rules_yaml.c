#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"

/* The input is a rule file: it is written to a temporary file and loaded.
 * When it loads, the prefilter is built, --check-rules runs its examples
 * and the input itself is matched as a message. Nothing may crash or
 * leak, and a load error must carry a position or a reason. */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
exercise(struct mw_ruleset *rs, const uint8_t *data, size_t size)
{
    struct mw_err err;
    struct mw_event ev;
    struct mw_record rec;
    if (ruleset_finish(rs, &err) < 0)
        return;
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        size_t n = 0;
        ruleset_check(rs, null, &n);
        fclose(null);
    }
    memset(&rec, 0, sizeof rec);
    rec.pid = -1;
    rec.msg = (const char *)data;
    rec.msg_len = size;
    if (ruleset_match(rs, &rec, &ev) &&
        (ev.rule == NULL || ev.nfields > MW_MAX_FIELDS))
        abort();
    for (size_t i = 0; i < ruleset_count(rs); i++)
        if (ruleset_find(rs, ruleset_rule(rs, i)->id) == NULL)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    struct mw_err err;
    snprintf(path, sizeof path, "%s/fuzz_rules_yaml.XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    struct mw_ruleset *rs = ruleset_new();
    if (ruleset_load(rs, path, &err) == 0)
        exercise(rs, data, size);
    else if (err.text[0] == '\0')
        abort(); /* every error says why */
    ruleset_free(rs);
    unlink(path);
    return 0;
}
