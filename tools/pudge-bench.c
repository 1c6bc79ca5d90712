// SPDX-License-Identifier: MIT
/*
 * pudge-bench: what huge VRAM mappings buy, measured side by side.
 *
 *   pudge-bench mmap [--csv FILE] [--reps N]
 *	For VRAM BOs of 4 MiB .. 1 GiB and each order cap (4 KiB, 2 MiB,
 *	1 GiB): faults (pudge's counter and the kernel's minor-fault count),
 *	entries inserted per level, page-table bytes (VmPTE growth) and
 *	first-touch time.
 *   pudge-bench shared [--procs N] [--procs-4k N]
 *	N processes each map the same 1 GiB BO and touch all of it: total
 *	page-table memory per mode.
 *   pudge-bench life [--reps N]
 *	The whole life of a 4 MiB VRAM BO (create, mmap, one store per
 *	page, munmap, close), phase by phase, on VRAM cleared in the
 *	background and with the clearing held back (vram_clear_pause), as
 *	it was before: each create then clears on the allocation path.
 *	Bytes cleared per create come from the kernel's counters.
 *   pudge-bench system [--reps N]
 *	First touch of 256 MiB and 1 GiB BOs in system memory, 2 MiB
 *	entries allowed and capped, beside the same VRAM BO in 1 GiB mode.
 *   pudge-bench qxl [--reps N] [--csv FILE] [--seed N]
 *	The same workloads on pudge and on qxl, an in-tree driver on stock
 *	TTM faulting, in one shuffled order: a 4 MiB BO's whole life phase
 *	by phase, first touch of 256 MiB and 1 GiB BOs, an eviction round
 *	trip (pudge-bench-qxl.c).  Needs QEMU's qxl device.
 *   pudge-bench svm [--size MiB] [--reps N]
 *	SVM_MIGRATE throughput both ways for 4 KiB pages and 2 MiB THPs,
 *	beside memcpy of the same size in the same process, and the latency
 *	of a CPU fault that brings memory back from VRAM.
 *
 * Every count comes from the kernel: DRM_IOCTL_PUDGE_STATS, getrusage()
 * and /proc/self/status.  The order cap is the max_map_order module
 * parameter, so this needs root.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pudge-bench.h"

static const struct {
	const char *name;
	long long cap;
} modes[] = { { "4K", 0 }, { "2M", 9 }, { "1G", 18 } };
#define NMODES 3

int fd;

void die(const char *what, int err)
{
	fprintf(stderr, "pudge-bench: %s: %s\n", what, strerror(err));
	exit(1);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_mode(int m)
{
	int ret = pudge_module_param_set("max_map_order", modes[m].cap);

	if (ret)
		die("set max_map_order", -ret);
}

static uint32_t new_bo_at(uint64_t size, uint32_t place)
{
	uint32_t h;
	int ret = pudge_bo_create(fd, size, place, &h, NULL);

	if (ret)
		die("GEM_CREATE", -ret);
	return h;
}

static uint32_t new_bo(uint64_t size)
{
	return new_bo_at(size, PUDGE_GEM_PLACE_VRAM);
}

volatile uint8_t *map_bo(uint32_t h, uint64_t size)
{
	void *p = pudge_bo_map(fd, h, 0, size, PROT_READ | PROT_WRITE);

	if (p == MAP_FAILED)
		die("mmap", errno);
	return p;
}

void touch(volatile uint8_t *p, uint64_t size)
{
	for (uint64_t o = 0; o < size; o += 4096)
		p[o] = 1;
}

struct mmap_result {
	double secs, fault_secs;
	long long minflt, pte_bytes;
	struct drm_pudge_stats st;
};

/* One measurement: a fresh BO and mapping, every page touched once. */
static struct mmap_result measure_at(uint64_t size, uint32_t place)
{
	struct mmap_result r;
	struct drm_pudge_stats s0;
	uint32_t h = new_bo_at(size, place);
	volatile uint8_t *p;
	long long f0, pte0;
	double t0;

	pudge_stats(fd, h, &s0);
	p = map_bo(h, size);
	pte0 = pudge_vm_pte_bytes();
	f0 = pudge_minor_faults();
	t0 = now();
	p[0] = 1;		/* the one fault that maps the whole run */
	r.fault_secs = now() - t0;
	touch(p, size);
	r.secs = now() - t0;
	r.minflt = pudge_minor_faults() - f0;
	r.pte_bytes = pudge_vm_pte_bytes() - pte0;
	pudge_stats(fd, h, &r.st);
	munmap((void *)p, size);
	pudge_bo_close(fd, h);
	return r;
}

/*
 * Touch of a new mapping of a BO already populated (and mapped once):
 * the faulting alone, without allocating and zeroing pages.
 */
static struct mmap_result measure_retouch(uint64_t size, uint32_t place)
{
	struct mmap_result r;
	struct drm_pudge_stats s0;
	uint32_t h = new_bo_at(size, place);
	volatile uint8_t *p = map_bo(h, size);
	long long pte0;
	double t0;

	touch(p, size);
	munmap((void *)p, size);
	pudge_stats(fd, h, &s0);
	p = map_bo(h, size);
	pte0 = pudge_vm_pte_bytes();
	t0 = now();
	touch(p, size);
	r.secs = now() - t0;
	r.pte_bytes = pudge_vm_pte_bytes() - pte0;
	pudge_stats(fd, h, &r.st);
	r.st.faults -= s0.faults;
	r.st.pmd_inserted -= s0.pmd_inserted;
	r.st.pte_inserted -= s0.pte_inserted;
	munmap((void *)p, size);
	pudge_bo_close(fd, h);
	return r;
}

static struct mmap_result measure(uint64_t size)
{
	return measure_at(size, PUDGE_GEM_PLACE_VRAM);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the @n values in @v, which it sorts. */
double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int bench_mmap(const char *csv_path, int reps)
{
	static const uint64_t sizes[] = { 4 * MiB, 16 * MiB, 64 * MiB, 256 * MiB, GiB };
	FILE *csv = csv_path ? fopen(csv_path, "w") : NULL;

	if (csv_path && !csv)
		die(csv_path, errno);
	if (csv)
		fprintf(csv, "size_mib mode faults minflt pud pmd pte vmpte_bytes secs fault_secs\n");
	printf("First touch of every page of a VRAM BO mapped at its natural alignment\n");
	printf("(median of %d runs; faults = pudge's counter, minflt = the kernel's)\n\n", reps);
	printf("(fault = the first access, which maps the whole run; touch = all pages)\n\n");
	printf("%8s %4s %7s %7s %4s %5s %7s %11s %10s %8s %10s %8s\n", "size", "mode",
	       "faults", "minflt", "PUD", "PMD", "PTE", "VmPTE+", "fault(ms)", "vs 4K",
	       "touch(ms)", "vs 4K");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double base = 0, base_fault = 0;

		for (int m = 0; m < NMODES; m++) {
			double t[16], ft[16];
			struct mmap_result r = { 0 };

			set_mode(m);
			for (int i = 0; i < reps; i++) {
				r = measure(sizes[s]);
				t[i] = r.secs;
				ft[i] = r.fault_secs;
			}
			r.secs = median(t, reps);
			r.fault_secs = median(ft, reps);
			if (m == 0) {
				base = r.secs;
				base_fault = r.fault_secs;
			}
			printf("%6lluMiB %4s %7llu %7lld %4llu %5llu %7llu %9lldKiB %10.3f %7.0fx %10.2f %7.1fx\n",
			       (unsigned long long)(sizes[s] / MiB), modes[m].name,
			       (unsigned long long)r.st.faults, r.minflt,
			       (unsigned long long)r.st.pud_inserted,
			       (unsigned long long)r.st.pmd_inserted,
			       (unsigned long long)r.st.pte_inserted, r.pte_bytes / 1024,
			       r.fault_secs * 1e3, base_fault / r.fault_secs,
			       r.secs * 1e3, base / r.secs);
			if (csv)
				fprintf(csv, "%llu %s %llu %lld %llu %llu %llu %lld %.6f %.6f\n",
					(unsigned long long)(sizes[s] / MiB), modes[m].name,
					(unsigned long long)r.st.faults, r.minflt,
					(unsigned long long)r.st.pud_inserted,
					(unsigned long long)r.st.pmd_inserted,
					(unsigned long long)r.st.pte_inserted, r.pte_bytes, r.secs,
					r.fault_secs);
		}
	}
	if (csv)
		fclose(csv);
	return 0;
}

/*
 * N children each map the shared BO, touch it, report their VmPTE growth
 * through a pipe, and stay alive until all have, so that all N mappings
 * exist at once.
 */
static long long shared_run(uint32_t h, int procs, long long *faults)
{
	int report[2], hold[2];
	long long total = 0;
	struct drm_pudge_stats s0, s1;

	if (pipe(report) || pipe(hold))
		die("pipe", errno);
	pudge_stats(fd, h, &s0);
	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork", errno);
		if (pid == 0) {
			volatile uint8_t *p;
			long long pte0, d;
			char c;

			close(report[0]);
			close(hold[1]);
			pte0 = pudge_vm_pte_bytes();
			p = map_bo(h, GiB);
			touch(p, GiB);
			d = pudge_vm_pte_bytes() - pte0;
			if (write(report[1], &d, sizeof(d)) != sizeof(d))
				_exit(1);
			if (read(hold[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
	}
	close(report[1]);
	close(hold[0]);
	for (int i = 0; i < procs; i++) {
		long long d;

		if (read(report[0], &d, sizeof(d)) != sizeof(d))
			die("child report", EIO);
		total += d;
	}
	pudge_stats(fd, h, &s1);
	*faults = s1.faults - s0.faults;
	close(hold[1]);		/* all children exit now */
	while (wait(NULL) > 0)
		;
	close(report[0]);
	return total;
}

static int bench_shared(int procs, int procs_4k)
{
	uint32_t h = new_bo(GiB);

	printf("\n%d processes each mapping the same 1 GiB VRAM BO and touching all of it\n",
	       procs);
	printf("(page-table bytes = sum of the processes' VmPTE growth)\n\n");
	printf("%4s %6s %9s %14s %16s %16s\n", "mode", "procs", "faults", "page tables",
	       "per process", "for 1000 procs");
	for (int m = 0; m < NMODES; m++) {
		int n = m == 0 ? procs_4k : procs;
		long long faults, total;

		set_mode(m);
		total = shared_run(h, n, &faults);
		printf("%4s %6d %9lld %11.2f MiB %13.1f KiB %13.1f MiB%s\n", modes[m].name, n,
		       faults, total / (double)MiB, total / 1024.0 / n,
		       total / (double)MiB / n * 1000, n == 1000 ? "" : " (scaled)");
	}
	pudge_bo_close(fd, h);
	return 0;
}

/* Anonymous memory, 2 MiB-aligned, populated, backed by THPs or not. */
static uint8_t *svm_anon(uint64_t size, bool thp)
{
	uint8_t *p = pudge_map_anon(size, thp);

	if (!p)
		die("anonymous mapping", errno);
	memset(p, 0x5a, size);
	return p;
}

static double svm_move(uint8_t *p, uint64_t size, uint32_t place, bool want_thp)
{
	struct drm_pudge_svm_migrate m;
	double t = now();
	int ret = pudge_svm_migrate(fd, p, size, place, &m);

	t = now() - t;
	if (ret)
		die("SVM_MIGRATE", -ret);
	if (m.moved != size >> 12 || (want_thp && m.moved_thp != m.moved) ||
	    (!want_thp && m.moved_thp)) {
		fprintf(stderr, "pudge-bench: moved %llu of %llu pages, %llu as THP\n",
			(unsigned long long)m.moved, (unsigned long long)size >> 12,
			(unsigned long long)m.moved_thp);
		exit(1);
	}
	return t;
}

/* Seconds per CPU fault that brings a 4 KiB page or a 2 MiB THP back. */
static double svm_fault_back(uint8_t *p, uint64_t size, uint64_t step)
{
	volatile uint8_t *v = p;
	struct drm_pudge_stats s0, s1;
	double t;
	uint8_t sum = 0;

	pudge_stats(fd, 0, &s0);
	t = now();
	for (uint64_t o = 0; o < size; o += step)
		sum += v[o];
	t = now() - t;
	pudge_stats(fd, 0, &s1);
	if (sum != (uint8_t)(0x5a * (size / step)) ||
	    s1.svm_cpu_faults - s0.svm_cpu_faults != size / step) {
		fprintf(stderr, "pudge-bench: %llu faults for %llu steps\n",
			(unsigned long long)(s1.svm_cpu_faults - s0.svm_cpu_faults),
			(unsigned long long)(size / step));
		exit(1);
	}
	return t / (size / step);
}

static int bench_svm(uint64_t size, int reps)
{
	double cp[16], to[2][16], back[2][16], fault[2][16];
	struct drm_pudge_stats s0, s1;
	uint64_t features = 0;
	uint8_t *src, *dst;

	if (pudge_get_param(fd, PUDGE_PARAM_FEATURES, &features) ||
	    !(features & PUDGE_FEATURE_SVM_THP)) {
		printf("SVM with 2 MiB units unavailable on this kernel (features %#llx)\n",
		       (unsigned long long)features);
		return 0;
	}
	src = svm_anon(size, true);
	dst = svm_anon(size, true);
	pudge_stats(fd, 0, &s0);
	/*
	 * Round 0 is a warm-up and not counted: the first pass over VRAM in a
	 * fresh TCG guest is several times slower than the next ones.
	 */
	for (int r = -1; r < reps; r++) {
		double t = now();

		memcpy(dst, src, size);
		if (r < 0) {
			for (int thp = 0; thp < 2; thp++) {
				uint8_t *p = svm_anon(size, thp);

				svm_move(p, size, PUDGE_GEM_PLACE_VRAM, thp);
				svm_move(p, size, PUDGE_GEM_PLACE_SYSTEM, thp);
				munmap(p, size);
			}
			continue;
		}
		cp[r] = now() - t;
		for (int thp = 0; thp < 2; thp++) {
			uint8_t *p = svm_anon(size, thp);

			to[thp][r] = svm_move(p, size, PUDGE_GEM_PLACE_VRAM, thp);
			back[thp][r] = svm_move(p, size, PUDGE_GEM_PLACE_SYSTEM, thp);
			svm_move(p, size, PUDGE_GEM_PLACE_VRAM, thp);
			fault[thp][r] = svm_fault_back(p, size, thp ? 2 * MiB : 4096);
			munmap(p, size);
		}
	}
	pudge_stats(fd, 0, &s1);
	munmap(src, size);
	munmap(dst, size);

	double mb = size / (double)MiB, c = median(cp, reps);
	double t4 = median(to[0], reps), t2 = median(to[1], reps);
	double b4 = median(back[0], reps), b2 = median(back[1], reps);

	printf("\nSVM_MIGRATE of %llu MiB of populated anonymous memory, median of %d after a warm-up round\n",
	       (unsigned long long)size >> 20, reps);
	printf("(kernel counters over the run: %llu THP moves, %llu 4 KiB page moves, %llu CPU faults)\n\n",
	       (unsigned long long)(s1.svm_thp_moves - s0.svm_thp_moves),
	       (unsigned long long)(s1.svm_page_moves - s0.svm_page_moves),
	       (unsigned long long)(s1.svm_cpu_faults - s0.svm_cpu_faults));
	printf("%-22s %10s %12s %12s\n", "path", "MiB/s", "vs 4 KiB", "vs memcpy");
	printf("%-22s %10.0f %12s %11.2fx\n", "memcpy", mb / c, "", 1.0);
	printf("%-22s %10.0f %11.2fx %11.2fx\n", "to VRAM, 4 KiB pages", mb / t4, 1.0, c / t4);
	printf("%-22s %10.0f %11.2fx %11.2fx\n", "to VRAM, 2 MiB THPs", mb / t2, t4 / t2, c / t2);
	printf("%-22s %10.0f %11.2fx %11.2fx\n", "to RAM, 4 KiB pages", mb / b4, 1.0, c / b4);
	printf("%-22s %10.0f %11.2fx %11.2fx\n", "to RAM, 2 MiB THPs", mb / b2, b4 / b2, c / b2);
	printf("\nCPU fault back from VRAM: %.1f us per 4 KiB page, %.1f us per 2 MiB THP "
	       "(%.1f us per 4 KiB of it)\n",
	       median(fault[0], reps) * 1e6, median(fault[1], reps) * 1e6,
	       median(fault[1], reps) * 1e6 / 512);
	return 0;
}

uint64_t param(uint32_t p)
{
	uint64_t v = 0;
	int ret = pudge_get_param(fd, p, &v);

	if (ret)
		die("GET_PARAM", -ret);
	return v;
}

void wait_cleared(void)
{
	for (int i = 0; param(PUDGE_PARAM_VRAM_CLEAR_PENDING); i++) {
		if (i == 12000)
			die("VRAM still queued for clearing after 2 minutes (vram_clear_pause?)",
			    ETIMEDOUT);
		usleep(10 * 1000);
	}
}

#define LIFE_PHASES 5
static const char *const life_phase[LIFE_PHASES] = {
	"create", "mmap", "touch", "munmap", "close",
};

/* @reps whole lives of a 4 MiB BO; medians per phase in @med (seconds). */
static void life_loop(int reps, double *med, double *cleared_per_create)
{
	const uint64_t size = 4 * MiB;
	static double t[LIFE_PHASES][1024];
	struct drm_pudge_stats s0, s1;

	pudge_stats(fd, 0, &s0);
	for (int i = 0; i < reps; i++) {
		double t0 = now(), t1, t2, t3, t4;
		uint32_t h = new_bo(size);
		volatile uint8_t *p;

		t1 = now();
		p = map_bo(h, size);
		t2 = now();
		touch(p, size);
		t3 = now();
		munmap((void *)p, size);
		t4 = now();
		pudge_bo_close(fd, h);
		t[0][i] = t1 - t0;
		t[1][i] = t2 - t1;
		t[2][i] = t3 - t2;
		t[3][i] = t4 - t3;
		t[4][i] = now() - t4;
	}
	pudge_stats(fd, 0, &s1);
	for (int ph = 0; ph < LIFE_PHASES; ph++)
		med[ph] = median(t[ph], reps);
	*cleared_per_create = (double)(s1.vram_cleared_alloc - s0.vram_cleared_alloc) / reps;
}

static int bench_life(int reps)
{
	double cleared[LIFE_PHASES], held[LIFE_PHASES], c_bytes, h_bytes, ct = 0, ht = 0;
	uint32_t h;

	reps *= 64;
	/* Pre-cleared: the worker has cleared all free VRAM. */
	wait_cleared();
	life_loop(reps, cleared, &c_bytes);
	/*
	 * Held back, as before background clearing: free VRAM is not
	 * cleared, so each create clears its 4 MiB itself.
	 */
	if (pudge_module_param_set("vram_clear_pause", 1))
		die("set vram_clear_pause", EACCES);
	h = new_bo(param(PUDGE_PARAM_VRAM_FREE));	/* all of VRAM, then dirty */
	pudge_bo_close(fd, h);
	life_loop(reps, held, &h_bytes);
	pudge_module_param_set("vram_clear_pause", 0);

	printf("\nWhole life of a 4 MiB VRAM BO, median of %d per phase (ms)\n\n", reps);
	printf("%-34s", "");
	for (int ph = 0; ph < LIFE_PHASES; ph++)
		printf(" %8s", life_phase[ph]);
	printf(" %8s %14s\n", "total", "cleared/create");
	printf("%-34s", "VRAM cleared in the background");
	for (int ph = 0; ph < LIFE_PHASES; ph++)
		printf(" %8.3f", cleared[ph] * 1e3), ct += cleared[ph];
	printf(" %8.3f %11.0f KiB\n", ct * 1e3, c_bytes / 1024);
	printf("%-34s", "cleared on create (as before)");
	for (int ph = 0; ph < LIFE_PHASES; ph++)
		printf(" %8.3f", held[ph] * 1e3), ht += held[ph];
	printf(" %8.3f %11.0f KiB\n", ht * 1e3, h_bytes / 1024);
	printf("%-34s", "ratio");
	for (int ph = 0; ph < LIFE_PHASES; ph++)
		printf(" %7.2fx", cleared[ph] / held[ph]);
	printf(" %7.2fx\n", ct / ht);
	return 0;
}

static int bench_system(int reps)
{
	static const uint64_t sizes[] = { 256 * MiB, GiB };

	printf("\nFirst touch of every page of a BO in system memory, beside VRAM in 1 GiB mode\n");
	printf("(median of %d; entries from pudge's counters, VmPTE growth from the kernel)\n\n",
	       reps);
	printf("(first: a new BO, pages allocated and zeroed on the way; again: a new mapping\n"
	       " of the same BO, faulting only)\n\n");
	printf("%8s %-22s %7s %5s %7s %10s %10s %8s %10s %8s\n", "size", "placement", "faults",
	       "PMD", "PTE", "VmPTE+", "first(ms)", "vs VRAM", "again(ms)", "vs VRAM");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		static const struct {
			const char *name;
			uint32_t place;
			long long cap;
		} rows[] = {
			{ "VRAM, 1 GiB mode", PUDGE_GEM_PLACE_VRAM, 18 },
			{ "system, 2 MiB entries", PUDGE_GEM_PLACE_SYSTEM, 18 },
			{ "system, 4 KiB only", PUDGE_GEM_PLACE_SYSTEM, 0 },
		};
		double vram = 0, vram_again = 0;

		for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
			struct mmap_result m = { 0 }, a = { 0 };
			double t[16], ta[16];

			if (pudge_module_param_set("max_map_order", rows[r].cap))
				die("set max_map_order", EACCES);
			for (int k = 0; k < reps; k++) {
				m = measure_at(sizes[i], rows[r].place);
				t[k] = m.secs;
				a = measure_retouch(sizes[i], rows[r].place);
				ta[k] = a.secs;
			}
			m.secs = median(t, reps);
			a.secs = median(ta, reps);
			if (!r) {
				vram = m.secs;
				vram_again = a.secs;
			}
			printf("%6lluMiB %-22s %7llu %5llu %7llu %7lldKiB %10.2f %7.2fx %10.2f %7.2fx\n",
			       (unsigned long long)(sizes[i] / MiB), rows[r].name,
			       (unsigned long long)m.st.faults,
			       (unsigned long long)m.st.pmd_inserted,
			       (unsigned long long)m.st.pte_inserted, m.pte_bytes / 1024,
			       m.secs * 1e3, m.secs / vram, a.secs * 1e3, a.secs / vram_again);
		}
	}
	return 0;
}

static long long saved_order, saved_unsafe, saved_pause, saved_svm_thp = -1;

static void restore_params(void)
{
	pudge_module_param_set("max_map_order", saved_order);
	pudge_module_param_set("unsafe_orders", saved_unsafe);
	pudge_module_param_set("vram_clear_pause", saved_pause);
	if (saved_svm_thp >= 0)
		pudge_module_param_set("unsafe_svm_thp", saved_svm_thp);
}

static void exit_on_signal(int sig)
{
	(void)sig;
	exit(1);	/* runs the atexit handlers: not async-signal-safe, but the bench is its only user */
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", required_argument, NULL, 'c' },
		{ "reps", required_argument, NULL, 'r' },
		{ "procs", required_argument, NULL, 'p' },
		{ "procs-4k", required_argument, NULL, '4' },
		{ "size", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ }
	};
	const char *csv = NULL;
	int reps = 3, procs = 1000, procs_4k = 100, size_mib = 256, c, ret;
	unsigned int seed = 0;
	bool seeded = false;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': csv = optarg; break;
		case 'r': reps = atoi(optarg); break;
		case 'p': procs = atoi(optarg); break;
		case '4': procs_4k = atoi(optarg); break;
		case 's': size_mib = atoi(optarg); break;
		case 'S': seed = strtoul(optarg, NULL, 0); seeded = true; break;
		default: return 2;
		}
	}
	if (optind >= argc || reps < 1 || reps > 16 || procs < 1 || procs_4k < 1 ||
	    size_mib < 2 || size_mib % 2) {
		fprintf(stderr, "usage: pudge-bench mmap|shared|svm|life|system|qxl [--csv F] [--reps N] "
			"[--procs N] [--procs-4k N] [--size MiB] [--seed N]\n");
		return 2;
	}
	fd = pudge_open(PUDGE_NODE_RENDER);
	if (fd < 0)
		die("open pudge", errno);
	if (pudge_module_param_get("max_map_order", &saved_order) ||
	    pudge_module_param_get("vram_clear_pause", &saved_pause))
		die("read pudge's module parameters", EACCES);
	if (pudge_allow_unsafe_orders(&saved_unsafe))
		die("set unsafe_orders", EACCES);
	/* Whatever ends the run (die(), a signal) puts the parameters back. */
	atexit(restore_params);
	signal(SIGINT, exit_on_signal);
	signal(SIGTERM, exit_on_signal);
	signal(SIGHUP, exit_on_signal);

	/*
	 * 2 MiB device folios are off on a stock kernel (a core-mm hazard,
	 * DESIGN.md), as the huge orders are: on for the run, as those are.
	 */
	if (!strcmp(argv[optind], "svm") && pudge_allow_unsafe_svm_thp(&saved_svm_thp))
		die("set unsafe_svm_thp", EACCES);
	if (!strcmp(argv[optind], "mmap"))
		ret = bench_mmap(csv, reps);
	else if (!strcmp(argv[optind], "shared"))
		ret = bench_shared(procs, procs_4k);
	else if (!strcmp(argv[optind], "svm"))
		ret = bench_svm((uint64_t)size_mib * MiB, reps);
	else if (!strcmp(argv[optind], "life"))
		ret = bench_life(reps);
	else if (!strcmp(argv[optind], "system"))
		ret = bench_system(reps);
	else if (!strcmp(argv[optind], "qxl"))
		ret = bench_qxl(reps, csv, seeded ? seed : (unsigned int)(now() * 1e6));
	else
		ret = 2;
	return ret;
}
