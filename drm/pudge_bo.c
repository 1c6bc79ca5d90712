// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pudge buffer objects: GEM objects on TTM, placed in VRAM, in system
 * memory, or in either, and mapped to user space by the huge-fault helper
 * in ttm/.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/dma-buf.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_tt.h>

#include "pudge_args.h"
#include "pudge_bo.h"
#include "pudge_compat.h"

/*
 * Without TTM_ALLOCATION_PROPAGATE_ENOSPC, TTM reports "no room in any
 * allowed placement" as -ENOMEM; pudge's uapi says -ENOSPC for VRAM.
 */
static int pudge_vram_errno(int err, u32 place)
{
	if (!PUDGE_TTM_PROPAGATES_ENOSPC && err == -ENOMEM &&
	    place == PUDGE_GEM_PLACE_VRAM)
		return -ENOSPC;
	return err;
}

static void pudge_gem_free(struct drm_gem_object *obj)
{
	struct ttm_buffer_object *tbo = drm_gem_ttm_of_gem(obj);

	/* VRAM-only BOs are pinned for their whole life. */
	if (tbo->pin_count) {
		ttm_bo_reserve(tbo, false, false, NULL);
		ttm_bo_unpin(tbo);
		ttm_bo_unreserve(tbo);
		atomic64_sub(obj->size, &bdev_to_pudge(tbo->bdev)->vram_pinned);
	}
	pudge_ttm_bo_fini(tbo);
}

static const struct drm_gem_object_funcs pudge_gem_funcs = {
	.free = pudge_gem_free,
	.mmap = pudge_gem_mmap,
	.vm_ops = &pudge_bo_vm_ops,
	.pin = pudge_gem_prime_pin,
	.unpin = pudge_gem_prime_unpin,
	.get_sg_table = pudge_gem_prime_get_sg_table,
};

static void pudge_bo_destroy(struct ttm_buffer_object *tbo)
{
	struct pudge_bo *bo = to_pudge_bo(tbo);

	/* An imported BO gives its attachment back (unset if init failed). */
	if (pudge_gem_is_imported(&tbo->base))
		drm_prime_gem_destroy(&tbo->base, tbo->sg);
	drm_gem_object_release(&tbo->base);
	if (bo->resv_dmabuf)
		dma_buf_put(bo->resv_dmabuf);
	kfree(bo);
}

static struct ttm_tt *pudge_ttm_tt_create(struct ttm_buffer_object *tbo,
					  u32 page_flags)
{
	struct ttm_tt *tt = kzalloc(sizeof(*tt), GFP_KERNEL);

	if (!tt)
		return NULL;
	if (ttm_tt_init(tt, tbo, page_flags, ttm_cached, 0)) {
		kfree(tt);
		return NULL;
	}
	return tt;
}

static void pudge_ttm_tt_destroy(struct ttm_device *bdev, struct ttm_tt *tt)
{
	ttm_tt_fini(tt);
	kfree(tt);
}

static void pudge_evict_flags(struct ttm_buffer_object *tbo,
			      struct ttm_placement *placement)
{
	static const struct ttm_place system = { .mem_type = TTM_PL_SYSTEM };

	placement->num_placement = 1;
	placement->placement = &system;
}

/* The VRAM manager fills in bus.* when it allocates (pudge_vram_mgr.c). */
static int pudge_io_mem_reserve(struct ttm_device *bdev, struct ttm_resource *mem)
{
	return mem->mem_type == TTM_PL_SYSTEM || mem->mem_type == TTM_PL_VRAM ?
		0 : -EINVAL;
}

static unsigned long pudge_io_mem_pfn(struct ttm_buffer_object *tbo,
				      unsigned long page)
{
	return pudge_vram_page_pa(tbo->resource, page) >> PAGE_SHIFT;
}

const struct ttm_device_funcs pudge_ttm_funcs = {
	.ttm_tt_create = pudge_ttm_tt_create,
	.ttm_tt_destroy = pudge_ttm_tt_destroy,
	.eviction_valuable = ttm_bo_eviction_valuable,
	.evict_flags = pudge_evict_flags,
	.move = pudge_bo_move,
	.io_mem_reserve = pudge_io_mem_reserve,
	.io_mem_pfn = pudge_io_mem_pfn,
	.access_memory = pudge_bo_access_memory,
};

/**
 * pudge_bo_create() - a new BO, holding one reference and no handle
 * @pudge: the device
 * @size: bytes, a multiple of PAGE_SIZE
 * @flags: PUDGE_GEM_PLACE_*; a VRAM-only BO is pinned in VRAM
 * @sg: for an imported BO, the exporter's pages (then @flags is system
 *	memory), else NULL
 * @dmabuf: for an imported BO, the dma-buf, whose reservation object the
 *	BO shares: locked by the caller and still locked on return; else NULL
 * @out: receives the BO
 *
 * Return: 0, -ENOSPC (a VRAM-only BO that does not fit), -ENOMEM.
 */
int pudge_bo_create(struct pudge_device *pudge, u64 size, u32 flags,
		    struct sg_table *sg, struct dma_buf *dmabuf,
		    struct pudge_bo **out)
{
	struct dma_resv *resv = dmabuf ? dmabuf->resv : NULL;
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct pudge_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return -ENOMEM;
	drm_gem_private_object_init(&pudge->drm, &bo->tbo.base, size);
	bo->tbo.base.funcs = &pudge_gem_funcs;
	bo->flags = flags;
	pudge_bo_set_placement(bo, flags);
	/*
	 * The BO locks the dma-buf's reservation object until TTM's release
	 * worker is done with it, also when the init below fails and the
	 * import is abandoned at once: keep the dma-buf (and its lock) until
	 * pudge_bo_destroy().
	 */
	if (dmabuf) {
		get_dma_buf(dmabuf);
		bo->resv_dmabuf = dmabuf;
	}

	/* On failure TTM frees the BO through pudge_bo_destroy(). */
	ret = ttm_bo_init_reserved(&pudge->bdev, &bo->tbo,
				   sg ? ttm_bo_type_sg : ttm_bo_type_device,
				   &bo->placement, 0, &ctx, sg, resv,
				   pudge_bo_destroy);
	if (ret)
		return pudge_vram_errno(ret, flags);
	if (flags == PUDGE_GEM_PLACE_VRAM) {
		ttm_bo_pin(&bo->tbo);
		atomic64_add(size, &pudge->vram_pinned);
	}
	if (!resv)
		ttm_bo_unreserve(&bo->tbo);
	*out = bo;
	return 0;
}

/*
 * Whether a VRAM allocation of @size bytes could succeed at all: VRAM-only
 * BOs are pinned and no eviction frees theirs.  A request larger than the
 * rest fails at once, before TTM evicts anything for it.  (Two requests
 * racing may both pass; then the later one evicts and still fails.)
 */
static bool pudge_vram_could_fit(struct pudge_device *pudge, u64 size)
{
	return size <= pudge->vram_size - atomic64_read(&pudge->vram_pinned);
}

/**
 * pudge_bo_reclaim() - the buffer objects' reclaim callback for the VRAM
 * pool: evict buffer objects until @size bytes of VRAM are free, or
 * nothing more can go
 * @r: &pudge_device.bo_reclaimer
 * @size: bytes wanted (capped at the VRAM that pinned BOs leave)
 *
 * Another user of the pool (SVM) asks for this when its VRAM pages find
 * no room.  TTM places a temporary VRAM-only BO of @size, evicting buffer
 * objects least recently used first until it fits, and the BO is dropped
 * at once, which leaves @size bytes free (the free part plus what was
 * evicted).  Best effort: another allocation may take the room first.
 *
 * Return: true if VRAM was freed.
 */
bool pudge_bo_reclaim(struct pudge_vram_reclaimer *r, u64 size)
{
	struct pudge_device *pudge = container_of(r, struct pudge_device, bo_reclaimer);
	u64 unpinned = pudge->vram_size - atomic64_read(&pudge->vram_pinned);
	u64 before = pudge_vram_free_bytes(&pudge->vram);
	struct pudge_bo *bo;

	size = ALIGN(min(size, unpinned), PAGE_SIZE);
	if (!size || before >= size)
		return false;
	if (pudge_bo_create(pudge, size, PUDGE_GEM_PLACE_VRAM, NULL, NULL, &bo))
		return false;
	drm_gem_object_put(&bo->tbo.base);
	return pudge_vram_free_bytes(&pudge->vram) > before;
}

/*
 * Whether to try again after taking process memory back from VRAM for a
 * buffer object.  Bounded: a process that migrates its memory back into
 * VRAM as fast as it goes would otherwise keep the caller in the kernel
 * forever, deaf even to SIGKILL (found by a hostile-user session).  Two
 * passes over every chunk are enough for any room SVM can give.
 */
static bool pudge_bo_reclaim_again(struct pudge_device *pudge, u64 size,
				   unsigned int *rounds)
{
	unsigned int max = 2 * DIV_ROUND_UP_ULL(pudge->vram_size, SZ_256M) + 2;

	if (signal_pending(current) || ++*rounds > max)
		return false;
	return pudge_vram_reclaim(&pudge->vram, &pudge->bo_reclaimer, size);
}

/**
 * pudge_gem_create_ioctl() - DRM_IOCTL_PUDGE_GEM_CREATE
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_gem_create
 * @file: the caller's DRM file, which gets the handle
 *
 * Return: 0, -EINVAL for bad arguments, -ENOSPC when a VRAM-only BO does
 * not fit (at once, evicting nothing, when it is larger than the VRAM that
 * VRAM-only BOs leave), -ENOMEM.
 */
int pudge_gem_create_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct pudge_device *pudge = to_pudge(drm);
	struct drm_pudge_gem_create *args = data;
	unsigned int rounds = 0;
	u64 start;
	struct pudge_bo *bo;
	u32 handle;
	u64 size;
	int ret;

	ret = pudge_check_gem_create(args, PAGE_SIZE, pudge->vram_size, &size);
	if (ret)
		return ret;
	if (args->flags & PUDGE_GEM_PLACE_SYSTEM && size >> PAGE_SHIFT > totalram_pages())
		return -ENOMEM;
	if (args->flags == PUDGE_GEM_PLACE_VRAM && !pudge_vram_could_fit(pudge, size))
		return -ENOSPC;

	/* Process memory in VRAM yields to a BO that must be there. */
	start = ktime_get_ns();
	do {
		ret = pudge_bo_create(pudge, size, args->flags, NULL, NULL, &bo);
	} while (ret == -ENOSPC && pudge_bo_reclaim_again(pudge, size, &rounds));
	pudge_file_charge(file, start);
	if (ret == -ENOSPC && signal_pending(current))
		return -ERESTARTSYS;
	if (ret)
		return ret;

	ret = drm_gem_handle_create(file, &bo->tbo.base, &handle);
	drm_gem_object_put(&bo->tbo.base);
	if (ret)
		return ret;
	args->size = size;
	args->handle = handle;
	return 0;
}

/**
 * pudge_gem_mmap_offset_ioctl() - DRM_IOCTL_PUDGE_GEM_MMAP_OFFSET
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_gem_mmap_offset
 * @file: the caller's DRM file
 *
 * Return: 0, -EINVAL for non-zero flags, -ENOENT for an unknown handle.
 */
int pudge_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct drm_pudge_gem_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	ret = pudge_check_gem_mmap_offset(args);
	if (ret)
		return ret;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return 0;
}

/**
 * pudge_gem_migrate_ioctl() - DRM_IOCTL_PUDGE_GEM_MIGRATE
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_gem_migrate
 * @file: the caller's DRM file
 *
 * Moves the BO with its data; TTM zaps its CPU mappings first.
 *
 * Return: 0, -EINVAL for bad arguments, -ENOENT for an unknown handle,
 * -ENOSPC when VRAM has no room (at once, evicting nothing, when the BO is
 * larger than the VRAM that VRAM-only BOs leave), -EINTR/-ERESTARTSYS.
 */
int pudge_gem_migrate_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct drm_pudge_gem_migrate *args = data;
	unsigned int rounds = 0;
	struct drm_gem_object *obj;
	u64 start;
	struct pudge_bo *bo;
	u32 before;
	int ret;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_pudge_bo(drm_gem_ttm_of_gem(obj));
	ret = pudge_check_gem_migrate(args, bo->flags);
	if (ret)
		goto out;
	ret = -ENOSPC;
	if (args->placement == PUDGE_GEM_PLACE_VRAM &&
	    !pudge_vram_could_fit(to_pudge(drm), obj->size))
		goto out;

	start = ktime_get_ns();
again:
	ret = ttm_bo_reserve(&bo->tbo, true, false, NULL);
	if (ret)
		goto out;
	/* Another device reads its pages: it stays in system memory. */
	if (bo->export_pins && args->placement != PUDGE_GEM_PLACE_SYSTEM) {
		ttm_bo_unreserve(&bo->tbo);
		ret = -EBUSY;
		goto out;
	}
	before = bo->place;
	pudge_bo_set_placement(bo, args->placement);
	ret = ttm_bo_validate(&bo->tbo, &bo->placement, &ctx);
	if (ret)
		pudge_bo_set_placement(bo, before);
	ttm_bo_unreserve(&bo->tbo);
	ret = pudge_vram_errno(ret, args->placement);
	/* Process memory in VRAM yields to the BO; then try again. */
	if (ret == -ENOSPC && pudge_bo_reclaim_again(to_pudge(drm), obj->size, &rounds))
		goto again;
	if (ret == -ENOSPC && signal_pending(current))
		ret = -ERESTARTSYS;
	pudge_file_charge(file, start);
out:
	drm_gem_object_put(obj);
	return ret;
}
