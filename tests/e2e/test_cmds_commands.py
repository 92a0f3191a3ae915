"""Commands the user defines at the prompt: "commands N" ... "end" (run
at each hit of a breakpoint, as gdb), "alias"/"unalias" (pdb's and
gdb's forms) and "interact" (pdb's Python console), from a pipe, a -x
file and a terminal."""

import os
import time

import pytest

from conftest import run_cpdb
from terminal import finish, pexpect, spawn
from transcript import after, error_lines, locations

LOOP = """\
def square(x):
    y = x * x
    return y


def main():
    total = 0
    for i in range(3):
        total += square(i)
    done = total
    return done


main()
print("end")
"""


@pytest.fixture
def prog(tmp_path):
    path = tmp_path / "loop.py"
    path.write_text(LOOP)
    return os.path.realpath(str(path))


def run(prog, commands, **kw):
    return run_cpdb([prog], commands, **kw)


# --- commands N ... end -----------------------------------------------------

def test_silent_commands_with_continue_run_at_each_hit(prog):
    r = run(prog, ["break square", "commands 1", "silent", "p x * 100",
                   "continue", "end", "break 10", "continue", "p total"])
    out = after(r, "continue")
    # Each hit of breakpoint 1 printed its value and went on, without
    # showing the stop; breakpoint 2 then stopped as usual.
    assert out[:3] == ["$1 = 0", "$2 = 100", "$3 = 200"], r
    assert "Breakpoint 1," not in r.out, r
    assert [l[1:3] for l in locations(out)] == [(10, "main")], r
    assert out[3].startswith("Breakpoint 2, main ()"), r
    assert after(r, "p total") == ["$4 = 5"], r
    assert r.rc == 0 and not error_lines(r), r


def test_commands_without_number_take_the_last_breakpoint(prog):
    r = run(prog, ["break 10", "break square", "commands", "p x", "end",
                   "info breakpoints", "continue", "continue"])
    info = after(r, "info breakpoints")
    # The body is listed under breakpoint 2 only.
    i = [n for n, l in enumerate(info) if l.startswith("2 ")][0]
    assert info[i + 1].strip() == "p x", info
    assert all(l.strip() != "p x" for l in info[:i]), info
    # Not silent: the stop is shown, then the commands run, then the
    # prompt (no resume command in the list).
    first = after(r, "continue")
    assert first[0].startswith("Breakpoint 2, square (x=0)"), r
    assert [l[1] for l in locations(first)] == [2], r
    assert first[-1] == "$1 = 0", r
    assert after(r, "continue", 1)[-1] == "$2 = 1", r


def test_body_lines_are_echoed_after_a_gt_prompt_from_a_pipe(prog):
    r = run(prog, ["break square", "commands 1", "p x", "end"])
    assert after(r, "commands 1") == [">p x", ">end"], r


def test_empty_body_clears_the_commands(prog):
    r = run(prog, ["break square", "commands 1", "p 'hit'", "end",
                   "info breakpoints", "commands 1", "end",
                   "info breakpoints", "continue"])
    assert "        p 'hit'" in after(r, "info breakpoints"), r
    assert all("p 'hit'" not in l
               for l in after(r, "info breakpoints", 1)), r
    assert "'hit'" not in "\n".join(after(r, "continue")), r


def test_a_resume_command_ends_the_list(prog):
    # As gdb: the lines after "continue" are part of the body (read up
    # to "end") but never run.
    r = run(prog, ["break square", "break 10", "commands 1", "p x + 1000",
                   "continue", "p 'never'", "end", "continue"])
    assert after(r, "commands 1") == [">p x + 1000", ">continue",
                                      ">p 'never'", ">end"], r
    out = after(r, "continue")
    assert [l for l in out if l.startswith("$")] == [
        "$1 = 1000", "$2 = 1001", "$3 = 1002"], r
    assert "never" not in "\n".join(out), r
    assert [l[1] for l in locations(out)] == [2, 2, 2, 10], r
    assert not error_lines(r), r


def test_commands_are_read_from_a_command_file(prog, tmp_path):
    cmds = tmp_path / "cmds"
    cmds.write_text("break square\ncommands\nsilent\np x\ncontinue\nend\n"
                    "continue\n")
    r = run_cpdb(["--batch", "-x", str(cmds), prog])
    assert [l for l in r.out.splitlines() if l.startswith("$")] == [
        "$1 = 0", "$2 = 1", "$3 = 2"], r
    assert "Program exited with status 0." in r.out, r
    assert r.rc == 0, r


def test_commands_of_a_deleted_breakpoint_are_gone(prog):
    r = run(prog, ["break square", "commands", "p 'x'", "end",
                   "info breakpoints", "delete 1", "break square",
                   "info breakpoints"])
    assert "        p 'x'" in after(r, "info breakpoints"), r
    assert all("p 'x'" not in l
               for l in after(r, "info breakpoints", 1)), r


def test_commands_inside_a_body_do_not_read_the_prompt(prog):
    r = run(prog, ["break square", "commands", "commands", "p 'body'",
                   "end", "continue", "p 'prompt'"])
    assert error_lines(r) == [
        '"commands" cannot run in a breakpoint\'s commands.'], r
    assert after(r, "continue")[-1] == "$1 = 'body'", r
    assert after(r, "p 'prompt'") == ["$2 = 'prompt'"], r


def test_aliases_complete_as_commands(prog):
    r = run(prog, ["alias zzshow p %*", "complete zzs"])
    assert after(r, "complete zzs") == ["zzshow"], r


def test_a_temporary_breakpoint_runs_its_commands_once(prog):
    r = run(prog, ["tbreak square", "commands", "p 'temp', x", "end",
                   "continue", "info breakpoints"])
    assert after(r, "continue")[-1] == "$1 = ('temp', 0)", r
    assert after(r, "info breakpoints") == ["No breakpoints."], r


def test_bad_commands_arguments(prog):
    r = run(prog, ["commands", "break square", "commands 7", "commands 1x",
                   "commands 1 2"])
    assert error_lines(r) == [
        "No breakpoints specified.",
        "No breakpoint number 7.",
        'Bad breakpoint number "1x": numbers from 1 to 2147483647 or '
        'ranges N-M are expected.',
        "No breakpoint number 2."], r


def test_one_list_for_several_breakpoints(prog):
    r = run(prog, ["break square", "break 10", "break 11", "commands 1-2",
                   "silent", "p 'hit'", "continue", "end", "continue"])
    out = after(r, "continue")
    # Three hits of 1, one of 2, each silent; then 3 stops.
    assert [l for l in out if l.startswith("$")] == [
        "$1 = 'hit'", "$2 = 'hit'", "$3 = 'hit'", "$4 = 'hit'"], r
    assert [l[1] for l in locations(out)] == [11], r


# --- alias ---------------------------------------------------------------

def test_pdb_alias_with_parameters(prog):
    r = run(prog, ["break square", "continue",
                   "alias sq p %1 * %1", "sq x", "sq 7",
                   "alias all p [%*]", "all 1, 2, 3",
                   "alias", "alias sq", "unalias sq", "sq 3"])
    assert after(r, "sq x") == ["$1 = 0"], r
    assert after(r, "sq 7") == ["$2 = 49"], r
    assert after(r, "all 1, 2, 3") == ["$3 = [1, 2, 3]"], r
    assert after(r, "alias") == ["sq = p %1 * %1", "all = p [%*]"], r
    assert after(r, "alias sq") == ["sq = p %1 * %1"], r
    assert error_lines(r) == ['Undefined command: "sq".  Try "help".'], r


def test_pdb_alias_argument_count_is_checked(prog):
    r = run(prog, ["alias two p %1 + %2", "two 1", "two 1 2 3", "two 1 2"])
    assert after(r, "two 1 2") == ["$1 = 3"], r
    assert error_lines(r) == [
        'Not enough arguments for alias "two": 2 expected.',
        'Too many arguments for alias "two": 2 expected.'], r


def test_pdb_alias_may_hide_a_command_and_unalias_brings_it_back(prog):
    r = run(prog, ["alias next p 'not next'", "next", "unalias next",
                   "next"])
    assert after(r, "next") == ["$1 = 'not next'"], r
    assert [l[1] for l in locations(after(r, "next", 1))] == [6], r


def test_aliases_nest_and_a_loop_is_an_error(prog):
    r = run(prog, ["alias px p %*", "alias pxx px %*", "pxx 41 + 1",
                   "alias a1 a2", "alias a2 a1", "a1"])
    assert after(r, "pxx 41 + 1") == ["$1 = 42"], r
    assert len(error_lines(r)) == 1, r
    assert "expands to itself" in error_lines(r)[0], r


def test_gdb_alias_appends_the_arguments(prog):
    r = run(prog, ["alias -a bk = break", "bk square", "alias nx = next",
                   "nx", "alias"])
    assert after(r, "bk square")[0].startswith("Breakpoint 1 at "), r
    assert [l[1] for l in locations(after(r, "nx"))] == [6], r
    assert after(r, "alias") == ["bk = break ...", "nx = next ..."], r


def test_gdb_alias_may_not_hide_a_command_or_alias(prog):
    r = run(prog, ["alias s = step", "alias where = next",
                   "alias nx = next", "alias nx = step",
                   "alias zz = nosuchcommand", "alias alias p 1",
                   "alias -a nx2 next", "s"])
    errs = error_lines(r)
    assert errs[0].startswith('Alias "s" would hide the command "step"'), r
    assert errs[1].startswith('Alias "where" would hide the command '
                              '"backtrace"'), r
    assert errs[2].startswith('Alias already exists: "nx"'), r
    assert errs[3] == 'Invalid command to alias to: "nosuchcommand".', r
    assert errs[4].startswith('"alias" cannot be an alias'), r
    assert errs[5] == "Usage: alias [-a] NAME = COMMAND.", r
    assert len(errs) == 6, r
    # "s" is still step.
    assert [l[1] for l in locations(after(r, "s"))] == [6], r


# --- interact --------------------------------------------------------------

def test_interact_runs_statements_in_a_copy_of_the_frame(prog):
    r = run(prog, ["break 10", "continue", "interact",
                   "total * 2", "total = 99", "seen = [total]",
                   "for k in range(2):", "    print('k', k)", "",
                   "1 / 0", "1 +* 2", "exit()", "p total", "p 'seen' in dir()"])
    out = after(r, "interact")
    assert out[0] == "*interactive*", r
    assert ">>> total * 2" in out and "10" in out, r
    assert ">>> for k in range(2):" in out, r
    assert "...     print('k', k)" in out, r
    assert out.index("k 0") > out.index("...     print('k', k)"), r
    assert "k 1" in out, r
    assert out[-1] == "now exiting the console", r
    # The frame kept its own value: the console has a copy.
    assert after(r, "p total") == ["$1 = 5"], r
    assert after(r, "p 'seen' in dir()") == ["$2 = False"], r
    errs = error_lines(r)
    assert errs[0] == "ZeroDivisionError: division by zero", r
    assert errs[1].startswith("SyntaxError"), r


def test_interact_ends_at_end_of_input(prog):
    r = run(prog, ["break square", "continue", "interact", "x + 40"])
    out = after(r, "interact")
    assert out[-1] == "now exiting the console", r
    assert "40" in out, r
    assert r.rc == 0, r


def test_interact_from_a_command_file(prog, tmp_path):
    cmds = tmp_path / "cmds"
    cmds.write_text("break square\ncontinue\ninteract\nprint('x is', x)\n"
                    "quit()\np 'back'\n")
    r = run_cpdb(["--batch", "-x", str(cmds), prog])
    lines = r.out.splitlines()
    i = lines.index("*interactive*")
    assert lines[i + 1:i + 4] == [">>> print('x is', x)", "x is 0",
                                  ">>> quit()"], r
    assert "$1 = 'back'" in r.out, r
    assert r.rc == 0, r


# --- on a terminal -----------------------------------------------------------

@pytest.mark.skipif(pexpect is None, reason="needs pexpect")
def test_commands_and_interact_on_a_terminal(prog, home):
    c = spawn(home, [prog])
    try:
        c.expect_exact("(cpdb) ")
        c.sendline("break square")
        c.expect_exact("(cpdb) ")
        c.sendline("commands")
        c.expect_exact('End with a line saying just "end".')
        c.expect_exact(">")
        c.sendline("silent")
        c.expect_exact(">")
        c.sendline("p x + 500")
        c.expect_exact(">")
        c.sendline("end")
        c.expect_exact("(cpdb) ")
        c.sendline("continue")
        c.expect_exact("$1 = 500")
        c.expect_exact("(cpdb) ")
        c.sendline("interact")
        c.expect_exact(">>> ")
        c.sendline("if x == 0:")
        c.expect_exact("... ")
        c.sendline("    print('zero' * 2)")
        c.expect_exact("... ")
        c.sendline("")
        c.expect_exact("zerozero")
        c.expect_exact(">>> ")
        time.sleep(0.3)
        c.sendeof()
        c.expect_exact("now exiting the console")
        c.expect_exact("(cpdb) ")
        assert finish(c) == 0
    finally:
        c.close(force=True)


@pytest.mark.skipif(pexpect is None, reason="needs pexpect")
def test_enter_repeats_the_command_an_alias_stands_for(prog, home):
    c = spawn(home, [prog])
    try:
        c.expect_exact("(cpdb) ")
        c.sendline("alias nx = next")
        c.expect_exact("(cpdb) ")
        c.sendline("nx")
        c.expect_exact("(6)<module>()")
        c.expect_exact("(cpdb) ")
        c.sendline("")
        c.expect_exact("(14)<module>()")
        c.expect_exact("(cpdb) ")
        assert finish(c) == 0
    finally:
        c.close(force=True)
