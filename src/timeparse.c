#include "config.h"

#include "timeparse.h"

#include <string.h>
#include <time.h>

/* Stamps are converted in two steps: the text gives a "naive" second count
 * (the wall-clock fields read as if they were UTC), then a zone offset or
 * the process's local time turns it into UTC. The naive value of the last
 * stamp text and the UTC start of the last local hour are cached in the
 * context, so that a run of lines with the same second costs one memcmp and
 * mktime() runs once per local hour. */

/* added to cached hour keys so that a zeroed context never hits */
#define HOUR_KEY_BIAS (INT64_C(1) << 40)
/* year inference allows this much clock skew past the reference time */
#define REF_SLACK 60
/* lengths of the stamp text up to the seconds */
#define ISO_BASE_LEN 19
#define BSD_BASE_MIN 14

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* n digits at s as a number, or -1 */
static int
digits_n(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int mon)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    return mon == 2 && is_leap(y) ? 29 : dim[mon - 1];
}

/* H. Hinnant's days_from_civil, proleptic Gregorian */
int64_t
time_days_from_civil(int year, int mon, int day)
{
    int64_t y = (int64_t)year - (mon <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *year, int *mon, int *day)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*mon <= 2);
}

/* UTC of the start of the local hour that begins at naive second hs */
static int64_t
local_hour_start(int64_t hs)
{
    int64_t y;
    int mon, day;
    int64_t days = floor_div(hs, 86400);
    civil_from_days(days, &y, &mon, &day);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = (int)((hs - days * 86400) / 3600);
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return hs; /* out of the C library's range: take it as UTC */
    return (int64_t)t;
}

/* naive wall-clock seconds read in the process's local time zone */
static int64_t
local_from_naive(struct mw_timectx *c, int64_t naive)
{
    int64_t hour = floor_div(naive, 3600);
    int64_t key = hour + HOUR_KEY_BIAS;
    if (c && c->hour_key == key)
        return c->hour_utc + (naive - hour * 3600);
    int64_t start = local_hour_start(hour * 3600);
    if (c) {
        c->hour_key = key;
        c->hour_utc = start;
    }
    return start + (naive - hour * 3600);
}

static int64_t
naive_seconds(int64_t year, int mon, int day, int hour, int min, int sec)
{
    return time_days_from_civil((int)year, mon, day) * 86400 + hour * 3600 +
           min * 60 + sec;
}

int64_t
time_local_to_utc(struct mw_timectx *c, int year, int mon, int day, int hour,
                  int min, int sec)
{
    return local_from_naive(c, naive_seconds(year, mon, day, hour, min, sec));
}

void
timectx_init(struct mw_timectx *c, time_t ref)
{
    memset(c, 0, sizeof *c);
    c->ref = ref;
}

static int64_t
pack_tuple(int mon, int day, int hour, int min, int sec)
{
    return ((((int64_t)mon * 32 + day) * 24 + hour) * 60 + min) * 60 + sec;
}

/* (re)compute the local calendar position of ref + slack; a new ref also
 * invalidates the cached stamp, whose year depended on the old one */
static void
ref_compute(struct mw_timectx *c)
{
    time_t r = c->ref + REF_SLACK;
    struct tm tm;
    if (localtime_r(&r, &tm) == NULL) {
        memset(&tm, 0, sizeof tm);
        tm.tm_year = 70;
        tm.tm_mday = 1;
    }
    c->ref_year = tm.tm_year + 1900;
    c->ref_tuple =
        pack_tuple(tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    c->ref_seen = c->ref;
    c->ref_ok = true;
    c->last.valid = false;
    c->last_len = 0;
}

static inline void
ref_prepare(struct mw_timectx *c)
{
    if (!c->ref_ok || c->ref_seen != c->ref)
        ref_compute(c);
}

/* fraction ".d..." or ",d..." at s[0]: bytes consumed (0 when none); keeps
 * <= 9 digits */
static size_t
parse_fraction(const char *s, size_t len, struct mw_time *out)
{
    /* ISO 8601 allows a comma as the decimal mark: log4j and Python's
     * logging write "2024-05-11 10:23:45,100" */
    if (len < 2 || (s[0] != '.' && s[0] != ',') || !is_digit(s[1]))
        return 0;
    size_t i = 1;
    int32_t ns = 0;
    int n = 0;
    while (i < len && is_digit(s[i])) {
        if (n < 9) {
            ns = ns * 10 + (s[i] - '0');
            n++;
        }
        i++;
    }
    static const int32_t scale[10] = {1000000000, 100000000, 10000000, 1000000,
                                      100000,     10000,     1000,     100,
                                      10,         1};
    out->nsec = ns * scale[n];
    out->frac = (int8_t)n;
    return i;
}

/* a == b for 8 <= n <= 32 bytes, in word loads (runs once per line) */
static bool
same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    size_t k = 0;
    for (; n - k >= 8; k += 8) {
        memcpy(&x, a + k, 8);
        memcpy(&y, b + k, 8);
        if (x != y)
            return false;
    }
    if (k < n) {
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    return true;
}

static bool
cache_hit(const struct mw_timectx *c, const char *s, size_t len)
{
    return c->last.valid && c->last_len >= 8 && len >= c->last_len &&
           same_bytes(s, c->last_txt, c->last_len);
}

static void
cache_store(struct mw_timectx *c, const char *s, size_t n, int64_t naive)
{
    if (n > sizeof c->last_txt)
        return;
    memcpy(c->last_txt, s, n);
    c->last_len = n;
    c->last.sec = naive;
    c->last.valid = true;
}

static int
month_from_name(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    switch ((unsigned long)u[0] << 16 | (unsigned long)u[1] << 8 | u[2]) {
    case 'J' << 16 | 'a' << 8 | 'n':
        return 1;
    case 'F' << 16 | 'e' << 8 | 'b':
        return 2;
    case 'M' << 16 | 'a' << 8 | 'r':
        return 3;
    case 'A' << 16 | 'p' << 8 | 'r':
        return 4;
    case 'M' << 16 | 'a' << 8 | 'y':
        return 5;
    case 'J' << 16 | 'u' << 8 | 'n':
        return 6;
    case 'J' << 16 | 'u' << 8 | 'l':
        return 7;
    case 'A' << 16 | 'u' << 8 | 'g':
        return 8;
    case 'S' << 16 | 'e' << 8 | 'p':
        return 9;
    case 'O' << 16 | 'c' << 8 | 't':
        return 10;
    case 'N' << 16 | 'o' << 8 | 'v':
        return 11;
    case 'D' << 16 | 'e' << 8 | 'c':
        return 12;
    default:
        return 0;
    }
}

/* "hh:mm:ss" at s (8 bytes available): 0 ok, -1 not a time */
static int
parse_hms(const char *s, int *h, int *m, int *sec)
{
    if (s[2] != ':' || s[5] != ':')
        return -1;
    *h = digits_n(s, 2);
    *m = digits_n(s + 3, 2);
    *sec = digits_n(s + 6, 2);
    if (*h < 0 || *h > 23 || *m < 0 || *m > 59 || *sec < 0 || *sec > 60)
        return -1;
    return 0;
}

/* "Mmm dd hh:mm:ss": length of the base text and its naive seconds in the
 * inferred year, or 0 */
static size_t
bsd_base(struct mw_timectx *c, const char *s, size_t len, int64_t *naive)
{
    if (len < BSD_BASE_MIN || s[3] != ' ')
        return 0;
    int mon = month_from_name(s);
    if (mon == 0)
        return 0;
    int day;
    size_t p;
    if (s[4] == ' ' || s[4] == '0') { /* "Nov  2", "Nov 02" */
        day = is_digit(s[5]) ? s[5] - '0' : -1;
        p = 6;
    } else if (is_digit(s[4]) && is_digit(s[5])) {
        day = (s[4] - '0') * 10 + (s[5] - '0');
        p = 6;
    } else if (is_digit(s[4]) && s[5] == ' ') { /* "Jan 4 21:51:05" */
        day = s[4] - '0';
        p = 5;
    } else {
        return 0;
    }
    int h, mi, sec;
    if (day < 1 || day > days_in_month(2000, mon) || len < p + 9 ||
        s[p] != ' ' || parse_hms(s + p + 1, &h, &mi, &sec) < 0)
        return 0;
    int64_t y = c->ref_year;
    if (pack_tuple(mon, day, h, mi, sec) > c->ref_tuple)
        y--;
    while (day > days_in_month(y, mon)) /* Feb 29: the last leap year */
        y--;
    *naive = naive_seconds(y, mon, day, h, mi, sec);
    return p + 9;
}

size_t
time_parse_bsd(struct mw_timectx *c, const char *s, size_t len,
               struct mw_time *out)
{
    struct mw_timectx tmp;
    if (c == NULL) {
        timectx_init(&tmp, time(NULL));
        c = &tmp;
    }
    ref_prepare(c);
    int64_t naive;
    size_t n;
    if (cache_hit(c, s, len) && s[0] >= 'A') {
        n = c->last_len;
        naive = c->last.sec;
    } else {
        n = bsd_base(c, s, len, &naive);
        if (n == 0)
            return 0;
        cache_store(c, s, n, naive);
    }
    struct mw_time t = {0, 0, 0, true};
    n += parse_fraction(s + n, len - n, &t);
    if (n < len && is_digit(s[n]))
        return 0;
    t.sec = local_from_naive(c, naive);
    *out = t;
    return n;
}

/* "YYYY-MM-DD?hh:mm:ss" with '?' = 'T', 't' or ' ': naive seconds, or -1 */
static int
iso_base(const char *s, size_t len, int64_t *naive)
{
    if (len < ISO_BASE_LEN || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return -1;
    int y = digits_n(s, 4), mon = digits_n(s + 5, 2), day = digits_n(s + 8, 2);
    int h, mi, sec;
    if (y < 0 || mon < 1 || mon > 12 || day < 1 ||
        day > days_in_month(y, mon) || parse_hms(s + 11, &h, &mi, &sec) < 0)
        return -1;
    *naive = naive_seconds(y, mon, day, h, mi, sec);
    return 0;
}

static int32_t
zone_offset(char sign, int hh, int mm)
{
    return (hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
}

/* a new second on the day of the cached ISO stamp: only the time of day
 * needs reading (most lines of a file share their date) */
static bool
iso_same_day(const struct mw_timectx *c, const char *s, size_t len,
             int64_t *naive)
{
    int h, mi, sec;
    if (!c->last.valid || c->last_len != ISO_BASE_LEN || len < ISO_BASE_LEN ||
        !is_digit(s[0]) || !same_bytes(s, c->last_txt, 11) ||
        parse_hms(s + 11, &h, &mi, &sec) < 0)
        return false;
    int64_t day_start = floor_div(c->last.sec, 86400) * 86400;
    *naive = day_start + h * 3600 + mi * 60 + sec;
    return true;
}

/* zone "Z", "+HH:MM", "+HHMM" at s; Exim's " +HHMM" when spaced: bytes
 * consumed, 0 when there is no zone, -1 when it is malformed */
static long
parse_zone(const char *s, size_t len, bool spaced, int32_t *off)
{
    *off = 0;
    if (len >= 1 && (s[0] == 'Z' || s[0] == 'z'))
        return 1;
    if (len >= 1 && (s[0] == '+' || s[0] == '-')) {
        if (len < 5)
            return -1;
        size_t m = s[3] == ':' ? 4 : 3;
        if (len < m + 2)
            return -1;
        int hh = digits_n(s + 1, 2), mm = digits_n(s + m, 2);
        if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
            return -1;
        *off = zone_offset(s[0], hh, mm);
        return (long)(m + 2);
    }
    if (spaced && len >= 6 && s[0] == ' ' && (s[1] == '+' || s[1] == '-') &&
        (len == 6 || !is_digit(s[6]))) {
        int hh = digits_n(s + 2, 2), mm = digits_n(s + 4, 2);
        if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
            return 0;
        *off = zone_offset(s[1], hh, mm);
        return 6;
    }
    return 0;
}

size_t
time_parse_iso(struct mw_timectx *c, const char *s, size_t len,
               struct mw_time *out)
{
    int64_t naive;
    if (c && cache_hit(c, s, len) && is_digit(s[0])) {
        naive = c->last.sec;
    } else if (c && iso_same_day(c, s, len, &naive)) {
        cache_store(c, s, ISO_BASE_LEN, naive);
    } else {
        if (iso_base(s, len, &naive) < 0)
            return 0;
        if (c)
            cache_store(c, s, ISO_BASE_LEN, naive);
    }
    size_t n = ISO_BASE_LEN;
    struct mw_time t = {0, 0, 0, true};
    n += parse_fraction(s + n, len - n, &t);
    int32_t off;
    long z = parse_zone(s + n, len - n, s[10] == ' ', &off);
    if (z < 0)
        return 0;
    n += (size_t)z;
    if (n < len && is_digit(s[n]))
        return 0;
    t.sec = z > 0 ? naive - off : local_from_naive(c, naive);
    *out = t;
    return n;
}

static char *
put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

size_t
time_format_rfc3339(const struct mw_time *t, char *out, size_t size)
{
    char buf[48];
    int64_t days = floor_div(t->sec, 86400);
    int64_t rem = t->sec - days * 86400, y;
    int mon, day;
    civil_from_days(days, &y, &mon, &day);
    if (!t->valid || y < 0 || y > 9999) {
        if (size > 0)
            out[0] = '\0';
        return 0;
    }
    char *p = put_digits(buf, y, 4);
    *p++ = '-';
    p = put_digits(p, mon, 2);
    *p++ = '-';
    p = put_digits(p, day, 2);
    *p++ = 'T';
    p = put_digits(p, rem / 3600, 2);
    *p++ = ':';
    p = put_digits(p, rem / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, rem % 60, 2);
    int frac = t->frac > 9 ? 9 : t->frac;
    if (frac > 0) {
        int64_t ns = t->nsec < 0 || t->nsec > 999999999 ? 0 : t->nsec;
        for (int k = frac; k < 9; k++)
            ns /= 10;
        *p++ = '.';
        p = put_digits(p, ns, frac);
    }
    *p++ = 'Z';
    size_t n = (size_t)(p - buf);
    if (n + 1 > size) {
        if (size > 0)
            out[0] = '\0';
        return 0;
    }
    memcpy(out, buf, n);
    out[n] = '\0';
    return n;
}

/* ------------------------------------------------------------------ user */

/* longest accepted span, about 31,700 years: keeps arithmetic far from
 * overflow */
#define SPAN_MAX INT64_C(1000000000000)

struct span_unit {
    const char *name;
    int64_t seconds;
};

/* systemd.time(7) names, minus sub-second and calendar-dependent units */
static const struct span_unit span_units[] = {
    {"s", 1},          {"sec", 1},      {"secs", 1},     {"second", 1},
    {"seconds", 1},    {"m", 60},       {"min", 60},     {"mins", 60},
    {"minute", 60},    {"minutes", 60}, {"h", 3600},     {"hr", 3600},
    {"hrs", 3600},     {"hour", 3600},  {"hours", 3600}, {"d", 86400},
    {"day", 86400},    {"days", 86400}, {"w", 604800},   {"week", 604800},
    {"weeks", 604800},
};

static int64_t
span_unit_seconds(const char *u, size_t n)
{
    for (size_t i = 0; i < sizeof span_units / sizeof span_units[0]; i++)
        if (strlen(span_units[i].name) == n &&
            memcmp(span_units[i].name, u, n) == 0)
            return span_units[i].seconds;
    return 0;
}

static bool
is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool
is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* "1h30m", "2 hours", "90": sum of number+unit parts (no unit = seconds) */
static int
parse_span(const char *p, const char *e, int64_t *out)
{
    int64_t total = 0;
    int parts = 0;
    for (;;) {
        while (p < e && is_blank(*p))
            p++;
        if (p == e)
            break;
        if (!is_digit(*p))
            return -1;
        int64_t n = 0;
        while (p < e && is_digit(*p)) {
            n = n * 10 + (*p++ - '0');
            if (n > SPAN_MAX)
                return -1;
        }
        while (p < e && is_blank(*p))
            p++;
        const char *u = p;
        while (p < e && is_alpha(*p))
            p++;
        int64_t mul = p > u ? span_unit_seconds(u, (size_t)(p - u)) : 1;
        if (mul == 0 || n > (SPAN_MAX - total) / mul)
            return -1;
        total += n * mul;
        parts++;
    }
    if (parts == 0)
        return -1;
    *out = total;
    return 0;
}

int
time_parse_duration(const char *s, int64_t *out_seconds)
{
    int64_t v;
    if (s == NULL || parse_span(s, s + strlen(s), &v) < 0 || v <= 0)
        return -1;
    *out_seconds = v;
    return 0;
}

/* local midnight of the day delta days away from now's local date */
static int64_t
local_midnight(time_t now, int delta)
{
    struct tm tm;
    if (localtime_r(&now, &tm) == NULL)
        return (int64_t)now;
    int64_t days =
        time_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) +
        delta;
    return local_from_naive(NULL, days * 86400);
}

/* "@1700000000" (an optional fraction is ignored) */
static int
parse_epoch(const char *p, const char *e, int64_t *out)
{
    bool neg = p < e && *p == '-';
    p += neg;
    if (p == e || !is_digit(*p))
        return -1;
    int64_t v = 0;
    while (p < e && is_digit(*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > SPAN_MAX * 100)
            return -1;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && is_digit(*p))
            p++;
    }
    if (p != e)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

/* user zone at the end: "Z", "UTC", "+HH", "+HHMM", "+HH:MM"; -1 bad */
static int
parse_user_zone(const char *p, const char *e, int32_t *off)
{
    size_t n = (size_t)(e - p);
    *off = 0;
    if ((n == 1 && (*p == 'Z' || *p == 'z')) ||
        (n == 3 && memcmp(p, "UTC", 3) == 0))
        return 0;
    if (n < 3 || (*p != '+' && *p != '-'))
        return -1;
    int hh = digits_n(p + 1, 2), mm = 0;
    if (n == 5)
        mm = digits_n(p + 3, 2);
    else if (n == 6 && p[3] == ':')
        mm = digits_n(p + 4, 2);
    else if (n != 3)
        return -1;
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
        return -1;
    *off = zone_offset(*p, hh, mm);
    return 0;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS[.f]][ ][zone]]" */
static int
parse_user_iso(const char *p, const char *e, int64_t *out)
{
    if (e - p < 10 || p[4] != '-' || p[7] != '-')
        return -1;
    int y = digits_n(p, 4), mon = digits_n(p + 5, 2), day = digits_n(p + 8, 2);
    if (y < 0 || mon < 1 || mon > 12 || day < 1 || day > days_in_month(y, mon))
        return -1;
    p += 10;
    int h = 0, mi = 0, sec = 0;
    if (p < e) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return -1;
        p++;
        while (p < e && is_blank(*p))
            p++;
        if (e - p < 5 || p[2] != ':')
            return -1;
        h = digits_n(p, 2);
        mi = digits_n(p + 3, 2);
        p += 5;
        if (e - p >= 3 && p[0] == ':') {
            sec = digits_n(p + 1, 2);
            p += 3;
        }
        if (e - p >= 2 && p[0] == '.' && is_digit(p[1]))
            for (p++; p < e && is_digit(*p); p++)
                ;
        if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
            return -1;
        while (p < e && is_blank(*p))
            p++;
    }
    int64_t naive = naive_seconds(y, mon, day, h, mi, sec);
    if (p == e) {
        *out = local_from_naive(NULL, naive);
        return 0;
    }
    int32_t off;
    if (parse_user_zone(p, e, &off) < 0)
        return -1;
    *out = naive - off;
    return 0;
}

static bool
word_is(const char *p, const char *e, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(e - p) == n && memcmp(p, w, n) == 0;
}

/* "<span> ago" / "<span> left": 1 and *out set, 0 when no such suffix,
 * -1 when the span is bad */
static int
parse_suffixed(const char *p, const char *e, time_t now, int64_t *out)
{
    static const struct {
        const char *word;
        int sign;
    } sfx[] = {{" ago", -1}, {" left", 1}};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        size_t n = strlen(sfx[i].word);
        if ((size_t)(e - p) <= n || memcmp(e - n, sfx[i].word, n) != 0)
            continue;
        int64_t d;
        if (parse_span(p, e - n, &d) < 0)
            return -1;
        *out = (int64_t)now + sfx[i].sign * d;
        return 1;
    }
    return 0;
}

int
time_parse_user(const char *s, time_t now, int64_t *out)
{
    if (s == NULL)
        return -1;
    const char *p = s, *e = s + strlen(s);
    while (p < e && is_blank(*p))
        p++;
    while (e > p && is_blank(e[-1]))
        e--;
    static const struct {
        const char *word;
        int delta;
    } days[] = {{"today", 0}, {"yesterday", -1}, {"tomorrow", 1}};
    if (word_is(p, e, "now")) {
        *out = (int64_t)now;
        return 0;
    }
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        if (word_is(p, e, days[i].word)) {
            *out = local_midnight(now, days[i].delta);
            return 0;
        }
    if (p < e && *p == '@')
        return parse_epoch(p + 1, e, out);
    int64_t d;
    if (p < e && (*p == '+' || *p == '-')) {
        if (parse_span(p + 1, e, &d) < 0)
            return -1;
        *out = (int64_t)now + (*p == '-' ? -d : d);
        return 0;
    }
    int r = parse_suffixed(p, e, now, out);
    if (r != 0)
        return r > 0 ? 0 : -1;
    return parse_user_iso(p, e, out);
}
