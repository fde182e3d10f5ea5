/* Private to follow.c and follow_resume.c: the files and series being
 * read, and the helpers the two share. */
#ifndef MW_FOLLOW_IMPL_H
#define MW_FOLLOW_IMPL_H

#include "buf.h"
#include "diag.h"
#include "follow.h"
#include "state.h"
#include "tail.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* one file of a series being read */
struct fin {
    char *path; /* owned */
    int fd;     /* -1 when closed */
    bool is_stdin;
    bool stream; /* standard input or a pipe: read once, never resumed */
    bool plain;  /* not compressed */
    uint64_t dev, ino, size;
    time_t mtime;
    unsigned char head[MW_STATE_FP_MAX]; /* first bytes, decompressed */
    size_t head_len;
    struct mw_tail *tail; /* plain files */
    void *h;              /* the sink's input; NULL until begun */
    uint64_t start;       /* offset reading began at */
    uint64_t offset;      /* after the last line processed */
    uint64_t lineno;      /* number of that line */
    bool failed;
    /* following: modification time (ns) seen at the end of the file, to
     * tell a file written and truncated back to our offset between two
     * looks */
    int64_t eof_mtime;
    bool eof_seen;
};

struct idn {
    uint64_t dev, ino;
};

struct series {
    const char *key;    /* the newest path given: the state's key */
    const char **files; /* the paths given, oldest first (borrowed) */
    size_t nfiles;
    bool watch;     /* a path that may be followed (not "-") */
    struct fin cur; /* the newest file read; kept open to follow */
    bool have;      /* cur names a file */
    bool missing;   /* the live path was missing (said once) */
    bool known;     /* the state has a record of the series */
    struct mw_follow_skip skip;
    /* the last line processed, carried across the series' files */
    struct mw_time last_ts;
    struct mw_buf last;
    bool last_fresh; /* last holds it (else last_hash, from the state) */
    bool has_last_hash;
    unsigned char last_hash[MW_SHA256_LEN];
    /* following: modification time (ns) of the directory when the series
     * was last looked for, and whether it could be had */
    int64_t dir_mtime;
    bool dir_seen;
    struct idn *seen; /* files read since the series was last looked
                         for: none is read twice by one look */
    size_t nseen;
};

struct mw_follow {
    struct mw_follow_opts o;
    struct mw_state *st; /* NULL without --state */
    int lock_fd;
    const struct mw_follow_sink *sink;
    struct series *ser;
    size_t nser;
    bool dirty; /* records changed since the last save */
    int status;
};

/* modification time of st in nanoseconds */
int64_t follow_mtime(const struct stat *st);
/* the modification time of the directory holding s's files, into s */
void follow_dir_time(struct series *s, int64_t *mtime, bool *ok);

/* the output has gone away, or (following) a stop signal came */
bool follow_stopped(const struct mw_follow *f);
/* pass err to the sink and remember the run as failed */
void follow_report(struct mw_follow *f, const struct mw_err *err);
/* Open path into fi: identity, head (decompressed), plain or compressed;
 * standard input and pipes are streams. -1 with err (fi then has no path). */
int follow_fin_open(struct fin *fi, const char *path, struct mw_err *err);
/* end fi's input (if begun), close it and free its path */
void follow_fin_free(struct mw_follow *f, struct fin *fi);
/* where fi stands, as a state record (r->path left alone) */
void follow_fin_record(struct fin *fi, const struct series *s,
                       struct mw_state_input *r);
/* Read opened fi (taken over) from fi->start; live: the newest file of the
 * series (see follow.c). */
void follow_read_fin(struct mw_follow *f, struct series *s, struct fin *fi,
                     bool live);

/* follow_resume.c: read series s from where its record says reading
 * stopped: at the start of a run, and when following finds the live file
 * rotated or truncated */
void follow_resume(struct mw_follow *f, struct series *s);

#endif
