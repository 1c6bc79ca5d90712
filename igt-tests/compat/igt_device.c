// SPDX-License-Identifier: MIT
/*
 * Device opening behind igt-tests/compat/igt.h, with IGT's rules:
 *
 * - A device filter, from --device or else the IGT_DEVICE environment
 *   variable, names the device: drm:/dev/dri/NODE, sys:/sys/... (the
 *   device's sysfs directory) or pci:vendor=V,device=D,card=N,slot=S
 *   (hex IDs, any subset of the keys).  With a filter, the matching
 *   device is opened whatever its driver, and nothing else.
 * - Without a filter, /dev/dri is searched in node order for a driver that
 *   @chipset accepts; DRIVER_ANY accepts every driver but vgem.  With
 *   IGT_FORCE_DRIVER set, DRIVER_ANY accepts that driver only.
 * - drm_open_driver*() skip the subtest when nothing matches; the
 *   __drm_open_driver*() forms return -1 instead.
 *
 * Only the first of several ';'-separated filters is used, as
 * drm_open_driver() does; vendor names (pci:vendor=intel) are not known
 * here and match nothing.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <xf86drm.h>

#include "igt.h"

static char *filter;

int igt_device_filter_add(const char *filters)
{
	free(filter);
	filter = strdup(filters);
	if (filter)
		filter[strcspn(filter, ";")] = '\0';
	return filter && *filter ? 1 : 0;
}

int igt_device_filter_count(void)
{
	if (!filter && getenv("IGT_DEVICE"))
		igt_device_filter_add(getenv("IGT_DEVICE"));
	return filter && *filter ? 1 : 0;
}

/* The driver name behind @fd, in @buf; false when it has none. */
static bool driver_name(int fd, char *buf, size_t len)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool ok = v && v->name;

	if (ok)
		snprintf(buf, len, "%s", v->name);
	drmFreeVersion(v);
	return ok;
}

/* Whether a driver called @name is one @chipset asks for. */
static bool chipset_accepts(int chipset, const char *name)
{
	const char *forced = getenv("IGT_FORCE_DRIVER");
	int chip = strcmp(name, "vgem") == 0 ? DRIVER_VGEM : DRIVER_ANY;

	if (forced && chipset == DRIVER_ANY && strcmp(forced, name))
		return false;
	return (chipset & chip) == chip;
}

static int search_and_open(int chipset, bool render)
{
	char path[32], name[64];
	int base = render ? 128 : 0;

	for (int i = 0; i < 64; i++) {
		int fd;

		snprintf(path, sizeof(path), render ? "/dev/dri/renderD%d" : "/dev/dri/card%d",
			 base + i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (driver_name(fd, name, sizeof(name)) && chipset_accepts(chipset, name))
			return fd;
		close(fd);
	}
	return -1;
}

/* sysfs directory of a DRM node's device, resolved, in @buf. */
static bool node_sysfs_device(const char *node, char *buf)
{
	char link[PATH_MAX];
	struct stat st;

	if (stat(node, &st) || !S_ISCHR(st.st_mode))
		return false;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	return realpath(link, buf) != NULL;
}

static bool hex_value(const char *s, unsigned int *v)
{
	char *end;

	if (!*s)
		return false;
	*v = strtoul(s, &end, 16);
	return *end == '\0';
}

/*
 * Whether @dev matches the pci: properties in @props; *seen counts the
 * matches so far, for card=N.  False for an unknown key or value.
 */
static bool pci_match(drmDevicePtr dev, const char *props, int *seen, bool *bad)
{
	char *copy = strdup(props), *tok, *save = NULL;
	bool match = dev->bustype == DRM_BUS_PCI;
	int card = 0;

	if (!copy)
		return false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '=');
		unsigned int v;

		if (!val) {
			*bad = true;
			break;
		}
		*val++ = '\0';
		if (!strcmp(tok, "vendor") && hex_value(val, &v)) {
			match = match && dev->deviceinfo.pci->vendor_id == v;
		} else if (!strcmp(tok, "device") && hex_value(val, &v)) {
			match = match && dev->deviceinfo.pci->device_id == v;
		} else if (!strcmp(tok, "card")) {
			card = atoi(val);
		} else if (!strcmp(tok, "slot")) {
			char slot[32] = "";

			if (match)
				snprintf(slot, sizeof(slot), "%04x:%02x:%02x.%u",
					 dev->businfo.pci->domain, dev->businfo.pci->bus,
					 dev->businfo.pci->dev, dev->businfo.pci->func);
			match = match && !strcasecmp(slot, val);
		} else {
			*bad = true;
			break;
		}
	}
	free(copy);
	if (*bad || !match)
		return false;
	return (*seen)++ == card;
}

/* Whether @dev is the device @f names. */
static bool filter_match(drmDevicePtr dev, const char *f, int *seen, bool *bad)
{
	char want[PATH_MAX], have[PATH_MAX];

	if (!strncmp(f, "drm:", 4)) {
		for (int n = 0; n < DRM_NODE_MAX; n++)
			if ((dev->available_nodes & (1 << n)) && !strcmp(dev->nodes[n], f + 4))
				return true;
		return false;
	}
	if (!strncmp(f, "sys:", 4)) {
		if (!realpath(f + 4, want))
			return false;
		for (int n = 0; n < DRM_NODE_MAX; n++)
			if ((dev->available_nodes & (1 << n)) &&
			    node_sysfs_device(dev->nodes[n], have))
				return !strcmp(want, have);
		return false;
	}
	if (!strncmp(f, "pci:", 4))
		return pci_match(dev, f + 4, seen, bad);
	*bad = true;
	return false;
}

static int filtered_open(bool render)
{
	int node = render ? DRM_NODE_RENDER : DRM_NODE_PRIMARY;
	drmDevicePtr devs[64];
	int n, seen = 0, fd = -1;
	bool bad = false;

	n = drmGetDevices2(0, devs, 64);
	if (n < 0)
		return -1;
	for (int i = 0; i < n && fd < 0 && !bad; i++) {
		if (!filter_match(devs[i], filter, &seen, &bad))
			continue;
		if (devs[i]->available_nodes & (1 << node))
			fd = open(devs[i]->nodes[node], O_RDWR | O_CLOEXEC);
		break;
	}
	drmFreeDevices(devs, n);
	if (bad)
		igt_warn("device filter not understood: %s\n", filter);
	return fd;
}

static int open_driver(int chipset, bool render)
{
	int fd;

	if (igt_device_filter_count())
		return filtered_open(render);
	fd = search_and_open(chipset, render);
	/* As IGT does, load vgem when it is asked for by name. */
	if (fd < 0 && chipset == DRIVER_VGEM &&
	    system("modprobe vgem >/dev/null 2>&1") == 0)
		fd = search_and_open(chipset, render);
	return fd;
}

int __drm_open_driver(int chipset)
{
	return open_driver(chipset, false);
}

int __drm_open_driver_render(int chipset)
{
	return open_driver(chipset, true);
}

int drm_open_driver(int chipset)
{
	int fd = __drm_open_driver(chipset);

	igt_skip_on_f(fd < 0, "No known gpu found for chipset flags %#x\n", chipset);
	return fd;
}

int drm_open_driver_render(int chipset)
{
	int fd = __drm_open_driver_render(chipset);

	igt_skip_on_f(fd < 0, "No known gpu found for chipset flags %#x\n", chipset);
	return fd;
}
