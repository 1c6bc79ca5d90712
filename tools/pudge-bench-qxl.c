// SPDX-License-Identifier: MIT
/*
 * pudge-bench qxl: pudge beside a stock TTM driver, in one guest.
 *
 * qxl (QEMU's qxl device and the in-tree driver) maps its BOs through
 * TTM's own fault handler: 4 KiB PTEs, up to 16 pages per fault, no huge
 * entries; it does not clear VRAM it hands out.  pudge runs twice: with
 * its huge entries, as everywhere else in pudge-bench (unsafe_orders set),
 * and capped at 4 KiB entries (max_map_order=0), which is what a stock 7.2
 * kernel gets while its hazards keep the huge orders off.
 *
 * Each workload is cut into units, one unit on one driver, and all units
 * of all drivers run in one shuffled order (the seed is printed; --seed
 * replays it), so that the emulator's drift falls on every driver alike.
 * Before each unit pudge's clearing worker is let finish, so that it never
 * runs inside another driver's unit; inside pudge's own units it runs as
 * it would.  Counts come from the kernel: getrusage() minor faults, VmPTE,
 * pudge's STATS and, for qxl's PTEs, a kprobe (probe_set()).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <qxl_drm.h>

#include "pudge-bench.h"

enum drv { QXL, PUDGE, PUDGE_4K, NDRV };
static const char *const drv_name[NDRV] = { "qxl", "pudge", "pudge, 4 KiB only" };
static const char *const drv_id[NDRV] = { "qxl", "pudge", "pudge-4k" };	/* in the CSV */
/* max_map_order for pudge's two rows: 1 GiB, and 4 KiB entries only. */
static const long long drv_order[NDRV] = { -1, 18, 0 };

static int qxl_fd = -1;
/* The largest BO each driver takes with nothing else of ours allocated. */
static uint64_t cap[NDRV];

/* qxl's primary node (it has no render node); -1 if there is none. */
static int open_qxl(void)
{
	char path[32];

	for (int i = 0; i < 16; i++) {
		drmVersionPtr v;
		int f;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		if (v && !strcmp(v->name, "qxl")) {
			drmFreeVersion(v);
			return f;
		}
		drmFreeVersion(v);
		close(f);
	}
	return -1;
}

static int bo_create(enum drv d, uint64_t size, uint32_t place, uint32_t *h)
{
	struct drm_qxl_alloc a = { .size = (uint32_t)size };

	if (d != QXL)
		return pudge_bo_create(fd, size, place, h, NULL);
	/* qxl_gem_object_create() takes an int size. */
	if (size > GiB)
		return -E2BIG;
	if (drmIoctl(qxl_fd, DRM_IOCTL_QXL_ALLOC, &a))
		return -errno;
	*h = a.handle;
	return 0;
}

static uint32_t bo_new(enum drv d, uint64_t size, uint32_t place)
{
	uint32_t h;
	int ret = bo_create(d, size, place, &h);

	if (ret)
		die(d == QXL ? "QXL_ALLOC" : "GEM_CREATE", -ret);
	return h;
}

static volatile uint8_t *bo_map(enum drv d, uint32_t h, uint64_t size)
{
	struct drm_qxl_map m = { .handle = h };
	void *p;

	if (d != QXL)
		return map_bo(h, size);
	if (drmIoctl(qxl_fd, DRM_IOCTL_QXL_MAP, &m))
		die("QXL_MAP", errno);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, qxl_fd, m.offset);
	if (p == MAP_FAILED)
		die("mmap of a qxl BO", errno);
	return p;
}

static void bo_close(enum drv d, uint32_t h)
{
	struct drm_gem_close c = { .handle = h };

	if (d != QXL) {
		pudge_bo_close(fd, h);
		return;
	}
	if (drmIoctl(qxl_fd, DRM_IOCTL_GEM_CLOSE, &c))
		die("GEM_CLOSE of a qxl BO", errno);
}

/*
 * qxl's entries: TTM's fault handler inserts each PTE with
 * vmf_insert_pfn_prot(), counted by a kprobe.  /proc/self/pagemap cannot
 * count them (page walks skip VM_PFNMAP mappings), and the probe costs
 * time, so it is on only in an untimed pass after the timed units.
 */
#define PROBE "pudge_bench/qxl_insert_pfn"
static const char *tracefs;
static bool counting;

static int append_line(const char *path, const char *line)
{
	int f = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n = -1;

	if (f >= 0) {
		n = write(f, line, strlen(line));
		close(f);
	}
	return n == (ssize_t)strlen(line) ? 0 : -1;
}

static bool probe_set(bool on)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[160];

	if (!on) {
		if (!tracefs)
			return false;
		snprintf(path, sizeof(path), "%s/events/" PROBE "/enable", tracefs);
		append_line(path, "0");
		snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
		append_line(path, "-:" PROBE "\n");
		tracefs = NULL;
		return false;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/kprobe_events", dirs[i]);
		if (append_line(path, "p:" PROBE " vmf_insert_pfn_prot\n"))
			continue;
		tracefs = dirs[i];
		snprintf(path, sizeof(path), "%s/events/" PROBE "/enable", tracefs);
		if (!append_line(path, "1"))
			return true;
		probe_set(false);
	}
	return false;
}

/* The probe's hits so far, from kprobe_profile; -1 without the probe. */
static long long probe_hits(void)
{
	char path[160], name[128];
	long long hits = -1, h, missed;
	FILE *f;

	if (!tracefs)
		return -1;
	snprintf(path, sizeof(path), "%s/kprobe_profile", tracefs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%127s %lld %lld", name, &h, &missed) == 3)
		if (!strcmp(name, strchr(PROBE, '/') + 1))
			hits = h;
	fclose(f);
	return hits;
}

/* The counts of one touch, all from the kernel. */
struct counts {
	long long minflt, entries, pte_bytes;
};

struct counter {
	long long f0, pte0, hits0;
	struct drm_pudge_stats st0;
};

static void count_start(struct counter *c, enum drv d, uint32_t h)
{
	if (d != QXL && pudge_stats(fd, h, &c->st0))
		die("STATS", EIO);
	c->hits0 = d == QXL ? probe_hits() : 0;
	c->f0 = pudge_minor_faults();
	c->pte0 = pudge_vm_pte_bytes();
}

/* pudge's entries come from its STATS counters, qxl's from the probe. */
static void count_end(const struct counter *c, struct counts *out, enum drv d, uint32_t h)
{
	struct drm_pudge_stats st;

	out->minflt = pudge_minor_faults() - c->f0;
	out->pte_bytes = pudge_vm_pte_bytes() - c->pte0;
	if (d == QXL) {
		out->entries = c->hits0 < 0 ? -1 : probe_hits() - c->hits0;
		return;
	}
	if (pudge_stats(fd, h, &st))
		die("STATS", EIO);
	out->entries = st.pud_inserted + st.pmd_inserted + st.pte_inserted -
		       (c->st0.pud_inserted + c->st0.pmd_inserted + c->st0.pte_inserted);
}

#define LIFE_PHASES 5
#define LIFE_PER_UNIT 32
#define MAX_SAMPLES 1024
static const char *const life_phase[LIFE_PHASES] = {
	"create", "mmap", "touch", "munmap", "close",
};

/* Samples of one driver in one workload, and the counts of the last one. */
struct samples {
	double t[LIFE_PHASES][MAX_SAMPLES];
	int n;
	struct counts c;
	long long evictions, lost;
};

static struct samples life[NDRV];
static struct samples first[2][NDRV];	/* 256 MiB, 1 GiB; phases: first, again */
static struct samples evict[NDRV];	/* phases: evict, touch there, back */
static const uint64_t touch_size[2] = { 256 * MiB, GiB };
#define EVICT_SIZE (64 * MiB)

/* LIFE_PER_UNIT whole lives of a 4 MiB BO. */
static void life_unit(enum drv d, struct samples *s)
{
	const uint64_t size = 4 * MiB;

	for (int i = 0; i < LIFE_PER_UNIT && s->n < MAX_SAMPLES; i++, s->n++) {
		double t0, t1, t2, t3, t4, t5;
		volatile uint8_t *p;
		struct counter c;
		uint32_t h;

		t0 = now();
		h = bo_new(d, size, PUDGE_GEM_PLACE_VRAM);
		t1 = now();
		p = bo_map(d, h, size);
		t2 = now();
		count_start(&c, d, h);
		t3 = now();
		touch(p, size);
		t4 = now();
		s->t[0][s->n] = t1 - t0;
		s->t[1][s->n] = t2 - t1;
		s->t[2][s->n] = t4 - t3;
		count_end(&c, &s->c, d, h);
		t0 = now();
		munmap((void *)p, size);
		t1 = now();
		bo_close(d, h);
		t5 = now();
		s->t[3][s->n] = t1 - t0;
		s->t[4][s->n] = t5 - t1;
	}
}

/* A new BO of @size: its first touch, then a second pass (no faults). */
static void first_touch_unit(enum drv d, int which, struct samples *s)
{
	uint64_t size = touch_size[which];
	volatile uint8_t *p;
	struct counter c;
	double t0, t1;
	uint32_t h;

	h = bo_new(d, size, PUDGE_GEM_PLACE_VRAM);
	p = bo_map(d, h, size);
	count_start(&c, d, h);
	t0 = now();
	touch(p, size);
	t1 = now();
	s->t[0][s->n] = t1 - t0;
	count_end(&c, &s->c, d, h);
	t0 = now();
	touch(p, size);
	s->t[1][s->n] = now() - t0;
	s->n++;
	munmap((void *)p, size);
	bo_close(d, h);
}

static uint8_t mark(uint64_t off, int seq)
{
	return (uint8_t)((off >> 12) * 7 + seq + 1);
}

/* Check and rewrite a mark in every page; the bytes that were wrong. */
static long long check_marks(volatile uint8_t *p, uint64_t size, int seq, int next)
{
	long long lost = 0;

	for (uint64_t o = 0; o < size; o += 4096) {
		lost += p[o] != mark(o, seq);
		p[o] = mark(o, next);
	}
	return lost;
}

/*
 * A 64 MiB BO, marked, is pushed out by a BO that needs its room; it is
 * touched where it went (the marks checked and rewritten); then, on pudge,
 * moved back to VRAM by GEM_MIGRATE and checked again.  qxl has no uapi
 * that moves a BO back: its BOs return to VRAM only when the driver pins
 * them for the device's own commands.
 */
static void evict_unit(enum drv d, struct samples *s)
{
	uint32_t place = PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM;
	struct drm_pudge_stats st0, st1;
	volatile uint8_t *p;
	struct counter c;
	uint32_t a, b;
	double t0;

	a = bo_new(d, EVICT_SIZE, place);
	p = bo_map(d, a, EVICT_SIZE);
	for (uint64_t o = 0; o < EVICT_SIZE; o += 4096)
		p[o] = mark(o, 0);
	if (d != QXL && pudge_stats(fd, a, &st0))
		die("STATS", EIO);
	t0 = now();
	b = bo_new(d, cap[d] - EVICT_SIZE / 2, PUDGE_GEM_PLACE_VRAM);
	s->t[0][s->n] = now() - t0;
	/*
	 * pudge counts its evictions; qxl's shows as a fault on every page
	 * of the touch below (its mapping was torn down).
	 */
	if (d != QXL) {
		if (pudge_stats(fd, a, &st1))
			die("STATS", EIO);
		s->evictions += st1.evictions > st0.evictions;
	}
	count_start(&c, d, a);
	t0 = now();
	s->lost += check_marks(p, EVICT_SIZE, 0, 1);
	s->t[1][s->n] = now() - t0;
	count_end(&c, &s->c, d, a);
	if (d == QXL)
		s->evictions += s->c.minflt >= (long long)(EVICT_SIZE / 4096 / 16);
	bo_close(d, b);
	s->t[2][s->n] = NAN;
	if (d != QXL) {
		int ret;

		/*
		 * The move back alone: the worker clears the room B leaves
		 * first, off the clock, as it would while the client idles.
		 */
		wait_cleared();
		t0 = now();
		ret = pudge_bo_migrate(fd, a, PUDGE_GEM_PLACE_VRAM);
		s->t[2][s->n] = now() - t0;
		if (ret)
			die("GEM_MIGRATE back to VRAM", -ret);
		s->lost += check_marks(p, EVICT_SIZE, 1, 2);
	}
	s->n++;
	munmap((void *)p, EVICT_SIZE);
	bo_close(d, a);
}

/* The largest BO driver @d takes, to 2 MiB, by trying (qxl has no query). */
static uint64_t find_cap(enum drv d)
{
	uint64_t lo = 0, hi = GiB + 2 * MiB;

	if (d != QXL)
		return param(PUDGE_PARAM_VRAM_FREE);
	while (hi - lo > 2 * MiB) {
		uint64_t mid = (lo + hi) / 2 & ~(2 * MiB - 1);
		uint32_t h = 0;

		if (!bo_create(d, mid, 0, &h)) {
			bo_close(d, h);
			lo = mid;
		} else {
			hi = mid;
		}
	}
	return lo;
}

enum work { LIFE, TOUCH_256M, TOUCH_1G, EVICT, NWORK };
/* Units per repetition of each workload. */
static const int work_units[NWORK] = { 2, 1, 1, 1 };

struct unit {
	enum work w;
	enum drv d;
};

/* The samples a unit adds to. */
static struct samples *unit_samples(const struct unit *u)
{
	switch (u->w) {
	case LIFE:
		return &life[u->d];
	case TOUCH_256M:
		return &first[0][u->d];
	case TOUCH_1G:
		return &first[1][u->d];
	default:
		return &evict[u->d];
	}
}

/*
 * One unit.  In the counting pass its times and checks go to a scratch
 * copy, and only the counts are kept.
 */
static void run_unit(const struct unit *u)
{
	static struct samples scratch;
	struct samples *s = unit_samples(u);

	if (counting) {
		memset(&scratch, 0, sizeof(scratch));
		scratch.c = s->c;
		s = &scratch;
	}
	wait_cleared();
	if (u->d != QXL && pudge_module_param_set("max_map_order", drv_order[u->d]))
		die("set max_map_order", EACCES);
	switch (u->w) {
	case LIFE:
		life_unit(u->d, s);
		break;
	case TOUCH_256M:
		first_touch_unit(u->d, 0, s);
		break;
	case TOUCH_1G:
		first_touch_unit(u->d, 1, s);
		break;
	default:
		evict_unit(u->d, s);
		break;
	}
	if (counting) {
		unit_samples(u)->c = scratch.c;
		unit_samples(u)->lost += scratch.lost;
	}
}

static double med(struct samples *s, int ph)
{
	double v[MAX_SAMPLES];

	if (!s->n || isnan(s->t[ph][0]))
		return NAN;
	memcpy(v, s->t[ph], s->n * sizeof(v[0]));
	return median(v, s->n);
}

static FILE *csv;

static void csv_row(const char *work, const char *phase, enum drv d, double secs,
		    const struct counts *c)
{
	if (!csv || isnan(secs))
		return;
	fprintf(csv, "%s,%s,%s,%.6f,%lld,%lld,%lld\n", work, phase, drv_id[d], secs * 1e3,
		c ? c->minflt : -1, c ? c->entries : -1, c ? c->pte_bytes : -1);
}

static void print_life(void)
{
	double m[NDRV][LIFE_PHASES + 1];

	printf("\nWhole life of a 4 MiB BO, median of %d per phase (ms); counts of the touch\n\n",
	       life[QXL].n);
	printf("%-22s", "");
	for (int ph = 0; ph < LIFE_PHASES; ph++)
		printf(" %8s", life_phase[ph]);
	printf(" %8s %7s %8s %7s\n", "total", "faults", "entries", "VmPTE+");
	for (int d = 0; d < NDRV; d++) {
		m[d][LIFE_PHASES] = 0;
		printf("%-22s", drv_name[d]);
		for (int ph = 0; ph < LIFE_PHASES; ph++) {
			m[d][ph] = med(&life[d], ph);
			m[d][LIFE_PHASES] += m[d][ph];
			printf(" %8.3f", m[d][ph] * 1e3);
			csv_row("life-4MiB", life_phase[ph], d, m[d][ph], NULL);
		}
		csv_row("life-4MiB", "total", d, m[d][LIFE_PHASES], &life[d].c);
		printf(" %8.3f %7lld %8lld %4lldKiB\n", m[d][LIFE_PHASES] * 1e3,
		       life[d].c.minflt, life[d].c.entries, life[d].c.pte_bytes / 1024);
	}
	for (int d = PUDGE; d < NDRV; d++) {
		char label[64];

		snprintf(label, sizeof(label), "%s / qxl", drv_name[d]);
		printf("%-22s", label);
		for (int ph = 0; ph <= LIFE_PHASES; ph++)
			printf(" %7.2fx", m[d][ph] / m[QXL][ph]);
		printf("\n");
	}
}

/* "%7.2fx" of @a / @b, or "n/a" when qxl has no figure; a static buffer. */
static const char *ratio(double a, double b)
{
	static char buf[4][16];
	static int i;

	i = (i + 1) % 4;
	if (isnan(b))
		snprintf(buf[i], sizeof(buf[i]), "%8s", "n/a");
	else
		snprintf(buf[i], sizeof(buf[i]), "%7.2fx", a / b);
	return buf[i];
}

static void print_first(void)
{
	printf("\nFirst touch of every page of a new BO, then a second pass over it (ms),\n"
	       "median of %d; counts of the first touch\n\n", first[0][QXL].n);
	printf("%8s %-18s %10s %8s %10s %8s %7s %8s %9s\n", "size", "driver", "first", "vs qxl",
	       "again", "vs qxl", "faults", "entries", "VmPTE+");
	for (int w = 0; w < 2; w++) {
		double q0 = med(&first[w][QXL], 0), q1 = med(&first[w][QXL], 1);
		char work[32];

		snprintf(work, sizeof(work), "touch-%lluMiB",
			 (unsigned long long)(touch_size[w] / MiB));
		for (int d = 0; d < NDRV; d++) {
			struct samples *s = &first[w][d];
			double f = med(s, 0), a = med(s, 1);

			if (!s->n) {
				printf("%6lluMiB %-18s  does not fit: qxl takes BOs up to %llu MiB"
				       " (its VRAM is a 32-bit BAR)\n",
				       (unsigned long long)(touch_size[w] / MiB), drv_name[d],
				       (unsigned long long)(cap[d] / MiB));
				continue;
			}
			printf("%6lluMiB %-18s %10.2f %s %10.2f %s %7lld %8lld %6lldKiB\n",
			       (unsigned long long)(touch_size[w] / MiB), drv_name[d], f * 1e3,
			       ratio(f, q0), a * 1e3, ratio(a, q1), s->c.minflt, s->c.entries,
			       s->c.pte_bytes / 1024);
			csv_row(work, "first", d, f, &s->c);
			csv_row(work, "again", d, a, NULL);
		}
	}
}

static void print_evict(void)
{
	double q0 = med(&evict[QXL], 0), q1 = med(&evict[QXL], 1);

	printf("\nEviction round trip of a 64 MiB BO, median of %d (ms): a BO that needs its\n"
	       "room is created; the evicted BO is touched where it went; it is moved back\n"
	       "(pudge: GEM_MIGRATE, once its worker has cleared the room the other BO left;\n"
	       "qxl has no uapi for it). Every page checked each time.\n\n",
	       evict[QXL].n);
	printf("%-18s %9s %8s %9s %8s %9s %7s %8s %9s %6s\n", "driver", "evict", "vs qxl",
	       "touch", "vs qxl", "back", "faults", "entries", "evicted", "lost");
	for (int d = 0; d < NDRV; d++) {
		struct samples *s = &evict[d];
		double e = med(s, 0), t = med(s, 1), b = med(s, 2);

		printf("%-18s %9.2f %7.2fx %9.2f %7.2fx ", drv_name[d], e * 1e3, e / q0, t * 1e3,
		       t / q1);
		if (isnan(b))
			printf("%9s", "n/a");
		else
			printf("%9.2f", b * 1e3);
		printf(" %7lld %8lld %5lld/%-3d %6lld\n", s->c.minflt, s->c.entries, s->evictions,
		       s->n, s->lost);
		csv_row("evict-64MiB", "evict", d, e, NULL);
		csv_row("evict-64MiB", "touch-evicted", d, t, &s->c);
		csv_row("evict-64MiB", "back", d, b, NULL);
	}
}

/**
 * bench_qxl() - The workloads on pudge and qxl in one shuffled order.
 * @reps: repetitions of each workload per driver
 * @csv_path: where to write the medians as CSV, or NULL
 * @seed: the shuffle's seed; 0 takes one from the clock
 *
 * Return: 0, or 1 if a byte was lost or an eviction did not happen.
 */
int bench_qxl(int reps, const char *csv_path, unsigned int seed)
{
	struct unit *units;
	int n = 0, total = 0;
	bool bad = false;

	qxl_fd = open_qxl();
	if (qxl_fd < 0) {
		fprintf(stderr, "pudge-bench: no qxl device (QEMU -device qxl and the qxl module)\n");
		return 1;
	}
	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv)
			die(csv_path, errno);
		fprintf(csv, "workload,phase,driver,ms,faults,entries,vmpte_bytes\n");
	}
	if (!seed)
		seed = (unsigned int)(now() * 1e6);
	wait_cleared();
	for (int d = 0; d < NDRV; d++)
		cap[d] = find_cap(d);
	for (int w = 0; w < NWORK; w++)
		total += work_units[w] * reps * NDRV;
	units = calloc(total, sizeof(*units));
	if (!units)
		die("calloc", ENOMEM);
	for (int w = 0; w < NWORK; w++)
		for (int d = 0; d < NDRV; d++)
			for (int r = 0; r < work_units[w] * reps; r++)
				if (w != TOUCH_1G || cap[d] >= touch_size[1])
					units[n++] = (struct unit){ w, d };
	/* Fisher-Yates over all units of all drivers. */
	for (int i = n - 1; i > 0; i--) {
		int j = rand_r(&seed) % (i + 1);
		struct unit t = units[i];

		units[i] = units[j];
		units[j] = t;
	}
	printf("pudge beside qxl (stock TTM fault handler), one guest: %d units in a\n"
	       "shuffled order, seed %u (--seed replays it); largest BO: qxl %llu MiB,\n"
	       "pudge %llu MiB\n", n, seed, (unsigned long long)(cap[QXL] / MiB),
	       (unsigned long long)(cap[PUDGE] / MiB));
	fflush(stdout);
	for (int i = 0; i < n; i++)
		run_unit(&units[i]);
	free(units);
	/* qxl's entries: each workload once more, with the probe on. */
	counting = probe_set(true);
	for (int w = 0; counting && w < NWORK; w++)
		if (w != TOUCH_1G || cap[QXL] >= touch_size[1])
			run_unit(&(struct unit){ w, QXL });
	counting = probe_set(false);

	print_life();
	print_first();
	print_evict();
	for (int d = 0; d < NDRV; d++) {
		if (evict[d].lost || evict[d].evictions != evict[d].n) {
			printf("%s: %lld bytes lost, %lld of %d BOs evicted: FAILED\n",
			       drv_name[d], evict[d].lost, evict[d].evictions, evict[d].n);
			bad = true;
		}
	}
	if (csv)
		fclose(csv);
	close(qxl_fd);
	return bad;
}
