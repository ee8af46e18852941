/*
 * fuzz_markdown.c — a whole note (front matter, then Markdown) through the
 * indexer's per-note parse, with the line-map invariants of note_check.h.
 */
#include <stdint.h>
#include "note_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	check_note(data, size);
	return 0;
}
