/* SPDX-License-Identifier: MIT */
/*
 * pudge: CPU mappings of VRAM buffer objects with huge page-table entries.
 *
 * This header is the whole ABI between the pudge kernel driver and user
 * space.  Rules (Documentation/process/botching-up-ioctls.rst):
 *  - fixed-size types only, every struct 64-bit aligned and padded by hand;
 *  - pointers travel as __u64;
 *  - every pad and flags field must be zero, or the ioctl fails with
 *    -EINVAL, so that the fields can be given a meaning later;
 *  - new params, flags and ioctls are added, never changed.
 */
#ifndef _UAPI_PUDGE_DRM_H_
#define _UAPI_PUDGE_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * PUDGE_API_VERSION - version of this ABI, reported by
 * %PUDGE_PARAM_API_VERSION.  Bumped when an ioctl, param or flag is added.
 */
#define PUDGE_API_VERSION 5

#define DRM_PUDGE_GET_PARAM		0x00
#define DRM_PUDGE_GEM_CREATE		0x01
#define DRM_PUDGE_GEM_MMAP_OFFSET	0x02
#define DRM_PUDGE_GEM_MIGRATE		0x03
#define DRM_PUDGE_STATS			0x04
#define DRM_PUDGE_SVM_MIGRATE		0x05
#define DRM_PUDGE_SVM_ACCESS		0x06
#define DRM_PUDGE_TEST_GUP		0x3e

#define DRM_IOCTL_PUDGE_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_GET_PARAM, struct drm_pudge_get_param)
#define DRM_IOCTL_PUDGE_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_GEM_CREATE, struct drm_pudge_gem_create)
#define DRM_IOCTL_PUDGE_GEM_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_GEM_MMAP_OFFSET, struct drm_pudge_gem_mmap_offset)
#define DRM_IOCTL_PUDGE_GEM_MIGRATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_GEM_MIGRATE, struct drm_pudge_gem_migrate)
#define DRM_IOCTL_PUDGE_STATS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_STATS, struct drm_pudge_stats)
#define DRM_IOCTL_PUDGE_SVM_MIGRATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_SVM_MIGRATE, struct drm_pudge_svm_migrate)
#define DRM_IOCTL_PUDGE_SVM_ACCESS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_SVM_ACCESS, struct drm_pudge_svm_access)
#define DRM_IOCTL_PUDGE_TEST_GUP \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_TEST_GUP, struct drm_pudge_test_gup)

/*
 * Params for DRM_IOCTL_PUDGE_GET_PARAM.
 *
 * %PUDGE_PARAM_API_VERSION: %PUDGE_API_VERSION of the running driver.
 * %PUDGE_PARAM_VRAM_SIZE: bytes of VRAM (the size of the VRAM BAR).
 * %PUDGE_PARAM_VRAM_FREE: bytes of VRAM not allocated right now.
 * %PUDGE_PARAM_MAP_ORDERS: bit mask of the page-table entry orders pudge
 *   inserts for CPU mappings of VRAM right now: bit 0 for 4 KiB PTEs
 *   (always set), bit 9 for 2 MiB PMD entries, bit 18 for 1 GiB PUD
 *   entries.  A huge order is set only when the running kernel has special
 *   (pfnmap) entries at that level and the CPU supports the size, when
 *   the module parameter max_map_order does not cap it, and when no known
 *   core-mm bug of the running kernel is reachable through entries of that
 *   size (2 MiB entries are off by default for that reason: the module
 *   parameter unsafe_orders turns them on, for kernels with the fixes).
 * %PUDGE_PARAM_KERNEL_MAP_ORDERS: the same mask before those module
 *   parameters: what the running kernel and CPU could support.
 * %PUDGE_PARAM_FEATURES: bit mask of %PUDGE_FEATURE_*.
 * %PUDGE_PARAM_SVM_CAPACITY: bytes of process memory that can be in VRAM
 *   at once through SVM_MIGRATE: the VRAM size, or less when the kernel
 *   could not reserve enough physical address space for device-private
 *   pages; 0 without %PUDGE_FEATURE_SVM.
 * %PUDGE_PARAM_SVM_RESIDENT: bytes of process memory in VRAM right now
 *   (device-private pages in use, all processes).
 * %PUDGE_PARAM_VRAM_CLEAR_PENDING: bytes of free VRAM a background worker
 *   has yet to clear (counted in %PUDGE_PARAM_VRAM_FREE).  A BO created
 *   on VRAM that is not cleared yet clears it while it is created.  Since
 *   API version 5.
 */
#define PUDGE_PARAM_API_VERSION		0
#define PUDGE_PARAM_VRAM_SIZE		1
#define PUDGE_PARAM_VRAM_FREE		2
#define PUDGE_PARAM_MAP_ORDERS		3
#define PUDGE_PARAM_KERNEL_MAP_ORDERS	4
#define PUDGE_PARAM_FEATURES		5
#define PUDGE_PARAM_SVM_CAPACITY	6
#define PUDGE_PARAM_SVM_RESIDENT	7
#define PUDGE_PARAM_VRAM_CLEAR_PENDING	8

/* Bits of %PUDGE_PARAM_MAP_ORDERS, one per page-table level. */
#define PUDGE_MAP_ORDER_PTE	(1ull << 0)
#define PUDGE_MAP_ORDER_PMD	(1ull << 9)
#define PUDGE_MAP_ORDER_PUD	(1ull << 18)

/*
 * PUDGE_FEATURE_SVM: device-private VRAM (SVM_* ioctls) is available.  Not
 * set on kernels built without CONFIG_DEVICE_PRIVATE (the SVM ioctls then
 * fail with -EOPNOTSUPP), or when the driver could not reserve any
 * physical address space for device-private pages.
 *
 * PUDGE_FEATURE_SVM_THP: SVM_MIGRATE moves 2 MiB transparent huge pages
 * as one unit (the kernel has MIGRATE_VMA_SELECT_COMPOUND, and the module
 * parameter unsafe_svm_thp allows it: off by default, because of core-mm
 * bugs that free such a unit while it is mapped); without it, huge pages
 * are split and moved 4 KiB at a time.  Read it again after a change of
 * the parameter.
 */
#define PUDGE_FEATURE_SVM	(1ull << 0)
#define PUDGE_FEATURE_SVM_THP	(1ull << 1)

/**
 * struct drm_pudge_get_param - query one driver parameter
 */
struct drm_pudge_get_param {
	/** @param: in, one of PUDGE_PARAM_*; others get -EINVAL. */
	__u32 param;
	/** @pad: in, must be zero. */
	__u32 pad;
	/** @value: out, the parameter's value. */
	__u64 value;
};

/*
 * Placements of a buffer object, for drm_pudge_gem_create.flags and
 * drm_pudge_gem_migrate.placement.
 *
 * %PUDGE_GEM_PLACE_VRAM: the BO may live in VRAM.
 * %PUDGE_GEM_PLACE_SYSTEM: the BO may live in system memory.
 *
 * A BO created with VRAM only never leaves VRAM (it is not evicted, and
 * creating it fails with -ENOSPC when VRAM cannot hold it); a BO created
 * with system only never enters VRAM; a BO created with both starts in
 * VRAM when there is room, else in system memory, moves with
 * DRM_IOCTL_PUDGE_GEM_MIGRATE and is evicted to system memory, with its
 * data, when VRAM is needed for another BO.
 */
#define PUDGE_GEM_PLACE_VRAM	(1u << 0)
#define PUDGE_GEM_PLACE_SYSTEM	(1u << 1)
#define PUDGE_GEM_PLACE_MASK	(PUDGE_GEM_PLACE_VRAM | PUDGE_GEM_PLACE_SYSTEM)

/**
 * struct drm_pudge_gem_create - create a buffer object
 *
 * The new BO reads as zeroes.
 */
struct drm_pudge_gem_create {
	/**
	 * @size: in, bytes, non-zero; rounded up to the page size, and the
	 * rounded size is written back.  A VRAM-only BO larger than the VRAM
	 * that other VRAM-only BOs leave (so larger than VRAM, too) fails with
	 * -ENOSPC at once, evicting nothing; one that could fit makes room
	 * by evicting BOs and moving process memory (SVM) back to system
	 * memory, with their data, and fails with -ENOSPC only if that is
	 * not enough.
	 */
	__u64 size;
	/** @flags: in, PUDGE_GEM_PLACE_* (at least one); others: -EINVAL. */
	__u32 flags;
	/** @handle: out, GEM handle of the new BO; must be zero on input. */
	__u32 handle;
};

/**
 * struct drm_pudge_gem_mmap_offset - fake offset to mmap() a BO with
 *
 * The mapping must be MAP_SHARED (private mappings get -EINVAL from
 * mmap).  pudge aligns the address mmap() picks so that huge entries are
 * possible; see %PUDGE_PARAM_MAP_ORDERS.
 */
struct drm_pudge_gem_mmap_offset {
	/** @handle: in, the BO. */
	__u32 handle;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @offset: out, the offset to pass to mmap(). */
	__u64 offset;
};

/**
 * struct drm_pudge_gem_migrate - move a BO, with its data
 *
 * CPU mappings of the BO are zapped and fault in the new placement on the
 * next access.  Moving to the placement the BO is in succeeds and does
 * nothing.
 */
struct drm_pudge_gem_migrate {
	/** @handle: in, the BO. */
	__u32 handle;
	/**
	 * @placement: in, exactly one PUDGE_GEM_PLACE_* bit, and one the BO
	 * was created with (else -EINVAL).  VRAM without room: -ENOSPC, at
	 * once and evicting nothing when the BO is larger than the VRAM that
	 * VRAM-only BOs leave.
	 */
	__u32 placement;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @pad: in, must be zero. */
	__u32 pad;
};

/*
 * PUDGE_STATS_BO: report the counters of BO drm_pudge_stats.handle instead
 * of the device-wide ones.
 */
#define PUDGE_STATS_BO	(1u << 0)

/**
 * struct drm_pudge_stats - fault and mapping counters
 *
 * Counters only grow, from device probe (device-wide) or BO creation
 * (per BO).  They are counted by the kernel's fault path itself.
 */
struct drm_pudge_stats {
	/** @handle: in, the BO with %PUDGE_STATS_BO, else must be zero. */
	__u32 handle;
	/** @flags: in, %PUDGE_STATS_BO or zero. */
	__u32 flags;
	/**
	 * @faults: out, calls into pudge's fault handlers that mapped
	 * memory (one per CPU page fault, unless the kernel retried).
	 */
	__u64 faults;
	/**
	 * @fallbacks: out, huge-fault calls answered with
	 * VM_FAULT_FALLBACK (the kernel then asks for a smaller entry).
	 */
	__u64 fallbacks;
	/** @pud_inserted: out, 1 GiB PUD entries inserted. */
	__u64 pud_inserted;
	/** @pmd_inserted: out, 2 MiB PMD entries inserted. */
	__u64 pmd_inserted;
	/**
	 * @pte_inserted: out, 4 KiB PTEs inserted for VRAM placements, and
	 * since API version 5 for system placements too (which map 2 MiB
	 * entries where their pages allow).
	 */
	__u64 pte_inserted;
	/** @moves: out, BO moves between VRAM and system memory. */
	__u64 moves;
	/** @evictions: out, moves out of VRAM forced by VRAM pressure. */
	__u64 evictions;
	/*
	 * SVM counters (API version 3): device-wide only, zero per BO.  A
	 * 2 MiB huge page counts 512 pages.
	 */
	/** @svm_to_vram: out, process pages moved into VRAM. */
	__u64 svm_to_vram;
	/**
	 * @svm_to_ram: out, process pages moved back to system memory, by
	 * SVM_MIGRATE, CPU faults and eviction together.
	 */
	__u64 svm_to_ram;
	/** @svm_bytes_copied: out, bytes copied by SVM moves, both ways. */
	__u64 svm_bytes_copied;
	/**
	 * @svm_cpu_faults: out, CPU faults on process memory in VRAM,
	 * served by migrating it back (dev_pagemap_ops.migrate_to_ram).
	 */
	__u64 svm_cpu_faults;
	/** @svm_thp_moves: out, 2 MiB units moved as one, both ways. */
	__u64 svm_thp_moves;
	/** @svm_page_moves: out, 4 KiB pages moved one by one, both ways. */
	__u64 svm_page_moves;
	/**
	 * @svm_evicted: out, process pages moved back to system memory to
	 * make room for buffer objects, or on device removal.
	 */
	__u64 svm_evicted;
	/**
	 * @svm_kthread_faults: out, of @svm_cpu_faults, those a kernel
	 * thread took rather than the process: khugepaged, collapsing a huge
	 * page, treats process memory in VRAM as swapped out and "swaps it
	 * in".  Since API version 4.
	 */
	__u64 svm_kthread_faults;
	/*
	 * VRAM clearing (API version 5): device-wide only, zero per BO.
	 * Freed VRAM is cleared by a background worker; a new BO's creation
	 * clears only what was not.
	 */
	/** @vram_cleared_bg: out, bytes of VRAM the background worker cleared. */
	__u64 vram_cleared_bg;
	/**
	 * @vram_cleared_alloc: out, bytes of VRAM cleared while creating
	 * BOs (or moving empty BOs into VRAM), which the caller waited for.
	 */
	__u64 vram_cleared_alloc;
	/**
	 * @vram_clear_reclaims: out, allocations that found no room and took
	 * VRAM still queued for clearing, to clear what they got themselves.
	 */
	__u64 vram_clear_reclaims;
};

/**
 * struct drm_pudge_svm_migrate - move a range of the caller's memory
 * between system memory and VRAM
 *
 * Private anonymous memory moves; pages not yet populated are populated
 * at the destination (zero-filled).  Process memory in VRAM stays mapped:
 * a CPU access moves it back first.  Each page of the range is counted in
 * exactly one of the out fields, which therefore add up to @size / page
 * size.
 *
 * Errors: -EINVAL for bad fields; -EFAULT when part of the range is not
 * mapped; -EINVAL when part of it is file-backed, a device or hugetlb
 * mapping (nothing is moved then); -EOPNOTSUPP without
 * %PUDGE_FEATURE_SVM; -ENODEV after the device is gone.
 */
struct drm_pudge_svm_migrate {
	/** @addr: in, page-aligned start of the range. */
	__u64 addr;
	/** @size: in, page-aligned, non-zero; @addr + @size must not wrap. */
	__u64 size;
	/**
	 * @placement: in, %PUDGE_GEM_PLACE_VRAM or %PUDGE_GEM_PLACE_SYSTEM:
	 * where the range should be.
	 */
	__u32 placement;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @moved: out, pages moved to @placement by this call. */
	__u64 moved;
	/** @moved_thp: out, of @moved, pages moved as 2 MiB units. */
	__u64 moved_thp;
	/** @already: out, pages that were at @placement already. */
	__u64 already;
	/**
	 * @not_anon: out, pages of shared mappings (MAP_SHARED anonymous
	 * memory, SysV shm): page cache, not private anonymous memory.
	 */
	__u64 not_anon;
	/** @pinned: out, pages left in place because someone pinned them. */
	__u64 pinned;
	/**
	 * @busy: out, pages left in place because they were locked, under
	 * writeback or otherwise in use right then; a retry may move them.
	 */
	__u64 busy;
	/** @no_room: out, pages left in place: the destination was full. */
	__u64 no_room;
	/**
	 * @shared: out, pages left in place because another process maps
	 * them too (copy-on-write after fork(), KSM): one process's call
	 * never moves or blocks another's memory.  Since API version 4.
	 */
	__u64 shared;
};

/* Ops of drm_pudge_svm_access. */
#define PUDGE_SVM_ACCESS_READ	0
#define PUDGE_SVM_ACCESS_WRITE	1

/* The most bytes one DRM_IOCTL_PUDGE_SVM_ACCESS call may move. */
#define PUDGE_SVM_ACCESS_MAX	(64ull << 20)

/**
 * struct drm_pudge_svm_access - read or write the caller's memory as the
 * device sees it
 *
 * The device's view: pages in VRAM are read or written there, without
 * moving them back; other pages through the CPU page tables, faulting
 * them in as a device access would (hmm_range_fault()).  A write to a
 * page in VRAM that is shared copy-on-write after fork() moves it back
 * first, like a CPU write.
 *
 * Errors: -EINVAL for bad fields, -EFAULT when the range or the buffer is
 * not accessible (as the CPU would fault), -EOPNOTSUPP without
 * %PUDGE_FEATURE_SVM, -ENODEV after the device is gone.  The range is
 * processed in order, 2 MiB at a time: after an error, a write may have
 * written (and a read filled) the part of the range before the fault.
 */
struct drm_pudge_svm_access {
	/** @addr: in, page-aligned start of the range. */
	__u64 addr;
	/** @size: in, page-aligned, 1 page .. %PUDGE_SVM_ACCESS_MAX. */
	__u64 size;
	/**
	 * @data_ptr: in, user buffer of @size bytes: receives the data
	 * (read) or holds it (write).
	 */
	__u64 data_ptr;
	/** @op: in, PUDGE_SVM_ACCESS_*. */
	__u32 op;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @vram_pages: out, pages of the range accessed in VRAM. */
	__u64 vram_pages;
	/** @system_pages: out, pages accessed in system memory. */
	__u64 system_pages;
};

/*
 * Operations of DRM_IOCTL_PUDGE_TEST_GUP.
 *
 * %PUDGE_TEST_GUP_FAST: get_user_pages_fast() on the range.
 * %PUDGE_TEST_PIN_FAST: pin_user_pages_fast() on the range.
 * %PUDGE_TEST_QUERY_PINNED: whether the page at @addr is DMA-pinned by
 *	anyone (folio_maybe_dma_pinned()); @npages must be 1.
 */
#define PUDGE_TEST_GUP_FAST	0
#define PUDGE_TEST_PIN_FAST	1
#define PUDGE_TEST_QUERY_PINNED	2

/* Flags of DRM_IOCTL_PUDGE_TEST_GUP: ask for writable pages. */
#define PUDGE_TEST_GUP_WRITE	(1u << 0)

/* The most pages one DRM_IOCTL_PUDGE_TEST_GUP call may ask for. */
#define PUDGE_TEST_GUP_MAX_PAGES 512

/**
 * struct drm_pudge_test_gup - TEST ONLY: run the kernel's page pinning on
 * a range of the caller's memory
 *
 * Present only to test that pudge mappings cannot be pinned; fails with
 * -EOPNOTSUPP unless the module parameter test_ioctls is set (root only).
 * Pages obtained are released before the ioctl returns.
 */
struct drm_pudge_test_gup {
	/** @addr: in, page-aligned user address. */
	__u64 addr;
	/** @npages: in, 1 .. %PUDGE_TEST_GUP_MAX_PAGES. */
	__u64 npages;
	/** @op: in, PUDGE_TEST_*. */
	__u32 op;
	/** @flags: in, %PUDGE_TEST_GUP_WRITE or zero. */
	__u32 flags;
	/**
	 * @result: out, what the call returned: pages obtained (0 ..
	 * @npages) or a negative errno; for %PUDGE_TEST_QUERY_PINNED, 1 if
	 * pinned, 0 if not, or a negative errno.
	 */
	__s64 result;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_PUDGE_DRM_H_ */
