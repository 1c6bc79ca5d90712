// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PRIME import from another device (vgem, udmabuf, another GPU): the
 * dma-buf becomes a pudge BO in system memory whose pages stay the
 * exporter's (TTM's sg BO).  It is mapped through the exporter
 * (pudge_bo_mmap.c) and never moves: GEM_MIGRATE to VRAM is -EINVAL, as
 * for any BO created for system memory only.
 */
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <drm/drm_gem.h>

#include "pudge_bo.h"

/**
 * pudge_gem_prime_import_sg_table() - drm_driver.gem_prime_import_sg_table
 * @drm: the pudge DRM device
 * @attach: pudge's attachment to the foreign dma-buf
 * @sgt: the mapped pages of the dma-buf
 *
 * Return: the new BO, or an ERR_PTR: -EINVAL for a dma-buf whose size is
 * not a whole number of pages, -ENOMEM.
 */
struct drm_gem_object *
pudge_gem_prime_import_sg_table(struct drm_device *drm,
				struct dma_buf_attachment *attach,
				struct sg_table *sgt)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	struct pudge_bo *bo;
	int ret;

	if (!dmabuf->size || !PAGE_ALIGNED(dmabuf->size))
		return ERR_PTR(-EINVAL);
	dma_resv_lock(dmabuf->resv, NULL);
	ret = pudge_bo_create(to_pudge(drm), dmabuf->size, PUDGE_GEM_PLACE_SYSTEM,
			      sgt, dmabuf, &bo);
	dma_resv_unlock(dmabuf->resv);
	if (ret)
		return ERR_PTR(ret);
	return &bo->tbo.base;
}
