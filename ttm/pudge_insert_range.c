// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Map a whole physically contiguous range from one fault (seed 004's
 * vmf_insert_range): the driver says what it can map, the planner picks
 * the entry sizes, and this inserts them with the core's own
 * vmf_insert_pfn{,_pmd,_pud}(), so every entry is a special pfnmap entry
 * that GUP-fast and every pinning path refuse.
 *
 * The core hands the fault handler page-table pointers only for the
 * faulting address, and modules cannot allocate page-table levels.  Other
 * entries are therefore inserted where their level already exists: PUD
 * entries anywhere under the same PUD table, PMD entries under any PUD
 * that points to a PMD table, PTEs anywhere (vmf_insert_pfn_prot()
 * allocates what it needs).  A huge entry whose table is missing, or whose
 * slot is already in use, is left to the fault that touches it.  Entries
 * other than the faulting one never report errors, as TTM's prefaulting
 * does not.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pgtable.h>
#include <asm/cpufeature.h>

#include "pudge_compat.h"
#include "pudge_insert_range.h"
#include "pudge_ttm_trace.h"

static pud_t *pudge_pud_walk(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;

	if (pgd_none(READ_ONCE(*pgd)))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)))
		return NULL;
	return pud_offset(p4d, addr);
}

static pmd_t *pudge_pmd_walk(struct mm_struct *mm, unsigned long addr)
{
	pud_t *pud = pudge_pud_walk(mm, addr);
	pud_t val;

	if (!pud)
		return NULL;
	val = READ_ONCE(*pud);
	if (!pud_present(val) || pud_leaf(val))
		return NULL;
	return pmd_offset(pud, addr);
}

/* Is addr covered by a huge entry already (of an earlier placement)? */
static bool pudge_huge_mapped(struct mm_struct *mm, unsigned long addr)
{
	pud_t *pud = pudge_pud_walk(mm, addr);
	pud_t val;

	if (!pud)
		return false;
	val = READ_ONCE(*pud);
	if (pud_leaf(val))
		return true;
	if (!pud_present(val))
		return false;
	return pmd_leaf(READ_ONCE(*pmd_offset(pud, addr)));
}

/*
 * Insert one entry.  @at_fault: this is the entry of the faulting address;
 * @huge_in_way: (PTEs) the 2 MiB block holding @addr is mapped huge already.
 */
static vm_fault_t pudge_insert_one(struct vm_fault *vmf, unsigned long addr,
				   unsigned long pfn, unsigned int order,
				   bool at_fault, bool huge_in_way, pgprot_t prot,
				   struct pudge_insert_counts *cnt)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = at_fault && (vmf->flags & FAULT_FLAG_WRITE);
	struct vm_fault at = {
		.vma = vma,
		.address = addr,
		.flags = vmf->flags,
	};
	vm_fault_t ret;

	/*
	 * The core looked at the faulting address's entry before the fault
	 * handler took the BO's reservation.  Another fault may have mapped
	 * that address since, with entries of another size (the BO moved in
	 * between): a page table where a huge entry was to go sends the core
	 * to the next level down; a huge entry where a PTE was to go already
	 * serves the access.  (vmf_insert_pfn_pmd() would warn over a page
	 * table, and vmf_insert_pfn_prot() under a huge entry reports
	 * VM_FAULT_OOM.)
	 */
	switch (order) {
	case PUDGE_ORDER_PUD: {
		pud_t val;

		at.pud = at_fault ? vmf->pud : pudge_pud_walk(vma->vm_mm, addr);
		if (!at.pud)
			return VM_FAULT_NOPAGE;
		val = READ_ONCE(*at.pud);
		if (!at_fault && !pud_none(val))
			return VM_FAULT_NOPAGE;
		if (pud_present(val) && !pud_leaf(val))
			return VM_FAULT_FALLBACK;
		ret = pudge_vmf_insert_pfn_pud(&at, pfn, write);
		if (ret == VM_FAULT_NOPAGE)
			cnt->pud++;
		return ret;
	}
	case PUDGE_ORDER_PMD: {
		pmd_t val;

		at.pmd = at_fault ? vmf->pmd : pudge_pmd_walk(vma->vm_mm, addr);
		if (!at.pmd)
			return VM_FAULT_NOPAGE;
		val = pmdp_get_lockless(at.pmd);
		if (!at_fault && !pmd_none(val))
			return VM_FAULT_NOPAGE;
		if (pmd_present(val) && !pmd_leaf(val))
			return VM_FAULT_FALLBACK;
		ret = pudge_vmf_insert_pfn_pmd(&at, pfn, write);
		if (ret == VM_FAULT_NOPAGE)
			cnt->pmd++;
		return ret;
	}
	default:
		if (at_fault)
			huge_in_way = pudge_huge_mapped(vma->vm_mm, addr);
		if (huge_in_way)
			return VM_FAULT_NOPAGE;
		ret = vmf_insert_pfn_prot(vma, addr, pfn, prot);
		if (ret == VM_FAULT_NOPAGE)
			cnt->pte++;
		return ret;
	}
}

static vm_fault_t pudge_insert_plan(struct vm_fault *vmf, const struct pudge_plan *plan,
				    pgprot_t prot, struct pudge_insert_counts *cnt)
{
	unsigned long fault = vmf->address;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	bool huge_in_way = false;
	unsigned int s;

	for (s = 0; s < plan->nr; s++) {
		const struct pudge_plan_seg *seg = &plan->seg[s];
		unsigned long size = PAGE_SIZE << seg->order;
		u64 i;

		trace_pudge_insert(seg->va, seg->pa, seg->order, seg->count);
		for (i = 0; i < seg->count; i++) {
			unsigned long addr = seg->va + i * size;
			unsigned long pfn = (seg->pa >> PAGE_SHIFT) + (i << seg->order);
			bool at_fault = fault >= addr && fault - addr < size;
			vm_fault_t r;

			/* Walk for a huge entry once per 2 MiB block, not per PTE. */
			if (!seg->order && (!i || !(addr & ~PMD_MASK)))
				huge_in_way = pudge_huge_mapped(vmf->vma->vm_mm, addr);
			r = pudge_insert_one(vmf, addr, pfn, seg->order, at_fault,
					     huge_in_way, prot, cnt);
			if (at_fault)
				ret = r;
		}
		cond_resched();
	}
	return ret;
}

/**
 * pudge_vmf_insert_range() - map a contiguous range from one fault
 * @vmf: the fault, from ->fault (@order 0) or ->huge_fault
 * @order: the entry order the core asks for at @vmf->address
 * @req: the VMA, the physically contiguous run and the usable orders
 * @prot: page protection for PTEs (huge entries take the VMA's, adjusted
 *	by the core to the memory type of the pfn)
 * @cnt: entries inserted are added here
 *
 * If the plan maps @vmf->address with an entry smaller than @order, the
 * core is told to fall back.  If it maps it with a larger entry, the core
 * found that level in use (a page table left by an earlier mapping), so
 * only the region of that larger entry is mapped, with entries of at most
 * @order.  Otherwise the whole plan is inserted.
 *
 * Return: VM_FAULT_NOPAGE, VM_FAULT_FALLBACK, or the error of the entry at
 * the faulting address.
 */
vm_fault_t pudge_vmf_insert_range(struct vm_fault *vmf, unsigned int order,
				  const struct pudge_plan_req *req, pgprot_t prot,
				  struct pudge_insert_counts *cnt)
{
	const struct pudge_plan_seg *seg;
	struct pudge_plan plan;

	if (pudge_plan_range(req, &plan))
		return VM_FAULT_SIGBUS;
	seg = pudge_plan_find(&plan, vmf->address);
	if (!seg)
		return VM_FAULT_SIGBUS;
	if (seg->order < order)
		return VM_FAULT_FALLBACK;
	if (seg->order > order) {
		unsigned long size = PAGE_SIZE << seg->order;
		unsigned long start = vmf->address & ~(size - 1);
		struct pudge_plan_req sub = *req;

		sub.vma_start = max_t(u64, req->vma_start, start);
		sub.vma_end = min_t(u64, req->vma_end, start + size);
		sub.orders &= (2ull << order) - 1;
		if (pudge_plan_range(&sub, &plan))
			return VM_FAULT_SIGBUS;
	}
	return pudge_insert_plan(vmf, &plan, prot, cnt);
}

/**
 * pudge_insert_range_orders() - the entry orders pudge_vmf_insert_range()
 * can insert on the running kernel and CPU
 *
 * A huge entry that maps memory without struct pages is only safe when it
 * carries the special bit, so that GUP-fast and every pinning path refuse
 * it (the bug that removed ttm_bo_vm_insert_huge() in v5.16).  Kernels
 * since v6.12 ("mm: Support huge pfnmaps") have that bit at the PMD and PUD
 * level where the architecture selects ARCH_SUPPORTS_{PMD,PUD}_PFNMAP;
 * without it only PTEs are inserted.  Boot-time facts: callers may keep
 * the result.
 *
 * Return: bit n set for entries of order n (PAGE_SIZE << n bytes); bit 0
 * is always set.
 */
u64 pudge_insert_range_orders(void)
{
	u64 orders = BIT_ULL(0);

#if defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) && defined(CONFIG_TRANSPARENT_HUGEPAGE)
	if (has_transparent_hugepage())
		orders |= BIT_ULL(PMD_SHIFT - PAGE_SHIFT);
#endif
#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
	/* 1 GiB user entries need the CPU's 1 GiB page support. */
	if (has_transparent_hugepage() && boot_cpu_has(X86_FEATURE_GBPAGES))
		orders |= BIT_ULL(PUD_SHIFT - PAGE_SHIFT);
#endif
	return orders;
}
