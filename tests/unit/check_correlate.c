/* Unit tests for correlation across lines: Postfix queue ids, Dovecot,
 * OpenSMTPD and Axigen sessions. Messages are exactly-sized heap copies,
 * so a read past their end shows under AddressSanitizer. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "xalloc.h"

struct lrec {
    struct mw_record rec;
    char *msg;
};

static void
lrec_make(struct lrec *r, const char *prog_base, const char *msg, size_t len)
{
    memset(r, 0, sizeof *r);
    r->msg = xmalloc(len ? len : 1);
    memcpy(r->msg, msg, len);
    r->rec.pid = -1;
    r->rec.prog = r->rec.prog_base = prog_base;
    r->rec.prog_len = r->rec.prog_base_len = prog_base ? strlen(prog_base) : 0;
    r->rec.msg = r->msg;
    r->rec.msg_len = len;
    r->rec.parsed = true;
}

static void
learn(struct mw_correlate *c, const char *prog, const char *msg)
{
    struct lrec r;
    lrec_make(&r, prog, msg, strlen(msg));
    correlate_learn(c, &r.rec);
    free(r.msg);
}

/* fill an event of (prog, msg) that has the given fields (name, value
 * pairs, NULL-terminated); returns the value of want ("" when absent) in
 * out */
static void
fill(struct mw_correlate *c, const char *prog, const char *msg,
     const char *const *fields, const char *want, char *out, size_t size)
{
    struct lrec r;
    struct mw_event ev;
    size_t len = 0;
    lrec_make(&r, prog, msg, strlen(msg));
    memset(&ev, 0, sizeof ev);
    ev.rec = &r.rec;
    for (size_t i = 0; fields && fields[i]; i += 2) {
        ev.fields[ev.nfields].name = fields[i];
        ev.fields[ev.nfields].val = fields[i + 1];
        ev.fields[ev.nfields++].len = strlen(fields[i + 1]);
    }
    correlate_fill(c, &ev);
    const char *v = event_field(&ev, want, &len);
    snprintf(out, size, "%.*s", v ? (int)len : 0, v ? v : "");
    free(r.msg);
}

START_TEST(test_postfix_queue_id)
{
    struct mw_correlate *c = correlate_new();
    char got[64];
    learn(c, "smtpd", "4BC6B2C3D1: client=mail.example.com[198.51.100.9]");
    learn(c, "smtpd", "5CD7C3D4E2: client=unknown[2001:db8::7]");
    static const char *const q1[] = {"queue_id", "4BC6B2C3D1", NULL};
    fill(c, "smtp", "4BC6B2C3D1: to=<u@example.org>, status=bounced", q1,
         "submitter_ip", got, sizeof got);
    ck_assert_str_eq(got, "198.51.100.9");
    /* the submitter is not the client of the delivery */
    fill(c, "smtp", "4BC6B2C3D1: to=<u@example.org>, status=bounced", q1,
         "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "");
    static const char *const q2[] = {"queue_id", "5CD7C3D4E2", NULL};
    fill(c, "smtp", "5CD7C3D4E2: x", q2, "submitter_ip", got, sizeof got);
    ck_assert_str_eq(got, "2001:db8::7");
    /* unknown queue id; a hit that has its client already */
    static const char *const q3[] = {"queue_id", "6DE8D4E5F3", NULL};
    fill(c, "smtp", "6DE8D4E5F3: x", q3, "submitter_ip", got, sizeof got);
    ck_assert_str_eq(got, "");
    static const char *const q4[] = {"queue_id", "4BC6B2C3D1", "client_ip",
                                     "192.0.2.1", NULL};
    fill(c, "smtp", "4BC6B2C3D1: x", q4, "submitter_ip", got, sizeof got);
    ck_assert_str_eq(got, "");
    correlate_free(c);
}
END_TEST

START_TEST(test_dovecot_session)
{
    struct mw_correlate *c = correlate_new();
    char got[64];
    learn(c, "dovecot",
          "imap-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.77, "
          "lip=192.0.2.1, mpid=4242, TLS, session=<AbCdEfGh1234>");
    /* a mail process line never teaches: it names no login */
    learn(c, "dovecot",
          "imap(eve)<1><ZZZZZZZZZZZZ>: x session=<ZZZZZZZZZZZZ> "
          "rip=203.0.113.66");
    fill(c, "dovecot", "imap(bob)<4242><AbCdEfGh1234>: Error: quota", NULL,
         "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "192.0.2.77");
    fill(c, "dovecot", "imap(eve)<1><ZZZZZZZZZZZZ>: Error: quota", NULL,
         "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "");
    /* the login process as the syslog tag */
    learn(c, "pop3-login",
          "Info: Login: user=<carol>, rip=198.51.100.78, session=<Car0l>");
    fill(c, "dovecot", "pop3(carol)<7><Car0l>: Error: x", NULL, "client_ip",
         got, sizeof got);
    ck_assert_str_eq(got, "198.51.100.78");
    correlate_free(c);
}
END_TEST

START_TEST(test_opensmtpd_session)
{
    struct mw_correlate *c = correlate_new();
    char got[64];
    learn(c, "smtpd",
          "1a2b3c4d5e6f7a8b smtp connected address=192.0.2.140 host=unknown");
    fill(c, "smtpd",
         "1a2b3c4d5e6f7a8b smtp authentication user=admin result=permfail",
         NULL, "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "192.0.2.140");
    learn(c, "smtpd",
          "smtp-in: New session 1111111111111111 from host "
          "victim.example.org [203.0.113.50]");
    learn(c, "smtpd",
          "smtp-in: New session 427e7493ebe154ae from host "
          "evil.example.org [198.51.100.7]");
    fill(c, "smtpd",
         "smtp-in: Failed command on session 427e7493ebe154ae: \"RCPT\" => 550",
         NULL, "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "198.51.100.7");
    /* the user name is the client's: it cannot name another session */
    fill(c, "smtpd",
         "smtp-in: Authentication failed for user x session "
         "1111111111111111 on session 427e7493ebe154ae",
         NULL, "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "198.51.100.7");
    fill(c, "smtpd", "smtp-in: Authentication failed for user x on session",
         NULL, "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "");
    correlate_free(c);
}
END_TEST

START_TEST(test_axigen_session)
{
    struct mw_correlate *c = correlate_new();
    char got[64];
    learn(c, "axigen",
          "IMAP:0000002A: [192.0.2.10:993] connection accepted from "
          "[198.51.100.10:50000]");
    fill(c, "axigen",
         "IMAP:0000002A: Authentication error for user 'a': invalid", NULL,
         "client_ip", got, sizeof got);
    ck_assert_str_eq(got, "198.51.100.10");
    fill(c, "axigen", "IMAP:0000002B: Authentication error", NULL, "client_ip",
         got, sizeof got);
    ck_assert_str_eq(got, "");
    correlate_free(c);
}
END_TEST

/* every prefix of every form, learnt and filled: no read past the end */
START_TEST(test_truncated)
{
    static const char *const lines[][2] = {
        {"smtpd", "4BC6B2C3D1: client=mail.example.com[198.51.100.9]"},
        {"dovecot", "imap-login: Login: user=<b>, rip=192.0.2.7, session=<A>"},
        {"dovecot", "imap(b)<1><A>: Error: x"},
        {"smtpd", "1a2b3c4d5e6f7a8b smtp connected address=192.0.2.1 host=h"},
        {"smtpd",
         "smtp-in: New session 427e7493ebe154ae from host h [1.2.3.4]"},
        {"smtpd", "smtp-in: Authentication failed for user x on session "
                  "427e7493ebe154ae"},
        {"axigen",
         "IMAP:2A: [1.2.3.4:993] connection accepted from [5.6.7.8:9]"},
    };
    struct mw_correlate *c = correlate_new();
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
        size_t n = strlen(lines[k][1]);
        for (size_t len = 0; len <= n; len++) {
            struct lrec r;
            struct mw_event ev;
            lrec_make(&r, lines[k][0], lines[k][1], len);
            correlate_learn(c, &r.rec);
            memset(&ev, 0, sizeof ev);
            ev.rec = &r.rec;
            ev.fields[0].name = "queue_id";
            ev.fields[0].val = r.msg;
            ev.fields[0].len = len < 10 ? len : 10;
            ev.nfields = 1;
            correlate_fill(c, &ev);
            ck_assert_uint_le(ev.nfields, 2);
            free(r.msg);
        }
    }
    correlate_free(c);
    correlate_free(NULL);
}
END_TEST

static Suite *
correlate_suite(void)
{
    Suite *s = suite_create("correlate");
    TCase *core = tcase_create("core");
    TCase *hostile = tcase_create("hostile");
    tcase_add_test(core, test_postfix_queue_id);
    tcase_add_test(core, test_dovecot_session);
    tcase_add_test(core, test_opensmtpd_session);
    tcase_add_test(core, test_axigen_session);
    tcase_add_test(hostile, test_truncated);
    suite_add_tcase(s, core);
    suite_add_tcase(s, hostile);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(correlate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
