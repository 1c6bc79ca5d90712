#!/usr/bin/env bash
# Compile probes for kernel API differences, conftest style.
#
# Usage: conftest.sh KDIR OUTPUT_HEADER
#
# Each probe is a tiny C file compiled against the target kernel with
# kbuild's own flags and -Werror.  If it compiles, the header gets the
# probe's #define.  Probes test the API itself, never a version number, so
# distribution backports are detected too.  Every probe names the upstream
# change it detects.
set -eu

kdir=$1
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

probes=()
# probe NAME 'upstream change' <<'C' ... C
probe() {
	local name=$1 change=$2
	probes+=("$name")
	{
		echo "/* $change */"
		cat
	} >"$tmp/$name.c"
	echo "$change" >"$tmp/$name.why"
}

# Must always compile: if it does not, the probe set-up itself is broken and
# every other answer would be a silent "absent".
probe PUDGE_CONFTEST_SANITY 'sanity check of the probe build itself' <<'C'
#include <linux/mm.h>
#include <drm/drm_drv.h>
int pudge_probe(void) { return 0; }
C

probe PUDGE_HAVE_DRM_DRIVER_DATE \
	'drm_driver.date was removed by "drm: remove driver date from struct drm_driver and all drivers" (v6.14)' <<'C'
#include <drm/drm_drv.h>
const struct drm_driver pudge_probe = { .date = "20260101" };
C

probe PUDGE_HAVE_VMF_INSERT_PFN_PMD_PFN_T \
	'vmf_insert_pfn_pmd/pud() took pfn_t until "mm: remove pfn_t type" (v6.17) made it unsigned long' <<'C'
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pfn_t.h>
vm_fault_t pudge_probe(struct vm_fault *vmf, pfn_t pfn)
{
	return vmf_insert_pfn_pmd(vmf, pfn, true);
}
C

probe PUDGE_HAVE_TTM_BO_FINI \
	'ttm_bo_put() became ttm_bo_fini() for dropping a TTM BO (after v6.12)' <<'C'
#include <drm/ttm/ttm_bo.h>
void pudge_probe(struct ttm_buffer_object *bo)
{
	ttm_bo_fini(bo);
}
C

probe PUDGE_HAVE_TTM_DEVICE_INIT_ALLOC_FLAGS \
	'ttm_device_init() took bool use_dma_alloc, use_dma32 until TTM_ALLOCATION_* flags replaced them (after v6.12)' <<'C'
#include <drm/ttm/ttm_device.h>
int (*pudge_probe)(struct ttm_device *, const struct ttm_device_funcs *,
		   struct device *, struct address_space *,
		   struct drm_vma_offset_manager *, unsigned int) = ttm_device_init;
C

probe PUDGE_HAVE_TTM_ALLOCATION_PROPAGATE_ENOSPC \
	'TTM_ALLOCATION_PROPAGATE_ENOSPC lets ttm_bo_validate() report -ENOSPC instead of -ENOMEM (after v6.12)' <<'C'
#include <linux/bits.h>
#include <drm/ttm/ttm_allocation.h>
unsigned int pudge_probe = TTM_ALLOCATION_PROPAGATE_ENOSPC;
C

probe PUDGE_HAVE_MM_GET_UNMAPPED_AREA_MM \
	'mm_get_unmapped_area() took a struct mm_struct * first until it dropped it for current->mm (after v6.12)' <<'C'
#include <linux/sched/mm.h>
unsigned long (*pudge_probe)(struct mm_struct *, struct file *, unsigned long,
			     unsigned long, unsigned long, unsigned long) =
	mm_get_unmapped_area;
C

probe PUDGE_HAVE_TTM_BO_POPULATE \
	'ttm_bo_populate() replaced the exported ttm_tt_populate() for drivers (after v6.12)' <<'C'
#include <drm/ttm/ttm_bo.h>
int pudge_probe(struct ttm_buffer_object *bo, struct ttm_operation_ctx *ctx)
{
	return ttm_bo_populate(bo, ctx);
}
C

probe PUDGE_HAVE_ZAP_VMA_RANGE \
	'zap_vma_ptes() became zap_vma_range() (after v6.12)' <<'C'
#include <linux/mm.h>
void pudge_probe(struct vm_area_struct *vma)
{
	zap_vma_range(vma, vma->vm_start, PAGE_SIZE);
}
C

probe PUDGE_HAVE_DEVICE_PRIVATE_FOLIOS \
	'device-private memory with folio callbacks: dev_pagemap_ops.page_free became folio_free and zone_device_folio_init() takes the pgmap and an order (THP device-private series, v6.19-v7.0); needs CONFIG_DEVICE_PRIVATE and CONFIG_HMM_MIRROR' <<'C'
#include <linux/hmm.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#if !IS_ENABLED(CONFIG_DEVICE_PRIVATE) || !IS_ENABLED(CONFIG_HMM_MIRROR)
#error "no device-private memory or HMM in this kernel"
#endif
static void pudge_probe_free(struct folio *folio) { }
const struct dev_pagemap_ops pudge_probe_ops = { .folio_free = pudge_probe_free };
void pudge_probe(struct folio *folio, struct dev_pagemap *pgmap)
{
	zone_device_folio_init(folio, pgmap, 0);
}
C

probe PUDGE_HAVE_MIGRATE_VMA_SELECT_COMPOUND \
	'MIGRATE_VMA_SELECT_COMPOUND: migrate_vma moves a THP as one unit ("mm/migrate_device: THP migration of device-private memory", v6.19-v7.0)' <<'C'
#include <linux/migrate.h>
unsigned long pudge_probe = MIGRATE_VMA_SELECT_COMPOUND;
C

probe PUDGE_HAVE_DEV_PAGEMAP_FOLIO_SPLIT \
	'dev_pagemap_ops.folio_split: drivers follow the split of a device-private THP (same series)' <<'C'
#include <linux/memremap.h>
static void pudge_probe_split(struct folio *head, struct folio *tail) { }
const struct dev_pagemap_ops pudge_probe = { .folio_split = pudge_probe_split };
C

probe PUDGE_HAVE_MEMREMAP_DEVICE_PRIVATE_PAGEMAP \
	'memremap_device_private_pagemap(): device-private pages outside the physical address space ("Remove device private pages from physical address space", not merged as of v7.3-rc7)' <<'C'
#include <linux/memremap.h>
const void *pudge_probe = memremap_device_private_pagemap;
C

probe PUDGE_HAVE_GEM_IMPORT_ATTACH \
	'drm_gem_object.import_attach, which DRM is phasing out for drm_gem_is_imported(); that helper tested obj->dma_buf in its first form ("drm/gem: Test for imported GEM buffers with helper"), which is NULL again by the time the object is freed' <<'C'
#include <drm/drm_gem.h>
bool pudge_probe(const struct drm_gem_object *obj)
{
	return obj->import_attach;
}
C

probe PUDGE_HAVE_MODULE_IMPORT_NS_IDENT \
	'symbol namespaces were bare identifiers until "module: Convert symbol namespace to string literal" (v6.13)' <<'C'
#include <linux/module.h>
MODULE_IMPORT_NS(DMA_BUF);
C

probe PUDGE_HAVE_SYSTEM_DFL_WQ \
	'system_dfl_wq replaced system_unbound_wq, which now warns, in "workqueue: Add system_percpu_wq and system_dfl_wq" (v6.17)' <<'C'
#include <linux/workqueue.h>
struct workqueue_struct *pudge_probe(void) { return system_dfl_wq; }
C

probe PUDGE_HAVE_TTM_TT_IS_SWAPPED \
	'ttm_tt_is_swapped() covers swapped-out and backed-up pages since "drm/ttm: Provide a shmem backup implementation" (v6.15)' <<'C'
#include <drm/ttm/ttm_tt.h>
bool pudge_probe(const struct ttm_tt *tt) { return ttm_tt_is_swapped(tt); }
C

{
	for p in "${probes[@]}"; do
		echo "obj-m += $p.o"
	done
	# Probes are bare functions: only API mismatches may fail them.
	echo "ccflags-y += -Werror -Wno-missing-prototypes -Wno-missing-declarations"
} >"$tmp/Kbuild"

objs=()
for p in "${probes[@]}"; do objs+=("$p.o"); done
# In parallel: every module build (make check runs four) starts with this.
make -s -k -j"$(nproc)" -C "$kdir" M="$tmp" "${objs[@]}" >"$tmp/build.log" 2>&1 || true
[ -n "${CONFTEST_LOG:-}" ] && cp "$tmp/build.log" "$CONFTEST_LOG"
if [ ! -f "$tmp/PUDGE_CONFTEST_SANITY.o" ]; then
	echo "conftest: the sanity probe does not compile against $kdir:" >&2
	tail -n 20 "$tmp/build.log" >&2
	exit 1
fi

{
	echo "/* Generated by compat/conftest.sh for $kdir: do not edit. */"
	echo "#ifndef _PUDGE_COMPAT_GEN_H_"
	echo "#define _PUDGE_COMPAT_GEN_H_"
	for p in "${probes[@]}"; do
		echo
		echo "/* $(cat "$tmp/$p.why") */"
		if [ -f "$tmp/$p.o" ]; then
			echo "#define $p 1"
		else
			echo "/* #undef $p */"
		fi
	done
	echo
	echo "#endif"
} >"$out.tmp"
mv "$out.tmp" "$out"
