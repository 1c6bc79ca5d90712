/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_TTM_MMAP_H_
#define _PUDGE_TTM_MMAP_H_

#include <linux/types.h>

struct file;

unsigned long pudge_ttm_get_unmapped_area(struct file *filp, unsigned long uaddr,
					  unsigned long len, unsigned long pgoff,
					  unsigned long flags, u64 orders);

#endif /* _PUDGE_TTM_MMAP_H_ */
