#include "config.h"

#include "findings.h"

#include "findings_impl.h"

/* Detectors of the server's own resources: overload and a full disk. */

void
findings_detect_overload(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_OVERLOAD];
    if (st->count == 0)
        return;
    struct mw_sum_finding *f =
        findings_cand_new(x, true, 1u << MW_SRC_OVERLOAD);
    /* 0.6, 0.8 from 10 hits on: 421 and "too many connections" are
     * explicit, but a short burst can be one misbehaving client. */
    findings_set_text(f, "finding.server.overload", "server.unavailable",
                      MW_LEVEL_HIGH, st->count >= 10 ? 0.8 : 0.6);
    f->cause_id = "cause.server.overload";
    f->title = "Server refusing service: overloaded or out of resources";
    f->cause = "The server answered with 421 or similar temporary refusals: "
               "too many connections or processes, a configured limit "
               "reached, or a service that failed (fatal: errors). Clients "
               "retry later, so mail is delayed, not lost.";
    f->fix = "Look around the onset for fatal: or panic: lines, check load "
             "and memory, and the process and connection limits (postconf "
             "default_process_limit, master.cf maxproc, "
             "smtpd_client_connection_count_limit); raise them or find the "
             "client flooding the server.";
    f->count = st->count;
    findings_set_timing(x, f, st->series, st->first, st->last);
    findings_set_evidence(x, f, &st->ev, NULL);
}

void
findings_detect_disk(struct mw_fnd_ctx *x)
{
    const struct mw_fnd_in *in = x->in;
    const struct mw_fnd_srcstat *st = &in->src[MW_SRC_DISK];
    if (st->count == 0)
        return;
    struct mw_sum_finding *f = findings_cand_new(x, true, 1u << MW_SRC_DISK);
    /* 0.9: "No space left on device" and queue write errors leave little
     * room for another explanation. */
    findings_set_text(f, "finding.server.disk", "server.unavailable",
                      MW_LEVEL_CRITICAL, 0.9);
    f->cause_id = "cause.disk.full";
    f->title = "Disk full or queue write errors: mail cannot be accepted";
    f->cause = "The server could not write to its mail queue or mail "
               "storage: a full file system (space or inodes), a quota, or "
               "I/O errors. Incoming mail is refused or deferred.";
    f->fix = "Run df -h and df -i on the queue (/var/spool/postfix) and the "
             "mail storage, free space (old logs, the deferred queue), then "
             "flush the queue (postqueue -f). Check dmesg for I/O errors.";
    f->count = st->count;
    findings_set_timing(x, f, st->series, st->first, st->last);
    findings_set_evidence(x, f, &st->ev, NULL);
}
