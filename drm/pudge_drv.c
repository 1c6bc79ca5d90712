// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pudge: a DRM driver whose VRAM is a PCI BAR.
 *
 * The device is QEMU's ivshmem-plain (1af4:1110): BAR 2 is a 64-bit
 * prefetchable memory BAR backed by host RAM, size-aligned, which makes it
 * a faithful stand-in for a GPU's VRAM aperture.  This file owns the PCI
 * and DRM device life cycle; everything else hangs off struct pudge_device.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include "pudge_compat.h"
#include "pudge_drm.h"
#include "pudge_drv.h"

#define PCI_VENDOR_ID_IVSHMEM	0x1af4
#define PCI_DEVICE_ID_IVSHMEM	0x1110

static const struct drm_ioctl_desc pudge_ioctls[] = {
	DRM_IOCTL_DEF_DRV(PUDGE_GET_PARAM, pudge_get_param_ioctl,
			  DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(pudge_fops);

static const struct drm_driver pudge_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.ioctls = pudge_ioctls,
	.num_ioctls = ARRAY_SIZE(pudge_ioctls),
	.fops = &pudge_fops,
	.name = "pudge",
	.desc = "Huge-page CPU mappings of VRAM",
	PUDGE_DRM_DRIVER_DATE("20261121")
	.major = 1,
	.minor = 0,
};

static void pudge_release_vram_region(void *data)
{
	pci_release_region(data, PUDGE_VRAM_BAR);
}

static int pudge_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct pudge_device *pudge;
	int ret;

	if (!(pci_resource_flags(pdev, PUDGE_VRAM_BAR) & IORESOURCE_MEM) ||
	    !pci_resource_len(pdev, PUDGE_VRAM_BAR)) {
		dev_err(&pdev->dev, "BAR %d is not a memory BAR\n", PUDGE_VRAM_BAR);
		return -ENODEV;
	}

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ret = pci_request_region(pdev, PUDGE_VRAM_BAR, "pudge-vram");
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(&pdev->dev, pudge_release_vram_region, pdev);
	if (ret)
		return ret;

	pudge = devm_drm_dev_alloc(&pdev->dev, &pudge_driver,
				   struct pudge_device, drm);
	if (IS_ERR(pudge))
		return PTR_ERR(pudge);

	pudge->pdev = pdev;
	pudge->vram_base = pci_resource_start(pdev, PUDGE_VRAM_BAR);
	pudge->vram_size = pci_resource_len(pdev, PUDGE_VRAM_BAR);
	pci_set_drvdata(pdev, pudge);

	ret = drm_dev_register(&pudge->drm, 0);
	if (ret)
		return ret;

	drm_info(&pudge->drm, "VRAM: %pa + %llu MiB, map orders %#llx\n",
		 &pudge->vram_base, (u64)pudge->vram_size >> 20,
		 pudge_map_orders(false));
	return 0;
}

static void pudge_pci_remove(struct pci_dev *pdev)
{
	struct pudge_device *pudge = pci_get_drvdata(pdev);

	/*
	 * Unplug rather than unregister: open files may outlive the device,
	 * and drm_dev_enter() then fails for them instead of touching a BAR
	 * that is gone.
	 */
	drm_dev_unplug(&pudge->drm);
}

static const struct pci_device_id pudge_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_IVSHMEM, PCI_DEVICE_ID_IVSHMEM) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pudge_pci_ids);

static struct pci_driver pudge_pci_driver = {
	.name = "pudge",
	.id_table = pudge_pci_ids,
	.probe = pudge_pci_probe,
	.remove = pudge_pci_remove,
};
module_pci_driver(pudge_pci_driver);

MODULE_DESCRIPTION("pudge: huge-page CPU mappings of VRAM buffer objects");
MODULE_LICENSE("Dual MIT/GPL");
