// SPDX-License-Identifier: MIT
/*
 * pudge_gup: nothing can pin pudge mappings, and debuggers can still read
 * and write them.
 *
 * TTM lost its huge VRAM mappings in v5.16 because GUP-fast walked a huge
 * entry and took a reference on the struct page of VRAM.  Every path that
 * pins user memory is tried here against BOs mapped with PUD, PMD and PTE
 * entries (populated first, so GUP-fast meets present huge entries) and
 * against a system-memory BO; each must fail with EFAULT and leave nothing
 * pinned.  igt_runner fails a subtest on any kernel warning.
 */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "igt.h"
#include "pudge.h"
#include "pudge_igt.h"

#define SZ_4K (4096ull)
#define SZ_2M (2ull << 20)
#define SZ_1G (1ull << 30)
#define IO_LEN (64 * 1024)

static int fd = -1;
static uint64_t kernel_orders;
static long long saved_cap = 18, saved_unsafe;
static const char *odirect_dir;

struct mapping {
	const char *name;
	uint32_t h;
	uint8_t *p;
	uint64_t size;
};

static const struct {
	const char *name;
	long long cap;
	uint64_t size;
	uint32_t place;
	uint64_t need;
} kinds[] = {
	{ "pud", 18, SZ_1G, PUDGE_GEM_PLACE_VRAM, PUDGE_MAP_ORDER_PUD },
	{ "pmd", 9, 8 * SZ_2M, PUDGE_GEM_PLACE_VRAM, PUDGE_MAP_ORDER_PMD },
	{ "pte", 0, 8 * SZ_2M, PUDGE_GEM_PLACE_VRAM, 0 },
	{ "system", 0, 8 * SZ_2M, PUDGE_GEM_PLACE_SYSTEM, 0 },
	/* 2 MiB entries of system pages, where the pool gives 2 MiB runs. */
	{ "system-pmd", 9, 8 * SZ_2M, PUDGE_GEM_PLACE_SYSTEM, PUDGE_MAP_ORDER_PMD },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static uint64_t tag(uint64_t off)
{
	return off * 0x9e3779b97f4a7c15ull + 1;
}

/* A BO of the kind, mapped and populated; its entries checked present. */
static struct mapping map_kind(size_t k)
{
	struct mapping m = { .name = kinds[k].name, .size = kinds[k].size };
	struct drm_pudge_stats s;

	igt_require_f(!kinds[k].need || (kernel_orders & kinds[k].need),
		      "kernel lacks %s pfnmap entries\n", kinds[k].name);
	igt_assert_eq(pudge_module_param_set("max_map_order", kinds[k].cap), 0);
	igt_assert_eq(pudge_bo_create(fd, m.size, kinds[k].place, &m.h, NULL), 0);
	m.p = pudge_bo_map(fd, m.h, 0, m.size, PROT_READ | PROT_WRITE);
	igt_assert(m.p != MAP_FAILED);
	for (uint64_t o = 0; o < m.size; o += SZ_4K)
		*(volatile uint64_t *)(m.p + o) = tag(o);
	igt_assert_eq(pudge_stats(fd, m.h, &s), 0);
	if (kinds[k].need == PUDGE_MAP_ORDER_PUD)
		igt_assert_eq_u64(s.pud_inserted, 1);
	else if (kinds[k].need == PUDGE_MAP_ORDER_PMD && kinds[k].place == PUDGE_GEM_PLACE_SYSTEM)
		igt_assert_lte_u64(1, s.pmd_inserted);
	else if (kinds[k].need == PUDGE_MAP_ORDER_PMD)
		igt_assert_eq_u64(s.pmd_inserted, m.size / SZ_2M);
	else
		igt_assert_eq_u64(s.pte_inserted, m.size / SZ_4K);
	/* Every page mapped by exactly one entry. */
	igt_assert_eq_u64(s.pud_inserted * (SZ_1G / SZ_4K) + s.pmd_inserted * (SZ_2M / SZ_4K) +
			  s.pte_inserted, m.size / SZ_4K);
	return m;
}

static void unmap_kind(struct mapping *m)
{
	munmap(m->p, m->size);
	igt_assert_eq(pudge_bo_close(fd, m->h), 0);
	igt_assert_eq(pudge_module_param_set("max_map_order", saved_cap), 0);
}

static int64_t test_gup(uint8_t *p, uint64_t npages, uint32_t op, uint32_t flags)
{
	struct drm_pudge_test_gup g = {
		.addr = (uintptr_t)p, .npages = npages, .op = op, .flags = flags,
	};

	do_ioctl(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g);
	return g.result;
}

/*
 * Nothing stays pinned.  A pin that an O_DIRECT read took for the part of
 * the buffer it could reach is dropped when that bio completes, which on
 * a loaded TCG host can come after the read returned (seen once on 6.12
 * in a CI run with four guests sharing two cores): wait up to 2 s.
 */
static void assert_not_pinned(uint8_t *anon)
{
	int pinned = 1;

	for (int i = 0; i < 200 && pinned; i++) {
		pinned = test_gup(anon, 1, PUDGE_TEST_QUERY_PINNED, 0);
		if (pinned)
			usleep(10 * 1000);
	}
	igt_assert_eq(pinned, 0);
}

static void path_gup(struct mapping *m, uint32_t op)
{
	uint64_t n = PUDGE_TEST_GUP_MAX_PAGES;

	igt_assert_eq_s64(test_gup(m->p, n, op, 0), -EFAULT);
	igt_assert_eq_s64(test_gup(m->p, n, op, PUDGE_TEST_GUP_WRITE), -EFAULT);
	igt_assert_eq_s64(test_gup(m->p + m->size - SZ_4K, 1, op, 0), -EFAULT);
}

static int odirect_file(void)
{
	char path[256];
	int f;

	snprintf(path, sizeof(path), "%s/odirect.bin", odirect_dir);
	f = open(path, O_RDWR | O_DIRECT);
	igt_assert_f(f >= 0, "open %s: %s\n", path, strerror(errno));
	return f;
}

static void path_odirect(struct mapping *m, bool read_into)
{
	int f = odirect_file();
	ssize_t r;

	errno = 0;
	r = read_into ? pread(f, m->p, IO_LEN, 0) : pwrite(f, m->p, IO_LEN, 0);
	igt_assert_eq_s64(r, -1);
	igt_assert_eq(errno, EFAULT);
	close(f);
}

static void path_vmsplice(struct mapping *m)
{
	struct iovec iov = { m->p, IO_LEN };
	int pfd[2];

	igt_assert_eq(pipe(pfd), 0);
	igt_assert_eq_s64(vmsplice(pfd[1], &iov, 1, 0), -1);
	igt_assert_eq(errno, EFAULT);
	close(pfd[0]);
	close(pfd[1]);
}

static int uring_setup(void)
{
	struct io_uring_params params = { 0 };
	int ring = syscall(__NR_io_uring_setup, 4, &params);

	igt_require_f(ring >= 0, "io_uring unavailable: %s\n", strerror(errno));
	return ring;
}

static int uring_register(int ring, void *p, size_t len)
{
	struct iovec iov = { p, len };

	return syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1);
}

static void path_uring(struct mapping *m)
{
	int ring = uring_setup();

	igt_assert_eq(uring_register(ring, m->p, IO_LEN), -1);
	igt_assert_eq(errno, EFAULT);
	close(ring);
}

static void path_process_vm(struct mapping *m, bool read_from)
{
	static uint8_t buf[IO_LEN];
	struct iovec local = { buf, IO_LEN }, remote = { m->p, IO_LEN };
	ssize_t r;

	r = read_from ? process_vm_readv(getpid(), &local, 1, &remote, 1, 0) :
		process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	igt_assert_eq_s64(r, -1);
	igt_assert_eq(errno, EFAULT);
}

enum path { P_GUP, P_PIN, P_ODIRECT_READ, P_ODIRECT_WRITE, P_VMSPLICE, P_URING,
	    P_VM_READV, P_VM_WRITEV, NPATHS };

static const char *const path_names[NPATHS] = {
	"gup-fast", "pin-fast", "odirect-read", "odirect-write", "vmsplice",
	"io-uring-register", "process-vm-readv", "process-vm-writev",
};

static void run_path(enum path p, size_t k)
{
	struct mapping m;

	if (p == P_ODIRECT_READ || p == P_ODIRECT_WRITE)
		igt_require_f(odirect_dir, "no block-device filesystem (PUDGE_ODIRECT_DIR)\n");
	m = map_kind(k);
	switch (p) {
	case P_GUP: path_gup(&m, PUDGE_TEST_GUP_FAST); break;
	case P_PIN: path_gup(&m, PUDGE_TEST_PIN_FAST); break;
	case P_ODIRECT_READ: path_odirect(&m, true); break;
	case P_ODIRECT_WRITE: path_odirect(&m, false); break;
	case P_VMSPLICE: path_vmsplice(&m); break;
	case P_URING: path_uring(&m); break;
	case P_VM_READV: path_process_vm(&m, true); break;
	case P_VM_WRITEV: path_process_vm(&m, false); break;
	default: break;
	}
	/* Whatever was tried, the data is intact. */
	for (uint64_t o = 0; o < m.size; o += 64 * SZ_4K)
		igt_assert_eq_u64(*(volatile uint64_t *)(m.p + o), tag(o));
	unmap_kind(&m);
}

/* Controls: each path works on ordinary anonymous memory. */
static void test_anon_controls(void)
{
	uint8_t *a = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct iovec local, remote;
	int ring, pfd[2];
	uint8_t *buf;

	igt_assert(a != MAP_FAILED);
	memset(a, 7, 2 * SZ_2M);
	igt_assert_eq_s64(test_gup(a, PUDGE_TEST_GUP_MAX_PAGES, PUDGE_TEST_GUP_FAST, 0),
		      PUDGE_TEST_GUP_MAX_PAGES);
	igt_assert_eq_s64(test_gup(a, PUDGE_TEST_GUP_MAX_PAGES, PUDGE_TEST_PIN_FAST,
			       PUDGE_TEST_GUP_WRITE), PUDGE_TEST_GUP_MAX_PAGES);
	assert_not_pinned(a);

	ring = uring_setup();
	igt_assert_eq(uring_register(ring, a, IO_LEN), 0);
	igt_assert_eq_s64(test_gup(a, 1, PUDGE_TEST_QUERY_PINNED, 0), 1);
	close(ring);

	igt_assert_eq(pipe(pfd), 0);
	local = (struct iovec){ a, IO_LEN };
	igt_assert_eq_s64(vmsplice(pfd[1], &local, 1, 0), IO_LEN);
	close(pfd[0]);
	close(pfd[1]);

	buf = malloc(IO_LEN);
	local = (struct iovec){ buf, IO_LEN };
	remote = (struct iovec){ a, IO_LEN };
	igt_assert_eq_s64(process_vm_readv(getpid(), &local, 1, &remote, 1, 0), IO_LEN);
	free(buf);

	if (odirect_dir) {
		int f = odirect_file();

		igt_assert_eq_s64(pread(f, a, IO_LEN, 0), IO_LEN);
		igt_assert_eq_s64(pwrite(f, a, IO_LEN, 0), IO_LEN);
		close(f);
	}
	munmap(a, 2 * SZ_2M);
}

static bool smaps_flags(uint8_t *p, char *out, size_t len)
{
	char line[512];
	bool in = false, found = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		/* Only a mapping's header line starts with "start-end". */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = (uintptr_t)p >= start && (uintptr_t)p < end;
		if (in && !strncmp(line, "VmFlags:", 8)) {
			size_t n = strlen(line + 8);

			n = n < len ? n : len - 1;
			memcpy(out, line + 8, n);
			out[n] = 0;
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

/* VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP, shared, in any placement. */
static void test_vma_flags(void)
{
	for (size_t k = 0; k < NKINDS; k++) {
		struct mapping m = map_kind(k);
		char flags[256];

		igt_assert(smaps_flags(m.p, flags, sizeof(flags)));
		igt_info("%s: VmFlags:%s", m.name, flags);
		igt_assert(strstr(flags, " pf"));
		igt_assert(strstr(flags, " io"));
		igt_assert(strstr(flags, " de"));
		igt_assert(strstr(flags, " dd"));
		igt_assert(strstr(flags, " sh"));
		unmap_kind(&m);
	}
}

/* /proc/self/mem goes through vm_ops->access: reads and writes work. */
static void test_proc_mem(void)
{
	for (size_t k = 0; k < NKINDS; k++) {
		struct mapping m = map_kind(k);
		uint64_t off = m.size / 2, v, w = 0x1234567890abcdefull;
		int f = open("/proc/self/mem", O_RDWR);

		igt_assert(f >= 0);
		igt_assert_eq_s64(pread(f, &v, 8, (off_t)(uintptr_t)(m.p + off)), 8);
		igt_assert_eq_u64(v, tag(off));
		igt_assert_eq_s64(pwrite(f, &w, 8, (off_t)(uintptr_t)(m.p + off + 8)), 8);
		igt_assert_eq_u64(*(volatile uint64_t *)(m.p + off + 8), w);
		close(f);
		unmap_kind(&m);
	}
}

/* PTRACE_PEEKDATA/POKEDATA on a child's pudge mapping. */
static void test_ptrace(void)
{
	for (size_t k = 0; k < NKINDS; k++) {
		struct mapping m = map_kind(k);
		uint64_t off = m.size - SZ_4K;
		int status;
		long v;
		pid_t pid = fork();

		igt_assert(pid >= 0);
		if (pid == 0) {
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
			raise(SIGSTOP);
			_exit(*(volatile uint64_t *)(m.p + off + 8) == 0x5eedull ? 0 : 1);
		}
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFSTOPPED(status));
		errno = 0;
		v = ptrace(PTRACE_PEEKDATA, pid, m.p + off, NULL);
		igt_assert_eq(errno, 0);
		igt_assert_eq_u64((uint64_t)v, tag(off));
		igt_assert_eq_s64(ptrace(PTRACE_POKEDATA, pid, m.p + off + 8, (void *)0x5eedull), 0);
		igt_assert_eq_s64(ptrace(PTRACE_CONT, pid, NULL, NULL), 0);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		/* The BO is shared: the parent sees the poke too. */
		igt_assert_eq_u64(*(volatile uint64_t *)(m.p + off + 8), 0x5eedull);
		unmap_kind(&m);
	}
}

/*
 * A buffer of one anonymous page followed by a pudge mapping: pinning
 * stops at the pudge part, io_uring refuses the whole buffer, O_DIRECT
 * does not reach the pudge part, and the anonymous page is not left
 * pinned by any of them.
 */
static void test_mixed(void)
{
	uint64_t size = 8 * SZ_2M;
	uint8_t *r = mmap(NULL, size + SZ_4K, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t off;
	uint32_t h;
	uint8_t *a, *p;
	int ring;

	igt_assert(r != MAP_FAILED);
	igt_assert_eq(pudge_bo_create(fd, size, PUDGE_GEM_PLACE_VRAM, &h, NULL), 0);
	igt_assert_eq(pudge_bo_mmap_offset(fd, h, &off), 0);
	a = mmap(r, SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	p = mmap(r + SZ_4K, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off);
	igt_assert(a == r && p == r + SZ_4K);
	memset(a, 1, SZ_4K);
	memset(p, 2, size);

	igt_assert_eq_s64(test_gup(a, 64, PUDGE_TEST_PIN_FAST, PUDGE_TEST_GUP_WRITE), 1);
	assert_not_pinned(a);
	igt_assert_eq_s64(test_gup(a, 64, PUDGE_TEST_GUP_FAST, 0), 1);

	ring = uring_setup();
	igt_assert_eq(uring_register(ring, a, IO_LEN), -1);
	igt_assert_eq(errno, EFAULT);
	close(ring);
	assert_not_pinned(a);

	if (odirect_dir) {
		int f = odirect_file();
		ssize_t n = pread(f, a, IO_LEN, 0);

		igt_info("O_DIRECT read into anon+pudge: %zd (%s)\n", n,
			 n < 0 ? strerror(errno) : "short");
		igt_assert(n == -1 ? errno == EFAULT : n <= (ssize_t)SZ_4K);
		close(f);
		assert_not_pinned(a);
	}
	for (uint64_t o = 0; o < size; o += SZ_2M)
		igt_assert_eq(p[o], 2);
	munmap(r, size + SZ_4K);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
}

struct stress {
	struct mapping m;
	volatile bool stop;
	unsigned long faults, migrations, refused, wrong;
};

static void *stress_toucher(void *arg)
{
	struct stress *s = arg;
	unsigned int seed = 1;

	while (!s->stop) {
		uint64_t o = (rand_r(&seed) % (s->m.size / SZ_4K)) * SZ_4K;

		if (*(volatile uint64_t *)(s->m.p + o) != tag(o))
			s->wrong++;
		s->faults++;
	}
	return NULL;
}

static void *stress_migrator(void *arg)
{
	struct stress *s = arg;
	uint32_t to = PUDGE_GEM_PLACE_SYSTEM;

	while (!s->stop) {
		if (pudge_bo_migrate(fd, s->m.h, to) == 0)
			s->migrations++;
		to ^= PUDGE_GEM_PLACE_SYSTEM | PUDGE_GEM_PLACE_VRAM;
	}
	return NULL;
}

static void *stress_pinner(void *arg)
{
	struct stress *s = arg;
	struct iovec iov = { s->m.p, IO_LEN };
	int pfd[2], f = odirect_dir ? odirect_file() : -1;

	if (pipe(pfd))
		return (void *)1;
	while (!s->stop) {
		if (vmsplice(pfd[1], &iov, 1, SPLICE_F_NONBLOCK) == -1 && errno == EFAULT)
			s->refused++;
		else
			s->wrong++;
		if (f >= 0) {
			if (pread(f, s->m.p, IO_LEN, 0) == -1 && errno == EFAULT)
				s->refused++;
			else
				s->wrong++;
		}
		if (test_gup(s->m.p, 16, PUDGE_TEST_PIN_FAST, 0) == -EFAULT)
			s->refused++;
		else
			s->wrong++;
	}
	close(pfd[0]);
	close(pfd[1]);
	if (f >= 0)
		close(f);
	return NULL;
}

/* Fault, zap (migrate) and pin attempts on one BO at once, for 5 s. */
static void test_stress(void)
{
	struct stress s = { .m = { .name = "either", .size = 64 * SZ_2M } };
	pthread_t t[4];
	struct timespec end;

	igt_assert_eq(pudge_bo_create(fd, s.m.size, PUDGE_GEM_PLACE_MASK, &s.m.h, NULL), 0);
	s.m.p = pudge_bo_map(fd, s.m.h, 0, s.m.size, PROT_READ | PROT_WRITE);
	igt_assert(s.m.p != MAP_FAILED);
	for (uint64_t o = 0; o < s.m.size; o += SZ_4K)
		*(volatile uint64_t *)(s.m.p + o) = tag(o);

	igt_assert_eq(pthread_create(&t[0], NULL, stress_toucher, &s), 0);
	igt_assert_eq(pthread_create(&t[1], NULL, stress_toucher, &s), 0);
	igt_assert_eq(pthread_create(&t[2], NULL, stress_migrator, &s), 0);
	igt_assert_eq(pthread_create(&t[3], NULL, stress_pinner, &s), 0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 5;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL);
	s.stop = true;
	for (int i = 0; i < 4; i++)
		igt_assert_eq(pthread_join(t[i], NULL), 0);

	igt_info("touches %lu, migrations %lu, refused pins %lu, wrong %lu\n",
		 s.faults, s.migrations, s.refused, s.wrong);
	igt_assert_eq_u64(s.wrong, 0);
	igt_assert_lt_u64(0, s.migrations);
	igt_assert_lt_u64(0, s.refused);
	munmap(s.m.p, s.m.size);
	igt_assert_eq(pudge_bo_close(fd, s.m.h), 0);
}

/* TEST_GUP is off without test_ioctls, and checks every field when on. */
static void test_ioctl_invalid(void)
{
	uint8_t *a = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct drm_pudge_test_gup g = { .addr = (uintptr_t)a, .npages = 1 };

	igt_assert(a != MAP_FAILED);
	igt_assert_eq(pudge_module_param_set("test_ioctls", 0), 0);
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EOPNOTSUPP);
	igt_assert_eq(pudge_module_param_set("test_ioctls", 1), 0);
	do_ioctl(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g);
	igt_assert_eq_s64(g.result, 1);

	g.npages = 0;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EINVAL);
	g.npages = PUDGE_TEST_GUP_MAX_PAGES + 1;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EINVAL);
	g.npages = 1;
	g.addr += 8;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EINVAL);
	g.addr -= 8;
	g.op = PUDGE_TEST_QUERY_PINNED + 1;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EINVAL);
	g.op = PUDGE_TEST_QUERY_PINNED;
	g.npages = 2;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EINVAL);
	g.npages = 1;
	g.op = PUDGE_TEST_GUP_FAST;
	g.flags = 1u << 7;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EINVAL);
	g.flags = 0;
	g.addr = ~0ull & ~(SZ_4K - 1);
	g.npages = 2;
	do_ioctl_err(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g, EINVAL);
	munmap(a, SZ_2M);
}

static size_t path_i, kind_i;

igt_main
{
	igt_fixture {
		fd = pudge_igt_open(PUDGE_NODE_RENDER);
		/* Whatever ends the test, the module parameters it changes go back. */
		pudge_igt_param_keep("max_map_order");
		pudge_igt_param_keep("unsafe_orders");
		pudge_igt_param_keep("test_ioctls");
		igt_assert_eq(pudge_get_param(fd, PUDGE_PARAM_KERNEL_MAP_ORDERS,
					      &kernel_orders), 0);
		igt_assert_eq(pudge_module_param_get("max_map_order", &saved_cap), 0);
		igt_assert_eq(pudge_allow_unsafe_orders(&saved_unsafe), 0);
		igt_require_f(pudge_module_param_set("test_ioctls", 1) == 0,
			      "cannot enable test_ioctls (not root?)\n");
		odirect_dir = getenv("PUDGE_ODIRECT_DIR");
	}

	/* Static: a failing subtest longjmps out of this loop's body. */
	for (path_i = 0; path_i < NPATHS; path_i++)
		for (kind_i = 0; kind_i < NKINDS; kind_i++) {
			igt_describe("A pinning path on a populated pudge mapping fails with EFAULT");
			igt_subtest_f("%s-%s", path_names[path_i], kinds[kind_i].name)
				run_path(path_i, kind_i);
		}

	igt_describe("TEST_GUP: EOPNOTSUPP when off, EINVAL for each bad field");
	igt_subtest("test-ioctl-invalid")
		test_ioctl_invalid();

	igt_describe("Every path works on anonymous memory (the tests' controls)");
	igt_subtest("anon-controls")
		test_anon_controls();
	igt_subtest("vma-flags")
		test_vma_flags();
	igt_describe("/proc/<pid>/mem reads and writes pudge mappings");
	igt_subtest("proc-mem")
		test_proc_mem();
	igt_describe("PTRACE_PEEKDATA/POKEDATA on pudge mappings");
	igt_subtest("ptrace")
		test_ptrace();
	igt_describe("anon+pudge buffers: nothing pinned is left behind");
	igt_subtest("mixed")
		test_mixed();
	igt_describe("fault, migrate and pin attempts at once for 5 s");
	igt_subtest("stress")
		test_stress();

	igt_fixture {
		pudge_module_param_set("test_ioctls", 0);
		pudge_module_param_set("max_map_order", saved_cap);
		pudge_module_param_set("unsafe_orders", saved_unsafe);
		close(fd);
	}
}
