"""Every header compiles on its own: each src/**/*.h and cpdb/cpdb.h as
the only include of a translation unit (twice, for its guard).  So does
the C of docs/embedding.md, against the public header.

Usage: headers.py --source-root DIR --build-root DIR
                  [--python-pc-dir DIR] -- CC...        (TAP on stdout)

The internal headers get the library's flags (the Python headers, src/,
include/, the build directory for cpdb_config.h).  The public header
gets nothing but include/: C99 with -pedantic, and C++ when there is a
C++ compiler.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

WARNINGS = ["-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wstrict-prototypes",
            "-Wmissing-prototypes"]


def python_cflags(pc_dir):
    env = dict(os.environ)
    if pc_dir:
        env["PKG_CONFIG_PATH"] = pc_dir
    out = subprocess.run(["pkg-config", "--cflags", "python3-embed"],
                         env=env, check=True, capture_output=True,
                         text=True).stdout
    return out.split()


# What the examples of docs/embedding.md take for granted.
DOC_PRELUDE = """#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <cpdb/cpdb.h>
#include <stdio.h>
#include <stdlib.h>
"""


def doc_blocks(path):
    """The complete C blocks of a Markdown file: not those that leave
    lines out ("..." on a line of its own)."""
    with open(path) as f:
        text = f.read()
    return [b for b in re.findall(r"```c\n(.*?)```", text, re.S)
            if not re.search(r"^\s*\.\.\.\s*$", b, re.M)]


def compile_tu(cc, flags, include, workdir, lang="c"):
    """Return: (ok, compiler output) for a TU that includes include, or
    for the code include when it is an example of the documentation."""
    if include.startswith("doc:"):
        name = "doc_example_%s.c" % include.split(":")[1]
        text = DOC_PRELUDE + include.split(":", 2)[2]
    else:
        name = include.replace("/", "_") + (".cc" if lang == "c++"
                                            else ".c")
        text = '#include "%s"\n#include "%s"\n' % (include, include)
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run(cc + flags + ["-fsyntax-only", path],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    ap.add_argument("--python-pc-dir", default="")
    ap.add_argument("cc", nargs="+")
    args = ap.parse_args()

    src = os.path.join(args.source_root, "src")
    inc = os.path.join(args.source_root, "include")
    internal = ["-std=c11", "-D_GNU_SOURCE", "-DCPDB_BUILDING_LIBRARY",
                "-I" + src, "-I" + inc, "-I" + args.build_root]
    internal += WARNINGS + python_cflags(args.python_pc_dir)
    jobs = []
    for h in sorted(glob.glob(os.path.join(src, "**", "*.h"),
                              recursive=True)):
        jobs.append((os.path.relpath(h, src), args.cc, internal, "c"))
    public = ["-I" + inc] + WARNINGS
    jobs.append(("cpdb/cpdb.h", args.cc, ["-std=c99", "-pedantic"] + public,
                 "c"))
    cxx = shutil.which("c++")
    if cxx:
        jobs.append(("cpdb/cpdb.h", [cxx],
                     ["-x", "c++", "-std=c++11", "-pedantic", "-Wall",
                      "-Wextra", "-Werror", "-I" + inc], "c++"))

    doc = os.path.join(args.source_root, "docs", "embedding.md")
    examples = ["-std=c11", "-Wall", "-Werror", "-I" + inc]
    examples += python_cflags(args.python_pc_dir)
    for n, block in enumerate(doc_blocks(doc), 1):
        jobs.append(("doc:%d:%s" % (n, block), args.cc, examples, "c"))

    failed = 0
    with tempfile.TemporaryDirectory() as workdir, \
            concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        results = ex.map(lambda j: compile_tu(j[1], j[2], j[0], workdir,
                                              j[3]), jobs)
        for n, (job, (ok, out)) in enumerate(zip(jobs, results), 1):
            if job[0].startswith("doc:"):
                what = ("docs/embedding.md's C example %s compiles"
                        % job[0].split(":")[1])
            else:
                what = "%s compiles alone%s" % (
                    job[0], " as C++" if job[3] == "c++" else "")
            print("%sok %d - %s" % ("" if ok else "not ", n, what))
            if not ok:
                failed += 1
                for line in out.splitlines()[:20]:
                    print("#   " + line)
    print("1..%d" % len(jobs))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
