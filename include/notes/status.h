/*
 * status.h — the status codes every library function of notes-search returns.
 *
 * Library code never prints and never exits: it returns one of these and keeps
 * the detail (file, line, sqlite message) in the object it worked on.  Only the
 * programs' main() turn a status into a message and an exit code.
 */
#ifndef NOTES_STATUS_H
#define NOTES_STATUS_H

typedef enum notes_status {
	NOTES_OK = 0,        /* success */
	NOTES_DONE,          /* an iterator has no more items (not an error) */
	NOTES_E_NOMEM,       /* an allocation failed */
	NOTES_E_IO,          /* a system call failed; errno-derived detail kept */
	NOTES_E_DB,          /* SQLite reported an error */
	NOTES_E_BUSY,        /* another indexer holds the lock */
	NOTES_E_USAGE,       /* a caller passed an invalid argument */
	NOTES_E_PARSE,       /* malformed input (YAML, date, query) */
	NOTES_E_SCHEMA,      /* database schema or tokenizer version differs */
	NOTES_E_CORRUPT,     /* database file is damaged or not a database */
	NOTES_E_NOTFOUND,    /* a named thing does not exist */
	NOTES_E_TOOBIG,      /* input exceeds a configured limit */
	NOTES_E_BINARY,      /* input is not text (contains NUL bytes) */
	NOTES_E_NOTREG,      /* path is not a regular file (FIFO, device, ...) */
	NOTES_E_RANGE        /* a value is outside what the format allows */
} notes_status;

/* A short English description of `st`, e.g. "out of memory".  Static storage. */
const char *notes_status_str(notes_status st);

#endif
