"""Run CPython test modules (or single test ids) with unittest on the stock
`_thread` or on thread.dropin, and write each test's outcome as it happens.

usage: python -S suite_child.py stock|dropin OUTCOMES NAME [NAME ...]

Run by run_suites.py under -S, so that nothing has imported `threading`
before the drop-in is swapped in.  OUTCOMES gets one line per outcome:
"<outcome>\\t<test id>\\t<reason>", outcome one of pass, fail, error, skip,
xfail, xpass, flushed at once, so a run that hangs or crashes still leaves
what it did.  The test output goes to stdout."""
import sys

MODE, OUT, NAMES = sys.argv[1], sys.argv[2], sys.argv[3:]

# Before anything else: unittest itself imports threading on 3.8 (logging).
if MODE == "dropin":
    if "threading" in sys.modules:
        sys.exit("suite_child: threading was imported before the drop-in")
    import thread
    # The raw swap the suites are to run on: what thread.install() does
    # before threading is imported, without its refusal when the drop-in is
    # incomplete, so an incomplete drop-in shows up as the failures it makes.
    sys.modules["_thread"] = thread.dropin

out = open(OUT, "w")


def record(outcome, test_id, reason=""):
    out.write("%s\t%s\t%s\n" % (outcome, test_id, reason.replace("\t", " ").replace("\n", " ")))
    out.flush()


try:
    # On 3.8 functools takes RLock from _thread: unittest needs the drop-in.
    import importlib
    import traceback
    import unittest
except Exception as e:
    record("error", NAMES[0] + ".<import unittest>", "%s: %s" % (type(e).__name__, e))
    raise


def why(err):
    """The last line of an exception: its type and message."""
    lines = traceback.format_exception_only(err[0], err[1])
    return lines[-1].strip() if lines else ""


class Recorder(unittest.TextTestResult):
    """A TextTestResult that also records every outcome by test id.  A test
    one of whose subtests failed is a failure, never a pass."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subtest_failed = set()

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() not in self.subtest_failed:
            record("pass", test.id())

    def addFailure(self, test, err):
        super().addFailure(test, err)
        record("fail", test.id(), why(err))

    def addError(self, test, err):
        super().addError(test, err)
        record("error", test.id(), why(err))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        record("skip", test.id(), reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        record("xfail", test.id())

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        record("xpass", test.id())

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None and test.id() not in self.subtest_failed:
            self.subtest_failed.add(test.id())
            kind = "fail" if issubclass(err[0], test.failureException) else "error"
            record(kind, test.id(), why(err))


def main():
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=Recorder)
    try:
        module = importlib.import_module(NAMES[0]) if len(NAMES) == 1 else None
        if module is not None and hasattr(module, "test_main"):
            # Up to 3.10 some suites set up in test_main (test_threadsignals
            # installs its signal handlers there), as regrtest runs them.
            from test import support
            results = []
            support._run_suite = lambda suite: results.append(runner.run(suite))
            module.test_main()
            return 0 if all(r.wasSuccessful() for r in results) else 1
        suite = unittest.defaultTestLoader.loadTestsFromNames(NAMES)
    except Exception:
        record("error", NAMES[0] + ".<import>", why(sys.exc_info()))
        traceback.print_exc()
        return 1
    result = runner.run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
