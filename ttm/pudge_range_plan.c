// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The range planner (seed 004's vmf_insert_range): the driver says which
 * physically contiguous run it can map, and this picks the entry sizes.
 * A huge entry needs its user address and its physical address aligned to
 * its size, and the run must cover it whole; since the user address and
 * the physical address move in step, the greedy choice of the largest
 * legal order at each position is optimal, and the result rises to the
 * largest order and falls again, at most five segments.
 */
#include "pudge_range_plan.h"

#define PLAN_PAGE_SHIFT 12
#define PLAN_PAGE_MASK ((1ull << PLAN_PAGE_SHIFT) - 1)

static const unsigned int plan_orders[] = {
	PUDGE_ORDER_PUD, PUDGE_ORDER_PMD, PUDGE_ORDER_PTE,
};

static u64 order_bytes(unsigned int order)
{
	return 1ull << (PLAN_PAGE_SHIFT + order);
}

/* The largest usable order for an entry at @va/@pa that ends by @end. */
static unsigned int best_order(u64 orders, u64 va, u64 pa, u64 end)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(plan_orders); i++) {
		unsigned int o = plan_orders[i];
		u64 sz = order_bytes(o);

		if (o && !(orders & (1ull << o)))
			continue;
		if (((va | pa) & (sz - 1)) == 0 && end - va >= sz)
			return o;
	}
	return PUDGE_ORDER_PTE;
}

/**
 * pudge_plan_range() - choose the entries that map a run into a VMA
 * @req: the VMA, the run and the usable orders
 * @plan: receives the segments, in ascending address order
 *
 * Only the part of the run inside the VMA is planned.  An empty
 * intersection gives an empty plan.
 *
 * Return: 0, or -EINVAL for unaligned or overflowing input.
 */
int pudge_plan_range(const struct pudge_plan_req *req, struct pudge_plan *plan)
{
	u64 start, end, va, pa;

	plan->nr = 0;
	if ((req->vma_start | req->vma_end | req->run_va | req->run_pa |
	     req->run_len) & PLAN_PAGE_MASK)
		return -EINVAL;
	if (req->vma_end < req->vma_start ||
	    req->run_va + req->run_len < req->run_va ||
	    req->run_pa + req->run_len < req->run_pa)
		return -EINVAL;

	start = req->run_va > req->vma_start ? req->run_va : req->vma_start;
	end = req->run_va + req->run_len < req->vma_end ?
		req->run_va + req->run_len : req->vma_end;

	for (va = start; va < end; ) {
		unsigned int o;
		struct pudge_plan_seg *s;

		pa = req->run_pa + (va - req->run_va);
		o = best_order(req->orders, va, pa, end);
		s = plan->nr ? &plan->seg[plan->nr - 1] : NULL;
		if (!s || s->order != o) {
			if (plan->nr == PUDGE_PLAN_MAX_SEGS)
				return -EINVAL;	/* cannot happen: see above */
			s = &plan->seg[plan->nr++];
			s->va = va;
			s->pa = pa;
			s->order = o;
			s->count = 0;
		}
		/* Take every entry of this order that still fits. */
		do {
			s->count++;
			va += order_bytes(o);
		} while (va < end && best_order(req->orders, va,
						 req->run_pa + (va - req->run_va),
						 end) == o);
	}
	return 0;
}

/**
 * pudge_plan_find() - the segment that maps user address @va
 * @plan: a plan from pudge_plan_range()
 * @va: a user address
 *
 * Return: the segment, or NULL if @va is not mapped by the plan.
 */
const struct pudge_plan_seg *pudge_plan_find(const struct pudge_plan *plan, u64 va)
{
	unsigned int i;

	for (i = 0; i < plan->nr; i++) {
		const struct pudge_plan_seg *s = &plan->seg[i];

		if (va >= s->va && va - s->va < s->count * order_bytes(s->order))
			return s;
	}
	return NULL;
}
