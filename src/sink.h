/* Delivery of records to a syslog collector (--syslog-server).
 *
 * A sender thread owns the socket; sink_send() only queues. TCP frames each
 * record with RFC 6587 octet counting ("LEN SP MSG"); UDP sends one
 * datagram per record, cut to MW_SINK_UDP_MAX bytes at a UTF-8 character
 * boundary. On a failed connect or a broken connection the sender
 * reconnects with exponential backoff (100 ms doubling to 5 s) while a
 * bounded queue holds the records.
 *
 * Delivery over TCP is at least once: a record stays queued until the
 * collector's TCP stack has acknowledged its bytes and the connection was
 * still up a grace time later, or until the collector closed the
 * connection in answer to ours at the end (it read everything before our
 * FIN). Records sent on a connection that broke before that are sent again,
 * whole, on the next one, so a collector may see a record twice but never
 * half of one. UDP is fire and forget: only local send errors are seen. */
#ifndef MW_SINK_H
#define MW_SINK_H

#include "diag.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_SINK_UDP_MAX 2048

enum mw_sink_proto { MW_SINK_TCP, MW_SINK_UDP };

/* limits; a zero member takes the default given */
struct mw_sink_opts {
    size_t max_records;    /* records waiting to be sent: 10000 */
    size_t max_bytes;      /* all queued bytes, sent records awaiting
                            * confirmation included: 16 MiB */
    int64_t final_wait_ms; /* bounded wait in sink_close: 10000 */
    int64_t confirm_ms;    /* grace before an acknowledged record counts as
                            * delivered: 250 */
};

struct mw_sink_stats {
    uint64_t queued;    /* records accepted by sink_send */
    uint64_t delivered; /* confirmed (TCP) or sent (UDP) */
    uint64_t dropped;   /* refused: queue full while disconnected */
    uint64_t left;      /* still queued when sink_close gave up */
    uint64_t truncated; /* UDP records cut to MW_SINK_UDP_MAX */
    uint64_t resent;    /* records sent again after a broken connection */
    uint64_t connects;  /* successful connections */
};

struct mw_sink;

/* Split "HOST:PORT[/tcp|/udp]" (IPv6 literals as "[ADDR]:PORT") into host
 * (hsize bytes) and port (psize bytes); TCP when no protocol is given.
 * 0, or -1 with err->text saying what is wrong. */
int sink_parse(const char *spec, char *host, size_t hsize, char *port,
               size_t psize, enum mw_sink_proto *proto, struct mw_err *err);

/* Start delivering to spec; o may be NULL for the defaults. The collector
 * need not be up yet: names are resolved and connections made by the
 * sender thread. NULL with err filled when spec does not parse or the
 * thread cannot start. Release with sink_close. */
struct mw_sink *sink_open(const char *spec, const struct mw_sink_opts *o,
                          struct mw_err *err);

enum mw_sink_proto sink_proto(const struct mw_sink *s);

/* Queue a copy of one record (without framing or line end). When the queue
 * is full the call waits while the collector is connected and draining it;
 * while disconnected the record is refused and counted in dropped. */
void sink_send(struct mw_sink *s, const char *rec, size_t len);

/* Wait at most timeout_ms for every record queued so far to be delivered
 * (TCP: confirmed), less while the collector is unreachable. 0 when the
 * queue is empty and no record was ever dropped, so that everything sent
 * is known to have arrived; -1 when records still wait; -2 once a record
 * was dropped (for good: a state saved later would count it). The sender
 * goes on either way. */
int sink_flush(struct mw_sink *s, int64_t timeout_ms);

/* Wait at most final_wait_ms for the queue to be delivered, stop the
 * sender and release s (NULL is accepted: returns 0). st (may be NULL)
 * gets the counts. Returns -1 when records were not delivered, with err
 * as "HOST:PORT: N records not delivered: reason"; otherwise 0. */
int sink_close(struct mw_sink *s, struct mw_sink_stats *st, struct mw_err *err);

#endif
