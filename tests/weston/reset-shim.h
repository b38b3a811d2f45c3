/* SPDX-License-Identifier: MIT */
/* The control interface of reset-shim.so, the LD_PRELOAD library that makes
 * the driver's own EGL and GL answers report a GPU reset. */
#ifndef VMPLANE_TESTS_RESET_SHIM_H
#define VMPLANE_TESTS_RESET_SHIM_H

#include <stdint.h>

enum reset_shim_fault {
	/* glGetGraphicsResetStatus{,EXT,KHR} answer the armed status. */
	RESET_SHIM_STATUS,
	/* eglMakeCurrent with a context fails, eglGetError says
	 * EGL_CONTEXT_LOST. */
	RESET_SHIM_MAKE_CURRENT,
	/* eglSwapBuffers fails without swapping, EGL_CONTEXT_LOST. */
	RESET_SHIM_SWAP,
	/* glGetError answers GL_CONTEXT_LOST. */
	RESET_SHIM_GL_ERROR,
	RESET_SHIM_N_FAULTS,
};

/* The library's exported controls, found with dlsym(RTLD_DEFAULT, name).
 * The next @count calls of the fault's entry points answer the fault
 * (@status: the GL reset status, for RESET_SHIM_STATUS only); the calls
 * after them reach the driver again. Thread-safe. */
typedef void (*reset_shim_arm_func_t)(enum reset_shim_fault fault,
				      unsigned int count, uint32_t status);
/* Calls still to answer with the fault. */
typedef unsigned int (*reset_shim_pending_func_t)(enum reset_shim_fault fault);
/* Calls answered with the fault since the library was loaded. */
typedef unsigned int (*reset_shim_fired_func_t)(enum reset_shim_fault fault);

#define RESET_SHIM_ARM "vmplane_reset_shim_arm"
#define RESET_SHIM_PENDING "vmplane_reset_shim_pending"
#define RESET_SHIM_FIRED "vmplane_reset_shim_fired"

/* With this variable naming a FIFO (made by the caller), a thread of the
 * first process of the preload that makes an EGL context current (the
 * compositor, not a wrapper such as timeout(1)) reads control lines:
 *   status <count> <guilty|innocent|unknown|number>
 *   make-current <count> | swap <count> | gl-error <count>
 *   report <path>   each fault's "<fault> pending=N fired=N", one line
 *                   each, then "heap in_use=N arena=N mmapped=N" (bytes,
 *                   mallinfo2 of the process)
 * That process removes the variable from its environment so that its
 * children do not listen too. */
#define RESET_SHIM_FIFO_ENV "VMPLANE_RESET_SHIM_FIFO"

#endif
