/* Shared by the model checker (model.c) and its scenarios (scenarios.c). */
#ifndef MODEL_H
#define MODEL_H

#include "thread_impl.h"

#include <stddef.h>

/* Mirrors the bit table at the top of src/lock.c. */
#define LK_LOCKED 1u
#define LK_SLEEPERS 2u
#define LK_HANDOFF 4u
#define LK_HUNGRY 8u

#define MAX_THREADS 4

/* The lock under test and the books the checks read (model.c resets them
 * before each schedule; only the running simulated thread writes them). */
extern thread_lock lk;
extern long acquired, released; /* successful acquires and releases */
extern int holders;             /* threads inside a critical section */
extern int interruptible, rounds; /* of the scenario that runs */

/* A random number below n, from the schedule's seeded generator. */
unsigned pick(unsigned n);
/* Report a broken check with the seed that reproduces it, and exit. */
void failure(const char *what);

struct scenario {
	const char *name; /* NULL ends the table */
	void (*bodies[MAX_THREADS])(void);
	int threads, rounds, interruptible;
	int ends_free;       /* every thread releases what it took */
	int may_end_blocked; /* consumers may outlast the producer's releases */
	int must_double_release; /* some schedule must free a lock with a grant
	                          * owed, and another thread take it */
};

extern const struct scenario scenarios[];

#endif
