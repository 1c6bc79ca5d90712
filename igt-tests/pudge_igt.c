// SPDX-License-Identifier: MIT
/*
 * Device opening and restored module parameters for pudge's IGT tests
 * (pudge_igt.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "igt.h"
#include "pudge_igt.h"

int __pudge_igt_open(enum pudge_node node)
{
	int fd = node == PUDGE_NODE_RENDER ? __drm_open_driver_render(DRIVER_ANY) :
					     __drm_open_driver(DRIVER_ANY);

	if (fd >= 0 && !pudge_is_device(fd)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int pudge_igt_open(enum pudge_node node)
{
	int fd = node == PUDGE_NODE_RENDER ? drm_open_driver_render(DRIVER_ANY) :
					     drm_open_driver(DRIVER_ANY);

	if (!pudge_is_device(fd)) {
		close(fd);
		igt_skip("the device opened is not pudge: choose it with IGT_FORCE_DRIVER=pudge or --device\n");
	}
	return fd;
}

static struct {
	char name[32];
	long long value;
} kept[16];
static unsigned int nr_kept;

static void restore_params(int sig)
{
	/* Last changed first; a failure here can only be reported. */
	while (nr_kept) {
		nr_kept--;
		if (pudge_module_param_set(kept[nr_kept].name, kept[nr_kept].value))
			fprintf(stderr, "could not restore module parameter %s to %lld\n",
				kept[nr_kept].name, kept[nr_kept].value);
	}
}

static int keep(const char *name)
{
	long long v;
	int ret;

	for (unsigned int i = 0; i < nr_kept; i++)
		if (!strcmp(kept[i].name, name))
			return 0;
	ret = pudge_module_param_get(name, &v);
	if (ret)
		return ret;
	igt_assert_f(nr_kept < sizeof(kept) / sizeof(kept[0]) &&
		     strlen(name) < sizeof(kept[0].name), "too many parameters to keep\n");
	snprintf(kept[nr_kept].name, sizeof(kept[0].name), "%s", name);
	kept[nr_kept++].value = v;
	igt_install_exit_handler(restore_params);
	return 0;
}

void pudge_igt_param_keep(const char *name)
{
	int ret = keep(name);

	/* A parameter this build lacks has nothing to put back. */
	igt_assert_f(ret == 0 || ret == -ENOENT, "module parameter %s: %s\n", name, strerror(-ret));
}

int __pudge_igt_param_set(const char *name, long long value)
{
	int ret = keep(name);

	return ret ? ret : pudge_module_param_set(name, value);
}

void pudge_igt_param_set(const char *name, long long value)
{
	int ret = __pudge_igt_param_set(name, value);

	igt_assert_f(ret == 0, "setting module parameter %s to %lld: %s\n", name, value,
		     strerror(-ret));
}

int pudge_igt_reopen(int fd)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDWR | O_CLOEXEC);
}
