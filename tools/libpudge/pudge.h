/* SPDX-License-Identifier: MIT */
/*
 * libpudge: small libdrm-based helpers shared by pudge's tests and tools.
 * Every ioctl goes through libdrm (drmCommandWriteRead and friends).
 */
#ifndef LIBPUDGE_H
#define LIBPUDGE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "pudge_drm.h"

/* Node types for pudge_open(). */
enum pudge_node { PUDGE_NODE_PRIMARY, PUDGE_NODE_RENDER };

/**
 * pudge_open() - open the first DRM node of @type whose driver is pudge
 *
 * Return: a file descriptor, or -1 with errno set (ENODEV: no pudge device).
 */
int pudge_open(enum pudge_node type);

/**
 * pudge_is_device() - whether @fd is a DRM node of the pudge driver
 */
bool pudge_is_device(int fd);

/**
 * pudge_open_driver_card() - open the primary node (/dev/dri/cardN) of the
 * first DRM device whose driver is @driver: another device beside pudge,
 * such as vgem or qxl, for tests and benchmarks
 * @driver: the driver's name, as DRM_IOCTL_VERSION gives it
 *
 * Return: a file descriptor, or -1 with errno ENODEV when there is none.
 */
int pudge_open_driver_card(const char *driver);

/**
 * pudge_get_param() - DRM_IOCTL_PUDGE_GET_PARAM
 *
 * Return: 0 with *value set, or a negative errno.
 */
int pudge_get_param(int fd, uint32_t param, uint64_t *value);

/**
 * pudge_pci_slot() - the PCI address of the device behind @fd
 * @buf: receives "dddd:bb:dd.f"
 *
 * Return: 0, or a negative errno.
 */
int pudge_pci_slot(int fd, char *buf, size_t len);

/**
 * pudge_write_file() - write the string @val to the file at @path
 *
 * For sysfs, debugfs and tracefs files, which take one write; the file is
 * opened with O_TRUNC, so an empty @val clears tracefs' trace buffer.
 *
 * Return: 0, or a negative errno.
 */
int pudge_write_file(const char *path, const char *val);

/**
 * pudge_driver_bind() - bind pudge to, or unbind it from, PCI device @slot
 * @bind: true to bind (the device is probed again), false to unbind
 *
 * Return: 0, or a negative errno.
 */
int pudge_driver_bind(const char *slot, bool bind);

/**
 * pudge_map_anon() - private anonymous memory of @size bytes at a 2 MiB
 * boundary, with transparent huge pages asked for (@thp) or refused
 *
 * Return: the mapping, or NULL with errno set.
 */
void *pudge_map_anon(uint64_t size, bool thp);

/**
 * pudge_bar_size() - size of BAR @bar of PCI device @slot, from sysfs
 *
 * Return: the size in bytes, or 0 if it cannot be read.
 */
uint64_t pudge_bar_size(const char *slot, int bar);

/**
 * pudge_module_param_get() / pudge_module_param_set() - read or write
 * /sys/module/pudge/parameters/@name (a bool parameter reads as 0 or 1)
 *
 * Return: 0, or a negative errno.
 */
int pudge_module_param_get(const char *name, long long *value);
int pudge_module_param_set(const char *name, long long value);

/**
 * pudge_allow_unsafe_orders() - let pudge use every entry size the kernel
 * supports, also those it keeps off by default because a known core-mm bug
 * is reachable through them (module parameter unsafe_orders, README:
 * "Kernel bugs that huge pfnmaps reach").  For tests of the mapping paths
 * themselves, which are not the hostile calls those bugs need.
 * @saved: receives the previous value, to give back with
 *         pudge_module_param_set("unsafe_orders", *saved)
 *
 * Return: 0, or a negative errno.
 */
int pudge_allow_unsafe_orders(long long *saved);

/**
 * pudge_allow_unsafe_svm_thp() - let SVM_MIGRATE move 2 MiB device folios,
 * which pudge keeps off by default because core-mm bugs can free such a
 * folio while it is mapped (module parameter unsafe_svm_thp, README:
 * "Kernel bugs that huge pfnmaps reach").  For tests of 2 MiB device
 * folios that do not race migrations against forks and frees.
 * @saved: receives the previous value, to give back with
 *         pudge_module_param_set("unsafe_svm_thp", *saved)
 *
 * Return: 0, or a negative errno.
 */
int pudge_allow_unsafe_svm_thp(long long *saved);

/**
 * pudge_kernel_patched() - whether the running kernel carries the fixes of
 * kernel-patches/: its release ends in -pudgedbg (tools/kernel.sh), or
 * PUDGE_KERNEL_PATCHED=1 says so (0 says it does not).
 *
 * Return: true for a patched kernel.
 */
bool pudge_kernel_patched(void);

/**
 * pudge_bo_create() - DRM_IOCTL_PUDGE_GEM_CREATE
 * @size: in, bytes; out (if not NULL via @out_size), the rounded size
 *
 * Return: 0 with *handle set, or a negative errno.
 */
int pudge_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle,
		    uint64_t *out_size);

/** pudge_bo_close() - drop a GEM handle. Return: 0 or a negative errno. */
int pudge_bo_close(int fd, uint32_t handle);

/** pudge_bo_mmap_offset() - the fake offset of a BO. Return: 0 or -errno. */
int pudge_bo_mmap_offset(int fd, uint32_t handle, uint64_t *offset);

/**
 * pudge_bo_map() - mmap @len bytes of a BO from byte @bo_offset, shared
 *
 * Return: the address, or MAP_FAILED with errno set.
 */
void *pudge_bo_map(int fd, uint32_t handle, uint64_t bo_offset, size_t len,
		   int prot);

/** pudge_bo_migrate() - DRM_IOCTL_PUDGE_GEM_MIGRATE. Return: 0 or -errno. */
int pudge_bo_migrate(int fd, uint32_t handle, uint32_t placement);

/**
 * pudge_stats() - DRM_IOCTL_PUDGE_STATS of BO @handle, or of the device
 * when @handle is 0
 *
 * Return: 0 or a negative errno.
 */
int pudge_stats(int fd, uint32_t handle, struct drm_pudge_stats *stats);

/**
 * pudge_svm_migrate() - DRM_IOCTL_PUDGE_SVM_MIGRATE of [@addr, @addr + @size)
 * to @placement; @out (may be NULL) receives the filled-in struct
 *
 * Return: 0 or a negative errno.
 */
int pudge_svm_migrate(int fd, const void *addr, uint64_t size, uint32_t placement,
		      struct drm_pudge_svm_migrate *out);

/**
 * pudge_svm_access() - DRM_IOCTL_PUDGE_SVM_ACCESS: read (@op
 * PUDGE_SVM_ACCESS_READ) or write @size bytes at @addr as the device sees
 * them, into or from @buf; @out (may be NULL) receives the struct
 *
 * Return: 0 or a negative errno.
 */
int pudge_svm_access(int fd, const void *addr, uint64_t size, void *buf,
		     uint32_t op, struct drm_pudge_svm_access *out);

/**
 * pudge_kernel_log_count() - how often @what appears in the kernel log
 * buffer (klogctl; needs CAP_SYSLOG or dmesg_restrict=0)
 *
 * Return: the count, or a negative errno.
 */
int pudge_kernel_log_count(const char *what);

/** pudge_vm_pte_bytes() - VmPTE of this process, in bytes (-1 if unknown). */
long long pudge_vm_pte_bytes(void);

/** pudge_minor_faults() - minor page faults of this process so far. */
long long pudge_minor_faults(void);

#endif /* LIBPUDGE_H */
