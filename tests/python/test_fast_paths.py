"""Objects the module reuses to be fast, which must still behave as new.

LockType.__enter__ and __exit__, the methods `with` binds on every use,
are fast methods (python/fastmethod.c): their bound form is a small object
the cyclic GC does not track, reused from a free list.  They must behave
and introspect like built-in methods, and leak nothing.  Freed lock objects
are reused too (python/freelist.h, up to 3.11): a reused one must be a new,
unlocked lock with no weak references."""
import gc
import inspect
import sys
import tracemalloc
import unittest
import weakref

import thread

DESCRIPTORS = ("__enter__", "__exit__")


class FastMethods(unittest.TestCase):
    def test_bound_methods_call_through_to_the_lock(self):
        lock = thread.allocate_lock()
        enter, leave = lock.__enter__, lock.__exit__
        self.assertIs(enter(), True)
        self.assertTrue(lock.locked())
        self.assertIsNone(leave(None, None, None))
        self.assertFalse(lock.locked())
        self.assertIs(enter(), True)
        self.assertIsNone(leave())  # any number of positional arguments
        with self.assertRaises(thread.error):
            leave()

    def test_bad_arguments_raise_type_error_and_leave_the_lock_alone(self):
        lock = thread.allocate_lock()
        with self.assertRaisesRegex(TypeError, r"__enter__\(\) takes no arguments"):
            lock.__enter__(1)
        with self.assertRaisesRegex(TypeError, r"__enter__\(\) takes no arguments"):
            lock.__enter__(blocking=True)
        self.assertFalse(lock.locked())
        lock.acquire()
        with self.assertRaisesRegex(TypeError, "__exit__.*keyword"):
            lock.__exit__(None, None, tb=None)
        self.assertTrue(lock.locked())

    def test_the_descriptors_can_be_called_unbound_on_a_lock_only(self):
        lock = thread.allocate_lock()
        self.assertIs(thread.LockType.__enter__(lock), True)
        self.assertTrue(lock.locked())
        thread.LockType.__exit__(lock, None, None, None)
        self.assertFalse(lock.locked())
        with self.assertRaisesRegex(TypeError, "needs an argument"):
            thread.LockType.__enter__()
        for bad in (3, None, object()):
            with self.assertRaisesRegex(TypeError, "doesn't apply to a"):
                thread.LockType.__enter__(bad)
            if bad is not None:  # __get__(None, ...) is a lookup on the class
                with self.assertRaisesRegex(TypeError, "doesn't apply to a"):
                    thread.LockType.__dict__["__exit__"].__get__(bad, type(bad))

    def test_the_descriptors_introspect_like_method_descriptors(self):
        for name in DESCRIPTORS:
            d = thread.LockType.__dict__[name]
            self.assertIs(getattr(thread.LockType, name), d)
            self.assertIs(d.__get__(None, thread.LockType), d)
            self.assertEqual(d.__name__, name)
            self.assertEqual(d.__qualname__, "LockType." + name)
            self.assertIs(d.__objclass__, thread.LockType)
            self.assertEqual(repr(d), "<method '%s' of 'thread.LockType' objects>" % name)
            self.assertTrue(inspect.ismethoddescriptor(d))
            self.assertTrue(d.__doc__)
            self.assertNotIn("--", d.__doc__)  # the signature is not in the text
        self.assertEqual(str(inspect.signature(thread.LockType.__enter__)), "(self, /)")
        self.assertEqual(str(inspect.signature(thread.LockType.__exit__)),
                         "(self, /, *exc_info)")

    def test_bound_methods_introspect_like_built_in_methods(self):
        lock = thread.allocate_lock()
        for name in DESCRIPTORS:
            m = getattr(lock, name)
            self.assertIs(m.__self__, lock)
            self.assertEqual(m.__name__, name)
            self.assertEqual(m.__qualname__, "LockType." + name)
            self.assertEqual(m.__doc__, getattr(thread.LockType, name).__doc__)
            self.assertEqual(m.__text_signature__,
                             getattr(thread.LockType, name).__text_signature__)
            self.assertTrue(repr(m).startswith(
                "<built-in method %s of thread.LockType object at 0x" % name), repr(m))
            self.assertTrue(inspect.isroutine(m))
        self.assertEqual(str(inspect.signature(lock.__enter__)), "()")
        self.assertEqual(str(inspect.signature(lock.__exit__)), "(*exc_info)")
        self.assertIn("Release the lock.", inspect.getdoc(lock.__exit__))

    def test_bound_methods_compare_and_hash_by_lock_and_method(self):
        a, b = thread.allocate_lock(), thread.allocate_lock()
        self.assertEqual(a.__enter__, a.__enter__)
        self.assertEqual(hash(a.__enter__), hash(a.__enter__))
        self.assertNotEqual(a.__enter__, b.__enter__)
        self.assertNotEqual(a.__enter__, a.__exit__)
        self.assertNotEqual(a.__enter__, a.acquire)
        self.assertEqual(len({a.__enter__, a.__enter__, a.__exit__, b.__enter__}), 3)

    def test_bound_methods_are_not_gc_tracked_and_keep_their_lock_alive(self):
        self.assertFalse(gc.is_tracked(thread.allocate_lock().__enter__))
        self.assertTrue(gc.is_tracked(thread.LockType.__dict__["__enter__"]))
        enter = thread.allocate_lock().__enter__
        gc.collect()
        self.assertIs(enter(), True)
        self.assertTrue(enter.__self__.locked())

    def test_reused_bound_methods_are_bound_to_the_right_lock(self):
        # More live bound methods than the free list keeps, dropped and made
        # again in a different order, each checked against its own lock.
        locks = [thread.allocate_lock() for _ in range(100)]
        for rnd in range(3):
            order = locks if rnd % 2 == 0 else locks[::-1]
            bound = [(lk, lk.__enter__, lk.__exit__) for lk in order]
            for lk, enter, leave in bound:
                self.assertIs(enter.__self__, lk)
                self.assertIs(leave.__self__, lk)
                enter()
            self.assertTrue(all(lk.locked() for lk in locks))
            for lk, enter, leave in bound:
                leave()
                self.assertFalse(lk.locked())
            del bound, enter, leave

    def test_nested_with_blocks_on_many_locks(self):
        locks = [thread.allocate_lock() for _ in range(40)]

        def nest(i):
            if i == len(locks):
                return sum(lk.locked() for lk in locks)
            with locks[i]:
                return nest(i + 1)
        self.assertEqual(nest(0), len(locks))
        self.assertFalse(any(lk.locked() for lk in locks))

    def test_with_and_bound_methods_leak_no_references(self):
        lock = thread.allocate_lock()
        descrs = [thread.LockType.__dict__[n] for n in DESCRIPTORS]

        def counts():
            return ([sys.getrefcount(lock), sys.getrefcount(thread.LockType)]
                    + [sys.getrefcount(d) for d in descrs])
        for _ in range(100):  # fill the free lists first
            with lock:
                pass
        before = counts()
        for _ in range(1000):
            with lock:
                pass
            lock.__enter__()
            lock.__exit__(None, None, None)
            kept = [lock.__enter__ for _ in range(20)]
            del kept
            try:
                with lock:
                    raise ValueError
            except ValueError:
                pass
        self.assertEqual(counts(), before)

    def test_with_allocates_no_memory_per_use(self):
        lock = thread.allocate_lock()

        def run(n):
            for _ in range(n):
                with lock:
                    pass
        run(100)
        tracemalloc.start()
        try:
            run(100)
            before = tracemalloc.get_traced_memory()[0]
            run(20000)
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        # A leaked 48-byte bound method per `with` would be ~1 MB here.
        self.assertLess(after - before, 4096)


class LockReuse(unittest.TestCase):
    def test_a_lock_freed_while_held_comes_back_unlocked(self):
        for make in (thread.allocate_lock, thread.LockType):
            held = [make() for _ in range(200)]
            for lk in held:
                lk.acquire()
            del held, lk
            fresh = [make() for _ in range(200)]
            self.assertFalse(any(lk.locked() for lk in fresh))
            for lk in fresh:
                self.assertIs(lk.acquire(0), True)
                lk.release()

    def test_a_lock_freed_with_weak_references_comes_back_without_them(self):
        calls = []
        old = [thread.allocate_lock() for _ in range(200)]
        refs = [weakref.ref(lk, calls.append) for lk in old]
        del old
        self.assertEqual(len(calls), 200)
        self.assertTrue(all(r() is None for r in refs))
        fresh = [thread.allocate_lock() for _ in range(200)]
        self.assertTrue(all(weakref.getweakrefcount(lk) == 0 for lk in fresh))
        new_refs = [weakref.ref(lk) for lk in fresh]
        self.assertTrue(all(r() is lk for r, lk in zip(new_refs, fresh)))
        self.assertTrue(all(r() is None for r in refs))

    def test_allocating_and_freeing_locks_leaks_nothing(self):
        def churn(n):
            for _ in range(n):
                thread.allocate_lock().acquire()
                batch = [thread.allocate_lock() for _ in range(100)]
                del batch
        churn(10)
        before = sys.getrefcount(thread.LockType)
        tracemalloc.start()
        try:
            churn(10)
            mem = tracemalloc.get_traced_memory()[0]
            churn(500)
            grown = tracemalloc.get_traced_memory()[0] - mem
        finally:
            tracemalloc.stop()
        self.assertEqual(sys.getrefcount(thread.LockType), before)
        self.assertLess(grown, 4096)  # 32 bytes a lock leaked would be 1.6 MB


if __name__ == "__main__":
    unittest.main()
