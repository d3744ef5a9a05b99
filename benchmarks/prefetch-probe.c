/*
 * How fast a loop with the grouped Q4_0 decode kernel's instruction mix streams weights from
 * memory, with and without software prefetch (docs/PERFORMANCE.md, "Software prefetch").
 * A measurement tool, not part of the build:
 *
 *   gcc -O2 -march=native -pthread benchmarks/prefetch-probe.c -o /tmp/prefetch-probe
 *   /tmp/prefetch-probe MIB THREADS MODE DISTANCE [LINES] [PASSES]
 *
 * MODE 0: no prefetch. 1: prefetcht0 of one line DISTANCE bytes ahead per 64-byte step.
 * 2: prefetcht0 of LINES lines DISTANCE ahead at every 4 KiB page. 3: prefetcht2, as 1.
 * 4: prefetcht0 of LINES lines DISTANCE ahead every LINES lines.
 * Prints the best of five runs in GB/s. Needs AVX-512F.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static unsigned char *weights;
static long bytes;
static int mode, distance, lines = 1, passes = 1;
static float x[4096];

typedef struct {
  long from, to;
  float result;
} range;

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void prefetch(long at, int count, int hint_t2) {
  for (int k = 0; k < count; k++) {
    const char *p = (const char *)weights + at + 64L * k;
    if (hint_t2) {
      _mm_prefetch(p, _MM_HINT_T2);
    } else {
      _mm_prefetch(p, _MM_HINT_T0);
    }
  }
}

/* Eight nibble fields per 32-bit lane, masked in place, converted, multiplied with x: the
 * grouped Q4_0 kernel's operations per 64 bytes (OrderedNibbles). */
static void *stream(void *arg) {
  range *r = arg;
  __m512 low = _mm512_setzero_ps(), high = _mm512_setzero_ps();
  for (int pass = 0; pass < passes; pass++) {
    for (long o = r->from; o < r->to; o += 64) {
      if (mode == 1) prefetch(o + distance, 1, 0);
      if (mode == 2 && (o & 4095) == 0) prefetch(o + distance, lines, 0);
      if (mode == 3) prefetch(o + distance, 1, 1);
      if (mode == 4 && (o & (64L * lines - 1)) == 0) prefetch(o + distance, lines, 0);
      __m512i q = _mm512_load_si512(weights + o);
      const float *xs = x + (o & 1023) * 2;
      __m512 p = _mm512_mul_ps(
          _mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(0xf))), _mm512_loadu_ps(xs));
      p = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(0xf0))),
                          _mm512_loadu_ps(xs + 16), p);
      p = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(0xf00))),
                          _mm512_loadu_ps(xs + 32), p);
      p = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(0xf000))),
                          _mm512_loadu_ps(xs + 48), p);
      __m512 s = _mm512_mul_ps(
          _mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(0xf0000))),
          _mm512_loadu_ps(xs + 64));
      s = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(0xf00000))),
                          _mm512_loadu_ps(xs + 80), s);
      s = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(q, _mm512_set1_epi32(0xf000000))),
                          _mm512_loadu_ps(xs + 96), s);
      s = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(q, 28)), _mm512_loadu_ps(xs + 112),
                          s);
      __m512 d = _mm512_loadu_ps(x + (o & 511) / 4);
      low = _mm512_fmadd_ps(p, d, low);
      high = _mm512_fmadd_ps(s, d, high);
    }
  }
  r->result = _mm512_reduce_add_ps(_mm512_add_ps(low, high));
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s MIB THREADS MODE DISTANCE [LINES] [PASSES]\n", argv[0]);
    return 2;
  }
  bytes = atol(argv[1]) << 20;
  int threads = atoi(argv[2]);
  mode = atoi(argv[3]);
  distance = atoi(argv[4]);
  if (argc > 5) lines = atoi(argv[5]);
  if (argc > 6) passes = atoi(argv[6]);
  if (threads < 1 || threads > 64 || bytes <= 0 || lines < 1 || passes < 1) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }
  weights = mmap(NULL, bytes + (1 << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                 0);
  if (weights == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  madvise(weights, bytes, MADV_HUGEPAGE);
  for (long i = 0; i < bytes; i++) weights[i] = (unsigned char)(i * 7);
  for (int i = 0; i < 4096; i++) x[i] = i * 1e-3f;
  double best = 0;
  float sink = 0;
  for (int run = 0; run < 5; run++) {
    pthread_t ids[64];
    range ranges[64];
    double start = seconds();
    for (int t = 0; t < threads; t++) {
      ranges[t].from = bytes / threads * t / 64 * 64;
      ranges[t].to = bytes / threads * (t + 1) / 64 * 64;
      pthread_create(&ids[t], NULL, stream, &ranges[t]);
    }
    for (int t = 0; t < threads; t++) {
      pthread_join(ids[t], NULL);
      sink += ranges[t].result;
    }
    double rate = (double)bytes * passes / (seconds() - start) / 1e9;
    if (rate > best) best = rate;
  }
  printf("mode %d, %d B ahead, %d line(s), %d thread(s): %.1f GB/s (%g)\n", mode, distance, lines,
         threads, best, sink);
  return 0;
}
