// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The pool of device-private pages and the VRAM behind them.
 *
 * Device-private struct pages need physical address space that is not
 * RAM (request_free_mem_region()), which some machines have little of, so
 * pudge reserves it in chunks as migrations need pages, instead of one
 * VRAM-sized region at probe.  A page's data lives in VRAM taken from the
 * same buddy allocator as buffer objects, at allocation time: 2 MiB blocks
 * for 2 MiB folios, 4 KiB blocks from the top of VRAM otherwise, so that
 * small SVM pages fragment the end of VRAM that BOs reach last.
 */
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <drm/drm_print.h>

#include "pudge_svm_internal.h"

static unsigned int svm_fail_alloc;
module_param(svm_fail_alloc, uint, 0644);
MODULE_PARM_DESC(svm_fail_alloc,
		 "TEST ONLY: fail this many coming device-private page allocations");

static unsigned int svm_fail_region;
module_param(svm_fail_region, uint, 0644);
MODULE_PARM_DESC(svm_fail_region,
		 "TEST ONLY: refuse this many coming requests for device-private address space");

static unsigned int svm_max_chunks;
module_param(svm_max_chunks, uint, 0644);
MODULE_PARM_DESC(svm_max_chunks,
		 "Cap on 256 MiB chunks of device-private address space (0: enough for VRAM)");

/*
 * Two core-mm bugs free a 2 MiB device folio one reference early, and
 * pudge then hands its pages to a second owner while a page table still
 * maps them: zap_huge_pmd() unmaps a device-private THP a second time
 * when it zaps one of its migration entries (a fork child exiting while
 * the parent migrates; kernel-patches/0006, in 7.2 and 7.3 alike), and
 * migrate_vma_collect_pmd() of 7.2 takes its reference on a PTE-mapped
 * large folio only after dropping the page table lock (0005; 7.3 has its
 * own fix).  0006 is not reachable without 2 MiB device folios, so they
 * stay off unless the kernel has the fixes; 0005 is reachable through
 * system THPs too, which pudge_svm_migrate() narrows but cannot close.
 */
static unsigned int unsafe_svm_thp;
module_param(unsafe_svm_thp, uint, 0644);
MODULE_PARM_DESC(unsafe_svm_thp,
		 "Move process memory in 2 MiB device folios although core mm can free one early (off by default; see README); only on a kernel with kernel-patches/0005 and 0006");

#if PUDGE_SVM

/**
 * pudge_svm_thp() - whether migrations move 2 MiB folios as one unit
 *
 * Return: true when the kernel has compound migrate_vma and THP migration
 * and the unsafe_svm_thp parameter allows it.
 */
bool pudge_svm_thp(void)
{
	return PUDGE_SVM_THP && thp_migration_supported() && pudge_svm_kernel_fixed();
}

/**
 * pudge_svm_kernel_fixed() - whether the admin says the kernel has the
 * core-mm fixes that 2 MiB device folios need (kernel-patches/0005, 0006)
 *
 * Return: the unsafe_svm_thp parameter.
 */
bool pudge_svm_kernel_fixed(void)
{
	return READ_ONCE(unsafe_svm_thp);
}

static struct pudge_svm_chunk *pudge_svm_chunk_of(struct page *page)
{
	return container_of(page_pgmap(page), struct pudge_svm_chunk, pagemap);
}

/**
 * pudge_svm_of_page() - the pool a device-private page of pudge belongs to
 * @page: a device-private page of a pudge pagemap
 *
 * Return: the pool.
 */
struct pudge_svm *pudge_svm_of_page(struct page *page)
{
	return pudge_svm_chunk_of(page)->svm;
}

/**
 * pudge_svm_owns_page() - whether @page is a device-private page of @svm
 * @svm: the pool
 * @page: any page
 *
 * Return: true for @svm's pages.
 */
bool pudge_svm_owns_page(struct pudge_svm *svm, struct page *page)
{
	return is_device_private_page(page) && page_pgmap(page)->owner == svm;
}

/**
 * pudge_svm_page_vram() - kernel address of the VRAM holding @page's data
 * @svm: the pool
 * @page: a device-private page of @svm, in use
 *
 * Return: the address in the device's VRAM mapping, or NULL (with a
 * warning) when @page lies outside the VRAM block its folio records, which
 * only a page handed out twice can do.
 */
void __iomem *pudge_svm_page_vram(struct pudge_svm *svm, struct page *page)
{
	/*
	 * The head page of the folio holds the pointer: tail pages of a
	 * 2 MiB folio have no zone_device_data of their own (that word is
	 * folio metadata), and after a split each new folio's head got it.
	 */
	struct page *head = folio_page(page_folio(page), 0);
	struct pudge_svm_vram *v = head->zone_device_data;
	unsigned long pfn = page_to_pfn(page);

	/*
	 * A page outside its block means the pool handed one device page
	 * to two owners: say so rather than read or write another's VRAM.
	 */
	if (WARN_ONCE(pfn - v->first_pfn >= v->nr_pages ||
		      v->offset + ((u64)v->nr_pages << PAGE_SHIFT) > svm->vram_size,
		      "pudge: device page %#lx (head %#lx, order %u, refcount %d) outside its VRAM block (first pfn %#lx, offset %#llx)\n",
		      pfn, page_to_pfn(head), folio_order(page_folio(page)),
		      page_ref_count(head), v->first_pfn, v->offset))
		return NULL;
	return svm->vram_map + v->offset + ((pfn - v->first_pfn) << PAGE_SHIFT);
}

static struct pudge_svm_vram *pudge_svm_vram_alloc(struct pudge_svm *svm,
						   unsigned int order)
{
	struct pudge_svm_vram *v;

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return NULL;
	INIT_LIST_HEAD(&v->blocks);
	v->client = NULL;
	/* 4 KiB pages from the top, away from the 2 MiB blocks taken from below. */
	if (pudge_vram_alloc_block(svm->vram, PAGE_SIZE << order, !order,
				   &v->blocks, &v->offset)) {
		kfree(v);
		return NULL;
	}
	return v;
}

static void pudge_svm_vram_free(struct pudge_svm *svm, struct pudge_svm_vram *v)
{
	pudge_vram_free_blocks(svm->vram, &v->blocks);
	if (v->client)
		kref_put(&v->client->ref, pudge_svm_client_release);
	kfree(v);
}

/**
 * pudge_svm_free_work() - give the VRAM of freed device pages back to the pool
 * @work: &pudge_svm.free_work
 */
void pudge_svm_free_work(struct work_struct *work)
{
	struct pudge_svm *svm = container_of(work, struct pudge_svm, free_work);
	struct llist_node *list = llist_del_all(&svm->vram_to_free);
	struct pudge_svm_vram *v, *next;

	llist_for_each_entry_safe(v, next, list, free_node)
		pudge_svm_vram_free(svm, v);
}

/**
 * pudge_svm_flush_frees() - give VRAM of freed device pages back now
 * @svm: the pool
 *
 * Device pages are freed in any context; their VRAM goes back to the
 * buddy allocator from a work item.  Callers about to count or need free
 * VRAM wait for it here.
 */
void pudge_svm_flush_frees(struct pudge_svm *svm)
{
	flush_work(&svm->free_work);
}

/**
 * pudge_svm_free_pending() - give back the VRAM of every device page freed
 * so far, now
 * @svm: the pool
 *
 * Frees in the caller's context, and waits for a worker that may be doing
 * the same (it may have taken the list already and be freeing it now).
 *
 * Return: whether there was any, here or in the worker.
 */
bool pudge_svm_free_pending(struct pudge_svm *svm)
{
	bool any = !llist_empty(&svm->vram_to_free);

	pudge_svm_free_work(&svm->free_work);
	return flush_work(&svm->free_work) || any;
}

static struct page *pudge_svm_run_page(struct pudge_svm_run *run, unsigned long i)
{
	return pfn_to_page(run->first_pfn + i);
}

/*
 * Take a free page of @order.  4 KiB pages come from partly used runs
 * first, so that whole runs stay available for 2 MiB folios.
 */
static struct page *pudge_svm_pop(struct pudge_svm *svm, unsigned int order)
{
	struct pudge_svm_run *run;
	struct page *page = NULL;
	unsigned long i;

	spin_lock(&svm->lock);
	if (order) {
		run = list_first_entry_or_null(&svm->full_runs, struct pudge_svm_run, link);
		if (run) {
			list_del_init(&run->link);
			bitmap_zero(run->free, PUDGE_SVM_RUN_PAGES);
			run->nfree = 0;
			page = pudge_svm_run_page(run, 0);
		}
		goto out;
	}
	run = list_first_entry_or_null(&svm->partial_runs, struct pudge_svm_run, link);
	if (!run)
		run = list_first_entry_or_null(&svm->full_runs, struct pudge_svm_run, link);
	if (!run)
		goto out;
	i = find_first_bit(run->free, PUDGE_SVM_RUN_PAGES);
	__clear_bit(i, run->free);
	if (run->nfree-- == PUDGE_SVM_RUN_PAGES)
		list_move(&run->link, &svm->partial_runs);
	if (!run->nfree)
		list_del_init(&run->link);
	page = pudge_svm_run_page(run, i);
out:
	spin_unlock(&svm->lock);
	return page;
}

/*
 * Give back @nr pages from @page; a run whose 512 pages are all free again
 * can hold a 2 MiB folio, however it was split and freed.
 * Return: false, with a warning, for pages that are free already.
 */
static bool pudge_svm_push(struct pudge_svm *svm, struct page *page,
			   unsigned long nr)
{
	struct pudge_svm_chunk *chunk = pudge_svm_chunk_of(page);
	unsigned long idx = page_to_pfn(page) - chunk->first_pfn;
	struct pudge_svm_run *run = &chunk->runs[idx / PUDGE_SVM_RUN_PAGES];

	spin_lock(&svm->lock);
	/* A page freed twice would be handed out twice: keep it out instead. */
	if (WARN_ONCE(find_next_bit(run->free, idx % PUDGE_SVM_RUN_PAGES + nr,
				    idx % PUDGE_SVM_RUN_PAGES) < idx % PUDGE_SVM_RUN_PAGES + nr,
		      "pudge: device pages %#lx + %lu freed twice\n", page_to_pfn(page), nr)) {
		spin_unlock(&svm->lock);
		return false;
	}
	bitmap_set(run->free, idx % PUDGE_SVM_RUN_PAGES, nr);
	if (!run->nfree)
		list_add(&run->link, &svm->partial_runs);
	run->nfree += nr;
	if (run->nfree == PUDGE_SVM_RUN_PAGES)
		list_move(&run->link, &svm->full_runs);
	spin_unlock(&svm->lock);
	return true;
}

/**
 * pudge_svm_chunk_limit() - how many chunks @svm may reserve
 * @svm: the pool
 *
 * Return: enough for VRAM twice over, or the svm_max_chunks cap.
 */
unsigned int pudge_svm_chunk_limit(struct pudge_svm *svm)
{
	unsigned int cap = READ_ONCE(svm_max_chunks);

	return cap ? min(cap, svm->max_chunks) : svm->max_chunks;
}

/*
 * Free physical address space for one chunk of device-private pages, or an
 * injected refusal (svm_fail_region) standing for a machine that has none
 * left, so that both outcomes of seed 002's problem can be tested.
 * Called under chunk_lock, which also serialises the knob's countdown.
 */
static struct resource *pudge_svm_request_region(void)
{
	if (READ_ONCE(svm_fail_region)) {
		WRITE_ONCE(svm_fail_region, svm_fail_region - 1);
		return ERR_PTR(-ERANGE);
	}
	return request_free_mem_region(&iomem_resource, PUDGE_SVM_CHUNK_SIZE,
				       "pudge-svm");
}

/**
 * pudge_svm_add_chunk() - reserve address space for one more chunk and put
 * its pages on the free lists
 * @svm: the pool
 *
 * Return: 0, -ENOSPC when no more chunks may or can be had, -ENOMEM, or
 * memremap_pages()'s error.
 */
int pudge_svm_add_chunk(struct pudge_svm *svm)
{
	struct pudge_svm_chunk *chunk;
	struct resource *res;
	unsigned long i;
	void *ptr;
	int ret = -ENOSPC;

	mutex_lock(&svm->chunk_lock);
	if (svm->dying || svm->out_of_space ||
	    svm->nr_chunks >= pudge_svm_chunk_limit(svm))
		goto out;
	ret = -ENOMEM;
	chunk = kvzalloc(sizeof(*chunk), GFP_KERNEL);
	if (!chunk)
		goto out;
	res = pudge_svm_request_region();
	if (IS_ERR(res)) {
		drm_info(svm->drm,
			 "no physical address space for device-private pages after %u chunks\n",
			 svm->nr_chunks);
		svm->out_of_space = true;
		ret = -ENOSPC;
		goto err_free;
	}
	chunk->svm = svm;
	chunk->pagemap.type = MEMORY_DEVICE_PRIVATE;
	chunk->pagemap.range.start = res->start;
	chunk->pagemap.range.end = res->end;
	chunk->pagemap.nr_range = 1;
	chunk->pagemap.ops = svm->pagemap_ops;
	chunk->pagemap.owner = svm;
	ptr = memremap_pages(&chunk->pagemap, numa_node_id());
	if (IS_ERR_OR_NULL(ptr)) {
		ret = ptr ? PTR_ERR(ptr) : -EFAULT;
		goto err_release;
	}
	svm->chunks[svm->nr_chunks++] = chunk;

	chunk->first_pfn = res->start >> PAGE_SHIFT;
	spin_lock(&svm->lock);
	for (i = 0; i < ARRAY_SIZE(chunk->runs); i++) {
		struct pudge_svm_run *run = &chunk->runs[i];

		run->first_pfn = chunk->first_pfn + i * PUDGE_SVM_RUN_PAGES;
		run->nfree = PUDGE_SVM_RUN_PAGES;
		bitmap_fill(run->free, PUDGE_SVM_RUN_PAGES);
		list_add_tail(&run->link, &svm->full_runs);
	}
	spin_unlock(&svm->lock);
	mutex_unlock(&svm->chunk_lock);
	return 0;

err_release:
	release_mem_region(res->start, resource_size(res));
err_free:
	kvfree(chunk);
out:
	mutex_unlock(&svm->chunk_lock);
	return ret;
}

static bool pudge_svm_inject_failure(void)
{
	static DEFINE_SPINLOCK(lock);
	bool fail = false;

	if (likely(!READ_ONCE(svm_fail_alloc)))
		return false;
	spin_lock(&lock);
	if (svm_fail_alloc) {
		svm_fail_alloc--;
		fail = true;
	}
	spin_unlock(&lock);
	return fail;
}

/**
 * pudge_svm_page_alloc() - a device-private page or 2 MiB folio with VRAM
 * @svm: the pool
 * @order: 0, or HPAGE_PMD_ORDER for a 2 MiB folio
 * @client: the DRM file the pages count to while they exist, or NULL
 *
 * The folio comes locked with one reference, as migrate_vma expects of
 * destination pages.
 *
 * Return: the first page, or NULL when VRAM or device-private pages are
 * exhausted (or a failure was injected through svm_fail_alloc).
 */
struct page *pudge_svm_page_alloc(struct pudge_svm *svm, unsigned int order,
				  struct pudge_svm_client *client)
{
	struct pudge_svm_vram *v;
	struct page *page;

	if (pudge_svm_inject_failure())
		return NULL;
	v = pudge_svm_vram_alloc(svm, order);
	if (!v)
		return NULL;
	page = pudge_svm_pop(svm, order);
	while (!page && !pudge_svm_add_chunk(svm))
		page = pudge_svm_pop(svm, order);
	if (!page) {
		pudge_svm_vram_free(svm, v);
		return NULL;
	}
	v->first_pfn = page_to_pfn(page);
	v->nr_pages = 1ul << order;
	atomic_set(&v->live, 1 << order);
	if (client) {
		kref_get(&client->ref);
		atomic64_add(1 << order, &client->resident);
		v->client = client;
	}
	/*
	 * The VRAM record first: an eviction by pfn range can lock the folio
	 * as soon as the init gives it a reference, and reads this.  Then
	 * the init, on the page itself, not page_folio(): a page that was the
	 * tail of a freed 2 MiB folio still points at its old head until the
	 * init clears it.
	 */
	page->zone_device_data = v;
	zone_device_folio_init((struct folio *)page, page_pgmap(page), order);
	atomic64_add(1 << order, &svm->resident);
	return page;
}

/**
 * pudge_svm_folio_free() - dev_pagemap_ops.folio_free: the last reference
 * to a device folio went
 * @folio: the folio, whose pages go back on the free lists and whose VRAM
 *	goes back to the pool once no page of its block is left
 */
void pudge_svm_folio_free(struct folio *folio)
{
	struct page *page = folio_page(folio, 0);
	struct pudge_svm *svm = pudge_svm_of_page(page);
	struct pudge_svm_vram *v = page->zone_device_data;
	unsigned int nr = folio_nr_pages(folio);

	/*
	 * A second free of the same pages (a core-mm bug) must not touch the
	 * VRAM record, which the first free may have released already.
	 */
	if (!pudge_svm_push(svm, page, nr))
		return;
	if (v->client)
		atomic64_sub(nr, &v->client->resident);
	if (atomic_sub_and_test(nr, &v->live)) {
		llist_add(&v->free_node, &svm->vram_to_free);
		queue_work(svm->wq, &svm->free_work);
	}
	atomic64_sub(nr, &svm->resident);
}

#if PUDGE_SVM_THP
/**
 * pudge_svm_folio_split() - dev_pagemap_ops.folio_split: the kernel splits
 * a device-private 2 MiB folio (partial munmap, mprotect, a 4 KiB fault
 * back)
 * @head: the folio being split
 * @tail: one of the new folios, or NULL when the split is done
 *
 * Each new folio keeps pointing at the shared VRAM block; its data does not
 * move.
 */
void pudge_svm_folio_split(struct folio *head, struct folio *tail)
{
	if (!tail)
		return;
	tail->page.zone_device_data = head->page.zone_device_data;
	tail->page.mapping = head->page.mapping;
	tail->pgmap = head->pgmap;
}
#endif

#endif /* PUDGE_SVM */
