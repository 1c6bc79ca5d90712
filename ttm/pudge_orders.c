// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Which page-table entry sizes pudge may use for CPU mappings of VRAM.
 *
 * A huge entry that maps memory without struct pages is only safe when it
 * carries the special bit, so that GUP-fast and every pinning path refuse
 * it (the bug that removed ttm_bo_vm_insert_huge() in v5.16).  Kernels
 * since v6.12 ("mm: Support huge pfnmaps") have that bit at the PMD and PUD
 * level where the architecture selects ARCH_SUPPORTS_{PMD,PUD}_PFNMAP;
 * without it pudge inserts PTEs only.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <asm/cpufeature.h>

#include "pudge_drv.h"
#include "pudge_drm.h"

static unsigned int max_map_order = PUD_SHIFT - PAGE_SHIFT;
module_param(max_map_order, uint, 0644);
MODULE_PARM_DESC(max_map_order,
		 "Largest page-table entry order for VRAM mappings: 0 (4 KiB), 9 (2 MiB) or 18 (1 GiB, default); for A/B measurement");

/* Boot-time facts (Kconfig, THP, CPU): computed once, read on every fault. */
static u64 kernel_orders;

/**
 * pudge_map_orders_init() - find the entry orders this kernel and CPU allow
 */
void pudge_map_orders_init(void)
{
	u64 orders = PUDGE_MAP_ORDER_PTE;

#if defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) && defined(CONFIG_TRANSPARENT_HUGEPAGE)
	if (has_transparent_hugepage())
		orders |= PUDGE_MAP_ORDER_PMD;
#endif
#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
	/* 1 GiB user entries need the CPU's 1 GiB page support. */
	if (has_transparent_hugepage() && boot_cpu_has(X86_FEATURE_GBPAGES))
		orders |= PUDGE_MAP_ORDER_PUD;
#endif
	WRITE_ONCE(kernel_orders, orders);
}

/**
 * pudge_map_orders() - the entry orders pudge uses for VRAM mappings
 * @capped: apply the max_map_order module parameter
 *
 * Return: a mask of PUDGE_MAP_ORDER_* bits; bit n stands for entries of
 * order n (PAGE_SIZE << n bytes).  The PTE bit is always set.
 */
u64 pudge_map_orders(bool capped)
{
	u64 orders = READ_ONCE(kernel_orders);
	unsigned int cap = READ_ONCE(max_map_order);

	if (capped && cap < 63)
		orders &= GENMASK_ULL(cap, 0);
	return orders | PUDGE_MAP_ORDER_PTE;
}
