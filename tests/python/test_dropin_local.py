"""_thread._local (thread-local data), run against the drop-in and the stock
type: per-thread attributes, __init__ in each thread, attribute errors, and
when the per-thread data is freed (thread end, local death, cycles)."""
import _thread
import gc
import sys
import unittest
import weakref

import thread
from support import WAIT_CAP


class Value:
    """Something a weak reference can watch."""


class LocalCases:
    local_module = None   # whose _local is tested
    thread_module = None  # whose start_new_thread and locks the threads use

    def setUp(self):
        self.Local = self.local_module._local

    def lock(self, held=False):
        lk = self.thread_module.allocate_lock()
        if held:
            lk.acquire()
        return lk

    def start(self, fn, *args):
        self.thread_module.start_new_thread(fn, args)

    def run_thread(self, fn, *args):
        """fn(*args) in a new thread; its result, or its exception raised here.
        Returns once fn has returned: the thread may not have ended yet."""
        done, out = self.lock(held=True), []

        def body():
            try:
                out.append((True, fn(*args)))
            except BaseException as e:  # handed to the caller
                out.append((False, e))
            finally:
                done.release()
        self.start(body)
        self.assertTrue(done.acquire(timeout=WAIT_CAP), "thread did not finish")
        ok, value = out.pop()
        if not ok:
            raise value
        return value

    def watch(self, obj):
        """A held lock released when `obj` is freed, and the weak reference
        that does it (keep it alive)."""
        gone = self.lock(held=True)
        return gone, weakref.ref(obj, lambda r: gone.release())

    # ---- per-thread values ------------------------------------------------

    def test_each_thread_sees_only_its_own_attributes(self):
        loc = self.Local()
        loc.x = 1

        def body():
            seen = hasattr(loc, "x")
            loc.x = 2
            return seen, loc.x, dict(loc.__dict__)
        self.assertEqual(self.run_thread(body), (False, 2, {"x": 2}))
        self.assertEqual((loc.x, loc.__dict__), (1, {"x": 1}))

    def test_a_new_thread_never_sees_the_data_of_threads_that_ended(self):
        # Each thread ends (its data freed) before the next starts, so the
        # next one is likely to get the same memory for its thread state:
        # what the drop-in remembers of the last thread must not carry over.
        loc = self.Local()

        def body(i):
            seen = getattr(loc, "x", None)
            loc.x = i
            loc.v = Value()
            return seen, self.watch(loc.v)
        for i in range(100):
            seen, (gone, ref) = self.run_thread(body, i)
            self.assertIsNone(seen, "thread %d saw an ended thread's data" % i)
            self.assertTrue(gone.acquire(timeout=WAIT_CAP), "thread %d's data was not freed" % i)
        self.assertFalse(hasattr(loc, "x"))

    def test_deleting_an_attribute_removes_it_in_this_thread_only(self):
        loc = self.Local()
        loc.x = 1
        self.run_thread(lambda: setattr(loc, "x", 2))
        del loc.x
        self.assertFalse(hasattr(loc, "x"))

    def test_a_local_is_weakly_referenceable(self):
        loc = self.Local()
        self.assertIs(weakref.ref(loc)(), loc)

    # ---- __init__ and its arguments ---------------------------------------

    def test_subclass_init_runs_again_in_each_new_thread_with_the_original_arguments(self):
        calls = []
        get_ident = self.thread_module.get_ident

        class Sub(self.Local):
            def __init__(self, *args, **kw):
                calls.append((get_ident(), args, kw))
                self.args = args

        loc = Sub(1, "a", k=2)
        other = self.run_thread(lambda: (loc.args, get_ident()))
        self.assertEqual(other[0], (1, "a"))
        self.assertEqual(calls, [(get_ident(), (1, "a"), {"k": 2}),
                                 (other[1], (1, "a"), {"k": 2})])
        loc.args  # this thread's dict exists: no third call
        self.assertEqual(len(calls), 2)

    def test_an_init_that_failed_in_a_thread_runs_again_on_its_next_access(self):
        tries = []

        class Sub(self.Local):
            def __init__(self):
                tries.append(1)
                if len(tries) == 2:
                    raise ValueError("second call fails")
                self.ok = True

        loc = Sub()

        def body():
            with self.assertRaises(ValueError):
                loc.ok
            return loc.ok
        self.assertIs(self.run_thread(body), True)
        self.assertEqual(len(tries), 3)

    def test_arguments_without_an_init_are_a_type_error(self):
        class NoInit(self.Local):
            pass
        for cls in (self.Local, NoInit):
            for args, kw in (((1,), {}), ((), {"a": 1})):
                with self.assertRaises(TypeError) as cm:
                    cls(*args, **kw)
                self.assertEqual(str(cm.exception), "Initialization arguments are not supported")
        self.assertIsInstance(self.Local(*(), **{}), self.Local)

    # ---- attributes -------------------------------------------------------

    def test_a_missing_attribute_is_an_attribute_error(self):
        loc = self.Local()
        with self.assertRaises(AttributeError) as cm:
            loc.missing
        message = "'_thread._local' object has no attribute 'missing'"
        self.assertEqual(str(cm.exception), message)
        if sys.version_info >= (3, 10):  # what "did you mean" reads
            self.assertEqual((cm.exception.name, cm.exception.obj), ("missing", loc))
        with self.assertRaises(AttributeError) as cm:
            del loc.missing
        # Until 3.11 a failed del said only the name.
        self.assertEqual(str(cm.exception), message if sys.version_info >= (3, 11) else "missing")
        if sys.version_info >= (3, 13):
            self.assertEqual((cm.exception.name, cm.exception.obj), ("missing", loc))

    def test_dict_can_be_neither_assigned_nor_deleted(self):
        class Sub(self.Local):
            pass
        for loc, name in ((self.Local(), "_thread._local"), (Sub(), "Sub")):
            for act in (lambda: setattr(loc, "__dict__", {}), lambda: delattr(loc, "__dict__")):
                with self.assertRaises(AttributeError) as cm:
                    act()
                self.assertEqual(str(cm.exception),
                                 "'%s' object attribute '__dict__' is read-only" % name)

    def test_class_attributes_and_descriptors_resolve_as_for_any_object(self):
        class Sub(self.Local):
            shared = "class"

            @property
            def prop(self):
                return "property"

            def meth(self):
                return "method"

        loc = Sub()
        self.assertIs(loc.__class__, Sub)
        loc.shared = "mine"
        loc.__dict__["prop"] = "hidden by the property"
        loc.__dict__["meth"] = lambda: "from the dict"
        self.assertEqual((loc.shared, loc.prop, loc.meth()), ("mine", "property", "from the dict"))
        self.assertEqual(self.run_thread(lambda: (loc.shared, loc.prop, loc.meth())),
                         ("class", "property", "method"))
        with self.assertRaises(AttributeError):
            loc.prop = 1

    def test_slots_of_a_subclass_are_shared_by_all_threads(self):
        class Slotted(self.Local):
            __slots__ = ("shared",)

        loc = Slotted()
        loc.shared = "one for all"
        loc.own = "main"
        self.assertEqual(self.run_thread(lambda: (loc.shared, hasattr(loc, "own"))),
                         ("one for all", False))

    # ---- freeing -----------------------------------------------------------

    def test_a_threads_data_is_freed_when_the_thread_ends(self):
        loc, box = self.Local(), []

        def body():
            loc.value = Value()
            box.append(self.watch(loc.value))
        self.run_thread(body)
        gone, _ = box[0]
        self.assertTrue(gone.acquire(timeout=WAIT_CAP),
                        "a thread's value outlived its thread while the local lives")
        self.assertEqual(loc.__dict__, {})

    def test_a_threads_data_is_freed_when_the_local_dies_while_the_thread_lives(self):
        stored, leave, ended = self.lock(True), self.lock(True), self.lock(True)
        refs = []

        def body(box):
            box[0].value = Value()
            refs.append(weakref.ref(box[0].value))
            stored.release()
            leave.acquire()
            ended.release()
        box = [self.Local()]
        box[0].value = Value()
        mine = weakref.ref(box[0].value)
        self.start(body, box)
        self.assertTrue(stored.acquire(timeout=WAIT_CAP))
        box.clear()  # the last reference: freed now, no collection needed
        alive = (refs[0]() is not None, mine() is not None)
        leave.release()
        self.assertTrue(ended.acquire(timeout=WAIT_CAP))
        self.assertEqual(alive, (False, False))

    def blocks_left_by(self, one_round, rounds, warm_up):
        """Allocator blocks still in use after `rounds` calls of one_round,
        counted after `warm_up` calls have filled caches and free lists.
        (sys.getallocatedblocks, not tracemalloc: the drop-in's threads do
        not start under tracemalloc before 3.12, a start.c matter.)"""
        for _ in range(warm_up):
            one_round()
        gc.collect()
        before = sys.getallocatedblocks()
        for _ in range(rounds):
            one_round()
        gc.collect()
        return sys.getallocatedblocks() - before

    def test_many_threads_and_locals_leave_no_memory_behind(self):
        def one_round():
            loc = self.Local()
            loc.value = Value()
            box = []

            def body():
                loc.value = Value()
                box.append(self.watch(loc.value))
            self.run_thread(body)
            self.assertTrue(box[0][0].acquire(timeout=WAIT_CAP))

        rounds = 300
        # Whatever a round kept (a value, its dict, a thread's dict entry or
        # weak reference) is a block or more per round.
        self.assertLess(self.blocks_left_by(one_round, rounds, 30), rounds // 4)

    def test_many_locals_used_by_one_live_thread_leave_no_memory_behind(self):
        def one_round():
            loc = self.Local()
            loc.value = Value()

        rounds = 2000
        self.assertLess(self.blocks_left_by(one_round, rounds, 100), rounds // 10)

    # ---- the cyclic garbage collector --------------------------------------

    def test_a_cycle_through_a_local_is_collected(self):
        class Holder:
            pass
        holder = Holder()
        holder.local = self.Local()
        holder.local.holder = holder
        ref = weakref.ref(holder)
        del holder
        gc.collect()
        self.assertIsNone(ref())

    def test_a_cycle_through_a_live_threads_dict_is_collected(self):
        stored, leave, ended = self.lock(True), self.lock(True), self.lock(True)

        def body(box):
            box[0].me = box[0]
            stored.release()
            leave.acquire()
            ended.release()
        box = [self.Local()]
        ref = weakref.ref(box[0])
        self.start(body, box)
        self.assertTrue(stored.acquire(timeout=WAIT_CAP))
        box.clear()
        gc.collect()
        alive = ref() is not None
        leave.release()
        self.assertTrue(ended.acquire(timeout=WAIT_CAP))
        self.assertFalse(alive, "the collector missed the cycle")

    def test_the_collector_sees_a_subclass_instance_refer_to_its_class_once(self):
        class Sub(self.Local):
            pass
        self.assertEqual(gc.get_referents(Sub()).count(Sub), 1)


class DropinLocal(LocalCases, unittest.TestCase):
    local_module = thread.dropin
    thread_module = thread.dropin


class DropinLocalInStockThreads(LocalCases, unittest.TestCase):
    local_module = thread.dropin
    thread_module = _thread


class StockLocal(LocalCases, unittest.TestCase):
    local_module = _thread
    thread_module = _thread


if __name__ == "__main__":
    unittest.main()
