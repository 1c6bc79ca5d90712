/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_DRV_H_
#define _PUDGE_DRV_H_

#include <linux/atomic.h>
#include <linux/pci.h>
#include <drm/drm_device.h>
#include <drm/ttm/ttm_device.h>

struct drm_printer;

#include "pudge_svm.h"
#include "pudge_vram_mgr.h"

#define PUDGE_VRAM_BAR 2

/**
 * struct pudge_counters - fault and move counters (see struct
 * drm_pudge_stats for their meaning)
 */
struct pudge_counters {
	atomic64_t faults;
	atomic64_t fallbacks;
	atomic64_t pud_inserted;
	atomic64_t pmd_inserted;
	atomic64_t pte_inserted;
	atomic64_t moves;
	atomic64_t evictions;
};

/**
 * struct pudge_device - one pudge device: a DRM device over a VRAM BAR
 * @drm: the DRM device; pudge_device is allocated around it
 * @pdev: the PCI device whose BAR 2 is the VRAM
 * @vram_base: bus address of the VRAM BAR
 * @vram_size: size of the VRAM BAR in bytes
 * @vram_map: write-combined kernel mapping of all VRAM, for moves and
 *	debugger access
 * @bdev: the TTM device
 * @vram: the VRAM resource manager (TTM_PL_VRAM)
 * @vram_pinned: bytes of VRAM-only (pinned) buffer objects: VRAM that no
 *	eviction can free
 * @stats: device-wide counters
 * @bo_reclaimer: how the VRAM pool asks buffer objects for room
 * @svm: device-private memory, NULL when unavailable; only inside
 *	drm_dev_enter() (drm/pudge_device_svm.c)
 * @svm_stats: SVM counters
 */
struct pudge_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	resource_size_t vram_base;
	resource_size_t vram_size;
	void __iomem *vram_map;
	struct ttm_device bdev;
	struct pudge_vram_mgr vram;
	atomic64_t vram_pinned;
	struct pudge_counters stats;
	struct pudge_vram_reclaimer bo_reclaimer;
	struct pudge_svm *svm;
	struct pudge_svm_counters svm_stats;
};

/**
 * struct pudge_file - per DRM file state (drm_file.driver_priv)
 * @svm: the file's SVM accounting: its process memory in VRAM
 * @copy_ns: time the driver spent clearing and copying memory for the
 *	file's ioctls: fdinfo's drm-engine-copy
 */
struct pudge_file {
	struct pudge_svm_client *svm;
	atomic64_t copy_ns;
};

static inline struct pudge_device *to_pudge(struct drm_device *drm)
{
	return container_of(drm, struct pudge_device, drm);
}

static inline struct pudge_device *bdev_to_pudge(struct ttm_device *bdev)
{
	return container_of(bdev, struct pudge_device, bdev);
}

void pudge_map_orders_init(void);
u64 pudge_map_orders(bool capped);

int pudge_get_param_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
int pudge_test_gup_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int pudge_stats_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
void pudge_stats_debugfs_init(struct pudge_device *pudge);
int pudge_mmap(struct file *filp, struct vm_area_struct *vma);
int pudge_dev_svm_init(struct pudge_device *pudge);
u64 pudge_dev_svm_features(struct pudge_device *pudge);
u64 pudge_dev_svm_capacity(struct pudge_device *pudge);
u64 pudge_dev_svm_resident(struct pudge_device *pudge);
void pudge_dev_svm_sync(struct pudge_device *pudge);
int pudge_dev_svm_migrate_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file);
int pudge_dev_svm_access_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file);
int pudge_file_open(struct drm_device *drm, struct drm_file *file);
void pudge_file_postclose(struct drm_device *drm, struct drm_file *file);
void pudge_show_fdinfo(struct drm_printer *p, struct drm_file *file);
void pudge_file_charge(struct drm_file *file, u64 start_ns);
unsigned long pudge_get_unmapped_area(struct file *filp, unsigned long uaddr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags);

#endif /* _PUDGE_DRV_H_ */
