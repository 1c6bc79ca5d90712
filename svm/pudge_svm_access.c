// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * SVM_ACCESS: read or write the caller's memory as the device sees it.
 *
 * This is the device's only access path to process memory, so it follows
 * the HMM rules (Documentation/mm/hmm.rst): look the pages up with
 * hmm_range_fault() under an mmu_interval_notifier, then touch them only
 * under the notifier's lock after checking that no invalidation (munmap,
 * mprotect, fork's write-protect, migration, exit) ran in between.  Pages
 * in pudge's VRAM are accessed there, without moving them back.  The
 * device keeps no mapping after the call, so there is nothing else to keep
 * coherent.
 */
#include <linux/highmem.h>
#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pudge_svm_internal.h"

#if PUDGE_SVM

/* Pages looked up and copied per round: bounds the bounce buffer. */
#define PUDGE_SVM_ACCESS_BATCH	512ul

/**
 * struct pudge_svm_access_ctx - one SVM_ACCESS call
 * @mni: notifier over the accessed range
 * @lock: held while pages found by hmm_range_fault() are touched; the
 *	invalidate callback takes it before bumping the sequence
 * @pfns: hmm_range_fault() output
 * @bounce: data between the pages and user space: user memory may not be
 *	touched under @lock, since faulting it could wait on an invalidation
 *	of this very notifier
 */
struct pudge_svm_access_ctx {
	struct mmu_interval_notifier mni;
	struct mutex lock;	/* see above */
	unsigned long pfns[PUDGE_SVM_ACCESS_BATCH];
	u8 *bounce;
};

static bool pudge_svm_access_invalidate(struct mmu_interval_notifier *mni,
					const struct mmu_notifier_range *range,
					unsigned long cur_seq)
{
	struct pudge_svm_access_ctx *ctx =
		container_of(mni, struct pudge_svm_access_ctx, mni);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&ctx->lock);
	else if (!mutex_trylock(&ctx->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&ctx->lock);
	return true;
}

static const struct mmu_interval_notifier_ops pudge_svm_access_ops = {
	.invalidate = pudge_svm_access_invalidate,
};

/*
 * The page that hmm_range_fault() output @pfn stands for at @addr.  For an
 * entry that a huge mapping backs (map order > 0) the page is found from
 * the folio and the address: 7.2's hmm_vma_handle_absent_pmd() reports a
 * device-private PMD's first pfn for the first address asked for, however
 * far into the 2 MiB that address is, so page N of a device folio would
 * read and write page 0 (kernel-patches/ fixes hmm; this works either way).
 */
static struct page *pudge_svm_hmm_page(unsigned long pfn, unsigned long addr)
{
	unsigned int order = hmm_pfn_to_map_order(pfn);
	struct page *page = hmm_pfn_to_page(pfn);
	struct folio *folio;

	if (!order)
		return page;
	folio = page_folio(page);
	/* Only a folio that the entry maps whole is indexed by address. */
	if (folio_order(folio) != order)
		return page;
	return folio_page(folio, (addr >> PAGE_SHIFT) & ((1ul << order) - 1));
}

/* Copy between the bounce buffer and the pages; called under ctx->lock. */
static void pudge_svm_access_copy(struct pudge_svm *svm,
				  struct pudge_svm_access_ctx *ctx,
				  unsigned long start, unsigned long npages,
				  bool write, struct drm_pudge_svm_access *args)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *page = pudge_svm_hmm_page(ctx->pfns[i],
						       start + (i << PAGE_SHIFT));
		u8 *buf = ctx->bounce + (i << PAGE_SHIFT);

		if (pudge_svm_owns_page(svm, page)) {
			void __iomem *vram = pudge_svm_page_vram(svm, page);

			/* NULL: a corrupt pool, warned about; touch no VRAM. */
			if (!vram) {
				if (!write)
					memset(buf, 0, PAGE_SIZE);
			} else if (write) {
				memcpy_toio(vram, buf, PAGE_SIZE);
			} else {
				memcpy_fromio(buf, vram, PAGE_SIZE);
			}
			args->vram_pages++;
		} else {
			void *p = kmap_local_page(page);

			if (write) {
				memcpy(p, buf, PAGE_SIZE);
				folio_mark_dirty(page_folio(page));
			} else {
				memcpy(buf, p, PAGE_SIZE);
			}
			kunmap_local(p);
			args->system_pages++;
		}
	}
	if (write) {
		/* VRAM is write-combined: the data must be there before unlock. */
		wmb();
	}
}

/*
 * hmm_range_fault() returns pudge's own device-private pages without
 * HMM_PFN_WRITE when their entry is read-only (shared copy-on-write after
 * fork(), or mprotect()), even when asked for write access.  Fault those
 * for write as the CPU would: that moves them back and breaks the sharing,
 * or fails with -EFAULT on read-only memory.  -EAGAIN: look up again.
 */
static int pudge_svm_access_writable(struct mm_struct *mm,
				     const struct hmm_range *range,
				     unsigned long npages)
{
	bool faulted = false;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		bool unlocked = false;
		int ret;

		if (range->hmm_pfns[i] & HMM_PFN_WRITE)
			continue;
		ret = fixup_user_fault(mm, range->start + (i << PAGE_SHIFT),
				       FAULT_FLAG_WRITE, &unlocked);
		if (ret)
			return ret;
		faulted = true;
		if (unlocked)
			break;
	}
	return faulted ? -EAGAIN : 0;
}

static int pudge_svm_access_batch(struct pudge_svm *svm,
				  struct pudge_svm_access_ctx *ctx,
				  struct mm_struct *mm, unsigned long start,
				  unsigned long npages, bool write,
				  struct drm_pudge_svm_access *args)
{
	struct hmm_range range = {
		.notifier = &ctx->mni,
		.start = start,
		.end = start + (npages << PAGE_SHIFT),
		.hmm_pfns = ctx->pfns,
		.default_flags = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0),
		.dev_private_owner = svm,
	};
	int ret;

	for (;;) {
		if (fatal_signal_pending(current))
			return -EINTR;
		range.notifier_seq = mmu_interval_read_begin(&ctx->mni);
		mmap_read_lock(mm);
		ret = hmm_range_fault(&range);
		if (!ret && write)
			ret = pudge_svm_access_writable(mm, &range, npages);
		mmap_read_unlock(mm);
		if (ret == -EBUSY || ret == -EAGAIN)
			continue;
		if (ret)
			return ret;
		mutex_lock(&ctx->lock);
		if (!mmu_interval_read_retry(&ctx->mni, range.notifier_seq))
			break;
		mutex_unlock(&ctx->lock);
	}
	pudge_svm_access_copy(svm, ctx, start, npages, write, args);
	mutex_unlock(&ctx->lock);
	return 0;
}

/**
 * pudge_svm_access() - SVM_ACCESS on the caller's address space
 * @svm: the pool
 * @args: the checked request; its out fields are filled in
 *
 * Return: 0, -EFAULT for memory the device cannot reach (or a bad user
 * buffer), -ENOMEM, -EINTR.
 */
int pudge_svm_access(struct pudge_svm *svm, struct drm_pudge_svm_access *args)
{
	bool write = args->op == PUDGE_SVM_ACCESS_WRITE;
	u8 __user *data = u64_to_user_ptr(args->data_ptr);
	struct mm_struct *mm = current->mm;
	struct pudge_svm_access_ctx *ctx;
	unsigned long done, total = args->size >> PAGE_SHIFT;
	int ret;

	args->vram_pages = 0;
	args->system_pages = 0;
	if (!mm)
		return -EINVAL;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->lock);
	ctx->bounce = kvmalloc(min(total, PUDGE_SVM_ACCESS_BATCH) << PAGE_SHIFT,
			       GFP_KERNEL);
	ret = -ENOMEM;
	if (!ctx->bounce)
		goto out_free;
	ret = mmu_interval_notifier_insert(&ctx->mni, mm, args->addr, args->size,
					   &pudge_svm_access_ops);
	if (ret)
		goto out_free;

	for (done = 0; done < total; done += PUDGE_SVM_ACCESS_BATCH) {
		unsigned long n = min(total - done, PUDGE_SVM_ACCESS_BATCH);
		unsigned long off = done << PAGE_SHIFT;

		if (write && copy_from_user(ctx->bounce, data + off, n << PAGE_SHIFT)) {
			ret = -EFAULT;
			break;
		}
		ret = pudge_svm_access_batch(svm, ctx, mm, args->addr + off, n,
					     write, args);
		if (ret)
			break;
		if (!write && copy_to_user(data + off, ctx->bounce, n << PAGE_SHIFT)) {
			ret = -EFAULT;
			break;
		}
	}
	mmu_interval_notifier_remove(&ctx->mni);
	/* hmm_range_fault() says -EPERM for a write to read-only memory. */
	if (ret == -EPERM)
		ret = -EFAULT;
out_free:
	kvfree(ctx->bounce);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	return ret;
}

#endif /* PUDGE_SVM */
