// SPDX-License-Identifier: MIT
/* libpudge: see pudge.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <xf86drm.h>

#include "pudge.h"

bool pudge_is_device(int fd)
{
	drmVersionPtr v = fd < 0 ? NULL : drmGetVersion(fd);
	bool yes = v && v->name && !strcmp(v->name, "pudge");

	drmFreeVersion(v);
	return yes;
}

int pudge_open_driver_card(const char *driver)
{
	char path[32];

	/* A scan of the nodes: drmGetDevices2() leaves out bus-less devices (vgem). */
	for (int i = 0; i < 64; i++) {
		drmVersionPtr v;
		int f;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		if (v && v->name && !strcmp(v->name, driver)) {
			drmFreeVersion(v);
			return f;
		}
		drmFreeVersion(v);
		close(f);
	}
	errno = ENODEV;
	return -1;
}

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
		if (!(devs[i]->available_nodes & (1 << node)))
			continue;
		fd = open(devs[i]->nodes[node], O_RDWR | O_CLOEXEC);
		if (fd >= 0 && !pudge_is_device(fd)) {
			close(fd);
			fd = -1;
		}
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

int pudge_write_file(const char *path, const char *val)
{
	/* O_TRUNC: opening tracefs' trace file that way is what clears it. */
	int f = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;
	int ret;

	if (f < 0)
		return -errno;
	n = write(f, val, strlen(val));
	ret = n < 0 ? -errno : n == (ssize_t)strlen(val) ? 0 : -EIO;
	close(f);
	return ret;
}

int pudge_driver_bind(const char *slot, bool bind)
{
	return pudge_write_file(bind ? "/sys/bus/pci/drivers/pudge/bind" :
			       "/sys/bus/pci/drivers/pudge/unbind", slot);
}

void *pudge_map_anon(uint64_t size, bool thp)
{
	const uint64_t align = 2ull << 20;
	uint8_t *raw = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *p;

	if (raw == MAP_FAILED)
		return NULL;
	/* Over-map by 2 MiB, then trim both ends to the aligned range. */
	p = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + size, raw + size + align - (p + size));
	if (madvise(p, size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		int err = errno;

		munmap(p, size);
		errno = err;
		return NULL;
	}
	return p;
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
	if (ret) {
		/* A bool parameter reads Y or N. */
		char yn = 0;

		rewind(f);
		if (fscanf(f, " %c", &yn) == 1 && (yn == 'Y' || yn == 'N')) {
			*value = yn == 'Y';
			ret = 0;
		}
	}
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

int pudge_allow_unsafe_orders(long long *saved)
{
	int ret = pudge_module_param_get("unsafe_orders", saved);

	/* A pudge from before the parameter: every order is on already. */
	if (ret == -ENOENT) {
		*saved = 0;
		return 0;
	}
	if (ret)
		return ret;
	return pudge_module_param_set("unsafe_orders",
				      PUDGE_MAP_ORDER_PMD | PUDGE_MAP_ORDER_PUD);
}

int pudge_allow_unsafe_svm_thp(long long *saved)
{
	int ret = pudge_module_param_get("unsafe_svm_thp", saved);

	/* A pudge from before the parameter: 2 MiB device folios are on. */
	if (ret == -ENOENT) {
		*saved = 1;
		return 0;
	}
	if (ret)
		return ret;
	return pudge_module_param_set("unsafe_svm_thp", 1);
}

bool pudge_kernel_patched(void)
{
	const char *env = getenv("PUDGE_KERNEL_PATCHED");
	struct utsname u;

	if (env)
		return atoi(env) != 0;
	return !uname(&u) && strstr(u.release, "-pudgedbg");
}

int pudge_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle,
		    uint64_t *out_size)
{
	struct drm_pudge_gem_create args = { .size = size, .flags = flags };
	int ret;

	ret = drmCommandWriteRead(fd, DRM_PUDGE_GEM_CREATE, &args, sizeof(args));
	if (ret)
		return ret;
	*handle = args.handle;
	if (out_size)
		*out_size = args.size;
	return 0;
}

int pudge_bo_close(int fd, uint32_t handle)
{
	return drmCloseBufferHandle(fd, handle) ? -errno : 0;
}

int pudge_bo_mmap_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_pudge_gem_mmap_offset args = { .handle = handle };
	int ret;

	ret = drmCommandWriteRead(fd, DRM_PUDGE_GEM_MMAP_OFFSET, &args, sizeof(args));
	if (ret)
		return ret;
	*offset = args.offset;
	return 0;
}

void *pudge_bo_map(int fd, uint32_t handle, uint64_t bo_offset, size_t len,
		   int prot)
{
	uint64_t off;
	int ret = pudge_bo_mmap_offset(fd, handle, &off);

	if (ret) {
		errno = -ret;
		return MAP_FAILED;
	}
	return mmap(NULL, len, prot, MAP_SHARED, fd, off + bo_offset);
}

int pudge_bo_migrate(int fd, uint32_t handle, uint32_t placement)
{
	struct drm_pudge_gem_migrate args = { .handle = handle, .placement = placement };

	return drmCommandWriteRead(fd, DRM_PUDGE_GEM_MIGRATE, &args, sizeof(args));
}

int pudge_stats(int fd, uint32_t handle, struct drm_pudge_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->handle = handle;
	stats->flags = handle ? PUDGE_STATS_BO : 0;
	return drmCommandWriteRead(fd, DRM_PUDGE_STATS, stats, sizeof(*stats));
}

long long pudge_vm_pte_bytes(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

long long pudge_minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int pudge_svm_migrate(int fd, const void *addr, uint64_t size, uint32_t placement,
		      struct drm_pudge_svm_migrate *out)
{
	struct drm_pudge_svm_migrate args = {
		.addr = (uintptr_t)addr,
		.size = size,
		.placement = placement,
	};
	int ret;

	ret = drmCommandWriteRead(fd, DRM_PUDGE_SVM_MIGRATE, &args, sizeof(args));
	if (out)
		*out = args;
	return ret;
}

int pudge_svm_access(int fd, const void *addr, uint64_t size, void *buf,
		     uint32_t op, struct drm_pudge_svm_access *out)
{
	struct drm_pudge_svm_access args = {
		.addr = (uintptr_t)addr,
		.size = size,
		.data_ptr = (uintptr_t)buf,
		.op = op,
	};
	int ret;

	ret = drmCommandWriteRead(fd, DRM_PUDGE_SVM_ACCESS, &args, sizeof(args));
	if (out)
		*out = args;
	return ret;
}

int pudge_kernel_log_count(const char *what)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n = 0;
	char *buf, *at;

	if (len < 0)
		return -errno;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		n = -errno;
		free(buf);
		return n;
	}
	buf[len] = 0;
	for (at = buf; (at = strstr(at, what)); at++)
		n++;
	free(buf);
	return n;
}
