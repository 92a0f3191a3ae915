"""The gc family on real programs: the collector's state, collect,
saveall, garbage and its cycles, type censuses, growth, snapshots and
diffs, instances, references both ways with named edges, the shortest
chain that keeps an object alive, objects no tracked object refers to,
Graphviz graphs; and the leak examples under examples/leaks, each run
with its own command file."""

import os
import re
import select
import shutil
import subprocess

import pytest

from conftest import CPDB, PYTHON, ROOT, program, python_version, \
    run_cpdb, run_python
from transcript import after, error_lines

EXAMPLES = os.path.join(ROOT, "examples", "leaks")
ADDR = r"0x[0-9a-f]+"
OBJ = r"<__main__\.%s object at " + ADDR + ">"


def example(name):
    return os.path.join(EXAMPLES, name)


def marker(path, tag):
    """The line number of the line ending in "# STOP tag"."""
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.rstrip().endswith("# STOP " + tag):
                return number
    raise AssertionError("no marker %r in %s" % (tag, path))


WORKER = marker(program("gcrefs.py"), "worker")


def in_worker(commands, **kw):
    """gcrefs.py stopped in worker(), where 'payload' is a local."""
    return run_cpdb([program("gcrefs.py")],
                    ["break %d" % WORKER, "continue"] + commands, **kw)


def at_job(n, commands, before=()):
    """gccycles.py stopped in checkpoint(n): 2 * (n + 1) Jobs made, each
    pair a cycle nothing refers to (the collector is off)."""
    go = ["continue"] + (["continue %d" % n] if n else [])
    return run_cpdb([program("gccycles.py")],
                    list(before) + ["break checkpoint"] + go + commands)


def type_count(lines, name):
    """The count of a "gc types" row, or None."""
    for line in lines:
        m = re.match(r"^(\S+)\s+(\d+)$", line)
        if m and m.group(1) == name:
            return int(m.group(2))
    return None


def growth_row(lines, name):
    """(count, growth) of a "gc growth" row, or None."""
    for line in lines:
        m = re.match(r"^(\S+)\s+(\d+)\s+([+-]\d+)$", line)
        if m and m.group(1) == name:
            return int(m.group(2)), int(m.group(3))
    return None


def chain_line(lines):
    """The chain itself: the line after "Chain of N references:", where
    N counts the references printed (a folded run, ".next \u00d7 9,993",
    counts as many)."""
    m = re.match(r"^Chain of ([\d,]+) references?:$", lines[0]) if lines \
        else None
    assert m, lines
    folded = sum(int(n.replace(",", "")) - 1
                 for n in re.findall(r" \u00d7 ([\d,]+) -> ", lines[1]))
    assert int(m.group(1).replace(",", "")) \
        == lines[1].count(" -> ") + folded, lines[:2]
    return lines[1]


def value(lines):
    """The value of a one-line "$N = value" answer."""
    assert len(lines) == 1 and re.match(r"^\$\d+ = ", lines[0]), lines
    return lines[0].split(" = ", 1)[1]


class Live:
    """cpdb driven one command at a time over pipes, for commands that
    use what an earlier one printed (an address)."""

    def __init__(self, args):
        env = dict(os.environ, NO_COLOR="1")
        env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen([CPDB, "-q", "-nx"] + list(args),
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env)
        self.first = self._until_prompt()

    def _until_prompt(self):
        buf = b""
        while not buf.endswith(b"(cpdb) "):
            ready, _, _ = select.select([self.proc.stdout], [], [], 60)
            if not ready:
                raise AssertionError("no prompt; got %r" % buf)
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError("cpdb ended; got %r" % buf)
            buf += chunk
        return buf.decode(errors="replace")

    def cmd(self, line):
        """The lines printed for one command (errors included)."""
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        out = self._until_prompt().splitlines()
        assert out[0] == line, out          # the echo
        return out[1:-1]

    def close(self):
        self.proc.stdin.close()
        rest = self.proc.stdout.read().decode(errors="replace")
        return self.proc.wait(timeout=60), rest

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# --- gc chain ----------------------------------------------------------------


def test_chain_of_a_default_argument_cache():
    r = run_cpdb([example("default_cache.py")],
                 ['break publish if key == "baz"', "continue",
                  'gc chain compute.__defaults__[0]["foo"]', "p $6.key",
                  "p $3 is compute", "p len($5)"])
    lines = after(r, 'gc chain compute.__defaults__[0]["foo"]')
    assert lines[0] == "Chain of 4 references:", r
    assert re.match(r"^  module __main__ \.compute -> function compute "
                    r"\.__defaults__ -> tuple \[0\] -> dict \['foo'\] -> "
                    + OBJ % "BigObject" + "$", chain_line(lines)), r
    # Every object on the chain is recorded, root first.
    assert [l.split(" = ")[0] for l in lines[2:]] == [
        "  $%d" % i for i in range(1, 7)], r
    assert lines[2] == "  $1 = module __main__", r
    assert lines[4] == "  $3 = function compute", r
    assert value(after(r, "p $6.key")) == "'foo'", r
    assert value(after(r, "p $3 is compute")) == "True", r
    assert value(after(r, "p len($5)")) == "3", r       # foo, bar, baz
    assert not r.err, r


def test_chain_from_a_stopped_frames_variable():
    r = in_worker(["gc chain payload", "gc chain payload.items", "p $1.tag"])
    lines = after(r, "gc chain payload")
    assert lines[0] == "Chain of 1 reference:" and len(lines) == 3, r
    assert re.match(r"^  frame #0 worker\(\) variable 'payload' -> "
                    + OBJ % "Target" + "$", lines[1]), r
    assert re.match(r"^  \$1 = " + OBJ % "Target" + "$", lines[2]), r
    assert chain_line(after(r, "gc chain payload.items")) == (
        "  frame #0 worker() variable 'payload' -> __main__.Target .items "
        "-> list (2 items) ['local', 5]"), r
    assert value(after(r, "p $1.tag")) == "'local'", r


def test_chain_through_a_10000_long_linked_list():
    r = in_worker(["gc chain last(CHAIN)", "p $.value, $.next"])
    lines = after(r, "gc chain last(CHAIN)")
    assert lines[0] == "Chain of 10,000 references:", lines[0]
    chain = chain_line(lines)
    assert chain.startswith("  module __main__ .CHAIN -> __main__.Node "
                            ".next -> "), chain[:200]
    # the run of .next folds (test_heap_fold.py)
    assert chain.count(" -> ") == 8, chain
    assert chain.count("__main__.Node .next -> ") == 6
    assert chain.count("__main__.Node .next \u00d7 9,993 -> ") == 1
    assert re.search(r" -> " + OBJ % "Node" + "$", chain)
    # The last value recorded is the tail, value 0.
    assert value(after(r, "p $.value, $.next")) == "(0, None)", r.out[-500:]


def test_chain_to_a_target_and_no_chain_back():
    r = in_worker(['gc chain CONFIG["handlers"][1] to CONFIG',
                   "p $3.name",
                   "gc chain CONFIG to BUMP.__closure__[0].cell_contents"])
    lines = after(r, 'gc chain CONFIG["handlers"][1] to CONFIG')
    assert lines[0] == "Chain of 2 references:", r
    assert re.match(r"^  dict \['handlers'\] -> list \[1\] -> "
                    + OBJ % "Handler" + "$", lines[1]), r
    assert len(lines) == 5, r
    assert value(after(r, "p $3.name")) == "'second'"
    none = after(r, "gc chain CONFIG to BUMP.__closure__[0].cell_contents")
    assert len(none) == 1 and none[0].startswith(
        "No chain of references leads from the target to dict (2 items) "
        "{'handlers': "), r


def test_no_chain_for_an_object_held_only_from_c():
    # atexit keeps the hook in the interpreter, out of the collector's
    # sight; the program dropped its own name for it.
    hook = ("[f for f in __import__('gc').get_objects() "
            "if getattr(f, '__name__', '') == '_flush_on_exit'][0]")
    r = in_worker(["gc chain " + hook, "gc referrers " + hook])
    lines = after(r, "gc chain " + hook)
    assert lines == [
        "No chain of references leads from a module or a stopped frame's "
        "variable to function _flush_on_exit.",
        "Something the collector cannot see holds it: C code or the "
        "interpreter, a running frame's value stack, or an object the "
        "collector does not track."], r
    assert after(r, "gc referrers " + hook) == [
        "0 referrers of function _flush_on_exit.",
        "Nothing the collector tracks refers to it: it is held from C, or "
        "only from a running frame's stack."], r


def test_value_history_is_not_a_referrer():
    r = in_worker(['p Target("history only")', "gc referrers $1",
                   "gc chain $1", 'p CONFIG["handlers"][0]',
                   "gc referrers $2"])
    lines = after(r, "gc referrers $1")
    assert re.match(r"^0 referrers of " + OBJ % "Target" + r"\.$",
                    lines[0]), r
    assert lines[1] == ("Nothing the collector tracks refers to it: only "
                        "cpdb's value history keeps it alive ($1); \"delete "
                        "values\" drops it."), r
    chain = after(r, "gc chain $1")
    assert len(chain) == 2 and chain[0].startswith("No chain"), r
    assert chain[1] == ("Only cpdb's value history keeps it alive: $1 (the "
                        "program no longer refers to it); \"delete values\" "
                        "drops it."), r
    # The handler is in the history too: its one referrer is the list.
    lines = after(r, "gc referrers $2")
    assert re.match(r"^1 referrer of " + OBJ % "Handler" + ":$", lines[0]), r
    assert len(lines) == 2 and lines[1].startswith("  $3 = list (2 items) ")
    assert lines[1].endswith("  [0]"), r


def test_weak_references_are_shown_as_weak_and_not_followed():
    r = in_worker(["gc chain WEAK()", "gc refs WEAK", "p $.tag",
                   "gc referrers WEAK()"])
    chain = chain_line(after(r, "gc chain WEAK()"))
    # The module's weakref is one step away; the chain takes the strong
    # path three objects deep.
    assert re.match(r"^  module __main__ \.HOLDER -> __main__\.Holder \.inner"
                    r" -> __main__\.Holder \.inner -> __main__\.Holder "
                    r"\.inner -> " + OBJ % "Target" + "$", chain), r
    assert "weak" not in " ".join(after(r, "gc chain WEAK()")), r
    refs = after(r, "gc refs WEAK")
    assert re.match(r"^<weakref at " + ADDR + "; to 'Target' at " + ADDR
                    + r"> refers weakly to:$", refs[0]), r
    assert re.match(r"^  \(weak\) -> \$\d+ = " + OBJ % "Target" + "$",
                    refs[1]), r
    assert refs[2].endswith("refers to 0 objects."), r
    assert value(after(r, "p $.tag")) == "'deep'"
    # One strong referrer (the Holder, or its dictionary on 3.10), and the
    # weak one apart.
    referrers = after(r, "gc referrers WEAK()")
    assert len(referrers) == 3 and referrers[0].startswith(
        "1 referrer of "), r
    assert "weakref" not in referrers[1], r
    assert re.match(r"^  \(weak\) \$\d+ = <weakref at " + ADDR
                    + "; to 'Target' at " + ADDR + ">$", referrers[2]), r


# --- gc refs, gc referrers: named edges --------------------------------------


def test_referrers_name_keys_indices_defaults_and_closures():
    r = in_worker(['gc referrers CONFIG["handlers"]',
                   'gc referrers CONFIG["handlers"][0]',
                   "gc referrers lookup.__defaults__",
                   "gc referrers BUMP.__closure__",
                   "gc referrers BUMP.__closure__[0]",
                   "gc referrers Registry.shared",
                   "gc referrers payload.items",
                   "gc referrers globals()"])

    def only(cmd):
        lines = after(r, cmd)
        assert lines[0].startswith("1 referrer of ") and len(lines) == 2, \
            (cmd, lines)
        return lines[1]

    line = only('gc referrers CONFIG["handlers"]')
    assert line.startswith("  $1 = dict (2 items) {'handlers': "), line
    assert line.endswith("  ['handlers']"), line
    line = only('gc referrers CONFIG["handlers"][0]')
    assert line.startswith("  $2 = list (2 items) ") and line.endswith(
        "  [0]"), line
    assert only("gc referrers lookup.__defaults__") == (
        "  $3 = function lookup  .__defaults__")
    assert only("gc referrers BUMP.__closure__") == (
        "  $4 = function make_counter.<locals>.bump  .__closure__")
    line = only("gc referrers BUMP.__closure__[0]")
    assert line.startswith("  $5 = tuple (1 item) (<cell at ")
    assert line.endswith("  [0]"), line
    # A class attribute lives in the class's dictionary.
    line = only("gc referrers Registry.shared")
    assert line.startswith("  $6 = dict ") and "'__module__': '__main__'" \
        in line and line.endswith("  ['shared']"), line
    # An attribute: from the instance (3.11+ keeps attributes inline) or
    # from its attribute dictionary (3.10).
    line = only("gc referrers payload.items")
    assert (re.match(r"^  \$7 = " + OBJ % "Target" + r"  \.items$", line)
            or re.match(r"^  \$7 = dict \(2 items\) \{'tag': 'local', "
                        r"'items': .*  \['items'\]$", line)), line
    globals_ = after(r, "gc referrers globals()")
    assert any(re.match(r"^  \$\d+ = module __main__  \.__dict__$", l)
               for l in globals_), globals_
    for func in ("worker", "lookup", "make_counter", "last"):
        assert any(re.match(r"^  \$\d+ = function %s  \.__globals__$" % func,
                            l) for l in globals_), (func, globals_)


def test_refs_name_attributes_and_function_fields():
    r = in_worker(["gc refs HOLDER", "gc refs BUMP", "gc refs CONFIG",
                   "gc refs CHAIN"])
    holder = after(r, "gc refs HOLDER")
    assert re.match(r"^" + OBJ % "Holder" + r" refers to 2 objects:$",
                    holder[0]), r
    if python_version() >= (3, 11):
        assert re.match(r"^  \.inner -> \$1 = " + OBJ % "Holder" + "$",
                        holder[1]), holder
    else:
        assert holder[1].startswith("  .__dict__ -> $1 = dict (1 item) "
                                    "{'inner': <__main__.Holder object"), \
            holder
    assert holder[2] == "  .__class__ -> $2 = class __main__.Holder", holder
    bump = after(r, "gc refs BUMP")
    assert bump[0] == ("function make_counter.<locals>.bump refers to 8 "
                       "objects:"), bump
    names = {l.split(" -> ")[0].strip(): l.split(" = ", 1)[1]
             for l in bump[1:]}
    assert set(names) == {".__code__", ".__globals__", ".__builtins__",
                          ".__module__", ".__doc__", ".__name__",
                          ".__closure__", ".__qualname__"}, bump
    assert names[".__name__"] == "str 'bump'"
    assert names[".__qualname__"] == "str 'make_counter.<locals>.bump'"
    assert names[".__doc__"] == "NoneType None"
    assert names[".__builtins__"].startswith("dict ("), bump
    config = after(r, "gc refs CONFIG")
    assert config[0].startswith("dict (2 items) {'handlers': ") and \
        config[0].endswith(" refers to 2 objects:"), config
    assert config[1].startswith("  ['handlers'] -> $"), config
    assert config[2].startswith("  ['depth'] -> $") and \
        config[2].endswith(" = int 3"), config
    chain = after(r, "gc refs CHAIN")
    assert any(re.match(r"^  \.next -> \$\d+ = " + OBJ % "Node" + "$", l)
               or l.startswith("  .__dict__ -> ") for l in chain), chain


def test_chain_names_closures_and_class_attributes():
    r = in_worker(["gc chain BUMP.__closure__[0].cell_contents",
                   "gc chain Registry.shared[0]",
                   'gc chain lookup("cached")'])
    assert chain_line(after(r, "gc chain BUMP.__closure__[0].cell_contents"))\
        == ("  module __main__ .BUMP -> function make_counter.<locals>.bump "
            ".__closure__[0].cell_contents -> list (1 item) [0]"), r
    assert re.match(r"^  module __main__ \.Registry -> class "
                    r"__main__\.Registry \.shared -> "
                    r"list \[0\] -> " + OBJ % "Handler" + "$",
                    chain_line(after(r, "gc chain Registry.shared[0]"))), r
    assert re.match(r"^  module __main__ \.lookup -> function lookup "
                    r"\.__defaults__ -> tuple \[0\] -> dict \['cached'\] -> "
                    + OBJ % "Handler" + "$",
                    chain_line(after(r, 'gc chain lookup("cached")'))), r


def test_address_cpdb_printed_is_an_object_and_unknown_is_an_error():
    with Live([program("gcrefs.py")]) as c:
        c.cmd("break %d" % WORKER)
        c.cmd("continue")
        lines = c.cmd('gc instances Handler 4')
        names = set()
        for line in lines[:4]:
            address = re.search(ADDR, line).group(0)
            chain = c.cmd("gc chain " + address)
            assert re.match(r"^Chain of \d+ references:$", chain[0]), chain
            assert chain[1].endswith(address + ">"), chain
            names.add(value(c.cmd("p $.name")))
        assert names == {"'first'", "'second'", "'class-level'",
                         "'cached'"}, names
        assert c.cmd("gc refs 0xdeadbeef") == [
            "No object tracked by the garbage collector at 0xdeadbeef."]
        assert c.cmd("gc chain 0xdeadbeef") == [
            "No object tracked by the garbage collector at 0xdeadbeef."]
        assert c.cmd("gc referrers 0xzz") == [
            'Bad address "0xzz": a hexadecimal address is expected.']
        assert value(c.cmd("p 1 + 1")) == "2"
        rc, rest = c.close()
    assert rc == 0, rest


# --- garbage, saveall, collect -----------------------------------------------


def parse_garbage(lines):
    """{index: (description, [(edge, index)])} from "gc garbage"."""
    items = {}
    current = None
    for line in lines[1:]:
        m = re.match(r"^  #(\d+) \$\d+ = (.*)$", line)
        if m:
            current = int(m.group(1))
            items[current] = (m.group(2), [])
            continue
        m = re.match(r"^       (.*) -> #(\d+)$", line)
        assert m and current is not None, line
        items[current][1].append((m.group(1), int(m.group(2))))
    return items


def follow(items, i, attr):
    """The garbage object that #i's attribute attr refers to, through
    its attribute dictionary if it has one in gc.garbage (3.10)."""
    for edge, j in items[i][1]:
        if edge == "." + attr:
            return j
        if edge == ".__dict__":
            for inner, k in items[j][1]:
                if inner == "['%s']" % attr:
                    return k
    return None


def test_del_cycle_example_shows_garbage_and_cycles():
    r = run_cpdb(["-x", example("del_cycle.cpdb"), "--batch",
                  example("del_cycle.py")])
    assert r.rc == 0, r
    assert not r.err, r
    # The first collection only cleans up after start-up.
    collect = after(r, "gc collect", 1)
    assert collect[:3] == ["closing connection to db%d.example.com" % i
                           for i in range(3)], r
    # Each pair: Connection, Session, its statements list (and, on 3.10,
    # the two attribute dictionaries).
    per_pair = 3 if python_version() >= (3, 11) else 5
    assert re.match(r"^Collected generation 2: %d unreachable objects found"
                    r" in \d+\.\d ms\.$" % (3 * per_pair), collect[3]), r
    lines = after(r, "gc garbage")
    assert lines[0] == "gc.garbage holds %d objects:" % (3 * per_pair), r
    items = parse_garbage(lines)
    conns = [i for i, (d, _) in items.items()
             if re.match(OBJ % "Connection" + "$", d)]
    assert len(conns) == 3, lines
    for i in conns:
        s = follow(items, i, "session")
        assert s is not None and re.match(OBJ % "Session", items[s][0]), \
            (i, lines)
        assert follow(items, s, "connection") == i, (i, lines)
        statements = follow(items, s, "statements")
        assert items[statements][0].startswith(
            "list (1 item) ['SELECT * FROM orders WHERE id = "), lines
    # The three cycles have one shape: printed once, with their count.
    cycles = after(r, "gc cycles")
    assert cycles[0] == "3 cycles of 1 shape:", cycles
    assert len(cycles) == 3, cycles
    for header, cycle in zip(cycles[1::2], cycles[2::2]):
        assert re.match(r"^Cycle 1: 3 cycles like this one, %d objects of "
                        r"gc\.garbage each$" % (per_pair - 1), header), cycles
        m = re.match(r"^  #(\d+) __main__\.Connection \.session -> #(\d+) "
                     r"__main__\.Session \.connection -> #(\d+) "
                     r"__main__\.Connection$", cycle)
        assert m and m.group(1) == m.group(3), cycle
        assert follow(items, int(m.group(1)), "session") == int(m.group(2))


def test_garbage_and_cycles_when_there_is_none():
    r = at_job(0, ["gc garbage", "gc cycles"])
    assert after(r, "gc garbage") == [
        'gc.garbage is empty.  "gc saveall on" keeps what the collector '
        'frees there; objects it cannot free land there too.'], r
    assert after(r, "gc cycles") == [
        'gc.garbage is empty: no cycles to show.  "gc saveall on" then '
        '"gc collect" keeps the cycles the collector frees.'], r


def test_saveall_sets_and_clears_the_debug_flag():
    gc_debug = "p __import__('gc').get_debug()"
    r = at_job(0, [gc_debug, "gc saveall on", gc_debug, "info gc",
                   "gc saveall off", gc_debug, "gc"])
    assert value(after(r, gc_debug)) == "0", r
    assert after(r, "gc saveall on") == [
        "DEBUG_SAVEALL is on: the collector keeps what it frees in "
        "gc.garbage."], r
    assert value(after(r, gc_debug, 1)) == "32", r
    assert after(r, "info gc")[-1] == "Debug flags: DEBUG_SAVEALL", r
    assert after(r, "gc saveall off") == [
        "DEBUG_SAVEALL is off: the collector frees unreachable objects "
        "again."], r
    assert value(after(r, gc_debug, 2)) == "0", r
    assert after(r, "gc")[-1] == "Debug flags: none", r


def test_collect_counts_what_it_frees():
    # The program turned the collector off: each Job pair is a cycle that
    # only an explicit collection frees.
    r = at_job(0, ["gc collect 0", "continue 4", "gc collect", "gc types Job"],
               before=["gc collect"])
    assert re.match(r"^Collected generation 0: 2 unreachable objects found "
                    r"in \d+\.\d ms\.$", after(r, "gc collect 0")[0]), r
    assert re.match(r"^Collected generation 2: 8 unreachable objects found "
                    r"in \d+\.\d ms\.$", after(r, "gc collect", 1)[0]), r
    assert after(r, "gc types Job")[-1] == 'No type matches "Job".', r


def test_saveall_keeps_the_job_cycles():
    r = at_job(3, ["gc collect", "gc cycles"],
               before=["gc collect", "gc saveall on"])
    assert re.match(r"^Collected generation 2: 8 unreachable",
                    after(r, "gc collect", 1)[0]), r
    # Four cycles of one shape: the first is the example.
    cycles = after(r, "gc cycles")
    assert cycles == [
        "4 cycles of 1 shape:",
        "Cycle 1: 4 cycles like this one, 2 objects of gc.garbage each",
        "  #0 __main__.Job .peer -> #1 __main__.Job .peer -> #0 "
        "__main__.Job"], r
    # gc garbage records each object: $1 is #0, $2 is #1.
    r = at_job(3, ["gc collect", "gc garbage", "p $1.peer is $2",
                   "p $2.peer is $1", "p sorted([$1.name, $2.name])"],
               before=["gc collect", "gc saveall on"])
    lines = after(r, "gc garbage")
    assert lines[0] == "gc.garbage holds 8 objects:", r
    items = parse_garbage(lines)
    for i in range(0, 8, 2):
        assert items[i][1] == [(".peer", i + 1)], lines
        assert items[i + 1][1] == [(".peer", i)], lines
    assert value(after(r, "p $1.peer is $2")) == "True"
    assert value(after(r, "p $2.peer is $1")) == "True"
    assert re.match(r"^\['first(\d)', 'second\1'\]$",
                    value(after(r, "p sorted([$1.name, $2.name])"))), r


# --- censuses: types, growth, snapshots --------------------------------------


def test_types_counts_what_the_program_made():
    count_widgets = ("p sum(type(o).__name__ == 'Widget' "
                     "for o in __import__('gc').get_objects())")
    r = at_job(4, ["gc types 5 Widget", "gc types 5 *.Job",
                   "gc types 3", "info gc", count_widgets, "gc types cpdb"])
    assert type_count(after(r, "gc types 5 Widget"), "__main__.Widget") == 37
    lines = after(r, "gc types 5 *.Job")
    assert re.match(r'^\d+ objects tracked, of \d+ types \(matching '
                    r'"\*\.Job"\):$', lines[0]), r
    assert lines[1:] == ["%-40s %10d" % ("__main__.Job", 10)], r
    assert value(after(r, count_widgets)) == "37"
    top = after(r, "gc types 3")
    assert len(top) == 5, top
    assert re.match(r'^  \.\.\. and \d+ more types \("gc types N" shows '
                    r'N\)\.$', top[4]), top
    counts = [int(l.split()[-1]) for l in top[1:4]]
    assert counts == sorted(counts, reverse=True), top
    total = int(top[0].split()[0])
    assert after(r, "gc types cpdb")[-1] == 'No type matches "cpdb".', r
    # Same stop, nothing run in between: info gc agrees with the census.
    assert "Tracked objects: %d" % total in after(r, "info gc"), r


def test_types_lists_no_cpdb_type():
    r = in_worker(["gc types 100000"])
    rows = after(r, "gc types 100000")
    n_types = int(re.match(r"^\d+ objects tracked, of (\d+) types:$",
                           rows[0]).group(1))
    assert len(rows) == n_types + 1, r
    assert not [l for l in rows if "cpdb" in l.lower()], rows


def test_growth_shows_what_k_more_requests_left():
    r = run_cpdb([example("growth.py")],
                 ["break handle_request", "continue", "continue 3",
                  "gc growth 100000", "continue 7", "gc growth",
                  "gc growth 5"])
    first = after(r, "gc growth 100000")
    assert first[0].endswith('(since the start: first "gc growth")'), r
    assert growth_row(first, "__main__.RequestContext") == (3, 3), r
    assert growth_row(after(r, "gc growth"),
                      "__main__.RequestContext") == (10, 7), r
    assert growth_row(after(r, "gc growth"), "method")[1] == 7, r
    assert after(r, "gc growth 5") == [
        "%-40s %10s %10s" % ("type", "count", "growth"),
        'No type grew since the last "gc growth".'], r


def test_growth_does_not_collect_unless_asked():
    r = at_job(0, ["gc growth 3", "continue 4", "gc growth 3",
                   "continue", "gc growth 3 --collect", "gc types Job"])
    # Garbage cycles are counted: a leak of cycles stays visible.
    assert growth_row(after(r, "gc growth 3", 1), "__main__.Job") == (10, 8)
    # --collect frees them first: no Job is left to grow.
    assert growth_row(after(r, "gc growth 3 --collect"),
                      "__main__.Job") is None, r
    assert after(r, "gc types Job")[-1] == 'No type matches "Job".', r


def test_growth_collect_after_another_heap_command():
    r = at_job(4, ["gc types Job", "gc growth --collect", "gc types Job"])
    assert type_count(after(r, "gc types Job"), "__main__.Job") == 10
    assert after(r, "gc types Job", 1)[-1] == 'No type matches "Job".', r


def test_objects_made_at_the_prompt_are_seen():
    r = in_worker(["gc types Target", '!EXTRA = [Target("late") '
                   'for _ in range(4)]', "gc types Target",
                   "gc chain EXTRA[0]"])
    assert type_count(after(r, "gc types Target"), "__main__.Target") == 2
    assert type_count(after(r, "gc types Target", 1),
                      "__main__.Target") == 6, r
    # "!EXTRA = ..." in a function makes a local, as in pdb
    assert chain_line(after(r, "gc chain EXTRA[0]")).startswith(
        "  frame #0 worker() variable 'EXTRA' -> list [0] -> "), r


def test_snapshots_and_their_difference():
    r = at_job(0, ["gc snapshot A", "continue 3", "gc snapshot B",
                   "gc diff A B", "gc diff A", "gc snapshot", "gc diff",
                   "gc diff B nosuch"])
    assert re.match(r'^Snapshot "A": \d+ objects of \d+ types\.$',
                    after(r, "gc snapshot A")[0]), r
    row = "%-40s %10d %10d %+10d" % ("__main__.Job", 2, 8, 6)
    for cmd, b in (("gc diff A B", "B"), ("gc diff A", "now")):
        lines = after(r, cmd)
        assert lines[0] == "%-40s %10s %10s %10s" % ("type", "A", b,
                                                     "change"), r
        assert row in lines, (cmd, r)
        changes = [abs(int(l.split()[-1])) for l in lines[1:]]
        assert changes == sorted(changes, reverse=True), lines
    assert re.match(r'^Snapshot "3": ', after(r, "gc snapshot")[0]), r
    assert after(r, "gc diff")[1:] == ["No differences."], r
    assert error_lines(r) == ['No snapshot named "nosuch".'], r


def test_a_snapshot_leaves_the_heap_as_it_was():
    r = at_job(0, ["gc snapshot A", "continue 3", "gc snapshot B",
                   "gc diff A B"])
    assert after(r, "gc diff A B")[1:] == [
        "%-40s %10d %10d %+10d" % ("__main__.Job", 2, 8, 6)], r


# --- gc instances ------------------------------------------------------------


def test_instances_are_recorded_for_later_commands():
    r = run_cpdb([example("default_cache.py")],
                 ['break publish if key == "baz"', "continue",
                  "gc instances BigObject 2", "p sorted([$1.key, $2.key])",
                  "p len($2.rows)", "gc instances __main__.BigObject",
                  "gc instances NoSuchType"])
    lines = after(r, "gc instances BigObject 2")
    assert [re.match(r"^\$(\d+) = " + OBJ % "BigObject" + "$", l).group(1)
            for l in lines[:2]] == ["1", "2"], r
    assert lines[2] == ('3 objects of type BigObject (the first shown; '
                        '"gc instances TYPE N" for more).'), r
    keys = value(after(r, "p sorted([$1.key, $2.key])"))
    assert keys in ("['bar', 'baz']", "['bar', 'foo']", "['baz', 'foo']"), r
    assert value(after(r, "p len($2.rows)")) == "10000"
    assert after(r, "gc instances __main__.BigObject")[-1] == (
        "3 objects of type __main__.BigObject."), r
    assert after(r, "gc instances NoSuchType") == [
        'No tracked object of type "NoSuchType" ("gc types NoSuchType" '
        'lists the types whose name contains it).'], r


# --- gc leaks, info gc, cpdb's own objects -----------------------------------


def test_leaks_lists_what_no_tracked_object_refers_to():
    r = in_worker(["gc leaks 100000"])
    lines = after(r, "gc leaks 100000")
    m = re.match(r"^(\d+) of (\d+) tracked objects have no referrer the "
                 r"collector knows of \(held from C, by running frames, or "
                 r"leaked\):$", lines[0])
    assert m, r
    n_leaks, n_tracked = int(m.group(1)), int(m.group(2))
    assert 0 < n_leaks < n_tracked
    rows = [l for l in lines[1:] if l.startswith("  ")]
    values = [l for l in lines[1:] if l.startswith("$")]
    assert len(rows) + len(values) == len(lines) - 1, lines
    assert len(values) == n_leaks, (len(values), n_leaks)
    # ten types at most, then how many more
    more = [l for l in rows if l.startswith("  ... and ")]
    rows = [l for l in rows if l not in more]
    assert len(rows) <= 10 and len(more) <= 1, lines
    assert not more or len(rows) == 10, lines
    counts = {l.split()[0]: int(l.split()[1]) for l in rows}
    assert counts.get("function", 0) >= 1, rows
    assert sum(counts.values()) <= n_leaks
    # The atexit hook, held by the interpreter, is among them.
    assert any(re.match(r"^\$\d+ = function _flush_on_exit$", l)
               for l in values), values


def test_leaks_lists_nothing_of_cpdb():
    # Not even the interpreter's list of fork handlers, which holds only
    # cpdb's.
    r = in_worker(["gc leaks 100000"])
    assert "cpdb" not in "\n".join(after(r, "gc leaks 100000")), r


def test_info_gc_shows_the_collectors_state():
    threshold = "p __import__('gc').get_threshold()"
    r = at_job(0, ["info gc", "gc", threshold])
    lines = after(r, "info gc")
    assert len(lines) == 6, lines
    assert lines[0] == "Automatic collection: disabled", lines
    assert lines[1] == "Thresholds (gen 0, 1, 2): %s" % value(
        after(r, threshold)), lines
    assert re.match(r"^Counts \(gen 0, 1, 2\): \(\d+, \d+, \d+\)$", lines[2])
    assert re.match(r"^Tracked objects: \d+$", lines[3])
    assert lines[4:] == ["gc.garbage: 0 objects", "Debug flags: none"]
    same = after(r, "gc")
    steady = ("Counts", "Tracked")      # the interpreter's caches move
    assert [l for l in same if not l.startswith(steady)] == \
        [l for l in lines if not l.startswith(steady)], (same, lines)
    tracked = [int(l.split()[-1]) for l in lines + same
               if l.startswith("Tracked")]
    assert abs(tracked[0] - tracked[1]) <= 5, (same, lines)
    r = run_cpdb([program("gcrefs.py")], ["info gc"])
    assert after(r, "info gc")[0] == "Automatic collection: enabled", r


# --- gc graph ----------------------------------------------------------------


def test_graph_writes_dot_with_labels_and_edge_names(tmp_path):
    out = tmp_path / "config.dot"
    back = tmp_path / "back.dot"
    r = in_worker(["gc graph CONFIG %s" % out,
                   'gc graph CONFIG["handlers"][0] backrefs depth 2 %s'
                   % back])
    assert after(r, "gc graph CONFIG %s" % out) == [
        "Graph of 8 objects (what it refers to, depth 3) written to %s."
        % out], r
    text = out.read_text()
    assert text.startswith("digraph cpdb {"), text
    assert text.rstrip().endswith("}")
    assert re.search(r'n0 \[label="dict\\n\{\'handlers\': ', text), text
    assert 'style=filled' in text
    assert text.count('label="__main__.Handler\\n<__main__.Handler object '
                      'at ') == 2, text
    for edge in ("['handlers']", "['depth']", "[0]", "[1]", ".__class__"):
        assert re.search(r'n\d+ -> n\d+ \[label="%s"\];' % re.escape(edge),
                         text), (edge, text)
    text = back.read_text()
    assert 'n1 -> n0 [label="[0]"];' in text, text
    assert 'n2 -> n1 [label="[\'handlers\']"];' in text, text


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz dot is not installed")
def test_graph_renders_png_and_svg_with_dot(tmp_path):
    png = tmp_path / "g.png"
    svg = tmp_path / "g.svg"
    r = in_worker(["gc graph payload %s" % png,
                   "gc graph payload backrefs %s" % svg])
    assert after(r, "gc graph payload %s" % png)[0].endswith(
        "written to %s." % png), r
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text()
    assert not (tmp_path / "g.dot").exists()
    assert not r.err, r


# --- bad arguments -----------------------------------------------------------


def test_bad_arguments_are_one_line_errors(tmp_path):
    bad = {
        "gc collect 5": 'Bad generation "5": 0, 1 or 2 is expected.',
        "gc saveall maybe": 'Bad argument "maybe": "on" or "off" is '
                            'expected.',
        "gc growth foo": 'Bad argument "foo": gc growth [N] [--collect].',
        "gc instances": 'Argument required (a type name, as "gc types" '
                        'prints it).',
        "gc instances Target x": 'Bad count "x": a number is expected.',
        "gc graph CONFIG": "Usage: gc graph OBJ [backrefs] [depth N] "
                           "[max N] FILE.dot|.png|.svg",
        "gc graph CONFIG out.txt": 'Bad file "out.txt": FILE.dot, FILE.png '
                                   'or FILE.svg is expected.',
        "gc graph CONFIG depth 0 %s/x.dot" % tmp_path:
            'Bad depth "0": a number is expected.',
        "gc leaks foo": 'Bad argument "foo": gc leaks [N].',
        "gc diff": '"gc diff" needs two snapshots (or one and a name): '
                   'take them with "gc snapshot".',
        "gc chain": "Argument required (an expression, $N, or an address "
                    "cpdb printed).",
        "gc refs no_such_name": "NameError: name 'no_such_name' is not "
                                "defined",
        "gc bogus": 'Undefined gc command: "bogus".  Try "help gc".',
    }
    commands = list(bad)
    r = in_worker(commands + ["p len(CONFIG)", "continue"])
    assert error_lines(r) == [bad[c] for c in commands], r
    for c in commands:
        assert after(r, c) == [], (c, r)
    assert value(after(r, "p len(CONFIG)")) == "2"
    assert after(r, "continue", 1)[-1] == "Program exited with status 0.", r
    assert r.rc == 0
    assert not os.listdir(tmp_path)
    # In batch mode a failed gc command makes the exit status non-zero.
    r = run_cpdb(["--batch", "-ex", "gc collect 7", program("gcrefs.py")])
    assert r.rc != 0 and error_lines(r) == [
        'Bad generation "7": 0, 1 or 2 is expected.'], r


def test_cycle_through_a_class_closes_on_the_class():
    r = run_cpdb([program("gccycles.py")],
                 ["gc collect", "gc saveall on", "break checkpoint if n < 0",
                  "continue", "gc collect", "gc cycles"])
    last = after(r, "gc cycles")[-1]
    m = re.match(r"^  #(\d+) (class \S+Temporary) .*-> #\1 (.*)$", last)
    assert m and m.group(2) == m.group(3), last


# --- the examples, each with its command file --------------------------------


def test_growth_example_finds_the_listener_list(tmp_path):
    with open(example("growth.cpdb")) as f:
        script = f.read()
    png = tmp_path / "growth.png"
    assert "/tmp/growth-backrefs.png" in script
    cmds = tmp_path / "growth.cpdb"
    cmds.write_text(script.replace("/tmp/growth-backrefs.png", str(png)))
    r = run_cpdb(["-x", str(cmds), "--batch", example("growth.py")])
    assert r.rc == 0 and not r.err, r
    assert type_count(after(r, "gc types 10"), "function") > 0, r
    assert growth_row(after(r, "gc growth 5", 1),
                      "__main__.RequestContext") == (10, 10), r
    assert re.match(r"^  module __main__ \.SETTINGS -> __main__\.Settings "
                    r"\.listeners -> list \[\d\] -> method \.__self__ -> "
                    + OBJ % "RequestContext" + "$",
                    chain_line(after(r, "gc chain $1"))), r
    if shutil.which("dot"):
        assert png.read_bytes()[:4] == b"\x89PNG"
    # Without the debugger the program runs the same.
    p = run_python([example("growth.py")])
    assert p.out == "served 50 requests, 50 listeners subscribed\n", p


def test_default_cache_example_finds_the_default_argument():
    r = run_cpdb(["-x", example("default_cache.cpdb"), "--batch",
                  example("default_cache.py")])
    assert r.rc == 0 and not r.err, r
    assert after(r, "gc instances BigObject")[-1] == (
        "3 objects of type BigObject."), r
    assert re.match(r"^  module __main__ \.compute -> function compute "
                    r"\.__defaults__ -> tuple \[0\] -> "
                    r"dict \['(foo|bar|baz)'\] -> " + OBJ % "BigObject"
                    + "$", chain_line(after(r, "gc chain $1"))), r


def has_django():
    return subprocess.run([PYTHON, "-c", "import django"],
                          capture_output=True).returncode == 0


def has_leak_hints():
    r = run_cpdb([program("basic.py")], ["help leak"])
    return "hints" in r.out and not error_lines(r)


SHOP = os.path.join(EXAMPLES, "django_debug", "shop.py")


@pytest.mark.skipif(not has_django(),
                    reason="Django is not importable by this Python")
def test_django_example_grows_without_the_debugger():
    p = run_python([SHOP])
    assert p.rc == 0, p
    assert p.out.splitlines() == [
        "batch %d: %d requests served, %d queries kept by Django"
        % (b, 1000 * (b + 1), 2000 * (b + 1) + 1) for b in range(4)], p


@pytest.mark.skipif(not has_django(),
                    reason="Django is not importable by this Python")
def test_django_example_queries_grow_under_cpdb():
    r = run_cpdb([SHOP], ["break end_of_batch", "continue", "continue",
                          "p len(connection.queries)",
                          "p __import__('django').conf.settings.DEBUG"])
    assert value(after(r, "p len(connection.queries)")) == "4001", r
    assert value(after(r, "p __import__('django').conf.settings.DEBUG")) \
        == "True", r


@pytest.mark.skipif(not has_django(),
                    reason="Django is not importable by this Python")
def test_django_example_leak_hints_names_debug_and_the_fix():
    if not has_leak_hints():
        pytest.skip('"leak hints" is not a cpdb command yet')
    r = run_cpdb(["-x", SHOP[:-3] + ".cpdb", "--batch", SHOP])
    assert r.rc == 0 and not r.err, r
    assert value(after(r, "p len(connection.queries)")) == "4001", r
    hints = "\n".join(after(r, "leak hints"))
    assert "DEBUG" in hints and "reset_queries" in hints, r
    assert "4001" in hints or "connection.queries" in hints, r


def test_the_collector_waits_while_the_prompt_is_up():
    # Importing tracemalloc ("mem start") makes hundreds of objects: with
    # the program's threshold of 100 that would collect its 60
    # unreachable Nodes; cpdb keeps the collector from running.
    r = run_cpdb([program("gcpause.py")],
                 ["break 19", "continue", "gc types Node", "mem start",
                  "gc types Node", "gc", "p __import__('gc').isenabled()",
                  "continue"])
    assert type_count(after(r, "gc types Node"), "__main__.Node") == 60, r
    assert type_count(after(r, "gc types Node", 1), "__main__.Node") == 60, r
    assert "Automatic collection: enabled" in after(r, "gc"), r
    # Python at the prompt sees the program's setting
    assert after(r, "p __import__('gc').isenabled()") == ["$1 = True"], r
    assert "enabled: True" in r.out


def test_turning_the_collector_off_at_the_prompt_sticks():
    r = run_cpdb([program("gcpause.py")],
                 ["break 19", "continue", "!import gc; gc.disable()", "gc",
                  "continue"])
    assert "Automatic collection: disabled" in after(r, "gc"), r
    assert "enabled: False" in r.out, r


def test_backward_graph_reaches_the_module_through_its_globals(tmp_path):
    # The module's dict has a referrer per function (__globals__): they
    # are left out, so the module itself is drawn, not "N more".
    out = tmp_path / "growth.dot"
    growth = os.path.join(EXAMPLES, "growth.py")
    r = run_cpdb([growth], ["break handle_request", "continue", "continue 3",
                            "gc instances RequestContext 1",
                            "gc graph $1 backrefs depth 6 %s" % out])
    dot = out.read_text()
    assert "module\\n<module '__main__'" in dot, dot
    assert "label=\"['SETTINGS']\"" in dot, dot
    assert "more referrers" not in dot, dot
    # 3.10 draws the Settings instance's __dict__ as a node of its own
    assert after(r, "gc graph $1 backrefs depth 6 %s" % out) in (
        ["Graph of %d objects (what refers to it, depth 6) written to %s."
         % (n, out)] for n in (6, 7)), r


def test_backward_graph_draws_the_frame_variables_that_hold(tmp_path):
    out = tmp_path / "payload.dot"
    r = in_worker(["gc graph payload backrefs %s" % out])
    dot = out.read_text()
    assert "label=\"frame #0 worker() variable 'payload'\", shape=ellipse" \
        in dot, (dot, r)
    assert re.search(r"^  v\d+ -> n0;$", dot, re.M), dot


def test_leaks_leave_out_what_code_types_and_frames_hold():
    # The naive answer (objgraph's: tracked objects no tracked object
    # refers to) also lists static types' dicts and, from 3.11, a stopped
    # frame's variables: cpdb knows who holds those.
    r = in_worker(["gc leaks 100000"])
    values = [l for l in after(r, "gc leaks 100000") if l.startswith("$")]
    assert values, r
    assert not any("{'__new__': <built-in method __new__" in l
                   for l in values), values
    assert not any("Target object" in l for l in values), values  # payload


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
