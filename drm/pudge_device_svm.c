// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The device's device-private memory (svm/), seen from the device: made at
 * probe, gone after unplug, and reached only inside drm_dev_enter().
 *
 * An ioctl that passed DRM's unplug check can still be running when the
 * device goes, and the SVM is destroyed once the device is unplugged:
 * inside drm_dev_enter() that cannot have started, so every use here
 * enters the device first.  The VRAM pool's calls into SVM (reclaim) are
 * kept safe by the pool itself: destruction removes the reclaimer first
 * and waits for a running call.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/timekeeping.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "pudge_drv.h"

static struct pudge_svm *pudge_svm_enter(struct pudge_device *pudge, int *idx)
{
	if (!drm_dev_enter(&pudge->drm, idx))
		return NULL;
	if (!pudge->svm) {
		drm_dev_exit(*idx);
		return NULL;
	}
	return pudge->svm;
}

static void pudge_dev_svm_remove(void *data)
{
	struct pudge_device *pudge = data;

	/*
	 * Cleared after the teardown, as before the move to svm/: an ioctl
	 * already past DRM's unplug check fails drm_dev_enter() (-ENODEV),
	 * not the "no SVM" check.  Page eviction for a buffer object still
	 * running from before the unplug finishes first: the pool waits for
	 * it when SVM removes its reclaimer.
	 */
	pudge_svm_destroy(pudge->svm);
	WRITE_ONCE(pudge->svm, NULL);
}

/**
 * pudge_dev_svm_init() - give the device its device-private memory
 * @pudge: the device, with its VRAM manager ready and not yet registered
 *
 * Device-private pages live as long as the PCI binding: the devm action
 * runs after pudge_pci_remove() has unplugged the device and before the
 * BAR is released, and moves every page back first.  SVM being off
 * (no kernel support, no address space) is not an error.
 *
 * Return: 0, or -ENOMEM.
 */
int pudge_dev_svm_init(struct pudge_device *pudge)
{
	const struct pudge_svm_config cfg = {
		.drm = &pudge->drm,
		.vram = &pudge->vram,
		.vram_map = pudge->vram_map,
		.vram_size = pudge->vram_size,
		.stats = &pudge->svm_stats,
	};
	struct pudge_svm *svm = pudge_svm_create(&cfg);

	if (IS_ERR(svm))
		return PTR_ERR(svm);
	pudge->svm = svm;
	return devm_add_action_or_reset(pudge->drm.dev, pudge_dev_svm_remove, pudge);
}

/**
 * pudge_dev_svm_features() - PUDGE_FEATURE_SVM* bits for GET_PARAM
 * @pudge: the device
 *
 * Return: the bits, 0 without SVM or after unplug.
 */
u64 pudge_dev_svm_features(struct pudge_device *pudge)
{
	struct pudge_svm *svm;
	u64 v;
	int idx;

	svm = pudge_svm_enter(pudge, &idx);
	if (!svm)
		return 0;
	v = pudge_svm_features(svm);
	drm_dev_exit(idx);
	return v;
}

/**
 * pudge_dev_svm_capacity() - bytes of process memory VRAM can take at once
 * @pudge: the device
 *
 * Return: the bytes, 0 without SVM or after unplug.
 */
u64 pudge_dev_svm_capacity(struct pudge_device *pudge)
{
	struct pudge_svm *svm;
	u64 v;
	int idx;

	svm = pudge_svm_enter(pudge, &idx);
	if (!svm)
		return 0;
	v = pudge_svm_capacity(svm);
	drm_dev_exit(idx);
	return v;
}

/**
 * pudge_dev_svm_resident() - bytes of process memory in VRAM now
 * @pudge: the device
 *
 * Return: the bytes, 0 without SVM or after unplug.
 */
u64 pudge_dev_svm_resident(struct pudge_device *pudge)
{
	struct pudge_svm *svm;
	u64 v;
	int idx;

	svm = pudge_svm_enter(pudge, &idx);
	if (!svm)
		return 0;
	v = pudge_svm_resident(svm);
	drm_dev_exit(idx);
	return v;
}

/**
 * pudge_dev_svm_sync() - finish SVM's deferred VRAM frees before VRAM is
 * counted
 * @pudge: the device
 */
void pudge_dev_svm_sync(struct pudge_device *pudge)
{
	struct pudge_svm *svm;
	int idx;

	svm = pudge_svm_enter(pudge, &idx);
	if (!svm)
		return;
	pudge_svm_sync(svm);
	drm_dev_exit(idx);
}

/**
 * pudge_dev_svm_migrate_ioctl() - DRM_IOCTL_PUDGE_SVM_MIGRATE
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_svm_migrate
 * @file: the caller's DRM file
 *
 * Return: -EOPNOTSUPP without SVM, -ENODEV after unplug, else as
 * pudge_svm_migrate_ioctl().
 */
int pudge_dev_svm_migrate_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct pudge_device *pudge = to_pudge(drm);
	struct pudge_file *pf;
	struct pudge_svm *svm;
	int ret, idx;
	u64 start;

	if (!READ_ONCE(pudge->svm))
		return -EOPNOTSUPP;
	svm = pudge_svm_enter(pudge, &idx);
	if (!svm)
		return -ENODEV;
	pf = file->driver_priv;
	start = ktime_get_ns();
	ret = pudge_svm_migrate_ioctl(svm, pf->svm, data);
	pudge_file_charge(file, start);
	drm_dev_exit(idx);
	return ret;
}

/**
 * pudge_dev_svm_access_ioctl() - DRM_IOCTL_PUDGE_SVM_ACCESS
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_svm_access
 * @file: the caller's DRM file
 *
 * Return: -EOPNOTSUPP without SVM, -ENODEV after unplug, else as
 * pudge_svm_access_ioctl().
 */
int pudge_dev_svm_access_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct pudge_device *pudge = to_pudge(drm);
	struct pudge_svm *svm;
	int ret, idx;
	u64 start;

	if (!READ_ONCE(pudge->svm))
		return -EOPNOTSUPP;
	svm = pudge_svm_enter(pudge, &idx);
	if (!svm)
		return -ENODEV;
	start = ktime_get_ns();
	ret = pudge_svm_access_ioctl(svm, data);
	pudge_file_charge(file, start);
	drm_dev_exit(idx);
	return ret;
}
