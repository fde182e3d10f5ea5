/* Private to the dialect family: the backend objects listed in the table in
 * dialect.c, and the syslog header helpers that other backends reuse. */
#ifndef MW_DIALECT_BACKENDS_H
#define MW_DIALECT_BACKENDS_H

#include "dialect.h"
#include "linereader.h"
#include "timeparse.h"
#include <stddef.h>

extern const struct mw_dialect mw_dialect_syslog;
extern const struct mw_dialect mw_dialect_exim;
extern const struct mw_dialect mw_dialect_journal;
extern const struct mw_dialect mw_dialect_postlog;
extern const struct mw_dialect mw_dialect_exchange;
extern const struct mw_dialect mw_dialect_app;

/* which header the syslog chain found in a line */
enum mw_syslog_form {
    MW_SYSLOG_NONE,        /* no known header: rec->parsed is false */
    MW_SYSLOG_RFC5424,     /* <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG */
    MW_SYSLOG_RFC3339,     /* 2024-08-25T10:04:35.051238+00:00 host tag: */
    MW_SYSLOG_BSD,         /* Nov 22 10:05:07 host tag: */
    MW_SYSLOG_TAI64N,      /* @4000000000000000xxxxxxxx tag: */
    MW_SYSLOG_DATE_TAGGED, /* 2019-10-22 03:39:17 host prog[pid]: */
    MW_SYSLOG_DATE_BARE    /* 2013-06-12 03:57:58 message (Exim's own log) */
};

/* Run the whole syslog chain on one line with the time context c. Fills
 * every field of rec (views into line) and returns the form found; never
 * reads outside line->data[0 .. line->len). */
enum mw_syslog_form syslog_parse_line(struct mw_timectx *c,
                                      const struct mw_line *line,
                                      struct mw_record *rec);

/* Exim's line prefix "YYYY-MM-DD HH:MM:SS[.mmm][ +HHMM][ [pid]]" at s.
 * Returns the bytes consumed (not the space after it), 0 when there is no
 * such prefix. With ts NULL only the shape is checked (no time conversion,
 * c unused); otherwise *ts gets the time. *pid gets the [pid] or -1. */
size_t syslog_exim_prefix(struct mw_timectx *c, const char *s, size_t len,
                          struct mw_time *ts, long *pid);

/* For a record whose program is Exim: drop the copy of Exim's own stamp and
 * "[pid]" at the start of rec->msg (syslog_timestamp), and take that stamp
 * as the time when rec has none. rec->msg stays inside the text it was. */
void syslog_exim_fixup(struct mw_timectx *c, struct mw_record *rec);

/* dialect_stamp.c: the time of an application log line that has no syslog
 * header (Kerio, Roundcube, ASSP, OpenWebMail, Domino, squirrel_logger,
 * stunnel, Oracle Messaging), into rec->ts when one of their stamps starts
 * the line; rec is left alone otherwise. */
void syslog_app_stamp(struct mw_timectx *c, const char *s, size_t len,
                      struct mw_record *rec);

/* A static reason naming the most common syslog header form in lines. */
const char *syslog_sniff_why(const struct mw_line *lines, size_t n);

/* A static reason naming the kind of Exchange log in lines. */
const char *exchange_sniff_why(const struct mw_line *lines, size_t n);

/* rec for a line without a known header: msg = whole line, nothing else
 * (inline: every parser starts with it) */
static inline void
dialect_record_raw(const struct mw_line *line, struct mw_record *rec)
{
    rec->line = line;
    rec->ts.sec = 0;
    rec->ts.nsec = 0;
    rec->ts.frac = 0;
    rec->ts.valid = false;
    rec->host = NULL;
    rec->host_len = 0;
    rec->prog = NULL;
    rec->prog_len = 0;
    rec->prog_base = NULL;
    rec->prog_base_len = 0;
    rec->pid = -1;
    rec->msg = line->data;
    rec->msg_len = line->len;
    rec->parsed = false;
}

#endif
