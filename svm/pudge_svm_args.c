// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Argument checks of the SVM ioctls: pure logic with no kernel dependency,
 * so the userspace unit tests in tests/ compile exactly this code.  Each
 * ioctl validates its whole argument struct here before it touches state.
 */
#include "pudge_svm_args.h"

/*
 * A page-aligned, non-empty range [addr, addr + size) that does not wrap
 * and lies below @limit (the top of the user address space).
 */
static int pudge_check_user_range(u64 addr, u64 size, u64 page_size, u64 limit)
{
	if ((addr | size) & (page_size - 1))
		return -EINVAL;
	if (!size || addr + size < addr)
		return -EINVAL;
	if (addr + size > limit)
		return -EINVAL;
	return 0;
}

/**
 * pudge_check_svm_migrate() - validate an SVM_MIGRATE request
 * @args: the request
 * @page_size: the CPU page size
 * @limit: the end of the user address space
 *
 * Return: 0, or -EINVAL for non-zero flags, a placement that is not
 * exactly VRAM or system, or a range that is unaligned, empty, wrapping or
 * beyond @limit.
 */
int pudge_check_svm_migrate(const struct drm_pudge_svm_migrate *args,
			    u64 page_size, u64 limit)
{
	if (args->flags)
		return -EINVAL;
	if (args->placement != PUDGE_GEM_PLACE_VRAM &&
	    args->placement != PUDGE_GEM_PLACE_SYSTEM)
		return -EINVAL;
	return pudge_check_user_range(args->addr, args->size, page_size, limit);
}

/**
 * pudge_check_svm_access() - validate an SVM_ACCESS request
 * @args: the request
 * @page_size: the CPU page size
 * @limit: the end of the user address space
 *
 * Return: 0, or -EINVAL for non-zero flags, an unknown op, a size above
 * %PUDGE_SVM_ACCESS_MAX, or a range that is unaligned, empty, wrapping
 * or beyond @limit.
 */
int pudge_check_svm_access(const struct drm_pudge_svm_access *args,
			   u64 page_size, u64 limit)
{
	if (args->flags || args->op > PUDGE_SVM_ACCESS_WRITE)
		return -EINVAL;
	if (args->size > PUDGE_SVM_ACCESS_MAX)
		return -EINVAL;
	return pudge_check_user_range(args->addr, args->size, page_size, limit);
}
