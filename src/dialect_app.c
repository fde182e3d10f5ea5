#include "config.h"

#include "dialect_backends.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* The app dialect: logs written by mail-sending applications and clients
 * rather than by a mail server. Each line may carry, in this order:
 *   - a container log prefix "service  | " (docker compose), kept as host;
 *   - a stamp: msmtp's logfile "Mmm dd hh:mm:ss host=...", Android logcat
 *     "MM-DD hh:mm:ss.mmm pid-tid/pkg L/tag: ", "[YYYY-MM-DD hh:mm:ss]"
 *     (nodemailer's logger, log4j), "YYYY-MM-DD hh:mm:ss,mmm" (Python
 *     logging, log4j), "YYYY-MM-DD hh:mm:ss\t" (PHPMailer Debugoutput), or
 *     any syslog header (a mixed file, or an application logging to
 *     syslog), which the syslog chain parses;
 *   - text naming its emitter (PHPMailer's "SMTP ERROR:", Python's
 *     "smtplib.", "javax.mail.", "System.Net.Mail.", ...), which sets prog.
 * Stack-trace frames (Java/JavaScript/.NET "at ...", Java "... 12 more",
 * Python 'File "x", line n' and the source line after it, PHP "#0 ...")
 * are consumed without a record: the exception line above them is the one
 * that says what failed. */

enum app_emitter {
    EM_NONE,
    EM_MSMTP,
    EM_PHPMAILER,
    EM_PHP,
    EM_NODEMAILER,
    EM_PYTHON,
    EM_JAVA,
    EM_DOTNET,
    EM_OUTLOOK,
    EM_THUNDERBIRD,
    EM_COUNT
};

static const char *const emitter_name[EM_COUNT] = {
    NULL,     "msmtp", "phpmailer", "php",     "nodemailer",
    "python", "java",  "dotnet",    "outlook", "thunderbird",
};

struct marker {
    const char *lit;
    unsigned char len;
    unsigned char em;
};

#define MK(s, e)                                                               \
    {                                                                          \
        s, sizeof s - 1, e                                                     \
    }

/* Literal text that names the emitter; the first in table order that
 * occurs wins, so package names come before bare errno names (Android's
 * Java says "ENETUNREACH" too). */
static const struct marker markers[] = {
    MK("javax.mail.", EM_JAVA),
    MK("jakarta.mail.", EM_JAVA),
    MK("com.sun.mail.", EM_JAVA),
    MK("org.eclipse.angus.mail.", EM_JAVA),
    MK("org.springframework.mail.", EM_JAVA),
    MK("javax.net.ssl.", EM_JAVA),
    MK("java.net.", EM_JAVA),
    MK("sun.security.", EM_JAVA),
    MK("Exception in thread \"", EM_JAVA),
    MK("System.Net.Mail.", EM_DOTNET),
    MK("System.Net.Sockets.", EM_DOTNET),
    MK("System.Security.Authentication.", EM_DOTNET),
    MK("MailKit.", EM_DOTNET),
    MK("SmtpException:", EM_DOTNET),
    MK("The SMTP server requires a secure connection", EM_DOTNET),
    MK("Server does not support secure connections", EM_DOTNET),
    MK("Traceback (most recent call last):", EM_PYTHON),
    MK("smtplib.", EM_PYTHON),
    MK("ssl.SSLError", EM_PYTHON),
    MK("ssl.SSLCertVerificationError", EM_PYTHON),
    MK("socket.gaierror", EM_PYTHON),
    MK("socket.timeout", EM_PYTHON),
    MK("ConnectionRefusedError:", EM_PYTHON),
    MK("SERVER -> CLIENT:", EM_PHPMAILER),
    MK("CLIENT -> SERVER:", EM_PHPMAILER),
    MK("SMTP ERROR:", EM_PHPMAILER),
    MK("SMTP Error:", EM_PHPMAILER),
    MK("SMTP -> ERROR:", EM_PHPMAILER),
    MK("SMTP connect() failed", EM_PHPMAILER),
    MK("Mailer Error:", EM_PHPMAILER),
    MK("Connection: opening to", EM_PHPMAILER),
    MK("Connection: Failed to connect", EM_PHPMAILER),
    MK("Connection failed. Error #", EM_PHPMAILER),
    MK("PHPMailer", EM_PHPMAILER),
    MK("Zend_Mail", EM_PHP),
    MK("Swift_TransportException", EM_PHP),
    MK("stream_socket_client()", EM_PHP),
    MK("php_network_getaddresses", EM_PHP),
    MK("msmtp: ", EM_MSMTP),
    MK("errormsg='", EM_MSMTP),
    MK("nodemailer", EM_NODEMAILER),
    MK("Greeting never received", EM_NODEMAILER),
    MK("SMTPConnection", EM_NODEMAILER),
    MK("Invalid login:", EM_NODEMAILER),
    MK("ECONNREFUSED", EM_NODEMAILER),
    MK("ETIMEDOUT", EM_NODEMAILER),
    MK("ESOCKET", EM_NODEMAILER),
    MK("getaddrinfo ENOTFOUND", EM_NODEMAILER),
    MK("0x800CCC", EM_OUTLOOK),
    MK("0x800ccc", EM_OUTLOOK),
    MK("0x8004210", EM_OUTLOOK),
    MK("Outgoing server (SMTP)", EM_THUNDERBIRD),
    MK("Sending of the message failed", EM_THUNDERBIRD),
    MK("Login to server ", EM_THUNDERBIRD),
};

#define MARKER_COUNT (sizeof markers / sizeof markers[0])
/* markers are looked for in the first bytes of the text only: they come
 * early, and long lines must stay cheap */
#define MARKER_SCAN 512
/* longest container service name */
#define PREFIX_NAME_MAX 64
/* longest Android logcat "pid-tid/package L/tag" before ": " */
#define LOGCAT_TAG_MAX 256
/* a copy of an ISO stamp with its ",mmm" turned into ".mmm" */
#define STAMP_COPY 40

/* how a line was read (for sniffing) */
enum app_kind {
    K_RAW,    /* nothing known */
    K_SYSLOG, /* the syslog chain found a header */
    K_DATE,   /* "YYYY-MM-DD hh:mm:ss text": also Exim's own format */
    K_APP,    /* a form only applications write */
    K_FRAME   /* a stack-trace frame: consumed */
};

struct app_state {
    struct mw_timectx tc;
    enum app_emitter last;  /* the last emitter seen in this file */
    struct mw_time last_ts; /* the last stamp seen in this file */
    bool py_frame;          /* the last line was a Python 'File "..."' */
};

struct app_line {
    enum app_kind kind;
    enum app_emitter em; /* from a marker on this line */
};

static bool
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool
is_alpha(char ch)
{
    return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
}

static bool
is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static size_t
skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && is_space(s[i]))
        i++;
    return i;
}

static bool
has_prefix(const char *s, size_t len, const char *lit, size_t n)
{
    return len >= n && memcmp(s, lit, n) == 0;
}

/* "dd" pattern check: 'd' is a digit, anything else itself */
static bool
shape(const char *s, size_t len, const char *pat, size_t n)
{
    if (len < n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (pat[k] == 'd' ? !is_digit(s[k]) : s[k] != pat[k])
            return false;
    return true;
}

/* Python's repr of an SMTP error's args: "(535, b'5.7.8 ...')" */
static bool
python_reply_tuple(const char *s, size_t n)
{
    const char *p = s;
    while ((p = memmem(p, n - (size_t)(p - s), ", b", 3)) != NULL) {
        if (p - s >= 4 && p[-4] == '(' && is_digit(p[-3]) && is_digit(p[-2]) &&
            is_digit(p[-1]) && (size_t)(p - s) + 3 < n &&
            (p[3] == '\'' || p[3] == '"'))
            return true;
        p += 3;
    }
    return false;
}

static enum app_emitter
find_marker(const char *s, size_t len)
{
    size_t n = len < MARKER_SCAN ? len : MARKER_SCAN;
    for (size_t k = 0; k < MARKER_COUNT; k++)
        if (n >= markers[k].len && memmem(s, n, markers[k].lit, markers[k].len))
            return (enum app_emitter)markers[k].em;
    return python_reply_tuple(s, n) ? EM_PYTHON : EM_NONE;
}

/* ---- stack-trace frames --------------------------------------------- */

/* the end of s without trailing blanks */
static size_t
trim_end(const char *s, size_t len)
{
    while (len > 0 && is_space(s[len - 1]))
        len--;
    return len;
}

/* "at NAME(...)" (Java, .NET), "at NAME (...)" or "at PATH:l:c"
 * (JavaScript), with s after "at ". Nothing may follow the frame but what
 * the runtimes themselves append: Node's " {" before the error's
 * properties, logback's " ~[app.jar:1.0]", .NET's " in FILE:line N". */
static bool
frame_at(const char *s, size_t len)
{
    if (len == 0 || !(is_alpha(s[0]) || s[0] == '_' || s[0] == '$' ||
                      s[0] == '/' || s[0] == '<'))
        return false;
    size_t end = trim_end(s, len);
    if (end >= 2 && s[end - 1] == '{' && s[end - 2] == ' ')
        end = trim_end(s, end - 1);
    if (end > 0 && s[end - 1] == ']') {
        size_t b = end - 1;
        while (b > 0 && s[b] != '[')
            b--;
        if (b >= 2 && s[b] == '[' && s[b - 1] == ' ')
            end = b - 1;
        else if (b >= 3 && s[b] == '[' && s[b - 1] == '~' && s[b - 2] == ' ')
            end = b - 2;
    }
    const char *in = memmem(s, end, ") in ", 5);
    if (in)
        end = (size_t)(in - s) + 1;
    if (end > 0 && s[end - 1] == ')')
        return memchr(s, '(', end) != NULL;
    size_t k = end;
    while (k > 0 && is_digit(s[k - 1]))
        k--;
    return k < end && k > 0 && s[k - 1] == ':' && memchr(s, ' ', end) == NULL;
}

/* Python 'File "path", line N, in fn' with s after the indentation */
static bool
frame_python(const char *s, size_t len)
{
    static const char lit[] = "File \"";
    static const char line_lit[] = "\", line ";
    if (!has_prefix(s, len, lit, sizeof lit - 1))
        return false;
    return memmem(s, len, line_lit, sizeof line_lit - 1) != NULL;
}

/* PHP "#0 /path/file.php(12): fn()" or "#3 {main}" */
static bool
frame_php(const char *s, size_t len)
{
    size_t k = 1;
    if (len < 3 || s[0] != '#')
        return false;
    while (k < len && is_digit(s[k]))
        k++;
    if (k == 1 || k >= len || s[k] != ' ')
        return false;
    size_t end = trim_end(s, len);
    return memmem(s + k, end - k, "): ", 3) != NULL ||
           (end - k == 7 && memcmp(s + k + 1, "{main}", 6) == 0);
}

/* Java "... 48 more" (also "... 12 common frames omitted") */
static bool
frame_more(const char *s, size_t len)
{
    size_t k = 4;
    if (!has_prefix(s, len, "... ", 4))
        return false;
    while (k < len && is_digit(s[k]))
        k++;
    return k > 4 && k < len && s[k] == ' ' &&
           (has_prefix(s + k, len - k, " more", 5) ||
            has_prefix(s + k, len - k, " common frames omitted", 22));
}

/* A stack-trace line that carries no message of its own. The Python
 * source line that follows a 'File' frame (more indented) and Python 3.11
 * "~~~^^^" markers go too. */
static bool
app_is_frame(struct app_state *st, const char *s, size_t len)
{
    bool after_py = st->py_frame;
    size_t i = skip_ws(s, len, 0);
    st->py_frame = false;
    if (i == 0 &&
        (frame_php(s, len) ||
         (has_prefix(s, len, "Stack trace:", 12) && trim_end(s, len) == 12)))
        return true;
    if (i == 0 || i == len)
        return false;
    if (frame_python(s + i, len - i)) {
        st->py_frame = true;
        return true;
    }
    if (has_prefix(s + i, len - i, "at ", 3) &&
        frame_at(s + i + 3, len - i - 3))
        return true;
    if (frame_more(s + i, len - i))
        return true;
    size_t k = i;
    while (k < len && (s[k] == '^' || s[k] == '~' || s[k] == ' '))
        k++;
    if (k == len)
        return true;
    return after_py && i >= 4;
}

/* ---- stamps ------------------------------------------------------------ */

/* "YYYY-MM-DD[ T]hh:mm:ss[.,]f..[zone]" at s: bytes consumed or 0. Python
 * logging and log4j write a comma before the milliseconds; timeparse wants
 * a dot, so such a stamp is read from a corrected copy. */
static size_t
iso_stamp(struct mw_timectx *c, const char *s, size_t len, struct mw_time *ts)
{
    if (!shape(s, len, "dddd-dd-dd", 10) || len < 19)
        return 0;
    if (len > 20 && s[19] == ',' && is_digit(s[20])) {
        char copy[STAMP_COPY];
        size_t n = len < sizeof copy ? len : sizeof copy;
        memcpy(copy, s, n);
        copy[19] = '.';
        size_t m = time_parse_iso(c, copy, n, ts);
        return m == n && n < len && is_digit(s[n]) ? 0 : m;
    }
    return time_parse_iso(c, s, len, ts);
}

/* The text after a stamp ending at s[i]: blanks, then one ':', '-' or '|'
 * separator when a blank follows it ("2022-06-05 14:52:25,780 : text") */
static size_t
after_stamp(const char *s, size_t len, size_t i)
{
    i = skip_ws(s, len, i);
    if (i + 1 < len && (s[i] == ':' || s[i] == '-' || s[i] == '|') &&
        is_space(s[i + 1]))
        i = skip_ws(s, len, i + 1);
    return i;
}

static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* Android logcat "MM-DD hh:mm:ss.mmm pid-tid/pkg L/tag: text" (Android
 * Studio) or "MM-DD hh:mm:ss.mmm  pid  tid L tag: text" (threadtime). The
 * stamp has no year: it is read as "Mmm DD hh:mm:ss.mmm" so that it gets
 * the year of a syslog stamp. Returns where the text starts, or 0. */
static size_t
logcat_stamp(struct mw_timectx *c, const char *s, size_t len,
             struct mw_record *rec)
{
    if (!shape(s, len, "dd-dd dd:dd:dd", 14))
        return 0;
    int mon = (s[0] - '0') * 10 + (s[1] - '0');
    if (mon < 1 || mon > 12)
        return 0;
    char bsd[32];
    size_t n = 14;
    while (n < len && n < sizeof bsd - 1 && (is_digit(s[n]) || s[n] == '.'))
        n++;
    memcpy(bsd, month_names + 3 * (mon - 1), 3);
    memcpy(bsd + 3, " ", 1);
    memcpy(bsd + 4, s + 3, n - 3);
    size_t m = time_parse_bsd(c, bsd, n + 1, &rec->ts);
    if (m != n + 1 || (n < len && s[n] != ' '))
        return 0;
    size_t i = skip_ws(s, len, n);
    long pid = 0;
    size_t p = i;
    while (p < len && p - i < 10 && is_digit(s[p]))
        pid = pid * 10 + (s[p++] - '0');
    if (p == i)
        return 0;
    rec->pid = pid;
    size_t lim = len - p < LOGCAT_TAG_MAX ? len : p + LOGCAT_TAG_MAX;
    const char *colon = memmem(s + p, lim - p, ": ", 2);
    return colon ? (size_t)(colon - s) + 2 : p;
}

/* msmtp's logfile: "Mmm dd hh:mm:ss host=..." (msmtp.c, msmtp_log_to_file:
 * logfile_time_format defaults to "%b %d %H:%M:%S"). Returns where the
 * text starts, or 0. */
static size_t
msmtp_stamp(struct mw_timectx *c, const char *s, size_t len, struct mw_time *ts)
{
    if (len < 16 || !(s[0] >= 'A' && s[0] <= 'Z'))
        return 0;
    size_t n = time_parse_bsd(c, s, len, ts);
    if (n == 0 || !has_prefix(s + n, len - n, " host=", 6))
        return 0;
    return n + 1;
}

/* docker compose "service  | text": the index of text, or 0 */
static size_t
container_prefix(const char *s, size_t len)
{
    size_t k = 0;
    while (k < len && k < PREFIX_NAME_MAX &&
           (is_alpha(s[k]) || is_digit(s[k]) || s[k] == '_' || s[k] == '-' ||
            s[k] == '.'))
        k++;
    if (k == 0 || k >= len || s[k] != ' ')
        return 0;
    size_t i = skip_ws(s, len, k);
    if (i >= len || s[i] != '|')
        return 0;
    return i + 1 < len && s[i + 1] == ' ' ? i + 2 : i + 1;
}

/* ---- records ----------------------------------------------------------- */

static void
set_text(struct mw_record *rec, const char *s, size_t len, size_t i)
{
    rec->msg = s + i;
    rec->msg_len = len - i;
    rec->parsed = true;
}

/* The syslog chain on s[0..len) (a view into the line). Whether its header
 * is to be trusted: a dated line is syslog only with a "prog[pid]:" tag, an
 * RFC 3339 one only with a tag ("2019-10-22T16:47:09+00:00 ERR (3): " is
 * Magento's log). */
static bool
try_syslog(struct app_state *st, const char *s, size_t len,
           struct mw_record *rec)
{
    struct mw_line sub = {s, len, 0, 0, false};
    enum mw_syslog_form f = syslog_parse_line(&st->tc, &sub, rec);
    switch (f) {
    case MW_SYSLOG_NONE:
    case MW_SYSLOG_DATE_BARE:
        return false;
    case MW_SYSLOG_DATE_TAGGED:
        return rec->pid >= 0;
    case MW_SYSLOG_RFC3339:
        return rec->prog != NULL;
    default:
        return true;
    }
}

/* the stamp forms at s[i]; *kind says which (K_RAW: none) */
static void
parse_stamp(struct app_state *st, const char *s, size_t len, size_t i,
            struct mw_record *rec, enum app_kind *kind)
{
    size_t n;
    *kind = K_APP;
    if ((n = logcat_stamp(&st->tc, s + i, len - i, rec)) > 0) {
        set_text(rec, s, len, i + n);
    } else if (i + 1 < len && s[i] == '[' && is_digit(s[i + 1]) &&
               (n = iso_stamp(&st->tc, s + i + 1, len - i - 1, &rec->ts)) > 0 &&
               i + 1 + n < len && s[i + 1 + n] == ']') {
        set_text(rec, s, len, after_stamp(s, len, i + n + 2));
    } else if (i < len && is_digit(s[i]) &&
               (n = iso_stamp(&st->tc, s + i, len - i, &rec->ts)) > 0 &&
               (i + n == len || is_space(s[i + n]) || s[i + n] == ']')) {
        /* a ',' or '\t' or ']' after the stamp is no Exim (or syslog) */
        bool own = s[i + 10] == 'T' || s[i + n - 4] == ',' ||
                   (i + n < len && s[i + n] != ' ');
        for (size_t k = i + 19; k < i + n && !own; k++)
            own = s[k] == ',';
        *kind = own ? K_APP : K_DATE;
        n += i + n < len && s[i + n] == ']';
        set_text(rec, s, len, after_stamp(s, len, i + n));
    } else {
        *kind = K_RAW;
    }
    if (*kind == K_RAW)
        rec->ts.valid = false;
}

/* msmtp's logfile line at s (a view into the line): the record, with the
 * text from "host=" on */
static bool
msmtp_line(struct app_state *st, const char *s, size_t len,
           struct mw_record *rec)
{
    struct mw_time ts;
    size_t n = msmtp_stamp(&st->tc, s, len, &ts);
    if (n == 0)
        return false;
    rec->ts = ts;
    rec->prog = rec->prog_base = emitter_name[EM_MSMTP];
    rec->prog_len = rec->prog_base_len = sizeof "msmtp" - 1;
    set_text(rec, s, len, n);
    return true;
}

/* prog from a marker in the text, or the file's last emitter for a line
 * with an application header */
static void
app_set_emitter(struct app_state *st, struct mw_record *rec,
                struct app_line *al)
{
    if (rec->prog != NULL)
        return;
    al->em = find_marker(rec->msg, rec->msg_len);
    enum app_emitter em = al->em;
    if (em != EM_NONE)
        st->last = em;
    else if (rec->parsed && al->kind != K_SYSLOG)
        em = st->last;
    if (em != EM_NONE) {
        rec->prog = rec->prog_base = emitter_name[em];
        rec->prog_len = rec->prog_base_len = strlen(emitter_name[em]);
        rec->parsed = true;
    }
}

/* parse one line; al gets how (for sniffing). 1 = consumed (a frame). */
static int
app_parse_line(struct app_state *st, const struct mw_line *line,
               struct mw_record *rec, struct app_line *al)
{
    const char *s = line->data;
    size_t len = line->len, name = 0;
    al->em = EM_NONE;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        name = 3;
    size_t c = container_prefix(s + name, len - name), i = name + c;
    dialect_record_raw(line, rec);
    if (msmtp_line(st, s + i, len - i, rec)) {
        al->kind = K_APP;
    } else if (try_syslog(st, s + i, len - i, rec)) {
        al->kind = K_SYSLOG;
    } else {
        dialect_record_raw(line, rec);
        if (c > 0)
            set_text(rec, s, len, i);
        parse_stamp(st, s, len, i, rec, &al->kind);
    }
    if (c > 0 && rec->host == NULL) {
        rec->host = s + name;
        rec->host_len =
            (size_t)((const char *)memchr(s + name, ' ', c) - (s + name));
    }
    rec->line = line;
    if (app_is_frame(st, rec->msg, rec->msg_len)) {
        al->kind = K_FRAME;
        return 1;
    }
    app_set_emitter(st, rec, al);
    /* a line without a stamp continues the last stamped entry (the
     * exception under a logger's line, PHPMailer's closing message) */
    if (rec->ts.valid)
        st->last_ts = rec->ts;
    else if (rec->parsed && al->kind != K_SYSLOG && st->last_ts.valid)
        rec->ts = st->last_ts;
    return 0;
}

/* ---- the dialect ------------------------------------------------------- */

/* Share of lines (0..100) in an application's own forms, plus one so that
 * msmtp's logfile (which also reads as RFC 3164 syslog) goes here; 0 when
 * no line names an emitter. Plain "YYYY-MM-DD hh:mm:ss text" lines count
 * only with a marker: Exim writes them too. */
static int
app_sniff(const struct mw_line *lines, size_t n)
{
    struct app_state st;
    struct mw_record rec;
    struct app_line al;
    size_t seen = 0, shaped = 0, marked = 0;
    memset(&st, 0, sizeof st);
    timectx_init(&st.tc, 0);
    for (size_t k = 0; k < n; k++) {
        if (lines[k].len == 0)
            continue;
        seen++;
        app_parse_line(&st, &lines[k], &rec, &al);
        bool own = al.kind == K_APP || al.kind == K_FRAME;
        bool mark = al.kind != K_SYSLOG &&
                    (al.em != EM_NONE ||
                     (rec.prog && rec.prog == emitter_name[EM_MSMTP]));
        marked += mark;
        shaped += own || mark;
    }
    return marked ? (int)(shaped * 100 / seen) + 1 : 0;
}

static void *
app_open(time_t ref)
{
    struct app_state *st = xcalloc(1, sizeof *st);
    timectx_init(&st->tc, ref);
    return st;
}

static int
app_parse(void *state, const struct mw_line *line, struct mw_record *rec)
{
    struct app_line al;
    return app_parse_line(state, line, rec, &al);
}

static void
app_close(void *state)
{
    free(state);
}

const struct mw_dialect mw_dialect_app = {
    "app", app_sniff, app_open, app_parse, app_close,
};
