/* Runs one test by name (CTest starts one process per test), or lists them. */
#include "harness.h"

#define X(name) void test_##name(void);
#include "tests.inc"
#undef X

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define X(name) {#name, test_##name},
#include "tests.inc"
#undef X
};

int main(int argc, char **argv)
{
	size_t i, n = sizeof tests / sizeof tests[0];
	if (argc != 2) {
		fprintf(stderr, "usage: %s --list | TEST\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < n; i++)
			puts(tests[i].name);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(argv[1], tests[i].name) == 0) {
			tests[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "no test named %s\n", argv[1]);
	return 2;
}
