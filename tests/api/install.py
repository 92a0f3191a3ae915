"""libcpdb installed, then used as a host would: meson install into a
temporary destdir, then a small host compiled and run against the
installed header and libraries with pkg-config (shared, then static).

Usage: install.py --build-root DIR --meson MESON --prefix P --libdir L
                  --bindir B --includedir I --host HOST.c [--mandir M]
                  [--python-pc-dir DIR] [--sanitize S] -- CC...
(TAP on stdout; skipped when pkg-config is missing.)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, what, details=""):
        self.n += 1
        self.failed += 0 if ok else 1
        print("%sok %d - %s" % ("" if ok else "not ", self.n, what))
        if not ok:
            for line in str(details).splitlines()[-30:]:
                print("#   " + line)
        return ok


def run(cmd, env=None):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def under(destdir, path):
    return os.path.join(destdir, path.lstrip("/"))


def main():
    ap = argparse.ArgumentParser()
    for opt in ("build-root", "meson", "prefix", "libdir", "bindir",
                "includedir", "host"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--mandir", default="",
                    help="where the man page goes; empty: not built")
    ap.add_argument("--python-pc-dir", default="")
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("cc", nargs="+")
    a = ap.parse_args()

    pkgconfig = shutil.which("pkg-config")
    if pkgconfig is None:
        print("1..0 # SKIP pkg-config is not installed")
        return 0
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="cpdb-install-") as tmp:
        destdir = os.path.join(tmp, "root")
        ok, out = run([a.meson, "install", "-C", a.build_root,
                       "--no-rebuild", "--destdir", destdir])
        if not tap.check(ok, "meson install --destdir", out):
            print("1..%d" % tap.n)
            return 1

        def inst(d, *names):
            d = d if os.path.isabs(d) else os.path.join(a.prefix, d)
            return under(destdir, os.path.join(d, *names))

        libdir = inst(a.libdir)
        wanted = [inst(a.bindir, "cpdb"),
                  os.path.join(libdir, "libcpdb.so"),
                  os.path.join(libdir, "libcpdb.a"),
                  inst(a.includedir, "cpdb", "cpdb.h"),
                  os.path.join(libdir, "pkgconfig", "cpdb.pc")]
        if a.mandir:
            wanted.append(inst(a.mandir, "man1", "cpdb.1"))
        for path in wanted:
            tap.check(os.path.exists(path), "installed: "
                      + os.path.relpath(path, destdir))
        headers = [os.path.relpath(os.path.join(d, f), inst(a.includedir))
                   for d, _, fs in os.walk(inst(a.includedir)) for f in fs]
        tap.check(headers == ["cpdb/cpdb.h"], "the only header installed "
                  "is cpdb/cpdb.h", " ".join(headers))

        # Every cpdb_ symbol one object of libcpdb.a needs, another
        # defines: the per-layer libraries are all inside.
        ok, out = run(["nm", "-A", os.path.join(libdir, "libcpdb.a")])
        defined, needed = set(), set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[-1].startswith("cpdb_"):
                (needed if parts[-2] == "U" else defined).add(parts[-1])
        tap.check(ok and defined and not needed - defined,
                  "libcpdb.a defines every cpdb_ function it uses",
                  out if not ok else " ".join(sorted(needed - defined)))

        env = dict(os.environ)
        env["PKG_CONFIG_PATH"] = os.pathsep.join(
            p for p in (os.path.join(libdir, "pkgconfig"), a.python_pc_dir,
                        env.get("PKG_CONFIG_PATH", "")) if p)
        # The installed cpdb.pc names the prefix it was configured with:
        # moved into the destdir (and only for cpdb, not for Python).
        cpdb_pc = [pkgconfig, "--define-variable=prefix="
                   + under(destdir, a.prefix)]
        ok, flags = run(cpdb_pc + ["--cflags", "--libs", "cpdb"], env)
        ok_p, py_flags = run([pkgconfig, "--cflags", "--libs",
                              "python3-embed"], env)
        flags += " " + py_flags
        tap.check(ok and ok_p and "-lcpdb" in flags.split(),
                  "pkg-config --cflags --libs cpdb python3-embed", flags)
        ok2, static_flags = run(cpdb_pc + ["--static", "--libs", "cpdb"],
                                env)
        ok_p, py_static = run([pkgconfig, "--static", "--libs",
                               "python3-embed"], env)
        static_flags += " " + py_static
        ok2 = ok2 and ok_p
        tap.check(ok2 and "-ledit" in static_flags.split()
                  and any(f.startswith("-lpython")
                          for f in static_flags.split()),
                  "pkg-config --static names libedit and libpython",
                  static_flags)
        _, py_libdir = run([pkgconfig, "--variable=libdir",
                            "python3-embed"], env)
        sanitize = ([] if a.sanitize in ("", "none")
                    else ["-fsanitize=" + a.sanitize])
        run_env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(
            [libdir, py_libdir.strip()]))

        shared_host = os.path.join(tmp, "host-shared")
        ok_b, out = run(a.cc + sanitize + [a.host, "-o", shared_host]
                        + flags.split(), env)
        tap.check(ok and ok_b, "a host builds with the shared library",
                  out)
        ok_r, out = run([shared_host], run_env) if ok_b else (False, "")
        tap.check(ok_r and out.startswith("ok "), "and runs", out)

        static_host = os.path.join(tmp, "host-static")
        archive = os.path.join(libdir, "libcpdb.a")
        link = [archive if f == "-lcpdb" else f
                for f in static_flags.split()]
        ok_b, out = run(a.cc + sanitize + [a.host, "-o", static_host]
                        + [f for f in flags.split() if f.startswith("-I")]
                        + link, env)
        tap.check(ok2 and ok_b, "a host builds with the static library",
                  out)
        ok_r, out = run([static_host], run_env) if ok_b else (False, "")
        tap.check(ok_r and out.startswith("ok "), "and runs", out)
        ok_l, out = run(["ldd", static_host]) if ok_b else (False, "")
        tap.check(ok_l and "libcpdb" not in out,
                  "without libcpdb.so", out)
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
