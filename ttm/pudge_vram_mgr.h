/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_VRAM_MGR_H_
#define _PUDGE_VRAM_MGR_H_

#include <linux/gpu_buddy.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/srcu.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <drm/ttm/ttm_resource.h>

#include "pudge_range_plan.h"

/**
 * struct pudge_vram_res - a VRAM resource: buddy blocks and their runs
 * @base: the TTM resource
 * @blocks: the buddy blocks, in buffer-object order
 * @nr_runs: entries in @runs
 * @runs: physically contiguous runs, in buffer-object order; computed once
 *	at allocation so the fault path only searches
 */
struct pudge_vram_res {
	struct ttm_resource base;
	struct list_head blocks;
	unsigned int nr_runs;
	struct pudge_run *runs;
};

/**
 * struct pudge_vram_reclaimer - a user of the VRAM pool that can give VRAM
 * back when another user finds no room
 * @reclaim: free VRAM this user holds, about @size bytes where it can
 *	choose; may sleep and take dma_resv locks.  It may be called with
 *	the caller's mmap_lock held, for reading or for writing, so it must
 *	not take mmap_lock itself, nor call pudge_vram_reclaim().  Returns
 *	true if VRAM was freed, so that the caller may try again, false if
 *	the user had none to give.
 * @link: on pudge_vram_mgr.reclaimers
 *
 * Buffer objects (through TTM eviction) and device-private memory each
 * register one; neither calls the other.
 */
struct pudge_vram_reclaimer {
	bool (*reclaim)(struct pudge_vram_reclaimer *r, u64 size);
	struct list_head link;
};

/**
 * struct pudge_vram_mgr - TTM resource manager for VRAM on a buddy allocator
 * @man: the TTM resource manager
 * @mm: the buddy allocator over [0, VRAM size)
 * @lock: protects @mm
 * @base: bus address of VRAM offset 0
 * @reclaimers: the users that can give VRAM back, under @reclaim_lock for
 *	changes and @reclaim_srcu for walks
 * @reclaim_lock: serialises changes of @reclaimers
 * @reclaim_srcu: a walk may sleep in a callback, and removal waits for it
 */
struct pudge_vram_mgr {
	struct ttm_resource_manager man;
	struct gpu_buddy mm;
	struct mutex lock;	/* protects mm and the clearing state */
	u64 base;
	struct list_head reclaimers;
	struct mutex reclaim_lock;	/* changes of reclaimers */
	struct srcu_struct reclaim_srcu;

	/* Clearing freed VRAM off the allocation path (pudge_vram_clear.c). */
	void __iomem *map;		/* all of VRAM */
	struct list_head dirty;		/* freed blocks waiting to be cleared */
	u64 dirty_bytes;		/* on @dirty or being cleared: free */
	struct gpu_buddy_block *clearing;	/* the worker's block */
	bool clear_stopped;		/* VRAM is going: free as it is */
	atomic_t clear_hurry;		/* someone waits for @clearing */
	wait_queue_head_t clear_wq;	/* @clearing done */
	struct delayed_work clear_work;
	atomic64_t cleared_bg;		/* bytes cleared by the worker */
	atomic64_t cleared_alloc;	/* bytes cleared on the allocation path */
	atomic64_t clear_reclaims;	/* allocations that took the queue back */
};

static inline struct pudge_vram_res *to_pudge_vram_res(struct ttm_resource *res)
{
	return container_of(res, struct pudge_vram_res, base);
}

u64 pudge_vram_free_bytes(struct pudge_vram_mgr *mgr);
int pudge_vram_alloc_block(struct pudge_vram_mgr *mgr, u64 size, bool top_down,
			   struct list_head *blocks, u64 *offset);
void pudge_vram_free_blocks(struct pudge_vram_mgr *mgr, struct list_head *blocks);
int pudge_vram_mgr_init(struct pudge_vram_mgr *mgr, struct ttm_device *bdev,
			u64 base, u64 size, void __iomem *map);
void pudge_vram_mgr_fini(struct pudge_vram_mgr *mgr, struct ttm_device *bdev);
void pudge_vram_add_reclaimer(struct pudge_vram_mgr *mgr,
			      struct pudge_vram_reclaimer *r);
void pudge_vram_remove_reclaimer(struct pudge_vram_mgr *mgr,
				 struct pudge_vram_reclaimer *r);
bool pudge_vram_reclaim(struct pudge_vram_mgr *mgr,
			struct pudge_vram_reclaimer *self, u64 size);
void pudge_vram_clear_init(struct pudge_vram_mgr *mgr, void __iomem *map);
void pudge_vram_clear_queue(struct pudge_vram_mgr *mgr, struct list_head *blocks);
void pudge_vram_clear_prefill(struct pudge_vram_mgr *mgr);
void pudge_vram_clear_hold(struct pudge_vram_mgr *mgr);
void pudge_vram_clear_release(struct pudge_vram_mgr *mgr);
void pudge_vram_clear_stop(struct pudge_vram_mgr *mgr);
u64 pudge_vram_clear_pending(struct pudge_vram_mgr *mgr);
void pudge_vram_clear_res(struct pudge_vram_mgr *mgr, struct ttm_resource *res);
const struct pudge_run *pudge_vram_find_run(struct ttm_resource *res, u64 page);
u64 pudge_vram_page_pa(struct ttm_resource *res, u64 page);

#endif /* _PUDGE_VRAM_MGR_H_ */
