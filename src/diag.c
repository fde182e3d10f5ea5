#include "config.h"

#include "diag.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *mw_progname = "maillog-why";

void
err_clear(struct mw_err *e)
{
    memset(e, 0, sizeof *e);
}

static void err_vset(struct mw_err *e, const char *path, const char *fmt,
                     va_list ap) MW_PRINTF(3, 0);

static void
err_vset(struct mw_err *e, const char *path, const char *fmt, va_list ap)
{
    err_clear(e);
    if (path)
        snprintf(e->path, sizeof e->path, "%s", path);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
}

void
err_set(struct mw_err *e, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, path, fmt, ap);
    va_end(ap);
}

void
err_set_pos(struct mw_err *e, const char *path, unsigned long line,
            unsigned long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, path, fmt, ap);
    va_end(ap);
    e->has_pos = true;
    e->line = line;
    e->column = column;
}

void
err_set_offset(struct mw_err *e, const char *path, uint64_t offset,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, path, fmt, ap);
    va_end(ap);
    e->has_offset = true;
    e->offset = offset;
}

void
err_set_errno(struct mw_err *e, const char *path, int errnum, const char *fmt,
              ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, path, fmt, ap);
    va_end(ap);
    e->errnum = errnum;
    size_t n = strlen(e->text);
    snprintf(e->text + n, sizeof e->text - n, "%s%s", n ? ": " : "",
             strerror(errnum));
}

/* copy s into out at *pos, escaping control bytes as \xHH */
static void
put_escaped(char *out, size_t size, size_t *pos, const char *s)
{
    for (; *s && *pos + 5 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            *pos += (size_t)snprintf(out + *pos, size - *pos, "\\x%02x", c);
        else
            out[(*pos)++] = (char)c;
    }
    out[*pos] = '\0';
}

char *
err_format(const struct mw_err *e, char *out, size_t size)
{
    size_t pos = 0;
    char tmp[64];
    if (size == 0)
        return out;
    out[0] = '\0';
    if (e->path[0]) {
        put_escaped(out, size, &pos, e->path);
        if (e->has_pos)
            snprintf(tmp, sizeof tmp, ":%lu:%lu: ", e->line, e->column);
        else if (e->has_offset)
            snprintf(tmp, sizeof tmp, ": byte %" PRIu64 ": ", e->offset);
        else
            snprintf(tmp, sizeof tmp, ": ");
        put_escaped(out, size, &pos, tmp);
    }
    put_escaped(out, size, &pos, e->text);
    return out;
}

void
err_print(const struct mw_err *e)
{
    char line[2048];
    fprintf(stderr, "%s: %s\n", mw_progname, err_format(e, line, sizeof line));
}

void
diag_warn(const char *fmt, ...)
{
    char text[1024];
    char esc[2048];
    size_t pos = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    put_escaped(esc, sizeof esc, &pos, text);
    fprintf(stderr, "%s: %s\n", mw_progname, esc);
}
