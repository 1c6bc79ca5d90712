/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Inside svm/: the device-private pool and what its files share.  Nothing
 * outside svm/ includes this; the rest of the driver has pudge_svm.h.
 */
#ifndef _PUDGE_SVM_INTERNAL_H_
#define _PUDGE_SVM_INTERNAL_H_

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/memremap.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "pudge_compat.h"
#include "pudge_drm.h"
#include "pudge_svm.h"
#include "pudge_vram_mgr.h"

/*
 * Device-private pages come in chunks of physical address space reserved
 * on demand: a multiple of the memory section size, small enough that a
 * machine with little free address space still gets some.
 */
#define PUDGE_SVM_CHUNK_SIZE	SZ_256M

/**
 * struct pudge_svm_client - one DRM file's process memory in VRAM
 * @ref: the file and every VRAM block its SVM_MIGRATE filled; a page may
 *	stay in VRAM after its file is closed
 * @resident: its pages in VRAM now
 */
struct pudge_svm_client {
	struct kref ref;
	atomic64_t resident;
};

/* pudge_svm_client.c */
void pudge_svm_client_release(struct kref *ref);

#if PUDGE_SVM

/* Free device-private pages are tracked per 2 MiB-aligned run. */
#define PUDGE_SVM_RUN_PAGES	(SZ_2M / PAGE_SIZE)

/**
 * struct pudge_svm_run - 512 device-private pages that can form a folio
 * @link: on pudge_svm.full_runs when all pages are free, on
 *	pudge_svm.partial_runs when some are, on no list when none is
 * @first_pfn: pfn of the first page
 * @nfree: free pages in the run
 * @free: which pages are free
 */
struct pudge_svm_run {
	struct list_head link;
	unsigned long first_pfn;
	unsigned int nfree;
	DECLARE_BITMAP(free, PUDGE_SVM_RUN_PAGES);
};

/**
 * struct pudge_svm_chunk - one range of device-private pages
 * @pagemap: the MEMORY_DEVICE_PRIVATE pagemap over the reserved range
 * @svm: the owner
 * @first_pfn: first pfn of the range
 * @runs: the range's free-page tracking, one entry per 2 MiB
 */
struct pudge_svm_chunk {
	struct dev_pagemap pagemap;
	struct pudge_svm *svm;
	unsigned long first_pfn;
	struct pudge_svm_run runs[PUDGE_SVM_CHUNK_SIZE / SZ_2M];
};

/**
 * struct pudge_svm_vram - the VRAM behind one device-private allocation
 * @blocks: the buddy block (one, naturally aligned)
 * @offset: VRAM offset of the block
 * @first_pfn: pfn of the device-private page stored at @offset; the page
 *	at @first_pfn + i is stored at @offset + i pages
 * @nr_pages: pages in the block (1 or 512)
 * @live: device-private pages still backed by the block; a 2 MiB
 *	allocation may be split and its pages freed one by one
 * @client: the DRM file whose SVM_MIGRATE moved the pages here (one
 *	reference, dropped when the VRAM is)
 * @free_node: on pudge_svm.vram_to_free once @live drops to zero
 *
 * Every device-private page in use points here through zone_device_data.
 */
struct pudge_svm_vram {
	struct list_head blocks;
	u64 offset;
	unsigned long first_pfn;
	unsigned long nr_pages;
	atomic_t live;
	struct pudge_svm_client *client;
	struct llist_node free_node;
};

/**
 * struct pudge_svm - device-private memory of one pudge device
 * @drm: the DRM device, for messages
 * @vram: the VRAM pool the pages' data comes from
 * @vram_map: kernel mapping of all of VRAM
 * @vram_size: bytes of VRAM
 * @stats: the device's SVM counters
 * @reclaimer: how the VRAM pool asks SVM for room
 * @pagemap_ops: the ops of every chunk's pagemap
 * @chunk_lock: serialises chunk creation and removal
 * @chunks: the chunks, @nr_chunks of them, room for @max_chunks
 * @nr_chunks: chunks in @chunks
 * @max_chunks: enough chunks for all of VRAM twice over (free pages
 *	fragment across chunks)
 * @out_of_space: request_free_mem_region() failed: no more chunks
 * @lock: protects the runs and their lists
 * @partial_runs: runs with some pages free
 * @full_runs: runs with all pages free: room for a 2 MiB folio
 * @resident: device-private pages in use
 * @vram_to_free: VRAM whose last page was freed; freed by @free_work,
 *	because folio_free may run under a page-table spinlock and the VRAM
 *	manager's lock is a mutex
 * @free_work: frees @vram_to_free
 * @wq: runs @free_work
 * @dying: the device is going away; no new chunks
 */
struct pudge_svm {
	struct drm_device *drm;
	struct pudge_vram_mgr *vram;
	void __iomem *vram_map;
	u64 vram_size;
	struct pudge_svm_counters *stats;
	struct pudge_vram_reclaimer reclaimer;
	const struct dev_pagemap_ops *pagemap_ops;
	struct mutex chunk_lock;	/* chunks, nr_chunks, out_of_space */
	struct pudge_svm_chunk **chunks;
	unsigned int nr_chunks;
	unsigned int max_chunks;
	bool out_of_space;
	spinlock_t lock;		/* runs, partial_runs, full_runs */
	struct list_head partial_runs;
	struct list_head full_runs;
	atomic64_t resident;
	struct llist_head vram_to_free;
	struct work_struct free_work;
	struct workqueue_struct *wq;
	bool dying;
};

/* pudge_svm_pool.c */
struct page *pudge_svm_page_alloc(struct pudge_svm *svm, unsigned int order,
				  struct pudge_svm_client *client);
void __iomem *pudge_svm_page_vram(struct pudge_svm *svm, struct page *page);
struct pudge_svm *pudge_svm_of_page(struct page *page);
bool pudge_svm_owns_page(struct pudge_svm *svm, struct page *page);
void pudge_svm_flush_frees(struct pudge_svm *svm);
bool pudge_svm_free_pending(struct pudge_svm *svm);
void pudge_svm_free_work(struct work_struct *work);
int pudge_svm_add_chunk(struct pudge_svm *svm);
unsigned int pudge_svm_chunk_limit(struct pudge_svm *svm);
void pudge_svm_folio_free(struct folio *folio);
void pudge_svm_folio_split(struct folio *head, struct folio *tail);
bool pudge_svm_thp(void);
bool pudge_svm_kernel_fixed(void);

/* pudge_svm_migrate.c */
vm_fault_t pudge_svm_migrate_to_ram(struct vm_fault *vmf);
unsigned long pudge_svm_evict_range(struct pudge_svm *svm, unsigned long pfn,
				    unsigned long npages);
int pudge_svm_migrate(struct pudge_svm *svm, struct pudge_svm_client *client,
		      struct drm_pudge_svm_migrate *args);

/* pudge_svm_access.c */
int pudge_svm_access(struct pudge_svm *svm, struct drm_pudge_svm_access *args);

#endif /* PUDGE_SVM */

#endif /* _PUDGE_SVM_INTERNAL_H_ */
