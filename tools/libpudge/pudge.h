/* SPDX-License-Identifier: MIT */
/*
 * libpudge: small libdrm-based helpers shared by pudge's tests and tools.
 * Every ioctl goes through libdrm (drmCommandWriteRead and friends).
 */
#ifndef LIBPUDGE_H
#define LIBPUDGE_H

#include <stddef.h>
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
 * pudge_bar_size() - size of BAR @bar of PCI device @slot, from sysfs
 *
 * Return: the size in bytes, or 0 if it cannot be read.
 */
uint64_t pudge_bar_size(const char *slot, int bar);

/**
 * pudge_module_param_get() / pudge_module_param_set() - read or write
 * /sys/module/pudge/parameters/@name
 *
 * Return: 0, or a negative errno.
 */
int pudge_module_param_get(const char *name, long long *value);
int pudge_module_param_set(const char *name, long long value);

#endif /* LIBPUDGE_H */
