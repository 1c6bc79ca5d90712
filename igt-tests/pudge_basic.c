// SPDX-License-Identifier: MIT
/*
 * pudge_basic: the device is there, GET_PARAM tells the truth about it,
 * bad arguments are refused, and the driver survives unbind and rebind.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <xf86drm.h>

#include "igt.h"
#include "pudge.h"

static int fd = -1;
static char slot[32];

static int raw_get_param(int fd, uint32_t param, uint32_t pad, uint64_t *value)
{
	struct drm_pudge_get_param p = { .param = param, .pad = pad };
	int ret = igt_ioctl(fd, DRM_IOCTL_PUDGE_GET_PARAM, &p);

	if (ret)
		return -errno;
	*value = p.value;
	return 0;
}

static uint64_t get_param(int fd, uint32_t param)
{
	uint64_t v = 0;

	igt_assert_eq(pudge_get_param(fd, param, &v), 0);
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
	static const uint32_t bad[] = { PUDGE_PARAM_SVM_RESIDENT + 1, 64, 0x80000000u, ~0u };
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
	int rfd = pudge_open(PUDGE_NODE_RENDER);

	igt_assert_lte(0, rfd);
	igt_assert_eq_u64(get_param(rfd, PUDGE_PARAM_VRAM_SIZE),
			  get_param(fd, PUDGE_PARAM_VRAM_SIZE));
	close(rfd);
}

/*
 * Unbind with a file still open: the file must fail cleanly (ENODEV) and
 * a rebound device must work again.  Repeated, so that leaks add up.
 */
static void test_unbind_rebind(void)
{
	for (int i = 0; i < 3; i++) {
		int old = pudge_open(PUDGE_NODE_RENDER);
		uint64_t v;
		int nfd;

		igt_assert_lte(0, old);
		igt_assert_eq(pudge_driver_bind(slot, false), 0);
		igt_assert_eq(raw_get_param(old, PUDGE_PARAM_VRAM_SIZE, 0, &v), -ENODEV);
		igt_assert_eq(pudge_driver_bind(slot, true), 0);
		close(old);

		nfd = pudge_open(PUDGE_NODE_RENDER);
		igt_assert_lte(0, nfd);
		igt_assert_eq_u64(get_param(nfd, PUDGE_PARAM_VRAM_SIZE),
				  pudge_bar_size(slot, 2));
		close(nfd);
	}
}

igt_main
{
	igt_fixture {
		fd = pudge_open(PUDGE_NODE_PRIMARY);
		igt_require_f(fd >= 0, "no pudge device\n");
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

	igt_describe("GET_PARAM works on the render node");
	igt_subtest("render-node")
		test_render_node();

	igt_fixture {
		close(fd);
		fd = -1;
	}

	igt_describe("Unbind with an open file, rebind, repeatedly");
	igt_subtest("unbind-rebind")
		test_unbind_rebind();
}
