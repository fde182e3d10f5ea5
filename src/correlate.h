/* Correlation across lines: a Postfix queue id links later lines of the
 * same message (cleanup, qmgr, smtp, bounce) to the client that submitted
 * it, so a delivery failure names whose mail it was. The address goes into
 * the field "submitter_ip", not "client_ip": a bounce is not an inbound
 * session of that client, and the outbound detectors key on the absence of
 * a client address. A Dovecot session id links the lines of an IMAP/POP3
 * session to the client of its login line: there the address is the
 * session's own client, so it goes into "client_ip"; so does an OpenSMTPD
 * session id, from its "smtp connected address=" line. */
#ifndef MW_CORRELATE_H
#define MW_CORRELATE_H

#include "dialect.h"
#include "rules.h"

struct mw_correlate;

struct mw_correlate *correlate_new(void);
void correlate_free(struct mw_correlate *c); /* accepts NULL */
/* Learn from a line: Postfix smtpd's "QUEUEID: client=name[ip]", a
 * Dovecot login, an OpenSMTPD session start. Cheap for every other line. */
void correlate_learn(struct mw_correlate *c, const struct mw_record *rec);
/* Give an event that has a queue_id but no client_ip the submitter_ip of
 * that message, when known. The value stays valid until the next
 * correlate_learn. */
void correlate_fill(struct mw_correlate *c, struct mw_event *ev);

#endif
