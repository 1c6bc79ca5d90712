/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Tracepoints of the TTM fault helper: one event per run of page-table
 * entries inserted.  Their system is pudge's; a driver that takes ttm/
 * names its own here.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pudge

#if !defined(_PUDGE_TTM_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _PUDGE_TTM_TRACE_H_

#include <linux/tracepoint.h>

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

#endif /* _PUDGE_TTM_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pudge_ttm_trace
#include <trace/define_trace.h>
