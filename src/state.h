/* Resume state for --state FILE: for each input series, where reading
 * stopped and how to recognise that file again; and the length of the
 * --output-file written so far.
 *
 * The file is text, one record per line, under a versioned header:
 *
 *   maillog-why state 1
 *   input /var/log/mail.log dev=2049 ino=393231 size=80213 offset=80100
 *         line=612 fp_len=1024 fp=<64 hex> ts=1795338307.250000000
 *         last=<64 hex> saved=1795338310
 *   output /srv/siem/mail.ndjson length=48211 tail=<64 hex>
 *
 * (each record on one line). Paths are percent-encoded where they hold
 * '%', spaces or control characters. Unknown keys are ignored, so that a
 * later version 1 writer may add some; "#" lines are comments. */
#ifndef MW_STATE_H
#define MW_STATE_H

#include "buf.h"
#include "diag.h"
#include "timeparse.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* bytes of a file's (uncompressed) head covered by its fingerprint */
#define MW_STATE_FP_MAX 1024u
#define MW_SHA256_LEN   32u

struct mw_state_input {
    char *path;        /* series key: the path as given; owned */
    uint64_t dev, ino; /* identity of the file reading stopped in */
    uint64_t size;     /* its size when the state was saved */
    uint64_t offset;   /* uncompressed bytes consumed: end of the last
                          complete line processed */
    uint64_t line;     /* number of that line (1-based; 0 = none) */
    uint32_t fp_len;   /* bytes of the head hashed into fp */
    unsigned char fp[MW_SHA256_LEN]; /* SHA-256 of the first fp_len bytes */
    struct mw_time last_ts;          /* stamp of the last line; or invalid */
    bool has_last;
    unsigned char last[MW_SHA256_LEN]; /* SHA-256 of the last line's bytes */
    uint64_t saved; /* when the record was taken (epoch seconds; 0 unknown) */
};

/* the --output-file when the state was saved */
struct mw_state_output {
    char *path;   /* owned */
    uint64_t len; /* its length after the last flushed record */
    bool has_tail;
    unsigned char tail[MW_SHA256_LEN]; /* SHA-256 of its last
                                          min(MW_STATE_TAIL, len) bytes */
};

/* bytes at the end of the output file covered by its tail hash */
#define MW_STATE_TAIL 64u

struct mw_state {
    struct mw_state_input *inputs; /* owned */
    size_t ninputs;
    struct mw_state_output *output; /* owned; NULL when none */
};

/* An empty state (no inputs, no output). Never NULL. */
struct mw_state *state_new(void);
void state_free(struct mw_state *st); /* accepts NULL */

/* Parse the text of a state file into st (which should be empty). path is
 * for messages: "PATH:LINE:COL: reason". -1 on any malformed line, a
 * missing header or an unsupported version; st is then left empty. */
int state_parse(struct mw_state *st, const char *text, size_t len,
                const char *path, struct mw_err *err);
/* Append the text form of st to out (the inverse of state_parse). */
void state_format(const struct mw_state *st, struct mw_buf *out);

/* Read path into st. A missing file is no error: *found is set false and
 * st stays empty. -1 on read or parse errors. */
int state_load(struct mw_state *st, const char *path, bool *found,
               struct mw_err *err);
/* Replace path atomically with the text of st: a temporary file in the
 * same directory, fsync, rename over path, fsync of the directory. -1 on
 * error (path then still holds the previous state). */
int state_save(const struct mw_state *st, const char *path, struct mw_err *err);
/* Take an exclusive lock on PATH.lock so that two runs never share a
 * state. Returns the descriptor holding the lock (close it to release), or
 * -1 when it cannot be had ("in use by another run"). */
int state_lock(const char *path, struct mw_err *err);

/* the record of series path, or NULL */
struct mw_state_input *state_find(struct mw_state *st, const char *path);
/* the record of series path, added (zeroed, last_ts invalid) if missing;
 * the pointer is valid until the next state_put */
struct mw_state_input *state_put(struct mw_state *st, const char *path);
/* the output record, added (zeroed, path copied) or replaced when its path
 * differs */
struct mw_state_output *state_set_output(struct mw_state *st, const char *path);

/* SHA-256 (FIPS 180-4) of len bytes. */
void state_sha256(const void *data, size_t len,
                  unsigned char out[MW_SHA256_LEN]);

#endif
