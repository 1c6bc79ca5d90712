/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_INSERT_RANGE_H_
#define _PUDGE_INSERT_RANGE_H_

#include <linux/mm_types.h>

#include "pudge_range_plan.h"

/**
 * struct pudge_insert_counts - entries a call inserted, per level
 * @pud: 1 GiB entries
 * @pmd: 2 MiB entries
 * @pte: 4 KiB entries
 */
struct pudge_insert_counts {
	u64 pud;
	u64 pmd;
	u64 pte;
};

vm_fault_t pudge_vmf_insert_range(struct vm_fault *vmf, unsigned int order,
				  const struct pudge_plan_req *req, pgprot_t prot,
				  struct pudge_insert_counts *cnt);
u64 pudge_insert_range_orders(void);

#endif /* _PUDGE_INSERT_RANGE_H_ */
