"""Every type the module makes passes the checks a debug interpreter's
PyType_Ready makes (ready_check.c), which release builds leave out: a type
with the vectorcall flag has tp_call and a positive tp_vectorcall_offset by
the time it is readied, a method descriptor type has tp_descr_get.

The interpreters here are release builds, so the check runs in a child with
ready_check.c's library preloaded (Linux).  It skips where that library was
not built, or where the interpreter readies spec types without going
through the dynamic linker (so the library never sees them).  A type that
avoids the checks by dropping the flag would lose the speed the flag is
there for, so the flags are checked too, in this process."""
import os
import sys
import unittest

import thread
from support import run_script

LIBRARY = os.environ.get("THREAD_READY_CHECK", "")
# Types of the page module and of its drop-in (the stock _thread's own are
# static types, made before the library is loaded, so never seen).
TYPES = ("thread.LockType", "_thread.lock", "_thread.RLock",
         "thread.fast_method_descriptor", "thread.fast_method")
HAVE_VECTORCALL = 1 << 11  # the same bit in every CPython 3.8+
METHOD_DESCRIPTOR = 1 << 17


class Flags(unittest.TestCase):
    def test_the_fast_method_types_are_called_through_vectorcall(self):
        # Not merely readied without the flag: fastmethod.c's types are
        # only fast with it, on every version.
        descriptor = type(thread.LockType.__dict__["__enter__"])
        bound = type(thread.allocate_lock().__enter__)
        self.assertEqual(descriptor.__flags__ & (HAVE_VECTORCALL | METHOD_DESCRIPTOR),
                         HAVE_VECTORCALL | METHOD_DESCRIPTOR)
        self.assertTrue(bound.__flags__ & HAVE_VECTORCALL)


@unittest.skipUnless(sys.platform.startswith("linux") and os.path.exists(LIBRARY),
                     "needs ready_check.c's library (built on Linux) for LD_PRELOAD")
class TypeReady(unittest.TestCase):
    def test_every_type_of_the_module_passes_the_checks_of_a_debug_pytype_ready(self):
        rc, out, err = run_script("""
            import thread
            lock = thread.allocate_lock()
            with lock:
                print(lock.locked())
        """, env={"LD_PRELOAD": LIBRARY})
        self.assertEqual((rc, out), (0, "True\n"), err)
        passed = [line for line in err.splitlines() if line.startswith("ready-check: ")]
        if not passed:
            self.skipTest("this interpreter readies spec types without the dynamic linker")
        # Every type the library saw passed, and all of ours were seen (the
        # drop-in's later parts add types of their own: _local, handles).
        self.assertEqual([line for line in passed if not line.endswith(" passed")], [], err)
        for name in TYPES:
            self.assertIn("ready-check: %s passed" % name, passed, err)


if __name__ == "__main__":
    unittest.main()
