/*
 * locate.h — where in a note the query matched.
 *
 * An FTS5 auxiliary function, registered per connection (never stored in the
 * table, so the sqlite3 CLI can still open the database):
 *
 *   notes_locate(fts)  ->  "COL START END"
 *
 * the column and byte range (in the stored column text) of the best hit: the
 * first phrase instance in the body, else in headings, title, meta, code.
 */
#ifndef NOTES_LOCATE_H
#define NOTES_LOCATE_H

#include "notes/status.h"

typedef struct sqlite3 sqlite3;

notes_status notes_locate_register(sqlite3 *db);

#endif
