#include "config.h"

#include "dialect_backends.h"

#include <stdbool.h>
#include <string.h>

/* The time stamps of mail applications that write their own log files,
 * read on lines that have no syslog header (see syslog_app_stamp). */

/* n digits at s[i] as a number, or -1 */
static int
digits_at(const char *s, size_t len, size_t i, size_t n)
{
    int v = 0;
    if (i + n > len)
        return -1;
    for (size_t k = i; k < i + n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

/* "hh:mm:ss" at s[i] into the last three of f; false when absent */
static bool
hms_at(const char *s, size_t len, size_t i, int *f)
{
    f[0] = digits_at(s, len, i, 2);
    f[1] = digits_at(s, len, i + 3, 2);
    f[2] = digits_at(s, len, i + 6, 2);
    return f[0] >= 0 && f[1] >= 0 && f[2] >= 0 && s[i + 2] == ':' &&
           s[i + 5] == ':' && f[0] < 24 && f[1] < 60 && f[2] < 61;
}

static void
set_local_time(struct mw_timectx *c, struct mw_record *rec, int y, int mo,
               int d, const int *hms)
{
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return;
    rec->ts.sec = time_local_to_utc(c, y, mo, d, hms[0], hms[1], hms[2]);
    rec->ts.nsec = 0;
    rec->ts.frac = 0;
    rec->ts.valid = true;
}

/* a two-digit year as a four-digit one (70..99: 19xx); -1 stays -1 */
static int
full_year(int yy)
{
    return yy < 0 ? -1 : yy + (yy < 70 ? 2000 : 1900);
}

/* month abbreviation "Jan".."Dec" at s[i] as 1..12, or 0 */
static int
month_at(const char *s, size_t len, size_t i)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (i + 3 > len)
        return 0;
    for (int m = 0; m < 12; m++)
        if (memcmp(s + i, months + 3 * m, 3) == 0)
            return m + 1;
    return 0;
}

/* " +hhmm", " -hhmm", " UTC" or " GMT" at s[i]: *off = seconds east of UTC;
 * false when there is no such zone */
static bool
zone_at(const char *s, size_t len, size_t i, int *off)
{
    if (i + 4 > len || s[i] != ' ')
        return false;
    if (memcmp(s + i + 1, "UTC", 3) == 0 || memcmp(s + i + 1, "GMT", 3) == 0) {
        *off = 0;
        return true;
    }
    int h = digits_at(s, len, i + 2, 2), m = digits_at(s, len, i + 4, 2);
    if ((s[i + 1] != '+' && s[i + 1] != '-') || h < 0 || m < 0 || h > 14 ||
        m > 59)
        return false;
    *off = (s[i + 1] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

/* "[dd/Mon/yyyy hh:mm:ss]" (Kerio Connect) or "[dd-Mon-yyyy hh:mm:ss zone]"
 * (Roundcube log_date_format "d-M-Y H:i:s O", PHP error_log); a zone gives
 * the exact time, else the time is local */
static bool
bracket_stamp(struct mw_timectx *c, const char *s, size_t len,
              struct mw_record *rec)
{
    int hms[3], off;
    if (len < 22 || s[0] != '[' || (s[3] != '/' && s[3] != '-') ||
        s[7] != s[3] || s[12] != ' ' || !hms_at(s, len, 13, hms))
        return false;
    int d = digits_at(s, len, 1, 2), y = digits_at(s, len, 8, 4);
    int mo = month_at(s, len, 4);
    if (!zone_at(s, len, 21, &off)) {
        set_local_time(c, rec, y, mo, d, hms);
        return true;
    }
    if (y < 1970 || mo < 1 || d < 1 || d > 31)
        return true;
    rec->ts.sec = time_days_from_civil(y, mo, d) * 86400 + hms[0] * 3600 +
                  hms[1] * 60 + hms[2] - off;
    rec->ts.nsec = 0;
    rec->ts.frac = 0;
    rec->ts.valid = true;
    return true;
}

/* Month name first, local time:
 *   ASSP        "Apr-07-13 07:08:36 ..." (LogDateFormat "MMM-DD-YY
 *               hh:mm:ss", also with a four-digit year)
 *   ctime(3)    "Sat Dec 28 19:03:53 2013 - ..." (OpenWebMail writelog) */
static bool
month_stamp(struct mw_timectx *c, const char *s, size_t len,
            struct mw_record *rec)
{
    static const char wdays[] = "SunMonTueWedThuFriSat";
    int hms[3], mo = month_at(s, len, 0);
    if (mo > 0 && len >= 18 && s[3] == '-' && s[6] == '-') {
        size_t t = s[9] == ' ' ? 10 : s[11] == ' ' ? 12 : 0;
        int y = digits_at(s, len, 7, t == 10 ? 2 : 4);
        if (t == 0 || y < 0 || !hms_at(s, len, t, hms))
            return false;
        if (t == 10)
            y = full_year(y);
        set_local_time(c, rec, y, mo, digits_at(s, len, 4, 2), hms);
        return true;
    }
    if (len < 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' ||
        s[19] != ' ' || (len > 24 && s[24] >= '0' && s[24] <= '9') ||
        !hms_at(s, len, 11, hms))
        return false;
    bool wday = false;
    for (size_t k = 0; k < 7; k++)
        wday = wday || memcmp(s, wdays + 3 * k, 3) == 0;
    int d = digits_at(s, len, 8, 2);
    if (s[8] == ' ')
        d = digits_at(s, len, 9, 1);
    if (!wday || d < 1)
        return false;
    set_local_time(c, rec, digits_at(s, len, 20, 4), month_at(s, len, 4), d,
                   hms);
    return true;
}

/* Numeric dates then " hh:mm:ss", local time, at s[i]:
 *   Lotus Domino       "03-07-2005 23:07:20" (day first)
 *   squirrel_logger    "10/06/2013 15:50:41" (month first)
 *   stunnel            "2011.11.21 14:29:16" */
static bool
numeric_stamp(struct mw_timectx *c, const char *s, size_t len, size_t i,
              struct mw_record *rec)
{
    int hms[3];
    if (len < i + 19 || s[i + 10] != ' ' || !hms_at(s, len, i + 11, hms))
        return false;
    if (s[i + 2] == '-' && s[i + 5] == '-')
        set_local_time(c, rec, digits_at(s, len, i + 6, 4),
                       digits_at(s, len, i + 3, 2), digits_at(s, len, i, 2),
                       hms);
    else if (s[i + 2] == '/' && s[i + 5] == '/')
        set_local_time(c, rec, digits_at(s, len, i + 6, 4),
                       digits_at(s, len, i, 2), digits_at(s, len, i + 3, 2),
                       hms);
    else if (s[i + 4] == '.' && s[i + 7] == '.')
        set_local_time(c, rec, digits_at(s, len, i, 4),
                       digits_at(s, len, i + 5, 2), digits_at(s, len, i + 8, 2),
                       hms);
    else
        return false;
    return true;
}

/* Windows mail servers' own files, local time:
 *   MailEnable   "09/01/20 00:00:19<TAB>SMTP-IN<TAB>..." (MM/DD/YY)
 *   Mercury/32   "E 20230422 003853 64427ce8 Relay attempt by ..."
 *   hMailServer  "\"SMTPD\"<TAB>4512<TAB>155<TAB>\"2026-02-12
 * 02:40:53.985\"<TAB>..." (the time in the fourth field, quoted) */
static bool
windows_stamp(struct mw_timectx *c, const char *s, size_t len,
              struct mw_record *rec)
{
    int hms[3];
    if (len >= 18 && s[2] == '/' && s[5] == '/' && s[8] == ' ' &&
        hms_at(s, len, 9, hms) &&
        (len == 17 || !(s[17] >= '0' && s[17] <= '9'))) {
        set_local_time(c, rec, full_year(digits_at(s, len, 6, 2)),
                       digits_at(s, len, 0, 2), digits_at(s, len, 3, 2), hms);
        return true;
    }
    if (len >= 18 && s[1] == ' ' && s[0] >= 'A' && s[0] <= 'Z' &&
        s[10] == ' ' && digits_at(s, len, 2, 8) >= 0 &&
        digits_at(s, len, 11, 6) >= 0) {
        int t = digits_at(s, len, 11, 6);
        int hm[3] = {t / 10000, t / 100 % 100, t % 100};
        set_local_time(c, rec, digits_at(s, len, 2, 4), digits_at(s, len, 6, 2),
                       digits_at(s, len, 8, 2), hm);
        return true;
    }
    if (len > 0 && s[0] == '"') {
        /* up to the fourth tab-separated field */
        size_t i = 0;
        for (int f = 0; f < 3 && i < len; f++) {
            const char *tab = memchr(s + i, '\t', len - i);
            if (!tab)
                return false;
            i = (size_t)(tab - s) + 1;
        }
        if (len >= i + 21 && s[i] == '"' && s[i + 5] == '-' &&
            s[i + 8] == '-' && s[i + 11] == ' ' &&
            hms_at(s, len, i + 12, hms)) {
            set_local_time(c, rec, digits_at(s, len, i + 1, 4),
                           digits_at(s, len, i + 6, 2),
                           digits_at(s, len, i + 9, 2), hms);
            return true;
        }
    }
    return false;
}

/* Stamps of application logs without a syslog header. The line stays whole
 * (parsed = false) and only its time is read: the forms above, Domino's also
 * after a "[28325:00010-3735542592] " prefix, and Oracle Messaging
 * "<co ts=\"2014-06-02T16:06:33.99\" ..." */
void
syslog_app_stamp(struct mw_timectx *c, const char *s, size_t len,
                 struct mw_record *rec)
{
    int hms[3];
    size_t i = 0;
    if (bracket_stamp(c, s, len, rec) || month_stamp(c, s, len, rec))
        return;
    if (len > 0 && s[0] == '[') {
        const char *e = memchr(s, ']', len < 64 ? len : 64);
        if (e && (size_t)(e - s) + 2 < len && e[1] == ' ')
            i = (size_t)(e - s) + 2;
    }
    if (numeric_stamp(c, s, len, i, rec) || windows_stamp(c, s, len, rec))
        return;
    if (len >= 4 && memcmp(s, "<co ", 4) == 0) {
        const char *t = memmem(s, len < 512 ? len : 512, " ts=\"", 5);
        if (!t)
            return;
        size_t k = (size_t)(t - s) + 5;
        if (len >= k + 19 && s[k + 4] == '-' && s[k + 7] == '-' &&
            s[k + 10] == 'T' && hms_at(s, len, k + 11, hms))
            set_local_time(c, rec, digits_at(s, len, k, 4),
                           digits_at(s, len, k + 5, 2),
                           digits_at(s, len, k + 8, 2), hms);
    }
}
