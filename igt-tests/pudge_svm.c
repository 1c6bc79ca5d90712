// SPDX-License-Identifier: MIT
/*
 * pudge_svm: process memory moved into VRAM as device-private pages and
 * back (SVM_MIGRATE, SVM_ACCESS), after the cases of the kernel's
 * hmm-tests: read back, CPU fault back, device access, fork, shared
 * memory, munmap/mprotect during and after, threads, mixed ranges, file
 * memory, THP, injected allocation failure, VRAM pressure with buffer
 * objects, device unbind.  Every count is the kernel's: SVM_MIGRATE's out
 * fields, STATS counters, GET_PARAM's resident bytes.
 */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <xf86drm.h>

#include "igt.h"
#include "pudge.h"
#include "pudge_igt.h"

#define SZ_4K (4096ull)
#define SZ_1M (1ull << 20)
#define SZ_2M (2ull << 20)
#define NPAGES(sz) ((sz) / SZ_4K)

static int fd = -1;
static uint64_t features;

static uint64_t param(uint32_t p)
{
	uint64_t v = 0;

	igt_assert_eq(pudge_get_param(fd, p, &v), 0);
	return v;
}

/*
 * Bytes of process memory in VRAM, all processes.  Every subtest starts
 * from none: the test bed fails a test that leaves any behind.
 */
static uint64_t resident(void)
{
	return param(PUDGE_PARAM_SVM_RESIDENT);
}

static struct drm_pudge_stats stats(void)
{
	struct drm_pudge_stats s;

	igt_assert_eq(pudge_stats(fd, 0, &s), 0);
	return s;
}

/* Private anonymous memory, 2 MiB-aligned, THP on or off. */
static uint8_t *anon(uint64_t size, bool thp)
{
	uint8_t *p = pudge_map_anon(size, thp);

	igt_assert_f(p, "anonymous mapping: %s\n", strerror(errno));
	return p;
}

static uint64_t tag(uint64_t seed, uint64_t off)
{
	return (off + 1) * 0x9e3779b97f4a7c15ull ^ seed;
}

/* One word per 8 bytes, so a misplaced page or a torn copy shows. */
static void fill(uint8_t *p, uint64_t size, uint64_t seed)
{
	for (uint64_t o = 0; o < size; o += 8)
		*(uint64_t *)(p + o) = tag(seed, o);
}

static void check(const uint8_t *p, uint64_t size, uint64_t seed)
{
	for (uint64_t o = 0; o < size; o += 8)
		igt_assert_f(*(const uint64_t *)(p + o) == tag(seed, o),
			     "word at %#llx: %#llx, want %#llx\n",
			     (unsigned long long)o,
			     (unsigned long long)*(const uint64_t *)(p + o),
			     (unsigned long long)tag(seed, o));
}

/* SVM_MIGRATE that must succeed; its counts must add up to the range. */
static struct drm_pudge_svm_migrate migrate(void *p, uint64_t size, uint32_t place)
{
	struct drm_pudge_svm_migrate m;

	igt_assert_eq(pudge_svm_migrate(fd, p, size, place, &m), 0);
	igt_debug("migrate %llu pages: moved %llu (thp %llu) already %llu not_anon %llu pinned %llu busy %llu no_room %llu\n",
		  (unsigned long long)NPAGES(size), (unsigned long long)m.moved,
		  (unsigned long long)m.moved_thp, (unsigned long long)m.already,
		  (unsigned long long)m.not_anon, (unsigned long long)m.pinned,
		  (unsigned long long)m.busy, (unsigned long long)m.no_room);
	igt_assert_eq_u64(m.moved + m.already + m.not_anon + m.pinned + m.busy +
			  m.no_room + m.shared, NPAGES(size));
	igt_assert_lte_u64(m.moved_thp, m.moved);
	return m;
}

/* Read the range as the device sees it, without moving anything. */
static struct drm_pudge_svm_access dev_read(const void *p, uint64_t size, void *buf)
{
	struct drm_pudge_svm_access a, sum = { 0 };

	/* At most PUDGE_SVM_ACCESS_MAX per call. */
	for (uint64_t o = 0; o < size; o += PUDGE_SVM_ACCESS_MAX) {
		uint64_t n = size - o < PUDGE_SVM_ACCESS_MAX ? size - o : PUDGE_SVM_ACCESS_MAX;

		igt_assert_eq(pudge_svm_access(fd, (const uint8_t *)p + o, n,
					       (uint8_t *)buf + o, PUDGE_SVM_ACCESS_READ, &a), 0);
		igt_assert_eq_u64(a.vram_pages + a.system_pages, NPAGES(n));
		sum.vram_pages += a.vram_pages;
		sum.system_pages += a.system_pages;
	}
	return sum;
}

#define ANY (~0ull)

/* Device read of the range: data @seed, @in_vram pages of it in VRAM. */
static void dev_check(const void *p, uint64_t size, uint64_t seed, uint64_t in_vram)
{
	uint8_t *buf = malloc(size);
	struct drm_pudge_svm_access a;

	igt_assert(buf);
	a = dev_read(p, size, buf);
	if (in_vram != ANY)
		igt_assert_eq_u64(a.vram_pages, in_vram);
	check(buf, size, seed);
	free(buf);
}

static void test_no_svm(void)
{
	struct drm_pudge_svm_migrate m = { 0 };
	struct drm_pudge_svm_access a = { 0 };
	uint8_t *p;

	igt_require_f(!(features & PUDGE_FEATURE_SVM), "this kernel has SVM\n");
	p = anon(SZ_2M, false);
	igt_assert_eq(pudge_svm_migrate(fd, p, SZ_2M, PUDGE_GEM_PLACE_VRAM, NULL),
		      -EOPNOTSUPP);
	igt_assert_eq(pudge_svm_access(fd, p, SZ_4K, p + SZ_4K, 0, NULL), -EOPNOTSUPP);
	/* Even garbage gets EOPNOTSUPP: the feature is absent, not misused. */
	igt_assert_eq(drmCommandWriteRead(fd, DRM_PUDGE_SVM_MIGRATE, &m, sizeof(m)),
		      -EOPNOTSUPP);
	igt_assert_eq(drmCommandWriteRead(fd, DRM_PUDGE_SVM_ACCESS, &a, sizeof(a)),
		      -EOPNOTSUPP);
	igt_assert_eq_u64(param(PUDGE_PARAM_SVM_CAPACITY), 0);
	igt_assert_eq_u64(resident(), 0);
	munmap(p, SZ_2M);
}

static void test_invalid(void)
{
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_svm_access a;
	uint8_t *p = anon(4 * SZ_4K, false), *f, *bo;
	uint8_t buf[2 * SZ_4K];
	uint32_t h;
	int file;

	fill(p, 4 * SZ_4K, 1);
	m = (struct drm_pudge_svm_migrate){ .addr = (uintptr_t)p, .size = SZ_4K,
					     .placement = PUDGE_GEM_PLACE_VRAM };
#define BAD(field, value, err) do {						\
		struct drm_pudge_svm_migrate b = m;				\
		b.field = value;						\
		igt_assert_eq(drmCommandWriteRead(fd, DRM_PUDGE_SVM_MIGRATE, &b, sizeof(b)), -err); \
	} while (0)
	BAD(addr, (uintptr_t)p + 8, EINVAL);
	BAD(size, 0, EINVAL);
	BAD(size, 100, EINVAL);
	BAD(size, ~0ull & ~(SZ_4K - 1), EINVAL);
	BAD(addr, ~0ull & ~(SZ_4K - 1), EINVAL);
	BAD(placement, 0, EINVAL);
	BAD(placement, PUDGE_GEM_PLACE_MASK, EINVAL);
	BAD(placement, 4, EINVAL);
	BAD(flags, 1, EINVAL);
	BAD(flags, 1u << 31, EINVAL);
	/* A hole: the range runs past the mapping. */
	munmap(p + 3 * SZ_4K, SZ_4K);
	BAD(size, 4 * SZ_4K, EFAULT);
	/* Not readable. */
	igt_assert_eq(mprotect(p + 2 * SZ_4K, SZ_4K, PROT_NONE), 0);
	BAD(size, 3 * SZ_4K, EFAULT);
#undef BAD
	/* Nothing moved by the refused calls. */
	igt_assert_eq_u64(resident(), 0);
	check(p, 2 * SZ_4K, 1);
	/* Out fields are outputs only: garbage passed in does not come back. */
	{
		struct drm_pudge_svm_migrate g = m;

		g.moved = g.already = g.no_room = g.shared = 12345;
		igt_assert_eq(drmCommandWriteRead(fd, DRM_PUDGE_SVM_MIGRATE, &g, sizeof(g)), 0);
		igt_assert_eq_u64(g.moved, 1);
		igt_assert_eq_u64(g.already + g.no_room + g.shared, 0);
		igt_assert_eq_u64(migrate(p, SZ_4K, PUDGE_GEM_PLACE_SYSTEM).moved, 1);
	}

	/*
	 * File-backed memory is refused: this test's own executable (not on
	 * tmpfs, whose files are shared memory).  memfd memory is shmem: it is
	 * counted as not anonymous instead.
	 */
	file = open("/proc/self/exe", O_RDONLY);
	igt_assert(file >= 0);
	f = mmap(NULL, SZ_4K, PROT_READ, MAP_PRIVATE, file, 0);
	igt_assert(f != MAP_FAILED);
	memcpy(buf, f, SZ_4K);
	igt_assert_eq(pudge_svm_migrate(fd, f, SZ_4K, PUDGE_GEM_PLACE_VRAM, NULL), -EINVAL);
	igt_assert_eq(pudge_svm_migrate(fd, f, SZ_4K, PUDGE_GEM_PLACE_SYSTEM, NULL), -EINVAL);
	igt_assert(!memcmp(buf, f, SZ_4K));
	munmap(f, SZ_4K);
	close(file);
	file = memfd_create("pudge-svm", 0);
	igt_assert(file >= 0);
	igt_assert_eq(ftruncate(file, SZ_2M), 0);
	f = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0);
	igt_assert(f != MAP_FAILED);
	fill(f, SZ_2M, 2);
	igt_assert_eq_u64(migrate(f, SZ_2M, PUDGE_GEM_PLACE_VRAM).not_anon, NPAGES(SZ_2M));
	check(f, SZ_2M, 2);
	munmap(f, SZ_2M);
	close(file);

	/* A pudge BO mapping is device memory already. */
	igt_assert_eq(pudge_bo_create(fd, SZ_2M, PUDGE_GEM_PLACE_VRAM, &h, NULL), 0);
	bo = pudge_bo_map(fd, h, 0, SZ_2M, PROT_READ | PROT_WRITE);
	igt_assert(bo != MAP_FAILED);
	igt_assert_eq(pudge_svm_migrate(fd, bo, SZ_2M, PUDGE_GEM_PLACE_VRAM, NULL), -EINVAL);
	munmap(bo, SZ_2M);
	pudge_bo_close(fd, h);

	/* SVM_ACCESS: each rejection of the argument checks, then holes. */
	a = (struct drm_pudge_svm_access){ .addr = (uintptr_t)p, .size = SZ_4K,
					    .data_ptr = (uintptr_t)buf };
#define BAD_ACCESS(field, value) do {						\
		struct drm_pudge_svm_access b = a;				\
		b.field = value;						\
		igt_assert_eq(drmCommandWriteRead(fd, DRM_PUDGE_SVM_ACCESS, &b, sizeof(b)), \
			      -EINVAL);						\
	} while (0)
	BAD_ACCESS(flags, 1);
	BAD_ACCESS(flags, 1u << 31);
	BAD_ACCESS(op, PUDGE_SVM_ACCESS_WRITE + 1);
	BAD_ACCESS(addr, ~0ull & ~(SZ_4K - 1));
	BAD_ACCESS(size, 100);
#undef BAD_ACCESS
	igt_assert_eq(drmCommandWriteRead(fd, DRM_PUDGE_SVM_ACCESS, &a, sizeof(a)), 0);
	igt_assert_eq_u64(a.system_pages, 1);
	igt_assert(!memcmp(buf, p, SZ_4K));
	igt_assert_eq(pudge_svm_access(fd, p, SZ_4K, buf, 2, NULL), -EINVAL);
	igt_assert_eq(pudge_svm_access(fd, p + 1, SZ_4K, buf, 0, NULL), -EINVAL);
	igt_assert_eq(pudge_svm_access(fd, p, 0, buf, 0, NULL), -EINVAL);
	igt_assert_eq(pudge_svm_access(fd, p, PUDGE_SVM_ACCESS_MAX + SZ_4K, buf, 0, NULL),
		      -EINVAL);
	igt_assert_eq(pudge_svm_access(fd, p + 2 * SZ_4K, SZ_4K, buf, 0, NULL), -EFAULT);
	igt_assert_eq(pudge_svm_access(fd, p + 3 * SZ_4K, SZ_4K, buf, 0, NULL), -EFAULT);
	igt_assert_eq(pudge_svm_access(fd, p, SZ_4K, (void *)8, 0, NULL), -EFAULT);
	munmap(p, 3 * SZ_4K);
}

/* Migrate, read on the device, fault back on the CPU page by page. */
static void test_read_back(void)
{
	const uint64_t size = 4 * SZ_1M;
	uint8_t *p = anon(size, false);
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_stats s0, s1;

	fill(p, size, 3);
	s0 = stats();
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, NPAGES(size));
	igt_assert_eq_u64(m.moved_thp, 0);
	igt_assert_eq_u64(resident(), size);
	dev_check(p, size, 3, NPAGES(size));
	/* Device reads moved nothing back. */
	igt_assert_eq_u64(resident(), size);
	check(p, size, 3);
	s1 = stats();
	igt_assert_eq_u64(s1.svm_to_vram - s0.svm_to_vram, NPAGES(size));
	igt_assert_eq_u64(s1.svm_to_ram - s0.svm_to_ram, NPAGES(size));
	igt_assert_eq_u64(s1.svm_cpu_faults - s0.svm_cpu_faults, NPAGES(size));
	igt_assert_eq_u64(s1.svm_bytes_copied - s0.svm_bytes_copied, 2 * size);
	igt_assert_eq_u64(resident(), 0);
	dev_check(p, size, 3, 0);
	munmap(p, size);
}

/* Back by ioctl: no CPU fault involved; then again as a no-op. */
static void test_back_ioctl(void)
{
	const uint64_t size = 2 * SZ_1M;
	uint8_t *p = anon(size, false);
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_stats s0, s1;

	fill(p, size, 4);
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, NPAGES(size));
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, 0);
	igt_assert_eq_u64(m.already, NPAGES(size));
	s0 = stats();
	m = migrate(p, size, PUDGE_GEM_PLACE_SYSTEM);
	igt_assert_eq_u64(m.moved, NPAGES(size));
	m = migrate(p, size, PUDGE_GEM_PLACE_SYSTEM);
	igt_assert_eq_u64(m.already, NPAGES(size));
	s1 = stats();
	igt_assert_eq_u64(s1.svm_cpu_faults, s0.svm_cpu_faults);
	igt_assert_eq_u64(resident(), 0);
	check(p, size, 4);
	munmap(p, size);
}

/* Ten round trips, the data changed by the device and the CPU in turn. */
static void test_ping_pong(void)
{
	const uint64_t size = SZ_1M;
	uint8_t *p = anon(size, false);
	uint8_t *buf = malloc(size);

	igt_assert(buf);
	fill(p, size, 100);
	for (int i = 0; i < 10; i++) {
		struct drm_pudge_svm_access a;

		igt_assert_eq_u64(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved, NPAGES(size));
		fill(buf, size, 200 + i);
		igt_assert_eq(pudge_svm_access(fd, p, size, buf, PUDGE_SVM_ACCESS_WRITE,
					       &a), 0);
		igt_assert_eq_u64(a.vram_pages, NPAGES(size));
		if (i & 1) {
			igt_assert_eq_u64(migrate(p, size, PUDGE_GEM_PLACE_SYSTEM).moved,
					  NPAGES(size));
		}
		check(p, size, 200 + i);
		fill(p, size, 300 + i);
		dev_check(p, size, 300 + i, 0);
	}
	free(buf);
	munmap(p, size);
}

/* Device writes: to VRAM pages in place, to system pages through HMM. */
static void test_device_write(void)
{
	const uint64_t size = SZ_1M;
	uint8_t *p = anon(size, false), *q = anon(size, false);
	uint8_t *buf = malloc(size);
	struct drm_pudge_svm_access a;

	igt_assert(buf);
	fill(p, size, 5);
	migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	fill(buf, size, 6);
	igt_assert_eq(pudge_svm_access(fd, p, size, buf, PUDGE_SVM_ACCESS_WRITE, &a), 0);
	igt_assert_eq_u64(a.vram_pages, NPAGES(size));
	igt_assert_eq_u64(resident(), size);
	check(p, size, 6);

	/* q was never touched: the device access faults it in. */
	fill(buf, size, 7);
	igt_assert_eq(pudge_svm_access(fd, q, size, buf, PUDGE_SVM_ACCESS_WRITE, &a), 0);
	igt_assert_eq_u64(a.system_pages, NPAGES(size));
	check(q, size, 7);
	free(buf);
	munmap(p, size);
	munmap(q, size);
}

/* Never-touched memory moves as zeroes. */
static void test_unpopulated(void)
{
	const uint64_t size = SZ_1M;
	uint8_t *p = anon(size, false);

	igt_assert_eq_u64(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved, NPAGES(size));
	for (uint64_t o = 0; o < size; o += 8)
		igt_assert_eq_u64(*(uint64_t *)(p + o), 0);
	munmap(p, size);
}

/* fork(): parent and child share the VRAM copy until one writes. */
static void test_fork(void)
{
	const uint64_t size = SZ_1M;
	uint8_t *p = anon(size, false);
	int status;
	pid_t pid;

	fill(p, size, 8);
	migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		uint8_t *buf = malloc(size);
		struct drm_pudge_svm_access a;
		bool ok;

		/* The child sees the parent's data, still in VRAM. */
		ok = buf && !pudge_svm_access(fd, p, size, buf, PUDGE_SVM_ACCESS_READ, &a) &&
		     a.vram_pages == NPAGES(size);
		for (uint64_t o = 0; ok && o < size; o += 8)
			ok = *(uint64_t *)(buf + o) == tag(8, o) &&
			     *(uint64_t *)(p + o) == tag(8, o);
		fill(p, size, 9);
		for (uint64_t o = 0; ok && o < size; o += 8)
			ok = *(uint64_t *)(p + o) == tag(9, o);
		_exit(ok ? 0 : 1);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/*
	 * The child's writes did not reach the parent.  Its first write
	 * moved the shared pages back for both processes before breaking
	 * copy-on-write, so the parent's data may be in system memory now.
	 */
	dev_check(p, size, 8, ANY);
	check(p, size, 8);
	fill(p, size, 10);
	check(p, size, 10);
	munmap(p, size);
	igt_assert_eq_u64(resident(), 0);
}

/* Shared anonymous memory is page cache: counted, not moved. */
static void test_shared(void)
{
	const uint64_t size = SZ_1M;
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct drm_pudge_svm_migrate m;

	igt_assert(p != MAP_FAILED);
	fill(p, size, 11);
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, 0);
	igt_assert_eq_u64(m.not_anon, NPAGES(size));
	dev_check(p, size, 11, 0);
	munmap(p, size);
}

/* Private and shared mappings side by side, and pinned pages. */
static void test_mixed(void)
{
	const uint64_t part = 256 * SZ_4K;
	uint8_t *p = anon(3 * part, false);
	struct io_uring_params params = { 0 };
	struct drm_pudge_svm_migrate m;
	struct iovec iov;
	int ring;

	igt_assert(mmap(p + part, part, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p + part);
	fill(p, 3 * part, 12);
	/* io_uring fixed buffers pin the last part for the ring's life. */
	ring = syscall(__NR_io_uring_setup, 4, &params);
	igt_require_f(ring >= 0, "io_uring unavailable: %s\n", strerror(errno));
	iov = (struct iovec){ .iov_base = p + 2 * part, .iov_len = part };
	igt_assert_eq_s64(syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
			      &iov, 1), 0);
	m = migrate(p, 3 * part, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, NPAGES(part));
	igt_assert_eq_u64(m.not_anon, NPAGES(part));
	igt_assert_eq_u64(m.pinned, NPAGES(part));
	dev_check(p, 3 * part, 12, NPAGES(part));
	/* Unregistering unpins at once; closing the ring would do it later. */
	igt_assert_eq_s64(syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS,
			      NULL, 0), 0);
	close(ring);
	/* Unpinned now: the rest moves; the shared part never does. */
	m = migrate(p, 3 * part, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, NPAGES(part));
	igt_assert_eq_u64(m.already, NPAGES(part));
	check(p, 3 * part, 12);
	munmap(p, 3 * part);
}

/* munmap after migration frees the VRAM; partial munmap keeps the rest. */
static void test_munmap(void)
{
	const uint64_t size = SZ_2M;
	uint8_t *p = anon(size, false);
	uint64_t free0 = param(PUDGE_PARAM_VRAM_FREE);

	fill(p, size, 13);
	migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(param(PUDGE_PARAM_VRAM_FREE), free0 - size);
	munmap(p + SZ_1M, SZ_1M);
	igt_assert_eq_u64(resident(), SZ_1M);
	dev_check(p, SZ_1M, 13, NPAGES(SZ_1M));
	munmap(p, SZ_1M);
	igt_assert_eq_u64(resident(), 0);
	igt_assert_eq_u64(param(PUDGE_PARAM_VRAM_FREE), free0);
}

/* mprotect after migration: read-only memory still reads, moves, refuses device writes. */
static void test_mprotect(void)
{
	const uint64_t size = SZ_1M;
	uint8_t *p = anon(size, false);
	uint8_t *buf = malloc(size);

	igt_assert(buf);
	fill(p, size, 14);
	migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq(mprotect(p, size, PROT_READ), 0);
	dev_check(p, size, 14, NPAGES(size));
	igt_assert_eq(pudge_svm_access(fd, p, size, buf, PUDGE_SVM_ACCESS_WRITE, NULL),
		      -EFAULT);
	check(p, size, 14);
	/* Read-only memory migrates too, and stays read-only. */
	igt_assert_eq_u64(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved, NPAGES(size));
	dev_check(p, size, 14, NPAGES(size));
	igt_assert_eq(mprotect(p, size, PROT_READ | PROT_WRITE), 0);
	fill(p, size, 15);
	check(p, size, 15);
	igt_assert_eq(mprotect(p, size, PROT_NONE), 0);
	igt_assert_eq(pudge_svm_migrate(fd, p, size, PUDGE_GEM_PLACE_VRAM, NULL), -EFAULT);
	munmap(p, size);
	free(buf);
}

struct churn {
	uint8_t *p;
	uint64_t size;
	volatile bool stop;
	unsigned long rounds, errors;
};

static void *churn_migrate(void *arg)
{
	struct churn *c = arg;

	while (!c->stop) {
		int a = pudge_svm_migrate(fd, c->p, c->size, PUDGE_GEM_PLACE_VRAM, NULL);
		int b = pudge_svm_migrate(fd, c->p, c->size, PUDGE_GEM_PLACE_SYSTEM, NULL);

		/* While the other thread remaps, the range may be a hole. */
		if ((a && a != -EFAULT) || (b && b != -EFAULT))
			c->errors++;
		c->rounds++;
	}
	return NULL;
}

/* munmap, mmap and mprotect of the range while another thread migrates it. */
static void test_munmap_during(void)
{
	struct churn c = { .size = 4 * SZ_1M };
	pthread_t t;

	c.p = anon(c.size, false);
	fill(c.p, c.size, 16);
	igt_assert_eq(pthread_create(&t, NULL, churn_migrate, &c), 0);
	for (int i = 0; i < 200; i++) {
		uint64_t off = (i % 4) * SZ_1M;

		igt_assert_eq(munmap(c.p + off, SZ_1M), 0);
		igt_assert(mmap(c.p + off, SZ_1M, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == c.p + off);
		fill(c.p + off, SZ_1M, 17);
		igt_assert_eq(mprotect(c.p + off, SZ_1M, PROT_READ), 0);
		check(c.p + off, SZ_1M, 17);
		igt_assert_eq(mprotect(c.p + off, SZ_1M, PROT_READ | PROT_WRITE), 0);
	}
	c.stop = true;
	pthread_join(t, NULL);
	igt_info("%lu migration rounds alongside\n", c.rounds);
	igt_assert_eq_u64(c.errors, 0);
	igt_assert(c.rounds > 0);
	for (uint64_t off = 0; off < c.size; off += SZ_1M)
		check(c.p + off, SZ_1M, 17);
	munmap(c.p, c.size);
	igt_assert_eq_u64(resident(), 0);
}

struct reader {
	uint8_t *p;
	uint64_t size;
	uint64_t seed;
	bool ok;
};

static void *read_part(void *arg)
{
	struct reader *r = arg;

	r->ok = true;
	for (uint64_t o = 0; o < r->size; o += 8)
		if (*(uint64_t *)(r->p + o) != tag(r->seed, o))
			r->ok = false;
	return NULL;
}

/* Four threads fault back interleaved pages of migrated memory at once. */
static void test_threads(void)
{
	const uint64_t size = 8 * SZ_1M;
	uint8_t *p = anon(size, false);
	struct reader r[4];
	pthread_t t[4];
	struct drm_pudge_stats s0, s1;

	fill(p, size, 18);
	migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	s0 = stats();
	/* All threads read all of it: every page faults in from several threads. */
	for (int i = 0; i < 4; i++) {
		r[i] = (struct reader){ .p = p, .size = size, .seed = 18 };
		igt_assert_eq(pthread_create(&t[i], NULL, read_part, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		igt_assert(r[i].ok);
	}
	s1 = stats();
	igt_assert_eq_u64(s1.svm_to_ram - s0.svm_to_ram, NPAGES(size));
	igt_assert_lte_u64(NPAGES(size), s1.svm_cpu_faults - s0.svm_cpu_faults);
	igt_assert_eq_u64(resident(), 0);
	munmap(p, size);
}

static void require_thp(void)
{
	igt_require_f(features & PUDGE_FEATURE_SVM_THP,
		      "kernel without compound device-private migration\n");
}

/*
 * 2 MiB device folios raced against migrations, forks and frees: on a
 * stock kernel that reaches the early frees pudge keeps them off for by
 * default (unsafe_svm_thp).
 */
static void require_thp_races(void)
{
	require_thp();
	igt_require_f(pudge_kernel_patched(),
		      "needs kernel-patches/0005 and 0006 (or PUDGE_KERNEL_PATCHED=1)\n");
}

/* 2 MiB-aligned THPs move as single units and fault back as units. */
static void test_thp(void)
{
	const uint64_t size = 4 * SZ_2M;
	uint8_t *p = anon(size, true);
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_stats s0, s1;

	require_thp();
	fill(p, size, 19);
	s0 = stats();
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_require_f(m.moved_thp, "no THP backed the range (THP disabled?)\n");
	igt_assert_eq_u64(m.moved, NPAGES(size));
	igt_assert_eq_u64(m.moved_thp, NPAGES(size));
	dev_check(p, size, 19, NPAGES(size));
	check(p, size, 19);
	s1 = stats();
	igt_assert_eq_u64(s1.svm_thp_moves - s0.svm_thp_moves, 2 * size / SZ_2M);
	igt_assert_eq_u64(s1.svm_cpu_faults - s0.svm_cpu_faults, size / SZ_2M);
	igt_assert_eq_u64(s1.svm_page_moves, s0.svm_page_moves);
	munmap(p, size);
}

/*
 * unsafe_svm_thp=0, the module default: THPs move as 512 pages each, no
 * 2 MiB device folio exists (so no device-private PMD for the core-mm
 * bugs to reach), FEATURES does not claim SVM_THP, and nothing is lost.
 */
static void test_thp_off_by_default(void)
{
	const uint64_t size = 2 * SZ_2M;
	uint8_t *p = anon(size, true);
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_stats s0, s1;

	require_thp();
	igt_assert_eq(pudge_module_param_set("unsafe_svm_thp", 0), 0);
	igt_assert_eq_u64(param(PUDGE_PARAM_FEATURES) & PUDGE_FEATURE_SVM_THP, 0);
	fill(p, size, 31);
	s0 = stats();
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, NPAGES(size));
	igt_assert_eq_u64(m.moved_thp, 0);
	dev_check(p, size, 31, NPAGES(size));
	m = migrate(p, size, PUDGE_GEM_PLACE_SYSTEM);
	igt_assert_eq_u64(m.moved_thp, 0);
	check(p, size, 31);
	s1 = stats();
	igt_assert_eq_u64(s1.svm_thp_moves, s0.svm_thp_moves);
	igt_assert_eq(pudge_module_param_set("unsafe_svm_thp", 1), 0);
	igt_assert(param(PUDGE_PARAM_FEATURES) & PUDGE_FEATURE_SVM_THP);
	munmap(p, size);
	igt_assert_eq_u64(resident(), 0);
}

/* Unpopulated 2 MiB-aligned memory moves as THPs too; ioctl back as THPs. */
static void test_thp_unpopulated(void)
{
	const uint64_t size = 2 * SZ_2M;
	uint8_t *p = anon(size, true);
	struct drm_pudge_svm_migrate m;

	require_thp();
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved_thp, NPAGES(size));
	m = migrate(p, size, PUDGE_GEM_PLACE_SYSTEM);
	igt_assert_eq_u64(m.moved_thp, NPAGES(size));
	for (uint64_t o = 0; o < size; o += 8)
		igt_assert_eq_u64(*(uint64_t *)(p + o), 0);
	munmap(p, size);
}

/* Partial munmap of a THP in VRAM splits it; the rest keeps its data. */
static void test_thp_partial_munmap(void)
{
	uint8_t *p = anon(SZ_2M, true);

	require_thp();
	fill(p, SZ_2M, 20);
	igt_require(migrate(p, SZ_2M, PUDGE_GEM_PLACE_VRAM).moved_thp == NPAGES(SZ_2M));
	igt_assert_eq(munmap(p + SZ_1M, SZ_1M), 0);
	/*
	 * Like a THP in RAM, the folio stays whole until something splits
	 * it: its unmapped half may still count.
	 */
	igt_info("resident after munmap of half: %llu KiB\n",
		 (unsigned long long)resident() >> 10);
	igt_assert(resident() == SZ_1M || resident() == SZ_2M);
	dev_check(p, SZ_1M, 20, NPAGES(SZ_1M));
	/* Half back by ioctl, half by CPU faults, from the split folio. */
	igt_assert_eq_u64(migrate(p, 128 * SZ_4K, PUDGE_GEM_PLACE_SYSTEM).moved, 128);
	check(p, SZ_1M, 20);
	igt_assert_eq_u64(resident(), 0);
	munmap(p, SZ_1M);
}

/* Injected allocation failures leave pages where they were, data intact. */
static void test_fail_alloc(void)
{
	const uint64_t size = 64 * SZ_4K;
	uint8_t *p = anon(size, false), *q;
	struct drm_pudge_svm_migrate m;

	fill(p, size, 21);
	igt_require_f(pudge_module_param_set("svm_fail_alloc", 5) == 0,
		      "cannot set svm_fail_alloc (not root?)\n");
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.no_room, 5);
	igt_assert_eq_u64(m.moved, NPAGES(size) - 5);
	dev_check(p, size, 21, NPAGES(size) - 5);
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, 5);
	check(p, size, 21);
	munmap(p, size);

	if (!(features & PUDGE_FEATURE_SVM_THP))
		return;
	/* A failed 2 MiB allocation falls back to 4 KiB pages. */
	q = anon(SZ_2M, true);
	fill(q, SZ_2M, 22);
	igt_assert_eq(pudge_module_param_set("svm_fail_alloc", 1), 0);
	m = migrate(q, SZ_2M, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, NPAGES(SZ_2M));
	igt_assert_eq_u64(m.moved_thp, 0);
	check(q, SZ_2M, 22);
	munmap(q, SZ_2M);
}

/* Probe the device again (module parameters apply anew) and reopen it. */
static void rebind(const char *slot)
{
	close(fd);
	igt_assert_eq(pudge_driver_bind(slot, false), 0);
	igt_assert_eq(pudge_driver_bind(slot, true), 0);
	fd = pudge_igt_open(PUDGE_NODE_RENDER);
	features = param(PUDGE_PARAM_FEATURES);
}

/* With device-private address space capped, what does not fit stays. */
static void test_capacity(void)
{
	long long saved = 0;
	char slot[32];
	uint64_t cap, size;
	uint8_t *p;
	struct drm_pudge_svm_migrate m;

	/* A fresh device: chunks grown by earlier subtests are not taken away. */
	igt_assert_eq(pudge_pci_slot(fd, slot, sizeof(slot)), 0);
	rebind(slot);
	igt_assert_eq(pudge_module_param_get("svm_max_chunks", &saved), 0);
	igt_assert_eq(pudge_module_param_set("svm_max_chunks", 1), 0);
	cap = param(PUDGE_PARAM_SVM_CAPACITY);
	igt_info("capacity with one chunk allowed: %llu MiB\n", (unsigned long long)cap >> 20);
	igt_assert(cap < param(PUDGE_PARAM_VRAM_SIZE));
	size = cap + 4 * SZ_2M;
	p = anon(size, true);
	fill(p, size, 23);
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	pudge_module_param_set("svm_max_chunks", saved);
	igt_assert_eq_u64(m.moved, NPAGES(cap));
	igt_assert_eq_u64(m.no_room, NPAGES(size - cap));
	check(p, size, 23);
	munmap(p, size);
}

/* BOs and SVM share VRAM: each yields to the other, nothing is lost. */
static void test_vram_pressure(void)
{
	const uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE);
	const uint64_t bo_size = 256 * SZ_1M;
	const int nbo = vram / bo_size;
	uint32_t h[nbo];
	uint64_t *maps[nbo];
	uint64_t anon_size = vram / 2;
	uint8_t *p;
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_stats s0, s1;

	igt_require(nbo >= 4);
	/* Evictable BOs fill VRAM, each word tagged. */
	for (int i = 0; i < nbo; i++) {
		igt_assert_eq(pudge_bo_create(fd, bo_size,
					      PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM,
					      &h[i], NULL), 0);
		maps[i] = pudge_bo_map(fd, h[i], 0, bo_size, PROT_READ | PROT_WRITE);
		igt_assert(maps[i] != MAP_FAILED);
		for (uint64_t o = 0; o < bo_size / 8; o += 512)
			maps[i][o] = tag(i, o);
	}
	igt_assert_lt_u64(param(PUDGE_PARAM_VRAM_FREE), bo_size);

	p = anon(anon_size, true);
	fill(p, anon_size, 24);
	/* A refused call (the range runs into a hole) evicts nothing. */
	s0 = stats();
	igt_assert_eq(pudge_svm_migrate(fd, p, anon_size + SZ_2M, PUDGE_GEM_PLACE_VRAM, NULL),
		      -EFAULT);
	igt_assert_eq_u64(stats().evictions, s0.evictions);

	/* SVM evicts BOs to get room. */
	s0 = stats();
	m = migrate(p, anon_size, PUDGE_GEM_PLACE_VRAM);
	s1 = stats();
	igt_info("SVM took %llu MiB, %llu BO evictions\n",
		 (unsigned long long)(m.moved * SZ_4K) >> 20,
		 (unsigned long long)(s1.evictions - s0.evictions));
	igt_assert_eq_u64(m.moved, NPAGES(anon_size));
	igt_assert(s1.evictions > s0.evictions);
	for (int i = 0; i < nbo; i++)
		for (uint64_t o = 0; o < bo_size / 8; o += 512)
			igt_assert_eq_u64(maps[i][o], tag(i, o));
	for (int i = 0; i < nbo; i++) {
		munmap(maps[i], bo_size);
		pudge_bo_close(fd, h[i]);
	}

	/* A VRAM-only BO that needs the room SVM holds: SVM moves back. */
	s0 = stats();
	igt_assert_eq(pudge_bo_create(fd, vram - 64 * SZ_1M, PUDGE_GEM_PLACE_VRAM,
				      &h[0], NULL), 0);
	s1 = stats();
	igt_info("%llu SVM pages moved back for the BO\n",
		 (unsigned long long)(s1.svm_evicted - s0.svm_evicted));
	igt_assert(s1.svm_evicted > s0.svm_evicted);
	dev_check(p, anon_size, 24, NPAGES(anon_size) - (s1.svm_evicted - s0.svm_evicted));
	check(p, anon_size, 24);
	pudge_bo_close(fd, h[0]);
	munmap(p, anon_size);
}

/* A BO in VRAM still works: create, map, write, read back. */
static void check_bo_works(uint64_t seed)
{
	uint32_t h;
	uint8_t *bo;

	igt_assert_eq(pudge_bo_create(fd, 4 * SZ_1M, PUDGE_GEM_PLACE_VRAM, &h, NULL), 0);
	bo = pudge_bo_map(fd, h, 0, 4 * SZ_1M, PROT_READ | PROT_WRITE);
	igt_assert(bo != MAP_FAILED);
	fill(bo, 4 * SZ_1M, seed);
	check(bo, 4 * SZ_1M, seed);
	munmap(bo, 4 * SZ_1M);
	pudge_bo_close(fd, h);
}

/*
 * No free physical address space for device-private pages (seed 002's
 * machine), injected through svm_fail_region: refused at probe, SVM is
 * off and says so while buffer objects work; refused when growing, SVM
 * keeps what it has and reports the smaller capacity.
 */
static void test_no_address_space(void)
{
	struct drm_pudge_svm_migrate m;
	long long left = -1;
	uint64_t cap, size;
	char slot[32];
	uint8_t *p;

	igt_assert_eq(pudge_pci_slot(fd, slot, sizeof(slot)), 0);
	igt_require(pudge_module_param_get("svm_fail_region", &left) == 0);

	/* Refused at probe. */
	igt_assert_eq(pudge_module_param_set("svm_fail_region", 1), 0);
	rebind(slot);
	igt_assert_eq(pudge_module_param_get("svm_fail_region", &left), 0);
	igt_assert_eq_s64(left, 0);
	igt_assert(!(features & (PUDGE_FEATURE_SVM | PUDGE_FEATURE_SVM_THP)));
	igt_assert_eq_u64(param(PUDGE_PARAM_SVM_CAPACITY), 0);
	p = anon(SZ_2M, false);
	fill(p, SZ_2M, 30);
	igt_assert_eq(pudge_svm_migrate(fd, p, SZ_2M, PUDGE_GEM_PLACE_VRAM, NULL),
		      -EOPNOTSUPP);
	igt_assert_eq(pudge_svm_access(fd, p, SZ_4K, p + SZ_4K, 0, NULL), -EOPNOTSUPP);
	check(p, SZ_2M, 30);
	munmap(p, SZ_2M);
	check_bo_works(31);

	/* Refused when growing past the chunk reserved at probe. */
	rebind(slot);
	igt_assert(features & PUDGE_FEATURE_SVM);
	igt_assert_eq(pudge_module_param_set("svm_fail_region", 1), 0);
	size = 256 * SZ_1M + 4 * SZ_2M;
	p = anon(size, true);
	fill(p, size, 32);
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	cap = param(PUDGE_PARAM_SVM_CAPACITY);
	igt_info("capacity after a refused request: %llu MiB\n", (unsigned long long)cap >> 20);
	igt_assert_eq_u64(cap, 256 * SZ_1M);
	igt_assert_eq_u64(m.moved, NPAGES(cap));
	igt_assert_eq_u64(m.no_room, NPAGES(size - cap));
	check(p, size, 32);
	check_bo_works(33);
	munmap(p, size);

	/* Back to a device with all its address space for later subtests. */
	igt_assert_eq(pudge_module_param_set("svm_fail_region", 0), 0);
	rebind(slot);
	igt_assert_eq_u64(param(PUDGE_PARAM_SVM_CAPACITY), param(PUDGE_PARAM_VRAM_SIZE));
}

struct query {
	volatile uint64_t calls;
	int last;		/* the error that ended the loop */
};

/*
 * Ask for the SVM parameters, and for a VRAM-only BO (which reclaims SVM
 * memory), until the device is gone: these paths reach the pool outside
 * the SVM ioctls while unbind tears it down.
 */
static void *query_until_gone(void *arg)
{
	struct query *q = arg;
	uint64_t v;
	uint32_t h;
	int ret;

	for (;;) {
		ret = pudge_get_param(fd, PUDGE_PARAM_SVM_RESIDENT, &v);
		if (!ret)
			ret = pudge_get_param(fd, PUDGE_PARAM_SVM_CAPACITY, &v);
		if (!ret)
			ret = pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &v);
		if (!ret) {
			ret = pudge_bo_create(fd, SZ_2M, PUDGE_GEM_PLACE_VRAM, &h, NULL);
			if (!ret)
				pudge_bo_close(fd, h);
		}
		if (ret)
			break;
		q->calls++;
	}
	q->last = ret;
	return NULL;
}

/* Unbinding the device moves everything back first; rebinding works. */
static void test_unbind(void)
{
	const uint64_t size = 4 * SZ_1M;
	uint8_t *p = anon(size, false), *t = anon(SZ_2M, true);
	struct query q = { 0 };
	pthread_t qt;
	char slot[32];

	igt_assert_eq(pudge_pci_slot(fd, slot, sizeof(slot)), 0);
	fill(p, size, 25);
	fill(t, SZ_2M, 26);
	igt_assert_eq_u64(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved, NPAGES(size));
	migrate(t, SZ_2M, PUDGE_GEM_PLACE_VRAM);

	igt_assert_eq(pthread_create(&qt, NULL, query_until_gone, &q), 0);
	while (!q.calls && !q.last)
		usleep(1000);
	igt_assert_eq(pudge_driver_bind(slot, false), 0);
	pthread_join(qt, NULL);
	igt_info("%llu rounds of queries before the device went\n",
		 (unsigned long long)q.calls);
	igt_assert_eq(q.last, -ENODEV);
	igt_assert_eq(pudge_svm_migrate(fd, p, size, PUDGE_GEM_PLACE_VRAM, NULL), -ENODEV);
	check(p, size, 25);
	check(t, SZ_2M, 26);
	close(fd);

	igt_assert_eq(pudge_driver_bind(slot, true), 0);
	fd = pudge_igt_open(PUDGE_NODE_RENDER);
	/* A new device: nothing of anyone's in its VRAM. */
	igt_assert_eq_u64(resident(), 0);
	igt_assert_eq_u64(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved, NPAGES(size));
	check(p, size, 25);
	munmap(p, size);
	munmap(t, SZ_2M);
}

/* svm_to_vram from debugfs' pudge_stats, or -1 without debugfs. */
static long long debugfs_svm_to_vram(void)
{
	char path[96], line[128];
	long long v = -1;

	for (int minor = 0; minor < 256 && v < 0; minor++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/pudge_stats", minor);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "svm_to_vram %lld", &v) == 1)
				break;
		fclose(f);
	}
	return v;
}

/* The migration tracepoint fires each way; debugfs agrees with STATS. */
static void test_trace_debugfs(void)
{
	const char *root = access("/sys/kernel/tracing/events", F_OK) == 0 ?
		"/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
	const uint64_t size = SZ_1M;
	bool to_vram = false, fault = false, to_ram = false;
	char path[128], want[64], line[512];
	uint8_t *p = anon(size, false);
	long long dbg;
	FILE *f;

	fill(p, size, 29);
	snprintf(path, sizeof(path), "%s/events/pudge/pudge_svm_migrate/enable", root);
	igt_require_f(access(path, W_OK) == 0, "no tracefs at %s\n", root);
	snprintf(path, sizeof(path), "%s/trace", root);
	igt_assert_eq(pudge_write_file(path, ""), 0);
	snprintf(path, sizeof(path), "%s/events/pudge/pudge_svm_migrate/enable", root);
	igt_assert_eq(pudge_write_file(path, "1"), 0);
	migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(p[0], tag(29, 0) & 0xff);
	migrate(p, size, PUDGE_GEM_PLACE_SYSTEM);
	igt_assert_eq(pudge_write_file(path, "0"), 0);

	snprintf(want, sizeof(want), "start=%#llx ", (unsigned long long)(uintptr_t)p);
	snprintf(path, sizeof(path), "%s/trace", root);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "pudge_svm_migrate:") || !strstr(line, want))
			continue;
		to_vram |= strstr(line, "to_vram") && strstr(line, "npages=256 moved=256 thp=0");
		fault |= strstr(line, "cpu_fault") && strstr(line, "npages=1 moved=1");
		to_ram |= strstr(line, "to_ram") && strstr(line, "npages=256 moved=255");
	}
	fclose(f);
	igt_assert_f(to_vram && fault && to_ram, "to_vram %d, cpu_fault %d, to_ram %d\n",
		     to_vram, fault, to_ram);

	dbg = debugfs_svm_to_vram();
	igt_require_f(dbg >= 0, "no pudge_stats in debugfs\n");
	igt_assert_eq_u64(dbg, stats().svm_to_vram);
	munmap(p, size);
}

/* Unloading the module with memory in VRAM moves it back first. */
static void test_unload(void)
{
	const uint64_t size = 4 * SZ_1M;
	uint8_t *p = anon(size, false), *t = anon(SZ_2M, true);

	/* Only where it can be loaded again (dev loops insmod by hand). */
	igt_require_f(system("modprobe -q -n pudge") == 0,
		      "pudge is not installed for modprobe\n");
	fill(p, size, 27);
	fill(t, SZ_2M, 28);
	igt_assert_eq_u64(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved, NPAGES(size));
	igt_assert_eq_u64(migrate(t, SZ_2M, PUDGE_GEM_PLACE_VRAM).moved, NPAGES(SZ_2M));
	/* Our open file holds the module: let go of it first. */
	close(fd);
	fd = -1;
	igt_require_f(system("modprobe -r pudge") == 0,
		      "cannot unload pudge (in use, or not installed for modprobe)\n");
	check(p, size, 27);
	check(t, SZ_2M, 28);
	igt_assert_eq(system("modprobe pudge"), 0);
	/* A new module has the default parameters: opt in again (fixture). */
	igt_assert_eq(pudge_module_param_set("unsafe_svm_thp", 1), 0);
	for (int i = 0; i < 50 && fd < 0; i++) {
		fd = __pudge_igt_open(PUDGE_NODE_RENDER);
		if (fd < 0)
			usleep(100000);
	}
	igt_assert(fd >= 0);
	igt_assert_eq_u64(resident(), 0);
	munmap(p, size);
	munmap(t, SZ_2M);
}

/* SVM_ACCESS of one page of the range; must succeed. */
static struct drm_pudge_svm_access dev_rw(void *p, uint64_t size, void *buf, uint32_t op)
{
	struct drm_pudge_svm_access a;

	igt_assert_eq(pudge_svm_access(fd, p, size, buf, op, &a), 0);
	igt_assert_eq_u64(a.vram_pages + a.system_pages, NPAGES(size));
	return a;
}

/* The words @seed would put at [@off, @off + @size) of a range. */
static void fill_at(uint8_t *buf, uint64_t off, uint64_t size, uint64_t seed)
{
	for (uint64_t o = 0; o < size; o += 8)
		*(uint64_t *)(buf + o) = tag(seed, off + o);
}

/* Compare @size bytes at @buf with what @shadow holds; say where. */
static void check_shadow(const uint8_t *buf, const uint8_t *shadow, uint64_t size,
			 const char *what)
{
	for (uint64_t o = 0; o < size; o += 8)
		igt_assert_f(*(const uint64_t *)(buf + o) == *(const uint64_t *)(shadow + o),
			     "%s: page %llu word %llu: %#llx, want %#llx\n", what,
			     (unsigned long long)(o / SZ_4K),
			     (unsigned long long)(o % SZ_4K) / 8,
			     (unsigned long long)*(const uint64_t *)(buf + o),
			     (unsigned long long)*(const uint64_t *)(shadow + o));
}

/*
 * Device reads and writes of single pages and of runs that start inside
 * a 2 MiB device folio reach the page they name; the CPU sees each device
 * write where it was made once the range is back, by @cpu_fault or by
 * SVM_MIGRATE.
 */
static void thp_subpage_round(bool cpu_fault)
{
	static const struct { uint64_t page, npages; } writes[] = {
		{ 7, 1 }, { 1, 2 }, { 100, 3 }, { 255, 2 }, { 300, 150 }, { 511, 1 },
	};
	uint8_t *p = anon(SZ_2M, true);
	uint8_t *shadow = malloc(SZ_2M), *buf = malloc(SZ_2M);
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_svm_access a;

	igt_assert(shadow && buf);
	fill(p, SZ_2M, 40);
	memcpy(shadow, p, SZ_2M);
	m = migrate(p, SZ_2M, PUDGE_GEM_PLACE_VRAM);
	igt_require_f(m.moved_thp == NPAGES(SZ_2M), "no THP backed the range\n");

	/* Every page alone, then runs starting at odd pages. */
	for (uint64_t n = 0; n < NPAGES(SZ_2M); n++) {
		a = dev_rw(p + n * SZ_4K, SZ_4K, buf, PUDGE_SVM_ACCESS_READ);
		igt_assert_eq_u64(a.vram_pages, 1);
		check_shadow(buf, shadow + n * SZ_4K, SZ_4K, "device read of one page");
	}
	for (uint64_t n = 1; n < NPAGES(SZ_2M); n += 37) {
		uint64_t len = (NPAGES(SZ_2M) - n) * SZ_4K;

		dev_rw(p + n * SZ_4K, len, buf, PUDGE_SVM_ACCESS_READ);
		check_shadow(buf, shadow + n * SZ_4K, len, "device read from a page inside");
	}

	/* Device writes, each to the pages it names, in VRAM. */
	for (size_t w = 0; w < sizeof(writes) / sizeof(writes[0]); w++) {
		uint64_t off = writes[w].page * SZ_4K, len = writes[w].npages * SZ_4K;

		fill_at(shadow + off, off, len, 41 + w);
		a = dev_rw(p + off, len, shadow + off, PUDGE_SVM_ACCESS_WRITE);
		igt_assert_eq_u64(a.vram_pages, writes[w].npages);
	}
	dev_rw(p, SZ_2M, buf, PUDGE_SVM_ACCESS_READ);
	check_shadow(buf, shadow, SZ_2M, "device read after device writes");

	/* Back to the CPU: each write where it was made. */
	if (!cpu_fault)
		igt_assert_eq_u64(migrate(p, SZ_2M, PUDGE_GEM_PLACE_SYSTEM).moved,
				  NPAGES(SZ_2M));
	check_shadow(p, shadow, SZ_2M, cpu_fault ? "CPU after fault" : "CPU after SVM_MIGRATE");
	munmap(p, SZ_2M);
	free(shadow);
	free(buf);
	igt_assert_eq_u64(resident(), 0);
}

static void test_thp_subpage_access(void)
{
	require_thp();
	thp_subpage_round(true);
	thp_subpage_round(false);
}

/*
 * Owners: each thread owns the pages i with i % OWNERS == its index and
 * keeps a counter in each, written by CPU stores (even owners) or by
 * device read-modify-write of the whole page (odd owners).  A migrator
 * moves random sub-ranges both ways and the main thread forks now and
 * then.  Nobody else writes an owner's pages: any other value is lost or
 * misplaced data.
 */
#define OWNERS 4

struct owners {
	uint8_t *p;
	uint64_t npages;
	volatile bool stop;
	uint64_t *last;			/* per page: the owner's last value */
	unsigned long ops[OWNERS + 1];
	unsigned long anomalies;
	unsigned long first_bad[8];
	pthread_mutex_t lock;
};

struct owner_arg {
	struct owners *o;
	unsigned int id;
	uint64_t rng;
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Page @n holding counter @v: every word says both. */
static void owner_page(uint64_t *w, uint64_t n, uint64_t v)
{
	for (uint64_t i = 0; i < SZ_4K / 8; i++)
		w[i] = (n << 40) ^ (v << 12) ^ i;
}

static void owner_anomaly(struct owners *o, uint64_t n, uint64_t got, uint64_t want,
			  const char *how)
{
	pthread_mutex_lock(&o->lock);
	if (o->anomalies < 8)
		igt_info("anomaly: page %llu (%s): word %#llx, want %#llx\n",
			 (unsigned long long)n, how, (unsigned long long)got,
			 (unsigned long long)want);
	o->anomalies++;
	pthread_mutex_unlock(&o->lock);
}

static void owner_check(struct owners *o, const uint64_t *w, uint64_t n, const char *how)
{
	uint64_t v = o->last[n];

	for (uint64_t i = 0; i < SZ_4K / 8; i++)
		if (w[i] != ((n << 40) ^ (v << 12) ^ i)) {
			owner_anomaly(o, n, w[i], (n << 40) ^ (v << 12) ^ i, how);
			return;
		}
}

static void *owner_thread(void *arg)
{
	struct owner_arg *oa = arg;
	struct owners *o = oa->o;
	uint64_t buf[SZ_4K / 8];

	while (!o->stop) {
		uint64_t n = rnd(&oa->rng) % (o->npages / OWNERS) * OWNERS + oa->id;
		uint64_t *w = (uint64_t *)(o->p + n * SZ_4K);

		if (oa->id % 2 == 0) {
			owner_check(o, w, n, "CPU read");
			o->last[n]++;
			owner_page(w, n, o->last[n]);
		} else {
			if (pudge_svm_access(fd, w, SZ_4K, buf, PUDGE_SVM_ACCESS_READ, NULL)) {
				owner_anomaly(o, n, 0, 0, "device read failed");
				continue;
			}
			owner_check(o, buf, n, "device read");
			o->last[n]++;
			owner_page(buf, n, o->last[n]);
			if (pudge_svm_access(fd, w, SZ_4K, buf, PUDGE_SVM_ACCESS_WRITE, NULL))
				owner_anomaly(o, n, 0, 0, "device write failed");
		}
		o->ops[oa->id]++;
	}
	return NULL;
}

static void *owners_migrator(void *arg)
{
	struct owner_arg *oa = arg;
	struct owners *o = oa->o;

	while (!o->stop) {
		uint64_t first = rnd(&oa->rng) % o->npages;
		uint64_t n = 1 + rnd(&oa->rng) % (o->npages - first);
		uint32_t place = rnd(&oa->rng) % 2 ? PUDGE_GEM_PLACE_VRAM : PUDGE_GEM_PLACE_SYSTEM;
		struct drm_pudge_svm_migrate m;

		/* Align some ranges to 2 MiB so whole THPs move too. */
		if (rnd(&oa->rng) % 2) {
			first &= ~(NPAGES(SZ_2M) - 1);
			n = (n + NPAGES(SZ_2M) - 1) & ~(NPAGES(SZ_2M) - 1);
			if (first + n > o->npages)
				n = o->npages - first;
		}
		if (pudge_svm_migrate(fd, o->p + first * SZ_4K, n * SZ_4K, place, &m))
			owner_anomaly(o, first, 0, 0, "SVM_MIGRATE failed");
		o->ops[OWNERS]++;
	}
	return NULL;
}

static unsigned int test_seconds(unsigned int dflt)
{
	const char *s = getenv("PUDGE_SVM_SECONDS");

	return s ? (unsigned int)strtoul(s, NULL, 0) : dflt;
}

/*
 * Another process that keeps taking back the VRAM the owners' pages live
 * in: it holds all of VRAM but @slack in one BO, then creates and closes
 * VRAM-only BOs of @slack, each of which reclaims device pages by pfn
 * range (no mmap_lock of the owners' process) while they fork, fault and
 * migrate.  Runs until killed.
 */
static void __attribute__((noreturn)) vram_taker(uint64_t slack, int ready)
{
	int tfd = pudge_igt_reopen(fd);
	uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE);
	uint32_t big, h;

	igt_assert(tfd >= 0);
	igt_assert_eq(pudge_bo_create(tfd, vram - slack, PUDGE_GEM_PLACE_VRAM, &big, NULL), 0);
	/* Clearing ~2 GiB takes seconds under TCG: say when the loop starts. */
	igt_assert_eq_s64(write(ready, "r", 1), 1);
	for (;;) {
		if (!pudge_bo_create(tfd, slack, PUDGE_GEM_PLACE_VRAM, &h, NULL))
			pudge_bo_close(tfd, h);
		usleep(20 * 1000);
	}
}

static void concurrent_owners(bool thp, bool evict)
{
	const uint64_t size = 16 * SZ_1M;
	unsigned int secs = test_seconds(20), forks = 0;
	struct owner_arg args[OWNERS + 1];
	pthread_t t[OWNERS + 1];
	struct owners o = { .npages = NPAGES(size) };
	uint64_t seed = getenv("PUDGE_SVM_SEED") ? strtoull(getenv("PUDGE_SVM_SEED"), NULL, 0) :
			(uint64_t)time(NULL);
	uint64_t buf[SZ_4K / 8], evicted0 = stats().svm_evicted;
	pid_t taker = 0;
	time_t end;

	if (thp)
		require_thp_races();
	igt_info("seed %llu (PUDGE_SVM_SEED), %u s (PUDGE_SVM_SECONDS)\n",
		 (unsigned long long)seed, secs);
	pthread_mutex_init(&o.lock, NULL);
	o.p = anon(size, thp);
	o.last = calloc(o.npages, sizeof(*o.last));
	igt_assert(o.last);
	for (uint64_t n = 0; n < o.npages; n++)
		owner_page((uint64_t *)(o.p + n * SZ_4K), n, 0);
	migrate(o.p, size, PUDGE_GEM_PLACE_VRAM);
	if (evict) {
		int pp[2];
		char c;

		igt_assert_eq(pipe(pp), 0);
		taker = fork();
		igt_assert(taker >= 0);
		if (taker == 0)
			vram_taker(size + size / 2, pp[1]);
		igt_assert_eq_s64(read(pp[0], &c, 1), 1);
		close(pp[0]);
		close(pp[1]);
	}
	for (unsigned int i = 0; i <= OWNERS; i++) {
		args[i] = (struct owner_arg){ .o = &o, .id = i, .rng = seed + i };
		igt_assert_eq(pthread_create(&t[i], NULL,
					     i < OWNERS ? owner_thread : owners_migrator,
					     &args[i]), 0);
	}
	/* Fork rounds: copy-on-write of everything, the child reads and exits. */
	for (end = time(NULL) + secs; time(NULL) < end; forks++) {
		pid_t pid = fork();
		int status;

		igt_assert(pid >= 0);
		if (pid == 0) {
			uint64_t sum = 0;

			for (uint64_t n = 0; n < o.npages; n += 97)
				sum += *(volatile uint64_t *)(o.p + n * SZ_4K);
			_exit(sum == 1);
		}
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		usleep(200 * 1000);
	}
	o.stop = true;
	for (unsigned int i = 0; i <= OWNERS; i++)
		pthread_join(t[i], NULL);
	if (taker > 0) {
		igt_assert_eq(kill(taker, SIGKILL), 0);
		igt_assert_eq(waitpid(taker, NULL, 0), taker);
	}
	igt_info("ops: cpu %lu+%lu, device %lu+%lu, migrations %lu, forks %u, evicted %llu pages\n",
		 o.ops[0], o.ops[2], o.ops[1], o.ops[3], o.ops[OWNERS], forks,
		 (unsigned long long)(stats().svm_evicted - evicted0));
	/* Without evictions this case would test nothing more than -thp. */
	if (evict)
		igt_assert_f(stats().svm_evicted > evicted0, "no device page was evicted\n");
	/* Every page ends as its owner left it, for the device and the CPU. */
	for (uint64_t n = 0; n < o.npages; n++) {
		igt_assert_eq(pudge_svm_access(fd, o.p + n * SZ_4K, SZ_4K, buf,
					       PUDGE_SVM_ACCESS_READ, NULL), 0);
		owner_check(&o, buf, n, "final device read");
		owner_check(&o, (uint64_t *)(o.p + n * SZ_4K), n, "final CPU read");
	}
	igt_info("anomalies: %lu\n", o.anomalies);
	igt_assert_f(o.anomalies == 0, "%lu anomalies, seed %llu\n", o.anomalies,
		     (unsigned long long)seed);
	munmap(o.p, size);
	free(o.last);
	igt_assert_eq_u64(resident(), 0);
}

static void test_concurrent_owners(void)
{
	concurrent_owners(false, false);
}

static void test_concurrent_owners_thp(void)
{
	concurrent_owners(true, false);
}

static void test_concurrent_owners_thp_evict(void)
{
	concurrent_owners(true, true);
}

/* Read a number from a sysfs or proc file, -1 if it cannot. */
static long long sysfs_num(const char *path)
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

/* /proc/PID/ksm_merging_pages, or -1. */
static long ksm_merging(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages", pid);
	return sysfs_num(path);
}

/* Pages of [p, p + size) whose pagemap entry is a swap entry (device-private). */
static uint64_t swap_entries(const uint8_t *p, uint64_t size)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	uint64_t n = 0;

	igt_assert(pm >= 0);
	for (uint64_t o = 0; o < size; o += SZ_4K) {
		uint64_t e;

		igt_assert_eq_s64(pread(pm, &e, 8, ((uintptr_t)(p + o) / SZ_4K) * 8), 8);
		n += !!(e & (1ull << 62));
	}
	close(pm);
	return n;
}

static void ksm_hang(int sig)
{
	igt_assert_f(false, "CPU access did not complete in 30 s (signal %d)\n", sig);
}

/*
 * Process B, which never uses pudge, and this process hold identical
 * pages merged by KSM.  Migrating ours must neither move nor block B's.
 */
static void test_ksm_other_process(void)
{
	const uint64_t size = 64 * SZ_4K;
	long long old_run = -1, old_sleep = -1;
	struct drm_pudge_svm_migrate m;
	int to_b[2], from_b[2];
	uint8_t *p;
	char c;
	pid_t b;

	igt_require_f(!access("/sys/kernel/mm/ksm/run", W_OK), "no KSM\n");
	old_run = sysfs_num("/sys/kernel/mm/ksm/run");
	old_sleep = sysfs_num("/sys/kernel/mm/ksm/sleep_millisecs");
	igt_assert(old_run >= 0 && old_sleep >= 0);
	pudge_write_file("/sys/kernel/mm/ksm/sleep_millisecs", "10");
	pudge_write_file("/sys/kernel/mm/ksm/pages_to_scan", "10000");
	igt_assert_eq(pudge_write_file("/sys/kernel/mm/ksm/run", "1"), 0);

	igt_assert_eq(pipe(to_b), 0);
	igt_assert_eq(pipe(from_b), 0);
	b = fork();
	igt_assert(b >= 0);
	if (b == 0) {
		/* B: its own copy of the same data; never touches pudge. */
		uint8_t *q = anon(size, false);
		bool ok = true;

		close(fd);
		fill(q, size, 50);
		ok = !madvise(q, size, MADV_MERGEABLE);
		ok = ok && write(from_b[1], "r", 1) == 1;
		/* Wait until A has migrated, then read (and time out on a hang). */
		ok = ok && read(to_b[0], &c, 1) == 1;
		ok = ok && swap_entries(q, size) == 0;
		alarm(30);
		for (uint64_t o = 0; ok && o < size; o += 8)
			ok = *(uint64_t *)(q + o) == tag(50, o);
		fill(q, size, 51);
		for (uint64_t o = 0; ok && o < size; o += 8)
			ok = *(uint64_t *)(q + o) == tag(51, o);
		_exit(ok ? 0 : 1);
	}
	p = anon(size, false);
	fill(p, size, 50);
	igt_assert_eq(madvise(p, size, MADV_MERGEABLE), 0);
	igt_assert_eq_s64(read(from_b[0], &c, 1), 1);
	for (int i = 0; i < 300 && (ksm_merging(getpid()) < (long)NPAGES(size) ||
				    ksm_merging(b) < (long)NPAGES(size)); i++)
		usleep(100 * 1000);
	igt_info("KSM merging pages: A %ld, B %ld\n", ksm_merging(getpid()), ksm_merging(b));
	igt_require_f(ksm_merging(b) > 0, "KSM merged nothing in 30 s\n");

	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_info("moved %llu, busy %llu, pinned %llu, not_anon %llu\n",
		 (unsigned long long)m.moved, (unsigned long long)m.busy,
		 (unsigned long long)m.pinned, (unsigned long long)m.not_anon);
	/* B's pages stay where they are: B checks its pagemap, then reads. */
	igt_assert_eq_s64(write(to_b[1], "g", 1), 1);
	signal(SIGALRM, ksm_hang);
	alarm(30);
	check(p, size, 50);
	alarm(0);
	int status;

	igt_assert_eq(waitpid(b, &status, 0), b);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "process B: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	/* KSM pages are counted as not moved (shared with another process). */
	igt_assert_eq_u64(m.moved + m.shared, NPAGES(size));
	igt_assert(m.shared > 0);
	munmap(p, size);
	pudge_write_file("/sys/kernel/mm/ksm/run", old_run == 1 ? "1" : "0");
	{
		char s[32];

		snprintf(s, sizeof(s), "%lld", old_sleep);
		pudge_write_file("/sys/kernel/mm/ksm/sleep_millisecs", s);
	}
	igt_assert_eq_u64(resident(), 0);
}

/* Pages shared copy-on-write with a child that never used pudge stay put. */
static void test_cow_other_process(void)
{
	const uint64_t size = 64 * SZ_4K;
	uint8_t *p = anon(size, false);
	struct drm_pudge_svm_migrate m;
	int to_c[2], from_c[2], status;
	char c;
	pid_t pid;

	fill(p, size, 55);
	igt_assert_eq(pipe(to_c), 0);
	igt_assert_eq(pipe(from_c), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		bool ok;

		close(fd);
		ok = write(from_c[1], "r", 1) == 1 && read(to_c[0], &c, 1) == 1;
		ok = ok && swap_entries(p, size) == 0;
		for (uint64_t o = 0; ok && o < size; o += 8)
			ok = *(uint64_t *)(p + o) == tag(55, o);
		_exit(ok ? 0 : 1);
	}
	igt_assert_eq_s64(read(from_c[0], &c, 1), 1);
	/* Half the pages written by the parent: no longer shared. */
	fill(p, size / 2, 56);
	m = migrate(p, size, PUDGE_GEM_PLACE_VRAM);
	igt_assert_eq_u64(m.moved, NPAGES(size / 2));
	igt_assert_eq_u64(m.shared, NPAGES(size / 2));
	igt_assert_eq_s64(write(to_c[1], "g", 1), 1);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	check(p, size / 2, 56);
	for (uint64_t o = size / 2; o < size; o += 8)
		igt_assert_eq_u64(*(uint64_t *)(p + o), tag(55, o));
	munmap(p, size);
	igt_assert_eq_u64(resident(), 0);
}

/* VRAM free right after a process holding SVM pages in VRAM exits. */
static void test_free_then_create(void)
{
	const uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE), part = 512 * SZ_1M;
	uint32_t big, h;
	int ret;

	igt_assert_eq(pudge_bo_create(fd, vram - part, PUDGE_GEM_PLACE_VRAM, &big, NULL), 0);
	for (int round = 0; round < 3; round++) {
		igt_fork(child, 1) {
			uint8_t *p = anon(part, round % 2);
			struct drm_pudge_svm_migrate m;

			fill(p, part, 60);
			ret = pudge_svm_migrate(fd, p, part, PUDGE_GEM_PLACE_VRAM, &m);
			if (ret || m.moved != NPAGES(part))
				igt_info("round %d child: %d, moved %llu (thp %llu), no_room %llu, busy %llu, already %llu; VRAM free %llu KiB\n",
					 round, ret, (unsigned long long)m.moved,
					 (unsigned long long)m.moved_thp,
					 (unsigned long long)m.no_room,
					 (unsigned long long)m.busy,
					 (unsigned long long)m.already,
					 (unsigned long long)param(PUDGE_PARAM_VRAM_FREE) >> 10);
			igt_assert_eq(ret, 0);
			igt_assert_eq_u64(m.moved, NPAGES(part));
		}
		igt_waitchildren();
		/* All of it is free again, at once. */
		ret = pudge_bo_create(fd, part, PUDGE_GEM_PLACE_VRAM, &h, NULL);
		igt_assert_f(ret == 0, "round %d: %s; then VRAM free %llu MiB, resident %llu KiB\n",
			     round, strerror(-ret),
			     (unsigned long long)param(PUDGE_PARAM_VRAM_FREE) >> 20,
			     (unsigned long long)resident() >> 10);
		pudge_bo_close(fd, h);
		/*
		 * Our own BO's VRAM is not the subject here: let it be free
		 * before the next child asks for all of it (seen once in a
		 * cold make check: a child's move fell short; cause not yet
		 * known, the child now says what it got).
		 */
		for (int i = 0; i < 1000 && param(PUDGE_PARAM_VRAM_FREE) < part; i++)
			usleep(10 * 1000);
	}
	pudge_bo_close(fd, big);
	igt_assert_eq_u64(resident(), 0);
}

/*
 * Process memory needing VRAM that an evictable BO holds gets it: the
 * pool evicts the least recently used BOs, and their data survives.
 */
static void test_make_room_evicts(void)
{
	const uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE);
	const uint64_t bo_size = vram / 2, anon_size = vram * 3 / 4;
	struct drm_pudge_svm_migrate m;
	struct drm_pudge_stats s0, s1;
	uint64_t *bo;
	uint8_t *p;
	uint32_t h;

	igt_assert_eq(pudge_bo_create(fd, bo_size, PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM,
				      &h, NULL), 0);
	bo = pudge_bo_map(fd, h, 0, bo_size, PROT_READ | PROT_WRITE);
	igt_assert(bo != MAP_FAILED);
	for (uint64_t o = 0; o < bo_size / 8; o += 512)
		bo[o] = tag(61, o);
	p = anon(anon_size, true);
	fill(p, anon_size, 62);
	s0 = stats();
	m = migrate(p, anon_size, PUDGE_GEM_PLACE_VRAM);
	s1 = stats();
	igt_info("moved %llu MiB, no_room %llu MiB, %llu BO evictions\n",
		 (unsigned long long)(m.moved * SZ_4K) >> 20,
		 (unsigned long long)(m.no_room * SZ_4K) >> 20,
		 (unsigned long long)(s1.evictions - s0.evictions));
	igt_assert_eq_u64(m.moved, NPAGES(anon_size));
	igt_assert_eq_u64(s1.evictions - s0.evictions, 1);
	for (uint64_t o = 0; o < bo_size / 8; o += 512)
		igt_assert_eq_u64(bo[o], tag(61, o));
	check(p, anon_size, 62);
	munmap(bo, bo_size);
	pudge_bo_close(fd, h);
	munmap(p, anon_size);
	igt_assert_eq_u64(resident(), 0);
}

/*
 * A region that no call names keeps its bytes, and nothing is held once
 * every process that ran a random mix of valid and invalid calls is gone.
 */
static void chaos_child(uint64_t seed, unsigned int secs)
{
	int cfd = pudge_igt_reopen(fd);
	uint8_t *r[4] = { 0 };
	uint64_t rsz[4] = { 0 };
	uint32_t h[4] = { 0 };
	uint8_t buf[4 * SZ_4K];
	time_t end = time(NULL) + secs;

	if (cfd < 0)
		_exit(2);
	while (time(NULL) < end) {
		unsigned int i = rnd(&seed) % 4, op = rnd(&seed) % 8;
		uint64_t off, len;

		if (!r[i]) {
			rsz[i] = (1 + rnd(&seed) % 4) * SZ_2M;
			r[i] = pudge_map_anon(rsz[i], rnd(&seed) % 2);
			if (r[i])
				memset(r[i], (int)i + 1, rsz[i]);
			continue;
		}
		off = rnd(&seed) % NPAGES(rsz[i]) * SZ_4K;
		len = (1 + rnd(&seed) % NPAGES(rsz[i] - off)) * SZ_4K;
		switch (op) {
		case 0: case 1:
			pudge_svm_migrate(cfd, r[i] + off, len, op ? PUDGE_GEM_PLACE_VRAM :
					  PUDGE_GEM_PLACE_SYSTEM, NULL);
			break;
		case 2:
			pudge_svm_access(cfd, r[i] + off, len < sizeof(buf) ? len : sizeof(buf),
					 buf, rnd(&seed) % 2, NULL);
			break;
		case 3:	/* invalid: unaligned, past the end, bad placement */
			pudge_svm_migrate(cfd, r[i] + off + 8, len, PUDGE_GEM_PLACE_VRAM, NULL);
			pudge_svm_migrate(cfd, r[i] + off, rsz[i] + SZ_2M, PUDGE_GEM_PLACE_VRAM, NULL);
			pudge_svm_migrate(cfd, r[i] + off, len, 7, NULL);
			pudge_svm_access(cfd, r[i] + off, len, NULL, 9, NULL);
			break;
		case 4:
			munmap(r[i] + off, len);
			if (off == 0 && len == rsz[i])
				r[i] = NULL;
			else
				mmap(r[i] + off, len, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 5:
			if (!h[i])
				pudge_bo_create(cfd, (1 + rnd(&seed) % 64) * SZ_1M,
						1 + rnd(&seed) % 3, &h[i], NULL);
			else if (!pudge_bo_migrate(cfd, h[i], 1 + rnd(&seed) % 2) && rnd(&seed) % 2)
				h[i] = (pudge_bo_close(cfd, h[i]), 0);
			break;
		case 6:
			memset(r[i] + off, (int)op, len);
			break;
		case 7:
			if (fork() == 0) {
				memset(r[i] + off, 9, len);
				_exit(0);
			}
			wait(NULL);
			break;
		}
	}
	_exit(0);
}

static void test_no_leak_after_chaos(void)
{
	const uint64_t untouched = 4 * SZ_2M;
	const unsigned int nproc = 3;
	unsigned int secs = test_seconds(20);
	uint64_t seed = getenv("PUDGE_SVM_SEED") ? strtoull(getenv("PUDGE_SVM_SEED"), NULL, 0) :
			(uint64_t)time(NULL);
	uint8_t *keep = anon(untouched, true);
	pid_t pids[3];

	igt_info("seed %llu (PUDGE_SVM_SEED), %u s (PUDGE_SVM_SECONDS)\n",
		 (unsigned long long)seed, secs);
	fill(keep, untouched, 63);
	/* Half of it in VRAM, half in system memory, neither ever named again. */
	migrate(keep, untouched / 2, PUDGE_GEM_PLACE_VRAM);
	for (unsigned int i = 0; i < nproc; i++) {
		pids[i] = fork();
		igt_assert(pids[i] >= 0);
		if (pids[i] == 0)
			chaos_child(seed + i, secs);
	}
	for (unsigned int i = 0; i < nproc; i++) {
		int status;

		igt_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "chaos process %u: status %#x, seed %llu\n", i, status,
			     (unsigned long long)seed + i);
	}
	dev_check(keep, untouched, 63, ANY);
	check(keep, untouched, 63);
	munmap(keep, untouched);
	igt_assert_eq_u64(resident(), 0);
	igt_assert_eq_u64(param(PUDGE_PARAM_VRAM_FREE), param(PUDGE_PARAM_VRAM_SIZE));
}

#define KHUGEPAGED "/sys/kernel/mm/transparent_hugepage/khugepaged/"

/*
 * khugepaged treats process memory in VRAM as swapped out: collapsing a
 * range into a huge page, it faults up to max_ptes_swap such pages per
 * 2 MiB back into system memory.  Measure it: every page it pulls back is
 * counted in svm_kthread_faults, and no data changes.
 */
static void test_khugepaged(void)
{
	const uint64_t size = 8 * SZ_2M, per_2m = 32;
	long long old_sleep = sysfs_num(KHUGEPAGED "scan_sleep_millisecs");
	long long old_scan = sysfs_num(KHUGEPAGED "pages_to_scan");
	struct drm_pudge_stats s0, s1;
	uint64_t moved = 0, back = 0;
	uint8_t *p = anon(size, false);
	char num[32];

	igt_require_f(old_sleep >= 0, "no khugepaged\n");
	fill(p, size, 70);
	/* Now eligible; pages 4 KiB-mapped, some of each 2 MiB in VRAM. */
	igt_assert_eq(madvise(p, size, MADV_HUGEPAGE), 0);
	s0 = stats();
	for (uint64_t o = 0; o < size; o += SZ_2M)
		moved += migrate(p + o, per_2m * SZ_4K, PUDGE_GEM_PLACE_VRAM).moved;
	igt_assert_eq_u64(moved, per_2m * (size / SZ_2M));
	pudge_write_file(KHUGEPAGED "scan_sleep_millisecs", "10");
	pudge_write_file(KHUGEPAGED "pages_to_scan", "65536");
	for (int i = 0; i < 300 && resident(); i++)
		usleep(100 * 1000);
	s1 = stats();
	back = moved - resident() / SZ_4K;
	igt_info("khugepaged pulled %llu of %llu pages in VRAM back in %s; svm_kthread_faults +%llu, svm_cpu_faults +%llu\n",
		 (unsigned long long)back, (unsigned long long)moved,
		 resident() ? "30 s" : "less than 30 s",
		 (unsigned long long)(s1.svm_kthread_faults - s0.svm_kthread_faults),
		 (unsigned long long)(s1.svm_cpu_faults - s0.svm_cpu_faults));
	snprintf(num, sizeof(num), "%lld", old_sleep);
	pudge_write_file(KHUGEPAGED "scan_sleep_millisecs", num);
	snprintf(num, sizeof(num), "%lld", old_scan);
	pudge_write_file(KHUGEPAGED "pages_to_scan", num);
	/* This process did not touch the memory: every fault was a kernel thread's. */
	igt_assert_eq_u64(s1.svm_kthread_faults - s0.svm_kthread_faults,
			  s1.svm_cpu_faults - s0.svm_cpu_faults);
	igt_assert_eq_u64(s1.svm_kthread_faults - s0.svm_kthread_faults, back);
	check(p, size, 70);
	munmap(p, size);
	igt_assert_eq_u64(resident(), 0);
}

/* Check @size bytes at @p against what fill(base, .., seed) put at @off. */
static void check_at(const uint8_t *p, uint64_t off, uint64_t size, uint64_t seed,
		     const char *what)
{
	uint64_t bad = 0, first = 0;

	for (uint64_t o = 0; o < size; o += 8)
		if (*(const uint64_t *)(p + o) != tag(seed, off + o) && !bad++)
			first = o;
	igt_assert_f(!bad, "%s: %llu bad words, first at +%#llx: %#llx, want %#llx\n", what,
		     (unsigned long long)bad, (unsigned long long)(off + first),
		     (unsigned long long)*(const uint64_t *)(p + first),
		     (unsigned long long)tag(seed, off + first));
}

/*
 * 2 MiB device folios split by what a user does to part of them (found by
 * a hostile-user session): MADV_DONTNEED of one page, mremap of a piece,
 * mprotect of a page; then every other page reads back its own data.
 */
static void test_thp_split_cpu(void)
{
	const uint64_t size = 2 * SZ_2M;
	uint8_t *p, *dst, *q;

	require_thp();
	p = anon(size, true);
	fill(p, size, 80);
	igt_require(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved_thp == NPAGES(size));
	igt_assert_eq(madvise(p + 3 * SZ_4K, SZ_4K, MADV_DONTNEED), 0);
	igt_assert_eq(p[3 * SZ_4K], 0);
	check_at(p, 0, 3 * SZ_4K, 80, "DONTNEED: before");
	check_at(p + 4 * SZ_4K, 4 * SZ_4K, size - 4 * SZ_4K, 80, "DONTNEED: after");
	munmap(p, size);

	p = anon(size, true);
	fill(p, size, 81);
	igt_require(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved_thp == NPAGES(size));
	dst = anon(4 * SZ_2M, false);
	q = mremap(p + 512 * 1024, SZ_1M, SZ_1M, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 12 * SZ_4K);
	igt_assert(q != MAP_FAILED);
	migrate(q, SZ_1M, PUDGE_GEM_PLACE_SYSTEM);
	check_at(q, 512 * 1024, SZ_1M, 81, "mremap: moved piece");
	check_at(p, 0, 512 * 1024, 81, "mremap: head");
	check_at(p + 512 * 1024 + SZ_1M, 512 * 1024 + SZ_1M, size - 512 * 1024 - SZ_1M, 81,
		 "mremap: tail");
	munmap(p, size);
	munmap(dst, 4 * SZ_2M);

	p = anon(size, true);
	fill(p, size, 82);
	igt_require(migrate(p, size, PUDGE_GEM_PLACE_VRAM).moved_thp == NPAGES(size));
	igt_assert_eq(mprotect(p + 5 * SZ_4K, SZ_4K, PROT_READ), 0);
	check_at(p, 0, size, 82, "mprotect");
	munmap(p, size);
	igt_assert_eq_u64(resident(), 0);
}

/*
 * A VRAM-only BO that needs room another process keeps migrating back
 * into VRAM: the create returns (with the room or -ENOSPC) in bounded
 * time, and the process can be killed meanwhile.
 */
static void test_reclaim_vs_remigrate(void)
{
	const uint64_t vram = param(PUDGE_PARAM_VRAM_SIZE), part = 512 * SZ_1M;
	int pp[2], ret, status;
	time_t t0;
	uint32_t h;
	char c;
	pid_t pid;

	igt_assert_eq(pipe(pp), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		uint8_t *p = anon(part, false);

		memset(p, 5, part);
		pudge_svm_migrate(fd, p, part, PUDGE_GEM_PLACE_VRAM, NULL);
		igt_assert_eq_s64(write(pp[1], "x", 1), 1);
		for (;;)
			pudge_svm_migrate(fd, p, part, PUDGE_GEM_PLACE_VRAM, NULL);
	}
	igt_assert_eq_s64(read(pp[0], &c, 1), 1);
	t0 = time(NULL);
	ret = pudge_bo_create(fd, vram - 64 * SZ_1M, PUDGE_GEM_PLACE_VRAM, &h, NULL);
	igt_info("create: %s after %lld s\n", strerror(-ret), (long long)(time(NULL) - t0));
	igt_assert(ret == 0 || ret == -ENOSPC);
	igt_assert_eq(kill(pid, SIGKILL), 0);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	if (!ret)
		pudge_bo_close(fd, h);
	igt_assert_eq_u64(resident(), 0);
}

static void require_svm(void)
{
	igt_require_f(features & PUDGE_FEATURE_SVM,
		      "no device-private VRAM: kernel without CONFIG_DEVICE_PRIVATE or no address space\n");
	igt_assert_eq_u64(resident(), 0);
}

static const struct {
	const char *name;
	const char *what;
	void (*fn)(void);
} cases[] = {
	{ "invalid", "bad arguments, holes, file and device memory refused", test_invalid },
	{ "read-back", "migrate, device read, CPU faults back", test_read_back },
	{ "back-ioctl", "migrate back by ioctl; repeated calls are no-ops", test_back_ioctl },
	{ "ping-pong", "ten round trips with device and CPU writes", test_ping_pong },
	{ "device-write", "device writes to VRAM and to system pages", test_device_write },
	{ "unpopulated", "never-touched memory moves as zeroes", test_unpopulated },
	{ "fork", "fork after migration: copy-on-write both ways", test_fork },
	{ "shared", "shared anonymous memory is not moved", test_shared },
	{ "mixed", "private, shared and pinned pages in one range", test_mixed },
	{ "munmap", "munmap after migration frees VRAM", test_munmap },
	{ "mprotect", "mprotect after migration", test_mprotect },
	{ "munmap-during", "munmap/mmap/mprotect while migrating", test_munmap_during },
	{ "threads", "four threads fault back the same memory", test_threads },
	{ "thp", "2 MiB THPs move and fault back as units", test_thp },
	{ "thp-off-by-default", "without unsafe_svm_thp, THPs move as 4 KiB pages",
	  test_thp_off_by_default },
	{ "thp-unpopulated", "unpopulated 2 MiB ranges move as THPs", test_thp_unpopulated },
	{ "thp-partial-munmap", "partial munmap of a THP in VRAM", test_thp_partial_munmap },
	{ "fail-alloc", "injected allocation failures lose nothing", test_fail_alloc },
	{ "capacity", "capped device-private address space", test_capacity },
	{ "vram-pressure", "BOs and SVM evict each other, nothing lost", test_vram_pressure },
	{ "trace-debugfs", "migration tracepoint each way; debugfs counters", test_trace_debugfs },
	{ "no-address-space", "no address space for device-private pages", test_no_address_space },
	{ "unbind", "unbind with memory in VRAM", test_unbind },
	{ "unload", "module unload with memory in VRAM", test_unload },
	{ "thp-subpage-access", "device access to each page of a 2 MiB device folio",
	  test_thp_subpage_access },
	{ "concurrent-owners", "owners' counters vs migration and fork, 4 KiB pages",
	  test_concurrent_owners },
	{ "concurrent-owners-thp", "owners' counters vs migration and fork, THPs",
	  test_concurrent_owners_thp },
	{ "concurrent-owners-thp-evict",
	  "owners' THPs vs migration, fork and another process reclaiming the VRAM",
	  test_concurrent_owners_thp_evict },
	{ "ksm-other-process", "KSM pages of another process neither move nor hang",
	  test_ksm_other_process },
	{ "cow-other-process", "pages shared with a child after fork stay put",
	  test_cow_other_process },
	{ "free-then-create", "VRAM of an exited process is free at once",
	  test_free_then_create },
	{ "make-room-evicts", "process memory evicts an LRU BO for room",
	  test_make_room_evicts },
	{ "thp-split-cpu", "split 2 MiB device folios read back on the CPU",
	  test_thp_split_cpu },
	{ "reclaim-vs-remigrate", "a BO's reclaim against a process re-migrating",
	  test_reclaim_vs_remigrate },
	{ "khugepaged", "khugepaged's pull-backs counted, data kept", test_khugepaged },
	{ "no-leak-after-chaos", "random calls in several processes hold nothing after",
	  test_no_leak_after_chaos },
};

static size_t case_i;
static long long saved_svm_thp;

igt_main
{
	igt_fixture {
		fd = pudge_igt_open(PUDGE_NODE_RENDER);
		/* Whatever ends the test, the module parameters it changes go back. */
		pudge_igt_param_keep("unsafe_orders");
		pudge_igt_param_keep("unsafe_svm_thp");
		pudge_igt_param_keep("svm_fail_alloc");
		pudge_igt_param_keep("svm_max_chunks");
		pudge_igt_param_keep("svm_fail_region");
		/* The thp cases are about 2 MiB device folios: opt in to them. */
		igt_assert_eq(pudge_allow_unsafe_svm_thp(&saved_svm_thp), 0);
		features = param(PUDGE_PARAM_FEATURES);
	}

	igt_describe("Without SVM both ioctls fail with EOPNOTSUPP");
	igt_subtest("no-svm")
		test_no_svm();

	for (case_i = 0; case_i < sizeof(cases) / sizeof(cases[0]); case_i++) {
		igt_describe(cases[case_i].what);
		igt_subtest(cases[case_i].name) {
			require_svm();
			cases[case_i].fn();
		}
	}

	igt_fixture {
		pudge_module_param_set("svm_fail_alloc", 0);
		pudge_module_param_set("unsafe_svm_thp", saved_svm_thp);
		if (fd >= 0)
			close(fd);
	}
}
