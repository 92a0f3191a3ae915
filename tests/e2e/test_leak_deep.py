"""leak hints finds containers that grow below module globals, not only
in them: through instances' attributes, class attributes, dict values
and list items, to the depth it documents, each named by its path."""

import re

from conftest import run_cpdb
from transcript import after

# Five containers that grow, each a few references below a global.
DEEP = """\
class State:
    def __init__(self):
        self.sessions = {}
        self.small = []


class App:
    def __init__(self):
        self.state = State()


class Registry:
    def __init__(self):
        self._handlers = {"click": []}


class Service:
    instances = {"all": []}


APP = App()
registry = Registry()
CONFIG = {"plugins": {3: []}}
PIPELINE = [[], {"queue": []}]


def request(i):
    APP.state.sessions[i] = object()
    registry._handlers["click"].append(i)
    CONFIG["plugins"][3].append(i)
    PIPELINE[1]["queue"].append(i)
    Service.instances["all"].append(i)
    APP.state.small.append(i) if i < 2 else None


def main():
    for i in range(20):
        request(i)
    checkpoint = 1              # STOP first
    for i in range(20, 60):
        request(i)
    checkpoint = 2              # STOP second
    return checkpoint


main()
"""

# Two lists that grow: one 4 references below its global (the depth
# looked at), one 5.
DEPTH = """\
NEST = {"a": {"b": {"c": {"d": [], "x": {"e": []}}}}}


def main():
    for i in range(20):
        NEST["a"]["b"]["c"]["d"].append(i)
        NEST["a"]["b"]["c"]["x"]["e"].append(i)
    checkpoint = 1              # STOP first
    for i in range(20, 60):
        NEST["a"]["b"]["c"]["d"].append(i)
        NEST["a"]["b"]["c"]["x"]["e"].append(i)
    checkpoint = 2              # STOP second
    return checkpoint


main()
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def marker(text, tag):
    for number, line in enumerate(text.splitlines(), 1):
        if line.rstrip().endswith("# STOP " + tag):
            return number
    raise AssertionError(tag)


def two_looks(path, text, between="leak hints", after_cmds=()):
    return run_cpdb([path], ["break %d" % marker(text, "first"),
                             "break %d" % marker(text, "second"),
                             "continue", between, "continue", "leak hints"]
                    + list(after_cmds))


def grows(lines):
    """{path: (before, now)} of the "container grows" hints."""
    out = {}
    for line in lines:
        m = re.match(r"^\d+\. A module-level container grows: (\S+) went "
                     r"from (\d+) to (\d+) items", line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out


def test_growth_below_globals_is_named_by_path(tmp_path):
    path = write(tmp_path, "deep.py", DEEP)
    r = two_looks(path, DEEP, after_cmds=[
        "p $1 is APP.state.sessions",
        "p sorted(len(v) for v in ($1, $2, $3, $4, $5))"])
    found = grows(after(r, "leak hints", 1))
    assert found == {
        "__main__.APP.state.sessions": (20, 60),
        "__main__.registry._handlers['click']": (20, 60),
        "__main__.CONFIG['plugins'][3]": (20, 60),
        "__main__.PIPELINE[1]['queue']": (20, 60),
        "__main__.Service.instances['all']": (20, 60),
    }, r
    # each hint records the container itself
    assert after(r, "p $1 is APP.state.sessions") == ["$6 = True"], r
    assert after(r, "p sorted(len(v) for v in ($1, $2, $3, $4, $5))") \
        == ["$7 = [60, 60, 60, 60, 60]"], r


def test_gc_snapshot_notes_the_deep_sizes_too(tmp_path):
    path = write(tmp_path, "deep.py", DEEP)
    r = two_looks(path, DEEP, between="gc snapshot")
    found = grows(after(r, "leak hints"))
    assert "__main__.APP.state.sessions" in found, r
    # a container that did not grow enough is not a hint
    assert not [p for p in found if p.endswith(".small")], r


def test_the_documented_depth(tmp_path):
    path = write(tmp_path, "depth.py", DEPTH)
    r = two_looks(path, DEPTH)
    found = grows(after(r, "leak hints", 1))
    assert found == {"__main__.NEST['a']['b']['c']['d']": (20, 60)}, r


# Eight module-level lists that grow, by 11 to 18 items.
MANY = """\
GROW = [[] for _ in range(8)]
A0, A1, A2, A3, A4, A5, A6, A7 = GROW


def main():
    checkpoint = 1              # STOP first
    for k, box in enumerate(GROW):
        box.extend(range(11 + k))
    checkpoint = 2              # STOP second
    return checkpoint


main()
"""


def test_growths_past_the_fifth_are_counted(tmp_path):
    path = write(tmp_path, "many.py", MANY)
    r = two_looks(path, MANY)
    lines = after(r, "leak hints", 1)
    found = grows(lines)
    # the five largest growths, one hint each
    assert sorted(now for _, now in found.values()) == [14, 15, 16, 17, 18], r
    # the three others are said, not dropped
    assert "6. 3 more module-level containers grew by 10 items or more " \
        "(the largest growths are above)." in lines, r
    rest = [line for line in lines if re.match(r"^   \S+: 0 -> 1[123] items$",
                                               line)]
    assert len(rest) == 3, r


# A file in a reference cycle (the io classes' finalizer is C's) and an
# object of a class of the program's with __del__ in one.
FINALIZERS = """\
import os


class Closer:
    def __del__(self):
        pass


f = open(os.devnull)
f.me = f
c = Closer()
c.me = c
checkpoint = 1
"""


def test_del_cycles_are_the_programs_classes_only(tmp_path):
    path = write(tmp_path, "fin.py", FINALIZERS)
    r = run_cpdb([path], ["break 13", "continue", "leak hints"])
    lines = after(r, "leak hints")
    hint = [line for line in lines if "with __del__" in line]
    assert hint == ["1. 1 object with __del__ (__main__.Closer) is in "
                    "reference cycles."], r


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
