// SPDX-License-Identifier: MIT
/*
 * pudge-bench qxl: pudge beside a stock TTM driver, in one guest.
 *
 * qxl (QEMU's qxl device and the in-tree driver) maps its BOs through
 * TTM's own fault handler: 4 KiB PTEs, up to 16 pages per fault, no huge
 * entries.  It clears every new BO on creation: TTM bounces the new BO
 * through a zeroed system TT and memset_io()s its VRAM.  pudge clears
 * freed VRAM in a background worker; the whole-life table also charges
 * that work (the "amortised" column: each unit's wall time including the
 * wait for the worker to finish, per life).
 *
 * pudge runs twice: with huge entries, which on the stock 7.2 kernel of
 * make bench needs unsafe_orders (set for all of pudge-bench; the kernel
 * hazards keep them off by default), and capped at 4 KiB entries
 * (max_map_order=0), which is what that kernel gets by default.
 *
 * Each workload is cut into units, one unit on one driver, and all units
 * of all drivers run in one shuffled order (the seed is printed; --seed
 * replays it), so that the emulator's drift falls on every driver alike.
 * Before each unit pudge's clearing worker is let finish, so that it never
 * runs inside another driver's unit.  Counts come from the kernel:
 * getrusage() minor faults, VmPTE, pudge's STATS and, for qxl's PTEs, a
 * kprobe (probe_set()) in a separate untimed pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
static const char *const drv_name[NDRV] = { "qxl", "pudge, huge entries", "pudge, 4 KiB only" };
static const char *const drv_id[NDRV] = { "qxl", "pudge", "pudge-4k" };	/* in the CSV */
/* max_map_order for pudge's two rows: 1 GiB, and 4 KiB entries only. */
static const long long drv_order[NDRV] = { -1, 18, 0 };

static int qxl_fd = -1;
/* The largest BO each driver takes with nothing else of ours allocated. */
static uint64_t cap[NDRV];


static int bo_create(enum drv d, uint64_t size, uint32_t place, uint32_t *h)
{
	struct drm_qxl_alloc a = { .size = (uint32_t)size };

	if (d != QXL)
		return pudge_bo_create(fd, size, place, h, NULL);
	/* qxl_gem_object_create() takes an int size. */
	if (size > INT_MAX)
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
	char path[160], path2[160];

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
		/* One a killed run left behind would make the next add fail. */
		snprintf(path2, sizeof(path2), "%s/events/" PROBE "/enable", dirs[i]);
		append_line(path2, "0");
		append_line(path, "-:" PROBE "\n");
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

static void probe_off_at_exit(void)
{
	probe_set(false);
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
	c->pte0 = pudge_vm_pte_bytes();
	c->f0 = pudge_minor_faults();
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
#define MAX_UNITS 64
static const char *const life_phase[LIFE_PHASES + 1] = {
	"create", "mmap", "touch", "munmap", "close", "total",
};

/*
 * Samples of one driver in one workload: times per phase (t[LIFE_PHASES]
 * is each life's total), the counts of the first sample and whether a
 * later one differed.
 */
struct samples {
	double t[LIFE_PHASES + 1][MAX_SAMPLES];
	int n;
	struct counts c;
	bool counted, varied;
	/* life: per unit, wall time per life with the worker's clearing */
	double amortised[MAX_UNITS];
	int units;
	long long cleared_alloc, cleared_bg;
	/* evict */
	long long evictions, moved_back, lost;
};

static struct samples life[NDRV];
static struct samples first[2][NDRV];	/* 256 MiB, 1 GiB; phases: first, again */
static struct samples evict[NDRV];	/* phases: evict, touch there, back */
static const uint64_t touch_size[2] = { 256 * MiB, GiB };
#define EVICT_SIZE (64 * MiB)

/* Keep the first sample's counts; note when another differs. */
static void keep_counts(struct samples *s, const struct counts *c)
{
	if (!s->counted) {
		s->c = *c;
		s->counted = true;
	} else if (memcmp(&s->c, c, sizeof(*c))) {
		s->varied = true;
	}
}

static void device_stats(enum drv d, struct drm_pudge_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (d != QXL && pudge_stats(fd, 0, st))
		die("STATS", EIO);
}

/*
 * LIFE_PER_UNIT whole lives of a 4 MiB BO, then the wait for pudge's
 * worker to clear what they freed: that wait is in the unit's amortised
 * time, not in any phase.
 */
static void life_unit(enum drv d, struct samples *s)
{
	const uint64_t size = 4 * MiB;
	struct drm_pudge_stats st0, st1;
	double wall = 0, t0;
	int lives = 0;

	device_stats(d, &st0);
	for (int i = 0; i < LIFE_PER_UNIT && s->n < MAX_SAMPLES; i++, s->n++, lives++) {
		double t1, t2, t3, t4, t5;
		volatile uint8_t *p;
		struct counter c;
		struct counts got;
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
		/* Before any store to the samples: a page of them may fault. */
		count_end(&c, &got, d, h);
		keep_counts(s, &got);
		s->t[0][s->n] = t1 - t0;
		s->t[1][s->n] = t2 - t1;
		s->t[2][s->n] = t4 - t3;
		t3 = now();
		munmap((void *)p, size);
		t4 = now();
		bo_close(d, h);
		t5 = now();
		s->t[3][s->n] = t4 - t3;
		s->t[4][s->n] = t5 - t4;
		s->t[5][s->n] = 0;
		for (int ph = 0; ph < LIFE_PHASES; ph++)
			s->t[5][s->n] += s->t[ph][s->n];
		wall += s->t[5][s->n];
	}
	t0 = now();
	if (d != QXL)
		wait_cleared();
	wall += now() - t0;
	device_stats(d, &st1);
	if (lives && s->units < MAX_UNITS)
		s->amortised[s->units++] = wall / lives;
	s->cleared_alloc += st1.vram_cleared_alloc - st0.vram_cleared_alloc;
	s->cleared_bg += st1.vram_cleared_bg - st0.vram_cleared_bg;
}

/* A new BO of @size: its first touch, then a second pass (no faults). */
static void first_touch_unit(enum drv d, int which, struct samples *s)
{
	uint64_t size = touch_size[which];
	volatile uint8_t *p;
	struct counter c;
	struct counts got;
	double t0, t1;
	uint32_t h;

	h = bo_new(d, size, PUDGE_GEM_PLACE_VRAM);
	p = bo_map(d, h, size);
	count_start(&c, d, h);
	t0 = now();
	touch(p, size);
	t1 = now();
	count_end(&c, &got, d, h);
	keep_counts(s, &got);
	s->t[0][s->n] = t1 - t0;
	t0 = now();
	touch(p, size);
	s->t[1][s->n] = now() - t0;
	s->n++;
	munmap((void *)p, size);
	bo_close(d, h);
}

/*
 * A tag at both ends of every page: the page's index, the pass and a
 * constant, so that a page in another page's place, a page of another
 * pass or zeroes all show.
 */
static uint64_t tag(uint64_t page, int seq)
{
	return 0x9e3779b97f4a7c15ull ^ (page << 8) ^ (uint64_t)seq;
}

static void write_tags(volatile uint8_t *p, uint64_t size, int seq)
{
	for (uint64_t o = 0; o < size; o += 4096) {
		*(volatile uint64_t *)(p + o) = tag(o >> 12, seq);
		*(volatile uint64_t *)(p + o + 4088) = ~tag(o >> 12, seq);
	}
}

/* Check pass @seq's tags and write pass @next's; the pages that were wrong. */
static long long check_tags(volatile uint8_t *p, uint64_t size, int seq, int next)
{
	long long lost = 0;

	for (uint64_t o = 0; o < size; o += 4096) {
		volatile uint64_t *head = (volatile uint64_t *)(p + o);
		volatile uint64_t *tail = (volatile uint64_t *)(p + o + 4088);

		lost += *head != tag(o >> 12, seq) || *tail != ~tag(o >> 12, seq);
		*head = tag(o >> 12, next);
		*tail = ~tag(o >> 12, next);
	}
	return lost;
}

/*
 * A 64 MiB BO A, tagged, is pushed out by a BO B that needs its room; A is
 * touched where it went (every page's tags checked and rewritten); then,
 * on pudge, A is moved back to VRAM by GEM_MIGRATE and checked again.
 * B is the same size on every driver (qxl's room for BOs less 32 MiB):
 * on pudge an untimed filler BO, created after A so that A is the least
 * recently used, takes the rest of its larger VRAM.  qxl has no uapi that
 * moves a BO back: its BOs return to VRAM only when the driver pins them
 * for the device's own commands.
 */
static void evict_unit(enum drv d, struct samples *s)
{
	uint32_t place = PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM;
	uint64_t b_size = cap[QXL] - EVICT_SIZE / 2;
	struct drm_pudge_stats st0, st1;
	uint32_t a, b, filler = 0;
	volatile uint8_t *p;
	struct counter c;
	struct counts got;
	long long lost;
	double t0, t1;

	a = bo_new(d, EVICT_SIZE, place);
	p = bo_map(d, a, EVICT_SIZE);
	write_tags(p, EVICT_SIZE, 0);
	if (d != QXL) {
		if (cap[d] > cap[QXL])
			filler = bo_new(d, cap[d] - cap[QXL], PUDGE_GEM_PLACE_VRAM);
		wait_cleared();
		if (pudge_stats(fd, a, &st0))
			die("STATS", EIO);
	}
	t0 = now();
	b = bo_new(d, b_size, PUDGE_GEM_PLACE_VRAM);
	s->t[0][s->n] = now() - t0;
	/*
	 * pudge counts its evictions; qxl's shows as faults on the pages of
	 * the touch below (its mapping was torn down).
	 */
	if (d != QXL) {
		if (pudge_stats(fd, a, &st1))
			die("STATS", EIO);
		s->evictions += st1.evictions > st0.evictions;
	}
	count_start(&c, d, a);
	t0 = now();
	lost = check_tags(p, EVICT_SIZE, 0, 1);
	t1 = now();
	count_end(&c, &got, d, a);
	keep_counts(s, &got);
	s->lost += lost;
	s->t[1][s->n] = t1 - t0;
	if (d == QXL)
		s->evictions += got.minflt >= (long long)(EVICT_SIZE / 4096 / 16);
	bo_close(d, b);
	if (filler)
		bo_close(d, filler);
	s->t[2][s->n] = NAN;
	if (d != QXL) {
		int ret;

		/*
		 * The move back alone: the worker clears the room B and the
		 * filler leave first, off the clock.
		 */
		wait_cleared();
		if (pudge_stats(fd, a, &st0))
			die("STATS", EIO);
		t0 = now();
		ret = pudge_bo_migrate(fd, a, PUDGE_GEM_PLACE_VRAM);
		s->t[2][s->n] = now() - t0;
		if (ret)
			die("GEM_MIGRATE back to VRAM", -ret);
		if (pudge_stats(fd, a, &st1))
			die("STATS", EIO);
		s->moved_back += st1.moves > st0.moves;
		s->lost += check_tags(p, EVICT_SIZE, 1, 2);
	}
	s->n++;
	munmap((void *)p, EVICT_SIZE);
	bo_close(d, a);
}

/*
 * The largest BO driver @d takes, to 2 MiB, by trying: qxl has no query.
 * Any failure but "no room" ends the run.
 */
static uint64_t find_cap(enum drv d)
{
	uint64_t lo = 0, hi = 2 * GiB;

	if (d != QXL)
		return param(PUDGE_PARAM_VRAM_FREE);
	while (hi - lo > 2 * MiB) {
		uint64_t mid = (lo + hi) / 2 & ~(2 * MiB - 1);
		uint32_t h = 0;
		int ret = bo_create(d, mid, 0, &h);

		if (!ret) {
			bo_close(d, h);
			lo = mid;
		} else if (ret == -ENOMEM || ret == -ENOSPC || ret == -E2BIG) {
			hi = mid;
		} else {
			die("QXL_ALLOC (is another process DRM master of qxl?)", -ret);
		}
	}
	return lo;
}

enum work { LIFE, TOUCH_256M, TOUCH_1G, EVICT, NWORK };
static const char *const work_name[NWORK] = {
	"4 MiB whole life", "256 MiB first touch", "1 GiB first touch", "64 MiB eviction",
};
/* Units per repetition of each workload. */
static const int work_units[NWORK] = { 2, 1, 1, 1 };

/* The room a workload needs on driver @d. */
static bool fits(enum work w, enum drv d)
{
	switch (w) {
	case LIFE:
		return cap[d] >= 4 * MiB;
	case TOUCH_256M:
		return cap[d] >= touch_size[0];
	case TOUCH_1G:
		return cap[d] >= touch_size[1];
	default:
		/* B must not fit beside A; on pudge a filler makes up the rest. */
		return cap[QXL] >= 2 * EVICT_SIZE && cap[QXL] < 2 * GiB && cap[d] >= cap[QXL];
	}
}

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
 * One unit.  In the counting pass (qxl, with the probe on) its times go
 * to a scratch copy, and only the counts and the data checks are kept.
 */
static void run_unit(const struct unit *u)
{
	static struct samples scratch;
	struct samples *s = unit_samples(u);
	int ret;

	if (counting) {
		memset(&scratch, 0, sizeof(scratch));
		s = &scratch;
	}
	wait_cleared();
	if (u->d != QXL) {
		ret = pudge_module_param_set("max_map_order", drv_order[u->d]);
		if (ret)
			die("set max_map_order", -ret);
	}
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
		struct samples *real = unit_samples(u);

		real->c = scratch.c;
		real->varied = scratch.varied;
		real->counted = scratch.counted;
		real->lost += scratch.lost;
	}
}

/* The median of phase @ph's samples; NaN when there are none. */
static double med(struct samples *s, int ph)
{
	static double v[MAX_SAMPLES];

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

/* "%7.2fx" of @a / @b, or "n/a" when qxl has no figure; a static buffer. */
static const char *ratio(double a, double b)
{
	static char buf[4][16];
	static int i;

	i = (i + 1) % 4;
	if (isnan(b) || isnan(a))
		snprintf(buf[i], sizeof(buf[i]), "%8s", "n/a");
	else
		snprintf(buf[i], sizeof(buf[i]), "%7.2fx", a / b);
	return buf[i];
}

/* Counts, "?" where the kernel gave none; "*" when samples differed. */
static void print_counts(const struct samples *s)
{
	if (s->c.entries < 0)
		printf(" %7lld %8s %5lldKiB", s->c.minflt, "?", s->c.pte_bytes / 1024);
	else
		printf(" %7lld %8lld %5lldKiB", s->c.minflt, s->c.entries,
		       s->c.pte_bytes / 1024);
	printf("%s\n", s->varied ? " *" : "");
}

static void print_life(void)
{
	double m[NDRV][LIFE_PHASES + 2];

	printf("\nWhole life of a 4 MiB BO (ms): median of %d per phase and of the lives'\n"
	       "totals; amortised: each unit of %d lives by wall time, with the wait for\n"
	       "pudge's worker to clear what they freed, per life (median of %d units)\n\n",
	       life[QXL].n, LIFE_PER_UNIT, life[QXL].units);
	printf("%-20s", "");
	for (int ph = 0; ph <= LIFE_PHASES; ph++)
		printf(" %8s", life_phase[ph]);
	printf(" %9s %7s %8s %8s\n", "amortised", "faults", "entries", "VmPTE+");
	for (int d = 0; d < NDRV; d++) {
		struct samples *s = &life[d];

		printf("%-20s", drv_name[d]);
		for (int ph = 0; ph <= LIFE_PHASES; ph++) {
			m[d][ph] = med(s, ph);
			printf(" %8.3f", m[d][ph] * 1e3);
			csv_row("life-4MiB", life_phase[ph], d, m[d][ph],
				ph == LIFE_PHASES ? &s->c : NULL);
		}
		m[d][LIFE_PHASES + 1] = s->units ? median(s->amortised, s->units) : NAN;
		csv_row("life-4MiB", "amortised", d, m[d][LIFE_PHASES + 1], NULL);
		printf(" %9.3f", m[d][LIFE_PHASES + 1] * 1e3);
		print_counts(s);
	}
	for (int d = PUDGE; d < NDRV; d++) {
		char label[64];

		snprintf(label, sizeof(label), "%s / qxl", d == PUDGE ? "huge" : "4 KiB only");
		printf("%-20s", label);
		for (int ph = 0; ph <= LIFE_PHASES + 1; ph++)
			printf(" %s", ratio(m[d][ph], m[QXL][ph]));
		printf("\n");
	}
	for (int d = PUDGE; d < NDRV; d++)
		printf("%s: VRAM cleared per life: %.0f KiB on create, %.0f KiB by the worker\n",
		       drv_name[d], life[d].n ? life[d].cleared_alloc / 1024.0 / life[d].n : 0,
		       life[d].n ? life[d].cleared_bg / 1024.0 / life[d].n : 0);
}

static void print_first(void)
{
	printf("\nFirst touch of every page of a new BO, then a second pass over it (ms),\n"
	       "median of %d; counts of the first touch\n\n", first[0][QXL].n);
	printf("%8s %-20s %9s %8s %9s %8s %7s %8s %8s\n", "size", "driver", "first", "vs qxl",
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
				printf("%6lluMiB %-20s does not fit: it takes BOs up to %llu MiB%s\n",
				       (unsigned long long)(touch_size[w] / MiB), drv_name[d],
				       (unsigned long long)(cap[d] / MiB),
				       d == QXL ? " (its VRAM is a 32-bit BAR)" : "");
				continue;
			}
			printf("%6lluMiB %-20s %9.2f %s %9.2f %s",
			       (unsigned long long)(touch_size[w] / MiB), drv_name[d], f * 1e3,
			       ratio(f, q0), a * 1e3, ratio(a, q1));
			print_counts(s);
			csv_row(work, "first", d, f, &s->c);
			csv_row(work, "again", d, a, NULL);
		}
	}
}

static void print_evict(void)
{
	double q0 = med(&evict[QXL], 0), q1 = med(&evict[QXL], 1);

	printf("\nEviction round trip of a 64 MiB BO A, median of %d (ms): evict = creating\n"
	       "a %llu MiB BO that needs A's room (the same size on both drivers; qxl clears\n"
	       "it on creation, pudge takes cleared VRAM); touch = every page of A where it\n"
	       "went; back = GEM_MIGRATE to VRAM (qxl has no uapi for it). Every page's\n"
	       "tags checked after each step; counts of the touch\n\n",
	       evict[QXL].n, (unsigned long long)((cap[QXL] - EVICT_SIZE / 2) / MiB));
	printf("%-20s %9s %8s %9s %8s %9s %7s %7s %7s %7s %8s %8s\n", "driver", "evict", "vs qxl",
	       "touch", "vs qxl", "back", "evicted", "back", "lost", "faults", "entries", "VmPTE+");
	for (int d = 0; d < NDRV; d++) {
		struct samples *s = &evict[d];
		double e = med(s, 0), t = med(s, 1), b = med(s, 2);

		if (!s->n) {
			printf("%-20s not run: qxl's room (%llu MiB) does not suit it\n",
			       drv_name[d], (unsigned long long)(cap[QXL] / MiB));
			continue;
		}
		printf("%-20s %9.2f %s %9.2f %s ", drv_name[d], e * 1e3, ratio(e, q0), t * 1e3,
		       ratio(t, q1));
		if (isnan(b))
			printf("%9s %4s/%-2d", "n/a", "-", s->n);
		else
			printf("%9.2f %4lld/%-2d", b * 1e3, s->moved_back, s->n);
		printf(" %4lld/%-2d %7lld", s->evictions, s->n, s->lost);
		print_counts(s);
		csv_row("evict-64MiB", "evict", d, e, NULL);
		csv_row("evict-64MiB", "touch-evicted", d, t, &s->c);
		csv_row("evict-64MiB", "back", d, b, NULL);
	}
}

/* A failure of what the run must show: a lost page, a missed move or count. */
static bool verdict(void)
{
	bool bad = false;

	for (int d = 0; d < NDRV; d++) {
		struct samples *s = &evict[d];

		if (s->lost || s->evictions != s->n || (d != QXL && s->moved_back != s->n)) {
			printf("FAILED: %s: %lld pages lost, %lld of %d BOs evicted, %lld moved back\n",
			       drv_name[d], s->lost, s->evictions, s->n, s->moved_back);
			bad = true;
		}
	}
	if (life[QXL].c.entries < 0) {
		printf("FAILED: no count of qxl's entries (kprobe on vmf_insert_pfn_prot)\n");
		bad = true;
	}
	return bad;
}

/**
 * bench_qxl() - The workloads on pudge and qxl in one shuffled order.
 * @reps: repetitions of each workload per driver
 * @csv_path: where to write the medians as CSV, or NULL
 * @seed: the shuffle's seed
 *
 * Return: 0, or 1 if a page was lost, an eviction or move did not happen,
 * or qxl's entries could not be counted.
 */
int bench_qxl(int reps, const char *csv_path, unsigned int seed)
{
	unsigned int state = seed;
	struct unit *units;
	int n = 0, total = 0, ret;
	bool bad;

	qxl_fd = pudge_open_driver_card("qxl");	/* qxl has no render node */
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
	/* A run that died with the worker paused would make every wait time out. */
	ret = pudge_module_param_set("vram_clear_pause", 0);
	if (ret)
		die("set vram_clear_pause", -ret);
	atexit(probe_off_at_exit);
	wait_cleared();
	for (int d = 0; d < NDRV; d++)
		cap[d] = find_cap(d);
	for (int w = 0; w < NWORK; w++)
		total += work_units[w] * reps * NDRV;
	units = calloc(total, sizeof(*units));
	if (!units)
		die("calloc", ENOMEM);
	for (int w = 0; w < NWORK; w++) {
		for (int d = 0; d < NDRV; d++) {
			if (!fits(w, d))
				continue;
			for (int r = 0; r < work_units[w] * reps; r++)
				units[n++] = (struct unit){ w, d };
		}
	}
	printf("pudge beside qxl (stock TTM fault handler), one guest: %d units in a\n"
	       "shuffled order, seed %u (--seed %u replays it); largest BO: qxl %llu MiB,\n"
	       "pudge %llu MiB\n", n, seed, seed, (unsigned long long)(cap[QXL] / MiB),
	       (unsigned long long)(cap[PUDGE] / MiB));
	for (int w = 0; w < NWORK; w++)
		for (int d = 0; d < NDRV; d++)
			if (!fits(w, d))
				printf("not run: %s on %s (too little room)\n", work_name[w],
				       drv_name[d]);
	fflush(stdout);
	/* Fisher-Yates over all units of all drivers. */
	for (int i = n - 1; i > 0; i--) {
		int j = rand_r(&state) % (i + 1);
		struct unit t = units[i];

		units[i] = units[j];
		units[j] = t;
	}
	for (int i = 0; i < n; i++)
		run_unit(&units[i]);
	free(units);
	/* qxl's entries: each workload once more, untimed, with the probe on. */
	counting = probe_set(true);
	for (int w = 0; counting && w < NWORK; w++)
		if (fits(w, QXL))
			run_unit(&(struct unit){ w, QXL });
	counting = probe_set(false);

	print_life();
	print_first();
	print_evict();
	printf("\nCounts: the kernel's minor faults and VmPTE growth; entries: pudge's STATS,\n"
	       "qxl's from a kprobe on vmf_insert_pfn_prot in an untimed pass; * = samples\n"
	       "differed (the first shown)\n");
	bad = verdict();
	if (csv)
		fclose(csv);
	close(qxl_fd);
	return bad;
}
