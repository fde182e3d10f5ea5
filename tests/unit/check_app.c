#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialect.h"
#include "timeparse.h"

/* Lines marked with an issue are from tests/data/clients (public GitHub
 * issue threads, quoted with attribution; see tests/data/clients/INDEX.tsv);
 * the rest are built from the formats they name. */

#define REF_2023 1700000000 /* 2023-11-14T22:13:20Z */

static void
use_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

struct app_case {
    const char *line;
    int rc; /* 1: consumed (a stack frame) */
    bool parsed;
    const char *ts;   /* RFC 3339 UTC, NULL = no time */
    const char *prog; /* NULL = none */
    long pid;
    const char *host; /* NULL = none */
    const char *msg;  /* NULL = the whole line */
};

static const struct app_case app_cases[] = {
    /* PHPMailer Debugoutput: stamp, TAB (PHPMailer/PHPMailer#1149) */
    {"2017-09-06 21:22:46\tSMTP ERROR: Failed to connect to server: "
     "Connection refused (111)",
     0, true, "2017-09-06T21:22:46Z", "phpmailer", -1, NULL,
     "SMTP ERROR: Failed to connect to server: Connection refused (111)"},
    /* PHPMailer without stamp */
    {"SMTP connect() failed. https://github.com/PHPMailer/PHPMailer/wiki/"
     "Troubleshooting",
     0, true, NULL, "phpmailer", -1, NULL, NULL},
    /* nodemailer logger: "[YYYY-MM-DD hh:mm:ss]" (nodemailer#745) */
    {"[2017-03-11 23:05:43] ERROR [MrOpuAkKQQs] connect ECONNREFUSED "
     "127.0.0.1:587",
     0, true, "2017-03-11T23:05:43Z", "nodemailer", -1, NULL,
     "ERROR [MrOpuAkKQQs] connect ECONNREFUSED 127.0.0.1:587"},
    /* the same without its "[" (nodemailer#1099) */
    {"2020-01-28 07:01:18] ERROR [rbPhiu81f6c] Greeting never received", 0,
     true, "2020-01-28T07:01:18Z", "nodemailer", -1, NULL,
     "ERROR [rbPhiu81f6c] Greeting never received"},
    /* ISO stamp with zone and milliseconds in brackets */
    {"[2023-01-05T10:12:13.123Z] Error: Invalid login: 535 Authentication "
     "failed",
     0, true, "2023-01-05T10:12:13.123Z", "nodemailer", -1, NULL,
     "Error: Invalid login: 535 Authentication failed"},
    /* Python logging: ",mmm" and a " : " separator (jgyates/genmon#604) */
    {"2022-06-05 14:53:22,652 : Error SMTP sendmail: (535, b'5.7.8 Username "
     "and Password not accepted.') : mymail.py:518",
     0, true, "2022-06-05T14:53:22.652Z", "python", -1, NULL,
     "Error SMTP sendmail: (535, b'5.7.8 Username and Password not "
     "accepted.') : mymail.py:518"},
    /* log4j "[stamp,mmm]" behind a docker compose prefix
     * (jacobalberty/unifi-docker#792) */
    {"controller-1   | [2025-03-11 10:42:50,983] <webapi-2> WARN  event  - "
     "Failed to send email. Messaging exception",
     0, true, "2025-03-11T10:42:50.983Z", NULL, -1, "controller-1",
     "<webapi-2> WARN  event  - Failed to send email. Messaging exception"},
    /* Magento: RFC 3339 stamp, no syslog tag after it */
    {"2019-10-22T16:47:09+00:00 ERR (3): ", 0, true, "2019-10-22T16:47:09Z",
     NULL, -1, NULL, "ERR (3): "},
    /* msmtp logfile: "Mmm dd hh:mm:ss host=..." (marlam/msmtp#83) */
    {"Jul 27 14:43:18 host=smtp.office365.com tls=on auth=on "
     "errormsg='the server sent an invalid reply' exitcode=EX_PROTOCOL",
     0, true, "2023-07-27T14:43:18Z", "msmtp", -1, NULL,
     "host=smtp.office365.com tls=on auth=on errormsg='the server sent an "
     "invalid reply' exitcode=EX_PROTOCOL"},
    /* Android logcat (brandonjenniges/JavaMail-API-Android#3) */
    {"08-21 10:18:24.578 6358-6386/com.example.app W/System.err: "
     "\tjava.net.ConnectException: failed to connect to smtp.gmail.com",
     0, true, "2023-08-21T10:18:24.578Z", "java", 6358, NULL,
     "\tjava.net.ConnectException: failed to connect to smtp.gmail.com"},
    /* logcat threadtime */
    {"11-02 09:00:01.250  1234  1300 W System.err: javax.mail."
     "AuthenticationFailedException",
     0, true, "2023-11-02T09:00:01.250Z", "java", 1234, NULL,
     "javax.mail.AuthenticationFailedException"},
    /* emitters recognised by text alone */
    {"Traceback (most recent call last):", 0, true, NULL, "python", -1, NULL,
     NULL},
    {"System.Net.Mail.SmtpException: The operation has timed out.", 0, true,
     NULL, "dotnet", -1, NULL, NULL},
    {"Error: connect ECONNREFUSED 127.0.0.1:25", 0, true, NULL, "nodemailer",
     -1, NULL, NULL},
    {"Caused by: com.sun.mail.util.MailConnectException: Couldn't connect to "
     "host, port: localhost, 10025; timeout 30000;",
     0, true, NULL, "java", -1, NULL, NULL},
    {"Sending reported error (0x800CCC0E) : 'Cannot connect to the server.'", 0,
     true, NULL, "outlook", -1, NULL, NULL},
    {"The message could not be sent because the connection to Outgoing "
     "server (SMTP) smtp.live.com timed out. Try again.",
     0, true, NULL, "thunderbird", -1, NULL, NULL},
    {"msmtp: authentication failed (method PLAIN)", 0, true, NULL, "msmtp", -1,
     NULL, NULL},
    /* nothing known: whole line, not parsed */
    {"  nested exception is:", 0, false, NULL, NULL, -1, NULL, NULL},
    {"hello world", 0, false, NULL, NULL, -1, NULL, NULL},
    {"", 0, false, NULL, NULL, -1, NULL, NULL},
    /* fallback: syslog lines keep their syslog record */
    {"Nov 22 10:05:07 mx1 postfix/smtpd[1234]: warning: unknown[192.0.2.7]: "
     "SASL LOGIN authentication failed: UGFzc3dvcmQ6",
     0, true, "2022-11-22T10:05:07Z", "postfix/smtpd", 1234, "mx1",
     "warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: "
     "UGFzc3dvcmQ6"},
    {"Nov 22 10:05:07 web1 msmtp: host=smtp.example.com errormsg='cannot "
     "connect to smtp.example.com, port 587: Connection refused'",
     0, true, "2022-11-22T10:05:07Z", "msmtp", -1, "web1",
     "host=smtp.example.com errormsg='cannot connect to smtp.example.com, "
     "port 587: Connection refused'"},
    {"2019-10-22 03:39:17 mx1.fqdn.local exim[29786]: dovecot_login "
     "authenticator failed",
     0, true, "2019-10-22T03:39:17Z", "exim", 29786, "mx1.fqdn.local",
     "dovecot_login authenticator failed"},
    {"<20>1 2025-11-22T10:05:07.123Z mx1 app 4242 - - Error: connect "
     "ECONNREFUSED 127.0.0.1:25",
     0, true, "2025-11-22T10:05:07.123Z", "app", 4242, "mx1",
     "Error: connect ECONNREFUSED 127.0.0.1:25"},
    /* stack frames: consumed */
    {"\tat com.sun.mail.smtp.SMTPTransport.openServer(SMTPTransport.java:"
     "2100)",
     1, false, NULL, NULL, -1, NULL, NULL},
    {"    at SMTPConnection._formatError (/node_modules/nodemailer/lib/"
     "smtp-connection/index.js:784:19)",
     1, false, NULL, NULL, -1, NULL, NULL},
    {"    at processTimers (internal/timers.js:475:7) {", 1, false, NULL, NULL,
     -1, NULL, NULL},
    {"    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1187:16) {",
     1, false, NULL, NULL, -1, NULL, NULL},
    {"    at /app/server.js:10:5", 1, false, NULL, NULL, -1, NULL, NULL},
    {"   at System.Net.Mail.SmtpClient.Send(MailMessage message)", 1, false,
     NULL, NULL, -1, NULL, NULL},
    {"   at App.Mailer.Send() in C:\\src\\App\\Mailer.cs:line 42", 1, false,
     NULL, NULL, -1, NULL, NULL},
    {"\tat org.example.Job.run(Job.java:10) ~[app.jar:1.0]", 1, false, NULL,
     NULL, -1, NULL, NULL},
    {"\t... 48 more", 1, false, NULL, NULL, -1, NULL, NULL},
    {"  File \"/usr/lib/python3.8/ssl.py\", line 1309, in do_handshake", 1,
     false, NULL, NULL, -1, NULL, NULL},
    {"#0 /home/x/lib/Zend/Mail/Protocol/Smtp.php(167): Zend_Mail_Protocol_"
     "Abstract->_connect('x')",
     1, false, NULL, NULL, -1, NULL, NULL},
    {"#4 {main}", 1, false, NULL, NULL, -1, NULL, NULL},
    {"Stack trace:", 1, false, NULL, NULL, -1, NULL, NULL},
    {"08-21 10:18:24.579 6358-6386/com.example.app W/System.err:     at "
     "javax.mail.Service.connect(Service.java:388)",
     1, false, NULL, NULL, -1, NULL, NULL},
    {"controller-1   |        at jakarta.mail.Service.connect(Service.java:"
     "367)",
     1, false, NULL, NULL, -1, NULL, NULL},
    /* frame-like but with a message after it: kept (nodemailer#928) */
    {"    at Timer.listOnTimeout (timers.js:277:5) code: 'ETIMEDOUT', "
     "command: 'CONN' }",
     0, true, NULL, "nodemailer", -1, NULL, NULL},
    /* not frames */
    {"at least one recipient was rejected (x)", 0, false, NULL, NULL, -1, NULL,
     NULL},
    {"\tjava.net.ConnectException: Connection refused", 0, true, NULL, "java",
     -1, NULL, NULL},
};

#define APP_COUNT (sizeof app_cases / sizeof app_cases[0])

static void
check_text(const char *want, const char *got, size_t len, const char *what)
{
    if (want == NULL) {
        ck_assert_msg(got == NULL, "%s: expected none, got '%.*s'", what,
                      (int)len, got);
        return;
    }
    ck_assert_msg(got != NULL, "%s: expected '%s', got none", what, want);
    ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0,
                  "%s: expected '%s', got '%.*s'", what, want, (int)len, got);
}

static void
check_case(const struct app_case *tc, const struct mw_record *r,
           const struct mw_line *l)
{
    ck_assert_ptr_eq(r->line, l);
    ck_assert_msg(r->parsed == tc->parsed, "parsed %d for '%s'", r->parsed,
                  tc->line);
    if (tc->ts) {
        char buf[48];
        ck_assert_msg(r->ts.valid, "no time for '%s'", tc->line);
        time_format_rfc3339(&r->ts, buf, sizeof buf);
        ck_assert_str_eq(buf, tc->ts);
    } else {
        ck_assert_msg(!r->ts.valid, "unexpected time for '%s'", tc->line);
    }
    check_text(tc->prog, r->prog, r->prog_len, "prog");
    check_text(tc->host, r->host, r->host_len, "host");
    ck_assert_int_eq(r->pid, tc->pid);
    if (tc->msg)
        check_text(tc->msg, r->msg, r->msg_len, "msg");
    else
        ck_assert(r->msg == l->data && r->msg_len == l->len);
}

/* every row on a fresh reader, from an exactly-sized copy (ASan catches
 * any read past the end) */
START_TEST(test_records)
{
    const struct app_case *tc = &app_cases[_i];
    const struct mw_dialect *d = dialect_find("app");
    ck_assert_ptr_nonnull(d);
    use_tz("UTC");
    void *st = d->open(REF_2023);
    size_t len = strlen(tc->line);
    char *copy = malloc(len ? len : 1);
    memcpy(copy, tc->line, len);
    struct mw_line l = {copy, len, 0, 1, false};
    struct mw_record r;
    ck_assert_int_eq(d->parse(st, &l, &r), tc->rc);
    if (tc->rc == 0)
        check_case(tc, &r, &l);
    d->close(st);
    free(copy);
}
END_TEST

/* local time: an ISO stamp without zone follows TZ */
START_TEST(test_local_time)
{
    const struct mw_dialect *d = dialect_find("app");
    use_tz("CET-01CEST-02,M3.5.0,M10.5.0");
    void *st = d->open(REF_2023);
    static const char text[] = "2023-07-01 12:00:00,250 - ERROR - "
                               "smtplib.SMTPServerDisconnected: x";
    struct mw_line l = {text, sizeof text - 1, 0, 1, false};
    struct mw_record r;
    char buf[48];
    ck_assert_int_eq(d->parse(st, &l, &r), 0);
    time_format_rfc3339(&r.ts, buf, sizeof buf);
    ck_assert_str_eq(buf, "2023-07-01T10:00:00.250Z");
    ck_assert(r.prog && r.prog_len == 6 && memcmp(r.prog, "python", 6) == 0);
    d->close(st);
    use_tz("UTC");
}
END_TEST

/* a file's emitter carries over to its stamped lines without a marker;
 * a Python frame's source line is consumed with it */
START_TEST(test_file_state)
{
    static const char *const lines[] = {
        "[2017-03-11 23:05:43] DEBUG Creating transport: nodemailer (3.1.5)",
        "[2017-03-11 23:05:43] DEBUG Using 1 plugins for compile",
        "no stamp and no marker",
        "  File \"/app/notifiers/smtp.py\", line 53, in _connect",
        "    self.server = smtplib.SMTP_SSL(self.host, self.port)",
        "    self.server = smtplib.SMTP_SSL(self.host, self.port)",
        "             ^^^^^^^^^^^^^^^^^^^^^^^^",
        "Error: Greeting never received",
    };
    static const int rc[] = {0, 0, 0, 1, 1, 0, 1, 0};
    const struct mw_dialect *d = dialect_find("app");
    use_tz("UTC");
    void *st = d->open(REF_2023);
    struct mw_record r[8];
    char buf[48];
    for (size_t i = 0; i < 8; i++) {
        struct mw_line l = {lines[i], strlen(lines[i]), 0, i + 1, false};
        ck_assert_msg(d->parse(st, &l, &r[i]) == rc[i], "line %zu", i + 1);
    }
    ck_assert(r[1].prog && memcmp(r[1].prog, "nodemailer", 10) == 0);
    ck_assert_ptr_null(r[2].prog);
    ck_assert(!r[2].parsed);
    /* the second copy follows no frame: it is an ordinary line */
    ck_assert(r[5].prog && memcmp(r[5].prog, "python", 6) == 0);
    /* a recognised line without a stamp gets the last stamp; an unknown
     * one gets none */
    ck_assert(!r[2].ts.valid);
    ck_assert(r[7].ts.valid);
    time_format_rfc3339(&r[7].ts, buf, sizeof buf);
    ck_assert_str_eq(buf, "2017-03-11T23:05:43Z");
    d->close(st);
}
END_TEST

struct sniff_case {
    const char *lines[8]; /* NULL-terminated */
    const char *dialect;
};

static const struct sniff_case sniff_cases[] = {
    /* PHPMailer/PHPMailer#3127: Exim-like stamps, PHPMailer text */
    {{"2025-01-25 16:36:43 Connection: opening to smtp-hve.office365.com:587, "
      "timeout=300, options=array()",
      "2025-01-25 16:36:45 SMTP ERROR: Failed to connect to server: "
      "Connection refused (111)",
      "SMTP Error: Could not connect to SMTP host. Failed to connect to server",
      NULL},
     "app"},
    /* marlam/msmtp#83: one line that also reads as RFC 3164 */
    {{"Jul 27 14:43:18 host=smtp.office365.com tls=on auth=on "
      "errormsg='the server sent an invalid reply' exitcode=EX_PROTOCOL",
      NULL},
     "app"},
    /* nodemailer/nodemailer#1454 */
    {{"Error: connect ECONNREFUSED 127.0.0.1:25",
      "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1187:16) {",
      "  errno: -111,", "  code: 'ESOCKET',", "}", NULL},
     "app"},
    /* chenjj/espoofer#37 */
    {{"Traceback (most recent call last):",
      "  File \"espoofer.py\", line 161, in <module>", "    main()",
      "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number", NULL},
     "app"},
    /* jhipster/generator-jhipster#4329: Spring Boot */
    {{"2016-10-13 23:32:41.383  WARN 5076 --- [aasp-Executor-2] x.MailService "
      "      : E-mail could not be sent to user 'x@example.com'",
      "org.springframework.mail.MailSendException: Mail server connection "
      "failed; nested exception is com.sun.mail.util.MailConnectException",
      "  nested exception is:",
      "\tjava.net.ConnectException: Connection timed out: connect.", NULL},
     "app"},
    /* harlam357/hfm-net#152: .NET wording only */
    {{"[04/01/2010-20:17:40] ! HFM.Helpers.NetworkOps.SendEmail Threw "
      "Exception:",
      "Server does not support secure connections.", NULL},
     "app"},
    /* a syslog file stays syslog, even with a client's line in it */
    {{"Nov 22 10:05:07 mx1 postfix/smtpd[1]: connect from x[192.0.2.1]",
      "Nov 22 10:05:08 mx1 postfix/smtpd[1]: lost connection after AUTH",
      "Nov 22 10:05:09 web1 msmtp: host=smtp.example.com errormsg='x'",
      "Nov 22 10:05:10 mx1 postfix/smtpd[1]: disconnect from x[192.0.2.1]",
      NULL},
     "syslog"},
    /* an Exim mainlog stays exim: dated lines without a marker */
    {{"2013-01-04 17:03:46 login authenticator failed for x [1.2.3.4]: 535",
      "2013-06-12 03:57:58 H=(ylmf-pc) [1.2.3.4] F=<a@b> rejected RCPT",
      "2013-06-12 03:57:59 Start queue run: pid=1234", NULL},
     "exim"},
    /* no marker, no score */
    {{"hello", "\x01\x02\x03", "    at foo(bar)", NULL}, "syslog"},
};

START_TEST(test_sniff)
{
    const struct sniff_case *tc = &sniff_cases[_i];
    struct mw_line lines[8];
    size_t n = 0;
    for (; tc->lines[n]; n++)
        lines[n] = (struct mw_line){tc->lines[n], strlen(tc->lines[n]), 0,
                                    n + 1, false};
    const char *why = NULL;
    const struct mw_dialect *d = dialect_sniff(lines, n, &why);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strcmp(d->name, tc->dialect) == 0, "case %d: %s, want %s", _i,
                  d->name, tc->dialect);
    if (strcmp(tc->dialect, "app") == 0)
        ck_assert_str_eq(why, "mail-client or application log lines");
}
END_TEST

START_TEST(test_listed)
{
    const struct mw_dialect *d = dialect_find("app");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->name, "app");
    const char *names = dialect_names();
    size_t n = strlen(names);
    ck_assert(n >= 4 && strcmp(names + n - 4, "|app") == 0);
}
END_TEST

static void
assert_inside(const struct mw_record *r, const char *base, size_t len)
{
    const char *end = base + len;
    ck_assert(r->msg >= base && r->msg <= end);
    ck_assert(r->msg_len <= (size_t)(end - r->msg));
    if (r->host)
        ck_assert(r->host >= base && r->host + r->host_len <= end);
    if (r->prog && r->prog >= base && r->prog < end)
        ck_assert(r->prog + r->prog_len <= end);
}

/* every prefix of every row, exactly allocated */
START_TEST(test_prefixes)
{
    const struct app_case *tc = &app_cases[_i];
    const struct mw_dialect *d = dialect_find("app");
    size_t len = strlen(tc->line);
    use_tz("UTC");
    void *st = d->open(REF_2023);
    for (size_t n = 0; n <= len; n++) {
        char *p = malloc(n ? n : 1);
        memcpy(p, tc->line, n);
        struct mw_line l = {p, n, 0, 1, false};
        struct mw_record r;
        int rc = d->parse(st, &l, &r);
        ck_assert(rc == 0 || rc == 1);
        if (rc == 0)
            assert_inside(&r, p, n);
        free(p);
    }
    d->close(st);
}
END_TEST

static int
parse_once(const char *p, size_t n, struct mw_record *r)
{
    const struct mw_dialect *d = dialect_find("app");
    void *st = d->open(REF_2023);
    struct mw_line l = {p, n, 0, 1, false};
    int rc = d->parse(st, &l, r);
    if (rc == 0)
        assert_inside(r, p, n);
    d->close(st);
    return rc;
}

START_TEST(test_huge_lines)
{
    size_t n = 1u << 20;
    char *p = malloc(n);
    struct mw_record r;
    use_tz("UTC");
    memset(p, 'A', n);
    ck_assert_int_eq(parse_once(p, n, &r), 0);
    ck_assert(!r.parsed);
    /* a marker after the first bytes is not looked for */
    memcpy(p + n - 20, "Greeting never recei", 20);
    ck_assert_int_eq(parse_once(p, n, &r), 0);
    ck_assert_ptr_null(r.prog);
    /* one at the start is */
    memcpy(p, "[2023-01-05 10:12:13] SMTP ERROR: ", 34);
    ck_assert_int_eq(parse_once(p, n, &r), 0);
    ck_assert(r.prog && memcmp(r.prog, "phpmailer", 9) == 0);
    ck_assert_uint_eq(r.msg_len, n - 22);
    /* a container name and frame of a mebibyte */
    memset(p, 'a', n);
    memcpy(p + n / 2, " | ", 3);
    ck_assert_int_eq(parse_once(p, n, &r), 0);
    memset(p, ' ', n);
    memcpy(p + 10, "at x", 4);
    p[n - 1] = ')';
    p[20] = '(';
    ck_assert_int_eq(parse_once(p, n, &r), 1);
    free(p);
}
END_TEST

START_TEST(test_hostile_bytes)
{
    struct mw_record r;
    use_tz("UTC");
    static const char nul[] = "[2023-01-05 10:12:13]\0SMTP ERROR:\0x";
    ck_assert_int_eq(parse_once(nul, sizeof nul - 1, &r), 0);
    ck_assert(r.ts.valid);
    static const char stamp_nul[] = "2023-01-05 10:12:13,\0\0\0 x";
    ck_assert_int_eq(parse_once(stamp_nul, sizeof stamp_nul - 1, &r), 0);
    static const char bad_month[] = "13-21 10:18:24.578 1-2/x W/y: z";
    ck_assert_int_eq(parse_once(bad_month, sizeof bad_month - 1, &r), 0);
    ck_assert(!r.ts.valid);
    static const char bad_day[] = "Feb 31 10:00:00 host=x errormsg='y'";
    ck_assert_int_eq(parse_once(bad_day, sizeof bad_day - 1, &r), 0);
    ck_assert(!r.ts.valid);
    static const char comma_long[] = "2023-01-05 10:12:13,"
                                     "1234567890123456789012345678901234 x";
    ck_assert_int_eq(parse_once(comma_long, sizeof comma_long - 1, &r), 0);
    static const char pipes[] = "a | b | c | d";
    ck_assert_int_eq(parse_once(pipes, sizeof pipes - 1, &r), 0);
    ck_assert(r.host && r.host_len == 1 && r.host[0] == 'a');
    static const char only_pipe[] = "x |";
    ck_assert_int_eq(parse_once(only_pipe, sizeof only_pipe - 1, &r), 0);
    ck_assert_uint_eq(r.msg_len, 0);
    static const char bom[] = "\xEF\xBB\xBF[2023-01-05 10:12:13] x";
    ck_assert_int_eq(parse_once(bom, sizeof bom - 1, &r), 0);
    ck_assert(r.ts.valid);
    ck_assert_uint_eq(r.msg_len, 1);
    /* every byte value in every position of a stamped PHPMailer line */
    char line[48] = "[2023-01-05 10:12:13] SMTP ERROR: x";
    size_t len = strlen(line);
    for (int b = 0; b < 256; b++) {
        char one = (char)b;
        ck_assert(parse_once(&one, 1, &r) >= 0);
        for (size_t at = 0; at < len; at++) {
            char save = line[at];
            line[at] = (char)b;
            ck_assert(parse_once(line, len, &r) >= 0);
            line[at] = save;
        }
    }
}
END_TEST

static Suite *
app_suite(void)
{
    Suite *s = suite_create("app");
    TCase *core = tcase_create("core");
    tcase_add_loop_test(core, test_records, 0, APP_COUNT);
    tcase_add_test(core, test_local_time);
    tcase_add_test(core, test_file_state);
    tcase_add_loop_test(core, test_sniff, 0,
                        sizeof sniff_cases / sizeof sniff_cases[0]);
    tcase_add_test(core, test_listed);
    suite_add_tcase(s, core);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 60);
    tcase_add_loop_test(hostile, test_prefixes, 0, APP_COUNT);
    tcase_add_test(hostile, test_huge_lines);
    tcase_add_test(hostile, test_hostile_bytes);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(app_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
