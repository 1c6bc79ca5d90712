// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Counters of the fault path and of moves, read by DRM_IOCTL_PUDGE_STATS
 * (device-wide or per BO) and debugfs (device-wide).  Tests and
 * pudge-bench take their fault and entry counts from here, so what they
 * report is what the kernel did.
 */
#include <linux/seq_file.h>
#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>

#include "pudge_args.h"
#include "pudge_bo.h"

static void pudge_stats_read(const struct pudge_counters *c,
			     struct drm_pudge_stats *out)
{
	out->faults = atomic64_read(&c->faults);
	out->fallbacks = atomic64_read(&c->fallbacks);
	out->pud_inserted = atomic64_read(&c->pud_inserted);
	out->pmd_inserted = atomic64_read(&c->pmd_inserted);
	out->pte_inserted = atomic64_read(&c->pte_inserted);
	out->moves = atomic64_read(&c->moves);
	out->evictions = atomic64_read(&c->evictions);
}

static const struct pudge_svm_counters pudge_svm_none;

/* VRAM clearing: device-wide only (zero per BO). */
static void pudge_clear_stats_read(struct pudge_vram_mgr *mgr,
				   struct drm_pudge_stats *out)
{
	out->vram_cleared_bg = mgr ? atomic64_read(&mgr->cleared_bg) : 0;
	out->vram_cleared_alloc = mgr ? atomic64_read(&mgr->cleared_alloc) : 0;
	out->vram_clear_reclaims = mgr ? atomic64_read(&mgr->clear_reclaims) : 0;
}

static void pudge_svm_stats_read(const struct pudge_svm_counters *c,
				 struct drm_pudge_stats *out)
{
	out->svm_to_vram = atomic64_read(&c->to_vram);
	out->svm_to_ram = atomic64_read(&c->to_ram);
	out->svm_bytes_copied = atomic64_read(&c->bytes_copied);
	out->svm_cpu_faults = atomic64_read(&c->cpu_faults);
	out->svm_thp_moves = atomic64_read(&c->thp_moves);
	out->svm_page_moves = atomic64_read(&c->page_moves);
	out->svm_evicted = atomic64_read(&c->evicted);
	out->svm_kthread_faults = atomic64_read(&c->kthread_faults);
}

/**
 * pudge_stats_ioctl() - DRM_IOCTL_PUDGE_STATS
 * @drm: the pudge DRM device
 * @data: struct drm_pudge_stats
 * @file: the caller's DRM file
 *
 * Return: 0, -EINVAL for bad flags or handle, -ENOENT for an unknown BO.
 */
int pudge_stats_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_pudge_stats *args = data;
	struct drm_gem_object *obj;
	int ret;

	ret = pudge_check_stats(args);
	if (ret)
		return ret;
	if (!(args->flags & PUDGE_STATS_BO)) {
		pudge_stats_read(&to_pudge(drm)->stats, args);
		pudge_svm_stats_read(&to_pudge(drm)->svm_stats, args);
		pudge_clear_stats_read(&to_pudge(drm)->vram, args);
		return 0;
	}
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	/* SVM is not per BO: its counters read as zero. */
	pudge_svm_stats_read(&pudge_svm_none, args);
	pudge_clear_stats_read(NULL, args);
	pudge_stats_read(&to_pudge_bo(drm_gem_ttm_of_gem(obj))->stats, args);
	drm_gem_object_put(obj);
	return 0;
}

static int pudge_stats_show(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct pudge_device *pudge = to_pudge(entry->dev);
	struct drm_pudge_stats s;

	pudge_stats_read(&pudge->stats, &s);
	pudge_svm_stats_read(&pudge->svm_stats, &s);
	pudge_dev_svm_sync(pudge);
	seq_printf(m, "faults %llu\nfallbacks %llu\npud_inserted %llu\n"
		   "pmd_inserted %llu\npte_inserted %llu\nmoves %llu\nevictions %llu\n"
		   "vram_free %llu\n",
		   s.faults, s.fallbacks, s.pud_inserted, s.pmd_inserted,
		   s.pte_inserted, s.moves, s.evictions,
		   pudge_vram_free_bytes(&pudge->vram));
	seq_printf(m, "svm_features %#llx\nsvm_capacity %llu\nsvm_resident %llu\n"
		   "svm_to_vram %llu\nsvm_to_ram %llu\nsvm_bytes_copied %llu\n"
		   "svm_cpu_faults %llu\nsvm_thp_moves %llu\nsvm_page_moves %llu\n"
		   "svm_evicted %llu\nsvm_kthread_faults %llu\n",
		   pudge_dev_svm_features(pudge), pudge_dev_svm_capacity(pudge),
		   pudge_dev_svm_resident(pudge), s.svm_to_vram, s.svm_to_ram,
		   s.svm_bytes_copied, s.svm_cpu_faults, s.svm_thp_moves,
		   s.svm_page_moves, s.svm_evicted, s.svm_kthread_faults);
	pudge_clear_stats_read(&pudge->vram, &s);
	seq_printf(m, "vram_cleared_bg %llu\nvram_cleared_alloc %llu\nvram_clear_reclaims %llu\n",
		   s.vram_cleared_bg, s.vram_cleared_alloc, s.vram_clear_reclaims);
	return 0;
}

/**
 * pudge_stats_debugfs_init() - add dri/<minor>/pudge_stats
 * @pudge: the device
 */
void pudge_stats_debugfs_init(struct pudge_device *pudge)
{
	drm_debugfs_add_file(&pudge->drm, "pudge_stats", pudge_stats_show, NULL);
}
