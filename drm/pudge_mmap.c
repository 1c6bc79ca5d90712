// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Which BO an mmap() maps: DRM's drm_gem_mmap() accepts only a BO's exact
 * fake offset, pudge any page range inside a BO, so that part of a BO can
 * be mapped from an offset (TTM's fault path handles that already).  And
 * where it goes: at the address ttm/pudge_ttm_mmap.c aligns for the entry
 * sizes in use.
 */
#include <linux/mm.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "pudge_drv.h"
#include "pudge_ttm_mmap.h"

/**
 * pudge_get_unmapped_area() - file_operations.get_unmapped_area
 * @filp: the DRM file
 * @uaddr: the caller's hint
 * @len: bytes to map
 * @pgoff: the fake offset, in pages
 * @flags: mmap flags
 *
 * Return: a user address aligned for the entry sizes in use now, or a
 * negative errno cast to unsigned long.
 */
unsigned long pudge_get_unmapped_area(struct file *filp, unsigned long uaddr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags)
{
	return pudge_ttm_get_unmapped_area(filp, uaddr, len, pgoff, flags,
					   pudge_map_orders(true));
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
