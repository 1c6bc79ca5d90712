/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_BO_H_
#define _PUDGE_BO_H_

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_placement.h>

#include "pudge_drm.h"
#include "pudge_drv.h"

struct dma_buf;
struct dma_buf_attachment;
struct sg_table;

/**
 * struct pudge_bo - a pudge buffer object
 * @tbo: the TTM buffer object (its GEM object is @tbo.base)
 * @flags: PUDGE_GEM_PLACE_* the BO was created with
 * @place: PUDGE_GEM_PLACE_* it should be in now (@flags, or the target of
 *	the last GEM_MIGRATE)
 * @places: the placements @placement lists
 * @placement: where the BO should be now
 * @stats: the BO's own fault and move counters
 * @export_pins: attachments of other devices that pinned the BO in system
 *	memory (PRIME export); under the BO's reservation
 * @resv_dmabuf: for an imported BO, the dma-buf whose reservation object
 *	it uses, held until the BO is destroyed
 */
struct pudge_bo {
	struct ttm_buffer_object tbo;
	u32 flags;
	u32 place;
	struct ttm_place places[2];
	struct ttm_placement placement;
	struct pudge_counters stats;
	unsigned int export_pins;
	struct dma_buf *resv_dmabuf;
};

static inline struct pudge_bo *to_pudge_bo(struct ttm_buffer_object *tbo)
{
	return container_of(tbo, struct pudge_bo, tbo);
}

extern const struct ttm_device_funcs pudge_ttm_funcs;
extern const struct vm_operations_struct pudge_bo_vm_ops;

/**
 * pudge_bo_set_placement() - fill @bo's placement with the
 * PUDGE_GEM_PLACE_* in @place, VRAM first
 * @bo: the BO
 * @place: PUDGE_GEM_PLACE_* bits
 */
static inline void pudge_bo_set_placement(struct pudge_bo *bo, u32 place)
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

int pudge_bo_create(struct pudge_device *pudge, u64 size, u32 flags,
		    struct sg_table *sg, struct dma_buf *dmabuf,
		    struct pudge_bo **out);
int pudge_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma);
int pudge_gem_prime_pin(struct drm_gem_object *obj);
void pudge_gem_prime_unpin(struct drm_gem_object *obj);
struct sg_table *pudge_gem_prime_get_sg_table(struct drm_gem_object *obj);
struct drm_gem_object *
pudge_gem_prime_import_sg_table(struct drm_device *drm,
				struct dma_buf_attachment *attach,
				struct sg_table *sgt);

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
