#include "config.h"

#include "follow_impl.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "source.h"
#include "state.h"
#include "xalloc.h"

/* Resuming a series where the state says the previous run stopped
 * (FORMATS.md 2.3; the rules are in follow.h), and finding the copy of a
 * file truncated by copytruncate. */

/* fi is the file we stopped in: same identity (by_identity) or the same
 * fingerprint, and long enough */
static bool
fin_matches(const struct fin *fi, const struct mw_state_input *r,
            bool by_identity)
{
    unsigned char h[MW_SHA256_LEN];
    if (fi->stream)
        return false;
    if (by_identity && (fi->dev != r->dev || fi->ino != r->ino))
        return false;
    if (!by_identity && r->fp_len == 0)
        return false; /* nothing to know it by */
    if ((fi->plain && fi->size < r->offset) || fi->head_len < r->fp_len)
        return false;
    state_sha256(fi->head, r->fp_len, h);
    return memcmp(h, r->fp, sizeof h) == 0;
}

/* Read v[0..n) (opened from names[0..n); taken over), each from its
 * start offset; the last is the live file. A file that could not be
 * opened has no path, and its error in errs. */
static void
read_opened(struct mw_follow *f, struct series *s, const char *const *names,
            struct fin *v, const struct mw_err *errs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool live = i + 1 == n;
        if (!v[i].path) {
            bool gone = live && s->watch && errs[i].errnum == ENOENT &&
                        strcmp(names[i], s->key) == 0;
            /* a series seen before: renamed by logrotate, not created
             * again yet; the next run reads the new file from its start */
            if (gone && s->known) {
                s->missing = true;
            } else if (gone && f->o.follow) {
                /* following: it may come (tail -F) */
                f->sink->error(f->sink->ctx, &errs[i]);
                s->missing = true;
            } else {
                follow_report(f, &errs[i]);
            }
            continue;
        }
        /* stopped: a file not read must not become the one we are in */
        if (follow_stopped(f))
            follow_fin_free(f, &v[i]);
        else
            follow_read_fin(f, s, &v[i], live);
    }
}

/* open names[0..n) into v (errs for those that fail) */
static void
open_all(const char *const *names, size_t n, struct fin *v, struct mw_err *errs)
{
    for (size_t i = 0; i < n; i++)
        if (follow_fin_open(&v[i], names[i], &errs[i]) < 0)
            v[i].path = NULL;
}

/* was path given on the command line (not found next to the live file)? */
static bool
given(const struct series *s, const char *path)
{
    for (size_t i = 0; i < s->nfiles; i++)
        if (strcmp(s->files[i], path) == 0)
            return true;
    return false;
}

/* Do names[0..n) still name the files opened in v? logrotate may have
 * renamed the series while they were opened one by one; then a file could
 * be missed, and they are opened again. A rotated file found in the
 * directory (not the last, the live one) that could not be opened and is
 * now gone was renamed or removed in between: listed again, it is found
 * under its new name, or not at all. (A name given on the command line
 * that does not exist, or a dangling link, stays an error.) */
static bool
still_named(const struct series *s, const char *const *names, size_t n,
            const struct fin *v, const struct mw_err *errs)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        bool exists = stat(names[i], &st) == 0;
        if (!v[i].path) {
            if (errs[i].errnum != ENOENT)
                continue;
            if (exists ||
                (i + 1 < n && !given(s, names[i]) && lstat(names[i], &st) != 0))
                return false;
            continue;
        }
        if (v[i].stream)
            continue;
        if (!exists || (uint64_t)st.st_dev != v[i].dev ||
            (uint64_t)st.st_ino != v[i].ino)
            return false;
    }
    return true;
}

static void
free_all(struct mw_follow *f, struct fin *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        follow_fin_free(f, &v[i]);
}

/* owned strings in a const char * array, for source_order */
static void
free_str(const char *p)
{
    free((char *)(uintptr_t)p);
}

static void
add_path(const char ***v, size_t *n, char *p)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], p) == 0) {
            free(p);
            return;
        }
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[(*n)++] = p;
}

/* The series' rotated files next to its live file: names that are the live
 * file's name plus a rotation suffix (source_series_len). */
static void
add_siblings(const char *key, const char ***v, size_t *n)
{
    size_t klen = strlen(key);
    const char *slash = strrchr(key, '/');
    const char *base = slash ? slash + 1 : key;
    size_t blen = strlen(base), plen = (size_t)(base - key);
    char *dir =
        slash ? xmemdup(key, slash == key ? 1 : plen - 1) : xstrdup(".");
    DIR *d = opendir(dir);
    struct dirent *de;
    free(dir);
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        size_t nlen = strlen(de->d_name);
        if (nlen <= blen || memcmp(de->d_name, base, blen) != 0)
            continue;
        char *p = xmalloc(plen + nlen + 1);
        memcpy(p, key, plen);
        memcpy(p + plen, de->d_name, nlen + 1);
        if (source_series_len(p) != klen)
            free(p);
        else
            add_path(v, n, p);
    }
    closedir(d);
}

/* the series' files given and found on disk, oldest first (owned) */
static const char **
candidates(const struct series *s, size_t *n)
{
    const char **v = NULL;
    *n = 0;
    for (size_t i = 0; i < s->nfiles; i++)
        add_path(&v, n, xstrdup(s->files[i]));
    if (s->watch && source_series_len(s->key) == strlen(s->key))
        add_siblings(s->key, &v, n);
    source_order(v, *n);
    return v;
}

static void
free_paths(const char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free_str(v[i]);
    free(v);
}

/* The newest of c[0..n) that r was taken in: by identity, then by
 * fingerprint. Returns its index with it opened in *out, or -1. */
static long
find_match(struct mw_follow *f, const char **c, size_t n,
           const struct mw_state_input *r, struct fin *out)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = n; i-- > 0;) {
            struct stat st;
            struct mw_err err;
            if (stat(c[i], &st) != 0 ||
                (pass == 0 && ((uint64_t)st.st_dev != r->dev ||
                               (uint64_t)st.st_ino != r->ino)))
                continue;
            if (follow_fin_open(out, c[i], &err) < 0)
                continue; /* said when the file is read, if it is */
            if (fin_matches(out, r, pass == 0))
                return (long)i;
            follow_fin_free(f, out);
        }
    }
    return -1;
}

/* What a run reads of a series: names[0..n) opened in v (errs for those
 * that failed), m the index in c of the file the state points to, or -1. */
struct plan {
    const char **c; /* candidates (owned) */
    size_t nc;
    const char **names; /* the files to read (into c or the paths given) */
    size_t n;
    bool own_names;
    long m;
    struct fin *v;
    struct mw_err *errs;
};

static void
plan_free(struct mw_follow *f, struct plan *p)
{
    if (p->v)
        free_all(f, p->v, p->n);
    free(p->v);
    free(p->errs);
    if (p->own_names)
        free(p->names);
    free_paths(p->c, p->nc);
    memset(p, 0, sizeof *p);
}

/* Which files to read. The one the state points to and all newer; else,
 * with a state whose file is gone, every file of the series (lines already
 * analysed are skipped by their stamps); with a state taken when the series
 * was empty, the files written since; without a state, the files given. */
static void
plan_names(struct mw_follow *f, struct series *s,
           const struct mw_state_input *r, struct plan *p, struct fin *fi)
{
    p->c = candidates(s, &p->nc);
    p->m = r && r->fp_len > 0 ? find_match(f, p->c, p->nc, r, fi) : -1;
    if (p->m >= 0) {
        p->names = p->c + p->m;
        p->n = p->nc - (size_t)p->m;
    } else if (r && r->fp_len > 0 && r->last_ts.valid) {
        p->names = p->c;
        p->n = p->nc;
    } else if (r && r->fp_len == 0 && r->saved > 0) {
        p->names = xcalloc(p->nc, sizeof *p->names);
        p->own_names = true;
        for (size_t i = 0; i < p->nc; i++) {
            struct stat st;
            /* a second of slack: what was read before was empty */
            if (i + 1 == p->nc || (stat(p->c[i], &st) == 0 &&
                                   (uint64_t)st.st_mtime + 1 >= r->saved))
                p->names[p->n++] = p->c[i];
        }
    } else {
        p->names = s->files;
        p->n = s->nfiles;
    }
}

/* Open the files of the plan at one moment (see still_named). */
static void
open_series(struct mw_follow *f, struct series *s,
            const struct mw_state_input *r, struct plan *p)
{
    for (int attempt = 0;; attempt++) {
        struct fin fi;
        memset(p, 0, sizeof *p);
        plan_names(f, s, r, p, &fi);
        p->v = xcalloc(p->n ? p->n : 1, sizeof *p->v);
        p->errs = xcalloc(p->n ? p->n : 1, sizeof *p->errs);
        if (p->m >= 0) {
            p->v[0] = fi;
            open_all(p->names + 1, p->n - 1, p->v + 1, p->errs + 1);
        } else {
            open_all(p->names, p->n, p->v, p->errs);
        }
        if (attempt == 100 || still_named(s, p->names, p->n, p->v, p->errs))
            return;
        plan_free(f, p);
        /* logrotate is renaming the series: let it finish (at most 1 s) */
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Read series s from where the state says the previous run stopped. */
void
follow_resume(struct mw_follow *f, struct series *s)
{
    struct mw_state_input *r = state_find(f->st, s->key);
    struct plan p;
    if (!s->watch)
        r = NULL;
    s->nseen = 0; /* an inode may have gone to a newer file since */
    /* before the directory is read: a change after it is seen later */
    follow_dir_time(s, &s->dir_mtime, &s->dir_seen);
    if (r) {
        s->known = true;
        s->last_ts = r->last_ts;
        s->has_last_hash = r->has_last;
        memcpy(s->last_hash, r->last, sizeof s->last_hash);
    }
    open_series(f, s, r, &p);
    if (p.m >= 0 && r) {
        p.v[0].start = p.v[0].offset = r->offset;
        p.v[0].lineno = r->line;
    } else if (r && r->fp_len > 0) {
        /* the file is gone or was truncated: read the files again, without
         * what was analysed before (see follow_skip) */
        s->skip.active = r->last_ts.valid;
        s->skip.until = r->last_ts;
        s->skip.has_last = r->has_last;
        memcpy(s->skip.last, r->last, sizeof s->skip.last);
    }
    read_opened(f, s, p.names, p.v, p.errs, p.n);
    free(p.v); /* read_opened took the files over */
    p.v = NULL;
    plan_free(f, &p);
}
