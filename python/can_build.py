"""Print ON if this interpreter can build the extension (CPython 3.8+ with
its C headers), else OFF.  Used by the Makefile to set THREAD_PYTHON."""
import os
import platform
import sys
import sysconfig

ok = (platform.python_implementation() == "CPython"
      and sys.version_info >= (3, 8)
      and os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))
print("ON" if ok else "OFF")
