"""leak hints: each known leak pattern is found in a program that has it,
with the numbers and the fix; a clean program gets none; growth needs two
looks; Django's query log is found when Django is there."""

import re
import subprocess

import pytest

from conftest import PYTHON, program, run_cpdb
from transcript import after

FIRST, SECOND = "break 63", "break 66"


def hints_twice():
    return run_cpdb([program("leakhints.py")],
                    [FIRST, SECOND, "continue", "leak hints", "continue",
                     "leak hints", "p len($1), len($5)"])


def titles(lines):
    return [l for l in lines if re.match(r"\d+\. ", l)]


def test_first_look_finds_defaults_caches_and_del_cycles():
    r = hints_twice()
    first = after(r, "leak hints")
    t = titles(first)
    assert any(re.match(r"\d+\. A mutable default argument used as a cache: "
                        r"lookup\(_memo=\.\.\.\) at .*leakhints\.py:36 holds "
                        r"a dict of 120 items\.$", l) for l in t), first
    # the small default (_seen=[]) is not worth a hint
    assert not any("small(" in l for l in t), first
    assert any(re.match(r"\d+\. An unbounded functools.lru_cache: square "
                        r"holds 120 entries \(maxsize=None\)\.$", l)
               for l in t), first
    assert not any(": bounded " in l for l in t), first   # maxsize=32
    assert any(re.match(r"\d+\. functools.lru_cache on a method keeps "
                        r"instances alive: Handler.render's cache holds 120 "
                        r"__main__.Handler objects \(120 entries, "
                        r"maxsize=None\)\.$", l) for l in t), first
    assert any(re.match(r"\d+\. \d+ objects? with __del__ \(__main__.Conn",
                        l) for l in t), first
    # growth needs a second look
    assert not any("grows" in l for l in t), first
    assert first[-2:] == ['The sizes of module-level containers are noted: '
                          '"leak hints" again later tells',
                          'which of them grew.'], first
    # each hint says the fix and records the object
    text = "\n".join(first)
    assert "Fix: default to None" in text
    assert "Fix: lru_cache(maxsize=N)" in text
    assert "cached_property" in text
    assert "weakref" in text
    assert re.search(r"^   \$1 = dict \(120 items\)", text, re.M), text


def test_second_look_finds_growing_module_containers():
    r = hints_twice()
    second = titles(after(r, "leak hints", 1))
    grows = [l for l in second if "A module-level container grows" in l]
    assert any("__main__.registry went from 120 to 150 items" in l
               for l in grows), second
    assert any("__main__.Handler.listeners went from 120 to 150 items" in l
               for l in grows), second
    assert any("holds a dict of 150 items" in l for l in second), second
    # $1 was the first look's default dict: the same object, grown
    assert after(r, "p len($1), len($5)") == ["$11 = (150, 150)"], r


def test_gc_snapshot_notes_sizes_too():
    r = run_cpdb([program("leakhints.py")],
                 [FIRST, SECOND, "continue", "gc snapshot", "continue",
                  "leak hints"])
    t = titles(after(r, "leak hints"))
    assert any("__main__.registry went from 120 to 150" in l for l in t), r


def test_a_clean_program_has_no_hint():
    r = run_cpdb([program("cleanheap.py")],
                 ["break 19", "continue", "leak hints", "leak hints"])
    assert after(r, "leak hints")[0] == "No known leak pattern found now.", r
    assert after(r, "leak hints", 1) == ["No known leak pattern found now."]


def test_uncollectable_and_saved_garbage():
    r = run_cpdb([program("leakhints.py")],
                 [FIRST, "continue", "gc saveall on", "gc collect",
                  "leak hints", "gc saveall off",
                  "p __import__('gc').garbage.append([1])", "leak hints",
                  "leak hints now"])
    saved = titles(after(r, "leak hints"))
    assert any(re.match(r"\d+\. gc.garbage \(kept by \"gc saveall\"\) holds "
                        r"\d+ objects? with __del__", l) for l in saved), r
    uncollectable = titles(after(r, "leak hints", 1))
    assert any(re.match(r"\d+\. gc.garbage holds \d+ objects? the collector "
                        r"found unreachable but could not free\.", l)
               for l in uncollectable), r
    assert '"leak hints" takes no argument.' in r.err


def django_available():
    try:
        return subprocess.run([PYTHON, "-c", "import django"],
                              capture_output=True).returncode == 0
    except OSError:
        return False


@pytest.mark.skipif(not django_available(),
                    reason="Django is not installed for this Python "
                           "(Debian's python3-django serves /usr/bin/python3)")
def test_django_debug_query_log():
    r = run_cpdb([program("djdebug.py")],
                 ["break 27", "continue", "leak hints", "continue",
                  "leak hints"])
    t = titles(after(r, "leak hints"))
    assert t[0] == ("1. Django keeps every SQL query: connection 'default' "
                    "holds 300 queries (%d characters of SQL) in "
                    "django.db.connection.queries, because settings.DEBUG is "
                    "True." % sum(len("SELECT %d + 1" % i)
                                  for i in range(300))), r
    text = "\n".join(after(r, "leak hints"))
    assert "DEBUG = False" in text and "django.db.reset_queries()" in text
    # after reset_queries() the log is small again: no hint
    second = titles(after(r, "leak hints", 1))
    assert not any("Django" in l for l in second), r


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
