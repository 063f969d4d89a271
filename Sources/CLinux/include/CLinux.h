#ifndef CLINUX_H
#define CLINUX_H

// Linux-only APIs that Glibc's Swift module does not export. `_GNU_SOURCE` is defined
// in shim.c only: defining it here breaks clean builds with a module conflict.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>

int ats_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int ats_epoll_create(void);
int ats_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int ats_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms);
uint64_t ats_epoll_event_data(const struct epoll_event *event);
uint32_t ats_epoll_event_mask(const struct epoll_event *event);
int ats_eventfd(void);
int ats_timerfd(void);
int ats_timerfd_arm(int fd, int64_t interval_ns);
// Names the calling thread (shows in top -H and gdb); at most 15 characters.
void ats_set_thread_name(const char *name);

// Flags as plain ints: several are enums or macros ClangImporter renders awkwardly.
extern const uint32_t ats_EPOLLIN, ats_EPOLLOUT, ats_EPOLLERR, ats_EPOLLHUP, ats_EPOLLRDHUP;
extern const int ats_SOCK_NONBLOCK, ats_SOCK_CLOEXEC, ats_MSG_NOSIGNAL;

// Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread (and so in every thread it
// starts later) and waits for SIGTERM or SIGINT in `ats_wait_for_termination`.
int ats_block_signals(void);
int ats_wait_for_termination(void);

#endif
