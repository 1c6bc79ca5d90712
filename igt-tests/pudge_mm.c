// SPDX-License-Identifier: MIT
/*
 * pudge_mm: every core-mm path that user space can drive over a pudge
 * mapping, once per kind of mapping: VRAM mapped with 4 KiB, 2 MiB and
 * 1 GiB entries, and a BO in system memory.  Each case runs in a child of
 * its own (a kernel Oops leaves that child stuck, not the suite) and
 * checks that the kernel log gained no splat, that the BO's data is intact
 * and still reachable, that a moved mapping's old address faults, and that
 * faults insert the entries the kind asks for.
 *
 * Cases that reach a core-mm bug of stock kernels (README: "Kernel bugs
 * that huge pfnmaps reach") run only on a kernel with kernel-patches/
 * applied (uname ending in -pudgedbg, or PUDGE_KERNEL_PATCHED=1) and skip
 * elsewhere, naming the patch; "safe-defaults" checks that with the module
 * defaults those calls cannot reach the bug on any kernel.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>

#include "igt.h"
#include "pudge.h"
#include "pudge_igt.h"

#define SZ_4K (4096ull)
#define SZ_2M (2ull << 20)
#define SZ_1G (1ull << 30)

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise 440
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

/* What a case's child exits with besides 0 and 1. */
#define CASE_SKIP 77

/* Kinds of mapping: the entry size faults must insert, and the BO. */
static const struct kind {
	const char *name;
	uint64_t size, align;
	uint32_t place;
	long long cap;
	uint64_t need;	/* PUDGE_MAP_ORDER_* the kind needs from the kernel */
} kinds[] = {
	{ "vram-pte", 4 * SZ_2M, SZ_4K, PUDGE_GEM_PLACE_VRAM, 0, PUDGE_MAP_ORDER_PTE },
	{ "vram-pmd", 4 * SZ_2M, SZ_2M, PUDGE_GEM_PLACE_VRAM, 9, PUDGE_MAP_ORDER_PMD },
	{ "vram-pud", SZ_1G, SZ_1G, PUDGE_GEM_PLACE_VRAM, 18, PUDGE_MAP_ORDER_PUD },
	{ "system", 4 * SZ_2M, SZ_4K, PUDGE_GEM_PLACE_SYSTEM, 0, PUDGE_MAP_ORDER_PTE },
	/* System pages in 2 MiB entries where TTM's pool gave 2 MiB runs. */
	{ "system-pmd", 4 * SZ_2M, SZ_2M, PUDGE_GEM_PLACE_SYSTEM, 9, PUDGE_MAP_ORDER_PMD },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* One case's mapping, set up in its child. */
struct ctx {
	const struct kind *k;
	int fd;
	uint32_t h;
	uint8_t *p;
	uint64_t size;
	uint64_t seed;
};

static int g_fd = -1;			/* the device the runner chose; cases reopen it */
static uint64_t kernel_orders;
static long long saved_cap = 18, saved_unsafe;
static bool patched;

/* ---- helpers run in a case's child: failures print and _exit(1) ---- */

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		_exit(1);						\
	}								\
} while (0)

#define SAY(...) do { printf("  " __VA_ARGS__); putchar('\n'); fflush(stdout); } while (0)

static sigjmp_buf probe_env;
static volatile int probe_sig;

static void probe_handler(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_env, 1);
}

/* Touch one word at @addr: 0 if it worked, else the signal it raised. */
static int probe(volatile uint64_t *addr, bool write)
{
	struct sigaction sa = { .sa_handler = probe_handler }, old_segv, old_bus;
	int sig = 0;

	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	probe_sig = 0;
	if (!sigsetjmp(probe_env, 1)) {
		if (write)
			*addr = *addr;
		else
			(void)*addr;
	} else {
		sig = probe_sig;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return sig;
}

static uint64_t tag(uint64_t off, uint64_t seed)
{
	return (off * 0x9e3779b97f4a7c15ull) ^ seed;
}

/* The BO size of this case's kind, for sampled(). */
static uint64_t g_bo_size;

/*
 * Which BO pages a case writes and checks: all of a small BO; of a 1 GiB
 * one every 16th page plus the 4 MiB at the start, middle and end, where
 * the splits and moves happen, to keep a case within seconds under TCG.
 */
static bool sampled(uint64_t off)
{
	uint64_t mid = g_bo_size / 2;

	return g_bo_size <= 64 * SZ_2M || !((off / SZ_4K) % 16) || off < 2 * SZ_2M ||
	       (off + 2 * SZ_2M > mid && off < mid + 2 * SZ_2M) || off + 2 * SZ_2M >= g_bo_size;
}

static void fill(uint8_t *p, uint64_t len, uint64_t base, uint64_t seed)
{
	for (uint64_t o = 0; o < len; o += SZ_4K) {
		if (!sampled(base + o))
			continue;
		*(volatile uint64_t *)(p + o) = tag(base + o, seed);
		*(volatile uint64_t *)(p + o + SZ_4K - 8) = ~tag(base + o, seed);
	}
}

/* Check the BO bytes [@base, @base + @len) mapped at @p. */
static void verify_at(const uint8_t *p, uint64_t len, uint64_t base, uint64_t seed)
{
	for (uint64_t o = 0; o < len; o += SZ_4K) {
		uint64_t a, b;

		if (!sampled(base + o))
			continue;
		a = *(const volatile uint64_t *)(p + o);
		b = *(const volatile uint64_t *)(p + o + SZ_4K - 8);
		CHECK(a == tag(base + o, seed) && b == ~tag(base + o, seed),
		      "BO offset %#llx: read %#llx/%#llx", (unsigned long long)(base + o),
		      (unsigned long long)a, (unsigned long long)b);
	}
}

static void verify(struct ctx *c)
{
	verify_at(c->p, c->size, 0, c->seed);
}

static struct drm_pudge_stats stats(struct ctx *c)
{
	struct drm_pudge_stats s;

	CHECK(pudge_stats(c->fd, c->h, &s) == 0, "STATS");
	return s;
}

/* Entries the kind's faults must insert over @len mapped bytes at @va. */
static void check_entries(struct ctx *c, struct drm_pudge_stats s0, uint64_t va,
			  uint64_t len)
{
	struct drm_pudge_stats s = stats(c);
	uint64_t pud = s.pud_inserted - s0.pud_inserted;
	uint64_t pmd = s.pmd_inserted - s0.pmd_inserted;

	/* Nothing faulted: the entries from before are still in place. */
	if (s.faults == s0.faults)
		return;
	if (c->k->need == PUDGE_MAP_ORDER_PUD && !(va % SZ_1G) && len >= SZ_1G)
		CHECK(pud >= 1, "no 1 GiB entry inserted (pud %llu pmd %llu)",
		      (unsigned long long)pud, (unsigned long long)pmd);
	else if (c->k->need == PUDGE_MAP_ORDER_PMD && c->k->place == PUDGE_GEM_PLACE_SYSTEM)
		/* Only where the pool's pages form 2 MiB runs (pudge_mmap checks). */
		CHECK(pud == 0, "a 1 GiB entry of system memory (pud %llu pmd %llu)",
		      (unsigned long long)pud, (unsigned long long)pmd);
	else if (c->k->need == PUDGE_MAP_ORDER_PMD && !(va % SZ_2M) && len >= SZ_2M)
		CHECK(pmd >= 1 && pud == 0, "no 2 MiB entry inserted (pud %llu pmd %llu)",
		      (unsigned long long)pud, (unsigned long long)pmd);
	else if (c->k->need == PUDGE_MAP_ORDER_PTE)
		CHECK(pud == 0 && pmd == 0, "huge entries for a 4 KiB kind (pud %llu pmd %llu)",
		      (unsigned long long)pud, (unsigned long long)pmd);
}

static uint8_t *map_bo(struct ctx *c)
{
	uint8_t *p = pudge_bo_map(c->fd, c->h, 0, c->size, PROT_READ | PROT_WRITE);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK(!((uintptr_t)p % c->k->align), "mapping %p not aligned to %#llx", p,
	      (unsigned long long)c->k->align);
	return p;
}

/* An address aligned to @align with @size bytes free after it. */
static uint8_t *free_va(uint64_t size, uint64_t align)
{
	uint8_t *raw = mmap(NULL, size + align, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *p;

	CHECK(raw != MAP_FAILED, "reserve VA");
	p = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	munmap(raw, size + align);
	return p;
}

/* The kind's BO, mapped, filled, and its entries checked. */
static void setup(struct ctx *c, const struct kind *k, bool use_unsafe)
{
	struct drm_pudge_stats s0;

	c->k = k;
	c->size = k->size;
	g_bo_size = k->size;
	c->seed = (uint64_t)getpid() << 20 | 0x5a;
	CHECK(pudge_module_param_set("max_map_order", k->cap) == 0, "set max_map_order");
	CHECK(pudge_module_param_set("unsafe_orders",
				     use_unsafe ? (long long)(PUDGE_MAP_ORDER_PMD |
							      PUDGE_MAP_ORDER_PUD) : 0) == 0,
	      "set unsafe_orders");
	c->fd = pudge_igt_reopen(g_fd);
	CHECK(c->fd >= 0, "open");
	CHECK(pudge_bo_create(c->fd, c->size, k->place, &c->h, NULL) == 0, "create");
	s0 = stats(c);
	c->p = map_bo(c);
	fill(c->p, c->size, 0, c->seed);
	CHECK(stats(c).faults > s0.faults, "first touch did not fault");
	check_entries(c, s0, (uintptr_t)c->p, c->size);
}

/* Read every page again and check that faults still give the kind's entries. */
static void retouch(struct ctx *c, uint8_t *p, uint64_t len)
{
	struct drm_pudge_stats s0 = stats(c);

	for (uint64_t o = 0; o < len; o += SZ_4K)
		(void)*(volatile uint64_t *)(p + o);
	check_entries(c, s0, (uintptr_t)p, len);
}

/* ---- the paths ---- */

static void mbind_combos(struct ctx *c, bool strict)
{
	static const int modes[] = { MPOL_BIND, MPOL_PREFERRED, MPOL_INTERLEAVE,
				     MPOL_DEFAULT, MPOL_LOCAL };
	static const unsigned int flags[] = { 0, MPOL_MF_MOVE, MPOL_MF_MOVE_ALL };
	unsigned long node0 = 1;

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			unsigned int fl = flags[f] | (strict ? MPOL_MF_STRICT : 0);
			bool nomask = modes[m] == MPOL_DEFAULT || modes[m] == MPOL_LOCAL;
			long r = syscall(SYS_mbind, c->p, c->size, modes[m],
					 nomask ? NULL : &node0, nomask ? 0 : 64, fl);

			SAY("mbind mode %d flags %#x: %ld (%s)", modes[m], fl, r,
			    r ? strerror(errno) : "ok");
			/* No struct pages: nothing to queue, so no -EIO either. */
			CHECK(r == 0, "mbind mode %d flags %#x: %s", modes[m], fl,
			      strerror(errno));
			verify(c);
		}
	retouch(c, c->p, c->size);
}

static void path_mbind(struct ctx *c)
{
	mbind_combos(c, false);
}

static void path_mbind_strict(struct ctx *c)
{
	mbind_combos(c, true);
}

static void path_migrate_pages(struct ctx *c)
{
	unsigned long node0 = 1;
	long r = syscall(SYS_migrate_pages, 0, 64, &node0, &node0);

	SAY("migrate_pages: %ld", r);
	CHECK(r >= 0, "migrate_pages: %s", strerror(errno));
	verify(c);
	retouch(c, c->p, c->size);
}

static void path_move_pages(struct ctx *c)
{
	enum { N = 64 };
	void *pages[N];
	int nodes[N], status[N];
	long r;

	for (int i = 0; i < N; i++) {
		pages[i] = c->p + (c->size / N) * i;
		nodes[i] = 0;
	}
	r = syscall(SYS_move_pages, 0, N, pages, NULL, status, 0);
	CHECK(r == 0, "move_pages query: %s", strerror(errno));
	/* A pfnmap has no page for move_pages to report or move. */
	for (int i = 0; i < N; i++)
		CHECK(status[i] < 0, "query page %d: status %d", i, status[i]);
	SAY("query status[0] %d", status[0]);
	for (int fl = MPOL_MF_MOVE; fl <= MPOL_MF_MOVE_ALL; fl <<= 1) {
		r = syscall(SYS_move_pages, 0, N, pages, nodes, status, fl);
		SAY("move_pages flags %#x: %ld status[0] %d", fl, r, status[0]);
		CHECK(r >= 0, "move_pages: %s", strerror(errno));
		for (int i = 0; i < N; i++)
			CHECK(status[i] < 0, "moved page %d: status %d", i, status[i]);
	}
	verify(c);
	retouch(c, c->p, c->size);
}

/* After a move, the old range must fault and the new one hold the data. */
static void moved(struct ctx *c, uint8_t *old, uint8_t *q, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += len / 8)
		CHECK(probe((volatile uint64_t *)(old + o), false) == SIGSEGV,
		      "old address +%#llx still readable after mremap",
		      (unsigned long long)o);
	verify_at(q, len, 0, c->seed);
	c->p = q;
}

static void path_mremap_aligned(struct ctx *c)
{
	uint8_t *dst = free_va(c->size, c->k->align), *old = c->p, *q;
	struct drm_pudge_stats s0;

	q = mremap(c->p, c->size, c->size, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	CHECK(q == dst, "mremap: %s", strerror(errno));
	moved(c, old, q, c->size);
	s0 = stats(c);
	fill(q, c->size, 0, c->seed);
	check_entries(c, s0, (uintptr_t)q, c->size);
	verify(c);
}

static void path_mremap_unaligned(struct ctx *c)
{
	uint8_t *dst = free_va(c->size + SZ_2M, c->k->align) + 17 * SZ_4K, *old = c->p, *q;
	struct drm_pudge_stats s0, s;

	q = mremap(c->p, c->size, c->size, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	CHECK(q == dst, "mremap: %s", strerror(errno));
	s0 = stats(c);
	moved(c, old, q, c->size);
	fill(q, c->size, 0, c->seed);
	verify(c);
	/*
	 * 17 pages off every huge boundary: a huge entry cannot move there,
	 * so it is split (zapped) and faults must bring 4 KiB entries only.
	 */
	s = stats(c);
	CHECK(s.pud_inserted == s0.pud_inserted && s.pmd_inserted == s0.pmd_inserted,
	      "huge entries at an unaligned address");
	if (c->k->need != PUDGE_MAP_ORDER_PTE)
		CHECK(s.faults > s0.faults, "huge entries moved to an unaligned address");
}

static void path_mremap_shrink(struct ctx *c)
{
	uint64_t keep = c->size / 2 + 3 * SZ_4K;
	uint8_t *q = mremap(c->p, c->size, keep, 0);

	CHECK(q == c->p, "shrink: %s", q == MAP_FAILED ? strerror(errno) : "moved");
	verify_at(q, keep, 0, c->seed);
	CHECK(probe((volatile uint64_t *)(q + keep), false) == SIGSEGV,
	      "page after the shrunk end still mapped");
	c->size = keep;
	retouch(c, q, keep);
}

static void path_mremap_grow(struct ctx *c)
{
	uint8_t *old = c->p, *q = mremap(c->p, c->size, 2 * c->size, MREMAP_MAYMOVE);

	if (q == MAP_FAILED) {
		SAY("grow refused: %s", strerror(errno));
		verify(c);
		return;
	}
	/* Allowed by the kernel; past the BO's end is SIGBUS, not memory. */
	SAY("grew to %p from %p", q, old);
	if (q != old)
		moved(c, old, q, c->size);
	c->p = q;
	verify(c);
	CHECK(probe((volatile uint64_t *)(q + c->size), false) == SIGBUS,
	      "page past the BO's end readable");
	CHECK(probe((volatile uint64_t *)(q + 2 * c->size - 8), true) == SIGBUS,
	      "last page past the BO's end writable");
	c->size *= 2;	/* for munmap */
}

/* Offsets where a 4 KiB hole splits a mapping. */
static uint64_t split_offsets(const struct ctx *c, uint64_t *o)
{
	int n = 0;

	o[n++] = SZ_4K;
	o[n++] = SZ_2M - SZ_4K;
	o[n++] = SZ_2M;
	o[n++] = SZ_2M + 5 * SZ_4K;
	o[n++] = c->size / 2 + SZ_4K;
	o[n++] = c->size - SZ_4K;
	return n;
}

static void path_munmap_split(struct ctx *c)
{
	uint64_t offs[8];
	int n = split_offsets(c, offs);

	for (int i = 0; i < n; i++) {
		uint64_t off = offs[i];

		if (i)
			c->p = map_bo(c);
		CHECK(munmap(c->p + off, SZ_4K) == 0, "munmap +%#llx: %s",
		      (unsigned long long)off, strerror(errno));
		CHECK(probe((volatile uint64_t *)(c->p + off), false) == SIGSEGV,
		      "hole at +%#llx readable", (unsigned long long)off);
		verify_at(c->p, off, 0, c->seed);
		verify_at(c->p + off + SZ_4K, c->size - off - SZ_4K, off + SZ_4K, c->seed);
		/* Stores on both sides land in the BO. */
		if (off)
			*(volatile uint64_t *)(c->p + off - SZ_4K) = tag(off - SZ_4K, c->seed);
		munmap(c->p, c->size);
	}
	c->p = map_bo(c);
	verify(c);
}

static void path_mprotect_split(struct ctx *c)
{
	uint64_t offs[8];
	int n = split_offsets(c, offs);

	for (int i = 0; i < n; i++) {
		volatile uint64_t *w = (volatile uint64_t *)(c->p + offs[i]);

		CHECK(mprotect(c->p + offs[i], SZ_4K, PROT_READ) == 0, "mprotect: %s",
		      strerror(errno));
		CHECK(probe(w, false) == 0, "read-only page unreadable");
		CHECK(probe(w, true) == SIGSEGV, "read-only page +%#llx writable",
		      (unsigned long long)offs[i]);
		if (offs[i])
			CHECK(probe((volatile uint64_t *)(c->p + offs[i] - SZ_4K), true) == 0,
			      "page before the read-only one not writable");
		if (offs[i] + SZ_4K < c->size)
			CHECK(probe((volatile uint64_t *)(c->p + offs[i] + SZ_4K), true) == 0,
			      "page after the read-only one not writable");
		verify_at(c->p, c->size, 0, c->seed);
		CHECK(mprotect(c->p + offs[i], SZ_4K, PROT_READ | PROT_WRITE) == 0, "undo");
		CHECK(probe(w, true) == 0, "page not writable again");
	}
	/* PROT_NONE over a huge-aligned middle, then back. */
	CHECK(mprotect(c->p + SZ_2M, SZ_2M, PROT_NONE) == 0, "PROT_NONE");
	CHECK(probe((volatile uint64_t *)(c->p + SZ_2M), false) == SIGSEGV, "PROT_NONE readable");
	CHECK(mprotect(c->p + SZ_2M, SZ_2M, PROT_READ | PROT_WRITE) == 0, "RW");
	verify(c);
}

static const struct {
	int advice;
	const char *name;
} advices[] = {
	{ MADV_NORMAL, "NORMAL" }, { MADV_RANDOM, "RANDOM" },
	{ MADV_SEQUENTIAL, "SEQUENTIAL" }, { MADV_WILLNEED, "WILLNEED" },
	{ MADV_DONTNEED, "DONTNEED" }, { MADV_FREE, "FREE" },
	{ MADV_REMOVE, "REMOVE" }, { MADV_DONTFORK, "DONTFORK" },
	{ MADV_DOFORK, "DOFORK" }, { MADV_MERGEABLE, "MERGEABLE" },
	{ MADV_UNMERGEABLE, "UNMERGEABLE" }, { MADV_HUGEPAGE, "HUGEPAGE" },
	{ MADV_NOHUGEPAGE, "NOHUGEPAGE" }, { MADV_DONTDUMP, "DONTDUMP" },
	{ MADV_DODUMP, "DODUMP" }, { MADV_WIPEONFORK, "WIPEONFORK" },
	{ MADV_KEEPONFORK, "KEEPONFORK" }, { MADV_COLD, "COLD" },
	{ MADV_PAGEOUT, "PAGEOUT" }, { MADV_POPULATE_READ, "POPULATE_READ" },
	{ MADV_POPULATE_WRITE, "POPULATE_WRITE" },
	{ MADV_DONTNEED_LOCKED, "DONTNEED_LOCKED" }, { MADV_COLLAPSE, "COLLAPSE" },
	{ MADV_GUARD_INSTALL, "GUARD_INSTALL" }, { MADV_GUARD_REMOVE, "GUARD_REMOVE" },
	{ MADV_SOFT_OFFLINE, "SOFT_OFFLINE" }, { MADV_HWPOISON, "HWPOISON" },
};
#define NADVICES (sizeof(advices) / sizeof(advices[0]))

static void path_madvise(struct ctx *c)
{
	for (size_t i = 0; i < NADVICES; i++) {
		/* Whole mapping, then a 4 KiB piece at an odd offset. */
		int r1 = madvise(c->p, c->size, advices[i].advice);
		int e1 = r1 ? errno : 0;
		int r2 = madvise(c->p + SZ_2M + 3 * SZ_4K, SZ_4K, advices[i].advice);
		int e2 = r2 ? errno : 0;

		SAY("%-16s whole %d (%s), piece %d (%s)", advices[i].name, r1, strerror(e1),
		    r2, strerror(e2));
		/* Data must never be lost; a zap only means a fault to come. */
		verify(c);
		if (advices[i].advice == MADV_GUARD_INSTALL)
			CHECK(r1 != 0, "guard pages installed over a pfnmap");
		if (advices[i].advice == MADV_HWPOISON || advices[i].advice == MADV_SOFT_OFFLINE)
			CHECK(r1 != 0, "%s succeeded on VRAM", advices[i].name);
	}
	retouch(c, c->p, c->size);
}

static void path_process_madvise(struct ctx *c)
{
	static const int adv[] = { MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_COLLAPSE };
	int pidfd = syscall(__NR_pidfd_open, getpid(), 0);
	struct iovec iov[2] = {
		{ .iov_base = c->p, .iov_len = c->size / 2 },
		{ .iov_base = c->p + c->size / 2 + SZ_4K, .iov_len = SZ_4K },
	};

	CHECK(pidfd >= 0, "pidfd_open: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(adv) / sizeof(adv[0]); i++) {
		long r = syscall(__NR_process_madvise, pidfd, iov, 2, adv[i], 0);

		SAY("process_madvise %d: %ld (%s)", adv[i], r, r < 0 ? strerror(errno) : "ok");
		verify(c);
	}
	close(pidfd);
	retouch(c, c->p, c->size);
}

static void path_mlock(struct ctx *c)
{
	int r;

	r = mlock(c->p, c->size);
	SAY("mlock %d (%s)", r, r ? strerror(errno) : "ok");
	verify(c);
	CHECK(munlock(c->p, c->size) == 0, "munlock: %s", strerror(errno));
	r = syscall(SYS_mlock2, c->p + SZ_4K, SZ_2M, MLOCK_ONFAULT);
	SAY("mlock2 ONFAULT %d (%s)", r, r ? strerror(errno) : "ok");
	verify(c);
	r = mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
	SAY("mlockall %d (%s)", r, r ? strerror(errno) : "ok");
	verify(c);
	CHECK(munlockall() == 0, "munlockall");
	retouch(c, c->p, c->size);
}

static void path_msync(struct ctx *c)
{
	static const int fl[] = { MS_SYNC, MS_ASYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE };

	/*
	 * MS_SYNC of a shared file mapping calls the file's fsync, which DRM
	 * files do not have: -EINVAL, as for every DRM driver.  The others
	 * have nothing to do for a pfnmap.
	 */
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		int r = msync(c->p, c->size, fl[i]);

		SAY("msync %#x: %d (%s)", fl[i], r, r ? strerror(errno) : "ok");
		CHECK(r == 0 || ((fl[i] & MS_SYNC) && errno == EINVAL), "msync %#x: %s",
		      fl[i], strerror(errno));
		r = msync(c->p + SZ_2M + SZ_4K, SZ_4K, fl[i]);
		CHECK(r == 0 || ((fl[i] & MS_SYNC) && errno == EINVAL), "msync piece");
		verify(c);
	}
}

static void path_mincore(struct ctx *c)
{
	uint64_t n = c->size / SZ_4K;
	unsigned char *vec = malloc(n);
	uint64_t resident = 0;

	CHECK(vec, "malloc");
	CHECK(mincore(c->p, c->size, vec) == 0, "mincore: %s", strerror(errno));
	for (uint64_t i = 0; i < n; i++)
		resident += vec[i] & 1;
	SAY("mincore: %llu of %llu pages resident", (unsigned long long)resident,
	    (unsigned long long)n);
	free(vec);
	verify(c);
}

static void path_fork(struct ctx *c)
{
	pid_t pid;
	int st;

	/* The child sees the same bytes, and its stores reach the parent. */
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		verify(c);
		*(volatile uint64_t *)(c->p + c->size - SZ_4K) = 0xc0ffee;
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "child failed (%#x)", st);
	CHECK(*(volatile uint64_t *)(c->p + c->size - SZ_4K) == 0xc0ffee,
	      "child's store not seen");
	*(volatile uint64_t *)(c->p + c->size - SZ_4K) = tag(c->size - SZ_4K, c->seed);

	/* A child exits with the mapping still in place, mid-touch. */
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		fill(c->p, c->size, 0, c->seed);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "exit child");
	verify(c);
	retouch(c, c->p, c->size);

	/* DONTFORK: the child has no mapping there; the parent keeps it. */
	CHECK(madvise(c->p, c->size, MADV_DONTFORK) == 0, "DONTFORK");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid)
		_exit(probe((volatile uint64_t *)c->p, false) == SIGSEGV ? 0 : 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "DONTFORK mapping present in the child");
	/* TTM's VM_IO: MADV_DOFORK cannot undo it (madvise_behavior). */
	SAY("DOFORK: %d", madvise(c->p, c->size, MADV_DOFORK));
	verify(c);
}

static void path_userfaultfd(struct ctx *c)
{
	static const __u64 modes[] = { UFFDIO_REGISTER_MODE_MISSING, UFFDIO_REGISTER_MODE_WP,
				       UFFDIO_REGISTER_MODE_MINOR };
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	struct uffdio_api api = { .api = UFFD_API };

	if (uffd < 0) {
		SAY("no userfaultfd: %s", strerror(errno));
		_exit(CASE_SKIP);
	}
	CHECK(ioctl(uffd, UFFDIO_API, &api) == 0, "UFFDIO_API: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct uffdio_register reg = {
			.range = { .start = (uintptr_t)c->p, .len = c->size },
			.mode = modes[i],
		};
		int r = ioctl(uffd, UFFDIO_REGISTER, &reg);

		SAY("UFFDIO_REGISTER mode %llu: %d (%s)", (unsigned long long)modes[i], r,
		    r ? strerror(errno) : "ok");
		/* userfaultfd cannot serve a pfnmap: registration must be refused. */
		CHECK(r != 0, "userfaultfd registered over a pudge mapping");
		verify(c);
	}
	close(uffd);
}

static void read_file(const char *path, bool must)
{
	char buf[4096];
	int f = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (f < 0) {
		CHECK(!must, "open %s: %s", path, strerror(errno));
		return;
	}
	while ((n = read(f, buf, sizeof(buf))) > 0)
		total += n;
	close(f);
	SAY("%s: %zd bytes", path, total);
}

static void path_proc_readers(struct ctx *c)
{
	uint64_t pme[16];
	int f;

	read_file("/proc/self/maps", true);
	read_file("/proc/self/smaps", true);
	read_file("/proc/self/smaps_rollup", true);
	read_file("/proc/self/numa_maps", false);
	read_file("/proc/self/status", true);
	f = open("/proc/self/pagemap", O_RDONLY);
	CHECK(f >= 0, "pagemap");
	for (uint64_t o = 0; o < c->size; o += c->size / 4) {
		uint64_t idx = ((uintptr_t)c->p + o) / SZ_4K;

		CHECK(pread(f, pme, sizeof(pme), idx * 8) == sizeof(pme), "pagemap read");
	}
	SAY("pagemap entry %#llx", (unsigned long long)pme[0]);
	close(f);
	/* /proc/self/mem goes through vm_ops->access: the data, not an error. */
	f = open("/proc/self/mem", O_RDWR);
	CHECK(f >= 0, "/proc/self/mem");
	for (uint64_t o = 0; o < c->size; o += c->size / 4) {
		uint64_t v = 0;

		CHECK(pread(f, &v, 8, (off_t)(uintptr_t)(c->p + o)) == 8, "mem read: %s",
		      strerror(errno));
		CHECK(v == tag(o, c->seed), "/proc/self/mem read %#llx at +%#llx",
		      (unsigned long long)v, (unsigned long long)o);
	}
	close(f);
	verify(c);
	retouch(c, c->p, c->size);
}

static void path_clear_refs(struct ctx *c)
{
	static const char *const what[] = { "1", "2", "3", "4", "5" };

	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		CHECK(pudge_write_file("/proc/self/clear_refs", what[i]) == 0,
		      "clear_refs %s", what[i]);
		verify(c);
		fill(c->p, c->size, 0, c->seed);
	}
	read_file("/proc/self/smaps", true);
	retouch(c, c->p, c->size);
}

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void path_ksm(struct ctx *c)
{
	long long run = read_ll("/sys/kernel/mm/ksm/run"), scans, sleep_ms;
	int r;

	if (run < 0) {
		SAY("no KSM");
		_exit(CASE_SKIP);
	}
	sleep_ms = read_ll("/sys/kernel/mm/ksm/sleep_millisecs");
	r = madvise(c->p, c->size, MADV_MERGEABLE);
	SAY("MADV_MERGEABLE %d; PR_SET_MEMORY_MERGE %d", r,
	    prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0));
	/* Two full scans with ksmd running over this process. */
	pudge_write_file("/sys/kernel/mm/ksm/sleep_millisecs", "0");
	pudge_write_file("/sys/kernel/mm/ksm/run", "1");
	scans = read_ll("/sys/kernel/mm/ksm/full_scans");
	for (int i = 0; i < 200 && read_ll("/sys/kernel/mm/ksm/full_scans") < scans + 2; i++)
		usleep(50 * 1000);
	SAY("full scans %lld -> %lld", scans, read_ll("/sys/kernel/mm/ksm/full_scans"));
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", run);
		pudge_write_file("/sys/kernel/mm/ksm/run", buf);
		snprintf(buf, sizeof(buf), "%lld", sleep_ms);
		pudge_write_file("/sys/kernel/mm/ksm/sleep_millisecs", buf);
	}
	prctl(PR_SET_MEMORY_MERGE, 0, 0, 0, 0);
	verify(c);
	retouch(c, c->p, c->size);
}

static void path_mseal(struct ctx *c)
{
	long r = syscall(__NR_mseal, c->p, c->size, 0);

	if (r) {
		SAY("mseal: %s", strerror(errno));
		_exit(CASE_SKIP);
	}
	CHECK(munmap(c->p + SZ_4K, SZ_4K) != 0 && errno == EPERM, "sealed munmap");
	CHECK(mprotect(c->p, c->size, PROT_READ) != 0 && errno == EPERM, "sealed mprotect");
	CHECK(mremap(c->p, c->size, c->size, MREMAP_MAYMOVE | MREMAP_FIXED,
		     free_va(c->size, c->k->align)) == MAP_FAILED, "sealed mremap");
	verify(c);
	/* A sealed mapping stays until exit: leave it to the child's exit. */
	_exit(0);
}

static void path_remote_access(struct ctx *c)
{
	uint64_t buf[512];
	struct iovec local = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct iovec remote = { .iov_base = c->p + SZ_2M, .iov_len = sizeof(buf) };
	ssize_t n;

	/* process_vm_* pin pages: a pfnmap has none to pin. */
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	SAY("process_vm_readv: %zd (%s)", n, n < 0 ? strerror(errno) : "ok");
	CHECK(n < 0 && errno == EFAULT, "process_vm_readv over a pfnmap: %zd", n);
	n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	CHECK(n < 0 && errno == EFAULT, "process_vm_writev over a pfnmap: %zd", n);
	verify(c);
}

static void path_pipe_copy(struct ctx *c)
{
	int p[2];

	CHECK(pipe(p) == 0, "pipe");
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	/* copy_from_user out of the BO, copy_to_user into it. */
	for (uint64_t o = 0; o < 4 * SZ_4K; o += SZ_4K) {
		CHECK(write(p[1], c->p + SZ_2M + o, SZ_4K) == (ssize_t)SZ_4K, "write");
		CHECK(read(p[0], c->p + o, SZ_4K) == (ssize_t)SZ_4K, "read");
		CHECK(!memcmp(c->p + o, c->p + SZ_2M + o, SZ_4K), "copy differs");
	}
	close(p[0]);
	close(p[1]);
	fill(c->p, 4 * SZ_4K, 0, c->seed);
	verify(c);
}

/*
 * mremap and migration racing with readers (the hostile helper's storm,
 * kept): two threads read and write random pages through whichever
 * window the mapping is in, a mover moves it between two aligned windows
 * and one 17 pages off, and the main thread moves the BO out of VRAM, lets
 * a foreign BO take that VRAM and fill it, and moves the BO back.  A read through a
 * stale translation would see the foreign pattern (or the zeroes of a
 * fresh allocation) instead of the BO's own data.
 */
#define FOREIGN 0xf00df00df00df00dull

static struct {
	uint8_t *volatile base;
	volatile bool stop, stop_moving, window_lost;
	uint8_t *foreign_va;
	struct ctx *c;
	uint8_t *win[3];
	unsigned long reads, faults, moves, migrations;
	unsigned long bad, bad_zero, bad_foreign;
	int nwin;
	uint64_t bad_off, bad_val;
} race;

static __thread sigjmp_buf race_env;
static __thread volatile int race_armed;

static void race_handler(int sig)
{
	if (race_armed)
		siglongjmp(race_env, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void *race_reader(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	uint64_t pages = race.c->size / SZ_4K;

	while (!race.stop) {
		uint64_t off, v;
		uint8_t *b;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		off = (seed % pages) * SZ_4K;
		if (!sampled(off))
			continue;
		b = race.base;
		race_armed = 1;
		if (sigsetjmp(race_env, 1)) {
			race_armed = 0;
			__atomic_add_fetch(&race.faults, 1, __ATOMIC_RELAXED);
			continue;
		}
		v = *(volatile uint64_t *)(b + off);
		if (seed & 1)
			*(volatile uint64_t *)(b + off) = tag(off, race.c->seed);
		race_armed = 0;
		__atomic_add_fetch(&race.reads, 1, __ATOMIC_RELAXED);
		if (v == tag(off, race.c->seed))
			continue;
		if (!v)
			__atomic_add_fetch(&race.bad_zero, 1, __ATOMIC_RELAXED);
		if (v == FOREIGN)
			__atomic_add_fetch(&race.bad_foreign, 1, __ATOMIC_RELAXED);
		if (__atomic_add_fetch(&race.bad, 1, __ATOMIC_RELAXED) == 1) {
			race.bad_off = off;
			race.bad_val = v;
		}
	}
	return NULL;
}

static void *race_mover(void *arg)
{
	int w = 0;

	while (!race.stop && !race.stop_moving) {
		int to = (w + 1) % race.nwin;
		uint8_t *q = mremap(race.win[w], race.c->size, race.c->size,
				    MREMAP_MAYMOVE | MREMAP_FIXED, race.win[to]);

		if (q != race.win[to])
			break;
		race.base = q;
		/*
		 * Keep the window just left reserved (PROT_NONE): a late reader
		 * must fault there, not meet whatever mmap() puts there next.
		 */
		if (mmap(race.win[w], race.c->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0) != race.win[w])
			race.window_lost = true;
		w = to;
		race.moves++;
		usleep(2000);
	}
	race.c->p = race.win[w];
	return NULL;
}

static void path_mremap_race(struct ctx *c)
{
	struct sigaction sa = { .sa_handler = race_handler };
	int secs = getenv("PUDGE_MM_SECONDS") ? atoi(getenv("PUDGE_MM_SECONDS")) : 5;
	bool vram = c->k->place == PUDGE_GEM_PLACE_VRAM;
	pthread_t t[3];
	time_t end;

	/* A BO that can leave VRAM. */
	if (vram) {
		munmap(c->p, c->size);
		pudge_bo_close(c->fd, c->h);
		CHECK(pudge_bo_create(c->fd, c->size, PUDGE_GEM_PLACE_MASK, &c->h, NULL) == 0,
		      "create");
		c->p = map_bo(c);
		fill(c->p, c->size, 0, c->seed);
	}
	memset(&race, 0, sizeof(race));
	race.c = c;
	race.win[0] = c->p;
	race.win[1] = free_va(c->size, c->k->align);
	CHECK(mmap(race.win[1], c->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED | MAP_NORESERVE, -1, 0) == race.win[1], "window 1");
	race.win[2] = free_va(c->size + SZ_2M, c->k->align) + 17 * SZ_4K;
	CHECK(mmap(race.win[2], c->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED | MAP_NORESERVE, -1, 0) == race.win[2], "window 2");
	race.foreign_va = free_va(c->size, c->k->align);
	CHECK(mmap(race.foreign_va, c->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED | MAP_NORESERVE, -1, 0) == race.foreign_va, "foreign window");
	race.base = c->p;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	pthread_create(&t[0], NULL, race_reader, (void *)1);
	pthread_create(&t[1], NULL, race_reader, (void *)2);
	/* PUDGE_MM_RACE=nomove / nomigrate: one half alone, to tell which fails. */
	if (getenv("PUDGE_MM_RACE") && !strcmp(getenv("PUDGE_MM_RACE"), "nomove"))
		race.stop_moving = true;
	if (getenv("PUDGE_MM_RACE") && !strcmp(getenv("PUDGE_MM_RACE"), "nomigrate"))
		vram = false;
	race.nwin = getenv("PUDGE_MM_RACE") && !strcmp(getenv("PUDGE_MM_RACE"), "aligned") ? 2 : 3;
	pthread_create(&t[2], NULL, race_mover, NULL);
	end = time(NULL) + secs;
	/* Out of VRAM; a foreign BO takes that VRAM and fills it; back. */
	while (time(NULL) < end && vram) {
		uint32_t foreign;
		uint8_t *f;

		CHECK(pudge_bo_migrate(c->fd, c->h, PUDGE_GEM_PLACE_SYSTEM) == 0, "BO out");
		if (pudge_bo_create(c->fd, c->size, PUDGE_GEM_PLACE_VRAM, &foreign, NULL) == 0) {
			uint64_t off;

			/* At its own reserved address, never in a window. */
			CHECK(pudge_bo_mmap_offset(c->fd, foreign, &off) == 0, "foreign offset");
			f = mmap(race.foreign_va, c->size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, c->fd, off);
			CHECK(f == race.foreign_va, "map foreign: %s", strerror(errno));
			for (uint64_t o = 0; o < c->size; o += SZ_4K)
				if (sampled(o))
					*(volatile uint64_t *)(f + o) = FOREIGN;
			CHECK(mmap(f, c->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				   MAP_NORESERVE, -1, 0) == f, "re-reserve");
			pudge_bo_close(c->fd, foreign);
		}
		CHECK(pudge_bo_migrate(c->fd, c->h, PUDGE_GEM_PLACE_VRAM) == 0, "BO back");
		race.migrations++;
	}
	while (time(NULL) < end)
		usleep(100 * 1000);
	race.stop = true;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	SAY("%lu reads, %lu faults, %lu moves, %lu migrations, %lu bad (%lu zero, %lu foreign)",
	    race.reads, race.faults, race.moves, race.migrations, race.bad, race.bad_zero,
	    race.bad_foreign);
	CHECK(!race.bad, "read %#llx at BO offset %#llx (stale translation?)",
	      (unsigned long long)race.bad_val, (unsigned long long)race.bad_off);
	CHECK((race.moves > 0 || race.stop_moving) && race.reads > 0, "nothing raced");
	CHECK(!race.window_lost, "a window was taken while free: the test proves nothing");
	for (int i = 0; i < race.nwin; i++)
		if (race.win[i] != c->p)
			munmap(race.win[i], c->size);
	munmap(race.foreign_va, c->size);
	verify(c);
}

static const struct path {
	const char *name;
	void (*fn)(struct ctx *c);
	uint64_t hazard;	/* orders that reach a stock-kernel bug */
	const char *patch;
} paths[] = {
	{ .name = "mbind", .fn = path_mbind },
	{ .name = "mbind-strict", .fn = path_mbind_strict, .hazard = PUDGE_MAP_ORDER_PMD,
	  .patch = "0003-mm-mempolicy-skip-special-huge-PMDs-in-queue_folios_.patch" },
	{ .name = "migrate-pages", .fn = path_migrate_pages },
	{ .name = "move-pages", .fn = path_move_pages },
	{ .name = "mremap-aligned", .fn = path_mremap_aligned },
	{ .name = "mremap-unaligned", .fn = path_mremap_unaligned },
	{ .name = "mremap-shrink", .fn = path_mremap_shrink },
	{ .name = "mremap-grow", .fn = path_mremap_grow },
	{ .name = "munmap-split", .fn = path_munmap_split },
	{ .name = "mprotect-split", .fn = path_mprotect_split },
	{ .name = "madvise", .fn = path_madvise },
	{ .name = "process-madvise", .fn = path_process_madvise },
	{ .name = "mlock", .fn = path_mlock },
	{ .name = "msync", .fn = path_msync },
	{ .name = "mincore", .fn = path_mincore },
	{ .name = "fork", .fn = path_fork },
	{ .name = "userfaultfd", .fn = path_userfaultfd },
	{ .name = "proc-readers", .fn = path_proc_readers },
	{ .name = "clear-refs", .fn = path_clear_refs },
	{ .name = "ksm", .fn = path_ksm },
	{ .name = "mseal", .fn = path_mseal },
	{ .name = "remote-access", .fn = path_remote_access },
	{ .name = "pipe-copy", .fn = path_pipe_copy },
	{ .name = "mremap-race", .fn = path_mremap_race },
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

/* ---- the parent side ---- */

static const char *const splats[] = {
	"BUG:", "WARNING:", "Oops", "general protection", "bad pud", "bad pmd",
	"Bad page", "KASAN", "page_table_check", "possible circular locking",
	"suspicious RCU usage", "sleeping function called",
};

static int splat_count(void)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(splats) / sizeof(splats[0]); i++) {
		int c = pudge_kernel_log_count(splats[i]);

		igt_assert_f(c >= 0, "cannot read the kernel log: %s\n", strerror(-c));
		n += c;
	}
	return n;
}

/* Run @fn in a child with a fresh fd; a stuck child means a kernel Oops. */
static void run_in_child(void (*fn)(struct ctx *c), const struct kind *k, bool use_unsafe)
{
	int before = splat_count(), st = 0;
	pid_t pid;
	int waited;

	fflush(stdout);
	pid = fork();
	igt_assert(pid >= 0);
	if (!pid) {
		struct ctx c = { 0 };

		setup(&c, k, use_unsafe);
		fn(&c);
		munmap(c.p, c.size);
		pudge_bo_close(c.fd, c.h);
		close(c.fd);
		fflush(stdout);
		_exit(0);
	}
	/*
	 * Up to 180 s; once the kernel log has a splat, 5 s more: an oopsed
	 * child never exits, and the kernel log says why.
	 */
	for (waited = 0; waited < 1800; waited++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (!(waited % 10) && splat_count() != before && waited < 1750)
			waited = 1750;
		usleep(100 * 1000);
	}
	pudge_module_param_set("max_map_order", saved_cap);
	pudge_module_param_set("unsafe_orders", saved_unsafe);
	if (waited == 1800) {
		kill(pid, SIGKILL);
		igt_assert_f(splat_count() == before,
			     "the kernel log gained a splat and the case is stuck\n");
		igt_assert_f(false, "case stuck for 180 s\n");
	}
	igt_assert_f(splat_count() == before, "the kernel log gained a splat\n");
	if (WIFEXITED(st) && WEXITSTATUS(st) == CASE_SKIP)
		igt_skip("not available on this kernel\n");
	igt_assert_f(WIFEXITED(st) && WEXITSTATUS(st) == 0, "case failed (status %#x)\n", st);
}

static void run_path(const struct path *p, const struct kind *k)
{
	igt_require_f(kernel_orders & k->need, "kernel lacks %s pfnmap entries\n", k->name);
	if ((p->hazard & k->need) && !patched)
		igt_skip("reaches a stock-kernel bug: needs kernel-patches/%s\n", p->patch);
	run_in_child(p->fn, k, true);
}

/*
 * With the module's defaults, mbind(MPOL_MF_STRICT) over a 2 MiB-aligned
 * BO must be harmless on every kernel: no 2 MiB entries to reach the bug.
 */
static void safe_defaults_case(struct ctx *c)
{
	CHECK(stats(c).pmd_inserted == 0, "2 MiB entries with the defaults");
	mbind_combos(c, true);
	CHECK(stats(c).pmd_inserted == 0, "2 MiB entries with the defaults");
}

igt_main
{
	static const struct kind defaults = {
		"defaults", 4 * SZ_2M, SZ_4K, PUDGE_GEM_PLACE_VRAM, 18, PUDGE_MAP_ORDER_PTE
	};
	static size_t pi, ki;

	igt_fixture {
		g_fd = pudge_igt_open(PUDGE_NODE_RENDER);
		igt_assert_eq(pudge_get_param(g_fd, PUDGE_PARAM_KERNEL_MAP_ORDERS,
					      &kernel_orders), 0);
		igt_assert_eq(pudge_module_param_get("max_map_order", &saved_cap), 0);
		igt_assert_eq(pudge_module_param_get("unsafe_orders", &saved_unsafe), 0);
		/* The cases' children change both; put them back whatever happens. */
		pudge_igt_param_keep("max_map_order");
		pudge_igt_param_keep("unsafe_orders");
		patched = pudge_kernel_patched();
		igt_info("kernel %s kernel-patches/\n", patched ? "has" : "lacks");
	}

	/* Static: a failing subtest longjmps out of this loop's body. */
	for (pi = 0; pi < NPATHS; pi++)
		for (ki = 0; ki < NKINDS; ki++) {
			igt_subtest_f("%s-%s", paths[pi].name, kinds[ki].name)
				run_path(&paths[pi], &kinds[ki]);
		}

	igt_describe("With the module defaults, mbind(MPOL_MF_STRICT) cannot reach a 2 MiB entry");
	igt_subtest("safe-defaults")
		run_in_child(safe_defaults_case, &defaults, false);

	igt_fixture {
		pudge_module_param_set("max_map_order", saved_cap);
		pudge_module_param_set("unsafe_orders", saved_unsafe);
		close(g_fd);
	}
}
