#include "config.h"

#include "rules.h"

#include <string.h>

const char *
event_field(const struct mw_event *ev, const char *name, size_t *len)
{
    for (size_t i = 0; i < ev->nfields && i < MW_MAX_FIELDS; i++) {
        if (strcmp(ev->fields[i].name, name) == 0) {
            if (len)
                *len = ev->fields[i].len;
            return ev->fields[i].val;
        }
    }
    if (len)
        *len = 0;
    return NULL;
}
