/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_TTM_FAULT_H_
#define _PUDGE_TTM_FAULT_H_

#include <linux/mm_types.h>
#include <drm/ttm/ttm_bo.h>

#include "pudge_insert_range.h"

/**
 * struct pudge_ttm_fault_ops - what the driver tells the fault helper
 * @find_run: the contiguous run of the BO's (io memory) resource that
 *	holds page @page; 0 or a negative errno
 * @orders: the entry orders usable for the BO now (bit n: order n)
 */
struct pudge_ttm_fault_ops {
	int (*find_run)(struct ttm_buffer_object *bo, u64 page,
			struct pudge_run *run);
	u64 (*orders)(struct ttm_buffer_object *bo);
};

vm_fault_t pudge_ttm_bo_vm_fault(struct vm_fault *vmf, unsigned int order,
				 const struct pudge_ttm_fault_ops *ops,
				 struct pudge_insert_counts *cnt);

int pudge_ttm_bo_vm_may_split(struct vm_area_struct *vma, unsigned long addr);
void pudge_ttm_bo_vm_open(struct vm_area_struct *vma);

#endif /* _PUDGE_TTM_FAULT_H_ */
