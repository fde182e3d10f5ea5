/* Input files: opening (path or "-"), and ordering a rotated series. */
#ifndef MW_SOURCE_H
#define MW_SOURCE_H

#include "diag.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct mw_source {
    const char *path; /* as given ("-" for stdin); borrowed */
    int fd;           /* open descriptor */
    bool is_stdin;
    time_t mtime;      /* modification time; 0 for stdin */
    uint64_t dev, ino; /* identity; 0 for stdin */
    uint64_t size;     /* st_size at open (0 for stdin/pipes) */
};

/* Open path ("-" = standard input). Directories and unreadable files are
 * errors: "PATH: is a directory", "PATH: No such file or directory". */
int source_open(struct mw_source *s, const char *path, struct mw_err *err);
void source_close(struct mw_source *s);

/* Reorder paths in place so that a rotated series is read oldest first:
 * files of one series (same base name after removing ".N", ".N.gz",
 * "-YYYYMMDD[HH]", ".YYYYMMDD-HHMMSS" and compression suffixes) are ordered
 * numeric suffix descending, date suffix ascending, base file last; series
 * keep the order of their first appearance. Stable for unrelated names. */
void source_order(const char **paths, size_t n);

/* Length of the series name at the start of path: path without the
 * rotation and compression suffixes source_order recognises ("mail.log"
 * for "mail.log.2.gz", "maillog-20261122"; the whole path for a live
 * file). */
size_t source_series_len(const char *path);

#endif
