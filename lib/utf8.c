/* utf8.c — UTF-8 validity helpers (see utf8.h). */
#include "notes/utf8.h"

int notes_utf8_seqlen(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	int len;
	unsigned char lo = 0x80, hi = 0xbf;   /* bounds of the second byte */
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0) lo = 0xa0;          /* overlong */
		if (c == 0xed) hi = 0x9f;          /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0) lo = 0x90;          /* overlong */
		if (c == 0xf4) hi = 0x8f;          /* > U+10FFFF */
	} else
		return 0;
	if ((size_t)len > n || s[1] < lo || s[1] > hi)
		return 0;
	for (int i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

size_t notes_utf8_sanitize(char *s, size_t n, size_t *first)
{
	unsigned char *p = (unsigned char *)s;
	size_t bad = 0;
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		int len = notes_utf8_seqlen(p + i, n - i);
		if (len == 0) {
			if (bad++ == 0 && first)
				*first = i;
			p[i++] = '?';
		} else
			i += (size_t)len;
	}
	return bad;
}
