// SPDX-License-Identifier: MIT
/* pudge-info: print what the pudge device and the running kernel offer. */
#include <stdio.h>
#include <string.h>
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
};

static void print_orders(uint64_t v)
{
	printf("%#llx (%s%s%s)", (unsigned long long)v,
	       v & PUDGE_MAP_ORDER_PTE ? "4K" : "",
	       v & PUDGE_MAP_ORDER_PMD ? " 2M" : "",
	       v & PUDGE_MAP_ORDER_PUD ? " 1G" : "");
}

int main(void)
{
	char slot[32] = "?";
	int fd = pudge_open(PUDGE_NODE_RENDER);

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
			 p == PUDGE_PARAM_SVM_CAPACITY || p == PUDGE_PARAM_SVM_RESIDENT)
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
