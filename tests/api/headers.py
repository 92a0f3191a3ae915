"""Every header compiles on its own: each src/**/*.h and cpdb/cpdb.h as
the only include of a translation unit (twice, for its guard).

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


def compile_tu(cc, flags, include, workdir, lang="c"):
    """Return: (ok, compiler output) for a TU that includes include."""
    name = include.replace("/", "_") + (".cc" if lang == "c++" else ".c")
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write('#include "%s"\n#include "%s"\n' % (include, include))
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

    failed = 0
    with tempfile.TemporaryDirectory() as workdir, \
            concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        results = ex.map(lambda j: compile_tu(j[1], j[2], j[0], workdir,
                                              j[3]), jobs)
        for n, (job, (ok, out)) in enumerate(zip(jobs, results), 1):
            print("%sok %d - %s compiles alone%s"
                  % ("" if ok else "not ", n, job[0],
                     " as C++" if job[3] == "c++" else ""))
            if not ok:
                failed += 1
                for line in out.splitlines()[:20]:
                    print("#   " + line)
    print("1..%d" % len(jobs))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
