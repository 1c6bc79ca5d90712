// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A TTM fault handler that maps a whole physically contiguous run per
 * fault, with the largest entries the alignment allows: of io memory
 * (VRAM), where the driver says which run holds the faulting page (struct
 * pudge_ttm_fault_ops), and of system memory, where the run is found in
 * the TT's page array (TTM's pool hands out up to 4 MiB at a time, so a
 * 2 MiB-aligned half of such a block maps with one PMD entry).  Locking,
 * placement checks and populating stay TTM's.
 */
#include <linux/mm.h>
#include <drm/drm_drv.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_resource.h>
#include <drm/ttm/ttm_tt.h>

#include "pudge_compat.h"
#include "pudge_ttm_fault.h"

/* The BO page @vmf faults on. */
static u64 pudge_fault_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ttm_buffer_object *bo = vma->vm_private_data;

	return vma->vm_pgoff - drm_vma_node_start(&bo->base.vma_node) +
	       ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
}

/* Map @run, which holds the faulting page, as far as the VMA maps it. */
static vm_fault_t pudge_ttm_fault_run(struct vm_fault *vmf, unsigned int order,
				      const struct pudge_run *r, u64 orders,
				      pgprot_t prot, struct pudge_insert_counts *cnt)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ttm_buffer_object *bo = vma->vm_private_data;
	u64 vma_first = vma->vm_pgoff - drm_vma_node_start(&bo->base.vma_node);
	u64 vma_npages = vma_pages(vma);
	struct pudge_run run = *r;
	struct pudge_plan_req req;
	u64 first, last;

	/* Clip the run to the pages this VMA maps, so no address wraps. */
	first = max(run.page, vma_first);
	last = min(run.page + run.npages, vma_first + vma_npages);
	req.vma_start = vma->vm_start;
	req.vma_end = vma->vm_end;
	req.run_va = vma->vm_start + ((first - vma_first) << PAGE_SHIFT);
	req.run_pa = run.pa + ((first - run.page) << PAGE_SHIFT);
	req.run_len = (last - first) << PAGE_SHIFT;
	req.orders = orders;
	return pudge_vmf_insert_range(vmf, order, &req, prot, cnt);
}

static vm_fault_t pudge_ttm_fault_iomem(struct vm_fault *vmf, unsigned int order,
					const struct pudge_ttm_fault_ops *ops,
					struct pudge_insert_counts *cnt)
{
	struct ttm_buffer_object *bo = vmf->vma->vm_private_data;
	u64 page = pudge_fault_page(vmf);
	struct pudge_run run;
	pgprot_t prot;

	if (page >= PFN_UP(bo->base.size))
		return VM_FAULT_SIGBUS;
	if (ops->find_run(bo, page, &run))
		return VM_FAULT_SIGBUS;
	/* Io memory is never encrypted, as in ttm_bo_vm_fault_reserved(). */
	prot = pgprot_decrypted(ttm_io_prot(bo, bo->resource, vmf->vma->vm_page_prot));
	return pudge_ttm_fault_run(vmf, order, &run, ops->orders(bo), prot, cnt);
}

/*
 * The run of physically contiguous pages of @tt around @page, looked for
 * inside the 1 GiB-aligned window of BO pages that holds @page (no entry
 * is larger), so that a fault costs at most one walk of that window.
 */
static void pudge_tt_find_run(struct ttm_tt *tt, u64 page, struct pudge_run *run)
{
	const u64 window = PUD_SIZE >> PAGE_SHIFT;
	u64 lo = page, hi = page + 1, wlo = ALIGN_DOWN(page, window);
	u64 whi = min_t(u64, tt->num_pages, wlo + window);
	unsigned long pfn = page_to_pfn(tt->pages[page]);

	while (lo > wlo && page_to_pfn(tt->pages[lo - 1]) == pfn - (page - lo) - 1)
		lo--;
	while (hi < whi && page_to_pfn(tt->pages[hi]) == pfn + (hi - page))
		hi++;
	run->page = lo;
	run->pa = PFN_PHYS(pfn - (page - lo));
	run->npages = hi - lo;
}

/*
 * System memory: populate the TT as TTM does, then map the contiguous run
 * of pages around the faulting one with special entries, as for io
 * memory (so GUP refuses them alike).  Pages TTM does not own (imported
 * sg tables) stay with TTM's fault path.
 */
static vm_fault_t pudge_ttm_fault_tt(struct vm_fault *vmf, unsigned int order,
				     const struct pudge_ttm_fault_ops *ops,
				     struct pudge_insert_counts *cnt)
{
	struct ttm_buffer_object *bo = vmf->vma->vm_private_data;
	struct ttm_operation_ctx ctx = {
		.interruptible = true,
		.no_wait_gpu = false,
	};
	u64 page = pudge_fault_page(vmf);
	struct pudge_run run;
	pgprot_t prot;
	int err;

	if (!bo->ttm || (bo->ttm->page_flags & TTM_TT_FLAG_EXTERNAL))
		return order ? VM_FAULT_FALLBACK :
			ttm_bo_vm_fault_reserved(vmf, vmf->vma->vm_page_prot,
						 TTM_BO_VM_NUM_PREFAULT);
	if (page >= PFN_UP(bo->base.size) || page >= bo->ttm->num_pages)
		return VM_FAULT_SIGBUS;
	err = pudge_ttm_bo_populate(bo, &ctx);
	if (err == -EINTR || err == -ERESTARTSYS || err == -EAGAIN)
		return VM_FAULT_NOPAGE;
	if (err)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;

	pudge_tt_find_run(bo->ttm, page, &run);
	prot = ttm_io_prot(bo, bo->resource, vmf->vma->vm_page_prot);
	return pudge_ttm_fault_run(vmf, order, &run, ops->orders(bo), prot, cnt);
}

/*
 * ->huge_fault may run under the per-VMA lock: create_huge_pud() and
 * create_huge_pmd() call it without the vmf_can_call_fault() check that
 * sends ->fault back to the mmap_lock.  ttm_bo_vm_reserve() waits for a
 * contended reservation by dropping the mmap_lock, which is not held then
 * (a rwsem WARNING and a corrupted mmap_lock).  Under the VMA lock only try
 * the reservation; on contention release the VMA lock and let the core
 * retry the fault under the mmap_lock, where TTM's wait is correct.
 */
static vm_fault_t pudge_ttm_bo_vm_reserve(struct ttm_buffer_object *bo,
					  struct vm_fault *vmf)
{
	if (!(vmf->flags & FAULT_FLAG_VMA_LOCK))
		return ttm_bo_vm_reserve(bo, vmf);
	if (dma_resv_trylock(bo->base.resv))
		return 0;
	release_fault_lock(vmf);
	return VM_FAULT_RETRY;
}

/**
 * pudge_ttm_bo_vm_fault() - ->fault and ->huge_fault for TTM BO mappings
 * @vmf: the fault
 * @order: 0 from ->fault, else the order ->huge_fault was called with
 * @ops: the driver's run lookup and usable orders
 * @cnt: entries inserted are added here
 *
 * The whole physically contiguous run that holds the faulting page is
 * mapped, as far as it lies inside the VMA, of io memory (VRAM) and of
 * system memory alike; see pudge_vmf_insert_range().
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

	ret = pudge_ttm_bo_vm_reserve(bo, vmf);
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
		else
			ret = pudge_ttm_fault_tt(vmf, order, ops, cnt);
		drm_dev_exit(idx);
	}

	/* TTM dropped the reservation itself when it asks for a retry. */
	if (ret == VM_FAULT_RETRY && !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT))
		return ret;
	dma_resv_unlock(bo->base.resv);
	return ret;
}

/*
 * Zap the 1 GiB-aligned parts of [@start, @end) of @vma; the pages fault
 * back with entries that fit whatever the VMA becomes.  The VMA is
 * write-locked first: a fault under the per-VMA lock (which does not take
 * the mmap_lock that the caller holds for writing) could otherwise put a
 * 1 GiB entry back before the core has finished with the range.
 */
static void pudge_ttm_zap_puds(struct vm_area_struct *vma, unsigned long start,
			       unsigned long end)
{
	start = max(vma->vm_start, start);
	end = min(vma->vm_end, end);
	if (start >= end)
		return;
	vma_start_write(vma);
	pudge_zap_vma_range(vma, start, end - start);
}

/**
 * pudge_ttm_bo_vm_may_split() - ->may_split: clear 1 GiB entries at @addr
 * @vma: the VMA about to be split at @addr (mmap lock held for writing)
 * @addr: where it is split
 *
 * When a VMA is split (munmap, mprotect, mremap, madvise of a part), the
 * core splits a huge PMD straddling the split point, but not a huge PUD:
 * vma_adjust_trans_huge() looks the address up with mm_find_pmd(), which
 * takes pmd_offset() of a leaf PUD and then locks a "page table" that is
 * VRAM (seen as an oops in __split_huge_pmd() on 7.2).  So pudge zaps the
 * 1 GiB-aligned region around @addr first.  __split_vma() calls this
 * before it write-locks the VMA, so the zap write-locks it itself.
 *
 * Return: 0: the split may go ahead.
 */
int pudge_ttm_bo_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	if (IS_ALIGNED(addr, PUD_SIZE))
		return 0;
	pudge_ttm_zap_puds(vma, ALIGN_DOWN(addr, PUD_SIZE), ALIGN(addr, PUD_SIZE));
	return 0;
}

/* Whether a leaf (1 GiB) entry maps @addr of @mm. */
static bool pudge_pud_leaf_at(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;

	if (pgd_none(READ_ONCE(*pgd)))
		return false;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)))
		return false;
	return pud_leaf(READ_ONCE(*pud_offset(p4d, addr)));
}

/**
 * pudge_ttm_bo_vm_open() - ->open: ttm_bo_vm_open(), and no 1 GiB entry
 * left where the core is about to move or split page tables
 * @vma: a new VMA of a BO: a copy for mremap() (copy_vma()), the new part
 *	of a split VMA, or a child's VMA in fork()
 *
 * mremap() moves page tables with move_page_tables(), whose get_old_pud()
 * runs pud_none_or_clear_bad() before any leaf check; x86's pud_bad() is
 * true for a leaf PUD, so a 1 GiB entry is "cleared as bad" without a TLB
 * flush and the old address keeps reading VRAM through a stale TLB entry.
 * copy_vma() calls ->open on the new VMA before it moves anything, with
 * the mmap_lock held for writing: pudge zaps, with a flush, the 1 GiB
 * entries of the caller's other VMAs of the same BO (the old VMA is one of
 * them), and the move then finds 2 MiB and 4 KiB entries, which it moves
 * correctly.  fork() (another mm) copies leaf PUDs correctly and is left
 * alone.
 */
void pudge_ttm_bo_vm_open(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *other;
	struct vma_iterator vmi;
	unsigned long addr;

	ttm_bo_vm_open(vma);
	if (mm != current->mm)
		return;
	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, other) {
		if (other == vma || other->vm_ops != vma->vm_ops ||
		    other->vm_private_data != vma->vm_private_data)
			continue;
		for (addr = ALIGN(other->vm_start, PUD_SIZE);
		     addr + PUD_SIZE <= other->vm_end; addr += PUD_SIZE)
			if (pudge_pud_leaf_at(mm, addr))
				pudge_ttm_zap_puds(other, addr, addr + PUD_SIZE);
	}
}
