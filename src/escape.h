/* Escapers for hostile log text. Each appends to b. Invalid UTF-8 becomes
 * U+FFFD in JSON; control characters never pass through.
 *
 * Input is bytes plus length (NUL is an ordinary byte; s may be NULL when
 * len is 0). UTF-8 is checked strictly (no overlongs, no surrogates, nothing
 * above U+10FFFF); each byte of an ill-formed sequence is handled on its
 * own. "Controls" are 0x00-0x1f and 0x7f. None of these fail. */
#ifndef MW_ESCAPE_H
#define MW_ESCAPE_H

#include "buf.h"
#include <stddef.h>

/* JSON string body (no surrounding quotes): \" \\ \n \r \t, other controls
 * and DEL as \u00XX, U+2028/U+2029 as \u2028/\u2029, each invalid byte as
 * U+FFFD: the result is always valid UTF-8 */
void escape_json(struct mw_buf *b, const char *s, size_t len);
/* plain text for a terminal or mail: controls, invalid bytes, C1 controls
 * and bidi override/isolate characters as \xHH (lower-case hex, one per
 * byte); printable ASCII and other valid UTF-8 pass unchanged */
void escape_text(struct mw_buf *b, const char *s, size_t len);
/* HTML text and attribute values: & < > " ' as &amp; &lt; &gt; &quot; &#39;,
 * tab and LF kept, other bytes as escape_text does */
void escape_html(struct mw_buf *b, const char *s, size_t len);
/* CEF header field ('\\' and '|'; newlines to spaces): \ and | get a
 * backslash, CR LF TAB become spaces, other controls and invalid bytes
 * U+FFFD */
void escape_cef_header(struct mw_buf *b, const char *s, size_t len);
/* CEF extension value ('\\', '=', CR/LF as \r \n): TAB becomes a space,
 * other controls and invalid bytes U+FFFD */
void escape_cef_value(struct mw_buf *b, const char *s, size_t len);
/* RFC 5424 SD PARAM-VALUE ('"', '\\', ']'): CR LF TAB become spaces, other
 * controls and invalid bytes U+FFFD */
void escape_sd_value(struct mw_buf *b, const char *s, size_t len);

#endif
