// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Moving buffer-object data between VRAM and system memory, and CPU access
 * to VRAM for debuggers.  There is no copy engine: the CPU copies through
 * a write-combined mapping of the BAR.  VRAM resources are lists of
 * contiguous runs, so TTM's linear io iterator cannot be used; a small
 * run-aware iterator takes its place.
 */
#include <linux/io.h>
#include <linux/iosys-map.h>
#include <drm/drm_drv.h>
#include <drm/ttm/ttm_kmap_iter.h>
#include <drm/ttm/ttm_tt.h>

#include "pudge_bo.h"
#include "pudge_compat.h"

/**
 * struct pudge_vram_iter - ttm_kmap_iter over a VRAM resource
 * @base: the TTM iterator
 * @pudge: the device, for its VRAM mapping
 * @res: the VRAM resource
 */
struct pudge_vram_iter {
	struct ttm_kmap_iter base;
	struct pudge_device *pudge;
	struct ttm_resource *res;
};

static void __iomem *pudge_vram_addr(struct pudge_device *pudge,
				     struct ttm_resource *res, u64 page)
{
	return pudge->vram_map + (pudge_vram_page_pa(res, page) - pudge->vram_base);
}

static void pudge_vram_iter_map(struct ttm_kmap_iter *iter,
				struct iosys_map *map, pgoff_t i)
{
	struct pudge_vram_iter *it = container_of(iter, struct pudge_vram_iter, base);

	iosys_map_set_vaddr_iomem(map, pudge_vram_addr(it->pudge, it->res, i));
}

static const struct ttm_kmap_iter_ops pudge_vram_iter_ops = {
	.map_local = pudge_vram_iter_map,
	.maps_tt = false,
};

/**
 * struct pudge_iter_slice - a ttm_kmap_iter seen from page @first on
 * @base: the TTM iterator
 * @inner: the iterator over the whole resource
 * @first: page of @inner that is page 0 of the slice
 */
struct pudge_iter_slice {
	struct ttm_kmap_iter base;
	struct ttm_kmap_iter *inner;
	pgoff_t first;
};

static void pudge_iter_slice_map(struct ttm_kmap_iter *iter,
				 struct iosys_map *map, pgoff_t i)
{
	struct pudge_iter_slice *s = container_of(iter, struct pudge_iter_slice, base);

	s->inner->ops->map_local(s->inner, map, s->first + i);
}

static void pudge_iter_slice_unmap(struct ttm_kmap_iter *iter,
				   struct iosys_map *map)
{
	struct pudge_iter_slice *s = container_of(iter, struct pudge_iter_slice, base);

	if (s->inner->ops->unmap_local)
		s->inner->ops->unmap_local(s->inner, map);
}

static const struct ttm_kmap_iter_ops pudge_iter_slice_ops = {
	.map_local = pudge_iter_slice_map,
	.unmap_local = pudge_iter_slice_unmap,
	.maps_tt = false,
};

/*
 * ttm_move_memcpy() in 64 MiB slices with a reschedule between them: a
 * CPU copy of a 1 GiB BO takes seconds in a slow guest, and kernels
 * without full preemption would report a soft lockup.
 */
static void pudge_move_memcpy(u64 num_pages, struct ttm_kmap_iter *dst,
			      struct ttm_kmap_iter *src)
{
	const u64 slice = SZ_64M >> PAGE_SHIFT;
	struct pudge_iter_slice d = { .base.ops = &pudge_iter_slice_ops, .inner = dst };
	struct pudge_iter_slice s = { .base.ops = &pudge_iter_slice_ops, .inner = src };

	for (d.first = 0; d.first < num_pages; d.first += slice) {
		s.first = d.first;
		ttm_move_memcpy(false, min(slice, num_pages - d.first), &d.base, &s.base);
		cond_resched();
	}
}

/**
 * pudge_bo_move() - TTM's move callback: copy a BO to its new placement
 * @tbo: the BO, reserved
 * @evict: the move is an eviction
 * @ctx: operation context
 * @new_mem: the new resource
 * @hop: unused: every move pudge makes is direct
 *
 * Return: 0, -ENODEV after unplug, or an error from populating pages.
 */
int pudge_bo_move(struct ttm_buffer_object *tbo, bool evict,
		  struct ttm_operation_ctx *ctx, struct ttm_resource *new_mem,
		  struct ttm_place *hop)
{
	struct pudge_device *pudge = bdev_to_pudge(tbo->bdev);
	struct ttm_resource *old = tbo->resource;
	struct pudge_vram_iter vram_it = {
		.base.ops = &pudge_vram_iter_ops,
		.pudge = pudge,
	};
	struct ttm_kmap_iter_tt tt_it;
	struct ttm_kmap_iter *src, *dst;
	int ret, idx;

	if (!drm_dev_enter(&pudge->drm, &idx))
		return -ENODEV;

	if (new_mem->mem_type == TTM_PL_SYSTEM &&
	    (!old || old->mem_type == TTM_PL_SYSTEM)) {
		/* System pages of device BOs are allocated zeroed. */
		ttm_bo_move_null(tbo, new_mem);
		ret = 0;
		goto out;
	}
	/*
	 * A TT swapped out by TTM is not populated, but it is not empty:
	 * it is swapped in below, and copied.
	 */
	if (!old || (old->mem_type == TTM_PL_SYSTEM &&
		     (!tbo->ttm || (!ttm_tt_is_populated(tbo->ttm) &&
				    !pudge_ttm_tt_is_swapped(tbo->ttm))))) {
		/*
		 * Nothing to copy: the BO reads as zeroes.  New VRAM must not
		 * show what an earlier owner left there; most of it was
		 * cleared when it was freed.
		 */
		pudge_vram_clear_res(&pudge->vram, new_mem);
		ttm_bo_move_null(tbo, new_mem);
		ret = 0;
		goto out;
	}

	/* VRAM resources fit any VRAM place, so TTM never moves within VRAM. */
	if (old->mem_type == new_mem->mem_type) {
		ret = -EINVAL;
		goto out;
	}

	if (new_mem->mem_type == TTM_PL_SYSTEM) {
		ret = pudge_ttm_bo_populate(tbo, ctx);
		if (ret)
			goto out;
		vram_it.res = old;
		src = &vram_it.base;
		dst = ttm_kmap_iter_tt_init(&tt_it, tbo->ttm);
	} else {
		ret = pudge_ttm_bo_populate(tbo, ctx);	/* swaps it in */
		if (ret)
			goto out;
		vram_it.res = new_mem;
		dst = &vram_it.base;
		src = ttm_kmap_iter_tt_init(&tt_it, tbo->ttm);
	}
	pudge_move_memcpy(PFN_UP(new_mem->size), dst, src);
	ttm_bo_move_sync_cleanup(tbo, new_mem);

	atomic64_inc(&pudge->stats.moves);
	atomic64_inc(&to_pudge_bo(tbo)->stats.moves);
	if (evict) {
		atomic64_inc(&pudge->stats.evictions);
		atomic64_inc(&to_pudge_bo(tbo)->stats.evictions);
	}
	ret = 0;
out:
	drm_dev_exit(idx);
	return ret;
}

/**
 * pudge_bo_access_memory() - TTM's access_memory: debugger access to VRAM
 * @tbo: the BO, reserved, in VRAM
 * @offset: byte offset in the BO
 * @buf: kernel buffer to read into or write from
 * @len: bytes
 * @write: write @buf to the BO rather than read
 *
 * This is what ptrace and /proc/<pid>/mem reach through vm_ops->access,
 * since get_user_pages() refuses pfnmap mappings.
 *
 * Return: @len, or -ENODEV after unplug.
 */
int pudge_bo_access_memory(struct ttm_buffer_object *tbo, unsigned long offset,
			   void *buf, int len, int write)
{
	struct pudge_device *pudge = bdev_to_pudge(tbo->bdev);
	int done = 0, idx;

	if (!drm_dev_enter(&pudge->drm, &idx))
		return -ENODEV;
	while (done < len) {
		u64 page = (offset + done) >> PAGE_SHIFT;
		unsigned int in = (offset + done) & ~PAGE_MASK;
		int n = min_t(int, len - done, PAGE_SIZE - in);
		void __iomem *p = pudge_vram_addr(pudge, tbo->resource, page) + in;

		if (write)
			memcpy_toio(p, buf + done, n);
		else
			memcpy_fromio(buf + done, p, n);
		done += n;
	}
	drm_dev_exit(idx);
	return len;
}
