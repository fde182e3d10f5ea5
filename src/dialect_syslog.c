#include "config.h"

#include "dialect_backends.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

/* The syslog dialect. Real files mix header forms from line to line (a
 * relay storing local RFC 3164 lines next to forwarded RFC 5424 ones, a
 * Dovecot log_path file next to syslog copies), so every line runs the
 * whole chain, chosen by its first byte:
 *   '<'        <PRI> then RFC 5424 ("<PRI>1 ") or any form below
 *   'A'..'Z'   RFC 3164 "Mmm dd hh:mm:ss[.f]" then host and tag
 *   digit      RFC 3339 "YYYY-MM-DDThh:mm:ss[.f]zone" then host and tag, or
 *              "YYYY-MM-DD hh:mm:ss" (Exim style) then host+tag or text
 *   '@'        daemontools TAI64N label then an optional tag
 * Anything else is kept whole with parsed = false. Hand-written scanning:
 * this runs once per input line. */

enum { C_TAG = 1, C_HOST = 2, C_SLASH = 4 };

/* C_TAG: [A-Za-z0-9/._@-] (syslog tags, "postfix/submission/smtpd",
 * "sm-mta", "perdition.imaps"); C_HOST: [A-Za-z0-9._:-]; C_SLASH: '/' */
static const unsigned char char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 5, /* */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 0, 0, 0, 0, 0, /* */
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 3, /* */
    0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, /* */
};

#define TAI64_EPOCH (UINT64_C(1) << 62)
/* daemontools writes labels as 2^62 + 10 + Unix time (libtai tai_unix(),
 * used by multilog); tai64nlocal subtracts the same constant */
#define TAI64_UNIX_SKEW 10
/* pids longer than this are not pids */
#define PID_DIGITS_MAX 10

static bool
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool
has_class(char ch, unsigned cls)
{
    return (char_class[(unsigned char)ch] & cls) != 0;
}

static size_t
skip_spaces(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == ' ')
        i++;
    return i;
}

static size_t
token_end(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] != ' ')
        i++;
    return i;
}

static void
set_msg(struct mw_record *rec, const char *s, size_t len, size_t i)
{
    rec->msg = s + i;
    rec->msg_len = len - i;
}

/* "[digits]" at s[i]: index after ']' and *pid, or 0 */
static size_t
parse_pid(const char *s, size_t len, size_t i, long *pid)
{
    if (i >= len || s[i] != '[')
        return 0;
    size_t k = i + 1,
           end = len - i > PID_DIGITS_MAX + 1 ? i + 1 + PID_DIGITS_MAX : len;
    long v = 0;
    while (k < end && is_digit(s[k]))
        v = v * 10 + (s[k++] - '0');
    if (k == i + 1 || k >= len || s[k] != ']')
        return 0;
    *pid = v;
    return k + 1;
}

/* end of the run of tag characters from s[i], and in *base the index after
 * its last '/'; four bytes a step, as this runs on every line */
static size_t
scan_tag_name(const char *s, size_t len, size_t i, size_t *base)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t j = i, b = i;
    for (; len - j >= 4; j += 4) {
        unsigned c0 = char_class[u[j]], c1 = char_class[u[j + 1]],
                 c2 = char_class[u[j + 2]], c3 = char_class[u[j + 3]];
        if (!(c0 & c1 & c2 & c3 & C_TAG))
            break;
        b = (c3 & C_SLASH)   ? j + 4
            : (c2 & C_SLASH) ? j + 3
            : (c1 & C_SLASH) ? j + 2
            : (c0 & C_SLASH) ? j + 1
                             : b;
    }
    for (; j < len && (char_class[u[j]] & C_TAG); j++)
        b = (char_class[u[j]] & C_SLASH) ? j + 1 : b;
    *base = b;
    return j;
}

/* "[pid]:" at s[j], or "[pid]" when colonless: the index after it, or 0 */
static size_t
tag_pid(const char *s, size_t len, size_t j, bool colonless, long *pid)
{
    j = parse_pid(s, len, j, pid);
    if (j == 0)
        return 0;
    if (j < len && s[j] == ':')
        return j + 1;
    return colonless ? j : 0;
}

/* The parentheses after a tag name at s[j]: Dovecot's own
 * "auth-worker(22401):" / "auth(default):" (a pid when numeric), or PAM's
 * "service(module)[pid]:" ("pop(pam_unix)[4920]:"), whose parentheses are
 * part of the name (*name_end moves past them). The index after the tag,
 * or 0. */
static size_t
tag_parens(const char *s, size_t len, size_t j, bool colonless,
           size_t *name_end, long *pid)
{
    size_t k = j + 1;
    while (k < len && k - j <= 32 && s[k] != ')' && s[k] != ' ')
        k++;
    if (k + 1 >= len || s[k] != ')')
        return 0;
    if (s[k + 1] == '[') {
        *name_end = k + 1;
        return tag_pid(s, len, k + 1, colonless, pid);
    }
    if (s[k + 1] != ':')
        return 0;
    *pid = k == j + 1 ? -1 : 0;
    for (size_t d = j + 1; d < k && *pid >= 0; d++)
        *pid = s[d] >= '0' && s[d] <= '9' && *pid < 100000000
                   ? *pid * 10 + (s[d] - '0')
                   : -1;
    return k + 2;
}

/* Tag "prog[pid]:", "prog:" or (colonless) rsyslog's "prog[pid]" at s[i],
 * followed by a space or the end. Returns the index after it and fills
 * rec's prog fields, or returns 0 and leaves rec alone. */
static size_t
parse_tag(const char *s, size_t len, size_t i, bool colonless,
          struct mw_record *rec)
{
    size_t base, j = scan_tag_name(s, len, i, &base);
    size_t name_end = j;
    long pid = -1;
    if (j == i || j >= len)
        return 0;
    if (s[j] == '[')
        j = tag_pid(s, len, j, colonless, &pid);
    else if (s[j] == ':')
        j++;
    else if (s[j] == '(')
        j = tag_parens(s, len, j, colonless, &name_end, &pid);
    else
        return 0;
    if (j == 0 || (j < len && s[j] != ' '))
        return 0;
    rec->prog = s + i;
    rec->prog_len = name_end - i;
    rec->prog_base = s + base;
    rec->prog_base_len = name_end - base;
    rec->pid = pid;
    return j;
}

/* the message starts after the tag's one separating space */
static void
msg_after_tag(struct mw_record *rec, const char *s, size_t len, size_t t)
{
    set_msg(rec, s, len, t < len ? t + 1 : t);
}

/* After an RFC 3164 / RFC 3339 stamp ending at s[i]: "host tag: msg", or
 * "tag: msg" when the first token ends with ':' (no host, as in Dovecot's
 * own "Jan 29 09:33:58 pop3-login: Info: ..."). */
/* A log level where a host would be: applications that write "stamp LEVEL
 * text" themselves (Stalwart: "2025-03-20T06:00:02Z INFO Blocked IP
 * address (security.ip-blocked) ..."); no host is called that */
static bool
is_level_word(const char *p, size_t n)
{
    static const char *const levels[] = {"TRACE",  "DEBUG",    "INFO",
                                         "NOTICE", "WARN",     "WARNING",
                                         "ERROR",  "CRITICAL", "FATAL"};
    if (n < 4 || n > 8 || p[0] < 'A' || p[0] > 'Z')
        return false;
    for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++)
        if (strlen(levels[k]) == n && memcmp(p, levels[k], n) == 0)
            return true;
    return false;
}

static bool
host_tag_msg(const char *s, size_t len, size_t i, struct mw_record *rec)
{
    if (i < len && s[i] != ' ')
        return false;
    i = skip_spaces(s, len, i);
    size_t te = token_end(s, len, i);
    if (te > i + 2 && s[i] == '<' && s[te - 1] == '>') {
        /* a "<facility.priority>" label some syslog daemons write before
         * the host (e.g. "<mail.notice>") */
        i = skip_spaces(s, len, te);
        te = token_end(s, len, i);
    }
    if (te > i && s[te - 1] == ':') {
        size_t t = parse_tag(s, len, i, false, rec);
        if (t == te)
            msg_after_tag(rec, s, len, t);
        else
            set_msg(rec, s, len, i);
        return true;
    }
    if (is_level_word(s + i, te - i)) {
        set_msg(rec, s, len, i);
        return true;
    }
    if (te > i) {
        rec->host = s + i;
        rec->host_len = te - i;
    }
    i = skip_spaces(s, len, te);
    size_t t = parse_tag(s, len, i, true, rec);
    if (t > 0)
        msg_after_tag(rec, s, len, t);
    else
        set_msg(rec, s, len, i);
    return true;
}

/* "<PRI>" (0..191) at s[0]: its length, or 0 */
static size_t
parse_pri(const char *s, size_t len)
{
    size_t i = 1;
    int v = 0;
    while (i < len && i <= 3 && is_digit(s[i]))
        v = v * 10 + (s[i++] - '0');
    if (i == 1 || i >= len || s[i] != '>' || v > 191)
        return 0;
    return i + 1;
}

/* one space-terminated RFC 5424 header field at s[*i]; NULL for "-" */
static bool
field_5424(const char *s, size_t len, size_t *i, const char **f, size_t *flen)
{
    size_t st = *i, te = token_end(s, len, st);
    if (te == st || te >= len)
        return false;
    bool nil = te - st == 1 && s[st] == '-';
    *f = nil ? NULL : s + st;
    *flen = nil ? 0 : te - st;
    *i = te + 1;
    return true;
}

/* STRUCTURED-DATA: "-" or "[id k=\"v\" ...]..." with backslash escapes
 * (RFC 5424 6.3.3: '"', '\' and ']' are escaped inside values) */
static size_t
skip_sd(const char *s, size_t len, size_t i)
{
    if (i < len && s[i] == '-')
        return i + 1;
    if (i >= len || s[i] != '[')
        return 0;
    while (i < len && s[i] == '[') {
        bool quoted = false;
        for (i++; i < len; i++) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                quoted = !quoted;
            else if (s[i] == ']' && !quoted)
                break;
        }
        if (i >= len)
            return 0;
        i++;
    }
    return i;
}

/* "<PRI>1 " is already consumed: i is at TIMESTAMP */
static bool
parse_5424(struct mw_timectx *c, const char *s, size_t len, size_t i,
           struct mw_record *rec)
{
    if (i < len && s[i] == '-') {
        i++;
    } else {
        size_t n = time_parse_iso(c, s + i, len - i, &rec->ts);
        if (n == 0)
            return false;
        i += n;
    }
    if (i >= len || s[i] != ' ')
        return false;
    i++;
    const char *app, *procid, *msgid;
    size_t app_len, procid_len, msgid_len;
    if (!field_5424(s, len, &i, &rec->host, &rec->host_len) ||
        !field_5424(s, len, &i, &app, &app_len) ||
        !field_5424(s, len, &i, &procid, &procid_len) ||
        !field_5424(s, len, &i, &msgid, &msgid_len))
        return false;
    i = skip_sd(s, len, i);
    if (i == 0 || (i < len && s[i] != ' '))
        return false;
    if (app) {
        rec->prog = rec->prog_base = app;
        rec->prog_len = rec->prog_base_len = app_len;
        for (size_t k = 0; k < app_len; k++)
            if (app[k] == '/') {
                rec->prog_base = app + k + 1;
                rec->prog_base_len = app_len - k - 1;
            }
    }
    long pid = -1;
    if (procid && procid_len <= PID_DIGITS_MAX) {
        pid = 0;
        for (size_t k = 0; k < procid_len && pid >= 0; k++)
            pid = is_digit(procid[k]) ? pid * 10 + (procid[k] - '0') : -1;
    }
    rec->pid = pid;
    if (i < len)
        i++;
    if (len - i >= 3 && memcmp(s + i, "\xEF\xBB\xBF", 3) == 0)
        i += 3; /* RFC 5424 6.4: MSG may start with a BOM */
    set_msg(rec, s, len, i);
    return true;
}

static int
hex_value(char ch)
{
    if (is_digit(ch))
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* "@" + 16 hex digits of TAI64 seconds + 8 of nanoseconds (daemontools
 * multilog "t" and s6-log), then an optional tag */
static bool
parse_tai64n(const char *s, size_t len, size_t i, struct mw_record *rec)
{
    if (len - i < 25)
        return false;
    uint64_t label = 0;
    uint32_t ns = 0;
    for (size_t k = 1; k <= 24; k++) {
        int h = hex_value(s[i + k]);
        if (h < 0)
            return false;
        if (k <= 16)
            label = label << 4 | (uint64_t)h;
        else
            ns = ns << 4 | (uint32_t)h;
    }
    if (label < TAI64_EPOCH + TAI64_UNIX_SKEW || label >= TAI64_EPOCH * 2 ||
        ns > 999999999)
        return false;
    i += 25;
    if (i < len && s[i] != ' ')
        return false;
    rec->ts.sec = (int64_t)(label - TAI64_EPOCH - TAI64_UNIX_SKEW);
    rec->ts.nsec = (int32_t)ns;
    rec->ts.frac = 9;
    rec->ts.valid = true;
    i = skip_spaces(s, len, i);
    size_t t = parse_tag(s, len, i, true, rec);
    if (t > 0)
        msg_after_tag(rec, s, len, t);
    else
        set_msg(rec, s, len, i);
    return true;
}

/* shape of Exim's "YYYY-MM-DD HH:MM:SS[.f][ +HHMM]": length or 0 */
static size_t
exim_stamp_shape(const char *s, size_t len)
{
    static const char pat[] = "dddd-dd-dd dd:dd:dd";
    if (len < sizeof pat - 1)
        return 0;
    for (size_t k = 0; k < sizeof pat - 1; k++)
        if (pat[k] == 'd' ? !is_digit(s[k]) : s[k] != pat[k])
            return 0;
    size_t n = sizeof pat - 1;
    if (n + 1 < len && s[n] == '.' && is_digit(s[n + 1]))
        for (n++; n < len && is_digit(s[n]);)
            n++;
    if (n + 6 <= len && s[n] == ' ' && (s[n + 1] == '+' || s[n + 1] == '-') &&
        is_digit(s[n + 2]) && is_digit(s[n + 3]) && is_digit(s[n + 4]) &&
        is_digit(s[n + 5]) && (n + 6 == len || !is_digit(s[n + 6])))
        n += 6;
    return n < len && is_digit(s[n]) ? 0 : n;
}

size_t
syslog_exim_prefix(struct mw_timectx *c, const char *s, size_t len,
                   struct mw_time *ts, long *pid)
{
    *pid = -1;
    if (len < 19 || s[10] != ' ')
        return 0;
    size_t n = ts ? time_parse_iso(c, s, len, ts) : exim_stamp_shape(s, len);
    if (n == 0 || (n < len && s[n] != ' '))
        return 0;
    size_t p = parse_pid(s, len, n + 1, pid);
    if (p > 0 && (p == len || s[p] == ' '))
        n = p;
    else
        *pid = -1;
    return n;
}

static bool
all_alnum(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!is_digit(s[k]) && !((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z'))
            return false;
    return true;
}

/* Exim message id: "1dJ08B-0003oP-5i", or "XXXXXX-XXXXXXXXXXX-XXXX" from
 * Exim 4.97 on */
static bool
is_exim_id(const char *s, size_t n)
{
    size_t mid = n == 16 ? 6 : n == 23 ? 11 : 0;
    return mid > 0 && s[6] == '-' && s[7 + mid] == '-' && all_alnum(s, 6) &&
           all_alnum(s + 7, mid) && all_alnum(s + 8 + mid, n - 8 - mid);
}

static bool
host_shaped(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!has_class(s[k], C_HOST))
            return false;
    return n > 0 && s[n - 1] != ':' && !is_exim_id(s, n);
}

/* "YYYY-MM-DD HH:MM:SS[...]" then "host prog[pid]: msg", "prog: msg", or a
 * bare message ("login authenticator failed ...": "login" is no tag) */
static enum mw_syslog_form
parse_dated(struct mw_timectx *c, const char *s, size_t len, size_t i,
            struct mw_record *rec)
{
    size_t n = syslog_exim_prefix(c, s + i, len - i, &rec->ts, &rec->pid);
    if (n == 0)
        return MW_SYSLOG_NONE;
    long stamp_pid = rec->pid; /* a tag without [pid] keeps this one */
    i = skip_spaces(s, len, i + n);
    size_t te = token_end(s, len, i);
    enum mw_syslog_form form = MW_SYSLOG_DATE_BARE;
    size_t t = parse_tag(s, len, i, false, rec);
    if (t == 0) {
        size_t j = skip_spaces(s, len, te);
        if (j > te && host_shaped(s + i, te - i))
            t = parse_tag(s, len, j, false, rec);
        if (t > 0) {
            rec->host = s + i;
            rec->host_len = te - i;
            form = MW_SYSLOG_DATE_TAGGED;
        }
    }
    if (t == 0) {
        set_msg(rec, s, len, i);
        return form;
    }
    if (rec->pid < 0)
        rec->pid = stamp_pid;
    msg_after_tag(rec, s, len, t);
    return form;
}

/* Exim under syslog repeats its own stamp (syslog_timestamp, default true)
 * and with +pid a "[pid]" at the start of the text: drop them, and use the
 * stamp when the syslog header had no time */
void
syslog_exim_fixup(struct mw_timectx *c, struct mw_record *rec)
{
    if (rec->prog_base_len < 4 || memcmp(rec->prog_base, "exim", 4) != 0)
        return;
    const char *m = rec->msg;
    size_t len = rec->msg_len, n;
    long pid;
    if (rec->ts.valid) {
        n = syslog_exim_prefix(NULL, m, len, NULL, &pid);
    } else {
        n = syslog_exim_prefix(c, m, len, &rec->ts, &pid);
        if (n == 0)
            rec->ts.valid = false;
    }
    if (n == 0) {
        n = parse_pid(m, len, 0, &pid);
        if (n > 0 && n < len && m[n] != ' ')
            n = 0;
    }
    if (n > 0) {
        n += n < len;
        rec->msg = m + n;
        rec->msg_len = len - n;
    }
}

static enum mw_syslog_form
parse_after_pri(struct mw_timectx *c, const char *s, size_t len, size_t i,
                struct mw_record *rec)
{
    char ch = s[i];
    size_t n;
    if (ch >= 'A' && ch <= 'Z') {
        n = time_parse_bsd(c, s + i, len - i, &rec->ts);
        if (n > 0 && host_tag_msg(s, len, i + n, rec))
            return MW_SYSLOG_BSD;
    } else if (is_digit(ch)) {
        if (len - i > 10 && s[i + 10] == ' ')
            return parse_dated(c, s, len, i, rec);
        n = time_parse_iso(c, s + i, len - i, &rec->ts);
        if (n > 0 && host_tag_msg(s, len, i + n, rec))
            return MW_SYSLOG_RFC3339;
    } else if (ch == '@') {
        if (parse_tai64n(s, len, i, rec))
            return MW_SYSLOG_TAI64N;
    }
    return MW_SYSLOG_NONE;
}
enum mw_syslog_form
syslog_parse_line(struct mw_timectx *c, const struct mw_line *line,
                  struct mw_record *rec)
{
    const char *s = line->data;
    size_t len = line->len, i = 0;
    enum mw_syslog_form form = MW_SYSLOG_NONE;
    dialect_record_raw(line, rec);
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (i < len && s[i] == '<') {
        size_t p = parse_pri(s + i, len - i);
        if (p > 0 && len - i - p >= 2 && s[i + p] == '1' &&
            s[i + p + 1] == ' ') {
            if (parse_5424(c, s, len, i + p + 2, rec))
                form = MW_SYSLOG_RFC5424;
            i = len;
        } else {
            i = p > 0 ? i + p : len;
        }
    }
    if (i < len)
        form = parse_after_pri(c, s, len, i, rec);
    if (form == MW_SYSLOG_NONE) {
        dialect_record_raw(line, rec);
        syslog_app_stamp(c, s, len, rec);
        return form;
    }
    rec->parsed = true;
    if (rec->prog)
        syslog_exim_fixup(c, rec);
    return form;
}

const char *
syslog_sniff_why(const struct mw_line *lines, size_t n)
{
    static const char *const why[] = {
        [MW_SYSLOG_NONE] = "no known header; syslog is the default",
        [MW_SYSLOG_RFC5424] = "RFC 5424 headers",
        [MW_SYSLOG_RFC3339] = "RFC 3339 timestamps",
        [MW_SYSLOG_BSD] = "RFC 3164 timestamps",
        [MW_SYSLOG_TAI64N] = "TAI64N timestamps",
        [MW_SYSLOG_DATE_TAGGED] = "date-time stamps with host and program",
        [MW_SYSLOG_DATE_BARE] = "date-time stamps without program",
    };
    size_t count[MW_SYSLOG_DATE_BARE + 1] = {0};
    struct mw_timectx c;
    struct mw_record rec;
    timectx_init(&c, 0);
    for (size_t k = 0; k < n; k++)
        count[syslog_parse_line(&c, &lines[k], &rec)]++;
    size_t best = MW_SYSLOG_NONE, most = 0;
    for (size_t f = MW_SYSLOG_RFC5424; f <= MW_SYSLOG_DATE_TAGGED; f++)
        if (count[f] > most) {
            best = f;
            most = count[f];
        }
    return why[best];
}

/* share of lines (0..100) with a syslog header */
static int
syslog_sniff(const struct mw_line *lines, size_t n)
{
    struct mw_timectx c;
    struct mw_record rec;
    size_t hits = 0, seen = 0;
    timectx_init(&c, 0);
    for (size_t k = 0; k < n; k++) {
        if (lines[k].len == 0)
            continue;
        seen++;
        enum mw_syslog_form f = syslog_parse_line(&c, &lines[k], &rec);
        hits += f != MW_SYSLOG_NONE && f != MW_SYSLOG_DATE_BARE;
    }
    return seen ? (int)(hits * 100 / seen) : 0;
}

/* Per-file state. The time context comes first: helpers that take a
 * struct mw_timectx * may be given the state itself. */
struct syslog_state {
    struct mw_timectx c;
    struct mw_buf join; /* an Exim line split over syslog lines */
    long join_pid;
    unsigned join_next; /* part expected next; 0 = none pending */
};

#define EXIM_JOIN_MAX (64u * 1024u)

static void *
syslog_open(time_t ref)
{
    struct syslog_state *st = xcalloc(1, sizeof *st);
    timectx_init(&st->c, ref);
    return st;
}

/* "[n/m] " or "[n\\m] " at the start of an Exim message: Exim splits a log
 * line longer than about 870 bytes for syslog, "/" for a cut by length and
 * "\\" at an embedded newline (Exim spec, "Syslog log files"). Returns the
 * prefix length, 0 when absent. */
static size_t
exim_part(const char *m, size_t len, unsigned *n, unsigned *total, char *sep)
{
    size_t i = 1;
    unsigned a = 0, b = 0;
    if (len < 6 || m[0] != '[')
        return 0;
    while (i < len && i < 6 && is_digit(m[i]))
        a = a * 10 + (unsigned)(m[i++] - '0');
    if (i == 1 || i >= len || (m[i] != '/' && m[i] != '\\'))
        return 0;
    *sep = m[i++];
    size_t j = i;
    while (i < len && i < j + 5 && is_digit(m[i]))
        b = b * 10 + (unsigned)(m[i++] - '0');
    if (i == j || i + 1 >= len || m[i] != ']' || m[i + 1] != ' ' || a == 0 ||
        a > b)
        return 0;
    *n = a;
    *total = b;
    return i + 2;
}

/* Join the parts of a split Exim line: parts before the last are consumed
 * (1); the last gives the whole line as one record (0). A part out of
 * sequence starts over, so a lost part costs its own line only. */
static int
exim_join(struct syslog_state *st, struct mw_record *rec)
{
    unsigned n, total;
    char sep;
    size_t p = exim_part(rec->msg, rec->msg_len, &n, &total, &sep);
    if (p == 0)
        return 0;
    if (n == 1 || st->join_next != n || st->join_pid != rec->pid) {
        buf_reset(&st->join);
        st->join_next = 0;
        if (n != 1) {
            /* a stray part: keep it as a line of its own */
            rec->msg += p;
            rec->msg_len -= p;
            return 0;
        }
    }
    if (n > 1 && sep == '\\' && st->join.len < EXIM_JOIN_MAX)
        buf_putc(&st->join, ' ');
    size_t take = rec->msg_len - p;
    if (take > EXIM_JOIN_MAX - st->join.len)
        take = EXIM_JOIN_MAX - st->join.len;
    buf_append(&st->join, rec->msg + p, take);
    if (n < total) {
        st->join_next = n + 1;
        st->join_pid = rec->pid;
        return 1;
    }
    st->join_next = 0;
    rec->msg = st->join.data;
    rec->msg_len = st->join.len;
    syslog_exim_fixup(&st->c, rec);
    return 0;
}

static int
syslog_parse(void *state, const struct mw_line *line, struct mw_record *rec)
{
    struct syslog_state *st = state;
    syslog_parse_line(&st->c, line, rec);
    if (rec->msg_len > 6 && rec->msg[0] == '[' && rec->prog_base_len >= 4 &&
        memcmp(rec->prog_base, "exim", 4) == 0)
        return exim_join(st, rec);
    return 0;
}

static void
syslog_close(void *state)
{
    struct syslog_state *st = state;
    if (st)
        buf_free(&st->join);
    free(st);
}

const struct mw_dialect mw_dialect_syslog = {
    "syslog", syslog_sniff, syslog_open, syslog_parse, syslog_close,
};
