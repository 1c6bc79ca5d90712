/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The range planner: which page-table entries map a physically contiguous
 * run into a VMA.  Pure logic without kernel headers, shared by the fault
 * path and the userspace unit tests.
 */
#ifndef _PUDGE_RANGE_PLAN_H_
#define _PUDGE_RANGE_PLAN_H_

#include "pudge_pure.h"

/* Entry orders, in pages of 4 KiB. */
#define PUDGE_ORDER_PTE 0
#define PUDGE_ORDER_PMD 9
#define PUDGE_ORDER_PUD 18

/*
 * At most 2 * levels - 1 segments: rising order up to the largest aligned
 * order, then falling (PTE PMD PUD PMD PTE).
 */
#define PUDGE_PLAN_MAX_SEGS 5

/**
 * struct pudge_run - a physically contiguous part of a buffer object
 * @page: page offset in the buffer object of the run's first page
 * @pa: physical (bus) address of that page
 * @npages: pages in the run
 */
struct pudge_run {
	u64 page;
	u64 pa;
	u64 npages;
};

/**
 * struct pudge_plan_req - what to map
 * @vma_start: first user address of the VMA (page-aligned)
 * @vma_end: end of the VMA, exclusive (page-aligned)
 * @run_va: user address at which the run's first byte would be mapped;
 *	may lie before @vma_start when the VMA maps only part of the run
 * @run_pa: physical address of the run's first byte (page-aligned)
 * @run_len: bytes in the run (page multiple)
 * @orders: mask of usable entry orders, bit n for order n; bit 0 is
 *	always taken as set
 */
struct pudge_plan_req {
	u64 vma_start;
	u64 vma_end;
	u64 run_va;
	u64 run_pa;
	u64 run_len;
	u64 orders;
};

/**
 * struct pudge_plan_seg - consecutive entries of one order
 * @va: user address of the first entry
 * @pa: physical address of the first entry
 * @order: entry order (PUDGE_ORDER_*)
 * @count: number of entries, each PAGE_SIZE << @order bytes
 */
struct pudge_plan_seg {
	u64 va;
	u64 pa;
	unsigned int order;
	u64 count;
};

/**
 * struct pudge_plan - the entries that map a run
 * @nr: number of segments in @seg
 * @seg: segments in ascending address order
 */
struct pudge_plan {
	unsigned int nr;
	struct pudge_plan_seg seg[PUDGE_PLAN_MAX_SEGS];
};

int pudge_plan_range(const struct pudge_plan_req *req, struct pudge_plan *plan);
const struct pudge_plan_seg *pudge_plan_find(const struct pudge_plan *plan, u64 va);

#endif /* _PUDGE_RANGE_PLAN_H_ */
