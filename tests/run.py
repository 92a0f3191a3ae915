#!/usr/bin/python3
"""Build cpdb against every supported Python found here and run all tests.

For each configuration: meson setup + ninja, the C unit tests (meson
test), then the end-to-end suite (pytest) with CPDB pointing at that
build.  One configuration is also built with AddressSanitizer and
UndefinedBehaviorSanitizer and runs the whole suite.  The last line
printed is "N passed, M failed" over everything.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def log(msg):
    print(msg, flush=True)


def pyenv_root():
    root = os.environ.get("PYENV_ROOT")
    if not root:
        try:
            root = subprocess.run(["pyenv", "root"], capture_output=True,
                                  text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            root = os.path.expanduser("~/.pyenv")
    return root


def configurations(wanted):
    """(name, meson -Dpython value or '', python executable) per Python."""
    configs = []
    system = "/usr/bin/python3.11"
    pc = subprocess.run(["pkg-config", "--modversion", "python3-embed"],
                        capture_output=True, text=True)
    if pc.returncode == 0 and pc.stdout.strip() in SUPPORTED:
        ver = pc.stdout.strip()
        system = "/usr/bin/python" + ver
        configs.append(("system-" + ver, "", system))
    else:
        log("note: no system python3-embed found by pkg-config; skipped")
    for ver in SUPPORTED:
        found = sorted(glob.glob(os.path.join(pyenv_root(), "versions",
                                              ver + ".*")))
        found = [d for d in found if os.path.exists(
            os.path.join(d, "lib", "pkgconfig", "python3-embed.pc"))]
        if not found:
            log("note: no Python %s with python3-embed.pc under %s; skipped"
                % (ver, os.path.join(pyenv_root(), "versions")))
            continue
        prefix = found[-1]
        configs.append(("pyenv-" + os.path.basename(prefix), prefix,
                        os.path.join(prefix, "bin", "python" + ver)))
    if wanted:
        configs = [c for c in configs if any(w in c[0] for w in wanted)]
    return configs


def has_monitoring(python_exe):
    r = subprocess.run([python_exe, "-c",
                        "import sys; sys.exit(0 if hasattr(sys, 'monitoring')"
                        " else 1)"], capture_output=True)
    return r.returncode == 0


def build(name, python_opt, extra=()):
    bdir = os.path.join(ROOT, "build", "matrix", name)
    opts = ["-Dpython=" + python_opt] if python_opt else []
    opts += ["--werror"] + list(extra)
    if os.path.exists(os.path.join(bdir, "build.ninja")):
        cmd = ["meson", "setup", "--reconfigure", bdir] + opts
    else:
        cmd = ["meson", "setup", bdir] + opts
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        log(r.stdout[-3000:] + r.stderr[-3000:])
        return None
    r = subprocess.run(["ninja", "-C", bdir], cwd=ROOT, capture_output=True,
                       text=True)
    if r.returncode != 0:
        log(r.stdout[-5000:] + r.stderr[-3000:])
        return None
    return bdir


def unit_tests(bdir, env):
    r = subprocess.run(["meson", "test", "-C", bdir, "--print-errorlogs",
                        "--no-suite", "e2e"],
                       cwd=ROOT, capture_output=True, text=True, env=env)
    passed = failed = 0
    logfile = os.path.join(bdir, "meson-logs", "testlog.json")
    if os.path.exists(logfile):
        with open(logfile) as f:
            for line in f:
                t = json.loads(line)
                if t.get("result") in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif t.get("result") not in ("SKIP",):
                    failed += 1
                    log("  unit FAIL: %s" % t.get("name"))
    if r.returncode != 0 and failed == 0:
        failed = 1
        log(r.stdout[-3000:])
    return passed, failed


def e2e_tests(name, bdir, python_exe, env, jobs, extra_args):
    junit = os.path.join(bdir, "e2e-junit-%s.xml" % name.replace("/", "-"))
    if os.path.exists(junit):
        os.unlink(junit)
    env = dict(env)
    env["CPDB"] = os.path.join(bdir, "src", "cpdb")
    env["CPDB_PYTHON"] = python_exe
    env["CPDB_BUILD"] = bdir
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--junitxml", junit, "tests/e2e"]
    if jobs > 1:
        cmd[3:3] = ["-n", str(jobs)]
    cmd += extra_args
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                       text=True)
    passed = failed = 0
    if os.path.exists(junit):
        root = ET.parse(junit).getroot()
        for case in root.iter("testcase"):
            bad = [c for c in case if c.tag in ("failure", "error")]
            skipped = [c for c in case if c.tag == "skipped"]
            if bad:
                failed += 1
                log("  e2e FAIL [%s]: %s::%s" % (name, case.get("classname"),
                                                 case.get("name")))
            elif not skipped:
                passed += 1
    if failed or r.returncode not in (0, 1):
        tail = r.stdout[-6000:]
        log(tail)
        if r.returncode not in (0, 1) and failed == 0:
            failed = 1
            log(r.stderr[-3000:])
    return passed, failed


DAP_DIR = os.path.join(ROOT, "tests", "dap")
DAP_CLIENT = os.path.join(DAP_DIR, "node_modules", "@vscode",
                          "debugadapter-testsupport")
TAP_POINT = re.compile(r"^(?P<indent> *)(?P<not>not )?ok \d+ - "
                       r"(?P<name>.*?)(?: # (?P<directive>SKIP|TODO)\b.*)?$")


def tap_results(text):
    """[(name, 'pass'|'fail'|'skip', diagnostics)] of the leaf tests of
    node's TAP output: a test point is a parent (a file, or a test with
    subtests) when the test point before it is indented deeper."""
    results = []
    lines = text.splitlines()
    prev_indent = -1
    for i, line in enumerate(lines):
        m = TAP_POINT.match(line)
        if not m:
            continue
        indent = len(m.group("indent"))
        is_parent = prev_indent > indent
        prev_indent = indent
        if is_parent:
            continue
        if m.group("directive") == "SKIP":
            outcome = "skip"
        elif m.group("not") and m.group("directive") != "TODO":
            outcome = "fail"
        else:
            outcome = "pass"
        diag = []
        for nxt in lines[i + 1:i + 40]:
            if TAP_POINT.match(nxt) or nxt.strip() == "...":
                break
            diag.append(nxt)
        results.append((m.group("name"), outcome, "\n".join(diag)))
    return results


def dap_tests(name, bdir, python_exe, env):
    """The DAP tests (tests/dap/*.test.js, node's test runner driving
    cpdb --dap with the VS Code team's DebugClient).  Without node or
    that npm package they count one failure: dev/deps installs both.
    Return: (passed, failed)."""
    node = shutil.which("node")
    if node is None:
        log("  DAP tests [%s]: FAILED: node is not installed (dev/deps "
            "installs it)" % name)
        return 0, 1
    if not os.path.isdir(DAP_CLIENT):
        log("  DAP tests [%s]: FAILED: the npm package "
            "@vscode/debugadapter-testsupport is not in tests/dap/"
            "node_modules (dev/deps installs it: npm ci)" % name)
        return 0, 1
    env = dict(env)
    env["CPDB"] = os.path.join(bdir, "src", "cpdb")
    env["CPDB_PYTHON"] = python_exe
    env["CPDB_BUILD"] = bdir
    env.pop("CPDB_BACKEND", None)
    files = sorted(glob.glob(os.path.join(DAP_DIR, "*.test.js")))
    try:
        r = subprocess.run([node, "--test", "--test-reporter=tap"] + files,
                           cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=600)
        out, rc = r.stdout, r.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        out, rc = (out if isinstance(out, str)
                   else out.decode(errors="replace")), None
        log("  DAP tests [%s]: timed out" % name)
    passed = failed = 0
    for test, outcome, diag in tap_results(out):
        if outcome == "pass":
            passed += 1
        elif outcome == "fail":
            failed += 1
            log("  DAP FAIL [%s]: %s\n%s" % (name, test, diag[:3000]))
    if failed == 0 and (rc != 0 or passed == 0):
        failed = 1
        log("  DAP tests [%s]: node exited with %s\n%s" % (
            name, rc, (out[-3000:] + r.stderr[-2000:]
                       if rc is not None else out[-3000:])))
    return passed, failed


def sanitizer_reports(folder, name):
    """Log and remove the sanitizer reports written to folder (None: not
    a sanitizer run).  Return: how many processes reported an error."""
    if folder is None:
        return 0
    errors = 0
    for path in sorted(glob.glob(os.path.join(folder, "report.*"))):
        with open(path, errors="replace") as f:
            text = f.read()
        os.unlink(path)
        # Warnings alone (ASan's on swapcontext, which base/stack.c
        # uses with the fiber annotations) are not errors.
        if "ERROR:" in text or "runtime error:" in text:
            errors += 1
            log("  sanitizer report [%s] (%s):\n%s"
                % (name, path, text[:4000]))
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--python", action="append", default=[],
                    help="only configurations whose name contains this")
    ap.add_argument("--no-sanitize", action="store_true",
                    help="skip the AddressSanitizer build")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("pytest_args", nargs="*",
                    help="passed to pytest (e.g. -k name)")
    args = ap.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["NO_COLOR"] = "1"
    total_pass = total_fail = 0
    start = time.time()
    configs = configurations(args.python)
    runs = [(name, opt, exe, ()) for name, opt, exe in configs]
    dap_configs = set(c[0] for c in configs[:1])
    newer = [c[0] for c in configs if has_monitoring(c[2])]
    dap_configs.update(newer[-1:])
    if not args.no_sanitize and configs:
        name, opt, exe = configs[0]
        runs.append((name + "-asan", opt, exe,
                     ("-Db_sanitize=address,undefined", "-Db_lundef=false",
                      "-Dbuildtype=debug")))
    for name, opt, exe, extra in runs:
        t0 = time.time()
        log("== %s" % name)
        bdir = build(name, opt, extra)
        if bdir is None:
            log("  build FAILED")
            total_fail += 1
            continue
        run_env = dict(env)
        reports = None
        if extra:
            # LeakSanitizer on: what cpdb's C code loses fails the run.
            # Its reports (and any other sanitizer report) go to files,
            # as a test that does not look at cpdb's exit status would
            # not see them.
            reports = tempfile.mkdtemp(prefix="cpdb-sanitizer-")
            run_env["ASAN_OPTIONS"] = ("detect_leaks=1:abort_on_error=0:"
                                       "halt_on_error=1:exitcode=99")
            run_env["LSAN_OPTIONS"] = (
                "suppressions=%s:print_suppressions=0:log_path=%s"
                % (os.path.join(ROOT, "tests", "lsan.supp"),
                   os.path.join(reports, "report")))
            run_env["UBSAN_OPTIONS"] = ("print_stacktrace=1:"
                                        "halt_on_error=1:exitcode=98")
        up, uf = unit_tests(bdir, run_env)
        uf += sanitizer_reports(reports, name + " unit")
        log("  %s: unit %d passed, %d failed" % (name, up, uf))
        total_pass += up
        total_fail += uf
        # The whole suite with each trace backend this Python has.
        backends = ["legacy"]
        if has_monitoring(exe):
            backends.insert(0, "monitoring")
        for backend in backends:
            benv = dict(run_env, CPDB_BACKEND=backend)
            ep, ef = e2e_tests("%s/%s" % (name, backend), bdir, exe, benv,
                               args.jobs, args.pytest_args)
            ef += sanitizer_reports(reports, "%s/%s" % (name, backend))
            log("  %s, %s backend: e2e %d passed, %d failed (%.0f s)"
                % (name, backend, ep, ef, time.time() - t0))
            total_pass += ep
            total_fail += ef
        # The DAP tests: with the system Python's build and the newest
        # 3.12+ one (their trace backend is the default one).
        if not extra and name in dap_configs:
            t1 = time.time()
            dp, df = dap_tests(name, bdir, exe, run_env)
            log("  %s: DAP %d passed, %d failed (%.0f s)"
                % (name, dp, df, time.time() - t1))
            total_pass += dp
            total_fail += df
        if reports is not None:
            shutil.rmtree(reports, ignore_errors=True)
    log("total time %.0f s" % (time.time() - start))
    log("%d passed, %d failed" % (total_pass, total_fail))
    return 0 if total_fail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
