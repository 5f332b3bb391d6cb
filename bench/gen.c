/*
 * gen.c -- the bench's load generator: one thread, epoll, TCP and SSE members of our chat server.
 *
 *   cc -O2 -o bench/out/gen bench/gen.c      (bench/main.ts builds it)
 *   gen --port TCP [--port2 TCP] [--http-port HTTP] [-n tcp members] [-m sse members] [-s senders]
 *       [-r msgs/s] [-t secs] [--size bytes] [--hold secs] [--drain secs] [--server-pid PID] [--names PREFIX]
 *       [--cpu-pids PID,PID,…]
 *
 * Members are named PREFIX (default none) + t or w + index: a warm-up run before the measured one takes
 * other names, since a browser's name stays held for a while after its stream closes.
 * TCP member: reads the greeting line, sends "NAME\n", is ready at its own "* NAME joined the chat".
 * SSE member: POST /api/session {"name":NAME} with an Origin header, keeps the chat_session cookie,
 * opens GET /api/events with it (chunked or plain body), is ready at its own join event
 * (`data:` JSON with kind "join" and from NAME). TCP members connect first, then SSE members, so the
 * server's RSS can be read after each group (each held --hold s first).
 *
 * The first S TCP members send "NAME: <id>-<seq>-<scheduled ns> xxx…" (padded to --size) at an
 * aggregate R msgs/s for T seconds (open loop: the stamp is the scheduled time, so queueing inside the
 * generator counts as latency). Every member, the sender included, must receive every message: each
 * delivery is checked (sender id, name, payload length, per-sender sequence). After the window the
 * generator drains until everything arrived, nothing arrived for 3 s, or --drain s passed.
 * lost = expected - received. One JSON line on stdout. Bounded: alarm() ends it whatever happens.
 *
 * With --port2 (a second instance of the room), TCP members alternate between the two ports (even index
 * on --port, odd on --port2), senders included; p50_cross/p99_cross time only the deliveries from a
 * sender on one instance to a reader on the other.
 *
 * A ready member whose socket the server closes (EOF, reset, broken pipe) is "cut off": counted apart
 * from setup failures, with the last "! …" line the server sent it (its reason) in "cuts"; "left" counts
 * the room's own leave notices by reason, as the TCP member that saw the most of them saw them. A sender's
 * queue here is bounded (64 KiB): when the server stops reading, the kernel pushes back, the sender stops
 * making messages and falls behind its schedule; sender_blocked_pct is the share of the window the
 * senders spent with bytes the kernel would not take, offered - sent what they never got to send.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MEMBERS 20000
#define MAX_SENDERS 100
#define READ_BYTES (256 * 1024)
#define CARRY_BYTES 16384
#define OUT_LIMIT (64 * 1024)
#define MAX_CUTS 20
#define HIST_BUCKETS (2048 + 54 * 1024)

enum { TCP, SSE };
enum {
  S_IDLE, S_CONNECTING, S_GREET, S_NAMED, S_LOGIN, S_STREAM_HEAD, S_STREAM_JOIN, S_READY, S_CLOSING, S_DEAD
};
enum { CH_NONE, CH_SIZE, CH_SIZE_EXT, CH_DATA, CH_DATA_CR, CH_DATA_LF };

typedef struct member {
  int fd, idx, kind, state, nlen, chunk_state, side;
  long chunk_left;
  char name[16];
  char cookie[200];
  char *carry;
  int clen;
  char *out;
  size_t olen, ooff, ocap;
  uint64_t rx;
  uint32_t *next_seq;
  char said[80];
  int64_t blocked_since, blocked_ns;
  uint32_t left_slow, left_lost, left_other; /* "* NAME left the chat (…)" lines this member saw */
} member_t;

static const char *name_prefix = "";
static int tcp_port, tcp_port2, http_port, n_tcp = 100, n_sse, n_senders = 10, size = 64, hold_s, server_pid;
/* --cpu-pids: more processes (other instances, Redis) whose CPU seconds in the window are reported */
#define MAX_CPU_PIDS 8
static int cpu_pids[MAX_CPU_PIDS], n_cpu_pids;
static double rate = 1000, seconds = 5, drain_s = 20, setup_s = 120;
static member_t *members;
static int n_members, epfd, ready_count;
static char *rb, *lb;
static int64_t t0, t_end, last_rx;
static uint32_t seq[MAX_SENDERS];
static double interval_ns;
static uint64_t sent, received, garbled, dups, gaps, dropped;
static uint64_t hist[HIST_BUCKETS], h_n, h_max, hist_x[HIST_BUCKETS], hx_n;
static uint64_t cut_off, cut_senders;
static char cuts[MAX_CUTS * 160];
static int n_cuts;
static char first_error[200];
static volatile sig_atomic_t aborted;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
static void die(const char *why) {
  fprintf(stderr, "gen: %s\n", why);
  exit(2);
}
static int bucket(uint64_t us) {
  if (us < 2048) return (int)us;
  int e = 63 - __builtin_clzll(us);
  int b = 2048 + (e - 11) * 1024 + (int)((us >> (e - 10)) & 1023);
  return b < HIST_BUCKETS ? b : HIST_BUCKETS - 1;
}
static double bucket_ms(int b) {
  if (b < 2048) return (b + 0.5) / 1000.0;
  int e = (b - 2048) / 1024 + 11, m = (b - 2048) % 1024;
  return ((double)((uint64_t)(1024 + m) << (e - 10)) + (double)(1ULL << (e - 10)) / 2) / 1000.0;
}
static double percentile(const uint64_t *h, uint64_t n, double p) {
  if (!n) return -1;
  uint64_t want = (uint64_t)(p / 100.0 * (double)n + 0.5), seen = 0;
  if (want < 1) want = 1;
  for (int b = 0; b < HIST_BUCKETS; b++) {
    seen += h[b];
    if (seen >= want) return bucket_ms(b);
  }
  return h_max / 1e6;
}
static long rss_kib(int pid) {
  char path[64], line[256];
  long kib = -1;
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = pid > 0 ? fopen(path, "r") : NULL;
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) kib = atol(line + 6);
  fclose(f);
  return kib;
}
static double cpu_s(int pid) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = pid > 0 ? fopen(path, "r") : NULL;
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  unsigned long ut, st;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}
/* machine-wide busy seconds (user+nice+system+irq+softirq+steal) from /proc/stat */
static double cpu_machine(void) {
  unsigned long long v[8] = {0};
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return -1;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  return n == 8 ? (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK) : -1;
}
static double cpu_self(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- sockets ---- */
static void watch(member_t *c, int out) {
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}
/* the server closed a ready member: who, when (ms into the window), how, and the last thing it said */
static void note_cut(member_t *c, const char *why) {
  cut_off++;
  if (c->idx < n_senders) cut_senders++;
  if (n_cuts >= MAX_CUTS) return;
  char said[80];
  snprintf(said, sizeof said, "%s", c->said);
  for (char *p = said; *p; p++)
    if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = '?';
  size_t used = strlen(cuts);
  snprintf(cuts + used, sizeof cuts - used, "%s{\"member\":\"%s\",\"sender\":%s,\"at_ms\":%lld,\"how\":\"%s\",\"said\":\"%s\"}",
           n_cuts ? "," : "", c->name, c->idx < n_senders ? "true" : "false",
           t0 ? (long long)((now_ns() - t0) / 1000000) : -1LL, why, said);
  n_cuts++;
}
static void kill_member(member_t *c, const char *why) {
  if (c->state == S_DEAD) return;
  if (c->state != S_CLOSING) {
    dropped++;
    if (c->state == S_READY && (!strcmp(why, "closed by server") || !strcmp(why, "stream ended") ||
                                !strcmp(why, strerror(ECONNRESET)) || !strcmp(why, strerror(EPIPE))))
      note_cut(c, why);
    if (!first_error[0]) snprintf(first_error, sizeof first_error, "%s: %s (state %d)", c->name, why, c->state);
  }
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->state = S_DEAD;
}
static void open_socket(member_t *c, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket (raise ulimit -n)");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  c->fd = fd;
  c->clen = 0;
  c->chunk_state = CH_NONE;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) kill_member(c, strerror(errno));
}
static void flush_out(member_t *c) {
  while (c->fd >= 0 && c->olen > c->ooff) {
    ssize_t w = write(c->fd, c->out + c->ooff, c->olen - c->ooff);
    if (w > 0) {
      c->ooff += (size_t)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && errno == EAGAIN) {
      if (!c->blocked_since) c->blocked_since = now_ns();
      watch(c, 1);
      return;
    } else {
      kill_member(c, w < 0 ? strerror(errno) : "write returned 0");
      return;
    }
  }
  c->olen = c->ooff = 0;
  if (c->blocked_since) {
    c->blocked_ns += now_ns() - c->blocked_since;
    c->blocked_since = 0;
  }
}
static void queue_out(member_t *c, const char *bytes, size_t n) {
  if (c->olen + n > c->ocap) {
    if (c->ooff) {
      memmove(c->out, c->out + c->ooff, c->olen - c->ooff);
      c->olen -= c->ooff;
      c->ooff = 0;
    }
    while (c->olen + n > c->ocap) c->ocap = c->ocap ? c->ocap * 2 : 4096;
    c->out = realloc(c->out, c->ocap);
    if (!c->out) die("out of memory");
  }
  memcpy(c->out + c->olen, bytes, n);
  c->olen += n;
}
static void send_text(member_t *c, const char *text) {
  queue_out(c, text, strlen(text));
  flush_out(c);
}

/* ---- deliveries ---- */
static int parse_u64(const char **p, const char *end, uint64_t *out) {
  uint64_t v = 0;
  int digits = 0;
  while (*p < end && (unsigned)(**p - '0') < 10u && digits < 20) {
    v = v * 10 + (uint64_t)(**p - '0');
    (*p)++;
    digits++;
  }
  *out = v;
  return digits > 0;
}
static void deliver(member_t *c, const char *from, int from_len, const char *text, int text_len, int64_t now) {
  const char *p = text, *end = text + text_len;
  uint64_t sid, sq, stamp;
  if (!parse_u64(&p, end, &sid) || p >= end || *p++ != '-' || !parse_u64(&p, end, &sq) || p >= end ||
      *p++ != '-' || !parse_u64(&p, end, &stamp) || sid >= (uint64_t)n_senders || text_len != size) {
    garbled++;
    return;
  }
  member_t *sender = &members[sid];
  if (from_len != sender->nlen || memcmp(from, sender->name, (size_t)from_len)) {
    garbled++;
    return;
  }
  uint32_t want = c->next_seq[sid];
  if (sq < want) {
    dups++;
    return;
  }
  gaps += sq - want;
  c->next_seq[sid] = (uint32_t)sq + 1;
  received++;
  c->rx++;
  int64_t latency = now - (int64_t)stamp;
  if (latency < 0) latency = 0;
  hist[bucket((uint64_t)latency / 1000)]++;
  h_n++;
  if (sender->side != c->side) {
    hist_x[bucket((uint64_t)latency / 1000)]++;
    hx_n++;
  }
  if ((uint64_t)latency > h_max) h_max = (uint64_t)latency;
  last_rx = now;
}
static void become_ready(member_t *c) {
  c->state = S_READY;
  ready_count++;
}
static int is_join_line(member_t *c, const char *l, int n) {
  return n >= c->nlen + 9 && l[0] == '*' && l[1] == ' ' && !memcmp(l + 2, c->name, (size_t)c->nlen) &&
         !memcmp(l + 2 + c->nlen, " joined", 7);
}
static void tcp_line(member_t *c, const char *l, int n, int64_t now) {
  if (c->state == S_READY || c->state == S_CLOSING) {
    const char *colon = memchr(l, ':', (size_t)n);
    if (colon && colon + 2 < l + n && colon[1] == ' ' && (unsigned)(colon[2] - '0') < 10u)
      deliver(c, l, (int)(colon - l), colon + 2, (int)(l + n - colon - 2), now);
    else if (n >= 2 && l[0] == '!' && l[1] == ' ')
      snprintf(c->said, sizeof c->said, "%.*s", n, l);
    else if (n >= 2 && l[0] == '*' && memmem(l, (size_t)n, " left the chat", 14)) {
      if (memmem(l, (size_t)n, "(too slow)", 10)) c->left_slow++;
      else if (memmem(l, (size_t)n, "(connection lost)", 17)) c->left_lost++;
      else c->left_other++;
    }
  } else if (c->state == S_GREET) {
    char line[40];
    snprintf(line, sizeof line, "%s\n", c->name);
    c->state = S_NAMED;
    send_text(c, line);
  } else if (c->state == S_NAMED && is_join_line(c, l, n)) {
    become_ready(c);
  }
}
/*
 * The value of "key":"…" (key given with its quotes, colon and opening quote) in a flat JSON object, looked
 * for from `from` on (no escapes in the values we care about). Found by a plain byte loop: glibc's memmem
 * took 42% of the generator's CPU at sse-1000 4 M/s (perf), where the generator, not the server, was the
 * limit; memchr per quote, 29%.
 */
static const char *json_str(const char *l, int n, const char *from, const char *key, int *len) {
  size_t klen = strlen(key);
  const char *end = l + n, *k = from;
  const char *last = end - klen;
  while (k <= last && (k[0] != '"' || k[1] != key[1] || memcmp(k, key, klen))) k++;
  if (k > last) return NULL;
  const char *v = k + klen, *close = memchr(v, '"', (size_t)(end - v));
  if (!close) return NULL;
  *len = (int)(close - v);
  return v;
}
static void sse_line(member_t *c, const char *l, int n, int64_t now) {
  if (n < 6 || memcmp(l, "data:", 5)) return;
  int kind_len, from_len, text_len;
  /* the server writes kind, from, text in this order; searching on from each one's value keeps it one pass */
  const char *kind = json_str(l, n, l, "\"kind\":\"", &kind_len);
  const char *from = kind ? json_str(l, n, kind + kind_len, "\"from\":\"", &from_len) : NULL;
  if (!from) from = json_str(l, n, l, "\"from\":\"", &from_len);
  if (!kind || !from) return;
  if (kind_len == 7 && !memcmp(kind, "message", 7)) {
    const char *text = json_str(l, n, from + from_len, "\"text\":\"", &text_len);
    if (!text) text = json_str(l, n, l, "\"text\":\"", &text_len);
    if (text && (c->state == S_READY || c->state == S_CLOSING)) deliver(c, from, from_len, text, text_len, now);
  } else if (kind_len == 4 && !memcmp(kind, "join", 4) && c->state == S_STREAM_JOIN && from_len == c->nlen &&
             !memcmp(from, c->name, (size_t)from_len)) {
    become_ready(c);
  }
}
/* lb[0..n): whole lines are handled, the rest is carried to the next read */
static void lines(member_t *c, char *b, int n, int64_t now) {
  char *p = b, *end = b + n, *nl;
  while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
    int len = (int)(nl - p);
    if (len && p[len - 1] == '\r') len--;
    if (c->kind == TCP) tcp_line(c, p, len, now);
    else sse_line(c, p, len, now);
    if (c->state == S_DEAD) return;
    p = nl + 1;
  }
  int left = (int)(end - p);
  if (left > CARRY_BYTES) {
    garbled++;
    left = 0;
  }
  memmove(c->carry, p, (size_t)left);
  c->clen = left;
}
/* chunked transfer coding → plain bytes appended at out; returns bytes produced */
static int dechunk(member_t *c, const char *in, int n, char *out) {
  int o = 0;
  for (int i = 0; i < n;) {
    char ch = in[i];
    switch (c->chunk_state) {
    case CH_SIZE:
      if (ch == '\n') {
        c->chunk_state = c->chunk_left ? CH_DATA : CH_SIZE;
        if (!c->chunk_left) {
          kill_member(c, "stream ended");
          return o;
        }
      } else if (ch == ';') {
        c->chunk_state = CH_SIZE_EXT;
      } else if (ch != '\r') {
        int d = ch >= '0' && ch <= '9' ? ch - '0' : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10 : -1;
        if (d < 0) {
          kill_member(c, "bad chunk size");
          return o;
        }
        c->chunk_left = c->chunk_left * 16 + d;
      }
      i++;
      break;
    case CH_SIZE_EXT:
      if (ch == '\n') c->chunk_state = CH_DATA;
      i++;
      break;
    case CH_DATA: {
      int take = n - i < c->chunk_left ? n - i : (int)c->chunk_left;
      memcpy(out + o, in + i, (size_t)take);
      o += take;
      i += take;
      c->chunk_left -= take;
      if (!c->chunk_left) c->chunk_state = CH_DATA_CR;
      break;
    }
    case CH_DATA_CR:
    case CH_DATA_LF:
      if (ch == '\n') {
        c->chunk_state = CH_SIZE;
        c->chunk_left = 0;
      }
      i++;
      break;
    default:
      out[o++] = ch;
      i++;
    }
  }
  return o;
}
static void start_stream(member_t *c) {
  char req[512];
  close(c->fd);
  c->fd = -1;
  open_socket(c, http_port);
  c->state = S_STREAM_HEAD;
  snprintf(req, sizeof req,
           "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\nCookie: %s\r\n\r\n",
           http_port, c->cookie);
  queue_out(c, req, strlen(req));
}
/* an HTTP response head in lb[0..n) (complete); returns bytes of head, 0 if incomplete */
static int http_head(member_t *c, const char *b, int n) {
  const char *end = memmem(b, (size_t)n, "\r\n\r\n", 4);
  if (!end) return 0;
  int head = (int)(end - b) + 4;
  if (n < 12 || memcmp(b + 9, "2", 1)) {
    kill_member(c, c->state == S_LOGIN ? "sign-in refused" : "stream refused");
    return head;
  }
  if (c->state == S_LOGIN) {
    const char *k = memmem(b, (size_t)head, "chat_session=", 13);
    if (!k) {
      kill_member(c, "no session cookie");
      return head;
    }
    int len = (int)strcspn(k, ";\r\n");
    if (len >= (int)sizeof c->cookie) len = sizeof c->cookie - 1;
    memcpy(c->cookie, k, (size_t)len);
    c->cookie[len] = 0;
    start_stream(c);
    return -1;
  }
  c->state = S_STREAM_JOIN;
  c->chunk_state = memmem(b, (size_t)head, "chunked", 7) ? CH_SIZE : CH_NONE;
  c->chunk_left = 0;
  return head;
}
static void on_readable(member_t *c) {
  for (int round = 0; round < 8 && c->fd >= 0; round++) {
    int plain = c->kind == TCP && c->state != S_LOGIN && c->state != S_STREAM_HEAD;
    if (plain) memcpy(lb, c->carry, (size_t)c->clen);
    ssize_t r = read(c->fd, plain ? lb + c->clen : rb, READ_BYTES);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return;
    if (r <= 0) {
      if (c->state == S_CLOSING) {
        close(c->fd);
        c->fd = -1;
        c->state = S_DEAD;
      } else {
        kill_member(c, r < 0 ? strerror(errno) : "closed by server");
      }
      return;
    }
    int64_t now = now_ns();
    if (plain) {
      lines(c, lb, c->clen + (int)r, now);
      if (r < READ_BYTES) return;
      continue;
    }
    memcpy(lb, c->carry, (size_t)c->clen);
    int n = c->clen;
    if (c->state == S_LOGIN || c->state == S_STREAM_HEAD) {
      memcpy(lb + n, rb, (size_t)r);
      n += (int)r;
      int head = http_head(c, lb, n);
      if (head < 0 || c->state == S_DEAD) return;
      if (head == 0) {
        if (n > CARRY_BYTES) kill_member(c, "response head too long");
        else memcpy(c->carry, lb, (size_t)(c->clen = n));
        continue;
      }
      int body = n - head;
      memcpy(rb, lb + head, (size_t)body);
      r = body;
      n = 0;
    }
    if (c->kind == SSE) n += dechunk(c, rb, (int)r, lb + n);
    else {
      memcpy(lb + n, rb, (size_t)r);
      n += (int)r;
    }
    if (c->state != S_DEAD) lines(c, lb, n, now);
    if (r < READ_BYTES) return;
  }
}
static void on_event(member_t *c, uint32_t events) {
  if (c->state == S_DEAD) return;
  if (c->state == S_CONNECTING) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      kill_member(c, strerror(err));
      return;
    }
    if (c->kind == TCP) {
      c->state = S_GREET;
    } else {
      char body[64], req[512];
      int bl = snprintf(body, sizeof body, "{\"name\":\"%s\"}", c->name);
      snprintf(req, sizeof req,
               "POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1:%d\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
               http_port, http_port, bl, body);
      c->state = S_LOGIN;
      queue_out(c, req, strlen(req));
    }
  }
  if (events & EPOLLOUT) {
    flush_out(c);
    if (c->fd >= 0 && c->olen == 0) watch(c, 0);
  }
  if (c->fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c);
}
static void poll_for(int64_t ns) {
  struct epoll_event events[512];
  if (ns < 0) ns = 0;
  struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
  int n = epoll_pwait2(epfd, events, 512, &ts, NULL);
  for (int i = 0; i < n; i++) on_event(events[i].data.ptr, events[i].events);
}
static void poll_until(int64_t deadline) {
  int64_t now;
  while ((now = now_ns()) < deadline && !aborted) poll_for(deadline - now);
}

/* ---- sending ---- */
static int64_t due(int s) { return t0 + (int64_t)((double)seq[s] * interval_ns + interval_ns * s / n_senders); }
static int64_t pump(int64_t now) {
  int64_t next = t_end;
  char m[4200];
  for (int s = 0; s < n_senders; s++) {
    member_t *c = &members[s];
    if (c->state != S_READY) continue;
    int made = 0;
    for (int64_t d; made < 4096 && (d = due(s)) < t_end; made++) {
      if (d > now) {
        if (d < next) next = d;
        break;
      }
      if (c->olen - c->ooff > OUT_LIMIT) {
        flush_out(c); /* only what the kernel refused holds a sender back */
        if (c->fd < 0 || c->olen - c->ooff > OUT_LIMIT) break;
      }
      char *p = m + sprintf(m, "%d-%u-%lld ", s, seq[s], (long long)d);
      int fill = size - (int)(p - m);
      if (fill > 0) memset(p, 'x', (size_t)fill), p += fill;
      *p++ = '\n';
      queue_out(c, m, (size_t)(p - m));
      seq[s]++;
      sent++;
    }
    if (made) flush_out(c);
    if (made == 4096) next = now;
  }
  return next;
}
static void on_alarm(int sig) {
  (void)sig;
  if (aborted) _exit(3);
  aborted = 1;
  alarm(5);
}
static void setup(int from, int to, int port, int64_t deadline, const char **fail) {
  int started = from, ready_before = ready_count, goal = ready_count + (to - from);
  while (ready_count < goal && !*fail) {
    while (started < to && (started - from) - (ready_count - ready_before) < 100) {
      member_t *c = &members[started++];
      c->state = S_CONNECTING;
      open_socket(c, c->side ? tcp_port2 : port);
    }
    poll_for(5000000);
    for (int i = from; i < started; i++)
      if (members[i].state == S_DEAD) *fail = first_error[0] ? first_error : "member died during setup";
    if (now_ns() > deadline || aborted) *fail = "setup timed out";
  }
}
static void usage(void) {
  fprintf(stderr, "usage: gen --port TCP [--port2 TCP] [--http-port HTTP] [-n tcp] [-m sse] [-s senders] [-r msgs/s]\n"
                  "           [-t s] [--size bytes] [--hold s] [--drain s] [--server-pid PID] [--names PREFIX]\n"
                  "           [--cpu-pids PID,PID,...]\n");
  exit(2);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) usage();
    if (!strcmp(a, "--port")) tcp_port = atoi(v);
    else if (!strcmp(a, "--port2")) tcp_port2 = atoi(v);
    else if (!strcmp(a, "--http-port")) http_port = atoi(v);
    else if (!strcmp(a, "-n")) n_tcp = atoi(v);
    else if (!strcmp(a, "-m")) n_sse = atoi(v);
    else if (!strcmp(a, "-s")) n_senders = atoi(v);
    else if (!strcmp(a, "-r")) rate = atof(v);
    else if (!strcmp(a, "-t")) seconds = atof(v);
    else if (!strcmp(a, "--size")) size = atoi(v);
    else if (!strcmp(a, "--hold")) hold_s = atoi(v);
    else if (!strcmp(a, "--drain")) drain_s = atof(v);
    else if (!strcmp(a, "--server-pid")) server_pid = atoi(v);
    else if (!strcmp(a, "--cpu-pids")) {
      for (const char *p = v; *p && n_cpu_pids < MAX_CPU_PIDS; p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p))
        cpu_pids[n_cpu_pids++] = atoi(p);
    }
    else if (!strcmp(a, "--names") && strlen(v) <= 8) name_prefix = v;
    else usage();
    i++;
  }
  n_members = n_tcp + n_sse;
  if (tcp_port <= 0 || (n_sse && http_port <= 0)) usage();
  if (n_senders < 1 || n_senders > MAX_SENDERS || n_senders > n_tcp || n_members > MAX_MEMBERS)
    die("need 1 <= senders <= tcp members, senders <= 100, members <= 20000");
  if (rate <= 0 || rate > 20e6 || seconds <= 0 || seconds > 600 || size < 40 || size > 4000 || hold_s < 0 ||
      hold_s > 600 || drain_s < 0 || drain_s > 600)
    die("option out of range");

  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < (rlim_t)n_members * 2 + 64) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, on_alarm);
  alarm((unsigned)(setup_s * 2 + hold_s + seconds + drain_s + 30));

  rb = malloc(READ_BYTES + CARRY_BYTES);
  lb = malloc(READ_BYTES + CARRY_BYTES);
  members = calloc((size_t)n_members, sizeof *members);
  uint32_t *seqs = calloc((size_t)n_members * (size_t)n_senders, sizeof(uint32_t));
  if (!rb || !lb || !members || !seqs) die("out of memory");
  epfd = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < n_members; i++) {
    member_t *c = &members[i];
    c->fd = -1;
    c->idx = i;
    c->kind = i < n_tcp ? TCP : SSE;
    c->side = tcp_port2 > 0 && c->kind == TCP && (i & 1);
    c->nlen = snprintf(c->name, sizeof c->name, "%s%c%d", name_prefix, c->kind == TCP ? 't' : 'w', i);
    c->carry = malloc(CARRY_BYTES);
    if (!c->carry) die("out of memory");
    c->next_seq = seqs + (size_t)i * (size_t)n_senders;
  }

  const char *fail = NULL;
  int64_t start = now_ns(), deadline = start + (int64_t)(setup_s * 1e9);
  setup(0, n_tcp, tcp_port, deadline, &fail);
  /* with --hold, each group is held that long before the server's RSS is read (idle memory) */
  int64_t settle = 300000000LL + (int64_t)hold_s * 1000000000LL;
  if (!fail && n_sse) poll_until(now_ns() + settle);
  long rss_tcp = rss_kib(server_pid);
  if (!fail && n_sse) setup(n_tcp, n_members, http_port, deadline, &fail);
  double setup_time = (now_ns() - start) / 1e9;
  if (fail) {
    printf("{\"ready\":%d,\"members\":%d,\"setup_failed\":\"%s\"}\n", ready_count, n_members, fail);
    return 1;
  }
  poll_until(now_ns() + settle);
  long rss_all = rss_kib(server_pid);
  if (!n_sse) rss_tcp = rss_all;

  interval_ns = 1e9 * n_senders / rate;
  double cpu0 = cpu_self(), server_cpu0 = cpu_s(server_pid), machine0 = cpu_machine();
  double pids_cpu[MAX_CPU_PIDS];
  for (int i = 0; i < n_cpu_pids; i++) pids_cpu[i] = cpu_s(cpu_pids[i]);
  t0 = now_ns() + 10000000;
  t_end = t0 + (int64_t)(seconds * 1e9);
  poll_until(t0);
  int64_t now;
  while ((now = now_ns()) < t_end && !aborted) {
    int64_t next = pump(now);
    poll_for(next - now_ns());
  }
  double cpu_window = cpu_self() - cpu0, server_cpu_window = cpu_s(server_pid) - server_cpu0;
  char pids_json[256] = "";
  for (int i = 0, at = 0; i < n_cpu_pids && at < (int)sizeof pids_json - 24; i++)
    at += snprintf(pids_json + at, sizeof pids_json - (size_t)at, "%s%.3f", i ? "," : "", cpu_s(cpu_pids[i]) - pids_cpu[i]);
  /* pushback: how long the senders held bytes the kernel would not take, and what they never sent */
  double blocked_s = 0, offered = 0;
  for (int s = 0; s < n_senders; s++) {
    member_t *c = &members[s];
    int64_t open = c->blocked_since ? now_ns() - (c->blocked_since > t0 ? c->blocked_since : t0) : 0;
    blocked_s += (double)(c->blocked_ns + open) / 1e9;
    double first = interval_ns * s / n_senders;
    if (first < (double)(t_end - t0)) offered += 1 + (int64_t)(((double)(t_end - t0) - first - 1) / interval_ns);
  }
  /* what everything else on the machine used meanwhile: the noise these figures carry */
  double others = cpu_machine() - machine0 - cpu_window - server_cpu_window;
  long rss_end = rss_kib(server_pid);
  uint64_t received_in_window = received;

  uint64_t expected = sent * (uint64_t)n_members;
  int64_t drain_start = now_ns(), last_change = drain_start;
  uint64_t seen = received;
  while (!aborted && received < expected) {
    now = now_ns();
    if (received != seen) seen = received, last_change = now;
    if (now - last_change > 3000000000LL || now - drain_start > (int64_t)(drain_s * 1e9)) break;
    poll_for(20000000);
  }
  double drain_time = (now_ns() - drain_start) / 1e9;
  uint64_t rx_min = UINT64_MAX;
  member_t *witness = &members[0];
  for (int i = 0; i < n_members; i++) {
    member_t *c = &members[i];
    if (c->left_slow + c->left_lost + c->left_other > witness->left_slow + witness->left_lost + witness->left_other)
      witness = c;
    if (members[i].rx < rx_min) rx_min = members[i].rx;
    if (members[i].fd >= 0) close(members[i].fd);
  }
  double window = (t_end - t0) / 1e9;
  int64_t lost = (int64_t)expected - (int64_t)received;
  printf("{\"members\":%d,\"tcp\":%d,\"sse\":%d,\"senders\":%d,\"rate\":%g,\"seconds\":%g,\"size\":%d,"
         "\"setup_s\":%.2f,\"sent\":%llu,\"expected\":%llu,\"received\":%llu,\"lost\":%lld,\"gaps\":%llu,"
         "\"garbled\":%llu,\"duplicates\":%llu,\"dropped\":%llu,\"rx_min\":%llu,"
         "\"deliveries_per_s\":%.1f,\"deliveries_per_s_window\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
         "\"max_ms\":%.3f,\"drain_s\":%.2f,\"gen_cpu_pct\":%.1f,\"server_cpu_pct\":%.1f,\"others_cpu_pct\":%.1f,"
         "\"server_rss_kib_tcp\":%ld,\"server_rss_kib_all\":%ld,\"server_rss_kib_end\":%ld,\"aborted\":%s,"
         "\"p50_cross_ms\":%.3f,\"p99_cross_ms\":%.3f,\"offered\":%.0f,\"sender_blocked_pct\":%.1f,"
         "\"cut_off\":%llu,\"cut_senders\":%llu,\"cuts\":[%s],\"left\":{\"slow\":%u,\"lost\":%u,\"other\":%u},"
         "\"cpu_pids_s\":[%s],\"received_in_window\":%llu,\"first_error\":\"%s\"}\n",
         n_members, n_tcp, n_sse, n_senders, rate, seconds, size, setup_time, (unsigned long long)sent,
         (unsigned long long)expected, (unsigned long long)received, (long long)lost, (unsigned long long)gaps,
         (unsigned long long)garbled, (unsigned long long)dups, (unsigned long long)dropped,
         (unsigned long long)rx_min, (double)received / window, (double)received_in_window / window,
         percentile(hist, h_n, 50), percentile(hist, h_n, 99), h_max / 1e6, drain_time, 100.0 * cpu_window / window,
         server_pid > 0 ? 100.0 * server_cpu_window / window : -1.0, others > 0 ? 100.0 * others / window : 0.0, rss_tcp, rss_all, rss_end,
         aborted ? "true" : "false", percentile(hist_x, hx_n, 50), percentile(hist_x, hx_n, 99), offered,
         100.0 * blocked_s / n_senders / window, (unsigned long long)cut_off, (unsigned long long)cut_senders, cuts,
         witness->left_slow, witness->left_lost, witness->left_other, pids_json,
         (unsigned long long)received_in_window, first_error);
  return 0;
}
