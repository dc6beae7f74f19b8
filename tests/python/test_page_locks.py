"""The reference page, sentence by sentence: the methods of lock objects."""
import threading
import time
import unittest

import thread
from support import WAIT_CAP, wait_until


def start(fn):
    t = threading.Thread(target=fn)
    t.start()
    return t


class Acquire(unittest.TestCase):
    def test_lock_objects_have_the_following_methods(self):
        for name in ("acquire", "release", "locked"):
            self.assertIn(name, dir(thread.LockType))

    def test_without_the_optional_argument_acquire_waits_until_released_by_another_thread_and_returns_none(self):
        lock = thread.allocate_lock()
        self.assertIsNone(lock.acquire())
        state = []

        def waiter():
            state.append("waiting")
            state.append(lock.acquire())
        t = start(waiter)
        self.assertTrue(wait_until(lambda: state == ["waiting"]))
        self.assertTrue(t.is_alive())
        lock.release()
        t.join(WAIT_CAP)
        self.assertEqual(state, ["waiting", None])

    def test_only_one_thread_at_a_time_can_acquire_a_lock(self):
        lock = thread.allocate_lock()
        inside = [0]
        peak = [0]

        def work():
            for _ in range(300):
                lock.acquire()
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
                time.sleep(0)  # invite another thread in
                inside[0] -= 1
                lock.release()
        threads = [start(work) for _ in range(4)]
        for t in threads:
            t.join(WAIT_CAP)
        self.assertEqual(peak[0], 1)

    def test_if_waitflag_is_zero_the_lock_is_only_acquired_if_it_can_be_without_waiting(self):
        lock = thread.allocate_lock()
        self.assertEqual(lock.acquire(0), 1)
        start_t = time.monotonic()
        self.assertEqual(lock.acquire(0), 0)
        self.assertLess(time.monotonic() - start_t, 1.0)

    def test_if_waitflag_is_nonzero_the_lock_is_acquired_unconditionally_as_before(self):
        lock = thread.allocate_lock()
        lock.acquire()
        state = []

        def waiter():
            state.append("waiting")
            state.append(lock.acquire(7))
        t = start(waiter)
        self.assertTrue(wait_until(lambda: state == ["waiting"]))
        lock.release()
        t.join(WAIT_CAP)
        self.assertEqual(state, ["waiting", 1])

    def test_if_an_argument_is_present_the_return_value_is_1_if_acquired_0_if_not(self):
        lock = thread.allocate_lock()
        self.assertEqual(lock.acquire(1), 1)
        self.assertEqual(lock.acquire(0), 0)
        self.assertIsInstance(lock.acquire(0), bool)

    def test_blocking_acquire_releases_the_interpreter_lock_so_other_threads_run(self):
        lock = thread.allocate_lock()
        lock.acquire()
        count = [0]

        def spin():
            while count[0] < 1000:
                count[0] += 1
            lock.release()
        t = start(spin)
        self.assertIs(lock.acquire(True, WAIT_CAP), True)
        t.join(WAIT_CAP)
        self.assertEqual(count[0], 1000)


class Release(unittest.TestCase):
    def test_release_releases_the_lock(self):
        lock = thread.allocate_lock()
        lock.acquire()
        lock.release()
        self.assertFalse(lock.locked())

    def test_the_lock_must_have_been_acquired_earlier(self):
        lock = thread.allocate_lock()
        with self.assertRaises(thread.error):
            lock.release()
        lock.acquire()
        lock.release()
        with self.assertRaises(thread.error):
            lock.release()

    def test_but_not_necessarily_by_the_same_thread(self):
        lock = thread.allocate_lock()
        errors = []

        def take():
            lock.acquire()
        start(take).join(WAIT_CAP)
        self.assertTrue(lock.locked())
        try:
            lock.release()
        except thread.error as e:
            errors.append(e)
        self.assertEqual(errors, [])
        self.assertFalse(lock.locked())


class Locked(unittest.TestCase):
    def test_locked_returns_1_if_it_has_been_acquired_by_some_thread_0_if_not(self):
        lock = thread.allocate_lock()
        self.assertEqual(lock.locked(), 0)
        start(lock.acquire).join(WAIT_CAP)
        self.assertEqual(lock.locked(), 1)
        lock.release()
        self.assertEqual(lock.locked(), 0)


if __name__ == "__main__":
    unittest.main()
