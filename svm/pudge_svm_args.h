/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Argument checks of the SVM ioctls: pure logic with no kernel dependency,
 * so the userspace unit tests in tests/ compile exactly this code.
 */
#ifndef _PUDGE_SVM_ARGS_H_
#define _PUDGE_SVM_ARGS_H_

#include "pudge_pure.h"
#include "pudge_drm.h"

int pudge_check_svm_migrate(const struct drm_pudge_svm_migrate *args,
			    u64 page_size, u64 limit);
int pudge_check_svm_access(const struct drm_pudge_svm_access *args,
			   u64 page_size, u64 limit);

#endif /* _PUDGE_SVM_ARGS_H_ */
