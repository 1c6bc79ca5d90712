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
#define PUDGE_API_VERSION 1

#define DRM_PUDGE_GET_PARAM 0x00

#define DRM_IOCTL_PUDGE_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PUDGE_GET_PARAM, struct drm_pudge_get_param)

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
 *   (pfnmap) entries at that level and the CPU supports the size, and when
 *   the module parameter max_map_order does not cap it.
 * %PUDGE_PARAM_KERNEL_MAP_ORDERS: the same mask before the max_map_order
 *   cap: what the running kernel and CPU could support.
 * %PUDGE_PARAM_FEATURES: bit mask of %PUDGE_FEATURE_*.
 */
#define PUDGE_PARAM_API_VERSION		0
#define PUDGE_PARAM_VRAM_SIZE		1
#define PUDGE_PARAM_VRAM_FREE		2
#define PUDGE_PARAM_MAP_ORDERS		3
#define PUDGE_PARAM_KERNEL_MAP_ORDERS	4
#define PUDGE_PARAM_FEATURES		5

/* Bits of %PUDGE_PARAM_MAP_ORDERS, one per page-table level. */
#define PUDGE_MAP_ORDER_PTE	(1ull << 0)
#define PUDGE_MAP_ORDER_PMD	(1ull << 9)
#define PUDGE_MAP_ORDER_PUD	(1ull << 18)

/*
 * PUDGE_FEATURE_SVM: device-private VRAM (SVM_* ioctls) is available.  Not
 * set on kernels built without CONFIG_DEVICE_PRIVATE, or when the driver
 * could not reserve physical address space for device-private pages.
 */
#define PUDGE_FEATURE_SVM	(1ull << 0)

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

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_PUDGE_DRM_H_ */
