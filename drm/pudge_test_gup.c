// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DRM_IOCTL_PUDGE_TEST_GUP: a test-only window onto the kernel's page
 * pinning, so tests can show from user space that get_user_pages_fast()
 * and pin_user_pages_fast() refuse pudge mappings (the bug that removed
 * TTM's huge mappings in v5.16 was GUP-fast taking a reference on the
 * struct page of VRAM).  Refused unless the test_ioctls module parameter
 * is set; everything obtained is released before returning.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <drm/drm_file.h>

#include "pudge_args.h"
#include "pudge_drv.h"

static bool test_ioctls;
module_param(test_ioctls, bool, 0600);
MODULE_PARM_DESC(test_ioctls,
		 "Enable DRM_IOCTL_PUDGE_TEST_GUP (for pudge's tests only; default off)");

static long pudge_test_query_pinned(unsigned long addr)
{
	struct page *page;
	long ret;

	ret = get_user_pages_fast(addr, 1, 0, &page);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	ret = folio_maybe_dma_pinned(page_folio(page));
	put_page(page);
	return ret;
}

/**
 * pudge_test_gup_ioctl() - DRM_IOCTL_PUDGE_TEST_GUP
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_test_gup
 * @file: the caller's DRM file
 *
 * Return: 0 with the call's result in @data, -EOPNOTSUPP when test
 * ioctls are off, -EPERM without CAP_SYS_ADMIN, -EINVAL for bad
 * arguments, -ENOMEM.
 */
int pudge_test_gup_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_pudge_test_gup *args = data;
	unsigned int gup_flags;
	struct page **pages;
	long ret;

	if (!READ_ONCE(test_ioctls))
		return -EOPNOTSUPP;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = pudge_check_test_gup(args, PAGE_SIZE);
	if (ret)
		return ret;

	if (args->op == PUDGE_TEST_QUERY_PINNED) {
		args->result = pudge_test_query_pinned(args->addr);
		return 0;
	}

	pages = kvcalloc(args->npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	gup_flags = args->flags & PUDGE_TEST_GUP_WRITE ? FOLL_WRITE : 0;
	if (args->op == PUDGE_TEST_PIN_FAST) {
		ret = pin_user_pages_fast(args->addr, args->npages, gup_flags, pages);
		if (ret > 0)
			unpin_user_pages(pages, ret);
	} else {
		ret = get_user_pages_fast(args->addr, args->npages, gup_flags, pages);
		if (ret > 0)
			release_pages(pages, ret);
	}
	kvfree(pages);
	args->result = ret;
	return 0;
}
