/*
 * utf8.h — UTF-8 validity helpers shared by both programs.
 */
#ifndef NOTES_UTF8_H
#define NOTES_UTF8_H

#include <stddef.h>

/* Replace every byte that is not part of a valid UTF-8 sequence with '?', in
 * place, so byte offsets are unchanged.  Returns the number of bytes replaced
 * and, when first is not NULL, the offset of the first one. */
size_t notes_utf8_sanitize(char *s, size_t n, size_t *first);

/* Length of the valid UTF-8 sequence starting at s[0] (1–4), or 0 when s[0]
 * does not start one within n bytes. */
int notes_utf8_seqlen(const unsigned char *s, size_t n);

#endif
