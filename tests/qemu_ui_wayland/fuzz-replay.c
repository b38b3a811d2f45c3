/*
 * Always-run companion of the fuzz target: replays the stored corpus, then
 * a fixed number of inputs from a seeded generator (same inputs every run).
 * A parser bug shows as a crash or a sanitizer report; the check is that
 * the corpus was found at all.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-parsers.h"
#include "tap.h"

static size_t replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		static uint8_t buf[65536];
		size_t len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		vmpd_fuzz_one(buf, len);
		n++;
	}
	closedir(d);
	return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

int main(int argc, char **argv)
{
	size_t files = 0;
	for (int i = 1; i < argc; i++)
		files += replay_dir(argv[i]);
	CHECK_MSG(files > 0, "replayed %zu corpus files", files);
	const int iterations = 20000;
	uint8_t buf[512];
	for (int i = 0; i < iterations; i++) {
		size_t len = rng() % sizeof(buf);
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rng();
		/* Small values hit the interesting sizes more often than random words. */
		if (i & 1)
			for (size_t j = 0; j < len; j += 3)
				buf[j] &= 0x1f;
		vmpd_fuzz_one(buf, len);
	}
	tap_note("replayed %d generated inputs", iterations);
	return tap_finish();
}
