// SPDX-License-Identifier: MIT
/*
 * pudge_prime: buffer sharing with dma-bufs, both ways.  pudge BOs
 * exported to pudge itself and to vgem, dma-bufs of vgem and udmabuf
 * imported into pudge, mmap() of a pudge dma-buf with the same huge
 * entries and GUP refusal as the GEM mmap, across processes, closed in
 * every order, with the device unbound underneath, and every rejection.
 * After each subtest nothing is held: all of VRAM is free.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <setjmp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/udmabuf.h>

#include <xf86drm.h>

#include "igt.h"
#include "pudge.h"
#include "pudge_igt.h"

#define SZ_4K	(4096ull)
#define SZ_2M	(2ull << 20)
#define SZ_1G	(1ull << 30)

static int fd = -1;
static char slot[32];
static uint64_t vram_size;
static long long saved_unsafe = -1;
static bool test_ioctls_on;

static uint64_t get_param(int f, uint32_t param)
{
	uint64_t v = 0;

	igt_assert_eq(pudge_get_param(f, param, &v), 0);
	return v;
}

/* Nothing held: every byte of VRAM free again (frees may lag a little). */
static void assert_idle(void)
{
	uint64_t free_ = 0;

	for (int i = 0; i < 200; i++) {
		free_ = get_param(fd, PUDGE_PARAM_VRAM_FREE);
		if (free_ == vram_size)
			return;
		usleep(10000);
	}
	igt_assert_eq_u64(free_, vram_size);
}

static uint32_t bo_new(uint64_t size, uint32_t flags)
{
	uint32_t h;

	igt_assert_eq(pudge_bo_create(fd, size, flags, &h, NULL), 0);
	return h;
}

/* pudge_bo_map(), which must work. */
static void *bo_map(int f, uint32_t handle, uint64_t off, uint64_t len)
{
	void *p = pudge_bo_map(f, handle, off, len, PROT_READ | PROT_WRITE);

	igt_assert_f(p != MAP_FAILED, "mmap: %s\n", strerror(errno));
	return p;
}

static int export_fd(int f, uint32_t handle)
{
	int dfd = -1;

	igt_assert_eq(drmPrimeHandleToFD(f, handle, DRM_CLOEXEC | DRM_RDWR, &dfd), 0);
	igt_assert_lte(0, dfd);
	return dfd;
}

static int import_fd(int f, int dfd, uint32_t *handle)
{
	return drmPrimeFDToHandle(f, dfd, handle) ? -errno : 0;
}

/* Map @len bytes of a dma-buf at an address aligned to @align (0: any). */
static void *map_dmabuf(int dfd, uint64_t len, uint64_t align)
{
	uint8_t *area, *p;

	if (!align)
		align = SZ_4K;
	area = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(area != MAP_FAILED);
	p = (uint8_t *)(((uintptr_t)area + align - 1) & ~(uintptr_t)(align - 1));
	munmap(area, len + align);
	p = mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, dfd, 0);
	igt_assert(p != MAP_FAILED);
	return p;
}

static uint64_t pattern(uint64_t seed, uint64_t off)
{
	return (seed * 0x9e3779b97f4a7c15ull) ^ off;
}

/* Write one word per page (and the last word of the last page). */
static void fill(volatile uint8_t *p, uint64_t len, uint64_t seed)
{
	for (uint64_t off = 0; off < len; off += SZ_4K)
		*(volatile uint64_t *)(p + off) = pattern(seed, off);
	*(volatile uint64_t *)(p + len - 8) = pattern(seed, len - 8);
}

static void check(volatile uint8_t *p, uint64_t len, uint64_t seed)
{
	for (uint64_t off = 0; off < len; off += SZ_4K)
		igt_assert_f(*(volatile uint64_t *)(p + off) == pattern(seed, off),
			     "offset %#" PRIx64 ": %#" PRIx64 ", expected %#" PRIx64 "\n",
			     off, *(volatile uint64_t *)(p + off), pattern(seed, off));
	igt_assert_eq_u64(*(volatile uint64_t *)(p + len - 8), pattern(seed, len - 8));
}

static struct drm_pudge_stats bo_stats(uint32_t h)
{
	struct drm_pudge_stats s;

	igt_assert_eq(pudge_stats(fd, h, &s), 0);
	return s;
}

static int test_gup(void *p, uint64_t npages, uint32_t op, uint32_t flags)
{
	struct drm_pudge_test_gup g = {
		.addr = (uintptr_t)p, .npages = npages, .op = op, .flags = flags,
	};

	if (igt_ioctl(fd, DRM_IOCTL_PUDGE_TEST_GUP, &g))
		return -errno;
	return (int)g.result;
}

/* ---- another device: vgem, and udmabuf ---- */

static int open_vgem(void)
{
	static bool loaded;

	/* Built in, or not there at all: the scan tells. */
	if (!loaded && system("modprobe vgem >/dev/null 2>&1") != -1)
		loaded = true;
	return pudge_open_driver_card("vgem");
}

static uint32_t vgem_create(int vfd, uint64_t size)
{
	struct drm_mode_create_dumb c = { .width = size / 4, .height = 1, .bpp = 32 };

	do_ioctl(vfd, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	igt_assert_lte_u64(size, c.size);
	return c.handle;
}

static void *vgem_map(int vfd, uint32_t handle, uint64_t size)
{
	struct drm_mode_map_dumb m = { .handle = handle };
	void *p;

	do_ioctl(vfd, DRM_IOCTL_MODE_MAP_DUMB, &m);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, m.offset);
	igt_assert(p != MAP_FAILED);
	return p;
}

static void gem_close(int f, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	do_ioctl(f, DRM_IOCTL_GEM_CLOSE, &c);
}

/* A udmabuf over a sealed memfd of @size; *@memfd receives the memfd. */
static int udmabuf_new(uint64_t size, int *memfd, void **cpu)
{
	struct udmabuf_create c = { .size = size };
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int dfd;

	igt_require_f(dev >= 0, "no /dev/udmabuf\n");
	c.memfd = memfd_create("pudge-prime", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	igt_assert_lte(0, c.memfd);
	igt_assert_eq(ftruncate(c.memfd, size), 0);
	igt_assert_eq(fcntl(c.memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	dfd = ioctl(dev, UDMABUF_CREATE, &c);
	igt_assert_lte(0, dfd);
	close(dev);
	*cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, c.memfd, 0);
	igt_assert(*cpu != MAP_FAILED);
	*memfd = c.memfd;
	return dfd;
}

/* ---- subtests ---- */

/* Export and import on the same device: the same BO, the same bytes. */
static void test_self_import(void)
{
	int other = pudge_igt_open(PUDGE_NODE_RENDER);
	uint32_t h = bo_new(SZ_2M, PUDGE_GEM_PLACE_VRAM), h2, h3;
	uint8_t *a, *b;
	int dfd;

	igt_assert_lte(0, other);
	dfd = export_fd(fd, h);
	igt_assert_eq(import_fd(fd, dfd, &h2), 0);
	igt_assert_eq_u32(h2, h);		/* same file: same handle */
	igt_assert_eq(import_fd(other, dfd, &h3), 0);
	a = bo_map(fd, h, 0, SZ_2M);
	b = bo_map(other, h3, 0, SZ_2M);
	fill(a, SZ_2M, 1);
	check(b, SZ_2M, 1);
	fill(b, SZ_2M, 2);
	check(a, SZ_2M, 2);
	munmap(a, SZ_2M);
	munmap(b, SZ_2M);
	close(dfd);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	igt_assert_eq(pudge_bo_close(other, h3), 0);
	close(other);
	assert_idle();
}

/*
 * mmap() of the dma-buf maps VRAM with the entries the GEM mmap would use
 * at the same alignment, counted by STATS, and GUP refuses them.
 */
static void dmabuf_mmap_huge(uint64_t size, uint64_t align, bool pud)
{
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	struct drm_pudge_stats s0 = bo_stats(h), s1;
	int dfd = export_fd(fd, h);
	uint8_t *p = map_dmabuf(dfd, size, align), *g;

	close(dfd);			/* the mapping keeps the dma-buf */
	p[0] = 1;
	s1 = bo_stats(h);
	if (pud)
		igt_assert_lte_u64(s0.pud_inserted + 1, s1.pud_inserted);
	else
		igt_assert_lte_u64(s0.pmd_inserted + size / SZ_2M, s1.pmd_inserted);
	igt_assert_eq_u64(s1.pte_inserted, s0.pte_inserted);
	igt_assert_eq_u64(s1.faults, s0.faults + 1);

	fill(p, size, 3);
	g = bo_map(fd, h, 0, size);
	check(g, size, 3);
	igt_assert_eq(test_gup(p, 1, PUDGE_TEST_GUP_FAST, PUDGE_TEST_GUP_WRITE), -EFAULT);
	igt_assert_eq(test_gup(p, 1, PUDGE_TEST_PIN_FAST, PUDGE_TEST_GUP_WRITE), -EFAULT);
	check(p, size, 3);
	munmap(g, size);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	assert_idle();
}

static void test_dmabuf_mmap_pmd(void)
{
	igt_require(get_param(fd, PUDGE_PARAM_MAP_ORDERS) & PUDGE_MAP_ORDER_PMD);
	dmabuf_mmap_huge(2 * SZ_2M, SZ_2M, false);
}

static void test_dmabuf_mmap_pud(void)
{
	igt_require(get_param(fd, PUDGE_PARAM_MAP_ORDERS) & PUDGE_MAP_ORDER_PUD);
	igt_require(vram_size >= 2 * SZ_1G);
	dmabuf_mmap_huge(SZ_1G, SZ_1G, true);
}

/*
 * A dma-buf mapping follows its BO when it moves: after GEM_MIGRATE the
 * old VRAM is not reachable through it (a stale entry would read what the
 * BO left behind, or what the next owner of that VRAM writes).
 */
static void test_dmabuf_mmap_migrate(void)
{
	const uint64_t size = 2 * SZ_2M;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM), thief;
	int dfd = export_fd(fd, h);
	uint8_t *p = map_dmabuf(dfd, size, SZ_2M), *g, *t;

	close(dfd);
	g = bo_map(fd, h, 0, size);
	fill(p, size, 4);
	check(g, size, 4);
	for (int round = 0; round < 3; round++) {
		igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_SYSTEM), 0);
		/* Someone else takes the VRAM the BO left and writes to it. */
		thief = bo_new(vram_size / 2, PUDGE_GEM_PLACE_VRAM);
		t = bo_map(fd, thief, 0, vram_size / 2);
			fill(t, vram_size / 2, 99);
		fill(g, size, 5 + round);
		check(p, size, 5 + round);
		munmap(t, vram_size / 2);
		igt_assert_eq(pudge_bo_close(fd, thief), 0);
		igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), 0);
		check(p, size, 5 + round);
		fill(p, size, 10 + round);
		check(g, size, 10 + round);
	}
	munmap(g, size);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	assert_idle();
}

/* fork(), a split and mremap() of a dma-buf mapping: no kernel warning. */
static void test_dmabuf_mmap_fork(void)
{
	const uint64_t size = 2 * SZ_2M;
	int warns = pudge_kernel_log_count("WARNING");
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	int dfd = export_fd(fd, h);
	uint8_t *p = map_dmabuf(dfd, size, SZ_2M), *q;

	close(dfd);
	fill(p, size, 20);
	igt_fork(child, 1) {
		check(p, size, 20);
		fill(p, size, 21);
	}
	igt_waitchildren();
	check(p, size, 21);
	igt_assert_eq(munmap(p + SZ_4K, SZ_4K), 0);	/* split */
	igt_assert_eq_u64(*(volatile uint64_t *)(p + 2 * SZ_4K), pattern(21, 2 * SZ_4K));
	q = mremap(p + 2 * SZ_4K, size - 2 * SZ_4K, size - 2 * SZ_4K, MREMAP_MAYMOVE);
	igt_assert(q != MAP_FAILED);
	igt_assert_eq_u64(*(volatile uint64_t *)q, pattern(21, 2 * SZ_4K));
	munmap(p, SZ_4K);
	munmap(q, size - 2 * SZ_4K);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	igt_assert_eq(pudge_kernel_log_count("WARNING"), warns);
	assert_idle();
}

/* A vgem BO imported into pudge: the same bytes through either mapping. */
static void test_import_vgem(void)
{
	const uint64_t size = 64 * SZ_4K;
	int vfd = open_vgem(), dfd;
	uint32_t vh, h;
	uint8_t *v, *p;

	igt_require_f(vfd >= 0, "no vgem\n");
	vh = vgem_create(vfd, size);
	dfd = export_fd(vfd, vh);
	igt_assert_eq(import_fd(fd, dfd, &h), 0);
	v = vgem_map(vfd, vh, size);
	p = bo_map(fd, h, 0, size);
	fill(v, size, 30);
	check(p, size, 30);
	fill(p, size, 31);
	check(v, size, 31);
	/*
	 * A prefix maps; an offset does not (exporters such as vgem's
	 * shmem helper count pages from the start of the mapping).
	 */
	munmap(p, size);
	p = pudge_bo_map(fd, h, 0, 4 * SZ_4K, PROT_READ);
	igt_assert(p != MAP_FAILED);
	igt_assert_eq_u64(*(uint64_t *)(p + 3 * SZ_4K), pattern(31, 3 * SZ_4K));
	munmap(p, 4 * SZ_4K);
	igt_assert(pudge_bo_map(fd, h, 8 * SZ_4K, 4 * SZ_4K, PROT_READ) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);

	/* Imported memory stays where its exporter put it. */
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), -EINVAL);
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_SYSTEM), 0);
	bo_stats(h);
	check(v, size, 31);
	munmap(v, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	close(dfd);
	gem_close(vfd, vh);
	close(vfd);
	assert_idle();
}

/* A udmabuf (plain process memory) imported into pudge. */
static void test_import_udmabuf(void)
{
	const uint64_t size = 2 * SZ_2M;
	int memfd, dfd;
	void *cpu;
	uint8_t *p;
	uint32_t h, h2;

	dfd = udmabuf_new(size, &memfd, &cpu);
	igt_assert_eq(import_fd(fd, dfd, &h), 0);
	igt_assert_eq(import_fd(fd, dfd, &h2), 0);
	igt_assert_eq_u32(h2, h);		/* imported once per file */
	p = bo_map(fd, h, 0, size);
	fill(cpu, size, 40);
	check(p, size, 40);
	fill(p, size, 41);
	check(cpu, size, 41);
	munmap(p, size);
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), -EINVAL);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	close(dfd);
	munmap(cpu, size);
	close(memfd);
	assert_idle();
}

/*
 * A pudge BO exported to vgem: vgem attaches and maps it (the dma-buf
 * mapped for vgem's device through pudge's page table), the BO moves to
 * system memory for that with its data, and cannot go back to VRAM while
 * vgem holds it.  vgem cannot mmap an imported BO (drm_gem_dumb_map_offset
 * refuses imports), so the bytes are checked through pudge's mapping of
 * the pinned pages; the other direction (import-*) checks an importer's
 * view.
 */
static void test_export_vgem(void)
{
	const uint64_t size = 2 * SZ_2M;
	int vfd = open_vgem(), dfd;
	uint32_t h, vh;
	struct drm_pudge_stats s0, s1;
	uint8_t *p;

	igt_require_f(vfd >= 0, "no vgem\n");
	h = bo_new(size, PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM);
	p = bo_map(fd, h, 0, size);
	fill(p, size, 50);
	s0 = bo_stats(h);
	dfd = export_fd(fd, h);
	igt_assert_eq(import_fd(vfd, dfd, &vh), 0);
	s1 = bo_stats(h);
	igt_assert_eq_u64(s1.moves, s0.moves + 1);	/* VRAM -> system */
	check(p, size, 50);
	fill(p, size, 51);
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), -EBUSY);
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_SYSTEM), 0);
	gem_close(vfd, vh);			/* vgem lets go */
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), 0);
	check(p, size, 51);
	/* Attached again from VRAM, and again let go by closing vgem. */
	igt_assert_eq(import_fd(vfd, dfd, &vh), 0);
	check(p, size, 51);
	close(vfd);
	igt_assert_eq(pudge_bo_migrate(fd, h, PUDGE_GEM_PLACE_VRAM), 0);
	munmap(p, size);
	close(dfd);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	assert_idle();
}

/* A VRAM-only BO cannot leave VRAM: another device cannot attach it. */
static void test_export_vram_only(void)
{
	int vfd = open_vgem(), dfd;
	uint32_t h, vh;
	uint8_t *p;

	igt_require_f(vfd >= 0, "no vgem\n");
	h = bo_new(SZ_2M, PUDGE_GEM_PLACE_VRAM);
	dfd = export_fd(fd, h);
	igt_assert_eq(import_fd(vfd, dfd, &vh), -EINVAL);
	/* The dma-buf itself still maps. */
	p = map_dmabuf(dfd, SZ_2M, 0);
	fill(p, SZ_2M, 60);
	check(p, SZ_2M, 60);
	munmap(p, SZ_2M);
	close(dfd);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	close(vfd);
	assert_idle();
}

static void send_fd(int sock, int sfd)
{
	char c = 0;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sfd, sizeof(int));
	igt_assert_eq_s64(sendmsg(sock, &msg, 0), 1);
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int rfd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&rfd, CMSG_DATA(cm), sizeof(int));
	return rfd;
}

/*
 * Another process, with its own pudge file, gets the dma-buf over a unix
 * socket, imports it, writes, and exits; the exporter sees its bytes and
 * the BO outlives the other process's handle.
 */
static void test_cross_process(void)
{
	const uint64_t size = 2 * SZ_2M;
	uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM);
	uint8_t *p = bo_map(fd, h, 0, size);
	int rnode = pudge_igt_open(PUDGE_NODE_RENDER), sv[2], dfd, status;
	pid_t pid;

	fill(p, size, 70);
	igt_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	igt_assert_lte(0, pid);
	if (pid == 0) {
		int cfd = pudge_igt_reopen(rnode), rfd = recv_fd(sv[1]);
		uint32_t ch;
		uint8_t *c;

		if (cfd < 0 || rfd < 0 || import_fd(cfd, rfd, &ch))
			_exit(1);
		close(rfd);
		c = pudge_bo_map(cfd, ch, 0, size, PROT_READ | PROT_WRITE);
		if (c == MAP_FAILED || *(uint64_t *)c != pattern(70, 0))
			_exit(2);
		fill(c, size, 71);
		_exit(0);	/* mapping, handle and file go with the process */
	}
	close(rnode);
	dfd = export_fd(fd, h);
	send_fd(sv[0], dfd);
	close(dfd);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x\n", status);
	check(p, size, 71);
	close(sv[0]);
	close(sv[1]);
	munmap(p, size);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	assert_idle();
}

/*
 * The owners of a shared BO (the GEM handle, the dma-buf fd, a dma-buf
 * mapping, a GEM mapping, an import in another file) let go in every
 * order; the VRAM comes back exactly when the last goes.
 */
static void test_close_orders(void)
{
	enum { HANDLE, DMABUF, DMAMAP, GEMMAP, IMPORT, N };
	const uint64_t size = SZ_2M;
	int perm[N] = { 0, 1, 2, 3, 4 }, count = 0;
	int other = pudge_igt_open(PUDGE_NODE_RENDER);

	igt_assert_lte(0, other);
	/* All 120 orders of 5. */
	for (;;) {
		uint32_t h = bo_new(size, PUDGE_GEM_PLACE_VRAM), h2;
		int dfd = export_fd(fd, h);
		uint8_t *dm = map_dmabuf(dfd, size, 0);
		uint8_t *gm = bo_map(fd, h, 0, size);
		int i, j, k;

			igt_assert_eq(import_fd(other, dfd, &h2), 0);
		fill(dm, size, count);
		for (i = 0; i < N; i++) {
			igt_assert_f(get_param(fd, PUDGE_PARAM_VRAM_FREE) < vram_size,
				     "VRAM freed before owner %d of order %d\n", i, count);
			switch (perm[i]) {
			case HANDLE: igt_assert_eq(pudge_bo_close(fd, h), 0); break;
			case DMABUF: close(dfd); break;
			case DMAMAP: check(dm, size, count); munmap(dm, size); break;
			case GEMMAP: check(gm, size, count); munmap(gm, size); break;
			case IMPORT: igt_assert_eq(pudge_bo_close(other, h2), 0); break;
			}
		}
		assert_idle();
		count++;
		/* next permutation */
		for (i = N - 2; i >= 0 && perm[i] > perm[i + 1]; i--)
			;
		if (i < 0)
			break;
		for (j = N - 1; perm[j] < perm[i]; j--)
			;
		k = perm[i]; perm[i] = perm[j]; perm[j] = k;
		for (j = i + 1, k = N - 1; j < k; j++, k--) {
			int t = perm[j];

			perm[j] = perm[k];
			perm[k] = t;
		}
	}
	igt_assert_eq(count, 120);
	close(other);
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/*
 * Unbind with live dma-bufs both ways: a pudge BO mapped through its
 * dma-buf (VRAM) and a udmabuf imported into pudge.  After unbind the
 * dma-buf mapping no longer reaches the BAR: it reads TTM's dummy page or
 * faults, never the old VRAM; closing everything afterwards is clean, and
 * the rebound device has all its VRAM.
 */
static void test_unbind(void)
{
	const uint64_t size = 2 * SZ_2M;
	int f = pudge_igt_open(PUDGE_NODE_RENDER), memfd, udfd, dfd, sig;
	uint32_t h, uh;
	void *cpu;
	volatile uint8_t *p, *u;
	uint64_t seen = 0;
	struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;

	igt_assert_lte(0, f);
	igt_assert_eq(pudge_bo_create(f, size, PUDGE_GEM_PLACE_VRAM, &h, NULL), 0);
	dfd = export_fd(f, h);
	p = map_dmabuf(dfd, size, SZ_2M);
	fill(p, size, 80);
	udfd = udmabuf_new(size, &memfd, &cpu);
	igt_assert_eq(import_fd(f, udfd, &uh), 0);
	u = bo_map(f, uh, 0, size);
	fill(cpu, size, 81);

	igt_assert_eq(pudge_driver_bind(slot, false), 0);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig)
		seen = *(volatile uint64_t *)p;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	igt_info("dma-buf mapping after unbind: %s %#" PRIx64 "\n",
		 sig ? "fault" : "read", seen);
	igt_assert_f(sig || seen != pattern(80, 0),
		     "the dma-buf mapping still reads the unbound VRAM\n");
	/* The exporter of the import is alive: its mapping still works. */
	check(u, size, 81);

	munmap((void *)p, size);
	munmap((void *)u, size);
	close(dfd);
	close(udfd);
	munmap(cpu, size);
	close(memfd);
	close(f);
	igt_assert_eq(pudge_driver_bind(slot, true), 0);
	close(fd);
	fd = pudge_igt_open(PUDGE_NODE_PRIMARY);
	assert_idle();
}

/* Every way to get PRIME wrong gets an error, and nothing leaks. */
static void test_rejections(void)
{
	int memfd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);
	struct drm_prime_handle ph;
	uint32_t h;

	igt_assert_lte(0, memfd);
	igt_assert_eq(import_fd(fd, memfd, &h), -EINVAL);	/* not a dma-buf */
	igt_assert_eq(import_fd(fd, -1, &h), -EBADF);
	igt_assert_eq(import_fd(fd, 12345, &h), -EBADF);
	close(memfd);

	ph = (struct drm_prime_handle){ .handle = 12345, .flags = DRM_CLOEXEC };
	igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), -1);
	igt_assert_eq(errno, ENOENT);
	h = bo_new(SZ_4K, PUDGE_GEM_PLACE_SYSTEM);
	ph = (struct drm_prime_handle){ .handle = h, .flags = 0xdead0000 };
	igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph), -1);
	igt_assert_eq(errno, EINVAL);
	igt_assert_eq(pudge_bo_close(fd, h), 0);
	assert_idle();
}

igt_main
{
	igt_fixture {
		fd = pudge_igt_open(PUDGE_NODE_PRIMARY);
		/* Whatever ends the test, the module parameters it changes go back. */
		pudge_igt_param_keep("unsafe_orders");
		pudge_igt_param_keep("test_ioctls");
		igt_assert_eq(pudge_pci_slot(fd, slot, sizeof(slot)), 0);
		vram_size = get_param(fd, PUDGE_PARAM_VRAM_SIZE);
		/* 2 MiB entries are off by default (README); these tests map them. */
		igt_assert_eq(pudge_allow_unsafe_orders(&saved_unsafe), 0);
		/* TEST_GUP, to see GUP refuse dma-buf mappings; off again at exit. */
		igt_assert_eq(pudge_module_param_set("test_ioctls", 1), 0);
		test_ioctls_on = true;
		assert_idle();
	}

	igt_describe("A BO exported and imported on pudge itself is the same BO");
	igt_subtest("self-import")
		test_self_import();

	igt_describe("mmap of a dma-buf maps VRAM with 2 MiB entries; GUP refuses them");
	igt_subtest("dmabuf-mmap-pmd")
		test_dmabuf_mmap_pmd();

	igt_describe("mmap of a dma-buf maps VRAM with 1 GiB entries; GUP refuses them");
	igt_subtest("dmabuf-mmap-pud")
		test_dmabuf_mmap_pud();

	igt_describe("A dma-buf mapping follows its BO between VRAM and system memory");
	igt_subtest("dmabuf-mmap-migrate")
		test_dmabuf_mmap_migrate();

	igt_describe("fork, split and mremap of a dma-buf mapping: data kept, no warning");
	igt_subtest("dmabuf-mmap-fork")
		test_dmabuf_mmap_fork();

	igt_describe("A vgem BO imported into pudge reads and writes the same bytes");
	igt_subtest("import-vgem")
		test_import_vgem();

	igt_describe("A udmabuf imported into pudge reads and writes the same bytes");
	igt_subtest("import-udmabuf")
		test_import_udmabuf();

	igt_describe("A pudge BO exported to vgem moves to system memory with its data");
	igt_subtest("export-vgem")
		test_export_vgem();

	igt_describe("A VRAM-only BO cannot be attached by another device");
	igt_subtest("export-vram-only")
		test_export_vram_only();

	igt_describe("A dma-buf passed to another process over a socket");
	igt_subtest("cross-process")
		test_cross_process();

	igt_describe("Handle, dma-buf, mappings and import released in all 120 orders");
	igt_subtest("close-orders")
		test_close_orders();

	igt_describe("Unbind with live dma-bufs both ways");
	igt_subtest("unbind")
		test_unbind();

	igt_describe("Bad PRIME requests are refused");
	igt_subtest("rejections")
		test_rejections();

	igt_fixture {
		if (saved_unsafe >= 0)
			pudge_module_param_set("unsafe_orders", saved_unsafe);
		if (test_ioctls_on)
			pudge_module_param_set("test_ioctls", 0);
		close(fd);
	}
}
