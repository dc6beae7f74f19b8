"""The manual pages in man/ against include/thread.h (a CTest test).

The header is the single source of the contracts; the pages are written
from it.  This checks the parts of that which a program can see:

1. Every THREAD_API function has man/NAME.3, either a page or a symbolic
   link to its family's page in man/ (installed as a link, so `man NAME`
   finds it; mandoc calls `.so` links fragile); the page's NAME section
   lists it, and its SYNOPSIS has its prototype exactly as the header
   declares it (return type and every parameter).
2. Nothing else: every file in man/ is thread.3, or a page or link for a
   function the header declares; a page lists no name the header lacks.
3. Every error code the header defines is in thread(3)'s ERRORS with its
   value; every THREAD_* name any page mentions exists in the header (or
   is a CMake option of CMakeLists.txt).
4. Each function's page names every THREAD_E* code that the function's
   comment in the header names.
5. Every other public name of the header, macro (flags, initialisers,
   version) or type, is mentioned by some page.
With --examples CC LIBRARY WORKDIR, instead: every EXAMPLES block that is
a whole program (it has main) is compiled with CC against the header and
LIBRARY, then run; it must exit 0.

Usage: check_man.py SOURCE_ROOT [--examples CC LIBRARY WORKDIR]"""
import os
import re
import shlex
import subprocess
import sys

root = os.path.abspath(sys.argv[1])
MAN = os.path.join(root, "man")
HEADER = os.path.join(root, "include", "thread.h")
problems = []


def problem(msg):
    problems.append(msg)
    print("FAIL: " + msg)


def squash(text):
    """A C type or declaration with spacing normalised: 'int  *x' and
    'int* x' both become 'int*x'."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s*\*\s*", "*", text)


# ---- the header ----------------------------------------------------------
with open(HEADER, encoding="utf-8") as f:
    header = f.read()

# name -> (return type, [parameters], the comment block just above it)
api = {}
PROTO = re.compile(r"(/\*(?:(?!\*/).)*\*/)?\s*^THREAD_API\s+([^;(]*?)\b(thread_\w+)\s*\(([^)]*)\)\s*;",
                   re.S | re.M)
for m in PROTO.finditer(header):
    comment, ret, name, params = m.group(1) or "", m.group(2), m.group(3), m.group(4)
    api[name] = (squash(ret), [squash(p) for p in params.split(",")], comment)
declared = len(re.findall(r"^THREAD_API\s", header, re.M))
if declared != len(api) or not api:
    problem("include/thread.h: %d THREAD_API declarations, %d understood"
            % (declared, len(api)))

codes = {name: int(value) for name, value in
         re.findall(r"^#define\s+(THREAD_E\w+)\s+\((-\d+)\)", header, re.M)}
if not codes:
    problem("include/thread.h: no THREAD_E* error codes found")
# THREAD_* names a page may use: the header's, and the build's options.
with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
    known_names = set(re.findall(r"\bTHREAD_[A-Z0-9_]+\b", header + f.read()))


# Public macros and types, which some page must mention (5).
public_names = (set(re.findall(r"^#define\s+(THREAD_\w+)", header, re.M)) - {"THREAD_H", "THREAD_API"}
                | set(re.findall(r"^typedef\s[^;{]*?\b(thread_\w+)\s*;", header, re.M))
                | set(re.findall(r"^typedef\s[^;]*?\(\*(thread_\w+)\)", header, re.M))
                | set(re.findall(r"^\}\s*(thread_\w+)\s*;", header, re.M)))

# ---- the pages -----------------------------------------------------------
def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def link_target(path):
    """The file name a link in man/ points at, or None for a real page.  A
    checkout without symbolic links (git on Windows, by default) has a
    file holding the target's name instead."""
    if os.path.islink(path):
        return os.readlink(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text if re.fullmatch(r"thread\w*\.3", text) else None


def section(text, title):
    m = re.search(r"^\.Sh %s\n(.*?)(?=^\.Sh |\Z)" % re.escape(title), text, re.S | re.M)
    return m.group(1) if m else ""


def mdoc_args(line):
    """The arguments of an mdoc macro line, quotes removed."""
    try:
        return shlex.split(line)[1:]
    except ValueError:
        return line.split()[1:]


def synopsis_prototypes(text):
    """name -> (return type, [parameters]) from .Ft with .Fn or .Fo/.Fa/.Fc."""
    found, ret, current = {}, None, None
    for line in section(text, "SYNOPSIS").splitlines():
        macro = line.split(" ", 1)[0]
        args = mdoc_args(line)
        if macro == ".Ft":
            ret = squash(" ".join(args))
        elif macro == ".Fn" and args:
            found[args[0]] = (ret, [squash(a) for a in args[1:]])
        elif macro == ".Fo" and args:
            current = args[0]
            found[current] = (ret, [])
        elif macro == ".Fa" and current:
            found[current][1].extend(squash(a) for a in args)
        elif macro == ".Fc":
            current = None
    return found


files = sorted(f for f in os.listdir(MAN) if f.endswith(".3"))
pages, links = {}, {}
for f in files:
    target = link_target(os.path.join(MAN, f))
    if target is None:
        pages[f[:-2]] = read(os.path.join(MAN, f))
    else:
        links[f[:-2]] = target


def check_pages():
    """Checks 1 to 5."""
    listed = {}  # page -> names its NAME section lists
    for page, text in pages.items():
        listed[page] = [a[0] for a in (mdoc_args(l) for l in section(text, "NAME").splitlines()
                                       if l.startswith(".Nm "))]
        if page not in listed[page]:
            problem("man/%s.3: its NAME section does not list %s" % (page, page))

    # 1. every function resolves to a page that lists it, with the header's prototype.
    for name, (ret, params, comment) in sorted(api.items()):
        if name in links:
            m = re.fullmatch(r"(\w+)\.3", links[name])
            page = m.group(1) if m else None
            if page not in pages:
                problem("man/%s.3: links to %s, which is not a page in man/" % (name, links[name]))
                continue
        elif name in pages:
            page = name
        else:
            problem("%s: no man/%s.3 (a page, or a link to its family's page)" % (name, name))
            continue
        if name not in listed[page]:
            problem("man/%s.3: NAME does not list %s" % (page, name))
        proto = synopsis_prototypes(pages[page]).get(name)
        if proto is None:
            problem("man/%s.3: SYNOPSIS has no prototype of %s" % (page, name))
        elif proto != (ret, params):
            problem("man/%s.3: SYNOPSIS says %s %s(%s); the header says %s %s(%s)"
                    % (page, proto[0], name, ", ".join(proto[1]), ret, name, ", ".join(params)))
        # 4. the codes the header's comment names for it.
        for code in sorted(set(re.findall(r"\bTHREAD_E[A-Z]+\b", comment))):
            if not re.search(r"\b%s\b" % code, pages[page]):
                problem("man/%s.3: does not mention %s, which the header names for %s"
                        % (page, code, name))

    # 2. nothing the header lacks.
    for page, names in sorted(listed.items()):
        for name in names:
            if name not in api and not (page == "thread" and name == "thread"):
                problem("man/%s.3: NAME lists %s, which include/thread.h does not declare"
                        % (page, name))
            elif name != page and links.get(name) != "%s.3" % page:
                problem("man/%s.3: lists %s, but man/%s.3 is not a link to it"
                        % (page, name, name))
    for name in sorted(links):
        if name not in api:
            problem("man/%s.3: a link for a name include/thread.h does not declare" % name)
    if "thread" not in pages:
        problem("man/thread.3: the overview page is missing")

    # 3. error codes and their values in thread(3); no stale THREAD_* names.
    errors = section(pages.get("thread", ""), "ERRORS")
    for code, value in sorted(codes.items(), key=lambda kv: -kv[1]):
        pat = r"^\.It Dv %s Pq \\-%d$" % (code, -value)
        if not re.search(pat, errors, re.M):
            problem("man/thread.3: ERRORS lacks '.It Dv %s Pq \\-%d' (%s is %d in the header)"
                    % (code, -value, code, value))
    for code in sorted(set(re.findall(r"\bTHREAD_E[A-Z]+\b", errors)) - set(codes)):
        problem("man/thread.3: ERRORS lists %s, which the header does not define" % code)
    for page, text in sorted(pages.items()):
        body = re.sub(r"^\.Dt .*$", "", text, flags=re.M)  # the title is the page's name
        for name in sorted(set(re.findall(r"\bTHREAD_[A-Z0-9_]+\b", body)) - known_names):
            problem("man/%s.3: mentions %s, which neither include/thread.h nor CMakeLists.txt "
                    "defines" % (page, name))

    # 5. every public macro and type documented somewhere.
    all_pages = "\n".join(pages.values())
    for name in sorted(public_names):
        if not re.search(r"\b%s\b" % name, all_pages):
            problem("%s: include/thread.h defines it, no page mentions it" % name)


# ---- examples --------------------------------------------------------------
def examples(text):
    """The literal blocks of the EXAMPLES section, roff escapes undone."""
    blocks = re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", section(text, "EXAMPLES"),
                        re.S | re.M)
    return [b.replace("\\e", "\\").replace("\\-", "-").replace("\\&", "") for b in blocks]


def check_examples(cc, library, work):
    os.makedirs(work, exist_ok=True)
    count = 0
    for page, text in sorted(pages.items()):
        for i, code in enumerate(examples(text)):
            if "int main" not in code:
                continue
            count += 1
            src = os.path.join(work, "%s_%d.c" % (page, i))
            exe = src[:-2]
            with open(src, "w", encoding="utf-8") as f:
                f.write(code)
            cmd = [cc, "-Wall", "-Werror", "-I", os.path.join(root, "include"), "-o", exe,
                   src, library, "-pthread"]
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
            if r.returncode != 0:
                problem("man/%s.3: example %d does not compile:\n%s" % (page, i + 1, r.stdout))
                continue
            try:
                r = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   universal_newlines=True, timeout=30)
            except subprocess.TimeoutExpired:
                problem("man/%s.3: example %d did not finish in 30 s" % (page, i + 1))
                continue
            if r.returncode != 0:
                problem("man/%s.3: example %d exited %d:\n%s"
                        % (page, i + 1, r.returncode, r.stdout))
            else:
                print("man/%s.3 example %d: %s" % (page, i + 1, r.stdout.strip().replace("\n", " | ")))
    if count == 0:
        problem("no example with a main() found in man/")
    return count


if "--examples" in sys.argv:
    i = sys.argv.index("--examples")
    n = check_examples(*sys.argv[i + 1:i + 4])
    print("%d examples compiled and ran" % n)
else:
    check_pages()
    print("%d functions, %d pages, %d links, %d error codes, %d other names checked"
          % (len(api), len(pages), len(links), len(codes), len(public_names)))
if problems:
    print("%d problem(s)" % len(problems))
    sys.exit(1)
