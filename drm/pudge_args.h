/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Argument checks of pudge's ioctls: pure logic with no kernel dependency,
 * so the userspace unit tests in tests/ compile exactly this code.
 */
#ifndef _PUDGE_ARGS_H_
#define _PUDGE_ARGS_H_

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#include <drm/drm.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#endif

#include "pudge_drm.h"

int pudge_check_get_param(const struct drm_pudge_get_param *args);

#endif /* _PUDGE_ARGS_H_ */
