// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The SVM ioctls: argument checks, then the work.  The device side
 * (drm/pudge_device_svm.c) has already made sure the device is still
 * there and has SVM.
 */
#include <linux/mm.h>
#include <linux/sched.h>

#include "pudge_svm_args.h"
#include "pudge_svm_internal.h"

/**
 * pudge_svm_migrate_ioctl() - DRM_IOCTL_PUDGE_SVM_MIGRATE
 * @svm: the device's SVM
 * @client: the caller's DRM file's client, which the pages moved into VRAM
 *	count to, or NULL
 * @args: the request, copied in and out by the DRM core
 *
 * Return: 0, -EINVAL for bad arguments or a range that is not anonymous or
 * shared memory, -EFAULT for an unmapped range, -EINTR, -ENOMEM.
 */
int pudge_svm_migrate_ioctl(struct pudge_svm *svm, struct pudge_svm_client *client,
			    struct drm_pudge_svm_migrate *args)
{
	int ret;

	ret = pudge_check_svm_migrate(args, PAGE_SIZE, TASK_SIZE);
	if (ret)
		return ret;
#if PUDGE_SVM
	return pudge_svm_migrate(svm, client, args);
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * pudge_svm_access_ioctl() - DRM_IOCTL_PUDGE_SVM_ACCESS
 * @svm: the device's SVM
 * @args: the request, copied in and out by the DRM core
 *
 * Return: 0, -EINVAL for bad arguments, -EFAULT for memory the device
 * cannot reach, -ENOMEM.
 */
int pudge_svm_access_ioctl(struct pudge_svm *svm,
			   struct drm_pudge_svm_access *args)
{
	int ret;

	ret = pudge_check_svm_access(args, PAGE_SIZE, TASK_SIZE);
	if (ret)
		return ret;
#if PUDGE_SVM
	return pudge_svm_access(svm, args);
#else
	return -EOPNOTSUPP;
#endif
}
