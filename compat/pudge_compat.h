/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one place where kernel API differences are bridged.  The
 * PUDGE_HAVE_* symbols come from compile probes (compat/conftest.sh), never
 * from version numbers.
 */
#ifndef _PUDGE_COMPAT_H_
#define _PUDGE_COMPAT_H_

#include "pudge_compat_gen.h"

#ifdef PUDGE_HAVE_DRM_DRIVER_DATE
#define PUDGE_DRM_DRIVER_DATE(d) .date = (d),
#else
#define PUDGE_DRM_DRIVER_DATE(d)
#endif

#endif /* _PUDGE_COMPAT_H_ */
