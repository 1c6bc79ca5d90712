// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DRM_IOCTL_PUDGE_GET_PARAM: what the device and the running kernel offer.
 */
#include <drm/drm_device.h>
#include <drm/drm_file.h>

#include "pudge_args.h"
#include "pudge_drv.h"

/**
 * pudge_get_param_ioctl() - report one PUDGE_PARAM_* value
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_get_param, copied in and out by the DRM core
 * @file: the caller's DRM file
 *
 * Return: 0, or -EINVAL for non-zero pad or an unknown param.
 */
int pudge_get_param_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct pudge_device *pdev = to_pudge(drm);
	struct drm_pudge_get_param *args = data;
	int ret;

	ret = pudge_check_get_param(args);
	if (ret)
		return ret;

	switch (args->param) {
	case PUDGE_PARAM_API_VERSION:
		args->value = PUDGE_API_VERSION;
		break;
	case PUDGE_PARAM_VRAM_SIZE:
		args->value = pdev->vram_size;
		break;
	case PUDGE_PARAM_VRAM_FREE:
		/* VRAM of freed device-private pages is returned by a worker. */
		pudge_dev_svm_sync(pdev);
		args->value = pudge_vram_free_bytes(&pdev->vram);
		break;
	case PUDGE_PARAM_MAP_ORDERS:
		args->value = pudge_map_orders(true);
		break;
	case PUDGE_PARAM_KERNEL_MAP_ORDERS:
		args->value = pudge_map_orders(false);
		break;
	case PUDGE_PARAM_FEATURES:
		args->value = pudge_dev_svm_features(pdev);
		break;
	case PUDGE_PARAM_SVM_CAPACITY:
		args->value = pudge_dev_svm_capacity(pdev);
		break;
	case PUDGE_PARAM_SVM_RESIDENT:
		args->value = pudge_dev_svm_resident(pdev);
		break;
	case PUDGE_PARAM_VRAM_CLEAR_PENDING:
		args->value = pudge_vram_clear_pending(&pdev->vram);
		break;
	}
	return 0;
}
