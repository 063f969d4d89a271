#define _GNU_SOURCE
#include "CLinux.h"
#include <string.h>
#include <time.h>
#include <pthread.h>

const uint32_t ats_EPOLLIN = EPOLLIN, ats_EPOLLOUT = EPOLLOUT, ats_EPOLLERR = EPOLLERR,
               ats_EPOLLHUP = EPOLLHUP, ats_EPOLLRDHUP = EPOLLRDHUP;
const int ats_SOCK_NONBLOCK = SOCK_NONBLOCK, ats_SOCK_CLOEXEC = SOCK_CLOEXEC,
          ats_MSG_NOSIGNAL = MSG_NOSIGNAL;

int ats_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

int ats_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int ats_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int ats_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms) {
    return epoll_wait(epfd, events, max, timeout_ms);
}

uint64_t ats_epoll_event_data(const struct epoll_event *event) { return event->data.u64; }
uint32_t ats_epoll_event_mask(const struct epoll_event *event) { return event->events; }

int ats_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int ats_timerfd(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC); }

int ats_timerfd_arm(int fd, int64_t interval_ns) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    spec.it_interval.tv_sec = interval_ns / 1000000000;
    spec.it_interval.tv_nsec = interval_ns % 1000000000;
    spec.it_value = spec.it_interval;
    return timerfd_settime(fd, 0, &spec, NULL);
}

int ats_block_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int ats_wait_for_termination(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return -1;
    return sig;
}

void ats_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }
