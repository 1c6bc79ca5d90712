// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of the ioctl argument checks in drm/pudge_args.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pudge_args.h"

static void get_param_known_params_accepted(void **state)
{
	struct drm_pudge_get_param p = { 0 };

	(void)state;
	for (p.param = PUDGE_PARAM_API_VERSION; p.param <= PUDGE_PARAM_FEATURES; p.param++)
		assert_int_equal(pudge_check_get_param(&p), 0);
}

static void get_param_unknown_param_rejected(void **state)
{
	static const uint32_t bad[] = { PUDGE_PARAM_FEATURES + 1, 0x100, UINT32_MAX };
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_param_known_params_accepted),
		cmocka_unit_test(get_param_unknown_param_rejected),
		cmocka_unit_test(get_param_pad_rejected),
		cmocka_unit_test(get_param_value_is_output_only),
	};

	return cmocka_run_group_tests_name("pudge_args", tests, NULL, NULL);
}
