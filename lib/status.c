/* status.c — names for notes_status values. */
#include "notes/status.h"

const char *notes_status_str(notes_status st)
{
	switch (st) {
	case NOTES_OK:         return "ok";
	case NOTES_DONE:       return "done";
	case NOTES_E_NOMEM:    return "out of memory";
	case NOTES_E_IO:       return "input/output error";
	case NOTES_E_DB:       return "database error";
	case NOTES_E_BUSY:     return "another indexer is running";
	case NOTES_E_USAGE:    return "invalid argument";
	case NOTES_E_PARSE:    return "malformed input";
	case NOTES_E_SCHEMA:   return "database was built by another version";
	case NOTES_E_CORRUPT:  return "database file is damaged";
	case NOTES_E_NOTFOUND: return "not found";
	case NOTES_E_TOOBIG:   return "too large";
	case NOTES_E_BINARY:   return "binary file (contains NUL bytes)";
	case NOTES_E_NOTREG:   return "not a regular file";
	case NOTES_E_RANGE:    return "value out of range";
	}
	return "unknown status";
}
