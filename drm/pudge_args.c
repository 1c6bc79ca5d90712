// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Argument checks of pudge's ioctls.  Every ioctl validates its whole
 * argument struct here before it touches any state, so a rejected call has
 * no side effect and the unit tests see the same rules as the kernel.
 */
#include "pudge_args.h"

/**
 * pudge_check_get_param() - validate a GET_PARAM request
 * @args: the request as copied from user space
 *
 * Return: 0, or -EINVAL for non-zero pad or an unknown param.
 */
int pudge_check_get_param(const struct drm_pudge_get_param *args)
{
	if (args->pad)
		return -EINVAL;
	if (args->param > PUDGE_PARAM_VRAM_CLEAR_PENDING)
		return -EINVAL;
	return 0;
}

/**
 * pudge_check_gem_create() - validate a GEM_CREATE request
 * @args: the request
 * @page_size: the CPU page size
 * @vram_size: bytes of VRAM on the device
 * @size: receives the size rounded up to @page_size
 *
 * Return: 0; -EINVAL for unknown or missing placement flags, a zero size
 * or one that overflows when rounded; -ENOSPC for a VRAM-only BO larger
 * than VRAM.
 */
int pudge_check_gem_create(const struct drm_pudge_gem_create *args,
			   u64 page_size, u64 vram_size,
			   u64 *size)
{
	if (args->flags & ~PUDGE_GEM_PLACE_MASK || !(args->flags & PUDGE_GEM_PLACE_MASK))
		return -EINVAL;
	if (args->handle)
		return -EINVAL;
	if (!args->size || args->size > U64_MAX - (page_size - 1))
		return -EINVAL;
	*size = (args->size + page_size - 1) & ~(page_size - 1);
	if (args->flags == PUDGE_GEM_PLACE_VRAM && *size > vram_size)
		return -ENOSPC;
	return 0;
}

/**
 * pudge_check_gem_mmap_offset() - validate a GEM_MMAP_OFFSET request
 * @args: the request
 *
 * Return: 0, or -EINVAL for non-zero flags.
 */
int pudge_check_gem_mmap_offset(const struct drm_pudge_gem_mmap_offset *args)
{
	return args->flags ? -EINVAL : 0;
}

/**
 * pudge_check_gem_migrate() - validate a GEM_MIGRATE request
 * @args: the request
 * @bo_flags: the PUDGE_GEM_PLACE_* flags the BO was created with
 *
 * Return: 0, or -EINVAL for non-zero flags or pad, or a placement that is
 * not exactly one bit among @bo_flags.
 */
int pudge_check_gem_migrate(const struct drm_pudge_gem_migrate *args,
			    u32 bo_flags)
{
	if (args->flags || args->pad)
		return -EINVAL;
	if (args->placement != PUDGE_GEM_PLACE_VRAM &&
	    args->placement != PUDGE_GEM_PLACE_SYSTEM)
		return -EINVAL;
	if (!(args->placement & bo_flags))
		return -EINVAL;
	return 0;
}

/**
 * pudge_check_stats() - validate a STATS request
 * @args: the request
 *
 * Return: 0, or -EINVAL for unknown flags or a handle without
 * %PUDGE_STATS_BO.
 */
int pudge_check_stats(const struct drm_pudge_stats *args)
{
	if (args->flags & ~PUDGE_STATS_BO)
		return -EINVAL;
	if (!(args->flags & PUDGE_STATS_BO) && args->handle)
		return -EINVAL;
	return 0;
}

/**
 * pudge_check_test_gup() - validate a TEST_GUP request
 * @args: the request
 * @page_size: the CPU page size
 *
 * Return: 0, or -EINVAL for an unaligned or wrapping range, a page count
 * out of range, an unknown op or flag.
 */
int pudge_check_test_gup(const struct drm_pudge_test_gup *args, u64 page_size)
{
	if (args->flags & ~PUDGE_TEST_GUP_WRITE)
		return -EINVAL;
	if (args->op > PUDGE_TEST_QUERY_PINNED)
		return -EINVAL;
	if (args->addr & (page_size - 1))
		return -EINVAL;
	if (!args->npages || args->npages > PUDGE_TEST_GUP_MAX_PAGES)
		return -EINVAL;
	if (args->op == PUDGE_TEST_QUERY_PINNED && args->npages != 1)
		return -EINVAL;
	if (args->addr + args->npages * page_size < args->addr)
		return -EINVAL;
	return 0;
}
