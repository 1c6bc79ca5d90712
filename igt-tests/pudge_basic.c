// SPDX-License-Identifier: MIT
/*
 * pudge_basic: the device is there, GET_PARAM tells the truth about it,
 * bad arguments are refused, and the driver survives unbind and rebind.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <pty.h>
#include <sys/wait.h>

#include <xf86drm.h>

#include "igt.h"
#include "pudge.h"
#include "pudge_igt.h"

static int fd = -1;
static char slot[32];

static int raw_get_param(int f, uint32_t param, uint32_t pad, uint64_t *value)
{
	struct drm_pudge_get_param p = { .param = param, .pad = pad };
	int ret = igt_ioctl(f, DRM_IOCTL_PUDGE_GET_PARAM, &p);

	if (ret)
		return -errno;
	*value = p.value;
	return 0;
}

static uint64_t get_param(int f, uint32_t param)
{
	uint64_t v = 0;

	igt_assert_eq(pudge_get_param(f, param, &v), 0);
	return v;
}

static void test_version(void)
{
	drmVersionPtr v = drmGetVersion(fd);

	igt_assert(v);
	igt_assert(strcmp(v->name, "pudge") == 0);
	igt_assert(v->desc_len > 0);
	drmFreeVersion(v);
	igt_assert_eq_u64(get_param(fd, PUDGE_PARAM_API_VERSION), PUDGE_API_VERSION);
}

static void test_vram_size(void)
{
	uint64_t bar = pudge_bar_size(slot, 2);
	uint64_t size = get_param(fd, PUDGE_PARAM_VRAM_SIZE);

	igt_assert_neq_u64(bar, 0);
	igt_assert_eq_u64(size, bar);
	igt_assert_lte_u64(get_param(fd, PUDGE_PARAM_VRAM_FREE), size);
}

/*
 * The max_map_order cap and the unsafe_orders opt-in must show in
 * MAP_ORDERS at once; without the opt-in, 2 MiB entries (known kernel
 * hazard: mbind(MPOL_MF_STRICT), kernel-patches/0003) are never used.
 */
static void test_map_orders(void)
{
	uint64_t kernel = get_param(fd, PUDGE_PARAM_KERNEL_MAP_ORDERS);
	static const long long caps[] = { 0, 9, 18 };
	static const long long unsafe[] = { 0, PUDGE_MAP_ORDER_PMD,
					    PUDGE_MAP_ORDER_PMD | PUDGE_MAP_ORDER_PUD };
	long long saved, saved_unsafe;

	igt_assert(kernel & PUDGE_MAP_ORDER_PTE);
	igt_assert_eq_u64(kernel & ~(PUDGE_MAP_ORDER_PTE | PUDGE_MAP_ORDER_PMD |
				     PUDGE_MAP_ORDER_PUD), 0);
	igt_info("kernel map orders: %#" PRIx64 "\n", kernel);

	igt_assert_eq(pudge_module_param_get("max_map_order", &saved), 0);
	igt_assert_eq(pudge_module_param_get("unsafe_orders", &saved_unsafe), 0);
	for (size_t u = 0; u < sizeof(unsafe) / sizeof(unsafe[0]); u++) {
		igt_assert_eq(pudge_module_param_set("unsafe_orders", unsafe[u]), 0);
		for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
			uint64_t want = kernel & ((2ull << caps[i]) - 1);

			if (!(unsafe[u] & PUDGE_MAP_ORDER_PMD))
				want &= ~PUDGE_MAP_ORDER_PMD;
			igt_assert_eq(pudge_module_param_set("max_map_order", caps[i]), 0);
			igt_assert_eq_u64(get_param(fd, PUDGE_PARAM_MAP_ORDERS), want);
			/* The kernel's own mask ignores both parameters. */
			igt_assert_eq_u64(get_param(fd, PUDGE_PARAM_KERNEL_MAP_ORDERS),
					  kernel);
		}
	}
	igt_assert_eq(pudge_module_param_set("max_map_order", saved), 0);
	igt_assert_eq(pudge_module_param_set("unsafe_orders", saved_unsafe), 0);
}

static void test_features(void)
{
	uint64_t f = get_param(fd, PUDGE_PARAM_FEATURES);
	uint64_t cap = get_param(fd, PUDGE_PARAM_SVM_CAPACITY);

	igt_assert_eq_u64(f & ~(PUDGE_FEATURE_SVM | PUDGE_FEATURE_SVM_THP), 0);
	/* THP units are a property of SVM; capacity says whether SVM is on. */
	if (f & PUDGE_FEATURE_SVM_THP)
		igt_assert(f & PUDGE_FEATURE_SVM);
	if (f & PUDGE_FEATURE_SVM) {
		igt_assert(cap > 0);
		igt_assert_lte_u64(cap, get_param(fd, PUDGE_PARAM_VRAM_SIZE));
	} else {
		igt_assert_eq_u64(cap, 0);
		igt_assert_eq_u64(get_param(fd, PUDGE_PARAM_SVM_RESIDENT), 0);
	}
}

static void test_invalid_param(void)
{
	static const uint32_t bad[] = { PUDGE_PARAM_VRAM_CLEAR_PENDING + 1, 64, 0x80000000u, ~0u };
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 0x5a5a5a5a;
		igt_assert_eq(raw_get_param(fd, bad[i], 0, &v), -EINVAL);
	}
}

static void test_invalid_pad(void)
{
	uint64_t v;

	for (int bit = 0; bit < 32; bit++)
		igt_assert_eq(raw_get_param(fd, PUDGE_PARAM_VRAM_SIZE, 1u << bit, &v),
			      -EINVAL);
}

static void test_unknown_ioctl(void)
{
	struct drm_pudge_get_param p = { 0 };
	unsigned long req = DRM_IOWR(DRM_COMMAND_BASE + 0x3f, struct drm_pudge_get_param);

	igt_assert_eq(igt_ioctl(fd, req, &p), -1);
	igt_assert_eq(errno, EINVAL);
}

static void test_render_node(void)
{
	int rfd = pudge_igt_open(PUDGE_NODE_RENDER);

	igt_assert_eq_u64(get_param(rfd, PUDGE_PARAM_VRAM_SIZE),
			  get_param(fd, PUDGE_PARAM_VRAM_SIZE));
	close(rfd);
}

#define KiB (1024ll)
#define MiB (1024ll * 1024)

/*
 * The value of @key in /proc/self/fdinfo/@f, in bytes for sizes ("<n>",
 * "<n> KiB", "<n> MiB"...), or -1 when the key is not there.
 */
static long long fdinfo_value(int f, const char *key, char *text, size_t len)
{
	char path[64], line[256];
	long long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", f);
	fp = fopen(path, "r");
	igt_assert(fp);
	while (fgets(line, sizeof(line), fp)) {
		size_t n = strlen(key);
		char unit[8] = "";

		if (strncmp(line, key, n) || line[n] != ':')
			continue;
		if (text) {
			snprintf(text, len, "%s", line + n + 1);
			v = 0;
			break;
		}
		igt_assert_lte(1, sscanf(line + n + 1, "%lld %7s", &v, unit));
		if (!strcmp(unit, "KiB"))
			v *= KiB;
		else if (!strcmp(unit, "MiB"))
			v *= MiB;
		else if (!strcmp(unit, "GiB"))
			v *= 1024 * MiB;
		else if (!strcmp(unit, "ns"))
			;
		else
			igt_assert_f(!unit[0], "%s: unit %s\n", key, unit);
		break;
	}
	fclose(fp);
	return v;
}

static long long fdinfo(int f, const char *key)
{
	return fdinfo_value(f, key, NULL, 0);
}

static void assert_region(int f, const char *region, long long total,
			  long long shared, long long resident)
{
	char key[64];

	snprintf(key, sizeof(key), "drm-total-%s", region);
	igt_assert_f(fdinfo(f, key) == total, "%s: %lld, expected %lld\n", key, fdinfo(f, key), total);
	snprintf(key, sizeof(key), "drm-shared-%s", region);
	igt_assert_f(fdinfo(f, key) == shared, "%s: %lld, expected %lld\n", key, fdinfo(f, key), shared);
	snprintf(key, sizeof(key), "drm-resident-%s", region);
	igt_assert_f(fdinfo(f, key) == resident, "%s: %lld, expected %lld\n", key, fdinfo(f, key), resident);
}

static void touch(int f, uint32_t h, uint64_t size)
{
	volatile uint8_t *p = pudge_bo_map(f, h, 0, size, PROT_READ | PROT_WRITE);

	igt_assert(p != MAP_FAILED);
	for (uint64_t off = 0; off < size; off += 4096)
		p[off] = 1;
	munmap((void *)p, size);
}

/*
 * fdinfo follows a file's BOs as they are created, touched, moved,
 * shared and closed, per region (vram, system), and its process memory in
 * VRAM (svm); another file's fdinfo shows none of it.
 */
static void test_fdinfo(void)
{
	int f = pudge_igt_open(PUDGE_NODE_RENDER), other = pudge_igt_open(PUDGE_NODE_RENDER);
	uint32_t vram, sys, both, imp;
	long long copy;
	char text[128];
	int dfd = -1;

	igt_assert_lte(0, f);
	igt_assert_lte(0, other);
	igt_assert_eq_s64(fdinfo_value(f, "drm-driver", text, sizeof(text)), 0);
	igt_assert_f(strstr(text, "pudge"), "drm-driver:%s", text);
	igt_assert_lte_s64(1, fdinfo(f, "drm-client-id"));
	igt_assert(fdinfo(f, "drm-client-id") != fdinfo(other, "drm-client-id"));
	assert_region(f, "vram", 0, 0, 0);
	assert_region(f, "system", 0, 0, 0);
	assert_region(f, "svm", 0, 0, 0);

	igt_assert_eq(pudge_bo_create(f, 4 * MiB, PUDGE_GEM_PLACE_VRAM, &vram, NULL), 0);
	assert_region(f, "vram", 4 * MiB, 0, 4 * MiB);
	igt_assert_eq(pudge_bo_create(f, 2 * MiB, PUDGE_GEM_PLACE_SYSTEM, &sys, NULL), 0);
	assert_region(f, "system", 2 * MiB, 0, 0);	/* no pages yet */
	touch(f, sys, 2 * MiB);
	assert_region(f, "system", 2 * MiB, 0, 2 * MiB);

	igt_assert_eq(pudge_bo_create(f, 2 * MiB, PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM,
				      &both, NULL), 0);
	touch(f, both, 2 * MiB);
	assert_region(f, "vram", 6 * MiB, 0, 6 * MiB);
	copy = fdinfo(f, "drm-engine-copy");
	igt_assert_lte_s64(0, copy);
	igt_assert_eq(pudge_bo_migrate(f, both, PUDGE_GEM_PLACE_SYSTEM), 0);
	igt_assert_lt_s64(copy, fdinfo(f, "drm-engine-copy"));	/* the move counted */
	assert_region(f, "vram", 4 * MiB, 0, 4 * MiB);
	assert_region(f, "system", 4 * MiB, 0, 4 * MiB);
	igt_assert_eq(pudge_bo_migrate(f, both, PUDGE_GEM_PLACE_VRAM), 0);
	assert_region(f, "vram", 6 * MiB, 0, 6 * MiB);

	/* Shared: exported, or imported. */
	igt_assert_eq(drmPrimeHandleToFD(f, vram, DRM_CLOEXEC, &dfd), 0);
	assert_region(f, "vram", 6 * MiB, 4 * MiB, 6 * MiB);
	igt_assert_eq(drmPrimeFDToHandle(other, dfd, &imp), 0);
	assert_region(other, "vram", 4 * MiB, 4 * MiB, 4 * MiB);
	close(dfd);
	igt_assert_eq(pudge_bo_close(other, imp), 0);
	assert_region(other, "vram", 0, 0, 0);

	/* Process memory in VRAM, counted to the file that moved it. */
	if (get_param(f, PUDGE_PARAM_FEATURES) & PUDGE_FEATURE_SVM) {
		uint8_t *anon = pudge_map_anon(2 * MiB, false);
		struct drm_pudge_svm_migrate m;

		igt_assert(anon);
		memset(anon, 7, 2 * MiB);
		igt_assert_eq(pudge_svm_migrate(f, anon, 2 * MiB, PUDGE_GEM_PLACE_VRAM, &m), 0);
		igt_assert_eq_u64(m.moved, 512);
		assert_region(f, "svm", 2 * MiB, 0, 2 * MiB);
		assert_region(other, "svm", 0, 0, 0);
		igt_assert_eq(anon[4096], 7);		/* a CPU fault brings one page back */
		assert_region(f, "svm", 2 * MiB - 4 * KiB, 0, 2 * MiB - 4 * KiB);
		igt_assert_eq(pudge_svm_migrate(f, anon, 2 * MiB, PUDGE_GEM_PLACE_SYSTEM, &m), 0);
		assert_region(f, "svm", 0, 0, 0);
		/* Pages that outlive their file. */
		igt_assert_eq(pudge_svm_migrate(other, anon, 2 * MiB, PUDGE_GEM_PLACE_VRAM, &m), 0);
		close(other);
		other = -1;
		igt_assert_eq(anon[0], 7);
		munmap(anon, 2 * MiB);
		igt_assert_eq_u64(get_param(f, PUDGE_PARAM_SVM_RESIDENT), 0);
	}

	igt_assert_eq(pudge_bo_close(f, vram), 0);
	igt_assert_eq(pudge_bo_close(f, sys), 0);
	igt_assert_eq(pudge_bo_close(f, both), 0);
	assert_region(f, "vram", 0, 0, 0);
	assert_region(f, "system", 0, 0, 0);
	if (other >= 0)
		close(other);
	close(f);
}

/*
 * A real consumer of fdinfo: Debian's gputop, run on a terminal (it sizes
 * its output by it) for two samples, lists this process with its memory.
 * gputop shows only clients that used an engine: a migration gives this
 * file copy-engine time first.
 */
static void test_gputop(void)
{
	struct winsize ws = { .ws_row = 50, .ws_col = 200 };
	char out[16384] = "", *line;
	uint32_t vram, sys, both;
	size_t used = 0;
	int master, status;
	bool listed = false;
	pid_t child;

	igt_require_f(access("/usr/bin/gputop", X_OK) == 0, "no gputop\n");
	igt_assert_eq(pudge_bo_create(fd, 8 * MiB, PUDGE_GEM_PLACE_VRAM, &vram, NULL), 0);
	igt_assert_eq(pudge_bo_create(fd, 2 * MiB, PUDGE_GEM_PLACE_SYSTEM, &sys, NULL), 0);
	touch(fd, sys, 2 * MiB);
	igt_assert_eq(pudge_bo_create(fd, 2 * MiB, PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM,
				      &both, NULL), 0);
	touch(fd, both, 2 * MiB);
	igt_assert_eq(pudge_bo_migrate(fd, both, PUDGE_GEM_PLACE_SYSTEM), 0);
	igt_assert_lte_s64(1, fdinfo(fd, "drm-engine-copy"));

	child = forkpty(&master, NULL, NULL, &ws);
	igt_assert_lte(0, child);
	if (child == 0) {
		execl("/usr/bin/gputop", "gputop", "-n", "2", "-d", "0.2", (char *)NULL);
		_exit(127);
	}
	for (;;) {
		ssize_t n = read(master, out + used, sizeof(out) - 1 - used);

		if (n <= 0)
			break;
		used += n;
	}
	out[used] = 0;
	igt_assert_eq(waitpid(child, &status, 0), child);
	close(master);
	igt_info("gputop (exit %#x):\n%s\n", status, out);

	/* "<pid>  <MEM>  <RSS> |<copy bar>| pudge_basic" on one line. */
	for (line = strtok(out, "\r\n"); line; line = strtok(NULL, "\r\n")) {
		char mem[16], rss[16];
		int p;

		if (sscanf(line, "%d %15s %15s", &p, mem, rss) == 3 && p == getpid() &&
		    strstr(line, "pudge_basic")) {
			igt_info("gputop lists us: MEM %s RSS %s\n", mem, rss);
			listed = !strcmp(mem, "12M") && !strcmp(rss, "12M");
		}
	}
	igt_assert_f(listed, "gputop did not list pid %d with its memory\n", getpid());
	igt_assert_eq(pudge_bo_close(fd, vram), 0);
	igt_assert_eq(pudge_bo_close(fd, sys), 0);
	igt_assert_eq(pudge_bo_close(fd, both), 0);
}

/*
 * Unbind with a file still open: the file must fail cleanly (ENODEV) and
 * a rebound device must work again.  Repeated, so that leaks add up.
 */
static void test_unbind_rebind(void)
{
	for (int i = 0; i < 3; i++) {
		int old = pudge_igt_open(PUDGE_NODE_RENDER);
		uint64_t v;
		int nfd;

		igt_assert_eq(pudge_driver_bind(slot, false), 0);
		igt_assert_eq(raw_get_param(old, PUDGE_PARAM_VRAM_SIZE, 0, &v), -ENODEV);
		igt_assert_eq(pudge_driver_bind(slot, true), 0);
		close(old);

		nfd = pudge_igt_open(PUDGE_NODE_RENDER);
		igt_assert_eq_u64(get_param(nfd, PUDGE_PARAM_VRAM_SIZE),
				  pudge_bar_size(slot, 2));
		close(nfd);
	}
}

/*
 * Run this binary's "version" subtest with @env (NAME=VALUE or NAME= to
 * unset) and @arg (a --device filter, or NULL), quietly.
 * Return: its exit status (0 pass, IGT_EXIT_SKIP when no pudge device was
 * chosen), or -1.
 */
static int run_selected(const char *env, const char *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "pudge_basic", "--run-subtest", "version",
				 arg ? "--device" : NULL, (char *)arg, NULL };
		int null = open("/dev/null", O_WRONLY);
		const char *eq = env ? strchr(env, '=') : NULL;

		/* Not the outer run's post-check, markers or driver choice. */
		unsetenv("IGT_COMPAT_POST_CHECK");
		unsetenv("IGT_SENTINEL_ON_STDERR");
		unsetenv("IGT_FORCE_DRIVER");
		unsetenv("IGT_DEVICE");
		if (eq && eq[1])
			putenv((char *)env);
		dup2(null, 1);
		dup2(null, 2);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The first card node whose driver is @name, in @buf; false if none. */
static bool card_of_driver(const char *name, char *buf, size_t len)
{
	for (int i = 0; i < 64; i++) {
		int f;
		drmVersionPtr v;
		bool yes;

		snprintf(buf, len, "/dev/dri/card%d", i);
		f = open(buf, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		yes = v && !strcmp(v->name, name);
		drmFreeVersion(v);
		close(f);
		if (yes)
			return true;
	}
	return false;
}

/*
 * The device is chosen the way IGT chooses it: by igt_runner's --device
 * filter (drm:, sys:, pci:), else IGT_DEVICE, else the first device whose
 * driver IGT_FORCE_DRIVER names.  A filter that matches nothing, or a
 * device of a driver the test does not take, skips; a filter IGT rejects
 * is dropped.  Each case reruns this binary's version subtest, which
 * opens the primary node.
 */
static void test_device_selection(void)
{
	char card[64], vgem[64], arg[PATH_MAX + 16], sys[PATH_MAX];
	drmDevicePtr dev;
	struct {
		const char *env, *arg;
		int want;
	} cases[] = {
		{ NULL, NULL, 0 },			/* DRIVER_ANY skips vgem */
		{ "IGT_FORCE_DRIVER=pudge", NULL, 0 },
		{ "IGT_FORCE_DRIVER=vgem", NULL, IGT_EXIT_SKIP },
		{ "IGT_FORCE_DRIVER=nosuchdriver", NULL, IGT_EXIT_SKIP },
		/* the forced driver rules out the device a filter names */
		{ "IGT_FORCE_DRIVER=nosuchdriver", "", IGT_EXIT_SKIP },
		{ NULL, "drm:/dev/dri/card99", IGT_EXIT_SKIP },
		{ NULL, "drm:", IGT_EXIT_SKIP },
		{ NULL, "pci:vendor=zz", IGT_EXIT_SKIP },
		/* filters IGT drops, or that set nothing: pudge as without one */
		{ NULL, "bogus:whatever", 0 },
		{ NULL, "sys:/sys/devices/does-not-exist", 0 },
		{ NULL, "pci:vendor", 0 },
		/* --device wins over IGT_DEVICE */
		{ "IGT_DEVICE=drm:/dev/dri/card99", "", 0 },
	};

	igt_assert_eq(drmGetDevice2(fd, 0, &dev), 0);
	igt_assert(dev->bustype == DRM_BUS_PCI);
	snprintf(card, sizeof(card), "%s", dev->nodes[DRM_NODE_PRIMARY]);

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a = cases[i].arg;

		if (a && !*a) {
			snprintf(arg, sizeof(arg), "drm:%s", card);
			a = arg;
		}
		igt_assert_f(run_selected(cases[i].env, a) == cases[i].want,
			     "env %s, --device %s: exit %d, expected %d\n",
			     cases[i].env ?: "-", a ?: "-", run_selected(cases[i].env, a),
			     cases[i].want);
	}

	/* Each way of naming pudge's device picks it. */
	snprintf(arg, sizeof(arg), "drm:%s", card);
	igt_assert_eq(run_selected(NULL, arg), 0);
	/* A drm: filter names one node: not the primary one asked for. */
	snprintf(arg, sizeof(arg), "drm:%s", dev->nodes[DRM_NODE_RENDER]);
	igt_assert_eq(run_selected(NULL, arg), IGT_EXIT_SKIP);
	/* sys: takes the canonical path, not a link to it. */
	snprintf(arg, sizeof(arg), "/sys/bus/pci/devices/%s", slot);
	igt_assert(realpath(arg, sys));
	snprintf(arg, sizeof(arg), "IGT_DEVICE=sys:%s", sys);
	igt_assert_eq(run_selected(arg, NULL), 0);
	snprintf(arg, sizeof(arg), "IGT_DEVICE=sys:/sys/bus/pci/devices/%s", slot);
	igt_assert_eq(run_selected(arg, NULL), IGT_EXIT_SKIP);
	snprintf(arg, sizeof(arg), "pci:vendor=%04x,device=%04x", dev->deviceinfo.pci->vendor_id,
		 dev->deviceinfo.pci->device_id);
	igt_assert_eq(run_selected(NULL, arg), 0);
	snprintf(arg, sizeof(arg), "pci:vendor=%04x,device=%04x,card=1",
		 dev->deviceinfo.pci->vendor_id, dev->deviceinfo.pci->device_id);
	igt_assert_eq(run_selected(NULL, arg), IGT_EXIT_SKIP);	/* there is one */
	snprintf(arg, sizeof(arg), "pci:slot=%s", slot);
	igt_assert_eq(run_selected(NULL, arg), 0);
	drmFreeDevice(&dev);

	/* A filter naming another driver's device opens it, and the test skips. */
	if (system("modprobe vgem >/dev/null 2>&1") == 0 &&
	    card_of_driver("vgem", vgem, sizeof(vgem))) {
		snprintf(arg, sizeof(arg), "drm:%s", vgem);
		igt_assert_eq(run_selected(NULL, arg), IGT_EXIT_SKIP);
		igt_assert_eq(run_selected("IGT_FORCE_DRIVER=vgem", NULL), IGT_EXIT_SKIP);
		igt_assert_eq(run_selected(NULL, NULL), 0);
	} else {
		igt_info("no vgem: the other-driver cases did not run\n");
	}
}

igt_main
{
	igt_fixture {
		fd = pudge_igt_open(PUDGE_NODE_PRIMARY);
		/* Whatever ends the test, the module parameters it changes go back. */
		pudge_igt_param_keep("max_map_order");
		pudge_igt_param_keep("unsafe_orders");
		igt_assert_eq(pudge_pci_slot(fd, slot, sizeof(slot)), 0);
	}

	igt_describe("DRM version and API version are pudge's");
	igt_subtest("version")
		test_version();

	igt_describe("VRAM size equals the size of BAR 2");
	igt_subtest("vram-size")
		test_vram_size();

	igt_describe("MAP_ORDERS follows the kernel, the max_map_order cap and unsafe_orders");
	igt_subtest("map-orders")
		test_map_orders();

	igt_describe("Only known feature bits are reported");
	igt_subtest("features")
		test_features();

	igt_describe("Unknown params are rejected with EINVAL");
	igt_subtest("invalid-param")
		test_invalid_param();

	igt_describe("Non-zero pad is rejected with EINVAL");
	igt_subtest("invalid-pad")
		test_invalid_pad();

	igt_describe("An ioctl number pudge does not have is rejected");
	igt_subtest("unknown-ioctl")
		test_unknown_ioctl();

	igt_describe("--device, IGT_DEVICE and IGT_FORCE_DRIVER choose the device as in IGT");
	igt_subtest("device-selection")
		test_device_selection();

	igt_describe("GET_PARAM works on the render node");
	igt_subtest("render-node")
		test_render_node();

	igt_describe("fdinfo: per-region sizes of the file's BOs and its process memory in VRAM");
	igt_subtest("fdinfo")
		test_fdinfo();

	igt_describe("gputop lists a process holding pudge BOs");
	igt_subtest("gputop")
		test_gputop();

	igt_fixture {
		close(fd);
		fd = -1;
	}

	igt_describe("Unbind with an open file, rebind, repeatedly");
	igt_subtest("unbind-rebind")
		test_unbind_rebind();
}
