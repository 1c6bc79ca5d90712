// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VRAM resource manager on the kernel's GPU buddy allocator.
 *
 * Huge CPU entries need VRAM that is contiguous and aligned to 2 MiB or
 * 1 GiB.  The buddy allocator hands out naturally aligned power-of-two
 * blocks, largest first, so a BO whose size is a multiple of 2 MiB asks
 * for blocks of at least 2 MiB: it gets 1 GiB blocks where they are free
 * and 2 MiB blocks otherwise.  Under fragmentation that fails, and the BO
 * takes 4 KiB blocks rather than failing.
 *
 * The pool is shared: buffer objects take VRAM through TTM, other users
 * (device-private pages) take blocks directly.  A user that finds no room
 * asks the pool to reclaim, and the pool asks every other user through the
 * callback that user registered, so that the users never call each other.
 */
#include <linux/slab.h>
#include <linux/sizes.h>
#include <drm/drm_print.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_placement.h>

#include "pudge_vram_mgr.h"

static struct pudge_vram_mgr *to_mgr(struct ttm_resource_manager *man)
{
	return container_of(man, struct pudge_vram_mgr, man);
}

/* Merge buddy blocks that follow each other in VRAM into runs. */
static int pudge_vram_build_runs(struct pudge_vram_mgr *mgr,
				 struct pudge_vram_res *vres)
{
	struct gpu_buddy_block *block;
	struct pudge_run *run = NULL;
	unsigned int n = 0;
	u64 page = 0;

	list_for_each_entry(block, &vres->blocks, link)
		n++;
	vres->runs = kmalloc_array(n, sizeof(*vres->runs), GFP_KERNEL);
	if (!vres->runs)
		return -ENOMEM;

	n = 0;
	list_for_each_entry(block, &vres->blocks, link) {
		u64 pa = mgr->base + gpu_buddy_block_offset(block);
		u64 npages = gpu_buddy_block_size(&mgr->mm, block) >> PAGE_SHIFT;

		if (run && run->pa + (run->npages << PAGE_SHIFT) == pa) {
			run->npages += npages;
		} else {
			run = &vres->runs[n++];
			run->page = page;
			run->pa = pa;
			run->npages = npages;
		}
		page += npages;
	}
	vres->nr_runs = n;
	return 0;
}

static int pudge_vram_buddy_alloc(struct pudge_vram_mgr *mgr, u64 size,
				  u64 min_block, struct list_head *blocks,
				  unsigned long flags)
{
	int err;

	mutex_lock(&mgr->lock);
	err = gpu_buddy_alloc_blocks(&mgr->mm, 0, mgr->mm.size, size, min_block,
				     blocks, flags);
	mutex_unlock(&mgr->lock);
	return err;
}

/**
 * pudge_vram_alloc_block() - one naturally aligned block of VRAM, outside TTM
 * @mgr: the manager
 * @size: a power of two, at least PAGE_SIZE
 * @top_down: take it from the top of VRAM, away from where buffer
 *	objects' large blocks go
 * @blocks: receives the block
 * @offset: receives its VRAM offset
 *
 * For device-private pages, which share the buddy pool with buffer
 * objects but are not TTM resources.
 *
 * Return: 0, -ENOSPC when no such block is free, -ENOMEM.
 */
int pudge_vram_alloc_block(struct pudge_vram_mgr *mgr, u64 size, bool top_down,
			   struct list_head *blocks, u64 *offset)
{
	int err;

	err = pudge_vram_buddy_alloc(mgr, size, size, blocks,
				     top_down ? GPU_BUDDY_TOPDOWN_ALLOCATION : 0);
	if (err == -ENOSPC) {
		pudge_vram_clear_hold(mgr);
		err = pudge_vram_buddy_alloc(mgr, size, size, blocks,
					     top_down ? GPU_BUDDY_TOPDOWN_ALLOCATION : 0);
		pudge_vram_clear_release(mgr);
	}
	if (!err)
		*offset = gpu_buddy_block_offset(list_first_entry(blocks,
								  struct gpu_buddy_block,
								  link));
	return err;
}

/**
 * pudge_vram_free_blocks() - give buddy blocks back to the pool
 * @mgr: the manager
 * @blocks: the blocks; the list is emptied
 *
 * They are cleared before anyone can allocate them again as cleared
 * (pudge_vram_clear.c).
 */
void pudge_vram_free_blocks(struct pudge_vram_mgr *mgr, struct list_head *blocks)
{
	pudge_vram_clear_queue(mgr, blocks);
}

static int pudge_vram_alloc(struct ttm_resource_manager *man,
			    struct ttm_buffer_object *bo,
			    const struct ttm_place *place,
			    struct ttm_resource **res)
{
	struct pudge_vram_mgr *mgr = to_mgr(man);
	u64 size = PAGE_ALIGN(bo->base.size);
	u64 min_block = IS_ALIGNED(size, SZ_2M) ? SZ_2M : PAGE_SIZE;
	u64 huge_block = IS_ALIGNED(size, SZ_1G) ? SZ_1G : min_block;
	bool held = false;
	struct pudge_vram_res *vres;
	int err;

	if (size > man->size)
		return -ENOSPC;
	vres = kzalloc(sizeof(*vres), GFP_KERNEL);
	if (!vres)
		return -ENOMEM;
	ttm_resource_init(bo, place, &vres->base);
	INIT_LIST_HEAD(&vres->blocks);

	/*
	 * Cleared blocks first, so that the BO's creation clears little.
	 * A 1 GiB multiple asks for 1 GiB blocks first: the allocator does
	 * not merge a cleared block with a buddy that is not, and merges
	 * them (as not cleared) only when no block of the smallest size asked
	 * for is free; a 2 MiB minimum would settle for 2 MiB blocks instead.
	 * Short of room, take back VRAM queued for clearing before settling
	 * for smaller blocks, which cost huge entries.
	 */
	err = pudge_vram_buddy_alloc(mgr, size, huge_block, &vres->blocks,
				     GPU_BUDDY_CLEAR_ALLOCATION);
	if (err == -ENOSPC) {
		held = true;
		pudge_vram_clear_hold(mgr);
		err = pudge_vram_buddy_alloc(mgr, size, huge_block, &vres->blocks,
					     GPU_BUDDY_CLEAR_ALLOCATION);
	}
	if (err == -ENOSPC && huge_block > min_block)
		err = pudge_vram_buddy_alloc(mgr, size, min_block, &vres->blocks,
					     GPU_BUDDY_CLEAR_ALLOCATION);
	if (err == -ENOSPC && min_block > PAGE_SIZE)
		err = pudge_vram_buddy_alloc(mgr, size, PAGE_SIZE, &vres->blocks,
					     GPU_BUDDY_CLEAR_ALLOCATION);
	if (held)
		pudge_vram_clear_release(mgr);
	if (err)
		goto err_fini;

	err = pudge_vram_build_runs(mgr, vres);
	if (err)
		goto err_free;
	vres->base.start = (vres->runs[0].pa - mgr->base) >> PAGE_SHIFT;
	/*
	 * Set here rather than in io_mem_reserve so that ttm_io_prot() is
	 * right on the fault path (ttm_mem_io_reserve() is not exported).
	 * bus.offset is the first run only; pudge never uses it as linear.
	 */
	vres->base.bus.is_iomem = true;
	vres->base.bus.caching = ttm_write_combined;
	vres->base.bus.offset = vres->runs[0].pa;
	*res = &vres->base;
	return 0;

err_free:
	pudge_vram_free_blocks(mgr, &vres->blocks);
err_fini:
	ttm_resource_fini(man, &vres->base);
	kfree(vres);
	return err;
}

static void pudge_vram_free(struct ttm_resource_manager *man,
			    struct ttm_resource *res)
{
	struct pudge_vram_res *vres = to_pudge_vram_res(res);
	struct pudge_vram_mgr *mgr = to_mgr(man);

	pudge_vram_free_blocks(mgr, &vres->blocks);
	ttm_resource_fini(man, res);
	kfree(vres->runs);
	kfree(vres);
}

/* pudge never asks for address ranges: any VRAM resource fits any place. */
static bool pudge_vram_intersects(struct ttm_resource_manager *man,
				  struct ttm_resource *res,
				  const struct ttm_place *place, size_t size)
{
	return true;
}

static bool pudge_vram_compatible(struct ttm_resource_manager *man,
				  struct ttm_resource *res,
				  const struct ttm_place *place, size_t size)
{
	return true;
}

static void pudge_vram_debug(struct ttm_resource_manager *man,
			     struct drm_printer *p)
{
	struct pudge_vram_mgr *mgr = to_mgr(man);

	mutex_lock(&mgr->lock);
	drm_printf(p, "size %llu MiB, free %llu MiB (cleared %llu MiB, to clear %llu MiB)\n",
		   man->size >> 20, (mgr->mm.avail + mgr->dirty_bytes) >> 20,
		   mgr->mm.clear_avail >> 20, mgr->dirty_bytes >> 20);
	mutex_unlock(&mgr->lock);
}

static const struct ttm_resource_manager_func pudge_vram_mgr_func = {
	.alloc = pudge_vram_alloc,
	.free = pudge_vram_free,
	.intersects = pudge_vram_intersects,
	.compatible = pudge_vram_compatible,
	.debug = pudge_vram_debug,
};

/**
 * pudge_vram_mgr_init() - set up VRAM as TTM_PL_VRAM of @bdev
 * @mgr: the manager to set up
 * @bdev: the TTM device
 * @base: bus address of VRAM
 * @size: bytes of VRAM
 * @map: CPU mapping of all of VRAM, for clearing it
 *
 * Return: 0, or a negative errno.
 */
int pudge_vram_mgr_init(struct pudge_vram_mgr *mgr, struct ttm_device *bdev,
			u64 base, u64 size, void __iomem *map)
{
	struct ttm_resource_manager *man = &mgr->man;
	int err;

	mutex_init(&mgr->lock);
	mgr->base = base;
	INIT_LIST_HEAD(&mgr->reclaimers);
	mutex_init(&mgr->reclaim_lock);
	err = init_srcu_struct(&mgr->reclaim_srcu);
	if (err)
		return err;
	err = gpu_buddy_init(&mgr->mm, size, PAGE_SIZE);
	if (err) {
		cleanup_srcu_struct(&mgr->reclaim_srcu);
		return err;
	}

	pudge_vram_clear_init(mgr, map);
	pudge_vram_clear_prefill(mgr);

	man->func = &pudge_vram_mgr_func;
	ttm_resource_manager_init(man, bdev, size);
	ttm_set_driver_manager(bdev, TTM_PL_VRAM, man);
	ttm_resource_manager_set_used(man, true);
	return 0;
}

/**
 * pudge_vram_mgr_fini() - tear down the VRAM manager
 * @mgr: the manager
 * @bdev: the TTM device
 *
 * Every BO must be gone; what is still in VRAM is evicted first.  Every
 * reclaimer must have been removed.
 */
void pudge_vram_mgr_fini(struct pudge_vram_mgr *mgr, struct ttm_device *bdev)
{
	struct ttm_resource_manager *man = &mgr->man;

	pudge_vram_clear_stop(mgr);
	ttm_resource_manager_set_used(man, false);
	if (ttm_resource_manager_evict_all(bdev, man)) {
		/* The BO's VRAM stays allocated; the reclaim state does not. */
		cleanup_srcu_struct(&mgr->reclaim_srcu);
		return;
	}
	ttm_resource_manager_cleanup(man);
	ttm_set_driver_manager(bdev, TTM_PL_VRAM, NULL);
	gpu_buddy_fini(&mgr->mm);
	mutex_destroy(&mgr->lock);
	WARN_ON(!list_empty(&mgr->reclaimers));
	cleanup_srcu_struct(&mgr->reclaim_srcu);
	mutex_destroy(&mgr->reclaim_lock);
}

/**
 * pudge_vram_add_reclaimer() - let the pool ask @r for VRAM
 * @mgr: the manager
 * @r: the reclaimer, with @r->reclaim set
 */
void pudge_vram_add_reclaimer(struct pudge_vram_mgr *mgr,
			      struct pudge_vram_reclaimer *r)
{
	mutex_lock(&mgr->reclaim_lock);
	list_add_tail_rcu(&r->link, &mgr->reclaimers);
	mutex_unlock(&mgr->reclaim_lock);
}

/**
 * pudge_vram_remove_reclaimer() - stop asking @r, and wait until no call
 * into @r runs
 * @mgr: the manager
 * @r: a reclaimer added before
 *
 * Must not be called from a reclaim callback.
 */
void pudge_vram_remove_reclaimer(struct pudge_vram_mgr *mgr,
				 struct pudge_vram_reclaimer *r)
{
	mutex_lock(&mgr->reclaim_lock);
	list_del_rcu(&r->link);
	mutex_unlock(&mgr->reclaim_lock);
	synchronize_srcu(&mgr->reclaim_srcu);
}

/**
 * pudge_vram_reclaim() - ask the other users of the pool for VRAM
 * @mgr: the manager
 * @self: the asking user, which is not asked, or NULL
 * @size: bytes wanted
 *
 * Each other reclaimer is asked once, in the order they were added.
 *
 * Return: true if any of them freed VRAM.
 */
bool pudge_vram_reclaim(struct pudge_vram_mgr *mgr,
			struct pudge_vram_reclaimer *self, u64 size)
{
	struct pudge_vram_reclaimer *r;
	bool freed = false;
	int idx;

	idx = srcu_read_lock(&mgr->reclaim_srcu);
	list_for_each_entry_srcu(r, &mgr->reclaimers, link,
				 srcu_read_lock_held(&mgr->reclaim_srcu)) {
		if (r != self && r->reclaim(r, size))
			freed = true;
	}
	srcu_read_unlock(&mgr->reclaim_srcu, idx);
	return freed;
}

/**
 * pudge_vram_find_run() - the contiguous run holding page @page of a BO
 * @res: a VRAM resource of pudge_vram_mgr
 * @page: page offset in the buffer object
 *
 * Return: the run, or NULL if @page lies beyond the resource.
 */
const struct pudge_run *pudge_vram_find_run(struct ttm_resource *res, u64 page)
{
	struct pudge_vram_res *vres = to_pudge_vram_res(res);
	unsigned int lo = 0, hi = vres->nr_runs;

	/* Runs are sorted by page: binary search. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct pudge_run *r = &vres->runs[mid];

		if (page < r->page)
			hi = mid;
		else if (page >= r->page + r->npages)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/**
 * pudge_vram_free_bytes() - VRAM not allocated right now
 * @mgr: the manager
 *
 * VRAM waiting to be cleared is free: an allocation takes it back.
 *
 * Return: free bytes.
 */
u64 pudge_vram_free_bytes(struct pudge_vram_mgr *mgr)
{
	u64 avail;

	mutex_lock(&mgr->lock);
	avail = mgr->mm.avail + mgr->dirty_bytes;
	mutex_unlock(&mgr->lock);
	return avail;
}

/**
 * pudge_vram_page_pa() - physical (bus) address of page @page of a BO
 * @res: a VRAM resource of pudge_vram_mgr
 * @page: page offset in the buffer object, inside the resource
 *
 * Return: the address.
 */
u64 pudge_vram_page_pa(struct ttm_resource *res, u64 page)
{
	const struct pudge_run *r = pudge_vram_find_run(res, page);

	return r->pa + ((page - r->page) << PAGE_SHIFT);
}
