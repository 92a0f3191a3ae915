#!/usr/bin/python3
"""Arrows point down only: a file of a layer includes headers of its own
layer and of the layers below it, never of one above.

    base  <  trace, heap  <  core  <  cli        console  <  remote  <  cli
    cli  <  dap       (the debug adapter: a front-end, for the program and
                       the agent)
    base  <  attach   (the injector: used by the program only)

(main.c, on top, includes the public header, the control channel's
headers for the front-ends that talk over a socket: --listen,
--connect, the debug adapter's (--dap), and the injector's for -p.
src/agent, the program cpdb -p loads into a process, sits on top as
main.c does.)  Prints one line per
include that breaks the rule and exits 1 if there is any.

Usage: check_layers.py [SRC]   (default: the src/ beside tests/)
"""

import os
import re
import sys

# What each layer may include (besides the public cpdb/cpdb.h).
ALLOWED = {
    "base": {"base"},
    "trace": {"base", "trace"},
    "heap": {"base", "heap"},
    "core": {"base", "trace", "heap", "core"},
    "console": {"base", "console"},
    "remote": {"base", "console", "remote"},
    "cli": {"base", "trace", "heap", "core", "console", "remote", "cli"},
    "attach": {"base", "attach"},
    "dap": {"base", "trace", "heap", "core", "console", "remote", "cli",
            "dap"},
}
# What the program may include besides the public header: the layers
# of its front-ends that are not the library's API.
PROGRAM_LAYERS = ("remote/", "attach/", "dap/", "main_attach.h")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check(src):
    bad = []
    for layer in sorted(ALLOWED):
        folder = os.path.join(src, layer)
        if not os.path.isdir(folder):
            bad.append("%s: missing layer folder" % folder)
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    if target in ("cpdb/cpdb.h", "cpdb_config.h"):
                        continue
                    if "/" not in target:
                        if target.startswith(("internal/", "pycore_")):
                            continue
                        bad.append("%s:%d: include \"%s\" does not name "
                                   "its layer" % (path, n, target))
                        continue
                    other = target.split("/", 1)[0]
                    if other == "internal":
                        continue        # CPython's own headers
                    if other not in ALLOWED[layer]:
                        bad.append("%s:%d: %s includes \"%s\" of the %s "
                                   "layer above it" % (path, n, layer,
                                                       target, other))
    main = os.path.join(src, "main.c")
    if os.path.exists(main):
        with open(main, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if m and m.group(1) not in ("cpdb/cpdb.h", "cpdb_config.h") \
                        and not m.group(1).startswith(PROGRAM_LAYERS):
                    bad.append("%s:%d: the program includes \"%s\": only "
                               "the public header, remote/, dap/ and "
                               "attach/"
                               % (main, n, m.group(1)))
    return bad


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(here)), "src")
    bad = check(src)
    for line in bad:
        print(line)
    if not bad:
        print("every include in %s points down" % src)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
