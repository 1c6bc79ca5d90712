// SPDX-License-Identifier: MIT
/*
 * Device opening behind igt-tests/compat/igt.h, with IGT's rules:
 *
 * - A device filter, from --device or else the IGT_DEVICE environment
 *   variable, names the device: drm:/dev/dri/NODE (that node only),
 *   sys:/sys/devices/... (the device's canonical sysfs directory) or
 *   pci:vendor=V,device=D,card=N,slot=S (hex IDs, any subset of the keys).
 *   A filter IGT would not accept (unknown class, a sys: path that does
 *   not exist) is dropped with a warning, as IGT drops it.
 * - With a filter, the device it names is opened and nothing else, if
 *   @chipset (and IGT_FORCE_DRIVER) accept its driver; DRIVER_VGEM
 *   ignores filters.
 * - Without a filter, /dev/dri is searched in node order for a driver that
 *   @chipset accepts; DRIVER_ANY accepts every driver but vgem, vkms and
 *   virtio_gpu.  With IGT_FORCE_DRIVER set, DRIVER_ANY accepts that
 *   driver only, whichever it is.
 * - When nothing matches, vgem (for DRIVER_VGEM) or the forced driver is
 *   loaded and the search runs again.
 * - drm_open_driver*() skip the subtest when nothing matches; the
 *   __drm_open_driver*() forms return -1 instead.
 *
 * Only the first of several ';'-separated filters is used, as
 * drm_open_driver() does; vendor names (pci:vendor=intel) are not known
 * here and match nothing.  Unlike IGT, a render open does not fall back
 * to the primary node, and no second file is kept open.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <xf86drm.h>

#include "igt.h"

static char *filter;

/* Whether IGT would take @f at all (igt_device_filter_add()). */
static bool filter_valid(const char *f)
{
	struct stat st;

	if (!strncmp(f, "drm:", 4) || !strncmp(f, "pci:", 4))
		return true;
	if (!strncmp(f, "sys:", 4))
		return stat(f + 4, &st) == 0;
	return false;
}

int igt_device_filter_add(const char *filters)
{
	free(filter);
	filter = strdup(filters);
	if (filter)
		filter[strcspn(filter, ";")] = '\0';
	if (filter && *filter && !filter_valid(filter)) {
		fprintf(stderr, "device filter not valid, ignored: %s\n", filter);
		*filter = '\0';
	}
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
	int chip = DRIVER_ANY;

	if (forced && chipset == DRIVER_ANY)
		return strcmp(forced, name) == 0;
	if (!strcmp(name, "vgem"))
		chip = DRIVER_VGEM;
	else if (!strcmp(name, "vkms"))
		chip = DRIVER_VKMS;
	else if (!strcmp(name, "virtio_gpu"))
		chip = DRIVER_VIRTIO;
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

		if (!val)
			continue;	/* as IGT: no key set */
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

/* Whether @dev is the device @f names, for opening its node @node. */
static bool filter_match(drmDevicePtr dev, int node, const char *f, int *seen, bool *bad)
{
	char have[PATH_MAX];

	if (!strncmp(f, "drm:", 4))
		return (dev->available_nodes & (1 << node)) && !strcmp(dev->nodes[node], f + 4);
	if (!strncmp(f, "sys:", 4)) {
		/* IGT compares with the canonical path, not through links. */
		for (int n = 0; n < DRM_NODE_MAX; n++)
			if ((dev->available_nodes & (1 << n)) &&
			    node_sysfs_device(dev->nodes[n], have))
				return !strcmp(f + 4, have);
		return false;
	}
	if (!strncmp(f, "pci:", 4))
		return pci_match(dev, f + 4, seen, bad);
	*bad = true;
	return false;
}

static int filtered_open(int chipset, bool render)
{
	int node = render ? DRM_NODE_RENDER : DRM_NODE_PRIMARY;
	drmDevicePtr devs[64];
	int n, seen = 0, fd = -1;
	bool bad = false;
	char name[64];

	n = drmGetDevices2(0, devs, 64);
	if (n < 0)
		return -1;
	for (int i = 0; i < n && !bad; i++) {
		if (!filter_match(devs[i], node, filter, &seen, &bad))
			continue;
		if (devs[i]->available_nodes & (1 << node))
			fd = open(devs[i]->nodes[node], O_RDWR | O_CLOEXEC);
		break;
	}
	drmFreeDevices(devs, n);
	if (bad)
		igt_warn("device filter not understood: %s\n", filter);
	/* The device named must still be one the test asks for. */
	if (fd >= 0 && !(driver_name(fd, name, sizeof(name)) && chipset_accepts(chipset, name))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int open_driver(int chipset, bool render)
{
	const char *forced = getenv("IGT_FORCE_DRIVER");
	const char *module = chipset == DRIVER_VGEM ? "vgem" : forced;
	char cmd[128];
	int fd;

	if (chipset != DRIVER_VGEM && igt_device_filter_count())
		return filtered_open(chipset, render);
	fd = search_and_open(chipset, render);
	/* As IGT does, load the driver asked for by name, and look again. */
	if (fd < 0 && module && strlen(module) < 64) {
		snprintf(cmd, sizeof(cmd), "modprobe %s >/dev/null 2>&1", module);
		if (system(cmd) == 0)
			fd = search_and_open(chipset, render);
	}
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
