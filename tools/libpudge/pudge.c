// SPDX-License-Identifier: MIT
/* libpudge: see pudge.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "pudge.h"

int pudge_open(enum pudge_node type)
{
	drmDevicePtr devs[64];
	int node = type == PUDGE_NODE_RENDER ? DRM_NODE_RENDER : DRM_NODE_PRIMARY;
	int n, i, fd = -1;

	n = drmGetDevices2(0, devs, 64);
	if (n < 0) {
		errno = -n;
		return -1;
	}
	for (i = 0; i < n && fd < 0; i++) {
		drmVersionPtr v;

		if (!(devs[i]->available_nodes & (1 << node)))
			continue;
		fd = open(devs[i]->nodes[node], O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (!v || strcmp(v->name, "pudge")) {
			close(fd);
			fd = -1;
		}
		drmFreeVersion(v);
	}
	drmFreeDevices(devs, n);
	if (fd < 0)
		errno = ENODEV;
	return fd;
}

int pudge_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_pudge_get_param args = { .param = param };
	int ret;

	ret = drmCommandWriteRead(fd, DRM_PUDGE_GET_PARAM, &args, sizeof(args));
	if (ret)
		return ret;
	*value = args.value;
	return 0;
}

int pudge_pci_slot(int fd, char *buf, size_t len)
{
	drmDevicePtr dev;
	int ret;

	ret = drmGetDevice2(fd, 0, &dev);
	if (ret)
		return ret;
	if (dev->bustype != DRM_BUS_PCI) {
		drmFreeDevice(&dev);
		return -ENODEV;
	}
	snprintf(buf, len, "%04x:%02x:%02x.%u", dev->businfo.pci->domain,
		 dev->businfo.pci->bus, dev->businfo.pci->dev,
		 dev->businfo.pci->func);
	drmFreeDevice(&dev);
	return 0;
}

uint64_t pudge_bar_size(const char *slot, int bar)
{
	unsigned long long start, end, flags;
	char path[128];
	uint64_t size = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", slot);
	f = fopen(path, "r");
	if (!f)
		return 0;
	for (i = 0; i <= bar; i++) {
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			break;
		if (i == bar && end > start)
			size = end - start + 1;
	}
	fclose(f);
	return size;
}

static int param_path(const char *name, char *buf, size_t len)
{
	return snprintf(buf, len, "/sys/module/pudge/parameters/%s", name) < (int)len ?
		0 : -ENAMETOOLONG;
}

int pudge_module_param_get(const char *name, long long *value)
{
	char path[128];
	int ret = param_path(name, path, sizeof(path));
	FILE *f;

	if (ret)
		return ret;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	ret = fscanf(f, "%lld", value) == 1 ? 0 : -EIO;
	fclose(f);
	return ret;
}

int pudge_module_param_set(const char *name, long long value)
{
	char path[128];
	int ret = param_path(name, path, sizeof(path));
	FILE *f;

	if (ret)
		return ret;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%lld\n", value);
	ret = fclose(f) ? -errno : 0;
	return ret;
}
