// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Where mmap() puts a BO: at a user address congruent to the BO's VRAM
 * alignment, so that huge entries are possible at all (they need the user
 * and the physical address aligned alike).  pudge_vram_mgr hands out
 * naturally aligned power-of-two blocks, largest first, so a BO's offset 0
 * sits on a boundary of min(size rounded up to a power of two, 1 GiB);
 * aligning the user address the same way also keeps a BO of up to 1 GiB
 * inside one PUD's worth of address space, which lets one fault map it
 * whole.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "pudge_compat.h"
#include "pudge_ttm_mmap.h"

static unsigned long pudge_ttm_mmap_align(u64 size, u64 orders)
{
	if ((orders & BIT_ULL(PMD_SHIFT - PAGE_SHIFT)) && size >= SZ_2M)
		return min_t(u64, roundup_pow_of_two(size), SZ_1G);
	if ((orders & BIT_ULL(PUD_SHIFT - PAGE_SHIFT)) && size >= SZ_1G)
		return SZ_1G;
	return 0;
}

/**
 * pudge_ttm_get_unmapped_area() - file_operations.get_unmapped_area for a
 * DRM file whose BOs live in pudge_vram_mgr
 * @filp: the DRM file
 * @uaddr: the caller's hint
 * @len: bytes to map
 * @pgoff: the fake offset, in pages
 * @flags: mmap flags
 * @orders: the entry orders the driver will map with (bit n: order n)
 *
 * Return: a user address, or a negative errno cast to unsigned long.
 */
unsigned long pudge_ttm_get_unmapped_area(struct file *filp, unsigned long uaddr,
					  unsigned long len, unsigned long pgoff,
					  unsigned long flags, u64 orders)
{
	struct drm_file *priv = filp->private_data;
	struct drm_vma_offset_manager *mgr = priv->minor->dev->vma_offset_manager;
	struct drm_vma_offset_node *node;
	unsigned long align = 0, off = 0, addr;

	if (!(flags & MAP_FIXED)) {
		drm_vma_offset_lock_lookup(mgr);
		node = drm_vma_offset_lookup_locked(mgr, pgoff, len >> PAGE_SHIFT);
		if (node) {
			struct drm_gem_object *obj =
				container_of(node, struct drm_gem_object, vma_node);

			align = pudge_ttm_mmap_align(min_t(u64, obj->size, len), orders);
			off = (pgoff - drm_vma_node_start(node)) << PAGE_SHIFT;
		}
		drm_vma_offset_unlock_lookup(mgr);
	}

	if (align && len + align > len) {
		addr = pudge_mm_get_unmapped_area(filp, uaddr, len + align, pgoff, flags);
		if (!IS_ERR_VALUE(addr))
			return addr + ((off - addr) & (align - 1));
	}
	return pudge_mm_get_unmapped_area(filp, uaddr, len, pgoff, flags);
}
