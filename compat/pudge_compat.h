/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one place where kernel API differences are bridged.  The
 * PUDGE_HAVE_* symbols come from compile probes (compat/conftest.sh), never
 * from version numbers.
 */
#ifndef _PUDGE_COMPAT_H_
#define _PUDGE_COMPAT_H_

#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>

#include "pudge_compat_gen.h"

#ifdef PUDGE_HAVE_DRM_DRIVER_DATE
#define PUDGE_DRM_DRIVER_DATE(d) .date = (d),
#else
#define PUDGE_DRM_DRIVER_DATE(d)
#endif

/*
 * Whether a GEM object was imported, also while it is being freed:
 * import_attach where it exists (the first drm_gem_is_imported() looked
 * at obj->dma_buf, which the last handle's release clears).
 */
#include <drm/drm_gem.h>
#ifdef PUDGE_HAVE_GEM_IMPORT_ATTACH
static inline bool pudge_gem_is_imported(const struct drm_gem_object *obj)
{
	return obj->import_attach;
}

static inline struct dma_buf *pudge_gem_import_dmabuf(struct drm_gem_object *obj)
{
	return obj->import_attach->dmabuf;
}
#else
#define pudge_gem_is_imported(obj) drm_gem_is_imported(obj)
#define pudge_gem_import_dmabuf(obj) ((obj)->dma_buf)
#endif

/* dma_buf_mmap() and friends are in the DMA_BUF symbol namespace. */
#ifdef PUDGE_HAVE_MODULE_IMPORT_NS_IDENT
#define PUDGE_MODULE_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#else
#define PUDGE_MODULE_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#endif

#ifdef PUDGE_HAVE_TTM_BO_FINI
#define pudge_ttm_bo_fini(bo) ttm_bo_fini(bo)
#else
#define pudge_ttm_bo_fini(bo) ttm_bo_put(bo)
#endif

#include <drm/ttm/ttm_tt.h>
static inline int pudge_ttm_bo_populate(struct ttm_buffer_object *bo,
					struct ttm_operation_ctx *ctx)
{
#ifdef PUDGE_HAVE_TTM_BO_POPULATE
	return ttm_bo_populate(bo, ctx);
#else
	return ttm_tt_populate(bo->bdev, bo->ttm, ctx);
#endif
}

#ifdef PUDGE_HAVE_TTM_ALLOCATION_PROPAGATE_ENOSPC
#include <linux/bits.h>
#include <drm/ttm/ttm_allocation.h>
#define PUDGE_TTM_PROPAGATES_ENOSPC 1
#define PUDGE_TTM_ALLOC_FLAGS TTM_ALLOCATION_PROPAGATE_ENOSPC
#else
#define PUDGE_TTM_PROPAGATES_ENOSPC 0
#define PUDGE_TTM_ALLOC_FLAGS 0
#endif

/* A TTM device with neither coherent DMA allocations nor DMA32. */
static inline int pudge_ttm_device_init(struct ttm_device *bdev,
					const struct ttm_device_funcs *funcs,
					struct device *dev,
					struct address_space *mapping,
					struct drm_vma_offset_manager *vma_manager)
{
#ifdef PUDGE_HAVE_TTM_DEVICE_INIT_ALLOC_FLAGS
	return ttm_device_init(bdev, funcs, dev, mapping, vma_manager,
			       PUDGE_TTM_ALLOC_FLAGS);
#else
	return ttm_device_init(bdev, funcs, dev, mapping, vma_manager, false, false);
#endif
}

static inline unsigned long
pudge_mm_get_unmapped_area(struct file *filp, unsigned long addr,
			   unsigned long len, unsigned long pgoff,
			   unsigned long flags)
{
#ifdef PUDGE_HAVE_MM_GET_UNMAPPED_AREA_MM
	return mm_get_unmapped_area(current->mm, filp, addr, len, pgoff, flags);
#else
	return mm_get_unmapped_area(filp, addr, len, pgoff, flags);
#endif
}

#ifdef PUDGE_HAVE_ZAP_VMA_RANGE
#define pudge_zap_vma_range(vma, addr, size) zap_vma_range(vma, addr, size)
#else
#define pudge_zap_vma_range(vma, addr, size) zap_vma_ptes(vma, addr, size)
#endif

/*
 * Huge pfnmap insertion.  Only reachable when pudge_map_orders() allows the
 * level, so kernels without it get stubs that never run.
 */
#include <linux/huge_mm.h>
#ifdef PUDGE_HAVE_VMF_INSERT_PFN_PMD_PFN_T
#include <linux/pfn_t.h>
/* PFN_DEV without PFN_MAP: the entry is special, not devmap. */
#define pudge_pfn_arg(pfn) __pfn_to_pfn_t(pfn, PFN_DEV)
#else
#define pudge_pfn_arg(pfn) (pfn)
#endif

static inline vm_fault_t pudge_vmf_insert_pfn_pmd(struct vm_fault *vmf,
						  unsigned long pfn, bool write)
{
#if defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) && defined(CONFIG_TRANSPARENT_HUGEPAGE)
	return vmf_insert_pfn_pmd(vmf, pudge_pfn_arg(pfn), write);
#else
	return VM_FAULT_FALLBACK;
#endif
}

static inline vm_fault_t pudge_vmf_insert_pfn_pud(struct vm_fault *vmf,
						  unsigned long pfn, bool write)
{
#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
	return vmf_insert_pfn_pud(vmf, pudge_pfn_arg(pfn), write);
#else
	return VM_FAULT_FALLBACK;
#endif
}

/*
 * Device-private VRAM (SVM).  pudge uses the folio interface of
 * device-private memory only: kernels with the older page_free /
 * zone_device_page_init(page) interface build without SVM rather than
 * carry a second path that nothing here could test.  2 MiB units need both
 * compound selection in migrate_vma and the folio_split callback, which
 * keeps each 4 KiB page's VRAM address when the kernel splits a
 * device-private THP.
 */
#ifdef PUDGE_HAVE_DEVICE_PRIVATE_FOLIOS
#define PUDGE_SVM 1
#include <linux/migrate.h>
#if defined(PUDGE_HAVE_MIGRATE_VMA_SELECT_COMPOUND) && \
	defined(PUDGE_HAVE_DEV_PAGEMAP_FOLIO_SPLIT)
#define PUDGE_SVM_THP 1
#define PUDGE_SELECT_COMPOUND MIGRATE_VMA_SELECT_COMPOUND
#define PUDGE_MIGRATE_PFN_COMPOUND MIGRATE_PFN_COMPOUND
#else
#define PUDGE_SVM_THP 0
#define PUDGE_SELECT_COMPOUND 0
#define PUDGE_MIGRATE_PFN_COMPOUND 0
#endif
#else
#define PUDGE_SVM 0
#define PUDGE_SVM_THP 0
#endif

/* An unbound workqueue for long work (the VRAM clearing worker). */
#include <linux/workqueue.h>
#ifdef PUDGE_HAVE_SYSTEM_DFL_WQ
#define pudge_unbound_wq system_dfl_wq
#else
#define pudge_unbound_wq system_unbound_wq
#endif

/* Whether a TT's pages are swapped out (or backed up): not empty. */
static inline bool pudge_ttm_tt_is_swapped(const struct ttm_tt *tt)
{
#ifdef PUDGE_HAVE_TTM_TT_IS_SWAPPED
	return ttm_tt_is_swapped(tt);
#else
	return tt->page_flags & TTM_TT_FLAG_SWAPPED;
#endif
}

#endif /* _PUDGE_COMPAT_H_ */
