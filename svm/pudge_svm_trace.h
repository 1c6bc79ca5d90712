/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Device-private memory tracepoints: one event per SVM migration step
 * (events/pudge/ in tracefs).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pudge

#if !defined(_PUDGE_SVM_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _PUDGE_SVM_TRACE_H_

#include <linux/tracepoint.h>

/* Kinds of the pudge_svm_migrate event. */
#define PUDGE_TRACE_SVM_TO_VRAM	0
#define PUDGE_TRACE_SVM_TO_RAM	1
#define PUDGE_TRACE_SVM_FAULT	2
#define PUDGE_TRACE_SVM_EVICT	3

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

#endif /* _PUDGE_SVM_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pudge_svm_trace
#include <trace/define_trace.h>
