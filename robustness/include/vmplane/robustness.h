/* SPDX-License-Identifier: MIT */
/* Umbrella header of the robustness library: every public rb-*.h at once. */
#ifndef VMPLANE_ROBUSTNESS_H
#define VMPLANE_ROBUSTNESS_H

#include "vmplane/rb-log.h"
#include "vmplane/rb-status.h"
#include "vmplane/rb-context.h"
#include "vmplane/rb-registry.h"
#include "vmplane/rb-recovery.h"
#include "vmplane/rb-fault.h"
#include "vmplane/rb-egl.h"

#endif
