/* SPDX-License-Identifier: MIT */
/*
 * A freestanding multiboot guest that drives virtio-gpu itself (virtio 1.0,
 * PCI modern, one polled control queue): it flips between two buffers,
 * drawing blob-pattern.h's frame into the back one each time.
 *
 * Command line (multiboot): mode=blob|2d frames=N check=a,b,...
 *   blob: RESOURCE_CREATE_BLOB over guest pages + SET_SCANOUT_BLOB
 *   2d:   RESOURCE_CREATE_2D + ATTACH_BACKING + TRANSFER_TO_HOST_2D
 * COM1 carries one line per event (see guest_main) and, at each checkpoint
 * and at the end, waits for one byte before going on. isa-debug-exit at
 * 0xf4 ends QEMU: status 1 when every command succeeded, 3 otherwise.
 */
#include "blob-pattern.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

/* Physical addresses of the two frame buffers (identity mapped, no paging). */
#define FB_BASE 0x00400000u
#define FB_SPACING 0x00100000u
/* Pages per backing entry: more than one entry, or QEMU 7.2 makes no udmabuf. */
#define ENTRY_BYTES 0x10000u
#define N_ENTRIES ((BLOBPAT_SIZE + ENTRY_BYTES - 1) / ENTRY_BYTES)
#define MAX_CHECKS 16

/* Port and memory access */

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void barrier(void)
{
	__asm__ volatile("lock; addl $0, (%%esp)" : : : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

/* gcc may call these itself for struct copies. */
void *memset(void *dst, int c, u32 n);
void *memcpy(void *dst, const void *src, u32 n);

void *memset(void *dst, int c, u32 n)
{
	u8 *d = dst;
	while (n--)
		*d++ = (u8)c;
	return dst;
}

void *memcpy(void *dst, const void *src, u32 n)
{
	u8 *d = dst;
	const u8 *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

/*
 * Idle waits: a 1 kHz PIT interrupt wakes hlt, so a guest held by the
 * display sleeps instead of spinning a host CPU that the compositor needs.
 */

struct idt_gate {
	u16 offset_lo, selector;
	u8 zero, type;
	u16 offset_hi;
} __attribute__((packed));

static struct idt_gate idt[64] __attribute__((aligned(8)));

void irq_stub(void);

static void timer_init(void)
{
	for (u32 i = 0; i < 64; i++) {
		u32 a = (u32)irq_stub;
		idt[i] = (struct idt_gate){ (u16)a, 0x08, 0, 0x8e, (u16)(a >> 16) };
	}
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (u32)idt };
	__asm__ volatile("lidt %0" : : "m"(desc));
	/* PIC: IRQs at vectors 0x20..0x2f, all masked but the timer's. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xfe);
	outb(0xa1, 0xff);
	/* PIT channel 0, rate generator, 1193182 Hz / 1193. */
	outb(0x43, 0x34);
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
}

static inline void idle(void)
{
	/* sti's one-instruction shadow: the interrupt cannot slip in before hlt. */
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

/* Serial console */

static void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts: everything is polled */
	outb(COM1 + 3, 0x80);
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7);
	outb(COM1 + 4, 0x03);
}

static void ser_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (u8)c);
}

static void ser_puts(const char *s)
{
	while (*s)
		ser_putc(*s++);
}

static void ser_putu(u64 v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i--)
		ser_putc(buf[i]);
}

static void wait_byte(void)
{
	while (!(inb(COM1 + 5) & 0x01))
		idle();
	(void)inb(COM1);
}

static void __attribute__((noreturn)) finish(u8 code)
{
	outb(DEBUG_EXIT, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void __attribute__((noreturn)) fail(const char *what, u64 value)
{
	ser_puts("FAIL ");
	ser_puts(what);
	ser_putc(' ');
	ser_putu(value);
	ser_putc('\n');
	finish(1);
}

/* PCI configuration space, mechanism #1 */

static u32 pci_addr;

static u32 cfg32(u32 off)
{
	outl(0xcf8, pci_addr | (off & 0xfc));
	return inl(0xcfc);
}

static u8 cfg8(u32 off)
{
	return (u8)(cfg32(off) >> ((off & 3) * 8));
}

static void cfg_write32(u32 off, u32 v)
{
	outl(0xcf8, pci_addr | (off & 0xfc));
	outl(0xcfc, v);
}

static int find_virtio_gpu(void)
{
	for (u32 dev = 0; dev < 32; dev++) {
		for (u32 fn = 0; fn < 8; fn++) {
			pci_addr = 0x80000000u | dev << 11 | fn << 8;
			if (cfg32(0) == (0x1050u << 16 | 0x1af4u))
				return 1;
		}
	}
	return 0;
}

static u32 bar_address(u32 bar)
{
	u32 lo = cfg32(0x10 + bar * 4);
	if (lo & 1)
		fail("virtio capability in an I/O BAR", bar);
	if ((lo & 6) == 4 && cfg32(0x14 + bar * 4) != 0)
		fail("BAR above 4 GiB", bar);
	return lo & ~0xfu;
}

/* Virtio 1.0 over PCI */

#define VIRTIO_STATUS_ACK 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_F_VERSION_1_HI (1u << 0) /* bit 32 */
#define VIRTIO_GPU_F_RESOURCE_BLOB (1u << 3)

#define QSIZE 8
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[QSIZE];
	u16 used_event;
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct {
		u32 id;
		u32 len;
	} ring[QSIZE];
	u16 avail_event;
};

static struct virtq_desc desc[QSIZE] __attribute__((aligned(16)));
static struct virtq_avail avail __attribute__((aligned(2)));
static struct virtq_used used __attribute__((aligned(4)));

static volatile u8 *common;
static volatile u16 *notify;
static u16 last_used;

#define COMMON8(off) (*(volatile u8 *)(common + (off)))
#define COMMON16(off) (*(volatile u16 *)(common + (off)))
#define COMMON32(off) (*(volatile u32 *)(common + (off)))

static void virtio_init(int want_blob)
{
	volatile u8 *notify_base = 0;
	u32 notify_mult = 0;

	cfg_write32(0x04, cfg32(0x04) | 0x6); /* memory space, bus master */
	if (!(cfg32(0x04) >> 16 & 0x10))
		fail("no PCI capability list", 0);
	for (u32 p = cfg8(0x34) & 0xfc; p; p = cfg8(p + 1) & 0xfc) {
		if (cfg8(p) != 0x09)
			continue;
		u32 type = cfg8(p + 3);
		u32 addr = bar_address(cfg8(p + 4)) + cfg32(p + 8);
		if (type == 1)
			common = (volatile u8 *)addr;
		else if (type == 2 && !notify_base) {
			notify_base = (volatile u8 *)addr;
			notify_mult = cfg32(p + 16);
		}
	}
	if (!common || !notify_base)
		fail("virtio capabilities missing", 0);

	COMMON8(0x14) = 0;
	while (COMMON8(0x14))
		;
	COMMON8(0x14) = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER;
	COMMON32(0x00) = 0;
	u32 lo = COMMON32(0x04);
	COMMON32(0x00) = 1;
	u32 hi = COMMON32(0x04);
	if (!(hi & VIRTIO_F_VERSION_1_HI))
		fail("device lacks VIRTIO_F_VERSION_1", hi);
	if (want_blob && !(lo & VIRTIO_GPU_F_RESOURCE_BLOB))
		fail("device lacks VIRTIO_GPU_F_RESOURCE_BLOB (blob=true?)", lo);
	COMMON32(0x08) = 0;
	COMMON32(0x0c) = want_blob ? VIRTIO_GPU_F_RESOURCE_BLOB : 0;
	COMMON32(0x08) = 1;
	COMMON32(0x0c) = VIRTIO_F_VERSION_1_HI;
	COMMON8(0x14) = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	if (!(COMMON8(0x14) & VIRTIO_STATUS_FEATURES_OK))
		fail("features not accepted", lo);

	COMMON16(0x16) = 0; /* control queue */
	u16 max = COMMON16(0x18);
	if (max < QSIZE)
		fail("control queue too small", max);
	COMMON16(0x18) = QSIZE;
	COMMON32(0x20) = (u32)desc;
	COMMON32(0x24) = 0;
	COMMON32(0x28) = (u32)&avail;
	COMMON32(0x2c) = 0;
	COMMON32(0x30) = (u32)&used;
	COMMON32(0x34) = 0;
	notify = (volatile u16 *)(notify_base + COMMON16(0x1e) * notify_mult);
	COMMON16(0x1c) = 1;
	COMMON8(0x14) = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		VIRTIO_STATUS_DRIVER_OK;
}

/* One request, one response, polled: the guest never has two in flight. */
static void virtq_call(const void *req, u32 req_len, void *resp, u32 resp_len)
{
	desc[0] = (struct virtq_desc){ (u32)req, req_len, VIRTQ_DESC_F_NEXT, 1 };
	desc[1] = (struct virtq_desc){ (u32)resp, resp_len, VIRTQ_DESC_F_WRITE, 0 };
	avail.ring[avail.idx % QSIZE] = 0;
	barrier();
	avail.idx++;
	barrier();
	*notify = 0;
	while (*(volatile u16 *)&used.idx == last_used)
		idle();
	barrier();
	last_used++;
}

/* virtio-gpu */

#define CMD_GET_DISPLAY_INFO 0x0100
#define CMD_RESOURCE_CREATE_2D 0x0101
#define CMD_SET_SCANOUT 0x0103
#define CMD_RESOURCE_FLUSH 0x0104
#define CMD_TRANSFER_TO_HOST_2D 0x0105
#define CMD_RESOURCE_ATTACH_BACKING 0x0106
#define CMD_RESOURCE_CREATE_BLOB 0x010c
#define CMD_SET_SCANOUT_BLOB 0x010d
#define RESP_OK_NODATA 0x1100
#define RESP_OK_DISPLAY_INFO 0x1101
#define FORMAT_B8G8R8X8_UNORM 2
#define BLOB_MEM_GUEST 1
#define BLOB_FLAG_USE_SHAREABLE 2
#define GPU_FLAG_FENCE 1

struct gpu_hdr {
	u32 type, flags;
	u64 fence_id;
	u32 ctx_id;
	u8 ring_idx, pad[3];
};

struct gpu_rect {
	u32 x, y, width, height;
};

struct gpu_entry {
	u64 addr;
	u32 length, pad;
};

struct gpu_display_info {
	struct gpu_hdr hdr;
	struct {
		struct gpu_rect r;
		u32 enabled, flags;
	} pmodes[16];
};

static union {
	struct gpu_hdr hdr;
	struct gpu_display_info info;
} resp;

static u8 req_buf[512] __attribute__((aligned(8)));

static void gpu_call(const char *what, u32 len, u32 expect)
{
	memset(&resp, 0, sizeof(resp));
	virtq_call(req_buf, len, &resp, expect == RESP_OK_DISPLAY_INFO ? sizeof(resp.info) :
		sizeof(resp.hdr));
	if (resp.hdr.type != expect)
		fail(what, resp.hdr.type);
}

static void *gpu_req(u32 type, u32 len)
{
	memset(req_buf, 0, len);
	((struct gpu_hdr *)req_buf)->type = type;
	return req_buf;
}

static const struct gpu_rect full = { 0, 0, BLOBPAT_W, BLOBPAT_H };

static struct gpu_entry *fill_entries(struct gpu_entry *e, u32 base)
{
	for (u32 i = 0; i < N_ENTRIES; i++) {
		u32 off = i * ENTRY_BYTES;
		u32 len = BLOBPAT_SIZE - off < ENTRY_BYTES ? BLOBPAT_SIZE - off : ENTRY_BYTES;
		e[i] = (struct gpu_entry){ base + off, len, 0 };
	}
	return e;
}

static void create_blob(u32 id, u32 base)
{
	struct {
		struct gpu_hdr hdr;
		u32 resource_id, blob_mem, blob_flags, nr_entries;
		u64 blob_id, size;
		struct gpu_entry entries[N_ENTRIES];
	} *c = gpu_req(CMD_RESOURCE_CREATE_BLOB, sizeof(*c));
	c->resource_id = id;
	c->blob_mem = BLOB_MEM_GUEST;
	c->blob_flags = BLOB_FLAG_USE_SHAREABLE;
	c->nr_entries = N_ENTRIES;
	c->size = BLOBPAT_SIZE;
	fill_entries(c->entries, base);
	gpu_call("RESOURCE_CREATE_BLOB", sizeof(*c), RESP_OK_NODATA);
}

static void create_2d(u32 id, u32 base)
{
	struct {
		struct gpu_hdr hdr;
		u32 resource_id, format, width, height;
	} *c = gpu_req(CMD_RESOURCE_CREATE_2D, sizeof(*c));
	c->resource_id = id;
	c->format = FORMAT_B8G8R8X8_UNORM;
	c->width = BLOBPAT_W;
	c->height = BLOBPAT_H;
	gpu_call("RESOURCE_CREATE_2D", sizeof(*c), RESP_OK_NODATA);

	struct {
		struct gpu_hdr hdr;
		u32 resource_id, nr_entries;
		struct gpu_entry entries[N_ENTRIES];
	} *a = gpu_req(CMD_RESOURCE_ATTACH_BACKING, sizeof(*a));
	a->resource_id = id;
	a->nr_entries = N_ENTRIES;
	fill_entries(a->entries, base);
	gpu_call("RESOURCE_ATTACH_BACKING", sizeof(*a), RESP_OK_NODATA);
}

static void set_scanout(int blob, u32 id)
{
	if (blob) {
		struct {
			struct gpu_hdr hdr;
			struct gpu_rect r;
			u32 scanout_id, resource_id, width, height, format, pad;
			u32 strides[4], offsets[4];
		} *s = gpu_req(CMD_SET_SCANOUT_BLOB, sizeof(*s));
		s->r = full;
		s->resource_id = id;
		s->width = BLOBPAT_W;
		s->height = BLOBPAT_H;
		s->format = FORMAT_B8G8R8X8_UNORM;
		s->strides[0] = BLOBPAT_STRIDE;
		gpu_call("SET_SCANOUT_BLOB", sizeof(*s), RESP_OK_NODATA);
	} else {
		struct {
			struct gpu_hdr hdr;
			struct gpu_rect r;
			u32 scanout_id, resource_id;
		} *s = gpu_req(CMD_SET_SCANOUT, sizeof(*s));
		s->r = full;
		s->resource_id = id;
		gpu_call("SET_SCANOUT", sizeof(*s), RESP_OK_NODATA);
	}
}

static void transfer_2d(u32 id)
{
	struct {
		struct gpu_hdr hdr;
		struct gpu_rect r;
		u64 offset;
		u32 resource_id, pad;
	} *t = gpu_req(CMD_TRANSFER_TO_HOST_2D, sizeof(*t));
	t->r = full;
	t->resource_id = id;
	gpu_call("TRANSFER_TO_HOST_2D", sizeof(*t), RESP_OK_NODATA);
}

/*
 * Fenced, as Linux's driver fences its blob flushes. QEMU 10.0 re-runs an
 * unfenced command that a held display left unanswered (its suspension of
 * commands), so each retry would flush, and be held, again, forever; a
 * fenced one is answered when the display lets go, in 7.2 as in 10.0.
 */
static void flush(u32 id)
{
	static u64 fence_id;
	struct {
		struct gpu_hdr hdr;
		struct gpu_rect r;
		u32 resource_id, pad;
	} *f = gpu_req(CMD_RESOURCE_FLUSH, sizeof(*f));
	f->hdr.flags = GPU_FLAG_FENCE;
	f->hdr.fence_id = ++fence_id;
	f->r = full;
	f->resource_id = id;
	gpu_call("RESOURCE_FLUSH", sizeof(*f), RESP_OK_NODATA);
	if (!(resp.hdr.flags & GPU_FLAG_FENCE) || resp.hdr.fence_id != fence_id)
		fail("RESOURCE_FLUSH fence", resp.hdr.fence_id);
}

static void draw(u32 base, u32 frame)
{
	volatile u32 *px = (volatile u32 *)base;
	for (u32 y = 0; y < BLOBPAT_H; y++, px += BLOBPAT_W) {
		if (y < BLOBPAT_BAND_H) {
			for (u32 x = 0; x < BLOBPAT_W; x++)
				px[x] = blobpat_pixel(x, y, frame);
			continue;
		}
		u32 row = blobpat_body(0, y, frame);
		u32 shift = frame * BLOBPAT_STEP;
		for (u32 x = 0; x < BLOBPAT_W; x++)
			px[x] = (row & 0xffffu) | ((x + shift) & 0xffu) << 16;
	}
}

/* Command line */

struct options {
	int blob;
	int hold_start;
	u32 frames;
	u32 checks[MAX_CHECKS];
	u32 n_checks;
};

static int word_is(const char *s, const char *key)
{
	while (*key)
		if (*s++ != *key++)
			return 0;
	return 1;
}

static const char *parse_u32(const char *s, u32 *v)
{
	*v = 0;
	while (*s >= '0' && *s <= '9')
		*v = *v * 10 + (u32)(*s++ - '0');
	return s;
}

static void parse_cmdline(const char *s, struct options *o)
{
	o->blob = 1;
	o->hold_start = 0;
	o->frames = 30;
	o->n_checks = 0;
	while (s && *s) {
		if (word_is(s, "mode=2d")) {
			o->blob = 0;
		} else if (word_is(s, "hold=start")) {
			o->hold_start = 1;
		} else if (word_is(s, "frames=")) {
			parse_u32(s + 7, &o->frames);
		} else if (word_is(s, "check=")) {
			s += 6;
			while (o->n_checks < MAX_CHECKS && *s >= '0' && *s <= '9') {
				s = parse_u32(s, &o->checks[o->n_checks++]);
				if (*s != ',')
					break;
				s++;
			}
		}
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
}

struct multiboot_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
};

/*
 * Lines on COM1:
 *   START mode=<blob|2d> <w>x<h> frames=<n> scanout=<w>x<h>
 *                  with hold=start, then waits for one byte
 *   FRAME <n> <tsc before the flush> <tsc at its reply>
 *   CHECK <n>      frame n is flushed; waits for one byte
 *   DONE <frames> <tsc>   waits for one byte, then exits
 */
void guest_main(u32 magic, const struct multiboot_info *mbi)
{
	struct options o;
	serial_init();
	timer_init();
	if (magic != 0x2badb002)
		fail("not started by a multiboot loader", magic);
	parse_cmdline(mbi->flags & 4 ? (const char *)mbi->cmdline : 0, &o);
	if (!find_virtio_gpu())
		fail("no virtio-gpu PCI device (1af4:1050)", 0);
	virtio_init(o.blob);

	gpu_req(CMD_GET_DISPLAY_INFO, sizeof(struct gpu_hdr));
	gpu_call("GET_DISPLAY_INFO", sizeof(struct gpu_hdr), RESP_OK_DISPLAY_INFO);
	ser_puts(o.blob ? "START mode=blob " : "START mode=2d ");
	ser_putu(BLOBPAT_W);
	ser_putc('x');
	ser_putu(BLOBPAT_H);
	ser_puts(" frames=");
	ser_putu(o.frames);
	ser_puts(" scanout=");
	ser_putu(resp.info.pmodes[0].r.width);
	ser_putc('x');
	ser_putu(resp.info.pmodes[0].r.height);
	ser_putc('\n');
	if (o.hold_start)
		wait_byte();

	for (u32 i = 0; i < 2; i++) {
		if (o.blob)
			create_blob(i + 1, FB_BASE + i * FB_SPACING);
		else
			create_2d(i + 1, FB_BASE + i * FB_SPACING);
	}

	u32 next_check = 0;
	for (u32 n = 0; n < o.frames; n++) {
		/* The back buffer: the other one is still on screen. */
		u32 id = 1 + (n & 1);
		draw(FB_BASE + (n & 1) * FB_SPACING, n);
		if (!o.blob)
			transfer_2d(id);
		set_scanout(o.blob, id);
		u64 t0 = rdtsc();
		/* Held by the display until the frame before is done with. */
		flush(id);
		u64 t1 = rdtsc();
		ser_puts("FRAME ");
		ser_putu(n);
		ser_putc(' ');
		ser_putu(t0);
		ser_putc(' ');
		ser_putu(t1);
		ser_putc('\n');
		while (next_check < o.n_checks && o.checks[next_check] < n)
			next_check++;
		if (next_check < o.n_checks && o.checks[next_check] == n) {
			ser_puts("CHECK ");
			ser_putu(n);
			ser_putc('\n');
			wait_byte();
			next_check++;
		}
	}
	ser_puts("DONE ");
	ser_putu(o.frames);
	ser_putc(' ');
	ser_putu(rdtsc());
	ser_putc('\n');
	wait_byte();
	finish(0);
}
