// SPDX-License-Identifier: MIT
/*
 * pudge_mmap: CPU mappings of pudge buffer objects.  Data must read back
 * at every alignment and placement, and the kernel's own counters must
 * show whole contiguous runs mapped per fault with the largest entries the
 * alignment allows.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "igt.h"
#include "pudge.h"
#include "pudge_igt.h"

#define SZ_4K (4096ull)
#define SZ_2M (2ull << 20)
#define SZ_1G (1ull << 30)

static int fd = -1;
static uint64_t kernel_orders;
static long long saved_cap = 18, saved_unsafe;

static void set_cap(long long order)
{
	igt_assert_eq(pudge_module_param_set("max_map_order", order), 0);
}

static uint32_t bo_new(uint64_t size, uint32_t flags)
{
	uint32_t h = 0;
	int ret = pudge_bo_create(fd, size, flags, &h, NULL);

	igt_assert_f(ret == 0, "create %#llx flags %u: %s\n",
		     (unsigned long long)size, flags, strerror(-ret));
	return h;
}

static uint8_t *bo_map(uint32_t h, uint64_t off, uint64_t len)
{
	void *p = pudge_bo_map(fd, h, off, len, PROT_READ | PROT_WRITE);

	igt_assert_f(p != MAP_FAILED, "mmap: %s\n", strerror(errno));
	return p;
}

static struct drm_pudge_stats bo_stats(uint32_t h)
{
	struct drm_pudge_stats s;

	igt_assert_eq(pudge_stats(fd, h, &s), 0);
	return s;
}

/* A value per (BO offset, seed) that no page repeats. */
static uint64_t tag(uint64_t off, uint64_t seed)
{
	return (off * 0x9e3779b97f4a7c15ull) ^ seed;
}

/* Write one word per page, plus the last word of each page. */
static void fill(uint8_t *p, uint64_t len, uint64_t base_off, uint64_t seed)
{
	for (uint64_t o = 0; o < len; o += SZ_4K) {
		*(volatile uint64_t *)(p + o) = tag(base_off + o, seed);
		*(volatile uint64_t *)(p + o + SZ_4K - 8) = ~tag(base_off + o, seed);
	}
}

static void check(const uint8_t *p, uint64_t len, uint64_t base_off, uint64_t seed)
{
	for (uint64_t o = 0; o < len; o += SZ_4K) {
		uint64_t a = *(const volatile uint64_t *)(p + o);
		uint64_t b = *(const volatile uint64_t *)(p + o + SZ_4K - 8);

		igt_assert_f(a == tag(base_off + o, seed) && b == ~tag(base_off + o, seed),
			     "BO offset %#llx: read %#llx/%#llx\n",
			     (unsigned long long)(base_off + o), (unsigned long long)a,
			     (unsigned long long)b);
	}
}

static void check_zero(const uint8_t *p, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += 8)
		igt_assert_f(*(const volatile uint64_t *)(p + o) == 0,
			     "offset %#llx not zero\n", (unsigned long long)o);
}

static void test_create_invalid(void)
{
	uint64_t vram;
	uint32_t h;
	struct drm_pudge_gem_create c;

	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_SIZE, &vram), 0);
	igt_assert_eq(pudge_bo_create(fd, 0, PUDGE_GEM_PLACE_VRAM, &h, NULL), -EINVAL);
	igt_assert_eq(pudge_bo_create(fd, SZ_4K, 0, &h, NULL), -EINVAL);
	igt_assert_eq(pudge_bo_create(fd, SZ_4K, 1u << 2, &h, NULL), -EINVAL);
	igt_assert_eq(pudge_bo_create(fd, SZ_4K, PUDGE_GEM_PLACE_VRAM | (1u << 31), &h, NULL),
		      -EINVAL);
	igt_assert_eq(pudge_bo_create(fd, ~0ull, PUDGE_GEM_PLACE_SYSTEM, &h, NULL), -EINVAL);
	igt_assert_eq(pudge_bo_create(fd, vram + SZ_4K, PUDGE_GEM_PLACE_VRAM, &h, NULL),
		      -ENOSPC);
	igt_assert_eq(pudge_bo_create(fd, 1ull << 50, PUDGE_GEM_PLACE_SYSTEM, &h, NULL),
		      -ENOMEM);

	c = (struct drm_pudge_gem_create){ .size = SZ_4K, .flags = PUDGE_GEM_PLACE_VRAM,
					   .handle = 1 };
	igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_PUDGE_GEM_CREATE, &c), -1);
	igt_assert_eq(errno, EINVAL);

	/* Rounded up to a page, and the rounded size reported. */
	c = (struct drm_pudge_gem_create){ .size = 5, .flags = PUDGE_GEM_PLACE_VRAM };
	do_ioctl(fd, DRM_IOCTL_PUDGE_GEM_CREATE, &c);
	igt_assert_eq_u64(c.size, SZ_4K);
	igt_assert_eq(pudge_bo_close(fd, c.handle), 0);
}

static void test_ioctls_invalid(void)
{
	uint32_t either = bo_new(SZ_2M, PUDGE_GEM_PLACE_MASK);
	uint32_t vram = bo_new(SZ_2M, PUDGE_GEM_PLACE_VRAM);
	struct drm_pudge_gem_mmap_offset mo = { .handle = either, .flags = 1 };
	struct drm_pudge_gem_migrate mg = { .handle = either,
					    .placement = PUDGE_GEM_PLACE_SYSTEM };
	struct drm_pudge_stats st = { 0 };
	uint64_t off;

	do_ioctl_err(fd, DRM_IOCTL_PUDGE_GEM_MMAP_OFFSET, &mo, EINVAL);
	igt_assert_eq(pudge_bo_mmap_offset(fd, 0xdead, &off), -ENOENT);

	mg.flags = 1;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_GEM_MIGRATE, &mg, EINVAL);
	mg.flags = 0;
	mg.pad = 1;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_GEM_MIGRATE, &mg, EINVAL);
	mg.pad = 0;
	mg.placement = PUDGE_GEM_PLACE_MASK;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_GEM_MIGRATE, &mg, EINVAL);
	mg.placement = 0;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_GEM_MIGRATE, &mg, EINVAL);
	igt_assert_eq(pudge_bo_migrate(fd, vram, PUDGE_GEM_PLACE_SYSTEM), -EINVAL);
	igt_assert_eq(pudge_bo_migrate(fd, vram, PUDGE_GEM_PLACE_VRAM), 0);
	igt_assert_eq(pudge_bo_migrate(fd, 0xdead, PUDGE_GEM_PLACE_VRAM), -ENOENT);

	st.handle = either;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_STATS, &st, EINVAL);
	st.flags = 1u << 1;
	st.handle = 0;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_STATS, &st, EINVAL);
	st.flags = PUDGE_STATS_BO;
	st.handle = 0xdead;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_STATS, &st, ENOENT);

	/* Private mappings would be COW of VRAM: refused. */
	igt_assert_eq(pudge_bo_mmap_offset(fd, either, &off), 0);
	igt_assert(mmap(NULL, SZ_2M, PROT_READ, MAP_PRIVATE, fd, off) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	/* Larger than the BO. */
	igt_assert(mmap(NULL, 2 * SZ_2M, PROT_READ, MAP_SHARED, fd, off) == MAP_FAILED);

	igt_assert_eq(pudge_bo_close(fd, either), 0);
	igt_assert_eq(pudge_bo_close(fd, vram), 0);
	/* GEM_CLOSE of an unknown handle is EINVAL in the DRM core. */
	igt_assert_eq(pudge_bo_close(fd, either), -EINVAL);
}

/* VRAM_FREE follows allocations; freed VRAM is handed out zeroed. */
static void test_vram_free_and_zeroed(void)
{
	uint64_t before, during, after;
	uint32_t h;
	uint8_t *p;

	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &before), 0);
	h = bo_new(64 * SZ_2M, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &during), 0);
	igt_assert_eq_u64(before - during, 64 * SZ_2M);
	p = bo_map(h, 0, 64 * SZ_2M);
	memset(p, 0xa5, 64 * SZ_2M);
	munmap(p, 64 * SZ_2M);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &after), 0);
	igt_assert_eq_u64(after, before);

	h = bo_new(64 * SZ_2M, PUDGE_GEM_PLACE_VRAM);
	p = bo_map(h, 0, 64 * SZ_2M);
	check_zero(p, 64 * SZ_2M);
	munmap(p, 64 * SZ_2M);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

static void test_readback(uint32_t flags, uint64_t size)
{
	uint32_t h = bo_new(size, flags);
	uint8_t *p = bo_map(h, 0, size);

	check_zero(p, size);
	fill(p, size, 0, 1);
	check(p, size, 0, 1);
	munmap(p, size);
	p = bo_map(h, 0, size);
	check(p, size, 0, 1);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

static void test_migrate_roundtrip(void)
{
	uint64_t size = 8 * SZ_2M + 3 * SZ_4K;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_MASK);
	struct drm_pudge_stats s0, s1;
	uint8_t *p = bo_map(h, 0, size);

	fill(p, size, 0, 2);
	s0 = bo_stats(h);
	for (int i = 0; i < 3; i++) {
		igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_SYSTEM), 0);
		check(p, size, 0, 2);
		/* Moving to where it is does nothing. */
		igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_SYSTEM), 0);
		fill(p, size, 0, 3 + i);
		igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), 0);
		check(p, size, 0, 3 + i);
		fill(p, size, 0, 2);
	}
	s1 = bo_stats(h);
	igt_assert_eq_u64(s1.moves - s0.moves, 6);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/*
 * Touch every page of a BO mapped at its natural alignment and return
 * the BO's counters; the kernel's minor-fault count must move by as much
 * as pudge's own fault count.
 */
static struct drm_pudge_stats touch_all(uint32_t h, uint64_t size, uint8_t **out)
{
	uint8_t *p = bo_map(h, 0, size);
	long long f0, f1;
	struct drm_pudge_stats s;

	f0 = pudge_minor_faults();
	for (uint64_t o = 0; o < size; o += SZ_4K)
		((volatile uint8_t *)p)[o] = (uint8_t)(o >> 12);
	f1 = pudge_minor_faults();
	s = bo_stats(h);
	igt_info("size %llu MiB at %p: minflt %lld, faults %llu, fallbacks %llu, "
		 "pud %llu pmd %llu pte %llu\n", (unsigned long long)(size >> 20), p,
		 f1 - f0, (unsigned long long)s.faults, (unsigned long long)s.fallbacks,
		 (unsigned long long)s.pud_inserted, (unsigned long long)s.pmd_inserted,
		 (unsigned long long)s.pte_inserted);
	igt_assert_eq_s64(f1 - f0, (long long)s.faults);
	if (out)
		*out = p;
	else
		munmap(p, size);
	return s;
}

static void test_huge_1g(void)
{
	uint32_t h;
	uint8_t *p;
	struct drm_pudge_stats s;

	igt_require_f(kernel_orders & PUDGE_MAP_ORDER_PUD, "no PUD pfnmap support\n");
	set_cap(18);
	h = bo_new(SZ_1G, PUDGE_GEM_PLACE_VRAM);
	s = touch_all(h, SZ_1G, &p);
	igt_assert_eq_u64((uintptr_t)p & (SZ_1G - 1), 0);
	igt_assert_eq_u64(s.faults, 1);
	igt_assert_eq_u64(s.pud_inserted, 1);
	igt_assert_eq_u64(s.pmd_inserted, 0);
	igt_assert_eq_u64(s.pte_inserted, 0);
	for (uint64_t o = 0; o < SZ_1G; o += SZ_4K)
		igt_assert_eq(p[o], (uint8_t)(o >> 12));
	munmap(p, SZ_1G);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/* With PUDs capped, a 1 GiB BO is one run: one fault, 512 PMDs. */
static void test_huge_2m(void)
{
	static const uint64_t sizes[] = { SZ_2M, 2 * SZ_2M, 32 * SZ_2M, SZ_1G };

	igt_require_f(kernel_orders & PUDGE_MAP_ORDER_PMD, "no PMD pfnmap support\n");
	set_cap(9);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t h = bo_new(sizes[i], PUDGE_GEM_PLACE_VRAM);
		struct drm_pudge_stats s = touch_all(h, sizes[i], NULL);

		igt_assert_eq_u64(s.faults, 1);
		igt_assert_eq_u64(s.pmd_inserted, sizes[i] / SZ_2M);
		igt_assert_eq_u64(s.pud_inserted + s.pte_inserted, 0);
		igt_assert_eq(pudge_bo_close(fd, h), 0);
	}
	set_cap(saved_cap);
}

/* 4 KiB mode still maps the whole run from one fault. */
static void test_pte_run(void)
{
	uint64_t size = 16 * SZ_2M;
	uint32_t h;
	struct drm_pudge_stats s;

	set_cap(0);
	h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	s = touch_all(h, size, NULL);
	igt_assert_eq_u64(s.faults, 1);
	igt_assert_eq_u64(s.pte_inserted, size / SZ_4K);
	igt_assert_eq_u64(s.pud_inserted + s.pmd_inserted, 0);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	set_cap(saved_cap);
}

/* A size that is not a 2 MiB multiple: PMDs where aligned, PTEs at the end. */
static void test_odd_size(void)
{
	uint64_t size = 3 * SZ_2M + 5 * SZ_4K;
	uint32_t h;
	uint8_t *p;

	igt_require(kernel_orders & PUDGE_MAP_ORDER_PMD);
	set_cap(18);
	h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	touch_all(h, size, &p);
	fill(p, size, 0, 7);
	check(p, size, 0, 7);
	igt_assert_lte_u64(1, bo_stats(h).pmd_inserted);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/* Partial mappings at odd page offsets see the right bytes. */
static void test_partial(void)
{
	uint64_t size = 8 * SZ_2M;
	static const uint64_t offs[] = { SZ_4K, 3 * SZ_4K, SZ_2M - SZ_4K, SZ_2M, 5 * SZ_2M + SZ_4K };
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	uint8_t *all = bo_map(h, 0, size);

	fill(all, size, 0, 9);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint64_t len = size - offs[i] - SZ_4K;
		uint8_t *p = bo_map(h, offs[i], len);

		check(p, len, offs[i], 9);
		munmap(p, len);
	}
	munmap(all, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/* munmap of a piece in the middle of a huge mapping splits it cleanly. */
static void test_munmap_part(void)
{
	uint64_t size = SZ_1G;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	uint8_t *p = bo_map(h, 0, size);

	set_cap(18);
	fill(p, size, 0, 11);
	igt_assert_eq(munmap(p + 100 * SZ_2M + SZ_4K, SZ_2M), 0);
	check(p, 100 * SZ_2M + SZ_4K, 0, 11);
	check(p + 101 * SZ_2M + SZ_4K, size - 101 * SZ_2M - SZ_4K, 101 * SZ_2M + SZ_4K, 11);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

static void test_mprotect(void)
{
	uint64_t size = 4 * SZ_2M;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	uint8_t *p = bo_map(h, 0, size);

	fill(p, size, 0, 12);
	igt_assert_eq(mprotect(p + SZ_2M, SZ_2M, PROT_READ), 0);
	check(p, size, 0, 12);
	igt_assert_eq(mprotect(p + SZ_2M, SZ_2M, PROT_READ | PROT_WRITE), 0);
	fill(p, size, 0, 13);
	check(p, size, 0, 13);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

static void test_mremap(void)
{
	uint64_t size = 4 * SZ_2M;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	uint8_t *p = bo_map(h, 0, size), *q;

	fill(p, size, 0, 14);
	q = mremap(p, size, size, MREMAP_MAYMOVE);
	igt_assert(q != MAP_FAILED);
	check(q, size, 0, 14);
	/* Growing a VM_DONTEXPAND mapping is refused. */
	igt_assert(mremap(q, size, 2 * size, MREMAP_MAYMOVE) == MAP_FAILED);
	munmap(q, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/* The child shares the VRAM: its writes are the parent's reads. */
static void test_fork(void)
{
	uint64_t size = 16 * SZ_2M;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	uint8_t *p = bo_map(h, 0, size);
	int status;
	pid_t pid;

	fill(p, size, 0, 15);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		for (uint64_t o = 0; o < size; o += SZ_4K)
			if (*(volatile uint64_t *)(p + o) != tag(o, 15))
				_exit(1);
		fill(p, size, 0, 16);
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	check(p, size, 0, 16);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/*
 * The kernel refuses MADV_DONTNEED on pfnmap VMAs: user space cannot zap
 * pudge mappings, and the data stays mapped.  (GEM_MIGRATE is how mappings
 * get zapped; migrate-roundtrip covers refaulting after a zap.)
 */
static void test_dontneed(void)
{
	uint64_t size = 8 * SZ_2M;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	uint8_t *p = bo_map(h, 0, size);
	uint64_t f0;

	fill(p, size, 0, 17);
	f0 = bo_stats(h).faults;
	igt_assert_eq(madvise(p, size, MADV_DONTNEED), -1);
	igt_assert_eq(errno, EINVAL);
	check(p, size, 0, 17);
	igt_assert_eq_u64(bo_stats(h).faults, f0);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

struct toucher {
	uint8_t *p;
	uint64_t size;
	unsigned int seed;
};

static void *touch_thread(void *arg)
{
	struct toucher *t = arg;

	for (int i = 0; i < 20000; i++) {
		uint64_t o = ((uint64_t)rand_r(&t->seed) % (t->size / SZ_4K)) * SZ_4K;

		if (*(volatile uint64_t *)(t->p + o) != tag(o, 18))
			return (void *)1;
	}
	return NULL;
}

/* Threads fault the same BO at once, in every mode. */
static void test_threads(void)
{
	static const long long caps[] = { 0, 9, 18 };
	uint64_t size = SZ_1G;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);

	for (size_t c = 0; c < 3; c++) {
		uint8_t *p = bo_map(h, 0, size);
		struct toucher t[8];
		pthread_t th[8];

		/* A new mapping each round: nothing is mapped yet. */
		set_cap(caps[c]);
		if (c == 0) {
			fill(p, size, 0, 18);
			munmap(p, size);
			p = bo_map(h, 0, size);
		}
		for (int i = 0; i < 8; i++) {
			t[i] = (struct toucher){ p, size, 1234u + i };
			igt_assert_eq(pthread_create(&th[i], NULL, touch_thread, &t[i]), 0);
		}
		for (int i = 0; i < 8; i++) {
			void *r;

			igt_assert_eq(pthread_join(th[i], &r), 0);
			igt_assert(r == NULL);
		}
		munmap(p, size);
	}
	set_cap(saved_cap);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/*
 * VRAM pressure: a VRAM-only BO evicts an evictable one that is mapped;
 * its data survives in system memory behind the same mapping.  When only
 * pinned BOs are left, creation fails with ENOSPC.
 */
static void test_evict_while_mapped(void)
{
	uint64_t vram, free0;
	uint32_t victim, big, more;
	uint8_t *p;
	struct drm_pudge_stats s;

	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_SIZE, &vram), 0);
	victim = bo_new(vram / 2, PUDGE_GEM_PLACE_MASK);
	p = bo_map(victim, 0, vram / 2);
	fill(p, vram / 2, 0, 19);
	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &free0), 0);
	igt_require_f(free0 <= vram / 2, "victim did not land in VRAM\n");

	big = bo_new(vram / 2 + SZ_2M, PUDGE_GEM_PLACE_VRAM);
	s = bo_stats(victim);
	igt_assert_eq_u64(s.evictions, 1);
	check(p, vram / 2, 0, 19);

	/* Nothing evictable is left for another large VRAM-only BO. */
	igt_assert_eq(pudge_bo_create(fd, vram / 2, PUDGE_GEM_PLACE_VRAM, &more, NULL),
		      -ENOSPC);
	/* The victim cannot come back either while big holds VRAM. */
	igt_assert_eq(pudge_bo_migrate(fd, victim, PUDGE_GEM_PLACE_VRAM), -ENOSPC);
	check(p, vram / 2, 0, 19);

	igt_assert_eq(pudge_bo_close(fd, big), 0);
	igt_assert_eq(pudge_bo_migrate(fd, victim, PUDGE_GEM_PLACE_VRAM), 0);
	check(p, vram / 2, 0, 19);
	munmap(p, vram / 2);
	igt_assert_eq(pudge_bo_close(fd, victim), 0);
}

/* The fault and insertion tracepoints fire, with what was mapped. */
static void test_tracepoints(void)
{
	const char *root = access("/sys/kernel/tracing/events", F_OK) == 0 ?
		"/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
	char path[128], line[512];
	bool fault = false, insert = false;
	uint32_t h;
	uint8_t *p;
	FILE *f;

	igt_require(kernel_orders & PUDGE_MAP_ORDER_PMD);
	set_cap(18);
	snprintf(path, sizeof(path), "%s/events/pudge/enable", root);
	igt_require_f(access(path, W_OK) == 0, "no tracefs at %s\n", root);
	snprintf(path, sizeof(path), "%s/trace", root);
	igt_assert_eq(pudge_write_file(path, ""), 0);
	snprintf(path, sizeof(path), "%s/events/pudge/enable", root);
	igt_assert_eq(pudge_write_file(path, "1"), 0);

	h = bo_new(2 * SZ_2M, PUDGE_GEM_PLACE_VRAM);
	p = bo_map(h, 0, 2 * SZ_2M);
	p[0] = 1;
	igt_assert_eq(pudge_write_file(path, "0"), 0);

	snprintf(path, sizeof(path), "%s/trace", root);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "pudge_fault:") && strstr(line, "order=9") &&
		    strstr(line, "pmd=2"))
			fault = true;
		if (strstr(line, "pudge_insert:") && strstr(line, "order=9 count=2"))
			insert = true;
	}
	fclose(f);
	igt_assert_f(fault && insert, "fault event %d, insert event %d\n", fault, insert);
	munmap(p, 2 * SZ_2M);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/*
 * A reader thread that keeps loading from a mapping while the main thread
 * moves or splits it.  A load after the mapping moved must fault: one that
 * succeeds read VRAM through a translation the kernel left behind.
 */
struct pud_reader {
	volatile uint64_t *p;		/* where to read */
	uint64_t size, skip_off, skip_len;
	volatile bool stop, moved;
	unsigned long reads, faults, stale;
};

static __thread sigjmp_buf reader_jmp;
static __thread bool in_reader;

static void reader_segv(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (in_reader)
		siglongjmp(reader_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void *pud_reader_thread(void *arg)
{
	struct pud_reader *r = arg;
	volatile uint64_t off = 0;

	in_reader = true;
	while (!r->stop) {
		volatile bool moved = r->moved;

		off = (off + 64 * SZ_2M + SZ_4K) % r->size;
		if (off >= r->skip_off && off < r->skip_off + r->skip_len)
			continue;
		if (sigsetjmp(reader_jmp, 1)) {
			r->faults++;
			continue;
		}
		(void)r->p[off / 8];
		r->reads++;
		if (moved)
			r->stale++;
	}
	in_reader = false;
	return NULL;
}

static void reader_start(struct pud_reader *r, pthread_t *t)
{
	struct sigaction sa = { .sa_sigaction = reader_segv, .sa_flags = SA_SIGINFO };

	sigaction(SIGSEGV, &sa, NULL);
	igt_assert_eq(pthread_create(t, NULL, pud_reader_thread, r), 0);
	while (!r->reads)
		usleep(1000);
}

/* How often @what appears in the kernel log. */
static int kernel_log_count(const char *what)
{
	int n = pudge_kernel_log_count(what);

	igt_assert_f(n >= 0, "kernel log: %s\n", strerror(-n));
	return n;
}

/* An address with @align alignment and @size bytes free after it. */
static uint8_t *free_va(uint64_t size, uint64_t align)
{
	uint8_t *raw = mmap(NULL, size + align, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *p;

	igt_assert(raw != MAP_FAILED);
	p = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	munmap(raw, size + align);
	return p;
}

/*
 * mremap of a 1 GiB PUD-mapped BO: the old address must stop working when
 * mremap returns (7.2's move_page_tables() clears a leaf PUD as "bad"
 * without a TLB flush), and the data is at the new address.
 */
static void test_mremap_pud(void)
{
	static const uint64_t aligns[] = { SZ_1G, SZ_2M, 64 * SZ_4K };

	igt_require_f(kernel_orders & PUDGE_MAP_ORDER_PUD, "no PUD pfnmap support\n");
	set_cap(18);
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		uint32_t h = bo_new(SZ_1G, PUDGE_GEM_PLACE_VRAM);
		struct drm_pudge_stats s0 = bo_stats(h);
		struct pud_reader r = { .size = SZ_1G };
		uint8_t *p = bo_map(h, 0, SZ_1G), *dst, *q;
		int bad = kernel_log_count("bad pud");
		pthread_t t;

		igt_assert_eq_u64((uintptr_t)p & (SZ_1G - 1), 0);
		fill(p, SZ_1G, 0, 30 + i);
		igt_assert_eq_u64(bo_stats(h).pud_inserted - s0.pud_inserted, 1);
		r.p = (volatile uint64_t *)p;
		reader_start(&r, &t);
		dst = free_va(SZ_1G, SZ_1G) + (aligns[i] == SZ_1G ? 0 : aligns[i]);
		q = mremap(p, SZ_1G, SZ_1G, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		igt_assert(q == dst);
		r.moved = true;
		usleep(300 * 1000);
		r.stop = true;
		pthread_join(t, NULL);
		igt_info("destination aligned to %llu KiB: %lu reads, %lu faults, %lu stale\n",
			 (unsigned long long)aligns[i] >> 10, r.reads, r.faults, r.stale);
		igt_assert_eq_u64(r.stale, 0);
		igt_assert(r.faults > 0);
		/* Cleared as a "bad" entry, without a flush: TCG may hide the stale TLB. */
		igt_assert_eq(kernel_log_count("bad pud"), bad);
		check(q, SZ_1G, 0, 30 + i);
		munmap(q, SZ_1G);
		igt_assert_eq(pudge_bo_close(fd, h), 0);
	}
}

/*
 * munmap of one 4 KiB page inside a PUD-mapped BO while another thread
 * keeps faulting it: the split must not meet a 1 GiB entry that a fault
 * put back after pudge cleared it (an Oops in __split_huge_pmd() on 7.2).
 */
static void test_split_race_pud(void)
{
	/* One BO, mapped afresh each round: creating (clearing) 1 GiB costs 2.5 s. */
	uint32_t h;

	igt_require_f(kernel_orders & PUDGE_MAP_ORDER_PUD, "no PUD pfnmap support\n");
	set_cap(18);
	h = bo_new(SZ_1G, PUDGE_GEM_PLACE_VRAM);
	for (int i = 0; i < 20; i++) {
		uint64_t hole = SZ_1G / 2 + (3 + i) * SZ_4K;
		struct pud_reader r = { .size = SZ_1G, .skip_off = hole, .skip_len = SZ_4K };
		uint8_t *p = bo_map(h, 0, SZ_1G);
		pthread_t t;

		for (uint64_t o = 0; o < SZ_1G; o += SZ_2M)
			*(uint64_t *)(p + o) = tag(o, i);
		r.p = (volatile uint64_t *)p;
		reader_start(&r, &t);
		igt_assert_eq(munmap(p + hole, SZ_4K), 0);
		usleep(20 * 1000);
		r.stop = true;
		pthread_join(t, NULL);
		igt_assert_eq_u64(r.faults, 0);
		for (uint64_t o = 0; o < SZ_1G; o += SZ_2M)
			igt_assert_eq_u64(*(uint64_t *)(p + o), tag(o, i));
		munmap(p, SZ_1G);
	}
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

/*
 * Requests that cannot succeed fail at once, evicting nothing: a VRAM-only
 * BO or a migration to VRAM larger than the VRAM that VRAM-only (pinned)
 * BOs leave, with an evictable BO and process memory in VRAM beside them.
 */
static void test_impossible_evicts_nothing(void)
{
	uint64_t vram = 0, features = 0, resident = 0, free0 = 0, v = 0;
	struct drm_pudge_stats s0, s1;
	uint32_t pinned, evictable, sys, h;
	uint8_t *anon = NULL;
	uint64_t q;

	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_SIZE, &vram), 0);
	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_FEATURES, &features), 0);
	q = vram / 4;
	pinned = bo_new(2 * q, PUDGE_GEM_PLACE_VRAM);
	evictable = bo_new(q / 2, PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM);
	igt_assert_eq(pudge_bo_migrate(fd, evictable, PUDGE_GEM_PLACE_VRAM), 0);
	sys = bo_new(vram + SZ_2M, PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM);
	if (features & PUDGE_FEATURE_SVM) {
		anon = pudge_map_anon(q / 4, true);
		igt_assert(anon);
		memset(anon, 7, q / 4);
		igt_assert_eq(pudge_svm_migrate(fd, anon, q / 4, PUDGE_GEM_PLACE_VRAM, NULL), 0);
		igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_SVM_RESIDENT, &resident), 0);
		igt_assert_eq_u64(resident, q / 4);
	}
	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &free0), 0);
	s0 = bo_stats(0);

	/* Larger than all VRAM, and larger than what pinned BOs leave. */
	igt_assert_eq(pudge_bo_create(fd, vram + SZ_2M, PUDGE_GEM_PLACE_VRAM, &h, NULL),
		      -ENOSPC);
	igt_assert_eq(pudge_bo_create(fd, 2 * q + SZ_2M, PUDGE_GEM_PLACE_VRAM, &h, NULL),
		      -ENOSPC);
	igt_assert_eq(pudge_bo_migrate(fd, sys, PUDGE_GEM_PLACE_VRAM), -ENOSPC);

	s1 = bo_stats(0);
	igt_assert_eq_u64(s1.evictions, s0.evictions);
	igt_assert_eq_u64(s1.svm_evicted, s0.svm_evicted);
	igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &v), 0);
	igt_assert_eq_u64(v, free0);
	if (anon) {
		igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_SVM_RESIDENT, &v), 0);
		igt_assert_eq_u64(v, resident);
		for (uint64_t o = 0; o < q / 4; o += SZ_4K)
			igt_assert_eq(anon[o], 7);
		munmap(anon, q / 4);
	}
	/* What is possible still works: the evictable BO makes way. */
	h = bo_new(2 * q - SZ_2M, PUDGE_GEM_PLACE_VRAM);
	pudge_bo_close(fd, h);
	pudge_bo_close(fd, sys);
	pudge_bo_close(fd, evictable);
	pudge_bo_close(fd, pinned);
}

igt_main
{
	igt_fixture {
		fd = pudge_igt_open(PUDGE_NODE_RENDER);
		/* Whatever ends the test, the module parameters it changes go back. */
		pudge_igt_param_keep("max_map_order");
		pudge_igt_param_keep("unsafe_orders");
		igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_KERNEL_MAP_ORDERS,
					      &kernel_orders), 0);
		igt_assert_eq(pudge_module_param_get("max_map_order", &saved_cap), 0);
		igt_assert_eq(pudge_allow_unsafe_orders(&saved_unsafe), 0);
	}

	igt_describe("GEM_CREATE rejects bad sizes, flags and handles");
	igt_subtest("create-invalid")
		test_create_invalid();
	igt_describe("MMAP_OFFSET, MIGRATE and STATS reject bad arguments; mmap checks");
	igt_subtest("ioctls-invalid")
		test_ioctls_invalid();
	igt_describe("VRAM_FREE follows allocation and reused VRAM reads as zero");
	igt_subtest("vram-free-zeroed")
		test_vram_free_and_zeroed();
	igt_subtest("readback-vram")
		test_readback(PUDGE_GEM_PLACE_VRAM, 16 * SZ_2M + 7 * SZ_4K);
	igt_subtest("readback-system")
		test_readback(PUDGE_GEM_PLACE_SYSTEM, 16 * SZ_2M + 7 * SZ_4K);
	igt_subtest("readback-either")
		test_readback(PUDGE_GEM_PLACE_MASK, 4 * SZ_2M);
	igt_describe("Data survives VRAM<->system round trips behind one mapping");
	igt_subtest("migrate-roundtrip")
		test_migrate_roundtrip();
	igt_describe("1 GiB BO, 1 GiB-aligned: one fault, one PUD entry");
	igt_subtest("huge-1g")
		test_huge_1g();
	igt_describe("PUD capped: one fault per run, PMD entries only");
	igt_subtest("huge-2m")
		test_huge_2m();
	igt_describe("4 KiB mode: the whole run from one fault");
	igt_subtest("pte-run")
		test_pte_run();
	igt_subtest("odd-size")
		test_odd_size();
	igt_subtest("partial-mmap")
		test_partial();
	igt_subtest("munmap-part")
		test_munmap_part();
	igt_subtest("mprotect")
		test_mprotect();
	igt_subtest("mremap")
		test_mremap();
	igt_subtest("fork")
		test_fork();
	igt_describe("MADV_DONTNEED is refused on pudge mappings; data stays");
	igt_subtest("madv-dontneed")
		test_dontneed();
	igt_describe("8 threads fault one BO at once, in 4K, 2M and 1G modes");
	igt_subtest("threads")
		test_threads();
	igt_describe("Eviction of a mapped BO keeps its data; ENOSPC when all is pinned");
	igt_subtest("evict-while-mapped")
		test_evict_while_mapped();

	igt_describe("pudge_fault and pudge_insert tracepoints report the mapping");
	igt_describe("mremap of a 1 GiB entry: the old address faults at once");
	igt_subtest("mremap-pud")
		test_mremap_pud();
	igt_describe("munmap splitting a 1 GiB entry while another thread faults it");
	igt_subtest("split-race-pud")
		test_split_race_pud();
	igt_describe("Impossible VRAM requests fail at once and evict nothing");
	igt_subtest("impossible-evicts-nothing")
		test_impossible_evicts_nothing();
	igt_subtest("tracepoints")
		test_tracepoints();

	igt_fixture {
		pudge_module_param_set("max_map_order", saved_cap);
		pudge_module_param_set("unsafe_orders", saved_unsafe);
		close(fd);
	}
}
