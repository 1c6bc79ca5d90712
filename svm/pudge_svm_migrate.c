// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Moving process memory between system memory and VRAM with the kernel's
 * migrate_vma: into VRAM and back by SVM_MIGRATE, back on a CPU fault
 * (migrate_to_ram), back by pfn range when VRAM is reclaimed for buffer
 * objects or the device goes away.  The CPU page tables keep the only
 * record of where a page is: a device-private swap entry while in VRAM.
 */
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/hmm.h>
#include <linux/huge_mm.h>
#include <linux/io.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "pudge_svm_internal.h"
#include "pudge_svm_trace.h"

#if PUDGE_SVM

/* Windows of at most 2 MiB, 2 MiB-aligned: one THP at most, at index 0. */
#define PUDGE_SVM_WINDOW	HPAGE_PMD_NR

/**
 * struct pudge_svm_window - scratch space of one SVM_MIGRATE call
 * @src: migrate_vma source entries
 * @dst: migrate_vma destination entries
 * @pfns: hmm_range_fault() output, to say why pages did not move
 * @moved: pages of the window that moved
 * @no_room: pages that got no destination page
 * @shared: pages left alone because another process maps them too
 * @client: the DRM file the new device pages are counted to (fdinfo)
 */
struct pudge_svm_window {
	unsigned long src[PUDGE_SVM_WINDOW];
	unsigned long dst[PUDGE_SVM_WINDOW];
	unsigned long pfns[PUDGE_SVM_WINDOW];
	DECLARE_BITMAP(moved, PUDGE_SVM_WINDOW);
	DECLARE_BITMAP(no_room, PUDGE_SVM_WINDOW);
	DECLARE_BITMAP(shared, PUDGE_SVM_WINDOW);
	struct pudge_svm_client *client;
};

static struct page *pudge_nth_page(struct page *page, unsigned long n)
{
	return pfn_to_page(page_to_pfn(page) + n);
}

/*
 * @dst or @src NULL: pudge_svm_page_vram() found the pool corrupt and
 * warned; copy nothing rather than touch another owner's VRAM.
 */
static void pudge_svm_copy_to_vram(void __iomem *dst, struct page *src)
{
	void *s;

	if (!dst)
		return;
	s = kmap_local_page(src);

	memcpy_toio(dst, s, PAGE_SIZE);
	kunmap_local(s);
}

static void pudge_svm_copy_from_vram(struct page *dst, const void __iomem *src)
{
	void *d = kmap_local_page(dst);

	if (src)
		memcpy_fromio(d, src, PAGE_SIZE);
	else
		memset(d, 0, PAGE_SIZE);
	kunmap_local(d);
}

/* Drop destination device pages allocated for a move that cannot happen. */
static void pudge_svm_drop_dst(unsigned long *dst, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct page *page = migrate_pfn_to_page(dst[i]);

		if (page) {
			unlock_page(page);
			put_page(page);
		}
		dst[i] = 0;
	}
}

/* Destination for one 4 KiB source page (or hole, @spage NULL) in VRAM. */
static bool pudge_svm_fill_vram_page(struct pudge_svm *svm,
				     struct pudge_svm_client *client,
				     struct page *spage, unsigned long write,
				     unsigned long *dst)
{
	struct page *dpage = pudge_svm_page_alloc(svm, 0, client);
	void __iomem *vram;

	if (!dpage)
		return false;
	*dst = migrate_pfn(page_to_pfn(dpage)) | write;
	vram = pudge_svm_page_vram(svm, dpage);
	if (spage)
		pudge_svm_copy_to_vram(vram, spage);
	else if (vram)
		memset_io(vram, 0, PAGE_SIZE);
	return true;
}

/*
 * Give every collected entry of a window a device page holding its data
 * (zeroes for a hole).  A 2 MiB entry moves as one device folio when VRAM
 * has a 2 MiB block, else as 512 pages, which makes the kernel split the
 * source; if even that fails, the entry stays where it is.
 */
static void pudge_svm_fill_vram(struct pudge_svm *svm, struct migrate_vma *args,
				struct pudge_svm_window *w, unsigned long base)
{
	unsigned long i, j, nr;

	for (i = 0; i < args->npages; i += nr) {
		unsigned long src = args->src[i];
		unsigned long write = src & MIGRATE_PFN_WRITE;
		struct page *spage = migrate_pfn_to_page(src);
		struct page *dpage;

		nr = 1;
		if (src & PUDGE_MIGRATE_PFN_COMPOUND)
			nr = min_t(unsigned long, HPAGE_PMD_NR, args->npages - i);
		if (!(src & MIGRATE_PFN_MIGRATE))
			continue;
		/*
		 * KSM merged the page after pudge_svm_find_shared() looked:
		 * leave it (no destination), so that it is mapped back where
		 * it was, in every process that shares it.
		 */
		if (spage && folio_test_ksm(page_folio(spage))) {
			bitmap_set(w->shared, base + i, nr);
			continue;
		}
		if (!(src & PUDGE_MIGRATE_PFN_COMPOUND)) {
			if (!pudge_svm_fill_vram_page(svm, w->client, spage, write,
						      &args->dst[i]))
				__set_bit(base + i, w->no_room);
			continue;
		}

		dpage = pudge_svm_page_alloc(svm, HPAGE_PMD_ORDER, w->client);
		if (dpage) {
			void __iomem *vram = pudge_svm_page_vram(svm, dpage);

			args->dst[i] = migrate_pfn(page_to_pfn(dpage)) | write |
				       PUDGE_MIGRATE_PFN_COMPOUND;
			if (!spage) {
				if (vram)
					memset_io(vram, 0, nr << PAGE_SHIFT);
				continue;
			}
			for (j = 0; j < nr; j++)
				pudge_svm_copy_to_vram(vram ? vram + (j << PAGE_SHIFT) : NULL,
						       pudge_nth_page(spage, j));
			continue;
		}
		for (j = 0; j < nr; j++) {
			if (!pudge_svm_fill_vram_page(svm, w->client,
						      spage ? pudge_nth_page(spage, j) : NULL,
						      write, &args->dst[i + j])) {
				pudge_svm_drop_dst(&args->dst[i], j);
				bitmap_set(w->no_room, base + i, nr);
				break;
			}
		}
	}
}

/*
 * How hard to try for a system folio of @order.  A 2 MiB folio under a
 * VMA can fall back to 512 pages, so one cheap attempt does.  Without a
 * VMA (eviction by pfn range) the kernel cannot split the device folio,
 * so the only way out of VRAM is a whole 2 MiB page: compact and retry.
 * Neither warns: a failure is handled, not a bug.
 */
static gfp_t pudge_svm_ram_gfp(unsigned int order, bool have_vma)
{
	if (!order)
		return GFP_HIGHUSER_MOVABLE;
	return GFP_HIGHUSER_MOVABLE | __GFP_NOWARN |
	       (have_vma ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL);
}

/*
 * Give every collected device page a system page holding its data.  With
 * @vma (migrate_vma), pages follow the VMA's memory policy and a 2 MiB
 * folio that cannot get a 2 MiB page moves as 512 pages; without (a pfn
 * range, for eviction), it waits for a later attempt.  @no_room, if not
 * NULL, gets the entries left without a destination.
 */
static void pudge_svm_fill_ram(struct pudge_svm *svm, unsigned long *src,
			       unsigned long *dst, unsigned long npages,
			       struct vm_area_struct *vma, unsigned long start,
			       unsigned long *no_room)
{
	unsigned long i, j, nr;

	for (i = 0; i < npages; i += nr) {
		unsigned long write = src[i] & MIGRATE_PFN_WRITE;
		struct page *spage = migrate_pfn_to_page(src[i]);
		unsigned long addr = start + (i << PAGE_SHIFT);
		struct page *spage_j;
		unsigned int order = 0;
		struct folio *folio;

		nr = 1;
		cond_resched();
		if (!spage || !(src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		if (src[i] & PUDGE_MIGRATE_PFN_COMPOUND)
			order = folio_order(page_folio(spage));
		nr = min_t(unsigned long, 1ul << order, npages - i);

		folio = vma ? vma_alloc_folio(pudge_svm_ram_gfp(order, true),
					      order, vma, addr) :
			      folio_alloc(pudge_svm_ram_gfp(order, false), order);
		if (folio) {
			folio_lock(folio);
			dst[i] = migrate_pfn(folio_pfn(folio)) | write |
				 (order ? PUDGE_MIGRATE_PFN_COMPOUND : 0);
			for (j = 0; j < nr; j++) {
				struct page *sp = pudge_nth_page(spage, j);

				pudge_svm_copy_from_vram(folio_page(folio, j),
							 pudge_svm_page_vram(svm, sp));
			}
			continue;
		}
		for (j = 0; order && vma && j < nr; j++) {
			struct page *page = alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma,
							   addr + (j << PAGE_SHIFT));

			if (!page) {
				pudge_svm_drop_dst(&dst[i], j);
				break;
			}
			lock_page(page);
			dst[i + j] = migrate_pfn(page_to_pfn(page)) | write;
			spage_j = pudge_nth_page(spage, j);
			pudge_svm_copy_from_vram(page, pudge_svm_page_vram(svm, spage_j));
		}
		if (!dst[i] && no_room)
			bitmap_set(no_room, i, nr);
	}
}

/*
 * Count the entries that moved (source still MIGRATE, destination valid),
 * mark them in @moved, and account them.
 */
static unsigned long pudge_svm_count(struct pudge_svm *svm,
				     const unsigned long *src,
				     const unsigned long *dst,
				     unsigned long npages, bool to_vram,
				     unsigned long *moved, unsigned long base,
				     unsigned long *thp)
{
	struct pudge_svm_counters *c = svm->stats;
	unsigned long i, n = 0, t = 0;

	for (i = 0; i < npages; i++) {
		unsigned long nr = 1;

		if (!(src[i] & MIGRATE_PFN_MIGRATE) || !(dst[i] & MIGRATE_PFN_VALID))
			continue;
		if (dst[i] & PUDGE_MIGRATE_PFN_COMPOUND) {
			nr = min_t(unsigned long, HPAGE_PMD_NR, npages - i);
			t += nr;
			atomic64_inc(&c->thp_moves);
		} else {
			atomic64_inc(&c->page_moves);
		}
		if (moved)
			bitmap_set(moved, base + i, nr);
		n += nr;
	}
	atomic64_add(n, to_vram ? &c->to_vram : &c->to_ram);
	atomic64_add(n << PAGE_SHIFT, &c->bytes_copied);
	if (thp)
		*thp = t;
	return n;
}

/**
 * pudge_svm_migrate_to_ram() - dev_pagemap_ops.migrate_to_ram
 * @vmf: the CPU fault on a device-private entry of pudge
 *
 * Moves the faulting page back, or the whole 2 MiB folio when it is
 * mapped by a PMD entry.
 *
 * Return: 0, VM_FAULT_OOM without system memory, VM_FAULT_SIGBUS.
 */
vm_fault_t pudge_svm_migrate_to_ram(struct vm_fault *vmf)
{
	struct page *page = vmf->page;
	struct pudge_svm *svm = pudge_svm_of_page(page);
	unsigned int order = vmf->pte ? 0 : folio_order(page_folio(page));
	unsigned long nr = 1ul << order;
	DECLARE_BITMAP(no_room, PUDGE_SVM_WINDOW);
	struct migrate_vma args = {
		.vma = vmf->vma,
		.pgmap_owner = svm,
		.fault_page = page,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE |
			 (order ? PUDGE_SELECT_COMPOUND : 0),
	};
	unsigned long moved, thp;
	vm_fault_t ret = 0;

	args.start = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
	args.end = args.start + (PAGE_SIZE << order);
	args.src = kcalloc(nr, sizeof(*args.src), GFP_KERNEL);
	args.dst = kcalloc(nr, sizeof(*args.dst), GFP_KERNEL);
	if (!args.src || !args.dst) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	if (migrate_vma_setup(&args)) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	bitmap_zero(no_room, PUDGE_SVM_WINDOW);
	pudge_svm_fill_ram(svm, args.src, args.dst, args.npages, args.vma,
			   args.start, no_room);
	migrate_vma_pages(&args);
	moved = pudge_svm_count(svm, args.src, args.dst, args.npages,
				false, NULL, 0, &thp);
	migrate_vma_finalize(&args);
	atomic64_inc(&svm->stats->cpu_faults);
	/* khugepaged "swapping in" for a collapse; see svm_kthread_faults. */
	if (current->flags & PF_KTHREAD)
		atomic64_inc(&svm->stats->kthread_faults);
	trace_pudge_svm_migrate(args.start, args.npages, moved, thp,
				PUDGE_TRACE_SVM_FAULT);
	if (!bitmap_empty(no_room, args.npages))
		ret = VM_FAULT_OOM;
out:
	kfree(args.src);
	kfree(args.dst);
	return ret;
}

/**
 * pudge_svm_evict_range() - move device pages back by pfn
 * @svm: the pool
 * @pfn: first device-private pfn
 * @npages: pfns in the range
 *
 * For VRAM reclaim and device removal, when the virtual addresses are not
 * known.  Free pfns and pages that are busy right now are skipped.
 *
 * Return: pages moved back.
 */
unsigned long pudge_svm_evict_range(struct pudge_svm *svm, unsigned long pfn,
				    unsigned long npages)
{
	unsigned long *src, *dst, moved = 0;

	src = kvcalloc(npages, sizeof(*src), GFP_KERNEL);
	dst = kvcalloc(npages, sizeof(*dst), GFP_KERNEL);
	if (!src || !dst)
		goto out;
	migrate_device_range(src, pfn, npages);
	pudge_svm_fill_ram(svm, src, dst, npages, NULL, 0, NULL);
	migrate_device_pages(src, dst, npages);
	moved = pudge_svm_count(svm, src, dst, npages, false, NULL, 0, NULL);
	migrate_device_finalize(src, dst, npages);
	atomic64_add(moved, &svm->stats->evicted);
	if (moved)
		trace_pudge_svm_migrate(pfn << PAGE_SHIFT, npages, moved, 0,
					PUDGE_TRACE_SVM_EVICT);
out:
	kvfree(src);
	kvfree(dst);
	return moved;
}

static bool pudge_svm_snapshot_invalidate(struct mmu_interval_notifier *mni,
					  const struct mmu_notifier_range *range,
					  unsigned long cur_seq)
{
	/* Only read for reporting: no lock needed around the sequence. */
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops pudge_svm_snapshot_ops = {
	.invalidate = pudge_svm_snapshot_invalidate,
};

/*
 * Look at the CPU page table of a window without faulting anything in:
 * w->pfns gets what hmm_range_fault() sees.  Return: 0 or its error.
 */
static int pudge_svm_snapshot(struct pudge_svm *svm,
			      struct mmu_interval_notifier *mni,
			      unsigned long start, unsigned long npages,
			      struct pudge_svm_window *w)
{
	struct hmm_range range = {
		.notifier = mni,
		.start = start,
		.end = start + (npages << PAGE_SHIFT),
		.hmm_pfns = w->pfns,
		.dev_private_owner = svm,
	};
	int ret, tries = 0;

	do {
		range.notifier_seq = mmu_interval_read_begin(mni);
		memset(w->pfns, 0, npages * sizeof(*w->pfns));
		ret = hmm_range_fault(&range);
	} while (ret == -EBUSY && ++tries < 16);
	return ret;
}

/*
 * Mark in w->shared the pages of a window that another process maps too:
 * copy-on-write after fork(), or KSM pages, which may be any process's.
 * migrate_vma would move them for every process that maps them (and a
 * KSM page in device memory never comes back: migrate_to_ram cannot
 * unmap it), so one process's SVM_MIGRATE leaves them alone.  Looked at
 * before migrate_vma_setup(), which unmaps them from everyone.  Under the
 * caller's mmap_lock no fork() can add sharing meanwhile; KSM can, and
 * pudge_svm_fill_vram() checks for it again.
 */
static void pudge_svm_find_shared(struct pudge_svm *svm,
				  struct mmu_interval_notifier *mni,
				  unsigned long start, unsigned long npages,
				  struct pudge_svm_window *w)
{
	unsigned long i;

	if (pudge_svm_snapshot(svm, mni, start, npages, w))
		return;
	for (i = 0; i < npages; i++) {
		struct folio *folio;

		if (!(w->pfns[i] & HMM_PFN_VALID))
			continue;
		folio = page_folio(hmm_pfn_to_page(w->pfns[i]));
		if (folio_is_zone_device(folio))
			continue;
		if (folio_test_ksm(folio) || folio_maybe_mapped_shared(folio))
			__set_bit(i, w->shared);
	}
}

/*
 * Say why the pages of a window that did not move stayed: look at the
 * CPU page table without faulting anything in.
 */
static void pudge_svm_classify(struct pudge_svm *svm,
			       struct mmu_interval_notifier *mni,
			       unsigned long start, unsigned long npages,
			       bool to_vram, struct pudge_svm_window *w,
			       struct drm_pudge_svm_migrate *out)
{
	unsigned long i;
	int ret;

	if (bitmap_full(w->moved, npages))
		return;
	ret = pudge_svm_snapshot(svm, mni, start, npages, w);

	for (i = 0; i < npages; i++) {
		struct page *page = NULL;

		if (test_bit(i, w->moved))
			continue;
		if (test_bit(i, w->no_room)) {
			out->no_room++;
			continue;
		}
		if (test_bit(i, w->shared)) {
			out->shared++;
			continue;
		}
		if (!ret && (w->pfns[i] & HMM_PFN_VALID))
			page = hmm_pfn_to_page(w->pfns[i]);
		if (page && pudge_svm_owns_page(svm, page)) {
			if (to_vram)
				out->already++;
			else
				out->busy++;
		} else if (!to_vram) {
			out->already++;
		} else if (page && folio_maybe_dma_pinned(page_folio(page))) {
			out->pinned++;
		} else {
			out->busy++;
		}
	}
}

/* migrate_vma over [@start, @end), pages @base.. of the window. */
static int pudge_svm_migrate_part(struct pudge_svm *svm,
				  struct vm_area_struct *vma,
				  unsigned long start, unsigned long end,
				  bool to_vram, struct pudge_svm_window *w,
				  unsigned long base,
				  struct drm_pudge_svm_migrate *out)
{
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	struct migrate_vma args = {
		.vma = vma,
		.start = start,
		.end = end,
		.src = &w->src[base],
		.dst = &w->dst[base],
		.pgmap_owner = svm,
		.flags = (to_vram ? MIGRATE_VMA_SELECT_SYSTEM :
				    MIGRATE_VMA_SELECT_DEVICE_PRIVATE) |
			 (pudge_svm_thp() ? PUDGE_SELECT_COMPOUND : 0),
	};
	unsigned long moved, thp;
	int ret;

	ret = migrate_vma_setup(&args);
	if (ret)
		return ret;
	if (to_vram) {
		pudge_svm_fill_vram(svm, &args, w, base);
		/* VRAM is write-combined: flush before the pages go live. */
		wmb();
	} else {
		/* To RAM nothing is left out: one part, @base 0. */
		pudge_svm_fill_ram(svm, args.src, args.dst, args.npages, vma, start,
				   w->no_room);
	}
	migrate_vma_pages(&args);
	moved = pudge_svm_count(svm, args.src, args.dst, args.npages,
				to_vram, w->moved, base, &thp);
	migrate_vma_finalize(&args);
	out->moved += moved;
	out->moved_thp += thp;
	trace_pudge_svm_migrate(start, npages, moved, thp,
				to_vram ? PUDGE_TRACE_SVM_TO_VRAM : PUDGE_TRACE_SVM_TO_RAM);
	return 0;
}

static int pudge_svm_migrate_window(struct pudge_svm *svm,
				    struct vm_area_struct *vma,
				    struct mmu_interval_notifier *mni,
				    unsigned long start, unsigned long end,
				    bool to_vram, struct pudge_svm_window *w,
				    struct drm_pudge_svm_migrate *out)
{
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	unsigned long a, b;
	int ret = 0;

	bitmap_zero(w->moved, PUDGE_SVM_WINDOW);
	bitmap_zero(w->no_room, PUDGE_SVM_WINDOW);
	bitmap_zero(w->shared, PUDGE_SVM_WINDOW);
	memset(w->dst, 0, sizeof(w->dst));
	if (to_vram)
		pudge_svm_find_shared(svm, mni, start, npages, w);
	/* Each run of pages that no other process maps, on its own. */
	for (a = find_first_zero_bit(w->shared, npages); !ret && a < npages;
	     a = find_next_zero_bit(w->shared, npages, b)) {
		b = find_next_bit(w->shared, npages, a);
		ret = pudge_svm_migrate_part(svm, vma, start + (a << PAGE_SHIFT),
					     start + (b << PAGE_SHIFT), to_vram, w,
					     a, out);
	}
	if (ret)
		return ret;
	pudge_svm_classify(svm, mni, start, npages, to_vram, w, out);
	return 0;
}

/*
 * The whole range must be mapped and readable (-EFAULT), and only private
 * anonymous memory or shared memory (counted, not moved) may be in it:
 * file, device and hugetlb mappings get -EINVAL before anything moves.
 */
static int pudge_svm_check_vmas(struct mm_struct *mm, unsigned long start,
				unsigned long end)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;
	unsigned long addr = start;

	for_each_vma_range(vmi, vma, end) {
		if (vma->vm_start > addr || !(vma->vm_flags & VM_READ))
			return -EFAULT;
		if (vma->vm_flags & VM_SPECIAL || is_vm_hugetlb_page(vma) ||
		    vma_is_dax(vma))
			return -EINVAL;
		if (!vma_is_anonymous(vma) &&
		    !(vma->vm_file && shmem_mapping(vma->vm_file->f_mapping)))
			return -EINVAL;
		addr = vma->vm_end;
		if (addr >= end)
			return 0;
	}
	return -EFAULT;
}

/**
 * pudge_svm_migrate() - SVM_MIGRATE on the caller's address space
 * @svm: the pool
 * @client: the caller's DRM file, which the pages moved into VRAM count to
 * @args: the checked request; its out fields are filled in
 *
 * Return: 0, -EFAULT or -EINVAL for a range that cannot be migrated,
 * -ENOMEM, -EINTR when killed part way (what moved stays moved).
 */
int pudge_svm_migrate(struct pudge_svm *svm, struct pudge_svm_client *client,
		      struct drm_pudge_svm_migrate *args)
{
	bool to_vram = args->placement == PUDGE_GEM_PLACE_VRAM;
	unsigned long start = args->addr, end = args->addr + args->size;
	struct mm_struct *mm = current->mm;
	struct mmu_interval_notifier mni;
	struct pudge_svm_window *w;
	unsigned long addr, next;
	bool exclusive;
	int ret;

	args->moved = 0;
	args->moved_thp = 0;
	args->already = 0;
	args->not_anon = 0;
	args->pinned = 0;
	args->busy = 0;
	args->no_room = 0;
	args->shared = 0;
	if (!mm)
		return -EINVAL;
	w = kvzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->client = client;
	ret = mmu_interval_notifier_insert(&mni, mm, start, args->size,
					   &pudge_svm_snapshot_ops);
	if (ret)
		goto out_free;

	/*
	 * On a kernel without kernel-patches/0005, migrate_vma_collect_pmd()
	 * takes its reference on a PTE-mapped THP only after dropping the
	 * page table lock; a zap in this process (MADV_DONTNEED of another
	 * thread, under the per-VMA lock) could free the THP in between.
	 * There, a move to VRAM holds mmap_lock for write and write-locks
	 * each VMA it walks, so that no zap of this process runs meanwhile.
	 * Frees through rmap (reclaim, compaction) remain possible.
	 */
	exclusive = to_vram && !pudge_svm_kernel_fixed();
	if (exclusive)
		ret = mmap_write_lock_killable(mm);
	else
		ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_remove;
	ret = pudge_svm_check_vmas(mm, start, end);
	/*
	 * Only a range that will be migrated asks the pool for room, which
	 * evicts buffer objects.  Under mmap_lock, as in a BO fault: dma_resv
	 * nests inside it.
	 */
	if (!ret && to_vram)
		pudge_vram_reclaim(svm->vram, &svm->reclaimer, args->size);
	for (addr = start; !ret && addr < end; addr = next) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);

		if (exclusive)
			vma_start_write(vma);

		next = min3(end, vma->vm_end, ALIGN(addr + 1, PMD_SIZE));
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (!vma_is_anonymous(vma)) {
			args->not_anon += (next - addr) >> PAGE_SHIFT;
			continue;
		}
		ret = pudge_svm_migrate_window(svm, vma, &mni, addr, next, to_vram,
					       w, args);
	}
	if (exclusive)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
out_remove:
	mmu_interval_notifier_remove(&mni);
out_free:
	kvfree(w);
	return ret;
}

#endif /* PUDGE_SVM */
