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

/*
 * A BO in system memory maps its pages like VRAM: each physically
 * contiguous run from one fault, 2 MiB entries where the run has a
 * 2 MiB-aligned part (TTM's pool allocates up to 4 MiB at a time), PTEs
 * elsewhere, every page exactly once, and never a 1 GiB entry.  With
 * 2 MiB entries capped, the same runs map with PTEs.
 */
static void test_system_huge(void)
{
	static const uint64_t sizes[] = { 16 * SZ_2M, 128 * SZ_2M, 5 * SZ_4K };

	igt_require_f(kernel_orders & PUDGE_MAP_ORDER_PMD, "no PMD pfnmap support\n");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t size = sizes[i], npages = size / SZ_4K;
		long long pte0 = pudge_vm_pte_bytes(), pte1;
		struct drm_pudge_stats s;
		uint32_t h;
		uint8_t *p;

		set_cap(18);
		h = bo_new(size, PUDGE_GEM_PLACE_SYSTEM);
		s = touch_all(h, size, &p);
		pte1 = pudge_vm_pte_bytes();
		igt_info("system %llu KiB: VmPTE +%lld KiB\n", (unsigned long long)size >> 10,
			 (pte1 - pte0) >> 10);
		igt_assert_eq_u64(s.pud_inserted, 0);
		igt_assert_eq_u64(s.pmd_inserted * (SZ_2M / SZ_4K) + s.pte_inserted, npages);
		igt_assert_lte_u64(s.faults, s.pmd_inserted + s.pte_inserted);
		if (size >= 16 * SZ_2M) {
			/* At least half in 2 MiB entries: the pool gives 4 MiB blocks. */
			igt_assert_lte_u64(size / SZ_2M / 2, s.pmd_inserted);
			igt_assert_lt_u64(s.faults, npages / 16);
		}
		for (uint64_t o = 0; o < size; o += SZ_4K)
			igt_assert_eq(p[o], (uint8_t)(o >> 12));
		munmap(p, size);

		igt_assert_eq(pudge_bo_close(fd, h), 0);

		/* 2 MiB entries capped: PTEs only, still a run per fault. */
		set_cap(0);
		h = bo_new(size, PUDGE_GEM_PLACE_SYSTEM);
		s = touch_all(h, size, NULL);
		set_cap(saved_cap);
		igt_assert_eq_u64(s.pmd_inserted + s.pud_inserted, 0);
		igt_assert_eq_u64(s.pte_inserted, npages);
		if (size >= 16 * SZ_2M)
			igt_assert_lt_u64(s.faults, npages / 16);
		igt_assert_eq(pudge_bo_close(fd, h), 0);
	}
}

/*
 * Huge entries across moves: a BO in VRAM (1 GiB or 2 MiB entries) moves
 * to system memory (2 MiB entries where the pages allow) and back, with
 * its data, behind one mapping that the moves zap.
 */
static void test_system_huge_evict(void)
{
	const uint64_t size = 64 * SZ_2M;
	struct drm_pudge_stats s0, s1;
	uint32_t h;
	uint8_t *p;

	igt_require_f(kernel_orders & PUDGE_MAP_ORDER_PMD, "no PMD pfnmap support\n");
	set_cap(18);
	h = bo_new(size, PUDGE_GEM_PLACE_MASK);
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), 0);
	p = bo_map(h, 0, size);
	fill(p, size, 0, 21);
	s0 = bo_stats(h);
	igt_assert_lte_u64(1, s0.pmd_inserted + s0.pud_inserted);

	for (int round = 0; round < 2; round++) {
		igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_SYSTEM), 0);
		check(p, size, 0, 21 + round);
		s1 = bo_stats(h);
		igt_info("round %d in system memory: faults +%llu, pmd +%llu, pte +%llu\n", round,
			 (unsigned long long)(s1.faults - s0.faults),
			 (unsigned long long)(s1.pmd_inserted - s0.pmd_inserted),
			 (unsigned long long)(s1.pte_inserted - s0.pte_inserted));
		igt_assert_lte_u64(size / SZ_2M / 2, s1.pmd_inserted - s0.pmd_inserted);
		igt_assert_eq_u64((s1.pmd_inserted - s0.pmd_inserted) * (SZ_2M / SZ_4K) +
				  s1.pte_inserted - s0.pte_inserted, size / SZ_4K);
		fill(p, size, 0, 22 + round);
		igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), 0);
		s0 = bo_stats(h);
		check(p, size, 0, 22 + round);
		s1 = bo_stats(h);
		igt_assert_lte_u64(1, s1.pmd_inserted + s1.pud_inserted -
				   s0.pmd_inserted - s0.pud_inserted);
		s0 = s1;
	}
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
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

/* ---- VRAM clearing: nothing stale, and cleared off the allocation path ---- */

/* A word no page of a new BO may hold: "Stale" and the page's index. */
#define STALE_MARK 0x5374616c65000000ull

static uint64_t param(uint32_t p)
{
	uint64_t v = 0;

	igt_assert_eq(pudge_get_param(fd, p, &v), 0);
	return v;
}

/* Mark the first, middle and last word of every page. */
static void mark(uint8_t *p, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += SZ_4K) {
		uint64_t m = STALE_MARK | o >> 12;

		*(volatile uint64_t *)(p + o) = m;
		*(volatile uint64_t *)(p + o + SZ_4K / 2) = m;
		*(volatile uint64_t *)(p + o + SZ_4K - 8) = m;
	}
}

/* Those words of every page read zero; say where one does not. */
static void check_not_stale(uint8_t *p, uint64_t len, const char *what)
{
	for (uint64_t o = 0; o < len; o += SZ_4K) {
		uint64_t a = *(const volatile uint64_t *)(p + o);
		uint64_t b = *(const volatile uint64_t *)(p + o + SZ_4K / 2);
		uint64_t c = *(const volatile uint64_t *)(p + o + SZ_4K - 8);

		igt_assert_f(!a && !b && !c,
			     "%s: page %#llx of a new BO reads %#llx %#llx %#llx%s\n", what,
			     (unsigned long long)(o >> 12), (unsigned long long)a,
			     (unsigned long long)b, (unsigned long long)c,
			     (a & ~0xffffffull) == STALE_MARK ? ": another owner's bytes" : "");
	}
}

static const uint64_t mixed_sizes[] = {
	SZ_4K, SZ_2M + 3 * SZ_4K, 16 * SZ_2M, 5 * SZ_4K, 128 * SZ_2M,
};

#define MAX_BOS 512

/*
 * BOs of mixed sizes at @place, up to @total bytes or until no room is
 * left, each mapped and passed to @fn; their handles in @h.
 * Return: how many.
 */
static unsigned int bos_fill(int f, uint64_t total, uint32_t place, uint32_t *h,
			     void (*fn)(uint8_t *p, uint64_t len, const char *what))
{
	uint64_t done = 0;
	unsigned int n = 0;

	while (done < total && n < MAX_BOS) {
		uint64_t size = mixed_sizes[n % 5];
		uint8_t *p;

		size = size < total - done ? size : (total - done + SZ_4K - 1) & ~(SZ_4K - 1);
		if (pudge_bo_create(f, size, place, &h[n], NULL))
			break;
		p = pudge_bo_map(f, h[n], 0, size, PROT_READ | PROT_WRITE);
		igt_assert(p != MAP_FAILED);
		fn(p, size, place == PUDGE_GEM_PLACE_VRAM ? "vram" :
			     place == PUDGE_GEM_PLACE_SYSTEM ? "system" : "either");
		munmap(p, size);
		done += size;
		n++;
	}
	return n;
}

static void mark_fn(uint8_t *p, uint64_t len, const char *what)
{
	mark(p, len);
}

/*
 * Another process writes its marks over @vram bytes of VRAM BOs, @sys
 * of system BOs and, with SVM, @anon bytes of its memory moved to VRAM,
 * then exits: all of it is freed as it goes.
 */
static void dirty_in_child(uint64_t vram, uint64_t sys, uint64_t anon)
{
	igt_fork(child, 1) {
		static uint32_t h[MAX_BOS];
		int f = pudge_igt_reopen(fd);

		igt_assert_lte(0, f);
		bos_fill(f, vram, PUDGE_GEM_PLACE_VRAM, h, mark_fn);
		bos_fill(f, sys, PUDGE_GEM_PLACE_SYSTEM, h, mark_fn);
		if (anon && (param(PUDGE_PARAM_FEATURES) & PUDGE_FEATURE_SVM)) {
			uint8_t *a = pudge_map_anon(anon, false);

			igt_assert(a);
			mark(a, anon);
			igt_assert_eq(pudge_svm_migrate(f, a, anon, PUDGE_GEM_PLACE_VRAM, NULL), 0);
		}
	}
	igt_waitchildren();
}

/*
 * New BOs over all of VRAM, and some in system memory and either
 * placement, read zero on every page.
 */
static void check_all_new(const char *round)
{
	static uint32_t h[MAX_BOS];
	unsigned int n;

	igt_info("%s: VRAM free %llu MiB, %llu MiB of it pending clearing\n", round,
		 (unsigned long long)param(PUDGE_PARAM_VRAM_FREE) >> 20,
		 (unsigned long long)param(PUDGE_PARAM_VRAM_CLEAR_PENDING) >> 20);
	n = bos_fill(fd, param(PUDGE_PARAM_VRAM_SIZE), PUDGE_GEM_PLACE_VRAM, h,
		     check_not_stale);
	igt_assert_lt(0, (int)n);
	/* All of VRAM is taken now: "either" BOs land in system memory. */
	n += bos_fill(fd, 64 * SZ_2M, PUDGE_GEM_PLACE_MASK, h + n, check_not_stale);
	n += bos_fill(fd, 64 * SZ_2M, PUDGE_GEM_PLACE_SYSTEM, h + n, check_not_stale);
	while (n)
		igt_assert_eq(pudge_bo_close(fd, h[--n]), 0);
}

static void wait_cleared(void)
{
	for (int i = 0; i < 12000 && param(PUDGE_PARAM_VRAM_CLEAR_PENDING); i++)
		usleep(10 * 1000);
	igt_assert_eq_u64(param(PUDGE_PARAM_VRAM_CLEAR_PENDING), 0);
}

/*
 * Nothing a process wrote into VRAM (BOs, evicted BOs, its own memory
 * moved there) or system BOs reaches a new BO of another process: with
 * the clearing worker racing the allocations, after it finished, with it
 * held back (allocations take the queue back and clear it themselves),
 * under eviction, and across unbind with a full queue.
 */
static void test_no_stale_data(void)
{
	const uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE);
	struct drm_pudge_stats s0 = bo_stats(0), s1;
	int ready[2], done[2];
	char slot[32], c;

	/* Racing: the allocations come right after the other process. */
	dirty_in_child(vram * 3 / 4, 32 * SZ_2M, 16 * SZ_2M);
	check_all_new("racing the worker");

	/* After the worker is done: all of it comes cleared. */
	dirty_in_child(vram * 3 / 4, 32 * SZ_2M, 16 * SZ_2M);
	wait_cleared();
	check_all_new("cleared by the worker");

	/* Held back: every allocation takes queued VRAM back. */
	pudge_igt_param_set("vram_clear_pause", 1);
	dirty_in_child(vram, 0, 0);
	igt_assert_lte_u64(vram / 2, param(PUDGE_PARAM_VRAM_CLEAR_PENDING));
	s1 = bo_stats(0);
	check_all_new("queue held back");
	igt_assert_lt_u64(s1.vram_clear_reclaims, bo_stats(0).vram_clear_reclaims);

	/* Unbind and rebind with VRAM still queued: the new device is clean. */
	dirty_in_child(vram, 0, 0);
	igt_assert_eq(pudge_pci_slot(fd, slot, sizeof(slot)), 0);
	close(fd);
	igt_assert_eq(pudge_driver_bind(slot, false), 0);
	igt_assert_eq(pudge_driver_bind(slot, true), 0);
	fd = pudge_igt_open(PUDGE_NODE_RENDER);
	pudge_igt_param_set("vram_clear_pause", 0);
	check_all_new("after unbind with a full queue");

	/* Under eviction: the other process's BOs leave VRAM for ours. */
	igt_assert_eq(pipe(ready), 0);
	igt_assert_eq(pipe(done), 0);
	igt_fork(child, 1) {
		static uint32_t h[MAX_BOS];
		int f = pudge_igt_reopen(fd);
		unsigned int n;

		igt_assert_lte(0, f);
		/* Either placement: in VRAM now, evictable. */
		n = bos_fill(f, vram * 3 / 4, PUDGE_GEM_PLACE_MASK, h, mark_fn);
		igt_assert_lt(0, (int)n);
		/* Alive while the parent evicts them, then gone. */
		igt_assert_eq_s64(write(ready[1], "r", 1), 1);
		igt_assert_eq_s64(read(done[0], &c, 1), 1);
	}
	igt_assert_eq_s64(read(ready[0], &c, 1), 1);
	check_all_new("evicting another process's BOs");
	igt_assert_eq_s64(write(done[1], "d", 1), 1);
	igt_waitchildren();
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(done[i]);
	}
	check_all_new("after that process");

	s1 = bo_stats(0);
	igt_info("cleared by the worker %llu MiB, on allocation %llu MiB, queue taken back %llu times\n",
		 (unsigned long long)(s1.vram_cleared_bg - s0.vram_cleared_bg) >> 20,
		 (unsigned long long)(s1.vram_cleared_alloc - s0.vram_cleared_alloc) >> 20,
		 (unsigned long long)(s1.vram_clear_reclaims - s0.vram_clear_reclaims));
}

/*
 * All of VRAM free, most of it still queued for clearing: a VRAM-only BO
 * of all of VRAM fits at once, every time (the worker took the room back
 * while the allocation retried: -ENOSPC with VRAM_FREE == VRAM_SIZE).
 */
static void test_full_after_free(void)
{
	const uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE);

	for (int round = 0; round < 4; round++) {
		unsigned int n = round % 2 ? 1 : 16;
		uint32_t h[16], big;
		int ret;

		for (unsigned int i = 0; i < n; i++)
			h[i] = bo_new(vram / n, PUDGE_GEM_PLACE_VRAM);
		for (unsigned int i = 0; i < n; i++)
			igt_assert_eq(pudge_bo_close(fd, h[i]), 0);
		igt_assert_eq_u64(param(PUDGE_PARAM_VRAM_FREE), vram);
		ret = pudge_bo_create(fd, vram, PUDGE_GEM_PLACE_VRAM, &big, NULL);
		igt_assert_f(ret == 0, "round %d: all of VRAM free (%llu MiB pending clearing), "
			     "a VRAM-only BO of all of it: %s\n", round,
			     (unsigned long long)param(PUDGE_PARAM_VRAM_CLEAR_PENDING) >> 20,
			     strerror(-ret));
		igt_assert_eq(pudge_bo_close(fd, big), 0);
	}
}

/* RAM of this machine, from /proc/meminfo. */
static uint64_t mem_total(void)
{
	unsigned long long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	igt_assert(f);
	while (fgets(line, sizeof(line), f) && sscanf(line, "MemTotal: %llu kB", &kib) != 1)
		;
	fclose(f);
	return kib << 10;
}

/*
 * BOs in system memory beyond TTM's limit (half of RAM): TTM swaps some
 * out.  Moving them to VRAM must swap them in and copy, not take them
 * for empty (they read as zeroes after the move, data lost).
 */
static void test_swapped_to_vram(void)
{
	const uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE), bo = 32 * SZ_2M;
	const uint64_t total = vram * 15 / 16 / bo * bo, n = total / bo;
	uint32_t h[64];
	uint8_t *p[64];

	igt_require_f(total > mem_total() / 2 + 4 * bo && n <= 64,
		      "%llu MiB of VRAM cannot hold more than TTM's limit, half of %llu MiB\n",
		      (unsigned long long)vram >> 20, (unsigned long long)mem_total() >> 20);
	for (uint64_t i = 0; i < n; i++) {
		h[i] = bo_new(bo, PUDGE_GEM_PLACE_MASK);
		igt_assert_eq(pudge_bo_migrate(fd, h[i], PUDGE_GEM_PLACE_SYSTEM), 0);
		p[i] = bo_map(h[i], 0, bo);
		fill(p[i], bo, 0, 40 + i);
	}
	for (uint64_t i = 0; i < n; i++)
		igt_assert_eq(pudge_bo_migrate(fd, h[i], PUDGE_GEM_PLACE_VRAM), 0);
	for (uint64_t i = 0; i < n; i++) {
		check(p[i], bo, 0, 40 + i);
		munmap(p[i], bo);
		igt_assert_eq(pudge_bo_close(fd, h[i]), 0);
	}
}

/*
 * Freed VRAM is cleared in the background, and a BO created on it clears
 * nothing: the kernel's counters say who cleared what.
 */
static void test_cleared_off_alloc_path(void)
{
	static const uint64_t sizes[] = { 4ull << 20, 64ull << 20, SZ_4K, SZ_2M + SZ_4K };
	struct drm_pudge_stats s0, s1;
	uint32_t h;
	uint8_t *p;

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t size = sizes[i];

		wait_cleared();
		s0 = bo_stats(0);
		h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
		s1 = bo_stats(0);
		igt_assert_eq_u64(s1.vram_cleared_alloc - s0.vram_cleared_alloc, 0);
		p = bo_map(h, 0, size);
		check_not_stale(p, size, "cleared VRAM");
		mark(p, size);
		munmap(p, size);
		igt_assert_eq(pudge_bo_close(fd, h), 0);
		wait_cleared();
		s1 = bo_stats(0);
		igt_assert_lte_u64((size + SZ_4K - 1) & ~(SZ_4K - 1),
				   s1.vram_cleared_bg - s0.vram_cleared_bg);
		igt_assert_eq_u64(s1.vram_cleared_alloc - s0.vram_cleared_alloc, 0);
	}
}

igt_main
{
	igt_fixture {
		fd = pudge_igt_open(PUDGE_NODE_RENDER);
		/* Whatever ends the test, the module parameters it changes go back. */
		pudge_igt_param_keep("max_map_order");
		pudge_igt_param_keep("unsafe_orders");
		pudge_igt_param_keep("vram_clear_pause");
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
	igt_describe("No new BO of another process reads what one wrote into VRAM or system BOs");
	igt_subtest("no-stale-data")
		test_no_stale_data();
	igt_describe("All of VRAM free but queued for clearing: a BO of all of it fits at once");
	igt_subtest("full-after-free")
		test_full_after_free();
	igt_describe("System BOs that TTM swapped out keep their data when moved to VRAM");
	igt_subtest("swapped-to-vram")
		test_swapped_to_vram();
	igt_describe("Freed VRAM is cleared in the background; creating a BO on it clears nothing");
	igt_subtest("cleared-off-alloc-path")
		test_cleared_off_alloc_path();
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
	igt_describe("System memory: 2 MiB entries where the pool's pages allow, runs per fault");
	igt_subtest("system-huge")
		test_system_huge();
	igt_describe("Huge entries in VRAM, in system memory after a move, and back");
	igt_subtest("system-huge-evict")
		test_system_huge_evict();
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
