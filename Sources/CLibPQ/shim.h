#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <libpq-fe.h>

// libpq's default notice processor prints NOTICEs to stderr; ours drops them.
static void clibpq_ignore_notice(void *arg, const char *message) { (void)arg; (void)message; }
static inline void clibpq_silence_notices(PGconn *conn) { PQsetNoticeProcessor(conn, clibpq_ignore_notice, 0); }
#endif
