// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * SVM accounting per DRM file, for fdinfo: each file has a client, and
 * each VRAM block its SVM_MIGRATE fills holds a reference to it, so that
 * the count stays right (and the client alive) for pages that outlive the
 * file.
 */
#include <linux/slab.h>

#include "pudge_svm_internal.h"

/**
 * pudge_svm_client_new() - SVM accounting for one DRM file
 *
 * Return: the client with one reference (the file's), or NULL.
 */
struct pudge_svm_client *pudge_svm_client_new(void)
{
	struct pudge_svm_client *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (c)
		kref_init(&c->ref);
	return c;
}

/**
 * pudge_svm_client_release() - kref release of a pudge_svm_client
 * @ref: &pudge_svm_client.ref
 */
void pudge_svm_client_release(struct kref *ref)
{
	kfree(container_of(ref, struct pudge_svm_client, ref));
}

/**
 * pudge_svm_client_put() - the file let go of its client
 * @c: the client, or NULL
 *
 * Its pages still in VRAM keep it until they leave.
 */
void pudge_svm_client_put(struct pudge_svm_client *c)
{
	if (c)
		kref_put(&c->ref, pudge_svm_client_release);
}

/**
 * pudge_svm_client_resident() - bytes of process memory that a file's
 * SVM_MIGRATE put in VRAM and that are still there
 * @c: the client, or NULL
 *
 * Return: the bytes.
 */
u64 pudge_svm_client_resident(struct pudge_svm_client *c)
{
	return c ? (u64)atomic64_read(&c->resident) << PAGE_SHIFT : 0;
}
