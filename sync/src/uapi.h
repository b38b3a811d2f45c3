/*
 * The sync library's one include for kernel fence interfaces: sync_file,
 * dma-buf sync_file ioctls (defined here for pre-6.0 headers) and sw_sync.
 */
#ifndef VMSYNC_UAPI_H
#define VMSYNC_UAPI_H

/* Kernel UAPI for sync_file and dma-buf fences, with fallbacks for old headers. */

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <linux/types.h>
#include <sys/ioctl.h>

/* Added in Linux 6.0; the numbers are ABI, so define them for older headers. */
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
	__u32 flags;
	__s32 fd;
};
struct dma_buf_import_sync_file {
	__u32 flags;
	__s32 fd;
};
#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE \
	_IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE \
	_IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

/* sw_sync is a debug interface without a UAPI header. */
struct vmsync_sw_sync_create_fence {
	__u32 value;
	char name[32];
	__s32 fence;
};
#define VMSYNC_SW_SYNC_IOC_CREATE_FENCE \
	_IOWR('W', 0, struct vmsync_sw_sync_create_fence)
#define VMSYNC_SW_SYNC_IOC_INC _IOW('W', 1, __u32)

#endif
