// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CPU mappings of pudge buffer objects: the fault handler (the whole-run
 * helper of ttm/ with pudge's entry orders and counters) and GEM's mmap,
 * for mappings made through the DRM file and through a dma-buf of the BO.
 *
 * TTM finds a BO's mappings through the DRM device's address space
 * (bdev->dev_mapping): a move or an unplug zaps them with
 * unmap_mapping_range().  A dma-buf mapping is in that address space too:
 * DRM gives an exported dma-buf's file the device's mapping
 * (drm_gem_dmabuf_export()), so it needs nothing of its own here
 * (pudge_prime@dmabuf-mmap-migrate and @unbind check that it is zapped).
 */
#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_vma_manager.h>

#include "pudge_bo.h"
#include "pudge_compat.h"
#include "pudge_trace.h"
#include "pudge_ttm_fault.h"

static int pudge_bo_find_run(struct ttm_buffer_object *tbo, u64 page,
			     struct pudge_run *run)
{
	const struct pudge_run *r = pudge_vram_find_run(tbo->resource, page);

	if (!r)
		return -EINVAL;
	*run = *r;
	return 0;
}

static u64 pudge_bo_orders(struct ttm_buffer_object *tbo)
{
	return pudge_map_orders(true);
}

static const struct pudge_ttm_fault_ops pudge_fault_ops = {
	.find_run = pudge_bo_find_run,
	.orders = pudge_bo_orders,
};

static void pudge_count(struct pudge_counters *c, vm_fault_t ret,
			const struct pudge_insert_counts *cnt)
{
	if (ret == VM_FAULT_FALLBACK)
		atomic64_inc(&c->fallbacks);
	else if (ret & VM_FAULT_NOPAGE)
		atomic64_inc(&c->faults);
	atomic64_add(cnt->pud, &c->pud_inserted);
	atomic64_add(cnt->pmd, &c->pmd_inserted);
	atomic64_add(cnt->pte, &c->pte_inserted);
}

static vm_fault_t pudge_bo_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct ttm_buffer_object *tbo = vmf->vma->vm_private_data;
	struct pudge_device *pudge = bdev_to_pudge(tbo->bdev);
	struct pudge_insert_counts cnt = { };
	vm_fault_t ret;

	ret = pudge_ttm_bo_vm_fault(vmf, order, &pudge_fault_ops, &cnt);
	trace_pudge_fault(vmf->address, order, ret, cnt.pud, cnt.pmd, cnt.pte);
	/*
	 * VM_FAULT_RETRY: the fault lock was dropped while the BO was busy,
	 * so the VMA and the BO may be gone by now (another thread unmapped
	 * and closed it), and nothing was inserted: touch neither.
	 */
	if (ret & VM_FAULT_RETRY)
		return ret;
	pudge_count(&pudge->stats, ret, &cnt);
	pudge_count(&to_pudge_bo(tbo)->stats, ret, &cnt);
	return ret;
}

static vm_fault_t pudge_bo_fault(struct vm_fault *vmf)
{
	return pudge_bo_huge_fault(vmf, 0);
}

/**
 * pudge_bo_vm_ops - the vm_operations of every CPU mapping of a pudge BO,
 * through the DRM file or a dma-buf
 */
const struct vm_operations_struct pudge_bo_vm_ops = {
	.fault = pudge_bo_fault,
#ifdef CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP
	.huge_fault = pudge_bo_huge_fault,
#endif
	.may_split = pudge_ttm_bo_vm_may_split,
	.open = pudge_ttm_bo_vm_open,
	.close = ttm_bo_vm_close,
	.access = ttm_bo_vm_access,
};

PUDGE_MODULE_IMPORT_NS_DMA_BUF();

/*
 * An imported BO's pages are its exporter's: map them through the
 * exporter, as drm_gem_shmem does.  Only whole from its start (or a
 * prefix): exporters do not all honour an offset (drm_gem_shmem's fault
 * handler counts pages from the start of the VMA), and pudge cannot tell
 * which do.
 */
static int pudge_gem_mmap_imported(struct drm_gem_object *obj,
				   struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff - drm_vma_node_start(&obj->vma_node);
	int ret;

	if (pgoff)
		return -EINVAL;
	vma->vm_private_data = NULL;
	vma->vm_ops = NULL;
	/*
	 * The attachment's dma-buf, not obj->dma_buf: closing the last handle
	 * clears the latter while this mmap may still be on its way.
	 */
	ret = dma_buf_mmap(pudge_gem_import_dmabuf(obj), vma, pgoff);
	/* The exporter's mapping holds the dma-buf: drop drm_gem_mmap_obj()'s reference. */
	if (!ret)
		drm_gem_object_put(obj);
	return ret;
}

/**
 * pudge_gem_mmap() - drm_gem_object_funcs.mmap: map a BO or part of it
 * @obj: the BO
 * @vma: the new mapping; vm_pgoff is the fake offset of its first page
 *
 * Called for mmap() of the DRM file (drm_gem_mmap_obj()) and of a dma-buf
 * of the BO (drm_gem_prime_mmap()); both hold a GEM reference for the
 * mapping.
 *
 * Return: 0, or a negative errno.
 */
int pudge_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	if (pudge_gem_is_imported(obj))
		return pudge_gem_mmap_imported(obj, vma);
	/* ttm_bo_mmap_obj() keeps vm_ops set before it. */
	vma->vm_ops = &pudge_bo_vm_ops;
	return drm_gem_ttm_mmap(obj, vma);
}
