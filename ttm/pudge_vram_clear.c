// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VRAM cleared off the allocation path.
 *
 * Freed VRAM still holds its last owner's bytes.  Rather than free it
 * into the buddy allocator as it is and clear it when the next buffer
 * object takes it, the pool queues it for a worker, which clears it and
 * only then frees it, marked cleared (the buddy allocator's clear tree, as
 * amdgpu uses it).  Buffer objects ask for cleared blocks first, and the
 * allocation path clears only the blocks that are not (see
 * pudge_vram_clear_res()).  At probe the worker clears all of VRAM once.
 *
 * When the queue is empty, the worker also takes free blocks that are not
 * marked cleared (an allocation took the queue back, or the allocator
 * merged a cleared block with one that was not) and clears them: the
 * allocator merges cleared blocks only with cleared buddies, so free VRAM
 * that is all cleared is also VRAM in large blocks again.
 *
 * Queued VRAM counts as free.  An allocation that finds no room takes the
 * queue back as it is (not cleared) and waits only for the block the
 * worker is clearing, which gives up between 2 MiB chunks when someone
 * waits: under pressure, clearing costs what it cost before, never more.
 *
 * Nothing shows stale bytes: a block is marked cleared only after all of
 * it was written with zeroes, and every block not marked cleared is
 * cleared on the allocation path before a buffer object can map it.
 */
#include <linux/io.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "pudge_compat.h"
#include "pudge_vram_mgr.h"

/* Bytes the worker clears between looks at who waits for it. */
#define PUDGE_CLEAR_CHUNK	SZ_2M
/* Blocks the whole of VRAM is queued in at probe. */
#define PUDGE_CLEAR_PREFILL	SZ_64M

/*
 * For tests: while set, the worker leaves the queue alone (and looks
 * again every 100 ms), so that allocations find VRAM queued for clearing
 * and take it back, deterministically.
 */
static bool vram_clear_pause;
module_param(vram_clear_pause, bool, 0644);
MODULE_PARM_DESC(vram_clear_pause, "Testing: hold freed VRAM in the clearing queue (default: false)");

static u64 block_size(struct pudge_vram_mgr *mgr, struct gpu_buddy_block *block)
{
	return gpu_buddy_block_size(&mgr->mm, block);
}

/* Zero @size bytes at VRAM offset @offset; stop early if @stop says so. */
static u64 clear_range(struct pudge_vram_mgr *mgr, u64 offset, u64 size,
		       bool (*stop)(struct pudge_vram_mgr *mgr))
{
	u64 done = 0;

	while (done < size) {
		size_t n = min_t(u64, size - done, PUDGE_CLEAR_CHUNK);

		if (stop && stop(mgr))
			break;
		memset_io(mgr->map + offset + done, 0, n);
		done += n;
		cond_resched();
	}
	return done;
}

static bool clear_should_stop(struct pudge_vram_mgr *mgr)
{
	return atomic_read(&mgr->clear_hurry) || READ_ONCE(mgr->clear_stopped);
}

/* Free @blocks, cleared or not; mgr->lock held. */
static void free_locked(struct pudge_vram_mgr *mgr, struct list_head *blocks,
			bool cleared)
{
	gpu_buddy_free_list(&mgr->mm, blocks, cleared ? GPU_BUDDY_CLEARED : 0);
}

/*
 * The order of the largest free block not marked cleared, or -1.  The
 * free trees are indexed [clear/dirty][order] (linux/gpu_buddy.h).
 */
static int largest_dirty_order(struct gpu_buddy *mm)
{
	int order;

	for (order = mm->max_order; order >= 0; order--)
		if (!RB_EMPTY_ROOT(&mm->free_trees[GPU_BUDDY_DIRTY_TREE][order]))
			return order;
	return -1;
}

/*
 * With the queue empty: queue the largest free block not marked cleared
 * (at most PUDGE_CLEAR_PREFILL of it); mgr->lock held.  Asking for
 * exactly that order without the clear flag takes it from the dirty
 * tree.  Return: whether a block was queued.
 */
static bool adopt_dirty_locked(struct pudge_vram_mgr *mgr)
{
	int order = largest_dirty_order(&mgr->mm);
	struct gpu_buddy_block *block, *next;
	LIST_HEAD(got);
	LIST_HEAD(clear);
	bool any = false;
	u64 size;

	if (order < 0)
		return false;
	size = min_t(u64, mgr->mm.chunk_size << order, PUDGE_CLEAR_PREFILL);
	if (gpu_buddy_alloc_blocks(&mgr->mm, 0, mgr->mm.size, size, size, &got, 0))
		return false;
	list_for_each_entry_safe(block, next, &got, link) {
		if (gpu_buddy_block_is_clear(block)) {
			list_move(&block->link, &clear);
			continue;
		}
		list_move_tail(&block->link, &mgr->dirty);
		mgr->dirty_bytes += block_size(mgr, block);
		any = true;
	}
	free_locked(mgr, &clear, true);
	return any;
}

static void pudge_vram_clear_work(struct work_struct *work)
{
	struct pudge_vram_mgr *mgr = container_of(to_delayed_work(work),
						  struct pudge_vram_mgr, clear_work);

	for (;;) {
		struct gpu_buddy_block *block;
		LIST_HEAD(one);
		u64 size, done;

		mutex_lock(&mgr->lock);
		if (mgr->clear_stopped) {
			mutex_unlock(&mgr->lock);
			return;
		}
		if (READ_ONCE(vram_clear_pause)) {
			queue_delayed_work(pudge_unbound_wq, &mgr->clear_work, HZ / 10);
			mutex_unlock(&mgr->lock);
			return;
		}
		/* An allocation is retrying on what it took back: leave it. */
		if (atomic_read(&mgr->clear_hurry)) {
			mutex_unlock(&mgr->lock);
			return;
		}
		/*
		 * Not kicked when an allocation takes the queue back (the
		 * worker would take it again before the allocation retries):
		 * the next free kicks it.
		 */
		if (list_empty(&mgr->dirty) && !adopt_dirty_locked(mgr)) {
			mutex_unlock(&mgr->lock);
			return;
		}
		block = list_first_entry(&mgr->dirty, struct gpu_buddy_block, link);
		list_move(&block->link, &one);
		mgr->clearing = block;
		mutex_unlock(&mgr->lock);

		size = block_size(mgr, block);
		done = clear_range(mgr, gpu_buddy_block_offset(block), size,
				   clear_should_stop);

		mutex_lock(&mgr->lock);
		free_locked(mgr, &one, done == size);
		mgr->dirty_bytes -= size;
		mgr->clearing = NULL;
		mutex_unlock(&mgr->lock);
		atomic64_add(done, &mgr->cleared_bg);
		wake_up_all(&mgr->clear_wq);
	}
}

/**
 * pudge_vram_clear_init() - set up clearing for @mgr
 * @mgr: the manager, its buddy allocator initialised
 * @map: CPU mapping of all of VRAM
 */
void pudge_vram_clear_init(struct pudge_vram_mgr *mgr, void __iomem *map)
{
	mgr->map = map;
	INIT_LIST_HEAD(&mgr->dirty);
	init_waitqueue_head(&mgr->clear_wq);
	INIT_DELAYED_WORK(&mgr->clear_work, pudge_vram_clear_work);
}

/**
 * pudge_vram_clear_queue() - give freed VRAM back, cleared first
 * @mgr: the manager
 * @blocks: blocks that were allocated; the list is emptied
 *
 * After pudge_vram_clear_stop(), the blocks are freed as they are.
 */
void pudge_vram_clear_queue(struct pudge_vram_mgr *mgr, struct list_head *blocks)
{
	struct gpu_buddy_block *block;
	bool stopped;

	mutex_lock(&mgr->lock);
	stopped = mgr->clear_stopped;
	if (stopped) {
		free_locked(mgr, blocks, false);
	} else {
		list_for_each_entry(block, blocks, link)
			mgr->dirty_bytes += block_size(mgr, block);
		list_splice_tail_init(blocks, &mgr->dirty);
	}
	mutex_unlock(&mgr->lock);
	if (!stopped)
		queue_delayed_work(pudge_unbound_wq, &mgr->clear_work, 0);
}

/**
 * pudge_vram_clear_prefill() - queue all free VRAM for clearing
 * @mgr: the manager, nothing allocated yet
 *
 * VRAM holds whatever the last driver left there; clear it in the
 * background once, so that the first buffer objects find cleared VRAM.
 */
void pudge_vram_clear_prefill(struct pudge_vram_mgr *mgr)
{
	u64 chunk = min_t(u64, PUDGE_CLEAR_PREFILL,
			  rounddown_pow_of_two(mgr->mm.size));
	LIST_HEAD(blocks);
	int err;

	mutex_lock(&mgr->lock);
	do {
		err = gpu_buddy_alloc_blocks(&mgr->mm, 0, mgr->mm.size, chunk, chunk,
					     &blocks, 0);
	} while (!err);
	mutex_unlock(&mgr->lock);
	pudge_vram_clear_queue(mgr, &blocks);
}

/**
 * pudge_vram_clear_hold() - take queued VRAM back without clearing it,
 * and keep the worker off until pudge_vram_clear_release()
 * @mgr: the manager, mgr->lock not held
 *
 * For an allocation that found no room: the queue is freed as it is (the
 * allocation path clears what it takes of it), and the block being
 * cleared right now is waited for, which the worker gives up at once.
 * Until the allocation has retried and calls pudge_vram_clear_release(),
 * the worker neither starts a block nor takes free blocks to clear, which
 * would take the room again (a spurious -ENOSPC with all of VRAM free).
 */
void pudge_vram_clear_hold(struct pudge_vram_mgr *mgr)
{
	struct gpu_buddy_block *block;
	bool any;

	atomic_inc(&mgr->clear_hurry);
	mutex_lock(&mgr->lock);
	any = !list_empty(&mgr->dirty);
	list_for_each_entry(block, &mgr->dirty, link)
		mgr->dirty_bytes -= block_size(mgr, block);
	free_locked(mgr, &mgr->dirty, false);
	mutex_unlock(&mgr->lock);
	wait_event(mgr->clear_wq, !READ_ONCE(mgr->clearing));
	if (any)
		atomic64_inc(&mgr->clear_reclaims);
}

/**
 * pudge_vram_clear_release() - the worker may go on after
 * pudge_vram_clear_hold()
 * @mgr: the manager
 *
 * The worker is not kicked: what is free and not cleared waits for the
 * next free, which kicks it.
 */
void pudge_vram_clear_release(struct pudge_vram_mgr *mgr)
{
	atomic_dec(&mgr->clear_hurry);
}

/**
 * pudge_vram_clear_stop() - no more clearing: VRAM is about to go
 * @mgr: the manager
 *
 * Waits for the worker; what is queued is freed without clearing, and so
 * is everything freed later.  For device removal and teardown; may be
 * called more than once.
 */
void pudge_vram_clear_stop(struct pudge_vram_mgr *mgr)
{
	mutex_lock(&mgr->lock);
	WRITE_ONCE(mgr->clear_stopped, true);
	mutex_unlock(&mgr->lock);
	cancel_delayed_work_sync(&mgr->clear_work);

	mutex_lock(&mgr->lock);
	free_locked(mgr, &mgr->dirty, false);
	mgr->dirty_bytes = 0;
	mutex_unlock(&mgr->lock);
}

/**
 * pudge_vram_clear_pending() - free VRAM not cleared yet
 * @mgr: the manager
 *
 * Return: bytes queued for the worker or being cleared by it, and free
 * blocks not marked cleared, which the worker takes next.
 */
u64 pudge_vram_clear_pending(struct pudge_vram_mgr *mgr)
{
	u64 pending;

	mutex_lock(&mgr->lock);
	pending = mgr->dirty_bytes + mgr->mm.avail - mgr->mm.clear_avail;
	mutex_unlock(&mgr->lock);
	return pending;
}

/**
 * pudge_vram_clear_res() - clear what of a new VRAM resource is not cleared
 * @mgr: the manager
 * @res: a resource @mgr just allocated
 *
 * On the allocation path: blocks the buddy allocator has marked cleared
 * are left alone.  The caller keeps the device from going away meanwhile.
 */
void pudge_vram_clear_res(struct pudge_vram_mgr *mgr, struct ttm_resource *res)
{
	struct pudge_vram_res *vres = to_pudge_vram_res(res);
	struct gpu_buddy_block *block;
	u64 cleared = 0;

	list_for_each_entry(block, &vres->blocks, link) {
		if (gpu_buddy_block_is_clear(block))
			continue;
		cleared += clear_range(mgr, gpu_buddy_block_offset(block),
				       block_size(mgr, block), NULL);
	}
	atomic64_add(cleared, &mgr->cleared_alloc);
}
