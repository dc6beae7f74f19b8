/* Benchmark driver shared by every benchmark program. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

bench_result bench_summarise(double *samples, int count)
{
	bench_result r;
	qsort(samples, (size_t)count, sizeof *samples, by_value);
	r.min = samples[0];
	r.max = samples[count - 1];
	r.median = count % 2 ? samples[count / 2]
	                     : (samples[count / 2 - 1] + samples[count / 2]) / 2;
	return r;
}

void bench_interleave(const bench_variant *v, int count, int rounds, long n,
                      bench_result *out)
{
	double *samples = (double *)calloc((size_t)count * BENCH_MAX_ROUNDS, sizeof(double));
	if (!samples)
		abort();
	/* Round 0 is warm-up and discarded. */
	for (int r = 0; r <= rounds; r++)
		for (int i = 0; i < count; i++) {
			double ns = (double)v[i].run(v[i].state, n) / (double)n;
			if (r > 0)
				samples[i * BENCH_MAX_ROUNDS + r - 1] = ns;
		}
	for (int i = 0; i < count; i++)
		out[i] = bench_summarise(samples + i * BENCH_MAX_ROUNDS, rounds);
	free(samples);
}

int bench_rounds(int dflt)
{
	const char *s = getenv("BENCH_ROUNDS");
	int r = s ? atoi(s) : dflt;
	if (r < 3)
		r = 3;
	return r > BENCH_MAX_ROUNDS ? BENCH_MAX_ROUNDS : r;
}

long bench_scaled(long n)
{
	const char *s = getenv("BENCH_SCALE");
	double f = s ? atof(s) : 1.0;
	long r = (long)((double)n * (f > 0 ? f : 1.0));
	return r < 1 ? 1 : r;
}

void bench_print_context(const char *backend)
{
	char cpu[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	const char *hash = getenv("BENCH_GIT_HASH");
	if (f) {
		char line[512];
		while (fgets(line, sizeof line, f))
			if (strncmp(line, "model name", 10) == 0) {
				char *colon = strchr(line, ':');
				if (colon) {
					snprintf(cpu, sizeof cpu, "%s", colon + 2);
					cpu[strcspn(cpu, "\n")] = '\0';
				}
				break;
			}
		fclose(f);
	}
	printf("context: cpu \"%s\" x %d; compiler %s; flags %s; backend %s; git %s\n",
	       cpu, bench_cores(),
#if defined(__clang__)
	       "clang " __clang_version__,
#elif defined(__GNUC__)
	       "gcc " __VERSION__,
#else
	       "other",
#endif
	       BENCH_CFLAGS, backend, hash ? hash : "unknown");
}
