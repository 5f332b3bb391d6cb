/*
 * write_cost.c -- what one small write to a loopback TCP socket costs in C, for bench/write_cost.ts.
 *
 *   write_cost sink PORT                 accepts connections and drains them (one thread, epoll); prints "ready"
 *   write_cost writer PORT N ROUNDS      N connections to the sink, then ROUNDS rounds of one 64-byte send() to
 *                                        each; prints one JSON line: {"us_wall":…,"us_cpu":…} per write
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(0x7f000001);
  return a;
}
static double wall(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static double cpu(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}
static int sink(int port) {
  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = loopback(port);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) {
    perror("listen");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  static char buf[65536];
  struct epoll_event evs[256];
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
        struct epoll_event e = {.events = EPOLLIN, .data.fd = c};
        if (c >= 0) epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
      } else if (read(fd, buf, sizeof buf) <= 0) {
        close(fd);
      }
    }
  }
}
static int writer(int port, int n, int rounds) {
  int *fds = calloc((size_t)n, sizeof(int));
  struct sockaddr_in a = loopback(port);
  for (int i = 0; i < n; i++) {
    int one = 1;
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fds[i], (struct sockaddr *)&a, sizeof a)) {
      perror("connect");
      return 1;
    }
  }
  char msg[64];
  memset(msg, 'x', sizeof msg);
  msg[63] = '\n';
  usleep(200000);
  for (int warm = 0; warm < 2; warm++) {
    int count = warm ? rounds : 50;
    double t0 = wall(), c0 = cpu();
    for (int r = 0; r < count; r++)
      for (int i = 0; i < n; i++) send(fds[i], msg, sizeof msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    double writes = (double)n * count;
    if (warm) printf("{\"us_wall\":%.3f,\"us_cpu\":%.3f}\n", (wall() - t0) / writes * 1e6, (cpu() - c0) / writes * 1e6);
  }
  return 0;
}
int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "sink")) return sink(atoi(argv[2]));
  if (argc == 5 && !strcmp(argv[1], "writer")) return writer(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
  fprintf(stderr, "usage: write_cost sink PORT | write_cost writer PORT N ROUNDS\n");
  return 2;
}
