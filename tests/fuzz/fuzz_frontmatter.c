/*
 * fuzz_frontmatter.c — dates and front matter: the input as a date string
 * and as a file name (lib/date.c), then as the YAML block of a note
 * (indexer/frontmatter.c) with the checks of note_check.h.
 */
#include <stdint.h>
#include <stdio.h>
#include "note_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (256u << 10))
		return 0;
	char out[11];
	notes_status st = notes_date_parse((const char *)data, size, out);
	if (st == NOTES_OK)
		check_date(out);
	else if (out[0] || (st != NOTES_E_PARSE && st != NOTES_E_RANGE))
		abort();
	if (size < 512) {
		char name[600];
		size_t k = 0;
		k += (size_t)snprintf(name, sizeof name, "notes/");
		for (size_t i = 0; i < size; i++)
			name[k++] = data[i] ? (char)data[i] : '_';
		name[k] = '\0';
		st = notes_date_from_filename(name, out);
		if (st == NOTES_OK)
			check_date(out);
		else if (out[0])
			abort();
	}
	/* The same bytes as a front-matter block. */
	static const char open[] = "---\n", close[] = "\n---\n# Heading\nbody text\n";
	uint8_t *note = malloc(size + sizeof open + sizeof close);
	if (!note)
		abort();
	memcpy(note, open, sizeof open - 1);
	memcpy(note + sizeof open - 1, data, size);
	memcpy(note + sizeof open - 1 + size, close, sizeof close - 1);
	check_note(note, size + sizeof open - 1 + sizeof close - 1);
	free(note);
	return 0;
}
