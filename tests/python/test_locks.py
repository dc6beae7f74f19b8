"""lock_cases.py on every implementation of the page's lock model: the
page's thread, its drop-in _thread, and the stock _thread."""
import _thread
import unittest

import thread
from lock_cases import LockCases


class ThreadLockTests(LockCases, unittest.TestCase):
    module = thread
    noarg_result = None


class DropinLockTests(LockCases, unittest.TestCase):
    module = thread.dropin
    noarg_result = True


class UnderscoreThreadLockTests(LockCases, unittest.TestCase):
    module = _thread
    noarg_result = True


if __name__ == "__main__":
    unittest.main()
