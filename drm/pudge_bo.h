/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_BO_H_
#define _PUDGE_BO_H_

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_placement.h>

#include "pudge_drv.h"

/**
 * struct pudge_bo - a pudge buffer object
 * @tbo: the TTM buffer object (its GEM object is @tbo.base)
 * @flags: PUDGE_GEM_PLACE_* the BO was created with
 * @place: PUDGE_GEM_PLACE_* it should be in now (@flags, or the target of
 *	the last GEM_MIGRATE)
 * @places: the placements @placement lists
 * @placement: where the BO should be now
 * @stats: the BO's own fault and move counters
 */
struct pudge_bo {
	struct ttm_buffer_object tbo;
	u32 flags;
	u32 place;
	struct ttm_place places[2];
	struct ttm_placement placement;
	struct pudge_counters stats;
};

static inline struct pudge_bo *to_pudge_bo(struct ttm_buffer_object *tbo)
{
	return container_of(tbo, struct pudge_bo, tbo);
}

extern const struct ttm_device_funcs pudge_ttm_funcs;

int pudge_bo_move(struct ttm_buffer_object *tbo, bool evict,
		  struct ttm_operation_ctx *ctx, struct ttm_resource *new_mem,
		  struct ttm_place *hop);
int pudge_bo_access_memory(struct ttm_buffer_object *tbo, unsigned long offset,
			   void *buf, int len, int write);

bool pudge_bo_reclaim(struct pudge_vram_reclaimer *r, u64 size);
int pudge_gem_create_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);
int pudge_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file);
int pudge_gem_migrate_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);

#endif /* _PUDGE_BO_H_ */
