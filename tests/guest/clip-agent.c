/* SPDX-License-Identifier: MIT */
/*
 * A minimal clipboard agent for the Linux test guest: speaks the spice
 * vdagent protocol (as QEMU's -chardev qemu-vdagent expects it) over the
 * virtio-serial port com.redhat.spice.0, text only.
 *
 *   clip-agent [TEXT]
 *
 * Announces its capabilities, then takes the clipboard with TEXT (if
 * given) and serves the host's requests for it. Every text the host puts
 * on the clipboard is fetched and printed as "GUEST CLIP <hex>" (hex of
 * the bytes, so any text survives the serial line). Also prints "GUEST
 * CLIP READY" once the host answered the capabilities, and "GUEST CLIP
 * SERVED <n>" per request served.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spice/vd_agent.h>

static int port_fd = -1;
static const char *text;

static void
write_all(const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(port_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("clip-agent: write");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* One message in chunks of at most VD_AGENT_MAX_DATA_SIZE, as the host reads them. */
static void
send_msg(uint32_t type, const void *a, uint32_t a_len, const void *b, uint32_t b_len)
{
	size_t total = sizeof(VDAgentMessage) + a_len + b_len;
	uint8_t *msg = malloc(total);
	VDAgentMessage hdr = { .protocol = VD_AGENT_PROTOCOL, .type = type,
			       .opaque = 0, .size = a_len + b_len };
	if (!msg)
		exit(1);
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), a, a_len);
	if (b_len)
		memcpy(msg + sizeof(hdr) + a_len, b, b_len);
	for (size_t off = 0; off < total;) {
		size_t n = total - off;
		if (n > VD_AGENT_MAX_DATA_SIZE)
			n = VD_AGENT_MAX_DATA_SIZE;
		VDIChunkHeader chunk = { .port = VDP_CLIENT_PORT, .size = (uint32_t)n };
		write_all(&chunk, sizeof(chunk));
		write_all(msg + off, n);
		off += n;
	}
	free(msg);
}

static void
read_all(void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = read(port_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "clip-agent: the port closed\n");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* The virtio-serial port by its name, waiting for the driver to make it. */
static int
open_port(void)
{
	for (int tries = 0; tries < 200; tries++) {
		DIR *dir = opendir("/sys/class/virtio-ports");
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			char path[512], name[128] = "";
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
			FILE *f = fopen(path, "r");
			if (!f)
				continue;
			if (!fgets(name, sizeof(name), f))
				name[0] = '\0';
			fclose(f);
			name[strcspn(name, "\n")] = '\0';
			if (strcmp(name, "com.redhat.spice.0") != 0)
				continue;
			snprintf(path, sizeof(path), "/dev/%s", e->d_name);
			int fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd >= 0) {
				closedir(dir);
				return fd;
			}
		}
		if (dir)
			closedir(dir);
		usleep(50000);
	}
	return -1;
}

static void
announce(uint32_t request)
{
	uint32_t caps[2] = { request, 1u << VD_AGENT_CAP_CLIPBOARD_BY_DEMAND };
	send_msg(VD_AGENT_ANNOUNCE_CAPABILITIES, caps, sizeof(caps), NULL, 0);
}

static void
handle(uint32_t type, const uint8_t *data, uint32_t size)
{
	static int served;
	static int ready;
	uint32_t utf8 = VD_AGENT_CLIPBOARD_UTF8_TEXT;

	switch (type) {
	case VD_AGENT_ANNOUNCE_CAPABILITIES:
		if (size >= 4 && *(const uint32_t *)data)
			announce(0);
		if (!ready++) {
			printf("GUEST CLIP READY\n");
			fflush(stdout);
			if (text)
				send_msg(VD_AGENT_CLIPBOARD_GRAB, &utf8, sizeof(utf8), NULL, 0);
		}
		break;
	case VD_AGENT_CLIPBOARD_GRAB:
		/* The host has text: ask for it (types listed, no selection byte). */
		for (uint32_t i = 0; i + 4 <= size; i += 4) {
			if (*(const uint32_t *)(data + i) == utf8) {
				send_msg(VD_AGENT_CLIPBOARD_REQUEST, &utf8, sizeof(utf8), NULL, 0);
				break;
			}
		}
		break;
	case VD_AGENT_CLIPBOARD:
		if (size >= 4 && *(const uint32_t *)data == utf8) {
			printf("GUEST CLIP ");
			for (uint32_t i = 4; i < size; i++)
				printf("%02x", data[i]);
			printf("\n");
			fflush(stdout);
		}
		break;
	case VD_AGENT_CLIPBOARD_REQUEST:
		send_msg(VD_AGENT_CLIPBOARD, &utf8, sizeof(utf8), text ? text : "",
			 text ? (uint32_t)strlen(text) : 0);
		printf("GUEST CLIP SERVED %d\n", ++served);
		fflush(stdout);
		break;
	default:
		break;
	}
}

int
main(int argc, char **argv)
{
	text = argc > 1 ? argv[1] : NULL;
	port_fd = open_port();
	if (port_fd < 0) {
		printf("GUEST CLIP NO PORT\n");
		return 1;
	}
	announce(1);
	/* Messages may span chunks: gather until the header's size is there. */
	uint8_t *msg = NULL;
	size_t have = 0, want = 0;
	for (;;) {
		VDIChunkHeader chunk;
		read_all(&chunk, sizeof(chunk));
		uint8_t *buf = realloc(msg, have + chunk.size);
		if (!buf)
			return 1;
		msg = buf;
		read_all(msg + have, chunk.size);
		have += chunk.size;
		if (!want && have >= sizeof(VDAgentMessage))
			want = sizeof(VDAgentMessage) + ((VDAgentMessage *)msg)->size;
		if (want && have >= want) {
			VDAgentMessage hdr;
			memcpy(&hdr, msg, sizeof(hdr));
			handle(hdr.type, msg + sizeof(hdr), hdr.size);
			free(msg);
			msg = NULL;
			have = want = 0;
		}
	}
}
