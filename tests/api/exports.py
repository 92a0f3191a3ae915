"""libcpdb.so exports exactly the functions cpdb.h declares CPDB_API.

Usage: exports.py LIBCPDB.so CPDB.H   (TAP on stdout)
"""

import re
import subprocess
import sys


def declared(header):
    """Names of the CPDB_API functions of the header."""
    with open(header) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"#\s*define\s+CPDB_API.*", " ", text)
    return set(re.findall(r"\bCPDB_API\b[^;(]*?\b(\w+)\s*\(", text))


def exported(lib):
    """{name: nm type letter} of the defined dynamic symbols.  Names
    starting with "_" belong to the toolchain (_init, __bss_start)."""
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and not parts[2].startswith("_"):
            symbols[parts[2].split("@")[0]] = parts[1]
    return symbols


def main():
    lib, header = sys.argv[1], sys.argv[2]
    want = declared(header)
    have = exported(lib)
    n = 0

    def check(ok, what, details):
        nonlocal n
        n += 1
        print("%sok %d - %s" % ("" if ok else "not ", n, what))
        for d in details:
            print("#   %s" % d)
        return ok

    check(len(want) > 20, "cpdb.h declares %d CPDB_API functions"
          % len(want), [])
    missing = sorted(want - set(have))
    check(not missing, "libcpdb.so exports each of them", missing)
    extra = sorted(set(have) - want)
    check(not extra, "and nothing else", extra)
    not_code = sorted(s for s, t in have.items() if t not in "TtWi")
    check(not not_code, "every exported symbol is a function", not_code)
    print("1..%d" % n)


if __name__ == "__main__":
    main()
