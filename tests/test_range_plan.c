// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of the range planner in ttm/pudge_range_plan.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pudge_range_plan.h"

#define K4 (1ull << 12)
#define M2 (1ull << 21)
#define G1 (1ull << 30)
#define ALL ((1ull << PUDGE_ORDER_PUD) | (1ull << PUDGE_ORDER_PMD) | 1)
#define NO_PUD ((1ull << PUDGE_ORDER_PMD) | 1)
#define PTE_ONLY 1ull

struct seg { unsigned int order; uint64_t count; };

struct plan_case {
	const char *name;
	struct pudge_plan_req req;
	int ret;
	unsigned int nr;
	struct seg seg[PUDGE_PLAN_MAX_SEGS];
};

#define VA0 (0x7f0000000000ull)	/* 1 GiB-aligned user base */
#define PA0 (0xc000000000ull)	/* 1 GiB-aligned VRAM base */

static const struct plan_case cases[] = {
	{ "1G aligned, whole", { VA0, VA0 + G1, VA0, PA0, G1, ALL }, 0, 1,
	  { { PUDGE_ORDER_PUD, 1 } } },
	{ "1G aligned, PUD capped", { VA0, VA0 + G1, VA0, PA0, G1, NO_PUD }, 0, 1,
	  { { PUDGE_ORDER_PMD, 512 } } },
	{ "1G aligned, PTE only", { VA0, VA0 + G1, VA0, PA0, G1, PTE_ONLY }, 0, 1,
	  { { PUDGE_ORDER_PTE, 262144 } } },
	{ "2G run, 2 PUDs", { VA0, VA0 + 2 * G1, VA0, PA0, 2 * G1, ALL }, 0, 1,
	  { { PUDGE_ORDER_PUD, 2 } } },
	{ "va 2M-aligned only", { VA0 + M2, VA0 + M2 + G1, VA0 + M2, PA0, G1, ALL }, 0, 1,
	  { { PUDGE_ORDER_PMD, 512 } } },
	{ "va and pa off by 4K", { VA0 + K4, VA0 + K4 + 4 * M2, VA0 + K4, PA0, 4 * M2, ALL },
	  0, 1, { { PUDGE_ORDER_PTE, 2048 } } },
	{ "both off by 4K: edges", { VA0 + K4, VA0 + 4 * M2, VA0 + K4, PA0 + K4,
	  4 * M2 - K4, ALL }, 0, 2, { { PUDGE_ORDER_PTE, 511 }, { PUDGE_ORDER_PMD, 3 } } },
	{ "run ends mid-PMD", { VA0, VA0 + G1, VA0, PA0, 3 * M2 + 5 * K4, ALL }, 0, 2,
	  { { PUDGE_ORDER_PMD, 3 }, { PUDGE_ORDER_PTE, 5 } } },
	{ "rise and fall", { VA0 + G1 - M2 - K4, VA0 + 2 * G1 + M2 + K4,
	  VA0 + G1 - M2 - K4, PA0 + G1 - M2 - K4, G1 + 2 * M2 + 2 * K4, ALL }, 0, 5,
	  { { PUDGE_ORDER_PTE, 1 }, { PUDGE_ORDER_PMD, 1 }, { PUDGE_ORDER_PUD, 1 },
	    { PUDGE_ORDER_PMD, 1 }, { PUDGE_ORDER_PTE, 1 } } },
	{ "run larger than VMA", { VA0 + G1, VA0 + G1 + 4 * M2, VA0, PA0, 2 * G1, ALL },
	  0, 1, { { PUDGE_ORDER_PMD, 4 } } },
	{ "partial mmap at odd offset", { VA0 + 3 * K4, VA0 + M2 + 3 * K4, VA0 - 5 * K4,
	  PA0, G1, ALL }, 0, 1, { { PUDGE_ORDER_PTE, 512 } } },
	{ "run outside VMA", { VA0, VA0 + M2, VA0 + G1, PA0, M2, ALL }, 0, 0, { } },
	{ "empty VMA", { VA0, VA0, VA0, PA0, M2, ALL }, 0, 0, { } },
	{ "unaligned va", { VA0 + 1, VA0 + M2, VA0, PA0, M2, ALL }, -EINVAL, 0, { } },
	{ "unaligned len", { VA0, VA0 + M2, VA0, PA0, M2 - 1, ALL }, -EINVAL, 0, { } },
	{ "inverted VMA", { VA0 + M2, VA0, VA0, PA0, M2, ALL }, -EINVAL, 0, { } },
	{ "pa overflow", { VA0, VA0 + M2, VA0, ~0ull - K4 + 1, M2, ALL }, -EINVAL, 0, { } },
};

static void table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *c = &cases[i];
		struct pudge_plan plan;
		int ret = pudge_plan_range(&c->req, &plan);

		if (ret != c->ret || plan.nr != c->nr)
			fail_msg("%s: ret %d nr %u, want %d %u", c->name, ret, plan.nr,
				 c->ret, c->nr);
		for (unsigned int s = 0; s < plan.nr; s++)
			if (plan.seg[s].order != c->seg[s].order ||
			    plan.seg[s].count != c->seg[s].count)
				fail_msg("%s: seg %u is %u x %llu, want %u x %llu", c->name, s,
					 plan.seg[s].order, (unsigned long long)plan.seg[s].count,
					 c->seg[s].order, (unsigned long long)c->seg[s].count);
	}
}

/* The segment found for each address is the one covering it. */
static void find(void **state)
{
	struct pudge_plan_req r = { VA0 + G1 - M2 - K4, VA0 + 2 * G1 + M2 + K4,
				    VA0 + G1 - M2 - K4, PA0 + G1 - M2 - K4,
				    G1 + 2 * M2 + 2 * K4, ALL };
	struct pudge_plan plan;

	(void)state;
	assert_int_equal(pudge_plan_range(&r, &plan), 0);
	assert_int_equal(pudge_plan_find(&plan, VA0 + G1 - M2 - K4)->order, PUDGE_ORDER_PTE);
	assert_int_equal(pudge_plan_find(&plan, VA0 + G1 - K4)->order, PUDGE_ORDER_PMD);
	assert_int_equal(pudge_plan_find(&plan, VA0 + G1 + 12345 * K4)->order, PUDGE_ORDER_PUD);
	assert_int_equal(pudge_plan_find(&plan, VA0 + 2 * G1 + M2)->order, PUDGE_ORDER_PTE);
	assert_null(pudge_plan_find(&plan, VA0 + 2 * G1 + M2 + K4));
	assert_null(pudge_plan_find(&plan, VA0));
}

/*
 * Random runs and VMAs: the plan covers exactly the intersection, in
 * order, every entry is aligned in both spaces and of an allowed order,
 * and no PTE or PMD sits where a larger allowed entry would have fit.
 */
static void properties(void **state)
{
	static const uint64_t masks[] = { ALL, NO_PUD, PTE_ONLY };

	(void)state;
	srand(4);
	for (int iter = 0; iter < 20000; iter++) {
		uint64_t mask = masks[rand() % 3];
		uint64_t va = VA0 + (uint64_t)(rand() % 4096) * M2 +
			      (rand() % 2 ? 0 : (uint64_t)(rand() % 512) * K4);
		uint64_t pa = PA0 + (rand() % 2 ? va - VA0 : (uint64_t)(rand() % 100000) * K4);
		uint64_t len = (uint64_t)(rand() % 400000 + 1) * K4;
		uint64_t vs = va + (uint64_t)((int64_t)(rand() % 1000) - 500) * K4 * (rand() % 3);
		uint64_t ve = vs + (uint64_t)(rand() % 600000) * K4;
		struct pudge_plan_req r = { vs, ve, va, pa, len, mask };
		uint64_t start = va > vs ? va : vs, end = va + len < ve ? va + len : ve;
		struct pudge_plan plan;
		uint64_t at;

		assert_int_equal(pudge_plan_range(&r, &plan), 0);
		at = start;
		for (unsigned int s = 0; s < plan.nr; s++) {
			const struct pudge_plan_seg *g = &plan.seg[s];
			uint64_t sz = K4 << g->order;

			assert_true(g->order == 0 || (mask >> g->order) & 1);
			assert_int_equal(g->va, at);
			assert_int_equal(g->pa, pa + (g->va - va));
			assert_int_equal(g->va % sz, 0);
			assert_int_equal(g->pa % sz, 0);
			assert_true(g->count > 0);
			for (uint64_t e = 0; e < g->count; e++, at += sz) {
				uint64_t epa = pa + (at - va);

				if (g->order < PUDGE_ORDER_PUD && (mask >> PUDGE_ORDER_PUD) & 1)
					assert_false(at % G1 == 0 && epa % G1 == 0 && end - at >= G1);
				if (g->order < PUDGE_ORDER_PMD && (mask >> PUDGE_ORDER_PMD) & 1)
					assert_false(at % M2 == 0 && epa % M2 == 0 && end - at >= M2);
			}
		}
		assert_int_equal(at, start < end ? end : start);
		assert_true(plan.nr <= PUDGE_PLAN_MAX_SEGS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(find),
		cmocka_unit_test(properties),
	};

	return cmocka_run_group_tests_name("pudge_range_plan", tests, NULL, NULL);
}
