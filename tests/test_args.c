// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of the ioctl argument checks in drm/pudge_args.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pudge_args.h"
#include "pudge_svm_args.h"

static void get_param_known_params_accepted(void **state)
{
	struct drm_pudge_get_param p = { 0 };

	(void)state;
	for (p.param = PUDGE_PARAM_API_VERSION; p.param <= PUDGE_PARAM_VRAM_CLEAR_PENDING; p.param++)
		assert_int_equal(pudge_check_get_param(&p), 0);
}

static void get_param_unknown_param_rejected(void **state)
{
	static const uint32_t bad[] = { PUDGE_PARAM_VRAM_CLEAR_PENDING + 1, 0x100, UINT32_MAX };
	struct drm_pudge_get_param p = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.param = bad[i];
		assert_int_equal(pudge_check_get_param(&p), -EINVAL);
	}
}

static void get_param_pad_rejected(void **state)
{
	struct drm_pudge_get_param p = { .param = PUDGE_PARAM_VRAM_SIZE };

	(void)state;
	for (int bit = 0; bit < 32; bit++) {
		p.pad = 1u << bit;
		assert_int_equal(pudge_check_get_param(&p), -EINVAL);
	}
}

static void get_param_value_is_output_only(void **state)
{
	struct drm_pudge_get_param p = { .param = PUDGE_PARAM_VRAM_SIZE, .value = ~0ull };

	(void)state;
	assert_int_equal(pudge_check_get_param(&p), 0);
}

#define PG 4096ull
#define VRAM (2ull << 30)

static void gem_create_checks(void **state)
{
	static const struct {
		struct drm_pudge_gem_create in;
		int ret;
		uint64_t size;
	} cases[] = {
		{ { 1, PUDGE_GEM_PLACE_VRAM, 0 }, 0, PG },
		{ { PG, PUDGE_GEM_PLACE_SYSTEM, 0 }, 0, PG },
		{ { PG + 1, PUDGE_GEM_PLACE_MASK, 0 }, 0, 2 * PG },
		{ { VRAM, PUDGE_GEM_PLACE_VRAM, 0 }, 0, VRAM },
		{ { VRAM + 1, PUDGE_GEM_PLACE_VRAM, 0 }, -ENOSPC, 0 },
		{ { VRAM + 1, PUDGE_GEM_PLACE_MASK, 0 }, 0, VRAM + PG },
		{ { 0, PUDGE_GEM_PLACE_VRAM, 0 }, -EINVAL, 0 },
		{ { PG, 0, 0 }, -EINVAL, 0 },
		{ { PG, 1u << 2, 0 }, -EINVAL, 0 },
		{ { PG, PUDGE_GEM_PLACE_VRAM | (1u << 31), 0 }, -EINVAL, 0 },
		{ { PG, PUDGE_GEM_PLACE_VRAM, 7 }, -EINVAL, 0 },
		{ { U64_MAX, PUDGE_GEM_PLACE_SYSTEM, 0 }, -EINVAL, 0 },
		{ { U64_MAX - PG + 2, PUDGE_GEM_PLACE_SYSTEM, 0 }, -EINVAL, 0 },
		{ { U64_MAX - PG + 1, PUDGE_GEM_PLACE_SYSTEM, 0 }, 0, U64_MAX - PG + 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t size = 0;

		assert_int_equal(pudge_check_gem_create(&cases[i].in, PG, VRAM, &size),
				 cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(size, cases[i].size);
	}
}

static void mmap_offset_checks(void **state)
{
	struct drm_pudge_gem_mmap_offset a = { .handle = 1 };

	(void)state;
	assert_int_equal(pudge_check_gem_mmap_offset(&a), 0);
	for (int bit = 0; bit < 32; bit++) {
		a.flags = 1u << bit;
		assert_int_equal(pudge_check_gem_mmap_offset(&a), -EINVAL);
	}
}

static void migrate_checks(void **state)
{
	struct drm_pudge_gem_migrate a = { .handle = 1, .placement = PUDGE_GEM_PLACE_VRAM };

	(void)state;
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_MASK), 0);
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_VRAM), 0);
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_SYSTEM), -EINVAL);
	a.placement = PUDGE_GEM_PLACE_SYSTEM;
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_MASK), 0);
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_VRAM), -EINVAL);
	a.placement = PUDGE_GEM_PLACE_MASK;
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_MASK), -EINVAL);
	a.placement = 0;
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_MASK), -EINVAL);
	a.placement = 1u << 5;
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_MASK), -EINVAL);
	a.placement = PUDGE_GEM_PLACE_VRAM;
	a.flags = 1;
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_MASK), -EINVAL);
	a.flags = 0;
	a.pad = 1u << 31;
	assert_int_equal(pudge_check_gem_migrate(&a, PUDGE_GEM_PLACE_MASK), -EINVAL);
}

static void stats_checks(void **state)
{
	struct drm_pudge_stats a = { 0 };

	(void)state;
	assert_int_equal(pudge_check_stats(&a), 0);
	a.flags = PUDGE_STATS_BO;
	a.handle = 3;
	assert_int_equal(pudge_check_stats(&a), 0);
	a.flags = 0;
	assert_int_equal(pudge_check_stats(&a), -EINVAL);
	a.handle = 0;
	a.flags = 1u << 1;
	assert_int_equal(pudge_check_stats(&a), -EINVAL);
	a.flags = PUDGE_STATS_BO | (1u << 31);
	assert_int_equal(pudge_check_stats(&a), -EINVAL);
}

static void test_gup_checks(void **state)
{
	struct drm_pudge_test_gup a = { .addr = 16 * PG, .npages = 1 };

	(void)state;
	assert_int_equal(pudge_check_test_gup(&a, PG), 0);
	a.npages = PUDGE_TEST_GUP_MAX_PAGES;
	assert_int_equal(pudge_check_test_gup(&a, PG), 0);
	a.npages = PUDGE_TEST_GUP_MAX_PAGES + 1;
	assert_int_equal(pudge_check_test_gup(&a, PG), -EINVAL);
	a.npages = 0;
	assert_int_equal(pudge_check_test_gup(&a, PG), -EINVAL);
	a.npages = 2;
	a.op = PUDGE_TEST_QUERY_PINNED;
	assert_int_equal(pudge_check_test_gup(&a, PG), -EINVAL);
	a.npages = 1;
	assert_int_equal(pudge_check_test_gup(&a, PG), 0);
	a.op = PUDGE_TEST_QUERY_PINNED + 1;
	assert_int_equal(pudge_check_test_gup(&a, PG), -EINVAL);
	a.op = PUDGE_TEST_PIN_FAST;
	a.flags = 1u << 1;
	assert_int_equal(pudge_check_test_gup(&a, PG), -EINVAL);
	a.flags = PUDGE_TEST_GUP_WRITE;
	a.addr = 16 * PG + 8;
	assert_int_equal(pudge_check_test_gup(&a, PG), -EINVAL);
	a.addr = U64_MAX - PG + 1;
	a.npages = 2;
	assert_int_equal(pudge_check_test_gup(&a, PG), -EINVAL);
}

#define TOP (1ull << 47)

static void svm_migrate_checks(void **state)
{
	static const struct {
		struct drm_pudge_svm_migrate in;
		int ret;
	} cases[] = {
		{ { .addr = PG, .size = PG, .placement = PUDGE_GEM_PLACE_VRAM }, 0 },
		{ { .addr = PG, .size = PG, .placement = PUDGE_GEM_PLACE_SYSTEM }, 0 },
		{ { .addr = TOP - PG, .size = PG, .placement = PUDGE_GEM_PLACE_VRAM }, 0 },
		/* placement: exactly one of VRAM or system */
		{ { .addr = PG, .size = PG, .placement = 0 }, -EINVAL },
		{ { .addr = PG, .size = PG, .placement = PUDGE_GEM_PLACE_MASK }, -EINVAL },
		{ { .addr = PG, .size = PG, .placement = 1u << 2 }, -EINVAL },
		/* flags must be zero */
		{ { .addr = PG, .size = PG, .placement = PUDGE_GEM_PLACE_VRAM, .flags = 1 },
		  -EINVAL },
		{ { .addr = PG, .size = PG, .placement = PUDGE_GEM_PLACE_VRAM,
		    .flags = 1u << 31 }, -EINVAL },
		/* unaligned, empty, wrapping, beyond the address space */
		{ { .addr = PG + 1, .size = PG, .placement = PUDGE_GEM_PLACE_VRAM }, -EINVAL },
		{ { .addr = PG, .size = PG - 1, .placement = PUDGE_GEM_PLACE_VRAM }, -EINVAL },
		{ { .addr = PG, .size = 0, .placement = PUDGE_GEM_PLACE_VRAM }, -EINVAL },
		{ { .addr = U64_MAX - PG + 1, .size = 2 * PG,
		    .placement = PUDGE_GEM_PLACE_VRAM }, -EINVAL },
		{ { .addr = TOP - PG, .size = 2 * PG, .placement = PUDGE_GEM_PLACE_VRAM },
		  -EINVAL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(pudge_check_svm_migrate(&cases[i].in, PG, TOP), cases[i].ret);
}

static void svm_access_checks(void **state)
{
	struct drm_pudge_svm_access a = { .addr = PG, .size = PG, .data_ptr = 8 };

	(void)state;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), 0);
	a.op = PUDGE_SVM_ACCESS_WRITE;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), 0);
	a.op = PUDGE_SVM_ACCESS_WRITE + 1;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), -EINVAL);
	a.op = PUDGE_SVM_ACCESS_READ;
	a.flags = 1;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), -EINVAL);
	a.flags = 0;
	a.size = PUDGE_SVM_ACCESS_MAX;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), 0);
	a.size = PUDGE_SVM_ACCESS_MAX + PG;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), -EINVAL);
	a.size = 0;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), -EINVAL);
	a.size = PG;
	a.addr = PG + 64;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), -EINVAL);
	a.addr = TOP;
	assert_int_equal(pudge_check_svm_access(&a, PG, TOP), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_param_known_params_accepted),
		cmocka_unit_test(get_param_unknown_param_rejected),
		cmocka_unit_test(get_param_pad_rejected),
		cmocka_unit_test(get_param_value_is_output_only),
		cmocka_unit_test(gem_create_checks),
		cmocka_unit_test(mmap_offset_checks),
		cmocka_unit_test(migrate_checks),
		cmocka_unit_test(stats_checks),
		cmocka_unit_test(test_gup_checks),
		cmocka_unit_test(svm_migrate_checks),
		cmocka_unit_test(svm_access_checks),
	};

	return cmocka_run_group_tests_name("pudge_args", tests, NULL, NULL);
}
