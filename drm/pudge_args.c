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
	if (args->param > PUDGE_PARAM_FEATURES)
		return -EINVAL;
	return 0;
}
