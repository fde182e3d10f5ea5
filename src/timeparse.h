/* Timestamps of log lines into UTC epoch seconds + nanoseconds. */
#ifndef MW_TIMEPARSE_H
#define MW_TIMEPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct mw_time {
    int64_t sec;  /* seconds since the epoch, UTC */
    int32_t nsec; /* 0..999999999 */
    int8_t frac;  /* digits of fraction in the log (0 = none), max 9 */
    bool valid;
};

/* Context for year-less (RFC 3164) stamps: the stamp gets the year that puts
 * it at or before ref (file mtime, or "now" for stdin). Local time is the
 * process's TZ (main sets TZ for --timezone before any parsing). The struct
 * caches conversions: one per reader, zero-initialise then set ref. */
struct mw_timectx {
    time_t ref;
    /* caches (private) */
    char last_txt[32];
    size_t last_len;
    struct mw_time last;
    int64_t hour_key;
    int64_t hour_utc;
    time_t ref_seen;   /* ref for which ref_year/ref_tuple were computed */
    int64_t ref_tuple; /* local month/day/time of ref + 60 s, packed */
    int ref_year;      /* local year of ref + 60 s */
    bool ref_ok;
};

void timectx_init(struct mw_timectx *c, time_t ref);

/* Each parser reads a stamp at the start of s (len bytes) and returns the
 * number of bytes consumed (0 when there is no such stamp). */

/* "Mmm dd hh:mm:ss" (day space- or zero-padded), optional ".ffffff" */
size_t time_parse_bsd(struct mw_timectx *c, const char *s, size_t len,
                      struct mw_time *out);
/* "YYYY-MM-DDTHH:MM:SS[.f...](Z|+HH:MM|+HHMM)"; also accepts a space instead
 * of 'T', then also Exim's " +HHMM" zone after a space; a stamp without zone
 * is local time. c may be NULL (no cache). */
size_t time_parse_iso(struct mw_timectx *c, const char *s, size_t len,
                      struct mw_time *out);
/* local broken-down time to UTC epoch, cached per hour in c */
int64_t time_local_to_utc(struct mw_timectx *c, int year, int mon, int day,
                          int hour, int min, int sec);
/* days since 1970-01-01 of a proleptic Gregorian date (mon 1..12) */
int64_t time_days_from_civil(int year, int mon, int day);

/* RFC 3339 UTC: "2026-11-22T09:05:07Z" or with the fraction digits of t.
 * out needs 40 bytes; returns length */
size_t time_format_rfc3339(const struct mw_time *t, char *out, size_t size);

/* Parse a user time expression (ISO 8601 date or date-time with optional
 * zone, "now", "today", "yesterday", "tomorrow", "-2h", "+30min",
 * "1d12h ago", "@EPOCH"), relative to now. 0 ok, -1 invalid. */
int time_parse_user(const char *s, time_t now, int64_t *out);
/* Parse a duration "90s", "5m"/"5min", "1h", "1d", "1w", combinations such
 * as "1h30m", or bare seconds. 0 ok, -1 invalid (also for zero) */
int time_parse_duration(const char *s, int64_t *out_seconds);

#endif
