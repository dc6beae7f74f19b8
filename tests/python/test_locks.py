"""lock_cases.py on both implementations of the page's lock model."""
import _thread
import unittest

import thread
from lock_cases import LockCases


class ThreadLockTests(LockCases, unittest.TestCase):
    module = thread
    noarg_result = None


class UnderscoreThreadLockTests(LockCases, unittest.TestCase):
    module = _thread
    noarg_result = True


if __name__ == "__main__":
    unittest.main()
