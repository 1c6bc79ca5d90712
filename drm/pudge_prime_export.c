// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PRIME export to another device: the importer gets the BO's pages in
 * system memory.
 *
 * pudge does not offer VRAM peer to peer: an attachment pins the BO in
 * system memory (moving it there first, with its data) for as long as the
 * attachment lasts, as radeon pins into GTT.  A VRAM-only BO cannot leave
 * VRAM, so another device cannot attach it (-EINVAL).  The exporter is
 * not dynamic (no move_notify): nothing moves while attached, and
 * GEM_MIGRATE of a BO pinned this way says -EBUSY.  mmap() of the dma-buf
 * itself needs no attachment and maps wherever the BO is, VRAM included
 * (pudge_bo_mmap.c).  Self-import (the same device) is DRM's: the same
 * GEM object, no attachment.
 */
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_prime.h>
#include <drm/ttm/ttm_tt.h>

#include "pudge_bo.h"
#include "pudge_compat.h"

/**
 * pudge_gem_prime_pin() - drm_gem_object_funcs.pin: keep the BO in system
 * memory, with pages, for another device's attachment
 * @obj: the BO, reserved by the caller
 *
 * Return: 0, -EINVAL for a VRAM-only or imported BO, or the move's error.
 */
int pudge_gem_prime_pin(struct drm_gem_object *obj)
{
	struct pudge_bo *bo = to_pudge_bo(drm_gem_ttm_of_gem(obj));
	struct ttm_operation_ctx ctx = { .interruptible = true };
	u32 before = bo->place;
	int ret;

	dma_resv_assert_held(obj->resv);
	if (!(bo->flags & PUDGE_GEM_PLACE_SYSTEM) || pudge_gem_is_imported(obj))
		return -EINVAL;
	if (!bo->export_pins) {
		pudge_bo_set_placement(bo, PUDGE_GEM_PLACE_SYSTEM);
		ret = ttm_bo_validate(&bo->tbo, &bo->placement, &ctx);
		if (!ret)
			ret = pudge_ttm_bo_populate(&bo->tbo, &ctx);
		if (ret) {
			pudge_bo_set_placement(bo, before);
			return ret;
		}
	}
	ttm_bo_pin(&bo->tbo);
	bo->export_pins++;
	return 0;
}

/**
 * pudge_gem_prime_unpin() - drm_gem_object_funcs.unpin: an attachment went
 * @obj: the BO, reserved by the caller
 *
 * The BO stays in system memory until GEM_MIGRATE or eviction needs it
 * elsewhere.
 */
void pudge_gem_prime_unpin(struct drm_gem_object *obj)
{
	struct pudge_bo *bo = to_pudge_bo(drm_gem_ttm_of_gem(obj));

	dma_resv_assert_held(obj->resv);
	if (WARN_ON(!bo->export_pins))
		return;
	bo->export_pins--;
	ttm_bo_unpin(&bo->tbo);
}

/**
 * pudge_gem_prime_get_sg_table() - drm_gem_object_funcs.get_sg_table
 * @obj: a BO pinned by pudge_gem_prime_pin()
 *
 * Return: a table of the BO's system pages, or an ERR_PTR.
 */
struct sg_table *pudge_gem_prime_get_sg_table(struct drm_gem_object *obj)
{
	struct ttm_buffer_object *tbo = drm_gem_ttm_of_gem(obj);

	if (!to_pudge_bo(tbo)->export_pins || !tbo->ttm ||
	    !ttm_tt_is_populated(tbo->ttm) || tbo->resource->mem_type != TTM_PL_SYSTEM)
		return ERR_PTR(-EINVAL);
	return drm_prime_pages_to_sg(obj->dev, tbo->ttm->pages, tbo->ttm->num_pages);
}
