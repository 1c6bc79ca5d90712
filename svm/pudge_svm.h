/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Device-private VRAM (SVM): process memory moved into VRAM as
 * MEMORY_DEVICE_PRIVATE pages, sharing the VRAM pool with buffer objects.
 *
 * This is all the rest of the driver may call: set-up and tear-down, the
 * two ioctls, what GET_PARAM and STATS report, and the per-file client
 * that fdinfo reports.  SVM takes VRAM from the
 * pool in ttm/ and gives it back when the pool asks (its reclaimer); it
 * never calls the buffer-object side.  On kernels without the
 * device-private folio interface (PUDGE_SVM in pudge_compat.h) every
 * function is a stub and pudge_svm_create() gives NULL.
 */
#ifndef _PUDGE_SVM_H_
#define _PUDGE_SVM_H_

#include <linux/atomic.h>
#include <linux/types.h>

struct drm_device;
struct drm_pudge_svm_access;
struct drm_pudge_svm_migrate;
struct pudge_svm;
struct pudge_svm_client;
struct pudge_vram_mgr;

/**
 * struct pudge_svm_counters - SVM counters (see struct drm_pudge_stats)
 *
 * Owned by the device, so that STATS reads them whether SVM is on or not.
 */
struct pudge_svm_counters {
	atomic64_t to_vram;
	atomic64_t to_ram;
	atomic64_t bytes_copied;
	atomic64_t cpu_faults;
	atomic64_t thp_moves;
	atomic64_t page_moves;
	atomic64_t evicted;
	atomic64_t kthread_faults;
};

/**
 * struct pudge_svm_config - what device-private memory gets from its device
 * @drm: the DRM device, for messages
 * @vram: the VRAM pool that device pages take their data's VRAM from, and
 *	that SVM registers its reclaimer with
 * @vram_map: a kernel mapping of all of VRAM, for copies
 * @vram_size: bytes of VRAM
 * @stats: counters SVM adds to; they must outlive the pudge_svm
 */
struct pudge_svm_config {
	struct drm_device *drm;
	struct pudge_vram_mgr *vram;
	void __iomem *vram_map;
	u64 vram_size;
	struct pudge_svm_counters *stats;
};

struct pudge_svm *pudge_svm_create(const struct pudge_svm_config *cfg);
void pudge_svm_destroy(struct pudge_svm *svm);

u64 pudge_svm_features(struct pudge_svm *svm);
u64 pudge_svm_capacity(struct pudge_svm *svm);
u64 pudge_svm_resident(struct pudge_svm *svm);
void pudge_svm_sync(struct pudge_svm *svm);

struct pudge_svm_client *pudge_svm_client_new(void);
void pudge_svm_client_put(struct pudge_svm_client *c);
u64 pudge_svm_client_resident(struct pudge_svm_client *c);

int pudge_svm_migrate_ioctl(struct pudge_svm *svm, struct pudge_svm_client *client,
			    struct drm_pudge_svm_migrate *args);
int pudge_svm_access_ioctl(struct pudge_svm *svm,
			   struct drm_pudge_svm_access *args);

#endif /* _PUDGE_SVM_H_ */
