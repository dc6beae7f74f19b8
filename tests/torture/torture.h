/* What the torture programs share: reading their counts from the command
 * line, keeping a fixed number of short-lived workers alive.  POSIX only (the programs use fork, kill and sigaction). */
#ifndef TORTURE_H
#define TORTURE_H

#include "harness.h"
#include "thread.h"

/* argv[i] as a positive count, or `fallback` when absent. */
long torture_arg(int argc, char **argv, int i, long fallback);

/* Run `total` workers of `fn`, at most `live` at a time: a finished one is
 * joined and replaced at once, so threads start and exit throughout.  Each
 * gets args + k * size (k = its number).  Returns the number started, or a
 * negative THREAD_E* code when a start failed (workers started are joined).
 * Workers still running at `deadline` (thread_monotonic_ns) are counted in
 * *hung and left running; no more start then. */
long torture_run_workers(thread_func fn, void *args, size_t size, long total, int live,
                         int64_t deadline, long *hung);

#endif
