#include "config.h"

#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "xalloc.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

int
source_open(struct mw_source *s, const char *path, struct mw_err *err)
{
    struct stat st;
    memset(s, 0, sizeof *s);
    s->path = path;
    s->is_stdin = strcmp(path, "-") == 0;
    if (s->is_stdin) {
        s->fd = STDIN_FILENO;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (s->fd < 0) {
            err_set_errno(err, path, errno, "%s", "");
            return -1;
        }
    }
    if (fstat(s->fd, &st) != 0) {
        err_set_errno(err, path, errno, "%s", "");
        source_close(s);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        err_set(err, path, "is a directory");
        source_close(s);
        return -1;
    }
    if (s->is_stdin)
        return 0;
    s->mtime = st.st_mtime;
    s->dev = (uint64_t)st.st_dev;
    s->ino = (uint64_t)st.st_ino;
    if (S_ISREG(st.st_mode)) {
        s->size = (uint64_t)st.st_size;
#if defined(POSIX_FADV_SEQUENTIAL)
        /* advice only: the read ahead window grows; failure is harmless */
        (void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    return 0;
}

void
source_close(struct mw_source *s)
{
    if (!s->is_stdin && s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* ------------------------------------------------------------ ordering */

/* Position of a file in its series, oldest first: numbered names ("name.4"
 * before "name.1"), then dated names (older date first), then the live
 * file (FORMATS.md 2.2). */
enum series_kind { KIND_NUMBER, KIND_DATE, KIND_BASE };

struct entry {
    const char *path;
    size_t base_len; /* path[0..base_len) is the series name */
    enum series_kind kind;
    uint64_t key; /* the number, or the date as YYYYMMDDHHMMSS */
    size_t index; /* position in the argument list */
    size_t group; /* index of the first member of the series */
};

static const char *const compress_suffixes[] = {".gz", ".bz2", ".xz", ".zst"};

static bool
all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static uint64_t
digits_value(const char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(p[i] - '0');
    return v;
}

/* plausible YYYYMMDD[HH[MMSS]] digits (a dateext date, not any number) */
static bool
date_ok(const char *p, size_t n)
{
    unsigned mon = (unsigned)digits_value(p + 4, 2);
    unsigned day = (unsigned)digits_value(p + 6, 2);
    if (mon < 1 || mon > 12 || day < 1 || day > 31)
        return false;
    if (n >= 10 && digits_value(p + 8, 2) > 23)
        return false;
    if (n == 14 &&
        (digits_value(p + 10, 2) > 59 || digits_value(p + 12, 2) > 60))
        return false;
    return true;
}

/* date as YYYYMMDDHHMMSS so that daily, hourly and postfix names compare */
static uint64_t
date_key(const char *p, size_t n)
{
    uint64_t v = digits_value(p, n);
    for (; n < 14; n += 2)
        v *= 100;
    return v;
}

/* Recognise a rotation suffix at the end of path[0..len) and fill e. */
static void
entry_suffix(struct entry *e, const char *path, size_t len)
{
    const char *dot = NULL, *dash = NULL;
    for (size_t i = len; i > 0; i--) {
        if (path[i - 1] == '/')
            break;
        if (!dot && path[i - 1] == '.')
            dot = path + i - 1;
        if (!dash && path[i - 1] == '-')
            dash = path + i - 1;
    }
    /* name.N (logrotate, savelog) */
    if (dot && dot > path && dot[-1] != '/') {
        size_t n = (size_t)(path + len - dot - 1);
        bool digits = n >= 1 && n <= 10 && all_digits(dot + 1, n);
        /* "dateformat .%Y%m%d" names: a date, not a rotation count */
        if (digits && (n == 8 || n == 10) && date_ok(dot + 1, n)) {
            e->kind = KIND_DATE;
            e->key = date_key(dot + 1, n);
            e->base_len = (size_t)(dot - path);
            return;
        }
        if (digits && n <= 6) {
            e->kind = KIND_NUMBER;
            e->key = digits_value(dot + 1, n);
            e->base_len = (size_t)(dot - path);
            return;
        }
    }
    /* name-YYYYMMDD, name-YYYYMMDDHH (logrotate dateext) */
    if (dash && dash > path && dash[-1] != '/') {
        size_t n = (size_t)(path + len - dash - 1);
        if ((n == 8 || n == 10) && all_digits(dash + 1, n) &&
            date_ok(dash + 1, n)) {
            e->kind = KIND_DATE;
            e->key = date_key(dash + 1, n);
            e->base_len = (size_t)(dash - path);
            return;
        }
    }
    /* name.YYYYMMDD-HHMMSS (postfix logrotate, postconf(5) maillog_file) */
    if (len > 16 && path[len - 16] == '.' && path[len - 7] == '-' &&
        path[len - 17] != '/' && all_digits(path + len - 15, 8) &&
        all_digits(path + len - 6, 6)) {
        char d[14];
        memcpy(d, path + len - 15, 8);
        memcpy(d + 8, path + len - 6, 6);
        if (date_ok(d, 14)) {
            e->kind = KIND_DATE;
            e->key = digits_value(d, 14);
            e->base_len = len - 16;
        }
    }
}

/* Split path into its series name and position in the series. */
static void
entry_parse(struct entry *e, const char *path, size_t index)
{
    size_t len = strlen(path);
    memset(e, 0, sizeof *e);
    e->path = path;
    e->index = index;
    e->kind = KIND_BASE;
    for (size_t i = 0; i < sizeof compress_suffixes / sizeof *compress_suffixes;
         i++) {
        size_t n = strlen(compress_suffixes[i]);
        if (len > n && memcmp(path + len - n, compress_suffixes[i], n) == 0 &&
            path[len - n - 1] != '/') {
            len -= n;
            break;
        }
    }
    e->base_len = len;
    entry_suffix(e, path, len);
}

static int
cmp_base(const struct entry *a, const struct entry *b)
{
    size_t n = a->base_len < b->base_len ? a->base_len : b->base_len;
    int c = memcmp(a->path, b->path, n);
    if (c != 0)
        return c;
    return (a->base_len > b->base_len) - (a->base_len < b->base_len);
}

/* by series name, then argument position */
static int
cmp_by_base(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    int c = cmp_base(a, b);
    if (c != 0)
        return c;
    return (a->index > b->index) - (a->index < b->index);
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

/* by series (first appearance), kind, key, then argument position */
static int
cmp_final(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    int c = cmp_u64(a->group, b->group);
    if (c == 0)
        c = cmp_u64((uint64_t)a->kind, (uint64_t)b->kind);
    if (c == 0 && a->kind == KIND_NUMBER)
        c = cmp_u64(b->key, a->key); /* higher number is older */
    else if (c == 0)
        c = cmp_u64(a->key, b->key);
    if (c == 0)
        c = cmp_u64(a->index, b->index);
    return c;
}

void
source_order(const char **paths, size_t n)
{
    struct entry *e;
    if (n < 2)
        return;
    e = xreallocarray(NULL, n, sizeof *e);
    for (size_t i = 0; i < n; i++)
        entry_parse(&e[i], paths[i], i);
    /* each series is named after the argument position of its first member */
    qsort(e, n, sizeof *e, cmp_by_base);
    for (size_t i = 0; i < n; i++) {
        bool same = i > 0 && cmp_base(&e[i - 1], &e[i]) == 0 &&
                    strcmp(e[i].path, "-") != 0 &&
                    strcmp(e[i - 1].path, "-") != 0;
        e[i].group = same ? e[i - 1].group : e[i].index;
    }
    qsort(e, n, sizeof *e, cmp_final);
    for (size_t i = 0; i < n; i++)
        paths[i] = e[i].path;
    free(e);
}

size_t
source_series_len(const char *path)
{
    struct entry e;
    entry_parse(&e, path, 0);
    return e.base_len;
}
