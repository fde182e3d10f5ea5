/* Private to the renderer family: the event fields that the streaming
 * formats (ndjson, cef, syslog) map to well-known names, and the record
 * builders the syslog format reuses for its MSG part. */
#ifndef MW_RENDER_FIELDS_H
#define MW_RENDER_FIELDS_H

#include "buf.h"
#include "rules.h"
#include <stdbool.h>
#include <stddef.h>

/* rule group names (notes/rules-format.md) with a home in the outputs */
enum mw_slot {
    MW_SLOT_CLIENT_IP,
    MW_SLOT_CLIENT_HOST,
    MW_SLOT_CLIENT_PORT,
    MW_SLOT_REMOTE_IP,
    MW_SLOT_REMOTE_HOST,
    MW_SLOT_REMOTE_PORT,
    MW_SLOT_USER,
    MW_SLOT_QUEUE_ID,
    MW_SLOT_REPLY_CODE,
    MW_SLOT_DSN,
    MW_SLOT_REASON,
    MW_SLOT_SENDER,
    MW_SLOT_RECIPIENT,
    MW_SLOT_TLS_ERROR,
    MW_SLOT_COUNT
};

/* a view into the record (s NULL when absent) */
struct mw_fval {
    const char *s;
    size_t len;
};

/* slot of a group name, or -1 */
int render_slot_of(const char *name);
/* v[MW_SLOT_COUNT] gets the first non-empty value of each known field */
void render_fields_collect(const struct mw_event *ev, struct mw_fval *v);
/* v holds an IPv4 or IPv6 address; Sendmail's "IPv6:" prefix, and the
 * "::ffff:" of an IPv4-mapped address, are dropped from v on the way */
bool render_ip_check(struct mw_fval *v);
/* v is a decimal port 0-65535; *port gets it */
bool render_port_check(const struct mw_fval *v, unsigned *port);
/* v is the literal "unknown" (Postfix's name for an unresolved client) */
bool render_is_unknown(const struct mw_fval *v);
/* numeric severity 1/3/5/8/10 of a level (CEF, event.severity); 0 when the
 * level is out of range */
unsigned render_level_severity(enum mw_level l);

/* One ndjson document for ev with its '\n', appended to b
 * (render_ndjson.c). */
void render_ndjson_record(struct mw_buf *b, const struct mw_event *ev,
                          const char *path);
/* One CEF:0 line for ev without a line end, appended to b
 * (render_cef.c); version is the program version for the header. */
void render_cef_record(struct mw_buf *b, const struct mw_event *ev,
                       const char *path, const char *version);

#endif
