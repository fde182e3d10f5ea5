/* Lines of a plain (uncompressed) regular file that may still be growing,
 * read from any offset: what --state and --follow need and linereader does
 * not give (it reads a stream once from its start, and hands out a last line
 * without '\n' as soon as it sees the end).
 *
 * The framing is linereader's: lines end at '\n', a '\r' before it is
 * dropped, a line longer than max_len is cut to max_len bytes and flagged.
 * Differences: offsets and line numbers continue from the values given to
 * tail_new; a line is returned only once its '\n' has been read, unless the
 * caller says the file is final (rotated away or not followed); and the end
 * of the file is not sticky: a later call reads what was appended since. */
#ifndef MW_TAIL_H
#define MW_TAIL_H

#include "diag.h"
#include "linereader.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mw_tail;

/* Read fd (borrowed; read with pread(2), so its file offset is not used)
 * from byte offset; the first line returned gets number lineno + 1.
 * max_len 0 = MW_LINE_MAX_DEFAULT. path is for messages. */
struct mw_tail *tail_new(int fd, const char *path, uint64_t offset,
                         uint64_t lineno, size_t max_len);
void tail_free(struct mw_tail *t); /* accepts NULL */

/* 1 = a line in *out (valid until the next call), 0 = no complete line now
 * (with final: the end of the file, the unterminated rest included),
 * -1 = read error (err filled). */
int tail_next(struct mw_tail *t, struct mw_line *out, bool final,
              struct mw_err *err);

/* offset just after the last line returned (where a resumed read starts) */
uint64_t tail_offset(const struct mw_tail *t);
/* number of the last line returned (0 = none yet) */
uint64_t tail_lineno(const struct mw_tail *t);
/* lines cut so far */
uint64_t tail_cut_count(const struct mw_tail *t);

#endif
