// SPDX-License-Identifier: MIT
/*
 * pudge_stress: seeded random stress and fuzzing of buffer objects and SVM,
 * with every byte checked against a shadow copy.
 *
 * Every BO and anonymous region the test makes has a shadow: the bytes it
 * must hold.  CPU and SVM_ACCESS writes also go to the shadow; CPU and
 * SVM_ACCESS reads are compared with it.  Each page that differs is an
 * anomaly; the first few are printed in full (object, offset, address,
 * expected and actual bytes, whose data it is, op index, seed).  The
 * kernel's VMAs (/proc/self/maps) are compared with the test's model too.
 *
 * Random ops: GEM_CREATE in VRAM, system or both, of 4 KiB to a few
 * hundred MiB, odd sizes included; mmap of all or part of a BO; munmap,
 * mprotect, mremap (move) and madvise of pieces of mappings; GEM_MIGRATE;
 * GEM_CLOSE (mappings outlive the handle); fork (the child reads, writes
 * and migrates, then exits); anonymous memory with and without THPs;
 * SVM_MIGRATE of sub-ranges both ways; SVM_ACCESS reads and writes; and
 * invalid arguments, which must fail with the documented errno.
 *
 * Subtests:
 *  bo-ops         BOs only.  Also runs without SVM (where the SVM ioctls
 *                 must fail with EOPNOTSUPP).
 *  svm-ops        anonymous memory and SVM only.
 *  mixed          both, while 4 threads each own every 4th page of a
 *                 shared region (8 MiB of THPs, 2 MiB of 4 KiB pages):
 *                 they store to their pages from the CPU and
 *                 read-modify-write them through SVM_ACCESS, with a
 *                 counter per page, and a fifth thread migrates random
 *                 sub-ranges of the region both ways.
 *  multi-process  4 processes with their own fds, each doing what mixed
 *                 does (BOs only without SVM).  A process's bytes carry
 *                 its tag in their low 3 bits, so another's data shows up
 *                 as "foreign"; at the end a new VRAM BO must read zero.
 * Each subtest then closes everything, checks VRAM_FREE == VRAM_SIZE and
 * SVM_RESIDENT == 0, and fails on any anomaly or leak.
 *
 * Environment: PUDGE_STRESS_SEED (default: from the clock; printed at the
 * start of each subtest and in every failure), PUDGE_STRESS_SECONDS
 * (seconds of random ops per subtest, default 20), PUDGE_STRESS_VERBOSE
 * (print every op and check the VMAs after each), PUDGE_STRESS_SKIP (op
 * kinds the main thread leaves out, by name, comma-separated, e.g.
 * "fork,madvise": to narrow a failure down).
 *
 * Replay: PUDGE_STRESS_SEED=N pudge_stress --run-subtest NAME repeats the
 * op sequence of the main thread (of process i: seed N + i) as long as the
 * kernel answers the same way (ENOSPC depends on what is in VRAM, for
 * one).  Not deterministic: how many ops fit in the time, and how the
 * threads of mixed and the processes of multi-process interleave.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <xf86drm.h>

#include "igt.h"
#include "pudge.h"
#include "pudge_igt.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PG		4096ull
#define MIB		(1ull << 20)
#define THP		(2 * MIB)
#define MAX_OBJ		24
#define MAX_MAP		48
#define SCRATCH		(8 * MIB)
#define DETAILS		8	/* anomalies printed in full, per process and kind */
#define NPROC		4
#define NOWNERS		4
#define SW_THP		(8 * MIB)	/* the threads' region: THPs, */
#define SW_SIZE		(10 * MIB)	/* then 4 KiB pages */
#define MAPPED		0x80	/* map.pst: mapped, with its PROT_* bits */
#define VSTART		0x40	/* map.pst: a VMA may start at this page */
#define RW		(PROT_READ | PROT_WRITE)
#define SYS		PUDGE_GEM_PLACE_SYSTEM
#define VRAM		PUDGE_GEM_PLACE_VRAM
#define BAD_H		0x7ffffff0u	/* a GEM handle nobody has */
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

typedef unsigned long long ull;

enum { M_BO = 1, M_SVM = 2, M_CHILD = 4 };
enum { ANY, BO, ANON };

enum kind {
	K_CREATE, K_CLOSE, K_MMAP, K_MUNMAP, K_MPROTECT, K_MREMAP, K_MADVISE,
	K_MIGRATE, K_CPU_WR, K_CPU_RD, K_FORK, K_INVALID, K_ANON, K_SVM_MIGRATE,
	K_DEV_RD, K_DEV_WR, K_OWNER, K_MIGRATOR, NR_KINDS
};

static const char *const kind_name[NR_KINDS] = {
	"create", "close", "mmap", "munmap", "mprotect", "mremap", "madvise",
	"gem_migrate", "cpu_wr", "cpu_rd", "fork", "invalid", "anon_map",
	"svm_migrate", "dev_rd", "dev_wr", "owner_ops", "migrator_ops",
};

/* Op weights: [0] BO ops, [1] SVM ops; mixed runs add the two. */
static const unsigned char weight[2][NR_KINDS] = {
	{ [K_CREATE] = 5, [K_CLOSE] = 3, [K_MMAP] = 8, [K_MUNMAP] = 5,
	  [K_MPROTECT] = 3, [K_MREMAP] = 3, [K_MADVISE] = 3, [K_MIGRATE] = 6,
	  [K_CPU_WR] = 12, [K_CPU_RD] = 12, [K_FORK] = 1, [K_INVALID] = 4 },
	{ [K_ANON] = 4, [K_MUNMAP] = 3, [K_MPROTECT] = 3, [K_MREMAP] = 2,
	  [K_MADVISE] = 4, [K_CPU_WR] = 8, [K_CPU_RD] = 8, [K_FORK] = 1,
	  [K_INVALID] = 3, [K_SVM_MIGRATE] = 14, [K_DEV_RD] = 12, [K_DEV_WR] = 10 },
};

/*
 * Not used: MADV_FREE on anonymous memory (what it reads afterwards is up
 * to reclaim), MADV_DONTFORK and MADV_WIPEONFORK (fork children check
 * everything they inherit).
 */
static const struct { int advice; const char *name; } madv[] = {
	{ MADV_NORMAL, "normal" }, { MADV_RANDOM, "random" },
	{ MADV_SEQUENTIAL, "sequential" }, { MADV_WILLNEED, "willneed" },
	{ MADV_DONTNEED, "dontneed" }, { MADV_FREE, "free" },
	{ MADV_REMOVE, "remove" }, { MADV_MERGEABLE, "mergeable" },
	{ MADV_UNMERGEABLE, "unmergeable" }, { MADV_HUGEPAGE, "hugepage" },
	{ MADV_NOHUGEPAGE, "nohugepage" }, { MADV_DONTDUMP, "dontdump" },
	{ MADV_COLD, "cold" }, { MADV_PAGEOUT, "pageout" },
	{ MADV_POPULATE_READ, "populate_read" },
	{ MADV_POPULATE_WRITE, "populate_write" }, { MADV_COLLAPSE, "collapse" },
};

/* Invalid BO ioctls; .live puts a live BO's handle in (the first field). */
static const struct bad_ioctl {
	unsigned long req;
	int err;
	bool live;
	union {
		uint32_t handle;
		struct drm_pudge_get_param gp;
		struct drm_pudge_gem_create cr;
		struct drm_pudge_gem_mmap_offset mo;
		struct drm_pudge_gem_migrate mg;
		struct drm_pudge_stats st;
		struct drm_gem_close cl;
	} a;
} bad_ioctls[] = {
	{ DRM_IOCTL_PUDGE_GET_PARAM, EINVAL, 0, .a.gp = { .param = PUDGE_PARAM_VRAM_CLEAR_PENDING + 1 } },
	{ DRM_IOCTL_PUDGE_GET_PARAM, EINVAL, 0, .a.gp = { .pad = 1 } },
	{ DRM_IOCTL_PUDGE_GEM_CREATE, EINVAL, 0, .a.cr = { .size = 0, .flags = SYS } },
	{ DRM_IOCTL_PUDGE_GEM_CREATE, EINVAL, 0, .a.cr = { .size = PG, .flags = 0 } },
	{ DRM_IOCTL_PUDGE_GEM_CREATE, EINVAL, 0, .a.cr = { .size = PG, .flags = SYS | 8 } },
	{ DRM_IOCTL_PUDGE_GEM_CREATE, EINVAL, 0, .a.cr = { .size = PG, .flags = SYS, .handle = 7 } },
	{ DRM_IOCTL_PUDGE_GEM_CREATE, EINVAL, 0, .a.cr = { .size = ~0ull - 7, .flags = SYS } },
	{ DRM_IOCTL_PUDGE_GEM_CREATE, ENOSPC, 0, .a.cr = { .size = 1ull << 50, .flags = VRAM } },
	{ DRM_IOCTL_PUDGE_GEM_MMAP_OFFSET, ENOENT, 0, .a.mo = { .handle = BAD_H } },
	{ DRM_IOCTL_PUDGE_GEM_MMAP_OFFSET, EINVAL, 1, .a.mo = { .flags = 1 } },
	{ DRM_IOCTL_PUDGE_GEM_MIGRATE, ENOENT, 0, .a.mg = { .handle = BAD_H, .placement = SYS } },
	{ DRM_IOCTL_PUDGE_GEM_MIGRATE, EINVAL, 1, .a.mg = { .placement = SYS, .flags = 1 } },
	{ DRM_IOCTL_PUDGE_GEM_MIGRATE, EINVAL, 1, .a.mg = { .placement = SYS, .pad = 1 } },
	{ DRM_IOCTL_PUDGE_GEM_MIGRATE, EINVAL, 1, .a.mg = { .placement = 0 } },
	{ DRM_IOCTL_PUDGE_GEM_MIGRATE, EINVAL, 1, .a.mg = { .placement = SYS | VRAM } },
	{ DRM_IOCTL_PUDGE_GEM_MIGRATE, EINVAL, 1, .a.mg = { .placement = 4 } },
	{ DRM_IOCTL_PUDGE_STATS, EINVAL, 0, .a.st = { .flags = 2 } },
	{ DRM_IOCTL_PUDGE_STATS, EINVAL, 1, .a.st = { .flags = 0 } },
	{ DRM_IOCTL_PUDGE_STATS, ENOENT, 0, .a.st = { .handle = BAD_H, .flags = PUDGE_STATS_BO } },
	{ DRM_IOCTL_GEM_CLOSE, EINVAL, 0, .a.cl = { .handle = BAD_H } },
};

/* Invalid SVM calls: at the scratch buffer + .addr, a hole, a BO, or .addr. */
enum { AT_SCRATCH, AT_HOLE, AT_BO, AT_ADDR };
static const struct bad_svm {
	bool access, null_data;
	int at, err;
	uint64_t addr, size;
	uint32_t arg, flags;	/* placement, or op */
} bad_svm[] = {
	{ 0, 0, AT_SCRATCH, EINVAL, 8, PG, SYS, 0 },
	{ 0, 0, AT_SCRATCH, EINVAL, 0, 0, SYS, 0 },
	{ 0, 0, AT_SCRATCH, EINVAL, 0, PG + 8, VRAM, 0 },
	{ 0, 0, AT_SCRATCH, EINVAL, 0, PG, SYS, 1 },
	{ 0, 0, AT_SCRATCH, EINVAL, 0, PG, 0, 0 },
	{ 0, 0, AT_SCRATCH, EINVAL, 0, PG, SYS | VRAM, 0 },
	{ 0, 0, AT_ADDR, EINVAL, -PG, 2 * PG, SYS, 0 },		/* wraps */
	{ 0, 0, AT_ADDR, EINVAL, -2 * PG, PG, SYS, 0 },		/* above user space */
	{ 0, 0, AT_HOLE, EFAULT, 0, PG, VRAM, 0 },
	{ 0, 0, AT_BO, EINVAL, 0, PG, VRAM, 0 },
	{ 1, 0, AT_SCRATCH, EINVAL, 8, PG, PUDGE_SVM_ACCESS_READ, 0 },
	{ 1, 0, AT_SCRATCH, EINVAL, 0, 0, PUDGE_SVM_ACCESS_READ, 0 },
	{ 1, 0, AT_SCRATCH, EINVAL, 0, PUDGE_SVM_ACCESS_MAX + PG, PUDGE_SVM_ACCESS_READ, 0 },
	{ 1, 0, AT_SCRATCH, EINVAL, 0, PG, 2, 0 },
	{ 1, 0, AT_SCRATCH, EINVAL, 0, PG, PUDGE_SVM_ACCESS_WRITE, 1 },
	{ 1, 0, AT_ADDR, EINVAL, -PG, 2 * PG, PUDGE_SVM_ACCESS_READ, 0 },
	{ 1, 0, AT_HOLE, EFAULT, 0, PG, PUDGE_SVM_ACCESS_WRITE, 0 },
	{ 1, 1, AT_SCRATCH, EFAULT, 0, PG, PUDGE_SVM_ACCESS_READ, 0 },
	{ 1, 1, AT_SCRATCH, EFAULT, 0, PG, PUDGE_SVM_ACCESS_WRITE, 0 },
};

struct obj {			/* a BO, or one anonymous mmap() */
	uint32_t handle;	/* open GEM handle; 0: closed, or anonymous */
	uint32_t flags;		/* PUDGE_GEM_PLACE_*; 0: anonymous memory */
	uint64_t size, fake;	/* fake: GEM_MMAP_OFFSET's offset */
	uint8_t *shadow;	/* the bytes it must hold */
	int refs;		/* maps + open handle; 0: slot free */
	bool thp;
};

struct map {			/* one mmap(), or what is left of it */
	uint8_t *addr;
	uint64_t len, off;	/* off: of addr[0] in obj */
	struct obj *obj;	/* NULL: slot free */
	uint8_t *pst;		/* per page: 0 unmapped, or MAPPED | PROT_* */
};

struct ctx {
	int fd, mode, tag;
	bool svm, verbose;
	const char *who;
	uint64_t rng, deadline, op;
	enum kind cur;
	uint64_t budget[2], used[2];	/* bytes: [0] BOs, [1] anonymous */
	struct obj obj[MAX_OBJ];
	struct map map[MAX_MAP];
	uint8_t *scratch;
	uint64_t count[NR_KINDS], anomalies, foreign, nospc;
	int madv_res[2][ARRAY_SIZE(madv)];	/* [BO, anon]: 0, errno, -1 untried */
};

struct swarm;
struct thr {			/* an owner of every nowners-th page, or the migrator */
	struct swarm *sw;
	pthread_t thread;
	int id;
	uint64_t rng, ops, anomalies, foreign;
	uint8_t buf[PG], exp[PG];
};

struct swarm {
	int fd, tag, nowners;
	uint64_t deadline;
	uint8_t *base;		/* SW_SIZE bytes, 2 MiB-aligned */
	uint32_t *ctr;		/* per page: its owner's stores so far */
	struct thr thr[NOWNERS + 1];
};

static uint64_t g_seed, g_secs = 20;
static int g_fd = -1;		/* the device the runner chose; workers reopen it */
static unsigned int g_details[2];	/* printed: [0] other, [1] data */
static struct ctx *g_ctx;		/* the engine of this process */
static volatile uint64_t g_beat[NOWNERS + 2];	/* progress: engine, threads */
static volatile int g_nbeat;			/* of them, running now */
static volatile bool g_wd_stop;

/* One write() per line: safe in threads and in children of threaded parents. */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	ssize_t w;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w = write(STDOUT_FILENO, buf, MIN(n, (int)sizeof(buf) - 1));
	(void)w;
}

#define vlog(c, ...) do { if ((c)->verbose) say(__VA_ARGS__); } while (0)

static uint64_t rnd(uint64_t *s)	/* splitmix64 */
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static uint64_t rnd_len(uint64_t *s, uint64_t max)	/* 1..max, often small */
{
	uint64_t lim = rnd(s) & 1 ? MIN(max, 16) : max;

	return 1 + below(s, lim);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* Pattern bytes of the process with @tag: never zero, low 3 bits 4 + tag. */
static void fill(uint8_t *buf, uint64_t len, uint64_t key, int tag)
{
	uint64_t i, w;

	for (i = 0; i < len; i += 8) {
		w = key + i * 0x9e3779b97f4a7c15ull;
		w ^= w >> 29;
		w = (w & 0xf8f8f8f8f8f8f8f8ull) | 0x0101010101010101ull * (4 + tag);
		memcpy(buf + i, &w, MIN(8, len - i));
	}
}

static bool is_foreign(uint8_t b, int tag)
{
	return (b & 4) && (b & 7) != 4 + tag;
}

static bool detail(bool data)
{
	return __atomic_fetch_add(&g_details[data], 1, __ATOMIC_RELAXED) < DETAILS;
}

static void __attribute__((format(printf, 2, 3))) anomaly(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->anomalies++;
	if (!detail(false))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("ANOMALY %s: seed %llu op %llu (%s): %s\n", c->who, (ull)g_seed,
	    (ull)c->op, kind_name[c->cur], msg);
}

static void hex8(char *out, const uint8_t *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < MIN(n, 8); i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * i] = 0;
}

/* Bytes @got of one page of @o, at offset @off, differ from @exp. */
static void bad_page(struct ctx *c, const char *how, const struct obj *o,
		     const uint8_t *addr, uint64_t off, const uint8_t *got,
		     const uint8_t *exp, uint64_t len)
{
	static const char *const place[] = { "anon", "BO(vram)", "BO(system)", "BO(both)" };
	uint64_t i, first = len, ndiff = 0, nzero = 0, nforeign = 0, whose = o->size;
	char e[17], a[17], src[64] = "";

	for (i = 0; i < len; i++) {
		if (got[i] == exp[i])
			continue;
		first = MIN(first, i);
		ndiff++;
		nzero += !got[i];
		nforeign += is_foreign(got[i], c->tag);
	}
	c->anomalies++;
	c->foreign += !!nforeign;
	if (!detail(true))
		return;
	if (len == PG && nzero < PG)	/* whose data is it? */
		for (whose = 0; whose < o->size && memcmp(o->shadow + whose, got, PG); whose += PG)
			;
	if (whose < o->size)
		snprintf(src, sizeof(src), "; it is what offset %#llx holds", (ull)whose);
	hex8(e, exp + first, len - first);
	hex8(a, got + first, len - first);
	say("ANOMALY %s: seed %llu op %llu (%s): %s of %s%s h%u size %#llx, offset %#llx at %p: %llu of %llu bytes differ (%llu zero, %llu foreign); at offset %#llx expected %s actual %s%s\n",
	    c->who, (ull)g_seed, (ull)c->op, kind_name[c->cur], how, place[o->flags & 3],
	    o->thp ? "(thp)" : "", o->handle, (ull)o->size, (ull)off, addr, (ull)ndiff,
	    (ull)len, (ull)nzero, (ull)nforeign, (ull)(off + first), e, a, src);
}

/* Compare @got, bytes [@off, @off + @len) of @o at @addr, with @exp. */
static uint64_t compare(struct ctx *c, const char *how, const struct obj *o,
			const uint8_t *addr, uint64_t off, const uint8_t *got,
			const uint8_t *exp, uint64_t len)
{
	uint64_t i, n, bad = 0;

	if (!memcmp(got, exp, len))
		return 0;
	for (i = 0; i < len; i += n) {
		n = MIN(len - i, PG - (off + i) % PG);
		if (memcmp(got + i, exp + i, n)) {
			bad_page(c, how, o, addr + i, off + i, got + i, exp + i, n);
			bad++;
		}
	}
	return bad;
}

static struct obj *obj_new(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_OBJ; i++)
		if (!c->obj[i].refs)
			return &c->obj[i];
	return NULL;
}

static void obj_put(struct ctx *c, struct obj *o)
{
	if (--o->refs)
		return;
	c->used[!o->flags] -= o->size;
	free(o->shadow);
	memset(o, 0, sizeof(*o));
}

static struct map *map_slot(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_MAP; i++)
		if (!c->map[i].obj)
			return &c->map[i];
	return NULL;
}

/* Track a new mapping @m, its page states from @pst or all MAPPED | @prot. */
static void map_add(struct map *m, struct obj *o, uint8_t *addr, uint64_t off,
		    uint64_t len, const uint8_t *pst, int prot)
{
	m->pst = malloc(len / PG);
	if (!m->pst)
		abort();
	if (pst)
		memcpy(m->pst, pst, len / PG);
	else
		memset(m->pst, MAPPED | prot, len / PG);
	m->pst[0] |= VSTART;
	m->addr = addr;
	m->len = len;
	m->off = off;
	m->obj = o;
	o->refs++;
}

/* Pages [p, p + n) of @m are gone; forget @m when none is left. */
static void map_unmapped(struct ctx *c, struct map *m, uint64_t p, uint64_t n)
{
	uint64_t i, np = m->len / PG;

	memset(m->pst + p, 0, n);
	if (p + n < np && m->pst[p + n])	/* unmapped pages stay 0 */
		m->pst[p + n] |= VSTART;
	for (i = 0; i < np; i++)
		if (m->pst[i])
			return;
	free(m->pst);
	obj_put(c, m->obj);
	memset(m, 0, sizeof(*m));
}

/* munmap every mapped run of @m (its holes may hold other mappings), forget it. */
static void map_drop(struct ctx *c, struct map *m)
{
	uint64_t p, s, np = m->len / PG;

	for (p = s = 0; p <= np; p++) {
		if (p < np && m->pst[p])
			continue;
		if (s < p)
			munmap(m->addr + s * PG, (p - s) * PG);
		s = p + 1;
	}
	map_unmapped(c, m, 0, np);
}

static bool is_kind(const struct map *m, int want)
{
	return m->obj && (want == ANY || (want == BO) == !!m->obj->flags);
}

static struct map *pick_map(struct ctx *c, int want)
{
	int i, n = 0, k;

	for (i = 0; i < MAX_MAP; i++)
		n += is_kind(&c->map[i], want);
	k = below(&c->rng, n);
	for (i = 0; i < MAX_MAP; i++)
		if (is_kind(&c->map[i], want) && !k--)
			return &c->map[i];
	return NULL;
}

static struct obj *pick_bo(struct ctx *c)
{
	int i, n = 0, k;

	for (i = 0; i < MAX_OBJ; i++)
		n += !!c->obj[i].handle;
	k = below(&c->rng, n);
	for (i = 0; i < MAX_OBJ; i++)
		if (c->obj[i].handle && !k--)
			return &c->obj[i];
	return NULL;
}

/*
 * Up to @max pages of @m from a random one on, all with the state bits
 * @want (0: any page, even unmapped); with @one, all in one VMA and with
 * the same protection.  False if the first page does not qualify.
 */
static bool pick_run(struct ctx *c, const struct map *m, int want, uint64_t max,
		     uint64_t *p, uint64_t *n, bool one)
{
	uint64_t np = m->len / PG, len;
	uint8_t st;

	*p = below(&c->rng, np);
	len = rnd_len(&c->rng, max);
	for (*n = 0; *n < len && *p + *n < np; (*n)++) {
		st = m->pst[*p + *n];
		if ((st & want) != want ||
		    (one && *n && (st & VSTART || st != (m->pst[*p] & ~VSTART))))
			break;
	}
	return *n > 0;
}

/* A byte range at odd offsets inside pages [p, p + n). */
static void byte_range(struct ctx *c, uint64_t p, uint64_t n, uint64_t max,
		       uint64_t *start, uint64_t *len)
{
	uint64_t s = p * PG + below(&c->rng, PG);
	uint64_t e = (p + n) * PG - below(&c->rng, PG);

	*start = s;
	*len = MIN(e > s ? e - s : 1, max);
}

static bool op_create(struct ctx *c, int k)
{
	static const uint32_t place[] = { VRAM, SYS, VRAM | SYS };
	uint32_t flags = place[below(&c->rng, 3)], h;
	uint64_t r = below(&c->rng, 100), size, got;
	struct obj *o = obj_new(c);
	int ret;

	if (r < 20)
		size = PG;
	else if (r < 45)
		size = 1 + below(&c->rng, 4 * MIB);	/* odd */
	else if (r < 60)
		size = THP;
	else if (r < 93)
		size = THP * (1 + below(&c->rng, 16));
	else
		size = 64 * MIB + below(&c->rng, 256 * MIB);
	if (!o || c->used[0] + size > c->budget[0])
		return false;
	ret = pudge_bo_create(c->fd, size, flags, &h, &got);
	vlog(c, "  GEM_CREATE %#llx flags %u: %d, h%u\n", (ull)size, flags, ret, h);
	if (!ret && got != (size + PG - 1) / PG * PG) {
		anomaly(c, "GEM_CREATE size %#llx gave size %#llx", (ull)size, (ull)got);
		pudge_bo_close(c->fd, h);
	} else if (ret && ret != -ENOSPC && ret != -ENOMEM) {
		anomaly(c, "GEM_CREATE size %#llx flags %#x: %d", (ull)size, flags, ret);
	} else if (!ret) {
		o->shadow = calloc(1, got);
		if (!o->shadow || pudge_bo_mmap_offset(c->fd, h, &o->fake)) {
			free(o->shadow);
			o->shadow = NULL;
			pudge_bo_close(c->fd, h);
			c->nospc++;
			return true;
		}
		o->handle = h;
		o->flags = flags;
		o->size = got;
		o->refs = 1;
		c->used[0] += got;
	}
	c->nospc += ret == -ENOSPC || ret == -ENOMEM;
	return true;
}

static bool op_close(struct ctx *c, int k)
{
	struct obj *o = pick_bo(c);
	int ret;

	if (!o)
		return false;
	ret = pudge_bo_close(c->fd, o->handle);
	vlog(c, "  GEM_CLOSE h%u: %d\n", o->handle, ret);
	if (ret)
		anomaly(c, "GEM_CLOSE h%u: %d", o->handle, ret);
	o->handle = 0;
	obj_put(c, o);
	return true;
}

static bool op_mmap(struct ctx *c, int k)
{
	struct obj *o = pick_bo(c);
	struct map *m = map_slot(c);
	int prot = below(&c->rng, 4) ? RW : PROT_READ;
	uint64_t p = 0, n;
	uint8_t *a;

	if (!o || !m)
		return false;
	n = o->size / PG;
	if (below(&c->rng, 2)) {	/* part of it, from any page */
		p = below(&c->rng, n);
		n = rnd_len(&c->rng, n - p);
	}
	a = pudge_bo_map(c->fd, o->handle, p * PG, n * PG, prot);
	vlog(c, "  mmap h%u +%#llx len %#llx prot %d: %p\n", o->handle, (ull)(p * PG),
	     (ull)(n * PG), prot, a);
	if (a != MAP_FAILED)
		map_add(m, o, a, p * PG, n * PG, NULL, prot);
	else if (errno != ENOMEM)
		anomaly(c, "mmap h%u offset %#llx len %#llx: %s", o->handle,
			(ull)(p * PG), (ull)(n * PG), strerror(errno));
	c->nospc += a == MAP_FAILED && errno == ENOMEM;
	return true;
}

/* munmap, mprotect, mremap or madvise a run of mapped pages. */
static bool op_vma(struct ctx *c, int k)
{
	static const int prots[] = { PROT_NONE, PROT_READ, RW };
	struct map *m = pick_map(c, ANY), *nm = map_slot(c);
	uint64_t p, n, i;
	uint8_t *a, *dst = NULL;
	int ret = 0, prot = -1, adv = -1;

	if (m && k == K_MUNMAP && below(&c->rng, 2)) {	/* all of it */
		vlog(c, "  munmap all of map %p\n", m->addr);
		map_drop(c, m);
		return true;
	}
	if (!m || (!nm && k == K_MREMAP) ||
	    !pick_run(c, m, MAPPED, m->len / PG, &p, &n, k == K_MREMAP))
		return false;
	a = m->addr + p * PG;
	vlog(c, "  %s %p len %#llx of map %p (%s h%u +%#llx)\n", kind_name[k], a,
	     (ull)(n * PG), m->addr, m->obj->flags ? "BO" : "anon", m->obj->handle,
	     (ull)m->off);
	if (k == K_MUNMAP) {
		ret = munmap(a, n * PG);
		map_unmapped(c, m, p, n);
	} else if (k == K_MPROTECT) {
		prot = prots[below(&c->rng, 3)];
		ret = mprotect(a, n * PG, prot);
		for (i = p; i < p + n && !ret; i++)
			m->pst[i] = (m->pst[i] & VSTART) | MAPPED | prot;
	} else if (k == K_MREMAP) {
		dst = mmap(NULL, n * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (dst == MAP_FAILED)
			return false;
		ret = mremap(a, n * PG, n * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst) != dst;
		if (ret) {
			munmap(dst, n * PG);
		} else {
			map_add(nm, m->obj, dst, m->off + p * PG, n * PG, m->pst + p, 0);
			map_unmapped(c, m, p, n);
		}
	} else {
		i = below(&c->rng, ARRAY_SIZE(madv));
		adv = madv[i].advice;
		if (!m->obj->flags && adv == MADV_FREE)
			return false;
		ret = madvise(a, n * PG, adv) ? errno : 0;
		c->madv_res[!m->obj->flags][i] = ret;
		if (!m->obj->flags && adv == MADV_DONTNEED && !ret)
			memset(m->obj->shadow + m->off + p * PG, 0, n * PG);
		if (m->obj->flags && adv == MADV_DONTNEED && ret != EINVAL)
			anomaly(c, "MADV_DONTNEED of a BO mapping: %d, expected EINVAL", ret);
		ret = 0;	/* refusals are recorded, not anomalies */
	}
	vlog(c, "  -> %d (prot %d, advice %d, to %p)\n", ret, prot, adv, dst);
	if (ret)
		anomaly(c, "%s of %p + %#llx: %s", kind_name[k], a, (ull)(n * PG),
			strerror(errno));
	if (m->obj && k != K_MUNMAP && k != K_MREMAP) {	/* the VMA may split */
		m->pst[p] |= VSTART;
		if (p + n < m->len / PG && m->pst[p + n])
			m->pst[p + n] |= VSTART;
	}
	return true;
}

static bool op_gem_migrate(struct ctx *c, int k)
{
	struct obj *o = pick_bo(c);
	uint32_t pl = below(&c->rng, 2) ? VRAM : SYS;
	int ret;

	if (!o)
		return false;
	ret = pudge_bo_migrate(c->fd, o->handle, pl);
	if (!(pl & o->flags) ? ret != -EINVAL : ret && !(ret == -ENOSPC && pl == VRAM))
		anomaly(c, "GEM_MIGRATE h%u (flags %#x) to %#x: %d", o->handle,
			o->flags, pl, ret);
	c->nospc += ret == -ENOSPC;
	return true;
}

/* A fork child writes no shared BO memory: the parent's shadow would not know. */
static bool op_cpu(struct ctx *c, int k)
{
	bool write = k == K_CPU_WR;
	struct map *m = pick_map(c, write && c->mode & M_CHILD ? ANON : ANY);
	uint64_t p, n, s, len;
	uint8_t *exp;

	if (!m || !pick_run(c, m, MAPPED | (write ? RW : PROT_READ), SCRATCH / PG,
			    &p, &n, false))
		return false;
	byte_range(c, p, n, SCRATCH, &s, &len);
	exp = m->obj->shadow + m->off + s;
	if (write) {
		fill(c->scratch, len, rnd(&c->rng), c->tag);
		memcpy(m->addr + s, c->scratch, len);
		memcpy(exp, c->scratch, len);
	} else if (compare(c, "cpu read", m->obj, m->addr + s, m->off + s, m->addr + s,
			   exp, len)) {
		memcpy(exp, m->addr + s, len);	/* count each corruption once */
	}
	return true;
}

static bool op_dev(struct ctx *c, int k)
{
	bool write = k == K_DEV_WR;
	struct map *m = pick_map(c, ANON);
	struct drm_pudge_svm_access out;
	uint64_t p, n, off;
	uint8_t *a, *shadow;
	int ret;

	if (!m || !pick_run(c, m, MAPPED | (write ? RW : PROT_READ), SCRATCH / PG,
			    &p, &n, false))
		return false;
	a = m->addr + p * PG;
	off = m->off + p * PG;
	shadow = m->obj->shadow + off;
	if (write)
		fill(c->scratch, n * PG, rnd(&c->rng), c->tag);
	ret = pudge_svm_access(c->fd, a, n * PG, c->scratch, write, &out);
	vlog(c, "  SVM_ACCESS %s %p + %llu pages: %d\n", write ? "write" : "read", a,
	     (ull)n, ret);
	if (ret || out.vram_pages + out.system_pages != n)
		anomaly(c, "SVM_ACCESS %s %p + %llu pages: %d, %llu vram + %llu system pages",
			write ? "write" : "read", a, (ull)n, ret,
			(ull)out.vram_pages, (ull)out.system_pages);
	if (write)	/* after a failure: unknown, take what the CPU sees */
		memcpy(shadow, ret ? a : c->scratch, n * PG);
	else if (!ret)
		compare(c, "device read", m->obj, a, off, c->scratch, shadow, n * PG);
	return true;
}

/* SVM_MIGRATE's out counts, which must add up to the pages asked for. */
static uint64_t svm_sum(const struct drm_pudge_svm_migrate *o)
{
	uint64_t sum = o->moved + o->already + o->not_anon + o->pinned + o->busy + o->no_room;

#if PUDGE_API_VERSION >= 4
	sum += o->shared;
#endif
	return sum;
}

static bool svm_counts_ok(const struct drm_pudge_svm_migrate *o, uint64_t n)
{
	return svm_sum(o) == n && !o->pinned && !o->not_anon && o->moved_thp <= o->moved;
}

static bool op_svm_migrate(struct ctx *c, int k)
{
	struct map *m = pick_map(c, ANON);
	uint32_t pl = below(&c->rng, 2) ? VRAM : SYS;
	struct drm_pudge_svm_migrate o;
	uint64_t p, n, i, a, s, e;
	int ret, want = 0;
	bool hole = false;

	if (!m || !pick_run(c, m, 0, m->len / PG, &p, &n, false))
		return false;
	a = (uintptr_t)m->addr;
	s = (a + p * PG) & ~(THP - 1);
	e = (a + (p + n) * PG + THP - 1) & ~(THP - 1);
	if (m->obj->thp && below(&c->rng, 2) && s >= a && e <= a + m->len) {
		p = (s - a) / PG;	/* whole 2 MiB units */
		n = (e - s) / PG;
	}
	for (i = p; i < p + n; i++) {
		hole |= !m->pst[i];
		if (m->pst[i] && !(m->pst[i] & PROT_READ))
			want = -EFAULT;
	}
	ret = pudge_svm_migrate(c->fd, m->addr + p * PG, n * PG, pl, &o);
	vlog(c, "  SVM_MIGRATE %p + %llu pages to %u: %d, moved %llu (thp %llu)\n",
	     m->addr + p * PG, (ull)n, pl, ret, (ull)o.moved, (ull)o.moved_thp);
	/* A hole may have been reused by a later mmap() of anything. */
	if (hole ? ret && ret != -EFAULT && ret != -EINVAL : ret != want)
		anomaly(c, "SVM_MIGRATE %p + %llu pages to %u: %d, expected %d",
			m->addr + p * PG, (ull)n, pl, ret, want);
	else if (!ret && !hole && !svm_counts_ok(&o, n))
		anomaly(c, "SVM_MIGRATE %p + %llu pages: moved %llu (thp %llu) already %llu not_anon %llu pinned %llu busy %llu no_room %llu: %llu in all",
			m->addr + p * PG, (ull)n, (ull)o.moved, (ull)o.moved_thp,
			(ull)o.already, (ull)o.not_anon, (ull)o.pinned, (ull)o.busy,
			(ull)o.no_room, (ull)svm_sum(&o));
	return true;
}

static bool op_anon(struct ctx *c, int k)
{
	bool thp = below(&c->rng, 2);
	uint64_t size = thp ? THP * (1 + below(&c->rng, 8)) : PG * rnd_len(&c->rng, 2048);
	uint64_t key = rnd(&c->rng);
	struct obj *o = obj_new(c);
	struct map *m = map_slot(c);
	uint8_t *a;

	if (!o || !m || c->used[1] + size > c->budget[1])
		return false;
	a = pudge_map_anon(size, thp);
	o->shadow = a ? calloc(1, size) : NULL;
	if (!o->shadow) {
		if (a)
			munmap(a, size);
		c->nospc++;
		return true;
	}
	o->size = size;
	o->thp = thp;
	c->used[1] += size;
	map_add(m, o, a, 0, size, NULL, RW);
	if (key & 1) {		/* populate it, with data */
		fill(a, size, key, c->tag);
		fill(o->shadow, size, key, c->tag);
	}
	return true;
}

static void expect(struct ctx *c, const char *what, unsigned int i, int ret, int want)
{
	if (ret != want)
		anomaly(c, "%s #%u: %d (%s), expected %d (%s)", what, i, ret,
			strerror(-ret), want, strerror(-want));
}

static int io(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

static void bo_invalid(struct ctx *c, unsigned int i)
{
	struct obj *o = pick_bo(c);
	struct bad_ioctl t = bad_ioctls[i %= ARRAY_SIZE(bad_ioctls)];
	int ret;

	if (t.live && !o)
		return;
	if (t.live)
		t.a.handle = o->handle;
	ret = io(c->fd, t.req, &t.a);
	expect(c, "invalid BO ioctl", i, ret, -t.err);
	if (!ret && t.req == DRM_IOCTL_PUDGE_GEM_CREATE)
		pudge_bo_close(c->fd, t.a.cr.handle);
}

static void svm_invalid(struct ctx *c, unsigned int i)
{
	const struct bad_svm *t = &bad_svm[i %= ARRAY_SIZE(bad_svm)];
	struct drm_pudge_svm_access ac = { .size = t->size, .op = t->arg };
	struct drm_pudge_svm_migrate mg = { .size = t->size, .placement = t->arg };
	uint64_t addr = (uintptr_t)c->scratch + t->addr, p, n;
	struct map *m;
	void *hole;

	if (t->at == AT_ADDR) {
		addr = t->addr;
	} else if (t->at == AT_HOLE) {
		hole = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(hole, PG);
		addr = (uintptr_t)hole;
	} else if (t->at == AT_BO) {
		m = pick_map(c, BO);
		if (!m || !pick_run(c, m, MAPPED | PROT_READ, 1, &p, &n, false))
			return;
		addr = (uintptr_t)m->addr + p * PG;
	}
	ac.addr = mg.addr = addr;
	ac.flags = mg.flags = t->flags;
	ac.data_ptr = t->null_data ? 0 : (uintptr_t)c->scratch;
	expect(c, t->access ? "invalid SVM_ACCESS" : "invalid SVM_MIGRATE", i,
	       io(c->fd, t->access ? DRM_IOCTL_PUDGE_SVM_ACCESS : DRM_IOCTL_PUDGE_SVM_MIGRATE,
		  t->access ? (void *)&ac : (void *)&mg),
	       c->svm ? -t->err : -EOPNOTSUPP);
}

/* Device access to protected memory, which must fail and change nothing. */
static void svm_protected(struct ctx *c, unsigned int i)
{
	struct map *m = pick_map(c, ANON);
	uint64_t p, n;
	uint8_t st;

	if (!m || !pick_run(c, m, MAPPED, 64, &p, &n, true) || (m->pst[p] & RW) == RW)
		return;
	st = m->pst[p];
	if (i & 1)	/* read-only memory can move; unreadable memory cannot */
		expect(c, "SVM_MIGRATE of protected memory", st, pudge_svm_migrate(c->fd,
		       m->addr + p * PG, n * PG, VRAM, NULL), st & PROT_READ ? 0 : -EFAULT);
	else		/* a read of unreadable memory, a write of read-only memory */
		expect(c, "SVM_ACCESS of protected memory", st, pudge_svm_access(c->fd,
		       m->addr + p * PG, n * PG, c->scratch, !!(st & PROT_READ), NULL), -EFAULT);
}

/* Mappings that must fail: private, across the BO's end, grown in place. */
static void mmap_invalid(struct ctx *c, unsigned int i)
{
	struct map *m = pick_map(c, BO);
	uint64_t off, p, n;
	uint8_t *a;

	if (!m || !pick_run(c, m, MAPPED, 16, &p, &n, true) ||
	    pudge_bo_mmap_offset(c->fd, m->obj->handle, &off))
		return;
	if (i % 3 == 0)
		a = mremap(m->addr + p * PG, n * PG, (n + 1) * PG, 0);
	else if (i % 3 == 1)
		a = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, c->fd, off);
	else
		a = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, c->fd, off + m->obj->size - PG);
	if (a != MAP_FAILED || errno != (i % 3 ? EINVAL : EFAULT))
		anomaly(c, "invalid %s %u: %p, %s", i % 3 ? "mmap" : "mremap", i % 3, a,
			strerror(errno));
}

static bool op_invalid(struct ctx *c, int k)
{
	unsigned int i = rnd(&c->rng) >> 33;

	if (i % 7 < 2)
		bo_invalid(c, i / 7);
	else if (i % 7 < 4)
		svm_invalid(c, i / 7);
	else if (i % 7 < 6)
		svm_protected(c, i / 7);
	else
		mmap_invalid(c, i / 7);
	return true;
}

/* /proc/self/maps into @buf; false if it does not fit. */
static bool read_maps(char *buf, size_t len)
{
	int f = open("/proc/self/maps", O_RDONLY);
	size_t n = 0;
	ssize_t r = 1;

	while (f >= 0 && r > 0 && n < len - 1) {
		r = read(f, buf + n, len - 1 - n);
		n += r > 0 ? r : 0;
	}
	buf[n] = 0;
	if (f >= 0)
		close(f);
	return f >= 0 && n < len - 1;
}

/* The lines of /proc/self/maps within 1 MiB of @a. */
static void show_vmas(uint8_t *a)
{
	static char buf[1 << 18];
	char *l, *save = NULL;
	unsigned long s, e;

	read_maps(buf, sizeof(buf));
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "%lx-%lx", &s, &e) == 2 && e + MIB > (uintptr_t)a &&
		    s < (uintptr_t)a + MIB)
			say("  vma %s\n", l);
}

/*
 * The kernel's VMAs must be what the ops made: every page the model has
 * mapped in a VMA with its protection and, for a BO, its offset.
 */
static void check_vmas(struct ctx *c)
{
	static char buf[1 << 18];
	static struct { uint64_t s, e, off; int prot; } v[4096];
	unsigned long s, e, off;
	char *l, *save = NULL, r, w;
	int nv = 0, i;
	uint64_t p, a, want;
	struct map *m;

	if (!read_maps(buf, sizeof(buf)))
		return;
	for (l = strtok_r(buf, "\n", &save); l && nv < 4096; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "%lx-%lx %c%c%*c%*c %lx", &s, &e, &r, &w, &off) == 5)
			v[nv++] = (typeof(v[0])){ s, e, off, (r == 'r') | (w == 'w') << 1 };
	for (m = c->map; m < c->map + MAX_MAP; m++) {
		for (p = 0, i = 0; m->obj && p < m->len / PG; p++) {
			if (!m->pst[p])
				continue;
			a = (uintptr_t)m->addr + p * PG;
			while (i < nv && v[i].e <= a)
				i++;
			want = m->obj->fake + m->off + p * PG;
			if (i < nv && v[i].s <= a && v[i].prot == (m->pst[p] & RW) &&
			    (!m->obj->flags || v[i].off + (a - v[i].s) == want))
				continue;
			anomaly(c, "page %#llx of map %p (%s h%u +%#llx) should be mapped prot %d, offset %#llx; the kernel has %s",
				(ull)a, m->addr, m->obj->flags ? "BO" : "anon", m->obj->handle,
				(ull)m->off, m->pst[p] & RW, (ull)want,
				i < nv && v[i].s <= a ? "another prot or offset" : "nothing");
			show_vmas((uint8_t *)a);
			return;
		}
	}
}

static void step(struct ctx *c);

/* Wait up to @secs for @pid, then kill it.  Its status, or -1 if it hangs. */
static int wait_child(pid_t pid, uint64_t secs)
{
	uint64_t i;
	int st;

	for (i = 0; i < secs * 100 + 1000; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		if (i == secs * 100) {
			say("child %d still running after %llu s: killing it, seed %llu\n",
			    pid, (ull)secs, (ull)g_seed);
			kill(pid, SIGKILL);
		}
		usleep(10000);
	}
	return -1;
}

/*
 * A fork child first writes [s, s + len) of BO map @m, which the parent
 * sees (MAP_SHARED).  Then it runs @nops random ops on its copy-on-write
 * copy of everything, shadows included, and exits with its anomaly count.
 */
static void __attribute__((noreturn)) child(struct ctx *c, uint64_t seed, uint64_t nops,
					    struct map *m, uint64_t s, uint64_t len,
					    uint64_t key)
{
	uint64_t end = c->op + nops;

	c->who = "fork child";
	c->mode |= M_CHILD;
	c->rng = seed;
	c->anomalies = 0;
	if (len) {
		fill(m->addr + s, len, key, c->tag);
		fill(m->obj->shadow + m->off + s, len, key, c->tag);
	}
	while (c->op < end)
		step(c);
	_exit(MIN(c->anomalies, 100));
}

static bool op_fork(struct ctx *c, int k)
{
	uint64_t seed = rnd(&c->rng), key = rnd(&c->rng), nops = 4 + below(&c->rng, 24);
	struct map *m = pick_map(c, BO);
	uint64_t p, n, s = 0, len = 0;
	pid_t pid;
	int st;

	if (m && pick_run(c, m, MAPPED | RW, SCRATCH / PG, &p, &n, false))
		byte_range(c, p, n, SCRATCH, &s, &len);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child(c, seed, nops, m, s, len, key);
	st = pid < 0 ? 0 : wait_child(pid, 120);
	if (st == -1 || !WIFEXITED(st))
		anomaly(c, "fork child %d: %s %d", pid, st == -1 ? "hangs" : "signal",
			st == -1 ? 0 : WTERMSIG(st));
	else
		c->anomalies += WEXITSTATUS(st);
	if (len)
		fill(m->obj->shadow + m->off + s, len, key, c->tag);
	return pid > 0;
}

/* Whether PUDGE_STRESS_SKIP names op kind @k. */
static bool kind_skipped(int k)
{
	const char *s = getenv("PUDGE_STRESS_SKIP");
	size_t n = strlen(kind_name[k]);

	while (s && *s) {
		if (!strncmp(s, kind_name[k], n) && (s[n] == ',' || !s[n]))
			return true;
		s = strchr(s, ',');
		s = s ? s + 1 : NULL;
	}
	return false;
}

static unsigned int kind_weight(const struct ctx *c, int k)
{
	if (c->mode & M_CHILD && (k == K_CREATE || k == K_CLOSE || k == K_FORK || k == K_ANON))
		return 0;
	if (kind_skipped(k))
		return 0;
	return (c->mode & M_BO ? weight[0][k] : 0) + (c->mode & M_SVM ? weight[1][k] : 0);
}

static void step(struct ctx *c)
{
	static bool (*const ops[NR_KINDS])(struct ctx *c, int k) = {
		[K_CREATE] = op_create, [K_CLOSE] = op_close, [K_MMAP] = op_mmap,
		[K_MUNMAP] = op_vma, [K_MPROTECT] = op_vma, [K_MREMAP] = op_vma,
		[K_MADVISE] = op_vma, [K_MIGRATE] = op_gem_migrate, [K_CPU_WR] = op_cpu,
		[K_CPU_RD] = op_cpu, [K_FORK] = op_fork, [K_INVALID] = op_invalid,
		[K_ANON] = op_anon, [K_SVM_MIGRATE] = op_svm_migrate, [K_DEV_RD] = op_dev,
		[K_DEV_WR] = op_dev,
	};
	unsigned int total = 0, r;
	bool done;
	int k;

	for (k = 0; k < NR_KINDS; k++)
		total += kind_weight(c, k);
	r = below(&c->rng, total);
	for (k = 0; r >= kind_weight(c, k); k++)
		r -= kind_weight(c, k);
	c->cur = k;
	c->op++;
	g_beat[0]++;
	done = ops[k](c, k);
	c->count[k] += done;
	if (!(c->op % 16) || c->verbose)
		check_vmas(c);
	vlog(c, "%s: op %llu %s%s\n", c->who, (ull)c->op, kind_name[k], done ? "" : " (none)");
}

/* Check every byte still reachable, then unmap and close everything. */
static void teardown(struct ctx *c)
{
	struct obj *o;
	struct map *m;
	uint8_t *a;
	uint64_t p;

	c->cur = K_CPU_RD;
	for (o = c->obj; o < c->obj + MAX_OBJ; o++) {	/* all of each open BO */
		if (!o->handle)
			continue;
		a = pudge_bo_map(c->fd, o->handle, 0, o->size, PROT_READ);
		if (a == MAP_FAILED) {
			anomaly(c, "final mmap of h%u: %s", o->handle, strerror(errno));
			continue;
		}
		compare(c, "final read", o, a, 0, a, o->shadow, o->size);
		munmap(a, o->size);
	}
	for (m = c->map; m < c->map + MAX_MAP; m++) {
		for (p = 0; m->obj && !m->obj->handle && p < m->len / PG; p++)
			if (m->pst[p] & PROT_READ)	/* anonymous, or a closed BO */
				compare(c, "final read", m->obj, m->addr + p * PG,
					m->off + p * PG, m->addr + p * PG,
					m->obj->shadow + m->off + p * PG, PG);
		if (m->obj)
			map_drop(c, m);
	}
	for (o = c->obj; o < c->obj + MAX_OBJ; o++) {
		if (o->handle && pudge_bo_close(c->fd, o->handle))
			anomaly(c, "final GEM_CLOSE h%u failed", o->handle);
		if (o->handle) {
			o->handle = 0;
			obj_put(c, o);
		}
	}
}

/* What page @i holds after its owner's @n-th store: zeroes before the first. */
static void sw_expect(struct swarm *sw, uint64_t i, uint32_t n, uint8_t *buf)
{
	if (n)
		fill(buf, PG, (i << 32 | n) * 0x2545f4914f6cdd1dull, sw->tag);
	else
		memset(buf, 0, PG);
}

/* Page @i as read (@got) by owner @t differs from its last store: say how. */
static void sw_check(struct thr *t, uint64_t i, const uint8_t *got, const char *how)
{
	struct swarm *sw = t->sw;
	uint32_t n = sw->ctr[i];
	uint64_t k = PG, j, end = MIN((i | 511) + 1, SW_SIZE / PG), ndiff = 0, nzero = 0;
	char what[64] = "garbage";
	uint8_t e;

	sw_expect(sw, i, n, t->exp);
	if (!memcmp(got, t->exp, PG))
		return;
	t->anomalies++;
	for (j = 0; j < PG; j++) {
		ndiff += got[j] != t->exp[j];
		nzero += !got[j];
		k = got[j] != t->exp[j] ? MIN(k, j) : k;
	}
	e = t->exp[k];
	if (is_foreign(got[k], sw->tag))
		t->foreign++;
	if (!detail(true))
		return;
	for (j = i & ~511ull; nzero < PG && j < end; j++) {	/* whose data is it? */
		sw_expect(sw, j, sw->ctr[j] - (j == i), t->exp);
		if (!memcmp(got, t->exp, PG))
			break;
	}
	if (nzero == PG)
		snprintf(what, sizeof(what), "all zero");
	else if (is_foreign(got[k], sw->tag))
		snprintf(what, sizeof(what), "another process's data");
	else if (j == i)
		snprintf(what, sizeof(what), "stale: its value before the last store");
	else if (j < end)
		snprintf(what, sizeof(what), "the data of page %llu", (ull)j);
	say("ANOMALY thread %d: seed %llu: %s of page %llu (%s) at %p, store %u: %llu bytes differ, from +%#llx: expected %02x actual %02x: %s\n",
	    t->id, (ull)g_seed, how, (ull)i, i < SW_THP / PG ? "THP part" : "4 KiB part",
	    sw->base + i * PG, n, (ull)ndiff, (ull)k, e, got[k], what);
}

/* One op of owner @t on one of its pages: store, load, device read or RMW. */
static int owner_step(struct thr *t)
{
	struct swarm *sw = t->sw;
	uint64_t i = t->id + sw->nowners * below(&t->rng, SW_SIZE / PG / sw->nowners);
	uint8_t *a = sw->base + i * PG;
	int ret = 0, op = below(&t->rng, 4);

	if (op == 0) {
		sw_expect(sw, i, ++sw->ctr[i], t->buf);
		memcpy(a, t->buf, PG);
	} else if (op == 1) {
		sw_check(t, i, a, "cpu read");
	} else {
		ret = pudge_svm_access(sw->fd, a, PG, t->buf, PUDGE_SVM_ACCESS_READ, NULL);
		if (!ret)
			sw_check(t, i, t->buf, "device read");
		if (!ret && op == 3) {
			sw_expect(sw, i, ++sw->ctr[i], t->buf);
			ret = pudge_svm_access(sw->fd, a, PG, t->buf, PUDGE_SVM_ACCESS_WRITE, NULL);
			if (ret)	/* unknown now: store it again */
				memcpy(a, t->buf, PG);
		}
	}
	if (ret && detail(false))
		say("ANOMALY thread %d: seed %llu: SVM_ACCESS of page %llu at %p: %d\n",
		    t->id, (ull)g_seed, (ull)i, a, ret);
	return !!ret;
}

/* The migrator: one SVM_MIGRATE of a random sub-range of the region. */
static int migrator_step(struct thr *t)
{
	struct swarm *sw = t->sw;
	struct drm_pudge_svm_migrate o;
	uint64_t p = below(&t->rng, SW_SIZE / PG), n = rnd_len(&t->rng, SW_SIZE / PG - p);
	uint32_t pl = below(&t->rng, 2) ? VRAM : SYS;
	int ret;

	if (p < SW_THP / PG && below(&t->rng, 2)) {	/* whole THPs */
		p &= ~511ull;
		n = MIN((n + 511) & ~511ull, SW_THP / PG - p);
	}
	ret = pudge_svm_migrate(sw->fd, sw->base + p * PG, n * PG, pl, &o);
	if (!ret && svm_counts_ok(&o, n))
		return 0;
	if (detail(false))
		say("ANOMALY migrator: seed %llu: SVM_MIGRATE %p + %llu pages to %u: %d; moved %llu (thp %llu) already %llu pinned %llu not_anon %llu busy %llu no_room %llu: %llu in all\n",
		    (ull)g_seed, sw->base + p * PG, (ull)n, pl, ret, (ull)o.moved,
		    (ull)o.moved_thp, (ull)o.already, (ull)o.pinned, (ull)o.not_anon,
		    (ull)o.busy, (ull)o.no_room, (ull)svm_sum(&o));
	return 1;
}

static void *thr_main(void *arg)
{
	struct thr *t = arg;

	while (now_ns() < t->sw->deadline) {
		t->anomalies += t->id < t->sw->nowners ? owner_step(t) : migrator_step(t);
		t->ops++;
		g_beat[1 + t->id]++;
	}
	return NULL;
}

/* The region of mixed, its owners and its migrator. */
static bool swarm_start(struct swarm *sw, int fd, int tag, int nowners,
			uint64_t deadline, uint64_t seed)
{
	int i;

	memset(sw, 0, sizeof(*sw));
	sw->fd = fd;
	sw->tag = tag;
	sw->nowners = nowners;
	sw->deadline = deadline;
	sw->base = pudge_map_anon(SW_SIZE, true);
	sw->ctr = calloc(SW_SIZE / PG, sizeof(*sw->ctr));
	if (!sw->base || !sw->ctr ||
	    madvise(sw->base + SW_THP, SW_SIZE - SW_THP, MADV_NOHUGEPAGE))
		return false;
	for (i = 0; i <= nowners; i++) {
		sw->thr[i].sw = sw;
		sw->thr[i].id = i;
		sw->thr[i].rng = seed ^ (i + 1) * 0x9e3779b97f4a7c15ull;
		pthread_create(&sw->thr[i].thread, NULL, thr_main, &sw->thr[i]);
	}
	return true;
}

static void swarm_stop(struct swarm *sw, struct ctx *c)
{
	int i;

	for (i = 0; i <= sw->nowners; i++) {
		pthread_join(sw->thr[i].thread, NULL);
		c->count[i < sw->nowners ? K_OWNER : K_MIGRATOR] += sw->thr[i].ops;
		c->anomalies += sw->thr[i].anomalies;
		c->foreign += sw->thr[i].foreign;
	}
	munmap(sw->base, SW_SIZE);
	free(sw->ctr);
}

/* Says so when a thread makes no progress for a minute: a hang in the kernel. */
static void *watchdog_main(void *arg)
{
	uint64_t last[NOWNERS + 2] = { 0 }, idle[NOWNERS + 2] = { 0 }, t;
	int i;

	for (t = 1; !g_wd_stop; t++) {
		usleep(100000);
		for (i = 0; i < g_nbeat && t % 10 == 0; i++) {
			idle[i] = g_beat[i] != last[i] ? 0 : idle[i] + 1;
			last[i] = g_beat[i];
			if (idle[i] && idle[i] % 60 == 0 && (!i || now_ns() < g_ctx->deadline))
				say("WATCHDOG %s: %s %d made no progress for %llu s; main thread at op %llu (%s), seed %llu\n",
				    g_ctx->who, i ? "thread" : "main thread", i - 1, (ull)idle[i],
				    (ull)__atomic_load_n(&g_ctx->op, __ATOMIC_RELAXED),
				    kind_name[g_ctx->cur], (ull)g_seed);
		}
	}
	return NULL;
}

static bool ctx_init(struct ctx *c, int fd, int mode, int tag, uint64_t seed,
		     const char *who, uint64_t bo_budget, uint64_t anon_budget)
{
	uint64_t features = 0;

	memset(c, 0, sizeof(*c));
	memset(c->madv_res, 0xff, sizeof(c->madv_res));
	c->fd = fd;
	c->mode = mode;
	c->tag = tag;
	c->rng = seed;
	c->who = who;
	c->verbose = getenv("PUDGE_STRESS_VERBOSE");
	c->budget[0] = bo_budget;
	c->budget[1] = anon_budget;
	c->deadline = now_ns() + g_secs * 1000000000ull;
	c->scratch = mmap(NULL, SCRATCH, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c->svm = !pudge_get_param(fd, PUDGE_PARAM_FEATURES, &features) &&
		 features & PUDGE_FEATURE_SVM;
	g_ctx = c;
	return c->scratch != MAP_FAILED;
}

static void summary(struct ctx *c, uint64_t t0)
{
	char ops[768] = "", mv[2][768] = { "", "" };
	unsigned int k, a, n = 0, m[2] = { 0, 0 };

	for (k = 0; k < NR_KINDS; k++)
		if (c->count[k])
			n += snprintf(ops + n, sizeof(ops) - n, " %s=%llu", kind_name[k],
				      (ull)c->count[k]);
	for (a = 0; a < 2; a++)
		for (k = 0; k < ARRAY_SIZE(madv); k++)
			if (c->madv_res[a][k] >= 0)
				m[a] += snprintf(mv[a] + m[a], sizeof(mv[a]) - m[a], " %s=%s",
						 madv[k].name, c->madv_res[a][k] ?
						 strerrorname_np(c->madv_res[a][k]) : "ok");
	say("%s: seed %llu, %.1f s, ops:%s; nospc %llu; anomalies %llu (%llu with foreign data)\n",
	    c->who, (ull)g_seed, (now_ns() - t0) / 1e9, ops, (ull)c->nospc,
	    (ull)c->anomalies, (ull)c->foreign);
	for (a = 0; a < 2; a++)
		if (m[a])
			say("%s: madvise of %s:%s\n", c->who, a ? "anonymous memory" : "BO maps",
			    mv[a]);
}

/* Random ops until the deadline, with @nowners owner threads; then tear down. */
static void run(struct ctx *c, int nowners)
{
	uint64_t t0 = now_ns();
	struct swarm sw;
	pthread_t wd;
	bool threads = nowners && swarm_start(&sw, c->fd, c->tag, nowners, c->deadline,
					      c->rng);

	if (nowners && !threads)
		anomaly(c, "cannot set up the threads' memory");
	g_wd_stop = false;
	g_nbeat = threads ? nowners + 2 : 1;
	pthread_create(&wd, NULL, watchdog_main, NULL);
	while (now_ns() < c->deadline)
		step(c);
	if (threads)
		swarm_stop(&sw, c);
	teardown(c);
	g_wd_stop = true;
	pthread_join(wd, NULL);
	summary(c, t0);
	munmap(c->scratch, SCRATCH);
}

static void check_leaks(int fd, const char *name, uint64_t anomalies)
{
	uint64_t size = 0, vfree = 0, res = 0;
	int i;

	pudge_get_param(fd, PUDGE_PARAM_VRAM_SIZE, &size);
	for (i = 0; i < 20; i++) {	/* frees may be deferred */
		pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &vfree);
		pudge_get_param(fd, PUDGE_PARAM_SVM_RESIDENT, &res);
		if (vfree == size && !res)
			break;
		usleep(100000);
	}
	igt_info("%s: seed %llu: after closing everything, VRAM free %llu of %llu bytes, SVM resident %llu bytes\n",
		 name, (ull)g_seed, (ull)vfree, (ull)size, (ull)res);
	errno = 0;
	igt_assert_f(!anomalies, "%s: %llu anomalies, seed %llu (replay: PUDGE_STRESS_SEED=%llu)\n",
		     name, (ull)anomalies, (ull)g_seed, (ull)g_seed);
	igt_assert_f(vfree == size && !res,
		     "%s: leak: VRAM free %llu of %llu, SVM resident %llu, seed %llu\n",
		     name, (ull)vfree, (ull)size, (ull)res, (ull)g_seed);
}

static void run_single(int fd, int mode, const char *name, int nowners)
{
	struct ctx c;

	igt_info("%s: seed %llu (replay: PUDGE_STRESS_SEED=%llu), %llu s\n", name,
		 (ull)g_seed, (ull)g_seed, (ull)g_secs);
	igt_assert_f(ctx_init(&c, fd, mode, 0, g_seed, name, 512 * MIB, 192 * MIB),
		     "%s: set-up failed, seed %llu\n", name, (ull)g_seed);
	run(&c, nowners);
	check_leaks(fd, name, c.anomalies);
}

struct result {
	uint64_t anomalies, foreign;
	bool done;
};

static void __attribute__((noreturn)) worker(int idx, int mode, struct result *res)
{
	int fd = pudge_igt_reopen(g_fd);
	char who[32];
	struct ctx c;

	snprintf(who, sizeof(who), "multi-process %d", idx);
	if (fd < 0 || !ctx_init(&c, fd, mode, idx, g_seed + idx, who, 128 * MIB, 48 * MIB))
		_exit(2);
	run(&c, mode & M_SVM ? 2 : 0);
	res->anomalies = c.anomalies;
	res->foreign = c.foreign;
	res->done = true;
	close(fd);
	_exit(0);
}

/* A new 256 MiB VRAM BO over VRAM the processes used must read as zeroes. */
static uint64_t sweep_vram(int fd)
{
	uint64_t size = 256 * MIB, i, bad = 0;
	uint8_t *a = MAP_FAILED;
	uint32_t h;

	if (!pudge_bo_create(fd, size, VRAM, &h, NULL))
		a = pudge_bo_map(fd, h, 0, size, PROT_READ);
	for (i = 0; a != MAP_FAILED && i < size; i += 8)
		bad += !!*(uint64_t *)(a + i);
	if (a != MAP_FAILED)
		munmap(a, size);
	pudge_bo_close(fd, h);
	if (bad)
		igt_info("multi-process: seed %llu: %llu non-zero words in a new VRAM BO\n",
			 (ull)g_seed, (ull)bad);
	return bad;
}

static void run_multi(int fd, bool svm)
{
	struct result *res = mmap(NULL, NPROC * sizeof(*res), RW, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);
	uint64_t anomalies = 0, foreign = 0;
	pid_t pid[NPROC];
	int i, st;

	igt_assert(res != MAP_FAILED);
	igt_info("multi-process: seed %llu (replay: PUDGE_STRESS_SEED=%llu; process i uses seed + i), %d processes, %llu s%s\n",
		 (ull)g_seed, (ull)g_seed, NPROC, (ull)g_secs, svm ? "" : ", BOs only (no SVM)");
	fflush(stdout);
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			worker(i, svm ? M_BO | M_SVM : M_BO, &res[i]);
	}
	for (i = 0; i < NPROC; i++) {
		st = pid[i] < 0 ? -1 : wait_child(pid[i], g_secs + 300);
		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) || !res[i].done) {
			igt_info("multi-process: seed %llu: process %d ended with status %#x\n",
				 (ull)g_seed, i, st);
			anomalies++;
		}
		anomalies += res[i].anomalies;
		foreign += res[i].foreign;
	}
	munmap(res, NPROC * sizeof(*res));
	anomalies += sweep_vram(fd);
	igt_info("multi-process: seed %llu: %llu anomalies in all, %llu with another process's data\n",
		 (ull)g_seed, (ull)anomalies, (ull)foreign);
	check_leaks(fd, "multi-process", anomalies);
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;
	struct map *m;

	say("FATAL: signal %d at %p in %s, op %llu (%s), seed %llu\n", sig, a,
	    g_ctx ? g_ctx->who : "set-up", g_ctx ? (ull)g_ctx->op : 0ull,
	    g_ctx ? kind_name[g_ctx->cur] : "-", (ull)g_seed);
	for (m = g_ctx ? g_ctx->map : NULL; m && m < g_ctx->map + MAX_MAP; m++)
		if (m->obj && a >= m->addr && a < m->addr + m->len)
			say("FATAL: in map %p + %#llx of %s h%u size %#llx from %#llx, page state %#x\n",
			    m->addr, (ull)m->len, m->obj->flags ? "BO" : "anon", m->obj->handle,
			    (ull)m->obj->size, (ull)m->off, m->pst[(a - m->addr) / PG]);
	show_vmas(a);
}

static uint64_t g_features;

static long long g_saved_unsafe, g_saved_svm_thp;

igt_main
{
	struct sigaction sa = { .sa_sigaction = on_fatal, .sa_flags = SA_SIGINFO | SA_RESETHAND };

	igt_fixture {
		const char *s = getenv("PUDGE_STRESS_SEED");

		g_seed = s ? strtoull(s, NULL, 0) : now_ns() ^ (uint64_t)getpid() << 32;
		if (getenv("PUDGE_STRESS_SECONDS"))
			g_secs = strtoull(getenv("PUDGE_STRESS_SECONDS"), NULL, 0);
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		g_fd = pudge_igt_open(PUDGE_NODE_RENDER);
		/* Whatever ends the test, the module parameters it changes go back. */
		pudge_igt_param_keep("unsafe_orders");
		pudge_igt_param_keep("unsafe_svm_thp");
		igt_assert_eq(pudge_get_param(g_fd, PUDGE_PARAM_FEATURES, &g_features), 0);
		igt_assert_eq(pudge_allow_unsafe_orders(&g_saved_unsafe), 0);
		/*
		 * 2 MiB device folios only where the kernel has the fix for
		 * the race these ops would hit (README, unsafe_svm_thp).
		 */
		if (pudge_kernel_patched())
			igt_assert_eq(pudge_allow_unsafe_svm_thp(&g_saved_svm_thp), 0);
		else if (pudge_module_param_get("unsafe_svm_thp", &g_saved_svm_thp))
			g_saved_svm_thp = -1;	/* an older pudge: nothing to restore */
		else
			igt_assert_eq(pudge_module_param_set("unsafe_svm_thp", 0), 0);
		igt_info("2 MiB device folios %s\n", pudge_kernel_patched() ?
			 "on (patched kernel)" : "off (kernel without kernel-patches/0005 and 0006)");
	}

	igt_describe("Random buffer-object ops, checked against a shadow copy.");
	igt_subtest("bo-ops")
		run_single(g_fd, M_BO, "bo-ops", 0);

	igt_describe("Random SVM ops on anonymous memory, checked against a shadow copy.");
	igt_subtest("svm-ops") {
		igt_require_f(g_features & PUDGE_FEATURE_SVM, "no SVM\n");
		run_single(g_fd, M_SVM, "svm-ops", 0);
	}

	igt_describe("Both, with owner threads and a migrator thread on shared memory.");
	igt_subtest("mixed") {
		igt_require_f(g_features & PUDGE_FEATURE_SVM, "no SVM\n");
		run_single(g_fd, M_BO | M_SVM, "mixed", NOWNERS);
	}

	igt_describe("Processes with their own fds, none seeing another's data.");
	igt_subtest("multi-process")
		run_multi(g_fd, g_features & PUDGE_FEATURE_SVM);

	igt_fixture {
		pudge_module_param_set("unsafe_orders", g_saved_unsafe);
		if (g_saved_svm_thp >= 0)
			pudge_module_param_set("unsafe_svm_thp", g_saved_svm_thp);
		close(g_fd);
	}
}
