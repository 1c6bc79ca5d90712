// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device-private memory of one device, as the rest of the driver sees it:
 * set-up and tear-down, what GET_PARAM and STATS report, and the reclaimer
 * through which the VRAM pool asks SVM for room.
 */
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <drm/drm_print.h>

#include "pudge_svm_internal.h"

#if PUDGE_SVM

static const struct dev_pagemap_ops pudge_svm_pagemap_ops = {
	.folio_free = pudge_svm_folio_free,
	.migrate_to_ram = pudge_svm_migrate_to_ram,
#if PUDGE_SVM_THP
	.folio_split = pudge_svm_folio_split,
#endif
};

/* Move every page of a chunk back to system memory. */
static unsigned long pudge_svm_evict_chunk(struct pudge_svm_chunk *chunk)
{
	return pudge_svm_evict_range(chunk->svm,
				     chunk->pagemap.range.start >> PAGE_SHIFT,
				     range_len(&chunk->pagemap.range) >> PAGE_SHIFT);
}

/*
 * The reclaimer: make room in VRAM for another user of the pool (a buffer
 * object).  Gives back the VRAM of device pages freed but not yet
 * returned, or if there is none, moves the process pages of the most
 * recently added chunk that still has any back to system memory, with
 * their data.  @size is not used: a chunk is the unit.
 * Return: true if VRAM was freed, false if SVM holds none.
 */
static bool pudge_svm_reclaim(struct pudge_vram_reclaimer *r, u64 size)
{
	struct pudge_svm *svm = container_of(r, struct pudge_svm, reclaimer);
	unsigned long moved = 0;
	int i;

	/*
	 * VRAM of pages freed a moment ago (an exiting process) is still on
	 * its way back through the worker: that first, and no page moves.
	 */
	if (pudge_svm_free_pending(svm))
		return true;
	if (!atomic64_read(&svm->resident))
		return false;
	mutex_lock(&svm->chunk_lock);
	for (i = svm->nr_chunks - 1; i >= 0 && !moved; i--)
		moved = pudge_svm_evict_chunk(svm->chunks[i]);
	mutex_unlock(&svm->chunk_lock);
	pudge_svm_flush_frees(svm);
	return moved;
}

/**
 * pudge_svm_create() - set up device-private memory for a device
 * @cfg: the device's VRAM and counters
 *
 * Reserves the first chunk right away, so that GET_PARAM can tell whether
 * SVM works at all.  A failure there leaves SVM off; buffer objects still
 * work.
 *
 * Return: the SVM of the device, NULL when SVM is off, ERR_PTR(-ENOMEM).
 */
struct pudge_svm *pudge_svm_create(const struct pudge_svm_config *cfg)
{
	struct pudge_svm *svm;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL);
	if (!svm)
		return ERR_PTR(-ENOMEM);
	svm->drm = cfg->drm;
	svm->vram = cfg->vram;
	svm->vram_map = cfg->vram_map;
	svm->vram_size = cfg->vram_size;
	svm->stats = cfg->stats;
	svm->pagemap_ops = &pudge_svm_pagemap_ops;
	svm->reclaimer.reclaim = pudge_svm_reclaim;
	mutex_init(&svm->chunk_lock);
	spin_lock_init(&svm->lock);
	INIT_LIST_HEAD(&svm->partial_runs);
	INIT_LIST_HEAD(&svm->full_runs);
	init_llist_head(&svm->vram_to_free);
	INIT_WORK(&svm->free_work, pudge_svm_free_work);
	svm->max_chunks = 2 * DIV_ROUND_UP_ULL(svm->vram_size, PUDGE_SVM_CHUNK_SIZE);
	svm->chunks = kcalloc(svm->max_chunks, sizeof(*svm->chunks), GFP_KERNEL);
	svm->wq = alloc_workqueue("pudge-svm", WQ_UNBOUND, 0);
	if (!svm->chunks || !svm->wq) {
		kfree(svm->chunks);
		if (svm->wq)
			destroy_workqueue(svm->wq);
		kfree(svm);
		return ERR_PTR(-ENOMEM);
	}
	if (pudge_svm_add_chunk(svm)) {
		drm_info(svm->drm, "device-private VRAM unavailable\n");
		destroy_workqueue(svm->wq);
		kfree(svm->chunks);
		kfree(svm);
		return NULL;
	}
	pudge_vram_add_reclaimer(svm->vram, &svm->reclaimer);
	if (PUDGE_SVM_THP && thp_migration_supported() && !pudge_svm_kernel_fixed())
		pr_notice_once("pudge: 2 MiB device folios off: on this kernel zap_huge_pmd() and migrate_vma_collect_pmd() can free one while it is mapped; load with unsafe_svm_thp=1 only on a kernel patched with kernel-patches/0005 and 0006\n");
#ifdef PUDGE_HAVE_MEMREMAP_DEVICE_PRIVATE_PAGEMAP
	drm_info(svm->drm,
		 "kernel has memremap_device_private_pagemap(); pudge still reserves physical address space\n");
#endif
	return svm;
}

/**
 * pudge_svm_destroy() - move all process memory out of VRAM and tear down
 * @svm: the SVM of a device that is unplugged: no SVM ioctl runs any more
 *
 * The pool stops asking SVM for room first.  CPU faults may still race
 * with this and move pages back themselves; either way every page ends in
 * system memory with its data before the pagemaps go.
 */
void pudge_svm_destroy(struct pudge_svm *svm)
{
	unsigned int i, tries;

	if (!svm)
		return;
	pudge_vram_remove_reclaimer(svm->vram, &svm->reclaimer);
	mutex_lock(&svm->chunk_lock);
	svm->dying = true;
	for (tries = 0; atomic64_read(&svm->resident) && tries < 1000; tries++) {
		for (i = 0; i < svm->nr_chunks; i++)
			pudge_svm_evict_chunk(svm->chunks[i]);
		if (atomic64_read(&svm->resident))
			msleep(20);
	}
	if (atomic64_read(&svm->resident))
		drm_err(svm->drm, "%lld device-private pages would not move back\n",
			(long long)atomic64_read(&svm->resident));
	for (i = 0; i < svm->nr_chunks; i++) {
		struct pudge_svm_chunk *chunk = svm->chunks[i];

		memunmap_pages(&chunk->pagemap);
		release_mem_region(chunk->pagemap.range.start,
				   range_len(&chunk->pagemap.range));
		kvfree(chunk);
	}
	mutex_unlock(&svm->chunk_lock);
	flush_work(&svm->free_work);
	destroy_workqueue(svm->wq);
	kfree(svm->chunks);
	kfree(svm);
}

/**
 * pudge_svm_features() - PUDGE_FEATURE_SVM* bits for GET_PARAM
 * @svm: the device's SVM, or NULL
 *
 * Return: the bits.
 */
u64 pudge_svm_features(struct pudge_svm *svm)
{
	if (!svm)
		return 0;
	return PUDGE_FEATURE_SVM | (pudge_svm_thp() ? PUDGE_FEATURE_SVM_THP : 0);
}

/**
 * pudge_svm_capacity() - bytes of process memory VRAM can take at once
 * @svm: the device's SVM, or NULL
 *
 * Return: VRAM size, or less when device-private address space is short.
 */
u64 pudge_svm_capacity(struct pudge_svm *svm)
{
	u64 chunks;

	if (!svm)
		return 0;
	mutex_lock(&svm->chunk_lock);
	/* A cap lowered after growth does not take chunks away. */
	chunks = svm->out_of_space ? svm->nr_chunks :
		 max(svm->nr_chunks, pudge_svm_chunk_limit(svm));
	mutex_unlock(&svm->chunk_lock);
	return min_t(u64, svm->vram_size, chunks * PUDGE_SVM_CHUNK_SIZE);
}

/**
 * pudge_svm_resident() - bytes of process memory in VRAM now
 * @svm: the device's SVM, or NULL
 *
 * Return: the bytes.
 */
u64 pudge_svm_resident(struct pudge_svm *svm)
{
	return svm ? atomic64_read(&svm->resident) << PAGE_SHIFT : 0;
}

/**
 * pudge_svm_sync() - finish deferred VRAM frees before VRAM is counted
 * @svm: the device's SVM, or NULL
 */
void pudge_svm_sync(struct pudge_svm *svm)
{
	if (svm)
		pudge_svm_flush_frees(svm);
}

#else /* !PUDGE_SVM */

struct pudge_svm *pudge_svm_create(const struct pudge_svm_config *cfg)
{
	return NULL;
}

void pudge_svm_destroy(struct pudge_svm *svm)
{
}

u64 pudge_svm_features(struct pudge_svm *svm)
{
	return 0;
}

u64 pudge_svm_capacity(struct pudge_svm *svm)
{
	return 0;
}

u64 pudge_svm_resident(struct pudge_svm *svm)
{
	return 0;
}

void pudge_svm_sync(struct pudge_svm *svm)
{
}

#endif /* PUDGE_SVM */
