/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Argument checks of pudge's buffer-object and query ioctls (the SVM ones
 * are in svm/pudge_svm_args.h): pure logic with no kernel dependency,
 * so the userspace unit tests in tests/ compile exactly this code.
 */
#ifndef _PUDGE_ARGS_H_
#define _PUDGE_ARGS_H_

#include "pudge_pure.h"
#include "pudge_drm.h"

int pudge_check_get_param(const struct drm_pudge_get_param *args);
int pudge_check_gem_create(const struct drm_pudge_gem_create *args,
			   u64 page_size, u64 vram_size,
			   u64 *size);
int pudge_check_gem_mmap_offset(const struct drm_pudge_gem_mmap_offset *args);
int pudge_check_gem_migrate(const struct drm_pudge_gem_migrate *args,
			    u32 bo_flags);
int pudge_check_stats(const struct drm_pudge_stats *args);
int pudge_check_test_gup(const struct drm_pudge_test_gup *args, u64 page_size);

#endif /* _PUDGE_ARGS_H_ */
