// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A TTM fault handler that maps a whole contiguous run of io memory per
 * fault, with the largest entries the alignment allows.  The driver only
 * says which run holds the faulting page (struct pudge_ttm_fault_ops);
 * locking, placement checks and system-memory faults stay TTM's.
 */
#include <linux/mm.h>
#include <drm/drm_drv.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_resource.h>

#include "pudge_ttm_fault.h"

static vm_fault_t pudge_ttm_fault_iomem(struct vm_fault *vmf, unsigned int order,
					const struct pudge_ttm_fault_ops *ops,
					struct pudge_insert_counts *cnt)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ttm_buffer_object *bo = vma->vm_private_data;
	u64 vma_first = vma->vm_pgoff - drm_vma_node_start(&bo->base.vma_node);
	u64 vma_npages = vma_pages(vma);
	u64 page = vma_first + ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	struct pudge_plan_req req;
	struct pudge_run run;
	u64 first, last;
	pgprot_t prot;

	if (page >= PFN_UP(bo->base.size))
		return VM_FAULT_SIGBUS;
	if (ttm_mem_io_reserve(bo->bdev, bo->resource))
		return VM_FAULT_SIGBUS;
	if (ops->find_run(bo, page, &run))
		return VM_FAULT_SIGBUS;

	/* Clip the run to the pages this VMA maps, so no address wraps. */
	first = max(run.page, vma_first);
	last = min(run.page + run.npages, vma_first + vma_npages);
	req.vma_start = vma->vm_start;
	req.vma_end = vma->vm_end;
	req.run_va = vma->vm_start + ((first - vma_first) << PAGE_SHIFT);
	req.run_pa = run.pa + ((first - run.page) << PAGE_SHIFT);
	req.run_len = (last - first) << PAGE_SHIFT;
	req.orders = ops->orders(bo);

	prot = pgprot_decrypted(ttm_io_prot(bo, bo->resource, vma->vm_page_prot));
	return pudge_vmf_insert_range(vmf, order, &req, prot, cnt);
}

/**
 * pudge_ttm_bo_vm_fault() - ->fault and ->huge_fault for TTM BO mappings
 * @vmf: the fault
 * @order: 0 from ->fault, else the order ->huge_fault was called with
 * @ops: the driver's run lookup and usable orders
 * @cnt: entries inserted are added here
 *
 * For io memory (VRAM) the whole run that holds the faulting page is
 * mapped, as far as it lies inside the VMA; see pudge_vmf_insert_range().
 * System memory is left to TTM (PTEs) and huge faults on it fall back.
 * After the device is unplugged, faults map TTM's dummy page.
 *
 * Return: a vm_fault_t for the core.
 */
vm_fault_t pudge_ttm_bo_vm_fault(struct vm_fault *vmf, unsigned int order,
				 const struct pudge_ttm_fault_ops *ops,
				 struct pudge_insert_counts *cnt)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ttm_buffer_object *bo = vma->vm_private_data;
	vm_fault_t ret;
	int idx;

	ret = ttm_bo_vm_reserve(bo, vmf);
	if (ret)
		return ret;

	if (!drm_dev_enter(bo->base.dev, &idx)) {
		ret = order ? VM_FAULT_FALLBACK :
			ttm_bo_vm_dummy_page(vmf, vma->vm_page_prot);
	} else {
		if (!bo->resource)
			ret = VM_FAULT_SIGBUS;
		else if (!ttm_manager_type(bo->bdev, bo->resource->mem_type)->use_tt)
			ret = pudge_ttm_fault_iomem(vmf, order, ops, cnt);
		else if (order)
			ret = VM_FAULT_FALLBACK;
		else
			ret = ttm_bo_vm_fault_reserved(vmf, vma->vm_page_prot,
						       TTM_BO_VM_NUM_PREFAULT);
		drm_dev_exit(idx);
	}

	/* TTM dropped the reservation itself when it asks for a retry. */
	if (ret == VM_FAULT_RETRY && !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT))
		return ret;
	dma_resv_unlock(bo->base.resv);
	return ret;
}
