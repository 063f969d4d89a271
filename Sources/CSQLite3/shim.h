#ifndef CSQLITE3_SHIM_H
#define CSQLITE3_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import: bind with a copy.
static inline int csqlite3_bind_text_copy(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}
// A zero-length blob (not NULL) when bytes is NULL and the count is 0.
static inline int csqlite3_bind_blob_copy(sqlite3_stmt *stmt, int index, const void *bytes, int count) {
    if (count == 0) return sqlite3_bind_zeroblob(stmt, index, 0);
    return sqlite3_bind_blob(stmt, index, bytes, count, SQLITE_TRANSIENT);
}
#endif
