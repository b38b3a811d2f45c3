/* SPDX-License-Identifier: MIT */
/*
 * Reads fuzz bytes as a pacer configuration and inputs and runs them through
 * pacer-sim's contract checks; shared by the fuzz target and a unit test.
 */
#include <stdbool.h>
#include <string.h>

#include "pacer-fuzz-run.h"
#include "pacer-sim.h"

#define MS (1000ull * 1000)

struct reader {
	const uint8_t *data;
	size_t size, pos;
};

static uint8_t next_byte(struct reader *r)
{
	return r->pos < r->size ? r->data[r->pos++] : 0;
}

/* Mostly recent frames, sometimes nonsense. */
static uint64_t pick_seq(struct reader *r, const struct sim *s)
{
	uint8_t b = next_byte(r);
	if (b < 224) {
		uint64_t back = b % 8;
		return s->last_seq > back ? s->last_seq - back : 0;
	}
	return (uint64_t)b * 977u;
}

const char *pacer_fuzz_run(const uint8_t *data, size_t size)
{
	static char error[256];
	struct reader r = { .data = data, .size = size };
	struct vmsync_pacer_config c;
	vmsync_pacer_config_defaults(&c);
	c.max_in_flight = 1 + next_byte(&r) % VMSYNC_PACER_MAX_IN_FLIGHT;
	c.release_on = next_byte(&r) % 16;
	c.explicit_acquire = next_byte(&r) & 1;
	c.watchdog_ns = (1 + next_byte(&r) % 20) * 10 * MS;

	struct sim s;
	if (!sim_init(&s, &c)) {
		sim_fini(&s);
		return "pacer refused a valid config";
	}
	/* Bounded: the fuzzer and the replay test both stay fast. */
	for (int steps = 0; r.pos < r.size && steps < 4096 && !s.error[0]; steps++) {
		uint8_t op = next_byte(&r) % 13;
		uint8_t arg = next_byte(&r);
		switch (op) {
		case 0:
		case 1:
			if (s.last_seq + 1 < SIM_MAX_FRAMES)
				sim_frame(&s, arg % 4, next_byte(&r) % 8);
			break;
		case 2:
			vmsync_pacer_acquire_signalled(s.pacer, pick_seq(&r, &s));
			break;
		case 3:
			vmsync_pacer_buffer_released(s.pacer, arg % 5);
			break;
		case 4:
			vmsync_pacer_commit_released(s.pacer, pick_seq(&r, &s));
			break;
		case 5:
			vmsync_pacer_presented(s.pacer, pick_seq(&r, &s),
				arg & 1 ? s.now - arg : 0, arg % 3 == 0 ? 1 : (arg == 255 ? 2 : 0));
			break;
		case 6:
			vmsync_pacer_discarded(s.pacer, pick_seq(&r, &s));
			break;
		case 7:
			vmsync_pacer_frame_done(s.pacer, pick_seq(&r, &s));
			break;
		case 8:
		case 9:
			sim_advance_to(&s, s.now + (uint64_t)arg * MS / 4);
			break;
		case 10:
			vmsync_pacer_tick(s.pacer);
			break;
		case 11:
			vmsync_pacer_drop_pending(s.pacer);
			break;
		case 12:
			if (arg < 16)
				vmsync_pacer_compositor_gone(s.pacer);
			else if (arg < 48)
				vmsync_pacer_compositor_back(s.pacer);
			break;
		}
		sim_drain(&s);
	}
	if (!s.error[0])
		sim_check_all_ended(&s);
	const char *result = NULL;
	if (s.error[0]) {
		strncpy(error, s.error, sizeof(error) - 1);
		result = error;
	}
	sim_fini(&s);
	return result;
}
