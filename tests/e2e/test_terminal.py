"""cpdb on a terminal (a pseudo-terminal driven by pexpect): the prompt,
Enter repeating the last command, tab completion, and the history file
~/.cpdb_history (mode 0600), in a private HOME."""

import os
import re
import signal
import stat
import time

import pytest

from conftest import CPDB, program

pexpect = pytest.importorskip("pexpect")

PROMPT = "(cpdb) "


def default_sigint():
    """In the child: Ctrl-C as on a terminal.  A suite started in the
    background (cmd &) inherits SIGINT ignored, and cpdb, as python3,
    keeps an ignored SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(home, args):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(HOME=str(home), NO_COLOR="1", TERM="xterm")
    child = pexpect.spawn(CPDB, ["-q", "-nx"] + list(args), env=env,
                          preexec_fn=default_sigint,
                          encoding="utf-8", timeout=15,
                          dimensions=(40, 200))
    return child


def finish(child):
    """End of input (Ctrl-D) at the prompt; return the exit status."""
    # Let libedit put the terminal in its own mode first: a ^D that the
    # line discipline turns into end-of-file before that is lost.
    time.sleep(0.3)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def history_lines(home):
    """The lines of ~/.cpdb_history, decoded from libedit's format
    (a "_HiStOrY_V2_" header, blanks and other bytes as \\ooo)."""
    with open(home / ".cpdb_history", errors="replace") as f:
        text = f.read()
    text = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)
    return [l for l in text.splitlines() if l != "_HiStOrY_V2_"]


def location(name, line, func):
    path = os.path.realpath(program(name))
    return "> %s(%d)%s()" % (path, line, func)


def test_prompt_and_enter_repeats_next(home):
    c = spawn(home, [program("stepping.py")])
    try:
        c.expect_exact(location("stepping.py", 1, "<module>"))
        c.expect_exact(PROMPT)
        c.sendline("next")
        c.expect_exact(location("stepping.py", 6, "<module>"))
        c.expect_exact(PROMPT)
        c.sendline("")
        c.expect_exact(location("stepping.py", 14, "<module>"))
        c.expect_exact(PROMPT)
        c.sendline("")
        c.expect_exact(location("stepping.py", 21, "<module>"))
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_tab_completes_a_command_name(home):
    c = spawn(home, [program("stepping.py")])
    try:
        c.expect_exact(PROMPT)
        c.send("contin\t")
        # The line is redrawn with the rest of the word.
        c.expect("ue")
        c.send("\r")
        c.expect_exact("result 61")
        c.expect_exact("Program exited with status 0.")
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)
    lines = [l.strip() for l in history_lines(home)]
    assert "continue" in lines, lines


def test_tab_completes_a_subcommand(home):
    c = spawn(home, [program("stepping.py")])
    try:
        c.expect_exact(PROMPT)
        c.send("info prog\t")
        c.expect("ram")
        c.send("\r")
        c.expect_exact("The program is stopped.")
        c.expect_exact(PROMPT)
        finish(c)
    finally:
        c.close(force=True)


def complete_line(home, before, typed, expected, after=None):
    """Type typed after running the commands before, press TAB, and
    expect libedit to add expected to the line; then run the line and
    expect after (if given)."""
    c = spawn(home, [program("stepping.py")])
    try:
        c.expect_exact(PROMPT)
        for line in before:
            c.sendline(line)
            c.expect_exact(PROMPT)
        c.send(typed + "\t")
        c.expect_exact(expected)
        c.send("\r")
        if after is not None:
            c.expect_exact(after)
        c.expect_exact(PROMPT)
        finish(c)
    finally:
        c.close(force=True)


def test_tab_completes_a_local_variable_after_print(home):
    # print's record completes Python names of the selected frame.
    complete_line(home, ["break outer", "continue", "next"], "print tot",
                  "al", "$1 = 0")


def test_tab_completes_an_attribute_after_a_dot(home):
    complete_line(home, ["next"], "p inner.__co", "de__",
                  "<code object inner")


def test_tab_completes_a_function_after_break(home):
    # break's record completes the functions of the current file (and
    # module names: "break out" would also offer a module "outcome" that
    # some Pythons have installed, hence "oute").
    complete_line(home, [], "break oute", "r ", "Breakpoint 1 at")


def test_tab_completes_after_a_subcommand_with_its_completer(home):
    # "set var" completes Python names; "set" alone completes settings.
    complete_line(home, ["break outer", "continue", "next"],
                  "set var tot", "al")


def test_tab_completes_an_object_after_a_gc_subcommand(home):
    # "gc chain" is in cmd_refs.c's table, with its own completer.
    complete_line(home, ["break outer", "continue", "next"],
                  "gc chain tot", "al")


def test_tab_completes_class_names_after_help(home):
    complete_line(home, [], "help breakp", "oints ",
                  "Making the program stop at certain points.")


def test_history_file_is_private_and_kept(home):
    c = spawn(home, [program("stepping.py")])
    try:
        c.expect_exact(PROMPT)
        c.sendline("next")
        c.expect_exact(PROMPT)
        c.sendline("p 40 + 2")
        c.expect_exact("$1 = 42")
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)
    hist = home / ".cpdb_history"
    assert hist.exists()
    assert stat.S_IMODE(os.stat(hist).st_mode) == 0o600
    lines = history_lines(home)
    assert lines[-2:] == ["next", "p 40 + 2"], lines

    # The next session recalls it: Up arrow, Enter.
    c = spawn(home, [program("stepping.py")])
    try:
        c.expect_exact(PROMPT)
        c.send("\x1b[A")
        c.expect_exact("p 40 + 2")
        c.send("\r")
        c.expect_exact("$1 = 42")
        c.expect_exact(PROMPT)
        finish(c)
    finally:
        c.close(force=True)


def test_history_file_made_private_when_it_was_not(home):
    hist = home / ".cpdb_history"
    hist.write_text("")
    os.chmod(hist, 0o644)
    c = spawn(home, [program("stepping.py")])
    try:
        c.expect_exact(PROMPT)
        c.sendline("next")
        c.expect_exact(PROMPT)
        finish(c)
    finally:
        c.close(force=True)
    assert stat.S_IMODE(os.stat(hist).st_mode) == 0o600


def test_end_of_input_on_a_terminal_exits_with_program_status(home):
    c = spawn(home, [program("exits.py"), "code"])
    try:
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("Program exited with status 3.")
        c.expect_exact(PROMPT)
        assert finish(c) == 3
    finally:
        c.close(force=True)


def test_ctrl_c_stops_a_running_program_at_its_next_line(home, tmp_path):
    prog = tmp_path / "spin.py"
    prog.write_text("print('spinning', flush=True)\nn = 0\n"
                    "while True:\n    n += 1\n")
    c = spawn(home, [str(prog)])
    try:
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("spinning")      # running, not still at the prompt
        time.sleep(0.3)
        c.sendintr()
        c.expect_exact("Program received signal SIGINT, Interrupt.")
        c.expect(r"> .*spin\.py\((3|4)\)<module>\(\)")
        c.expect_exact(PROMPT)
        c.sendline("p n > 0")
        c.expect_exact("$1 = True")
        c.expect_exact(PROMPT)
        # At the prompt Ctrl-C only cancels the line being typed.
        c.send("p 'not run'")
        time.sleep(0.3)
        c.sendintr()
        c.expect_exact("Quit")
        c.expect_exact(PROMPT)
        c.sendline("p 6 * 7")
        c.expect_exact("$2 = 42")
        c.expect_exact(PROMPT)
        c.sendline("kill")
        c.expect_exact(PROMPT)
        assert finish(c) == 0
    finally:
        c.close(force=True)


def test_second_ctrl_c_interrupts_a_program_blocked_in_c(home, tmp_path):
    # time.sleep() does not reach a line: the first Ctrl-C asks for a stop
    # that cannot come yet, the second raises KeyboardInterrupt as python3
    # would, and post-mortem shows where.
    prog = tmp_path / "sleepy.py"
    prog.write_text("import time\nprint('sleeping', flush=True)\n"
                    "time.sleep(60)\nprint('woke')\n")
    c = spawn(home, [str(prog)])
    try:
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("sleeping")      # running, not still at the prompt
        time.sleep(0.3)
        c.sendintr()
        time.sleep(0.5)
        c.sendintr()
        c.expect_exact("KeyboardInterrupt")
        c.expect(r"> .*sleepy\.py\(3\)<module>\(\)")
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect_exact("Program exited with status 130.")
        c.expect_exact(PROMPT)
        assert finish(c) == 130
    finally:
        c.close(force=True)


@pytest.mark.parametrize("no_color, term, colored", [
    ("", "xterm", True), ("1", "xterm", False), ("", "dumb", False)])
def test_colour_only_on_a_terminal_without_no_color(home, no_color, term,
                                                    colored):
    env = dict(os.environ, HOME=str(home), NO_COLOR=no_color, TERM=term)
    env.pop("PYTHONPATH", None)
    c = pexpect.spawn(CPDB, ["-q", "-nx", program("stepping.py")], env=env,
                      encoding="utf-8", timeout=15, dimensions=(40, 200))
    try:
        c.expect_exact(PROMPT)
        c.sendline("break inner")
        c.expect_exact(PROMPT)
        c.sendline("continue")
        c.expect(r"> \S+stepping\.py\(2\)inner\(\)")   # never coloured
        header = c.before
        c.expect_exact(PROMPT)
        assert ("\x1b[" in header) == colored, repr(header)
    finally:
        c.close(force=True)


def test_no_colour_on_a_pipe():
    from conftest import run_cpdb
    r = run_cpdb([program("stepping.py")], ["break inner", "continue",
                                             "frobnicate"],
                 env={"NO_COLOR": "", "TERM": "xterm"})
    assert "Breakpoint 1, inner" in r.out
    assert "\x1b[" not in r.out and "\x1b[" not in r.err, r


# Nothing here depends on the trace backend: on 3.12+ these run with
# the default one only.
from conftest import backend_independent  # noqa: E402
pytestmark = backend_independent
