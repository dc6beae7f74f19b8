"""Check one built wheel of thread (tests/python/check_wheels.sh).

Usage: wheel_contents.py WHEEL README LICENSE   (pyproject.toml beside README)
Checks that the wheel is tagged for the interpreter running this script,
and carries the extension module, the runner, the stub beside the module
and as the PEP 561 stub package thread-stubs, the licence file, and
metadata whose name, version, licence and description are the project's:
the version pyproject.toml states, and the README as the description.
Prints what it checked; exits 1 naming each thing that is wrong."""
import email.parser
import os
import re
import sys
import sysconfig
import zipfile

problems = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        problems.append(what)


def main(wheel, readme_path, license_path):
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()
    with open(license_path, encoding="utf-8") as f:
        licence = f.read()
    tag = "cp%d%d" % sys.version_info[:2]
    name = wheel.rsplit("/", 1)[-1]
    m = re.fullmatch(r"thread-([0-9][^-]*)-(cp\d+)-(cp\d+t?)-([^-]+)\.whl", name)
    check(m is not None and m.group(2) == tag and m.group(3).rstrip("t") == tag,
          "%s is tagged for this interpreter (%s)" % (name, tag))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        ext = sysconfig.get_config_var("EXT_SUFFIX")
        dist = "thread-%s.dist-info/" % (m.group(1) if m else "?")
        for f in ("thread" + ext, "thread_run.py", "thread.pyi", "thread-stubs/__init__.pyi",
                  dist + "METADATA", dist + "RECORD", dist + "WHEEL"):
            check(f in names, "the wheel holds " + f)
        def read(f):
            return z.read(f) if f in names else None
        stub = read("thread.pyi")
        check(stub and read("thread-stubs/__init__.pyi") == stub,
              "the stub package is the stub shipped beside the module")
        licences = [n for n in names if n.startswith(dist) and n.rsplit("/", 1)[-1] == "LICENSE"]
        check(len(licences) == 1 and z.read(licences[0]).decode() == licence,
              "the dist-info holds LICENSE, as in the sources")
        meta = email.parser.Parser().parsestr((read(dist + "METADATA") or b"").decode())
    with open(os.path.join(os.path.dirname(readme_path), "pyproject.toml"), encoding="utf-8") as f:
        version = re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)
    check(meta.get("Name") == "thread", "metadata Name: thread")
    check(meta.get("Version") == version, "metadata Version: %s (pyproject.toml)" % version)
    check(meta.get("License") == "MIT", "metadata License: MIT")
    check(meta.get("Requires-Python") == ">=3.8", "metadata Requires-Python: >=3.8")
    check(bool(meta.get("Summary")), "metadata Summary: %r" % meta.get("Summary"))
    check(meta.get("Description-Content-Type") == "text/markdown",
          "metadata Description-Content-Type: text/markdown")
    check(meta.get_payload().strip() == readme.strip(), "the description is the README")
    if problems:
        print("%d problem(s) with %s" % (len(problems), name))
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
