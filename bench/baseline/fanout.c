/*
 * fanout.c -- the bare C baseline: the chat server's TCP protocol (greeting, name, "* NAME joined the
 * chat", then "NAME: text" to everyone, the sender included) on one thread with epoll, nothing else.
 *
 *   cc -O2 -o bench/out/fanout-c bench/baseline/fanout.c && bench/out/fanout-c PORT   # prints "ready PORT"
 *
 * Each read's complete lines are rendered once into a block that is appended to every joined client's
 * output buffer; after each epoll batch every client with output gets one write(). A short write arms
 * EPOLLOUT; a client more than 4 MiB behind is dropped. Listens on 127.0.0.1 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 20000
#define READ_BYTES 65536
#define MAX_LINE 4096
#define OUT_LIMIT (4 << 20)

typedef struct client {
  int fd, joined, dirty, want_out, nlen, slot;
  char name[64];
  char *part;
  int plen;
  char *out;
  size_t olen, ooff, ocap;
} client_t;

static client_t *clients[MAX_CLIENTS];
static client_t *joined_list[MAX_CLIENTS];
static int listen_fd, epfd, n_dirty, n_joined;
static client_t *dirty_list[MAX_CLIENTS];
static char rbuf[READ_BYTES + MAX_LINE], block[(READ_BYTES + MAX_LINE) * 2];

static void append(client_t *c, const char *bytes, size_t n) {
  if (c->fd < 0) return;
  if (c->olen - c->ooff + n > OUT_LIMIT) {
    shutdown(c->fd, SHUT_RDWR); /* too slow: its EPOLLHUP removes it */
    return;
  }
  if (c->olen + n > c->ocap) {
    memmove(c->out, c->out + c->ooff, c->olen - c->ooff);
    c->olen -= c->ooff;
    c->ooff = 0;
    while (c->olen + n > c->ocap) c->ocap = c->ocap ? c->ocap * 2 : 4096;
    c->out = realloc(c->out, c->ocap);
  }
  memcpy(c->out + c->olen, bytes, n);
  c->olen += n;
  if (!c->dirty) {
    c->dirty = 1;
    dirty_list[n_dirty++] = c;
  }
}
static void broadcast(const char *bytes, size_t n) {
  for (int i = 0; i < n_joined; i++) append(joined_list[i], bytes, n);
}
static void set_out(client_t *c, int on) {
  if (c->want_out == on) return;
  c->want_out = on;
  struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.fd = c->fd};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}
static void flush_client(client_t *c) {
  while (c->fd >= 0 && c->olen > c->ooff) {
    ssize_t w = write(c->fd, c->out + c->ooff, c->olen - c->ooff);
    if (w > 0) c->ooff += (size_t)w;
    else if (w < 0 && errno == EINTR) continue;
    else break;
  }
  if (c->fd < 0) return;
  if (c->ooff == c->olen) c->olen = c->ooff = 0;
  set_out(c, c->olen > c->ooff);
}
static void drop(client_t *c) {
  int fd = c->fd;
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  clients[fd] = NULL;
  c->fd = -1;
  if (c->joined) {
    joined_list[c->slot] = joined_list[--n_joined];
    joined_list[c->slot]->slot = c->slot;
    char line[128];
    int n = snprintf(line, sizeof line, "* %s left the chat\n", c->name);
    broadcast(line, (size_t)n);
  }
  if (!c->dirty) {
    free(c->part);
    free(c->out);
    free(c);
  }
}
static void on_read(client_t *c) {
  memcpy(rbuf, c->part, (size_t)c->plen);
  ssize_t r = read(c->fd, rbuf + c->plen, READ_BYTES);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r <= 0) {
    drop(c);
    return;
  }
  char *p = rbuf, *end = rbuf + c->plen + r, *nl;
  size_t bl = 0;
  while ((nl = memchr(p, '\n', (size_t)(end - p))) || end - p >= MAX_LINE) {
    char *stop = nl ? nl : p + MAX_LINE;
    size_t len = (size_t)(stop - p);
    if (len && p[len - 1] == '\r') len--;
    if (!c->joined) {
      c->nlen = len < sizeof c->name ? (int)len : (int)sizeof c->name - 1;
      memcpy(c->name, p, (size_t)c->nlen);
      c->name[c->nlen] = 0;
      c->joined = 1;
      c->slot = n_joined;
      joined_list[n_joined++] = c;
      char line[128];
      int n = snprintf(line, sizeof line, "* %s joined the chat\n", c->name);
      broadcast(line, (size_t)n);
    } else {
      memcpy(block + bl, c->name, (size_t)c->nlen);
      bl += (size_t)c->nlen;
      block[bl++] = ':';
      block[bl++] = ' ';
      memcpy(block + bl, p, len);
      bl += len;
      block[bl++] = '\n';
    }
    p = nl ? nl + 1 : stop;
  }
  c->plen = (int)(end - p);
  memmove(c->part, p, (size_t)c->plen);
  if (bl) broadcast(block, bl);
}

int main(int argc, char **argv) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max < MAX_CLIENTS ? rl.rlim_max : MAX_CLIENTS;
  setrlimit(RLIMIT_NOFILE, &rl);
  signal(SIGPIPE, SIG_IGN);
  listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(argc > 1 ? atoi(argv[1]) : 0))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  socklen_t alen = sizeof a;
  if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) || listen(listen_fd, 4096)) {
    perror("fanout-c: listen");
    return 1;
  }
  getsockname(listen_fd, (struct sockaddr *)&a, &alen);
  printf("ready %d\n", ntohs(a.sin_port));
  fflush(stdout);
  epfd = epoll_create1(0);
  struct epoll_event lev = {.events = EPOLLIN, .data.fd = listen_fd};
  epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &lev);
  static const char greeting[] = "Welcome to the chatroom! Enter your name:\n";
  struct epoll_event events[512];
  for (;;) {
    int n = epoll_wait(epfd, events, 512, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listen_fd) {
        int cfd;
        while ((cfd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          if (cfd >= MAX_CLIENTS) {
            close(cfd);
            continue;
          }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          client_t *c = calloc(1, sizeof *c);
          c->fd = cfd;
          c->part = malloc(MAX_LINE);
          clients[cfd] = c;
          struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev);
          append(c, greeting, sizeof greeting - 1);
        }
        continue;
      }
      client_t *c = clients[fd];
      if (!c) continue;
      if (events[i].events & EPOLLOUT) flush_client(c);
      if (c->fd >= 0 && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_read(c);
    }
    for (int i = 0; i < n_dirty; i++) {
      client_t *c = dirty_list[i];
      c->dirty = 0;
      if (c->fd >= 0) flush_client(c);
      else {
        free(c->part);
        free(c->out);
        free(c);
      }
    }
    n_dirty = 0;
  }
}
