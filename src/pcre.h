/* The one place that picks the PCRE2 code unit width. */
#ifndef MW_PCRE_H
#define MW_PCRE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
