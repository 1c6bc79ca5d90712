// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Where mmap() puts a BO: at a user address congruent to the BO's VRAM
 * alignment, so that huge entries are possible at all (they need the user
 * and the physical address aligned alike).  VRAM blocks are naturally
 * aligned powers of two, largest first, so the BO's offset 0 sits on a
 * boundary of min(size rounded up to a power of two, 1 GiB); aligning the
 * user address the same way also keeps a BO of up to 1 GiB inside one
 * PUD's worth of address space, which lets one fault map it whole.
 *
 * Also which BO an mmap() maps: DRM's drm_gem_mmap() accepts only a BO's
 * exact fake offset, pudge any page range inside a BO, so that part of a
 * BO can be mapped from an offset (TTM's fault path handles that already).
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "pudge_compat.h"
#include "pudge_drv.h"
#include "pudge_drm.h"

static unsigned long pudge_mmap_align(u64 size)
{
	u64 orders = pudge_map_orders(true);

	if ((orders & PUDGE_MAP_ORDER_PMD) && size >= SZ_2M)
		return min_t(u64, roundup_pow_of_two(size), SZ_1G);
	if ((orders & PUDGE_MAP_ORDER_PUD) && size >= SZ_1G)
		return SZ_1G;
	return 0;
}

/**
 * pudge_get_unmapped_area() - file_operations.get_unmapped_area
 * @filp: the DRM file
 * @uaddr: the caller's hint
 * @len: bytes to map
 * @pgoff: the fake offset, in pages
 * @flags: mmap flags
 *
 * Return: a user address, or a negative errno cast to unsigned long.
 */
unsigned long pudge_get_unmapped_area(struct file *filp, unsigned long uaddr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags)
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

			align = pudge_mmap_align(min_t(u64, obj->size, len));
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

/**
 * pudge_mmap() - file_operations.mmap: map all or part of a BO
 * @filp: the DRM file
 * @vma: the new mapping; vm_pgoff is a fake offset inside some BO
 *
 * Return: 0, -EINVAL when the range is not inside one BO, -EACCES when the
 * BO is not the caller's, -ENODEV after unplug, or drm_gem_mmap_obj()'s
 * error (-EINVAL for private mappings).
 */
int pudge_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct drm_file *priv = filp->private_data;
	struct drm_device *dev = priv->minor->dev;
	struct drm_vma_offset_manager *mgr = dev->vma_offset_manager;
	struct drm_gem_object *obj = NULL;
	struct drm_vma_offset_node *node;
	int ret;

	if (drm_dev_is_unplugged(dev))
		return -ENODEV;

	drm_vma_offset_lock_lookup(mgr);
	node = drm_vma_offset_lookup_locked(mgr, vma->vm_pgoff, vma_pages(vma));
	if (node) {
		obj = container_of(node, struct drm_gem_object, vma_node);
		if (!kref_get_unless_zero(&obj->refcount))
			obj = NULL;
	}
	drm_vma_offset_unlock_lookup(mgr);
	if (!obj)
		return -EINVAL;

	if (drm_vma_node_is_allowed(node, priv))
		ret = drm_gem_mmap_obj(obj, drm_vma_node_size(node) << PAGE_SHIFT, vma);
	else
		ret = -EACCES;
	drm_gem_object_put(obj);
	return ret;
}
