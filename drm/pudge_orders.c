// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Which page-table entry sizes pudge may use for CPU mappings of VRAM: what
 * the kernel and CPU can insert (pudge_insert_range_orders()), less what
 * the module parameters and the known core-mm hazards take away.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "pudge_drv.h"
#include "pudge_drm.h"
#include "pudge_insert_range.h"

static unsigned int max_map_order = PUD_SHIFT - PAGE_SHIFT;
module_param(max_map_order, uint, 0644);
MODULE_PARM_DESC(max_map_order,
		 "Largest page-table entry order for VRAM mappings: 0 (4 KiB), 9 (2 MiB) or 18 (1 GiB, default); for A/B measurement");

/*
 * Core-mm bugs that a special huge entry of one order lets any user with
 * the render node reach on the running kernel, and the patch that fixes
 * each.  Their orders are off unless the unsafe_orders parameter allows
 * them (README: "Kernel bugs that huge pfnmaps reach").  No kernel released
 * so far has these fixes, so the list does not depend on the version yet;
 * when one does, its entry gets a compile probe in compat/.
 */
static const struct {
	unsigned int order;
	const char *effect;
	const char *patch;
} kernel_hazards[] = {
	{ PMD_SHIFT - PAGE_SHIFT,
	  "mbind(MPOL_MF_STRICT) over a 2 MiB entry oopses in queue_folios_pmd()",
	  "0003-mm-mempolicy-skip-special-huge-PMDs-in-queue_folios_.patch" },
};

static unsigned long long unsafe_orders;
module_param(unsafe_orders, ullong, 0644);
MODULE_PARM_DESC(unsafe_orders,
		 "Mask of entry orders to use although this kernel has a known core-mm bug reachable through them (bit 9: 2 MiB, off by default; see README); only on a kernel with the fixes in kernel-patches/");

/* Boot-time facts (Kconfig, THP, CPU): computed once, read on every fault. */
static u64 kernel_orders;

static u64 pudge_hazard_orders(void)
{
	u64 mask = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kernel_hazards); i++)
		mask |= 1ull << kernel_hazards[i].order;
	return mask;
}

/**
 * pudge_map_orders_init() - find the entry orders this kernel and CPU allow,
 * and say which of them a kernel hazard keeps off
 */
void pudge_map_orders_init(void)
{
	u64 orders = pudge_insert_range_orders();
	unsigned int i;

	WRITE_ONCE(kernel_orders, orders);

	for (i = 0; i < ARRAY_SIZE(kernel_hazards); i++) {
		unsigned int o = kernel_hazards[i].order;

		if (!(orders & BIT_ULL(o)) || (READ_ONCE(unsafe_orders) & BIT_ULL(o)))
			continue;
		pr_notice("pudge: %lu KiB entries off: on this kernel %s; load with unsafe_orders=%#llx only on a kernel patched with kernel-patches/%s\n",
			  (PAGE_SIZE << o) >> 10, kernel_hazards[i].effect,
			  BIT_ULL(o), kernel_hazards[i].patch);
	}
}

/**
 * pudge_map_orders() - the entry orders pudge uses for VRAM mappings
 * @capped: apply the module parameters: the max_map_order cap, and no
 *          order with a known kernel hazard unless unsafe_orders allows it
 *
 * Return: a mask of PUDGE_MAP_ORDER_* bits; bit n stands for entries of
 * order n (PAGE_SIZE << n bytes).  The PTE bit is always set.
 */
u64 pudge_map_orders(bool capped)
{
	u64 orders = READ_ONCE(kernel_orders);
	unsigned int cap = READ_ONCE(max_map_order);

	if (!capped)
		return orders | PUDGE_MAP_ORDER_PTE;
	if (cap < 63)
		orders &= GENMASK_ULL(cap, 0);
	orders &= ~(pudge_hazard_orders() & ~(u64)READ_ONCE(unsafe_orders));
	return orders | PUDGE_MAP_ORDER_PTE;
}
