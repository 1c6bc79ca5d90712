/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pudge driver tracepoints: one event per buffer-object fault handled
 * (events/pudge/ in tracefs, with the ttm/ and svm/ events).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pudge

#if !defined(_PUDGE_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _PUDGE_TRACE_H_

#include <linux/tracepoint.h>

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

#endif /* _PUDGE_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pudge_trace
#include <trace/define_trace.h>
