"""Run one test module with unittest and record the counts for summary.py.

usage: run.py CTEST_NAME RESULTS_DIR MODULE

Writes RESULTS_DIR/CTEST_NAME.json = {"ctest_name", "passed", "failed",
"skipped"}; exits 1 if anything failed.  A run that dies before writing it
leaves no file, and summary.py then counts the CTest entry as failed."""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    name, results, module = sys.argv[1:4]
    os.makedirs(results, exist_ok=True)
    out = os.path.join(results, name + ".json")
    if os.path.exists(out):
        os.remove(out)  # never count a previous run's result
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.loadTestsFromName(module)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    if result.testsRun == 0:
        failed += 1  # a module that found no tests is broken
    with open(out, "w") as f:
        json.dump({"ctest_name": name, "passed": passed, "failed": failed,
                   "skipped": skipped}, f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
