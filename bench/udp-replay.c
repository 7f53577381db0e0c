// UDP replay sender for the ingest bench (bench/replay.ts builds it with `cc -O2` when a compiler is there):
// sends the datagrams of FILE (records of a 4-byte little-endian length and that many payload octets, in
// capture order, cycled) to HOST:PORT at RATE datagrams/s for SECONDS, from SRC, with sendmmsg(2) in
// batches paced every 100 µs. The Node sender (bench/replay-sender.ts) tops out near 150–200 k datagrams/s
// on one core; one-core collector targets need more (issue 15: 2.5 M sFlow samples/s ≈ 352 k datagrams/s).
// Loopback only (127.0.0.0/8, HOST and SRC checked); bounded by count (RATE × SECONDS) and by time
// (SECONDS + 2 s). Prints {"sent":N,"seconds":S} on stdout.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_DATAGRAMS 1000000

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int loopback(const char *text, struct in_addr *a) {
  return inet_pton(AF_INET, text, a) == 1 && (ntohl(a->s_addr) >> 24) == 127;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: udp-replay FILE SRC HOST PORT RATE SECONDS\n");
    return 2;
  }
  struct in_addr src, dst;
  if (!loopback(argv[2], &src) || !loopback(argv[3], &dst)) {
    fprintf(stderr, "udp-replay: SRC and HOST must be in 127.0.0.0/8\n");
    return 2;
  }
  int port = atoi(argv[4]);
  double rate = atof(argv[5]), seconds = atof(argv[6]);
  if (port <= 0 || port > 65535 || !(rate > 0) || !(seconds > 0) || seconds > 3600) {
    fprintf(stderr, "udp-replay: bad PORT, RATE or SECONDS (at most 3600)\n");
    return 2;
  }

  // the datagrams, read whole
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc(size > 0 ? (size_t)size : 1);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "udp-replay: cannot read %s\n", argv[1]);
    return 1;
  }
  fclose(f);
  static struct iovec dgrams[MAX_DATAGRAMS];
  int n = 0;
  for (long o = 0; o + 4 <= size && n < MAX_DATAGRAMS;) {
    uint32_t len = (uint32_t)data[o] | (uint32_t)data[o + 1] << 8 | (uint32_t)data[o + 2] << 16 |
                   (uint32_t)data[o + 3] << 24;
    if (len > 65507 || o + 4 + (long)len > size) break;
    dgrams[n].iov_base = data + o + 4;
    dgrams[n].iov_len = len;
    n++;
    o += 4 + (long)len;
  }
  if (n == 0) {
    fprintf(stderr, "udp-replay: %s holds no datagram\n", argv[1]);
    return 1;
  }

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr = src}, to = {.sin_family = AF_INET, .sin_addr = dst};
  to.sin_port = htons((uint16_t)port);
  if (bind(fd, (struct sockaddr *)&from, sizeof from) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    perror("udp-replay: bind/connect");
    return 1;
  }

  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  const long long count = (long long)(rate * seconds + 0.5);
  long long next = 0, sent = 0;
  const double t0 = now_s();
  for (;;) {
    double el = now_s() - t0;
    if (next >= count || el > seconds + 2) break;
    long long due = (long long)(el * rate);
    if (due > count) due = count;
    if (next >= due) {
      struct timespec pause = {0, 100000};
      nanosleep(&pause, NULL);
      continue;
    }
    while (next < due) {
      int b = (int)(due - next < BATCH ? due - next : BATCH);
      for (int k = 0; k < b; k++) {
        msgs[k].msg_hdr.msg_iov = &dgrams[(next + k) % n];
        msgs[k].msg_hdr.msg_iovlen = 1;
      }
      int r = sendmmsg(fd, msgs, (unsigned)b, 0);
      // a full send buffer or a refused port (ICMP) loses these: counted as not sent, never retried
      next += b;
      if (r > 0) sent += r;
    }
  }
  printf("{\"sent\":%lld,\"seconds\":%.6f}\n", sent, now_s() - t0);
  close(fd);
  free(data);
  return 0;
}
