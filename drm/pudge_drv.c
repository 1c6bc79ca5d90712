// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pudge: a DRM driver whose VRAM is a PCI BAR.
 *
 * The device is QEMU's ivshmem-plain (1af4:1110): BAR 2 is a 64-bit
 * prefetchable memory BAR backed by host RAM, size-aligned, which makes it
 * a faithful stand-in for a GPU's VRAM aperture.  This file owns the PCI
 * and DRM device life cycle; everything else hangs off struct pudge_device.
 */
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "pudge_bo.h"
#include "pudge_compat.h"
#include "pudge_drm.h"
#include "pudge_drv.h"

#define PCI_VENDOR_ID_IVSHMEM	0x1af4
#define PCI_DEVICE_ID_IVSHMEM	0x1110

static const struct drm_ioctl_desc pudge_ioctls[] = {
	DRM_IOCTL_DEF_DRV(PUDGE_GET_PARAM, pudge_get_param_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PUDGE_GEM_CREATE, pudge_gem_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PUDGE_GEM_MMAP_OFFSET, pudge_gem_mmap_offset_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PUDGE_GEM_MIGRATE, pudge_gem_migrate_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PUDGE_STATS, pudge_stats_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PUDGE_SVM_MIGRATE, pudge_dev_svm_migrate_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PUDGE_SVM_ACCESS, pudge_dev_svm_access_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PUDGE_TEST_GUP, pudge_test_gup_ioctl, DRM_RENDER_ALLOW),
};

/* DRM's GEM file operations, with pudge's own mmap lookup and placement. */
static const struct file_operations pudge_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = drm_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.show_fdinfo = drm_show_fdinfo,
	.mmap = pudge_mmap,
	.get_unmapped_area = pudge_get_unmapped_area,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static const struct drm_driver pudge_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.ioctls = pudge_ioctls,
	.num_ioctls = ARRAY_SIZE(pudge_ioctls),
	.fops = &pudge_fops,
	.gem_prime_import_sg_table = pudge_gem_prime_import_sg_table,
	.open = pudge_file_open,
	.postclose = pudge_file_postclose,
	.show_fdinfo = pudge_show_fdinfo,
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

static void pudge_free_vram_memtype(void *data)
{
	struct pci_dev *pdev = data;

	arch_io_free_memtype_wc(pci_resource_start(pdev, PUDGE_VRAM_BAR),
				pci_resource_len(pdev, PUDGE_VRAM_BAR));
}

/*
 * TTM and the VRAM mapping live as long as the DRM device, not the PCI
 * binding: open files and mappings keep BOs alive after unbind.
 */
static void pudge_ttm_fini(struct drm_device *drm, void *unused)
{
	struct pudge_device *pudge = to_pudge(drm);

	pudge_vram_remove_reclaimer(&pudge->vram, &pudge->bo_reclaimer);
	pudge_vram_mgr_fini(&pudge->vram, &pudge->bdev);
	ttm_device_fini(&pudge->bdev);
}

static void pudge_vram_unmap(struct drm_device *drm, void *unused)
{
	iounmap(to_pudge(drm)->vram_map);
}

static int pudge_ttm_init(struct pudge_device *pudge)
{
	struct drm_device *drm = &pudge->drm;
	int ret;

	pudge->vram_map = ioremap_wc(pudge->vram_base, pudge->vram_size);
	if (!pudge->vram_map)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, pudge_vram_unmap, NULL);
	if (ret)
		return ret;

	ret = pudge_ttm_device_init(&pudge->bdev, &pudge_ttm_funcs, drm->dev,
				    drm->anon_inode->i_mapping,
				    drm->vma_offset_manager);
	if (ret)
		return ret;
	ret = pudge_vram_mgr_init(&pudge->vram, &pudge->bdev, pudge->vram_base,
				  pudge->vram_size, pudge->vram_map);
	if (ret) {
		ttm_device_fini(&pudge->bdev);
		return ret;
	}
	/* SVM asks the pool for room, and the pool asks buffer objects. */
	pudge->bo_reclaimer.reclaim = pudge_bo_reclaim;
	pudge_vram_add_reclaimer(&pudge->vram, &pudge->bo_reclaimer);
	return drmm_add_action_or_reset(drm, pudge_ttm_fini, NULL);
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

	pudge_map_orders_init();
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ret = pci_request_region(pdev, PUDGE_VRAM_BAR, "pudge-vram");
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(&pdev->dev, pudge_release_vram_region, pdev);
	if (ret)
		return ret;
	/*
	 * Huge entries take the VMA's protection with the cache mode PAT
	 * has on record for the pfn; record write-combining for the whole
	 * BAR so that PUD, PMD and PTE mappings all agree.
	 */
	ret = arch_io_reserve_memtype_wc(pci_resource_start(pdev, PUDGE_VRAM_BAR),
					 pci_resource_len(pdev, PUDGE_VRAM_BAR));
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(&pdev->dev, pudge_free_vram_memtype, pdev);
	if (ret)
		return ret;

	pudge = devm_drm_dev_alloc(&pdev->dev, &pudge_driver,
				   struct pudge_device, drm);
	if (IS_ERR(pudge))
		return PTR_ERR(pudge);

	/*
	 * pudge moves data with the CPU and never DMAs; the mask is what a
	 * dma-buf it imports is mapped for, and it reaches all memory.
	 */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	pudge->pdev = pdev;
	pudge->vram_base = pci_resource_start(pdev, PUDGE_VRAM_BAR);
	pudge->vram_size = pci_resource_len(pdev, PUDGE_VRAM_BAR);
	pci_set_drvdata(pdev, pudge);

	ret = pudge_ttm_init(pudge);
	if (ret)
		return ret;
	ret = pudge_dev_svm_init(pudge);
	if (ret)
		return ret;

	ret = drm_dev_register(&pudge->drm, 0);
	if (ret)
		return ret;
	pudge_stats_debugfs_init(pudge);

	drm_info(&pudge->drm, "VRAM: %pa + %llu MiB, map orders %#llx, SVM features %#llx\n",
		 &pudge->vram_base, (u64)pudge->vram_size >> 20,
		 pudge_map_orders(false), pudge_dev_svm_features(pudge));
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
	/* Later faults map TTM's dummy page instead of a BAR that is gone. */
	unmap_mapping_range(pudge->drm.anon_inode->i_mapping, 0, 0, 1);
	/* The clearing worker writes to the BAR: done before it goes. */
	pudge_vram_clear_stop(&pudge->vram);
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
