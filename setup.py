"""Build the `thread` extension with setuptools, compiling libthread's
sources straight into it (pyproject.toml holds the metadata).  The CMake
build (python/CMakeLists.txt) is the other way to build the same module;
both pick the same compat file and wait backend."""
import os
import shutil
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.install import install

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


def compat_sources():
    # The same table as python/compat.cmake.
    v = sys.version_info[:2]
    if v < (3, 9):
        name = "compat_py38.c"
    elif v < (3, 10):
        name = "compat_py39.c"
    elif v < (3, 12):
        name = "compat_py310.c"
    elif v < (3, 13):
        name = "compat_py312.c"
    else:
        name = "compat_py313.c"
    gil = "compat_gil_runtime.c" if v < (3, 12) else "compat_gil_interp.c"
    shared = ["compat_before313.c"] if v < (3, 13) else []
    return [rel("python", n) for n in [name, gil] + shared]


def library_sources():
    """libthread's sources for this platform, as CMakeLists.txt picks them."""
    core = [rel("src", f) for f in ("lock.c", "spin.c", "deadline.c", "error.c", "rlock.c",
                                    "join.c", "fork.c", "name.c")]
    if sys.platform == "win32":
        return core + [rel("src", "thread_win.c"), rel("src", "wait_win.c")], [], ["synchronization"]
    backend = "wait_futex.c" if sys.platform.startswith("linux") else "wait_park.c"
    # Linux: glibc and musl 1.2.3+ name threads (CMake checks; here assumed).
    macros = ([("_GNU_SOURCE", None), ("THREAD_HAVE_PTHREAD_SETNAME_NP", None),
               ("THREAD_HAVE_PTHREAD_GETNAME_NP", None)]
              if sys.platform.startswith("linux") else [])
    return core + [rel("src", "thread_posix.c"), rel("src", backend)], macros, []


class build_ext_with_stub(build_ext):
    """Also install the stub, python/thread.pyi, twice: beside the built
    module (where editors look) and as the PEP 561 stub package
    thread-stubs/__init__.pyi (where type checkers look: PEP 561 ships
    types for a package, and `thread` is a single module).  An in-place
    build needs neither: it puts the module in python/, beside the stub."""

    def run(self):
        super().run()
        if self.inplace:
            return
        stub = os.path.join(HERE, "python", "thread.pyi")
        os.makedirs(os.path.join(self.build_lib, "thread-stubs"), exist_ok=True)
        shutil.copyfile(stub, os.path.join(self.build_lib, "thread.pyi"))
        shutil.copyfile(stub, os.path.join(self.build_lib, "thread-stubs", "__init__.pyi"))


class install_any_layout(install):
    """Debian's setuptools (python3-setuptools-whl, what an offline machine
    has) reads an `install_layout` option that only Debian's own Python
    defines (install_layout, prefix_option); other interpreters (pyenv's)
    need them to exist, unset."""

    install_layout = None
    prefix_option = None


# The extension's files (python/CMakeLists.txt lists the same).
PYTHON_PARTS = ("page", "dropin", "state", "lock", "wait", "rlock", "start", "handle", "local",
                "excepthook", "functions", "install", "fastmethod", "handoff")

lib_sources, macros, libraries = library_sources()
ext = Extension(
    "thread",
    sources=[rel("python", f + ".c") for f in PYTHON_PARTS] + compat_sources() + lib_sources,
    include_dirs=["include", "src"],
    define_macros=macros,
    libraries=libraries,
    extra_compile_args=[] if sys.platform == "win32" else ["-std=c11", "-pthread"],
    extra_link_args=[] if sys.platform == "win32" else ["-pthread"],
)

# thread_run (`python -m thread_run PROGRAM`) is pure Python, beside the module.
setup(ext_modules=[ext], py_modules=["thread_run"], package_dir={"": "python"}, cmdclass={"build_ext": build_ext_with_stub, "install": install_any_layout})
