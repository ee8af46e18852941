/*
 * output.h — the four output formats of notes-search.  Nothing a note
 * contains reaches the terminal raw: control characters are escaped, and
 * JSON is valid UTF-8 whatever the note held.
 */
#ifndef NOTES_OUTPUT_H
#define NOTES_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "search.h"

typedef enum notes_format {
	NOTES_FORMAT_HUMAN = 0,   /* ranked list with snippets */
	NOTES_FORMAT_VIMGREP,     /* path:line:col:text */
	NOTES_FORMAT_JSON,        /* one object per line, "v":1 */
	NOTES_FORMAT_PATHS        /* one path per line */
} notes_format;

typedef struct notes_output_opts {
	notes_format format;      /* which format */
	bool color;               /* ANSI colours (human only) */
	bool relative;            /* paths relative to the working directory */
	bool explain;             /* print the score breakdown */
	int  first_rank;          /* rank of the first result (offset + 1) */
} notes_output_opts;

/* Print results to f. */
void notes_output_results(FILE *f, const notes_output_opts *o, const notes_result *res,
			  size_t n);
/* The items of notes-search --list: "NAME<TAB>COUNT" lines (control
 * characters escaped as in every format), or JSON objects {"name","count"}. */
void notes_output_list(FILE *f, const notes_output_opts *o, const notes_db_count *items,
		       size_t n);

/* JSON only: the final summary object. */
void notes_output_summary(FILE *f, const notes_output_opts *o, const notes_search_info *info,
			  size_t returned);

#endif
