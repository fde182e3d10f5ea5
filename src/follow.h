/* Resumable and followed input (--state FILE, --follow): reading each input
 * series from where the previous run stopped, through log rotation, and
 * waiting for more at its end.
 *
 * Resuming (FORMATS.md 2.3). The state keeps, per series, the identity of
 * the file reading stopped in (device, inode, SHA-256 of its first KiB) and
 * the offset after the last complete line processed. At start:
 *  - the file still at the path, same identity, at least offset bytes long:
 *    read on from offset;
 *  - otherwise the file is looked for among the series' rotated siblings
 *    (name.N, name-YYYYMMDD[HH], name.YYYYMMDD-HHMMSS, each possibly
 *    compressed): same device and inode first, then the same fingerprint of
 *    the decompressed head (name.1 became name.2.gz). It is finished from
 *    offset, and every newer file of the series is read from its start;
 *  - if it is nowhere (truncated in place, or rotated away out of sight),
 *    the files given are read from their start, and lines stamped at or
 *    before the last stamp processed are skipped until a later one comes
 *    (the line identical to the last one processed ends the skipping too).
 *
 * Following. At the end of the live file, poll every 200 ms: appended lines
 * are read once their '\n' has arrived; when the path names a new file
 * (rename and create), the old one is read to its end once the new one has
 * data, then the new one from its start; when the file shrinks or its head
 * changes (copytruncate), the copy with our fingerprint is finished if it
 * can be found, and the live file is read again from its start.
 *
 * Delivery. The state is written only after the output was flushed (and
 * fsync'ed for --output-file), and --output-file is cut back to the length
 * the state recorded: a run killed at any moment repeats nothing there. On
 * standard output delivery is at least once. */
#ifndef MW_FOLLOW_H
#define MW_FOLLOW_H

#include "diag.h"
#include "linereader.h"
#include "timeparse.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* lines of a file's start shown to begin() to choose its dialect */
#define MW_FOLLOW_HEAD_LINES 20

/* Skipping of lines already analysed in a file that had to be read again
 * from its start; see follow_skip. */
struct mw_follow_skip {
    bool active;
    struct mw_time until; /* stamp of the last line processed */
    bool has_last;
    unsigned char last[32]; /* SHA-256 of that line */
};

/* What the reader asks of the analysis (implemented by pipeline.c). */
struct mw_follow_sink {
    void *ctx;
    /* An input begins. head[0..nhead) are its first complete lines; those
     * starting before offset start were analysed by an earlier run and are
     * only shown to the dialect. ref: reference time for year-less stamps.
     * Returns a handle for line() and end(). */
    void *(*begin)(void *ctx, const char *path, const struct mw_line *head,
                   size_t nhead, uint64_t start, time_t ref);
    /* One line: analyse it unless skip is non-NULL and follow_skip() says it
     * was analysed before. *ts gets the line's stamp (invalid when none). */
    void (*line)(void *ctx, void *input, const struct mw_line *line,
                 struct mw_follow_skip *skip, struct mw_time *ts);
    void (*end)(void *ctx, void *input, uint64_t cuts, bool failed);
    /* report a problem (one line) */
    void (*error)(void *ctx, const struct mw_err *err);
    /* true once the output has gone away: stop reading */
    bool (*closed)(void *ctx);
    /* optional: the files have been read to their end (the catch-up of
     * --follow is over); the records of every line fed so far must now be
     * written, as the output is flushed next */
    void (*caught_up)(void *ctx);
};

struct mw_follow_opts {
    const char *state_path;  /* --state FILE, or NULL */
    bool follow;             /* --follow */
    FILE *out;               /* the output */
    const char *output_path; /* --output-file, or NULL for standard output */
    bool streaming;          /* records are written as hits are found */
    /* save the state every few seconds while following */
    bool save_while_following;
    /* with records going to a collector: before such a save, wait a short
     * while for everything queued to be delivered; 0 when it was, and the
     * save may count it (NULL: flushing the output is enough) */
    int (*drain)(void *ctx);
    void *drain_ctx;
    size_t max_line; /* 0 = default */
    time_t now;      /* reference "now" */
};

struct mw_follow;

/* Lock and load the state; with --output-file, cut it back to the length
 * the state recorded (streaming formats; 0 without a record) or empty it
 * (summary formats, which are written anew). NULL on error (err filled:
 * unreadable or malformed state, state in use, output not cuttable). */
struct mw_follow *follow_open(const struct mw_follow_opts *fo,
                              struct mw_err *err);
/* Read paths (ordered by source_order) through sink, resuming and then
 * following as the options say. Returns 0, or -1 when an input could not
 * be read or a periodic save failed (each problem reported via
 * sink->error). With --follow, returns on SIGINT or SIGTERM, or when the
 * output has gone away. */
int follow_run(struct mw_follow *f, const char **paths, size_t n,
               const struct mw_follow_sink *sink);
/* Flush the output (and fsync --output-file), then save the state if there
 * is one. -1 on error (err filled; the previous state stays). */
int follow_save(struct mw_follow *f, struct mw_err *err);
void follow_close(struct mw_follow *f); /* accepts NULL */

/* With --follow, SIGTERM and SIGINT (unless ignored) end the run cleanly:
 * on sets a flag that follow_run reads, off restores the default action.
 * main catches them first thing, so that a stop during start-up is clean
 * too; follow_run catches them too. */
void follow_catch_signals(bool on);

/* For sink->line: true when a line stamped ts should be skipped as already
 * analysed. Lines are skipped while their stamp is at or before skip->until
 * (or missing); the first later stamp, or the line identical to the last
 * one processed (which is skipped), ends the skipping for good. */
bool follow_skip(struct mw_follow_skip *skip, const struct mw_time *ts,
                 const struct mw_line *line);

#endif
