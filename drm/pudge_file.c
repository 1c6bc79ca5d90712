// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Per-file state and what /proc/<pid>/fdinfo says about a pudge file
 * (Documentation/gpu/drm-usage-stats.rst): drm-driver, drm-client-id and
 * drm-pdev from DRM, then per memory region the total, shared and
 * resident size of the file's buffer objects: "vram" and "system".  The
 * process memory that the file's SVM_MIGRATE put in VRAM (and that is
 * still there) is region "svm".
 *
 * pudge has no command engines.  Its one engine, "copy", is the time the
 * driver spent for the file's ioctls clearing and copying memory: a new
 * BO's VRAM cleared (GEM_CREATE), BO moves (GEM_MIGRATE and the
 * evictions they cause), SVM_MIGRATE and SVM_ACCESS.  It is what a GPU's
 * copy engine would do, done by the CPU, so tools such as gputop see the
 * file as active.
 */
#include <linux/cpumask.h>
#include <linux/idr.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_print.h>
#include <drm/ttm/ttm_tt.h>

#include "pudge_bo.h"
#include "pudge_compat.h"

enum pudge_region { PUDGE_REGION_VRAM, PUDGE_REGION_SYSTEM, PUDGE_REGIONS };

static const char *const pudge_region_names[PUDGE_REGIONS] = {
	[PUDGE_REGION_VRAM] = "vram",
	[PUDGE_REGION_SYSTEM] = "system",
};

/**
 * pudge_file_open() - drm_driver.open: a new DRM file
 * @drm: the pudge DRM device
 * @file: the new file
 *
 * Return: 0, or -ENOMEM.
 */
int pudge_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct pudge_file *pf = kzalloc(sizeof(*pf), GFP_KERNEL);

	if (!pf)
		return -ENOMEM;
	pf->svm = pudge_svm_client_new();
	if (!pf->svm) {
		kfree(pf);
		return -ENOMEM;
	}
	file->driver_priv = pf;
	return 0;
}

/**
 * pudge_file_postclose() - drm_driver.postclose: the file is gone
 * @drm: the pudge DRM device
 * @file: the file
 *
 * Its process memory still in VRAM keeps the SVM client until it leaves.
 */
void pudge_file_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct pudge_file *pf = file->driver_priv;

	pudge_svm_client_put(pf->svm);
	kfree(pf);
}

/**
 * pudge_file_charge() - count the time since @start_ns to the file's copy
 * engine
 * @file: the DRM file whose ioctl did the work
 * @start_ns: ktime_get_ns() when the work began
 */
void pudge_file_charge(struct drm_file *file, u64 start_ns)
{
	struct pudge_file *pf = file->driver_priv;

	atomic64_add(ktime_get_ns() - start_ns, &pf->copy_ns);
}

/*
 * Add one BO.  Its placement is read under its reservation (it may be
 * moving); a signal while waiting leaves it out of this reading.
 */
static void pudge_fdinfo_add(struct drm_gem_object *obj,
			     struct drm_memory_stats *stats)
{
	struct ttm_buffer_object *tbo = drm_gem_ttm_of_gem(obj);
	struct drm_memory_stats *s;
	bool resident;

	if (dma_resv_lock_interruptible(obj->resv, NULL))
		return;
	if (!tbo->resource) {
		dma_resv_unlock(obj->resv);
		return;
	}
	if (tbo->resource->mem_type == TTM_PL_VRAM) {
		s = &stats[PUDGE_REGION_VRAM];
		resident = true;
	} else {
		s = &stats[PUDGE_REGION_SYSTEM];
		/* An import is backed by its exporter's pages. */
		resident = pudge_gem_is_imported(obj) ||
			   (tbo->ttm && ttm_tt_is_populated(tbo->ttm));
	}
	dma_resv_unlock(obj->resv);

	if (drm_gem_object_is_shared_for_memory_stats(obj))
		s->shared += obj->size;
	else
		s->private += obj->size;
	if (resident)
		s->resident += obj->size;
}

/**
 * pudge_show_fdinfo() - drm_driver.show_fdinfo
 * @p: where to print
 * @file: the DRM file
 *
 * Each BO is looked up and referenced under the file's table lock, then
 * read under its own reservation, one at a time, so that neither lock is
 * held across the other.
 */
void pudge_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct drm_memory_stats stats[PUDGE_REGIONS] = { };
	struct pudge_file *pf = file->driver_priv;
	struct drm_memory_stats svm = { };
	struct drm_gem_object *obj;
	unsigned int i;
	int id = 0;

	for (;;) {
		spin_lock(&file->table_lock);
		obj = idr_get_next(&file->object_idr, &id);
		if (obj)
			drm_gem_object_get(obj);
		spin_unlock(&file->table_lock);
		if (!obj)
			break;
		pudge_fdinfo_add(obj, stats);
		drm_gem_object_put(obj);
		id++;
	}
	drm_printf(p, "drm-engine-copy:\t%llu ns\n", (u64)atomic64_read(&pf->copy_ns));
	/* Copies run on the CPUs, as many at once as there are. */
	drm_printf(p, "drm-engine-capacity-copy:\t%u\n", num_online_cpus());
	for (i = 0; i < PUDGE_REGIONS; i++)
		drm_print_memory_stats(p, &stats[i], DRM_GEM_OBJECT_RESIDENT,
				       pudge_region_names[i]);
	svm.private = pudge_svm_client_resident(pf->svm);
	svm.resident = svm.private;
	drm_print_memory_stats(p, &svm, DRM_GEM_OBJECT_RESIDENT, "svm");
}
