// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The SVM ioctls' entry points: availability, argument checks and device
 * lifetime, common to kernels with and without device-private memory.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <drm/drm_drv.h>

#include "pudge_args.h"
#include "pudge_drv.h"
#include "pudge_svm.h"

/**
 * pudge_svm_migrate_ioctl() - DRM_IOCTL_PUDGE_SVM_MIGRATE
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_svm_migrate
 * @file: the caller's DRM file
 *
 * Return: 0, -EOPNOTSUPP without SVM, -EINVAL for bad arguments or a range
 * that is not anonymous or shared memory, -EFAULT for an unmapped range,
 * -ENODEV after unplug, -ENOMEM.
 */
int pudge_svm_migrate_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct pudge_device *pudge = to_pudge(drm);
	struct drm_pudge_svm_migrate *args = data;
	int ret = -EOPNOTSUPP, idx;

	if (!pudge->svm)
		return -EOPNOTSUPP;
	ret = pudge_check_svm_migrate(args, PAGE_SIZE, TASK_SIZE);
	if (ret)
		return ret;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
#if PUDGE_SVM
	ret = pudge_svm_migrate(pudge->svm, args);
#endif
	drm_dev_exit(idx);
	return ret;
}

/**
 * pudge_svm_access_ioctl() - DRM_IOCTL_PUDGE_SVM_ACCESS
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_svm_access
 * @file: the caller's DRM file
 *
 * Return: 0, -EOPNOTSUPP without SVM, -EINVAL for bad arguments, -EFAULT
 * for memory the device cannot reach, -ENODEV after unplug, -ENOMEM.
 */
int pudge_svm_access_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct pudge_device *pudge = to_pudge(drm);
	struct drm_pudge_svm_access *args = data;
	int ret = -EOPNOTSUPP, idx;

	if (!pudge->svm)
		return -EOPNOTSUPP;
	ret = pudge_check_svm_access(args, PAGE_SIZE, TASK_SIZE);
	if (ret)
		return ret;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
#if PUDGE_SVM
	ret = pudge_svm_access(pudge->svm, args);
#endif
	drm_dev_exit(idx);
	return ret;
}
