// SPDX-License-Identifier: MIT
/*
 * pudge-info: print what the pudge device and the running kernel offer.
 *
 * pudge-info --idle [--params-as FILE]: exit 0 when the device holds
 * nothing (VRAM free equals VRAM size, no process memory in VRAM) or there
 * is no device, else say what is held and exit 1.  Frees may be deferred
 * for a moment, so it looks for up to 3 s.  With --params-as, every module
 * parameter must also still have the value FILE gives it (FILE as
 * `grep -H . /sys/module/pudge/parameters/NAME...` wrote it at load).  The test
 * bed runs it after every test, as one process: it is run some 900 times
 * per make check, under emulation.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pudge.h"

static const char *const names[] = {
	[PUDGE_PARAM_API_VERSION] = "api version",
	[PUDGE_PARAM_VRAM_SIZE] = "vram size",
	[PUDGE_PARAM_VRAM_FREE] = "vram free",
	[PUDGE_PARAM_MAP_ORDERS] = "map orders",
	[PUDGE_PARAM_KERNEL_MAP_ORDERS] = "kernel map orders",
	[PUDGE_PARAM_FEATURES] = "features",
	[PUDGE_PARAM_SVM_CAPACITY] = "svm capacity",
	[PUDGE_PARAM_SVM_RESIDENT] = "svm resident",
	[PUDGE_PARAM_VRAM_CLEAR_PENDING] = "vram clear pending",
};

static void print_orders(uint64_t v)
{
	printf("%#llx (%s%s%s)", (unsigned long long)v,
	       v & PUDGE_MAP_ORDER_PTE ? "4K" : "",
	       v & PUDGE_MAP_ORDER_PMD ? " 2M" : "",
	       v & PUDGE_MAP_ORDER_PUD ? " 1G" : "");
}

static int idle_check(void)
{
	uint64_t size = 0, free_bytes = 0, resident = 0;
	int fd = pudge_open(PUDGE_NODE_RENDER);

	if (fd < 0)
		return 0;	/* no device (unloaded, unbound): nothing held */
	/* Polled every 10 ms: most tests are idle at once or within 100 ms. */
	for (int i = 0; i < 300; i++) {
		if (pudge_get_param(fd, PUDGE_PARAM_VRAM_SIZE, &size) ||
		    pudge_get_param(fd, PUDGE_PARAM_VRAM_FREE, &free_bytes) ||
		    pudge_get_param(fd, PUDGE_PARAM_SVM_RESIDENT, &resident)) {
			close(fd);
			return 0;	/* unplugged meanwhile */
		}
		if (free_bytes == size && !resident)
			break;
		usleep(10 * 1000);
	}
	close(fd);
	if (free_bytes == size && !resident)
		return 0;
	printf("pudge-info: held after the test: %llu KiB of VRAM (%llu KiB free of %llu KiB), %llu KiB of process memory in VRAM\n",
	       (unsigned long long)(size - free_bytes) >> 10,
	       (unsigned long long)free_bytes >> 10, (unsigned long long)size >> 10,
	       (unsigned long long)resident >> 10);
	return 1;
}

#define PARAMS_DIR "/sys/module/pudge/parameters"

/*
 * 0 when every line "PARAMS_DIR/NAME:VALUE" of @path still holds and no
 * parameter is missing from it or new; else say which differ, and 1.
 */
static int params_check(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], cur[256];
	int bad = 0, listed = 0, present = 0;
	struct dirent *de;
	DIR *dir;

	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		FILE *p;

		line[strcspn(line, "\n")] = 0;
		if (!colon)
			continue;
		*colon = 0;
		listed++;
		p = fopen(line, "r");
		cur[0] = 0;
		if (!p || !fgets(cur, sizeof(cur), p)) {
			/* No device or module: nothing to compare. */
			if (p)
				fclose(p);
			if (access(PARAMS_DIR, F_OK))
				break;
			printf("pudge-info: parameter %s is gone\n", line);
			bad = 1;
			continue;
		}
		fclose(p);
		cur[strcspn(cur, "\n")] = 0;
		if (strcmp(cur, colon + 1)) {
			printf("pudge-info: %s is %s after the test, %s at load\n", line, cur,
			       colon + 1);
			bad = 1;
		}
	}
	fclose(f);
	dir = opendir(PARAMS_DIR);
	while (dir && (de = readdir(dir)))
		present += de->d_name[0] != '.';
	if (dir)
		closedir(dir);
	if (dir && present != listed) {
		printf("pudge-info: %d parameters in %s now, %d at load\n", present, PARAMS_DIR,
		       listed);
		bad = 1;
	}
	return bad;
}

int main(int argc, char **argv)
{
	char slot[32] = "?";
	int fd;

	if (argc > 1 && !strcmp(argv[1], "--idle")) {
		int ret = idle_check();

		if (argc > 3 && !strcmp(argv[2], "--params-as"))
			ret |= params_check(argv[3]);
		return ret;
	}
	fd = pudge_open(PUDGE_NODE_RENDER);
	if (fd < 0) {
		perror("pudge-info: no pudge device");
		return 1;
	}
	pudge_pci_slot(fd, slot, sizeof(slot));
	printf("pudge device %s\n", slot);
	for (uint32_t p = 0; p < sizeof(names) / sizeof(names[0]); p++) {
		uint64_t v;
		int ret = pudge_get_param(fd, p, &v);

		printf("  %-18s ", names[p]);
		if (ret)
			printf("error %s\n", strerror(-ret));
		else if (p == PUDGE_PARAM_VRAM_SIZE || p == PUDGE_PARAM_VRAM_FREE ||
			 p == PUDGE_PARAM_SVM_CAPACITY || p == PUDGE_PARAM_SVM_RESIDENT ||
			 p == PUDGE_PARAM_VRAM_CLEAR_PENDING)
			printf("%llu MiB\n", (unsigned long long)v >> 20);
		else if (p == PUDGE_PARAM_MAP_ORDERS || p == PUDGE_PARAM_KERNEL_MAP_ORDERS)
			print_orders(v), putchar('\n');
		else if (p == PUDGE_PARAM_FEATURES)
			printf("%#llx%s%s\n", (unsigned long long)v,
			       v & PUDGE_FEATURE_SVM ? " (svm" : " (no svm",
			       v & PUDGE_FEATURE_SVM_THP ? ", 2 MiB units)" : ")");
		else
			printf("%llu\n", (unsigned long long)v);
	}
	close(fd);
	return 0;
}
