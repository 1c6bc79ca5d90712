// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pudge buffer objects: GEM objects on TTM, placed in VRAM, in system
 * memory, or in either, and mapped to user space by the huge-fault helper
 * in ttm/.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_tt.h>

#include "pudge_args.h"
#include "pudge_bo.h"
#include "pudge_compat.h"
#include "pudge_trace.h"
#include "pudge_ttm_fault.h"

/* Fill bo->placement with the PUDGE_GEM_PLACE_* in @place, VRAM first. */
static void pudge_bo_set_placement(struct pudge_bo *bo, u32 place)
{
	unsigned int n = 0;

	bo->place = place;
	memset(bo->places, 0, sizeof(bo->places));
	if (place & PUDGE_GEM_PLACE_VRAM)
		bo->places[n++].mem_type = TTM_PL_VRAM;
	if (place & PUDGE_GEM_PLACE_SYSTEM)
		bo->places[n++].mem_type = TTM_PL_SYSTEM;
	bo->placement.num_placement = n;
	bo->placement.placement = bo->places;
}

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

static int pudge_bo_find_run(struct ttm_buffer_object *tbo, u64 page,
			     struct pudge_run *run)
{
	const struct pudge_run *r = pudge_vram_find_run(tbo->resource, page);

	if (!r)
		return -EINVAL;
	*run = *r;
	return 0;
}

static u64 pudge_bo_orders(struct ttm_buffer_object *tbo)
{
	return pudge_map_orders(true);
}

static const struct pudge_ttm_fault_ops pudge_fault_ops = {
	.find_run = pudge_bo_find_run,
	.orders = pudge_bo_orders,
};

static void pudge_count(struct pudge_counters *c, vm_fault_t ret,
			const struct pudge_insert_counts *cnt)
{
	if (ret == VM_FAULT_FALLBACK)
		atomic64_inc(&c->fallbacks);
	else if (ret & VM_FAULT_NOPAGE)
		atomic64_inc(&c->faults);
	atomic64_add(cnt->pud, &c->pud_inserted);
	atomic64_add(cnt->pmd, &c->pmd_inserted);
	atomic64_add(cnt->pte, &c->pte_inserted);
}

static vm_fault_t pudge_bo_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct ttm_buffer_object *tbo = vmf->vma->vm_private_data;
	struct pudge_device *pudge = bdev_to_pudge(tbo->bdev);
	struct pudge_insert_counts cnt = { };
	vm_fault_t ret;

	ret = pudge_ttm_bo_vm_fault(vmf, order, &pudge_fault_ops, &cnt);
	trace_pudge_fault(vmf->address, order, ret, cnt.pud, cnt.pmd, cnt.pte);
	/*
	 * VM_FAULT_RETRY: the fault lock was dropped while the BO was busy,
	 * so the VMA and the BO may be gone by now (another thread unmapped
	 * and closed it), and nothing was inserted: touch neither.
	 */
	if (ret & VM_FAULT_RETRY)
		return ret;
	pudge_count(&pudge->stats, ret, &cnt);
	pudge_count(&to_pudge_bo(tbo)->stats, ret, &cnt);
	return ret;
}

static vm_fault_t pudge_bo_fault(struct vm_fault *vmf)
{
	return pudge_bo_huge_fault(vmf, 0);
}

static const struct vm_operations_struct pudge_bo_vm_ops = {
	.fault = pudge_bo_fault,
#ifdef CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP
	.huge_fault = pudge_bo_huge_fault,
#endif
	.may_split = pudge_ttm_bo_vm_may_split,
	.open = pudge_ttm_bo_vm_open,
	.close = ttm_bo_vm_close,
	.access = ttm_bo_vm_access,
};

static int pudge_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	/* ttm_bo_mmap_obj() keeps vm_ops set before it. */
	vma->vm_ops = &pudge_bo_vm_ops;
	return drm_gem_ttm_mmap(obj, vma);
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
};

static void pudge_bo_destroy(struct ttm_buffer_object *tbo)
{
	drm_gem_object_release(&tbo->base);
	kfree(to_pudge_bo(tbo));
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

/*
 * Create a BO of @size bytes with placements @flags (PUDGE_GEM_PLACE_*),
 * pinned if VRAM-only, holding one reference and no handle.
 */
static int pudge_bo_create(struct pudge_device *pudge, u64 size, u32 flags,
			   struct pudge_bo **out)
{
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

	/* On failure TTM frees the BO through pudge_bo_destroy(). */
	ret = ttm_bo_init_reserved(&pudge->bdev, &bo->tbo, ttm_bo_type_device,
				   &bo->placement, 0, &ctx, NULL, NULL,
				   pudge_bo_destroy);
	if (ret)
		return pudge_vram_errno(ret, flags);
	if (flags == PUDGE_GEM_PLACE_VRAM) {
		ttm_bo_pin(&bo->tbo);
		atomic64_add(size, &pudge->vram_pinned);
	}
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
	if (pudge_bo_create(pudge, size, PUDGE_GEM_PLACE_VRAM, &bo))
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
	do {
		ret = pudge_bo_create(pudge, size, args->flags, &bo);
	} while (ret == -ENOSPC && pudge_bo_reclaim_again(pudge, size, &rounds));
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

again:
	ret = ttm_bo_reserve(&bo->tbo, true, false, NULL);
	if (ret)
		goto out;
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
out:
	drm_gem_object_put(obj);
	return ret;
}
