/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef _PUDGE_DRV_H_
#define _PUDGE_DRV_H_

#include <linux/pci.h>
#include <drm/drm_device.h>

#define PUDGE_VRAM_BAR 2

/**
 * struct pudge_device - one pudge device: a DRM device over a VRAM BAR
 * @drm: the DRM device; pudge_device is allocated around it
 * @pdev: the PCI device whose BAR 2 is the VRAM
 * @vram_base: bus address of the VRAM BAR
 * @vram_size: size of the VRAM BAR in bytes
 */
struct pudge_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	resource_size_t vram_base;
	resource_size_t vram_size;
};

static inline struct pudge_device *to_pudge(struct drm_device *drm)
{
	return container_of(drm, struct pudge_device, drm);
}

u64 pudge_map_orders(bool capped);

int pudge_get_param_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);

#endif /* _PUDGE_DRV_H_ */
