/* Escapers for hostile log text. Each appends to b. Invalid UTF-8 becomes
 * U+FFFD in JSON; control characters never pass through. */
#ifndef MW_ESCAPE_H
#define MW_ESCAPE_H

#include <stddef.h>
#include "buf.h"

/* JSON string body (no surrounding quotes) */
void escape_json(struct mw_buf *b, const char *s, size_t len);
/* plain text for a terminal or mail: controls and invalid UTF-8 as \xHH */
void escape_text(struct mw_buf *b, const char *s, size_t len);
/* HTML text and attribute values */
void escape_html(struct mw_buf *b, const char *s, size_t len);
/* CEF header field ('\\' and '|'; newlines to spaces) */
void escape_cef_header(struct mw_buf *b, const char *s, size_t len);
/* CEF extension value ('\\', '=', CR/LF as \r \n) */
void escape_cef_value(struct mw_buf *b, const char *s, size_t len);
/* RFC 5424 SD PARAM-VALUE ('"', '\\', ']') */
void escape_sd_value(struct mw_buf *b, const char *s, size_t len);

#endif
