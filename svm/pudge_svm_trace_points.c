// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Instantiates the tracepoints declared in pudge_svm_trace.h. */
#define CREATE_TRACE_POINTS
#include "pudge_svm_trace.h"
