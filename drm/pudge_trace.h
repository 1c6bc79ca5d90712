/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pudge tracepoints: one event per fault handled, one per run of entries
 * inserted, one per SVM migration step (events/pudge/ in tracefs).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pudge

#if !defined(_PUDGE_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _PUDGE_TRACE_H_

#include <linux/tracepoint.h>

/* Kinds of the pudge_svm_migrate event. */
#define PUDGE_TRACE_SVM_TO_VRAM	0
#define PUDGE_TRACE_SVM_TO_RAM	1
#define PUDGE_TRACE_SVM_FAULT	2
#define PUDGE_TRACE_SVM_EVICT	3

TRACE_EVENT(pudge_fault,
	TP_PROTO(unsigned long address, unsigned int order, unsigned int ret,
		 u64 pud, u64 pmd, u64 pte),
	TP_ARGS(address, order, ret, pud, pmd, pte),
	TP_STRUCT__entry(
		__field(unsigned long, address)
		__field(unsigned int, order)
		__field(unsigned int, ret)
		__field(u64, pud)
		__field(u64, pmd)
		__field(u64, pte)
	),
	TP_fast_assign(
		__entry->address = address;
		__entry->order = order;
		__entry->ret = ret;
		__entry->pud = pud;
		__entry->pmd = pmd;
		__entry->pte = pte;
	),
	TP_printk("address=%#lx order=%u ret=%#x pud=%llu pmd=%llu pte=%llu",
		  __entry->address, __entry->order, __entry->ret,
		  __entry->pud, __entry->pmd, __entry->pte)
);

TRACE_EVENT(pudge_insert,
	TP_PROTO(unsigned long va, u64 pa, unsigned int order, u64 count),
	TP_ARGS(va, pa, order, count),
	TP_STRUCT__entry(
		__field(unsigned long, va)
		__field(u64, pa)
		__field(unsigned int, order)
		__field(u64, count)
	),
	TP_fast_assign(
		__entry->va = va;
		__entry->pa = pa;
		__entry->order = order;
		__entry->count = count;
	),
	TP_printk("va=%#lx pa=%#llx order=%u count=%llu",
		  __entry->va, __entry->pa, __entry->order, __entry->count)
);

TRACE_EVENT(pudge_svm_migrate,
	TP_PROTO(unsigned long start, unsigned long npages, unsigned long moved,
		 unsigned long thp, unsigned int kind),
	TP_ARGS(start, npages, moved, thp, kind),
	TP_STRUCT__entry(
		__field(unsigned long, start)
		__field(unsigned long, npages)
		__field(unsigned long, moved)
		__field(unsigned long, thp)
		__field(unsigned int, kind)
	),
	TP_fast_assign(
		__entry->start = start;
		__entry->npages = npages;
		__entry->moved = moved;
		__entry->thp = thp;
		__entry->kind = kind;
	),
	TP_printk("%s start=%#lx npages=%lu moved=%lu thp=%lu",
		  __print_symbolic(__entry->kind,
				   { PUDGE_TRACE_SVM_TO_VRAM, "to_vram" },
				   { PUDGE_TRACE_SVM_TO_RAM, "to_ram" },
				   { PUDGE_TRACE_SVM_FAULT, "cpu_fault" },
				   { PUDGE_TRACE_SVM_EVICT, "evict" }),
		  __entry->start, __entry->npages, __entry->moved, __entry->thp)
);

#endif /* _PUDGE_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pudge_trace
#include <trace/define_trace.h>
