/* SPDX-License-Identifier: MIT */
/*
 * What the parts of pudge-bench share: the pudge file, timing, medians and
 * the BO helpers of pudge-bench.c.
 */
#ifndef PUDGE_BENCH_H
#define PUDGE_BENCH_H

#include <stdint.h>

#include "pudge.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* pudge's render node, opened by main(). */
extern int fd;

/* Print "pudge-bench: @what: strerror(@err)" and exit 1. */
void die(const char *what, int err);
/* CLOCK_MONOTONIC in seconds. */
double now(void);
/* The whole of pudge BO @h mapped read/write; dies on failure. */
volatile uint8_t *map_bo(uint32_t h, uint64_t size);
/* One store per 4 KiB page of [@p, @p + @size). */
void touch(volatile uint8_t *p, uint64_t size);
/* The median of the @n values in @v, which it sorts. */
double median(double *v, int n);
/* GET_PARAM @p of pudge; dies on failure. */
uint64_t param(uint32_t p);
/* Wait (up to 2 minutes) until pudge has cleared all freed VRAM. */
void wait_cleared(void);

/* pudge-bench qxl: the same workloads on pudge and on qxl (stock TTM). */
int bench_qxl(int reps, const char *csv_path, unsigned int seed);

#endif
