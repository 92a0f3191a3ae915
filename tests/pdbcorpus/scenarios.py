"""The pdb comparison corpus: each scenario runs one program of this folder
under pdb and under cpdb with the same commands, and both must stop at the
same places (tests/e2e/test_pdb_corpus.py).

A scenario is (id, program, commands[, helpers]):
  - commands are separated by ";"; "s*12" is "s" twelve times;
  - "@name" is the line of the program marked with the comment "# @name",
    "FILE:@name" the marked line of FILE (another program of this folder);
  - helpers: the other files of this folder that the program imports.
The harness puts a breakpoint on the body of "_never" (a function that is
never called) of every file first, for both debuggers (so that pdb traces
every frame of these files, as cpdb does), and ends the commands with one
"c"."""

from collections import namedtuple

Scenario = namedtuple("Scenario", "id program commands helpers")


def S(id, program, commands, helpers=()):
    return Scenario(id, program, commands, tuple(helpers))


SCENARIOS = [
    # -- plain calls ------------------------------------------------------
    S("calls_step_everything", "calls.py", "s*40"),
    S("calls_next_module_level", "calls.py", "n*8"),
    S("calls_next_in_main", "calls.py", "b @main_first; c; n*6"),
    S("calls_step_in_then_next", "calls.py",
      "b @chain_first; c; s; s; n; n; n; n; n; n; n"),
    S("calls_return_nested", "calls.py", "b @add_body; c; r; r; r; r; r; r"),
    S("calls_next_past_return", "calls.py", "b @add_body; c; n; n; n; n; n"),
    S("calls_until_past_return", "calls.py",
      "b @add_body; c; unt; unt; unt; unt; unt"),
    S("calls_step_at_return", "calls.py", "b @add_ret; c; s; s; s; s; s"),
    S("calls_next_hits_breakpoint", "calls.py",
      "b @chain_first; b @add_ret; c; n; n; n; n; n; n"),
    S("calls_break_function_continue", "calls.py", "b add; c; c; c; c; c"),
    # -- recursion --------------------------------------------------------
    S("recursion_step_down_and_up", "recursion.py", "b @main_fact; c; s*30"),
    S("recursion_next_from_base", "recursion.py",
      "b @fact_base; c; n; n; n; n; n; n; n"),
    S("recursion_return_chain", "recursion.py",
      "b @fact_base; c; r; r; r; r; r; r"),
    S("recursion_break_function", "recursion.py", "b fact; c; c; c; c; n; n"),
    S("recursion_next_with_breakpoint_below", "recursion.py",
      "b @fib_line; c; n; n; n; n; n; n; n; n"),
    S("recursion_until_at_recursive_call", "recursion.py",
      "b @fact_rec; c; unt; unt; unt; unt; unt"),
    # -- generators -------------------------------------------------------
    S("gen_step_for_loop", "generators.py", "b @main_for; c; s*30"),
    S("gen_next_for_loop", "generators.py", "b @for_line; c; n*12"),
    S("gen_next_at_yield", "generators.py", "b @cu_yield; c; n*8"),
    S("gen_return_inside", "generators.py", "b @cu_first; c; r; n; n; n"),
    S("gen_return_at_yield_twice", "generators.py",
      "b @cu_yield; c; r; r; r; n; n"),
    S("gen_until_in_generator", "generators.py",
      "b @cu_incr; c; unt; unt; unt; unt"),
    S("gen_yield_from_step", "generators.py", "b @main_delegate; c; s*30"),
    S("gen_yield_from_next_inside", "generators.py",
      "b @del_yf; c; n; n; n; n; n; n"),
    S("gen_yield_from_return_inner", "generators.py",
      "b @main_delegate; c; b @cu_first; c; r; n; n; n; n"),
    S("gen_send_step", "generators.py", "b @main_send; c; s*28"),
    S("gen_send_next_in_generator", "generators.py", "b @acc_yield; c; n*10"),
    S("gen_send_return_in_generator", "generators.py",
      "b @acc_add; c; r; r; n; n; n"),
    S("gen_exhausted_step", "generators.py", "b @ex_first; c; s*25"),
    S("gen_exhausted_next", "generators.py", "b @main_exhausted; c; s; n*8"),
    # -- exceptions -------------------------------------------------------
    S("exc_step_all", "exceptions.py", "b @main_first; c; s*70"),
    S("exc_next_in_main", "exceptions.py", "b @main_first; c; n*12"),
    S("exc_caught_same_frame", "exceptions.py", "b @ch_div; c; n; n; n; n; n"),
    S("exc_caught_in_caller", "exceptions.py", "b @cc_call; c; s*8"),
    S("exc_propagate_next", "exceptions.py", "b @l3; c; n*10"),
    S("exc_propagate_return", "exceptions.py", "b @l3; c; r; r; r; r; r"),
    S("exc_propagate_until", "exceptions.py",
      "b @l1_call; c; s; s; s; unt; unt; unt; unt; unt"),
    S("exc_try_finally_next", "exceptions.py", "b @wf_call; c; n*8"),
    S("exc_try_finally_step", "exceptions.py", "b @cwf_call; c; s*14"),
    S("exc_raise_in_with_step", "exceptions.py", "b @riw_raise; c; s*12"),
    S("exc_raise_in_with_next", "exceptions.py", "b @riw_with; c; n*6"),
    S("exc_bare_reraise", "exceptions.py", "b @reraise; c; n*6"),
    S("exc_uncaught_next", "uncaught.py", "n*8"),
    S("exc_uncaught_step", "uncaught.py", "b @call; c; s*12"),
    # -- comprehensions ---------------------------------------------------
    S("comp_step_all", "comprehensions.py", "b @lc; c; s*60"),
    S("comp_next", "comprehensions.py", "b @lc; c; n*8"),
    S("comp_return_from_inside", "comprehensions.py",
      "b @lc; c; s; s; r; n; n; n"),
    S("comp_genexpr_step", "comprehensions.py", "b @ge; c; s*16"),
    S("comp_break_in_callee_next", "comprehensions.py",
      "b @square; b @dc; c; c; n; n; n; n; n"),
    S("comp_until_over_comprehension", "comprehensions.py",
      "b @lc; c; s; unt; unt; unt; unt"),
    # -- with statements --------------------------------------------------
    S("with_class_step", "withstmt.py", "b @main; c; s*20"),
    S("with_class_next", "withstmt.py", "b @uc_with; c; n*6"),
    S("with_class_return_from_exit", "withstmt.py",
      "b @exit; c; r; n; n; n"),
    S("with_contextmanager_step", "withstmt.py", "b @ucm_with; c; s*30"),
    S("with_contextmanager_next", "withstmt.py", "b @main_cm; c; s; n*6"),
    S("with_contextmanager_next_in_generator", "withstmt.py",
      "b @cm_before; c; n*8"),
    S("with_contextmanager_exception", "withstmt.py",
      "b @ucme_raise; c; s*16"),
    # -- decorators, lambdas, closures ------------------------------------
    S("deco_step", "decorators.py", "b @main; c; s*30"),
    S("deco_next", "decorators.py", "b @main; c; n*12"),
    S("deco_twice_return", "decorators.py",
      "b @times_body; c; r; r; r; r; r; r"),
    S("deco_lambda_key_step", "decorators.py", "b @sorted; c; s*12"),
    S("deco_lambda_apply_step", "decorators.py", "b @apply; c; s*12"),
    S("deco_closure_next", "decorators.py", "b @counter; c; s; n; n; n; n"),
    S("deco_break_function_after_def", "decorators.py",
      "b @main; c; b times_two; c; n; n; c"),
    # -- classes ----------------------------------------------------------
    S("cls_step", "classes.py", "b @main; c; s*40"),
    S("cls_next", "classes.py", "b @main; c; n*7"),
    S("cls_property_step", "classes.py", "b @deposit; c; s*10"),
    S("cls_super_return", "classes.py", "b @deposit; b @main_sav; c; c; c; r; r; n; n"),
    S("cls_break_method_after_def", "classes.py",
      "b @main; c; b Account.deposit; c; n; n; n; c; n; n; n"),
    # -- loops and until --------------------------------------------------
    S("loop_until_leaves_for", "loops.py", "b @for; c; n; n; unt; unt; unt"),
    S("loop_until_in_body", "loops.py", "b @for_body; c; unt; unt; unt"),
    S("loop_until_line", "loops.py", "b @main; c; s; s; unt @after_for; n; n"),
    S("loop_until_line_past_return", "loops.py",
      "b @sum_first; c; unt @main_ret; unt; unt"),
    S("loop_until_while", "loops.py",
      "b @while_body; c; n; unt; n; n; n"),
    S("loop_until_nested", "loops.py",
      "b @inner_body; c; n; unt; unt; unt; unt; unt"),
    S("loop_next_while", "loops.py", "b @main_countdown; c; s; n*10"),
    S("loop_until_backwards_refused", "loops.py",
      "b @after_for; c; unt @for; n; n"),
    # -- two files --------------------------------------------------------
    S("two_step_into_helper", "twofiles.py", "b @main; c; s*24",
      ["cpcorpus_helper.py"]),
    S("two_break_in_helper_return", "twofiles.py",
      "b cpcorpus_helper.py:@area; c; r; n; n; n", ["cpcorpus_helper.py"]),
    S("two_next_out_of_helper", "twofiles.py",
      "b cpcorpus_helper.py:@scale; c; n; n; n; n; n; n",
      ["cpcorpus_helper.py"]),
    S("two_next_over_helper", "twofiles.py", "b @main; c; n*5",
      ["cpcorpus_helper.py"]),
    # -- coroutines (hand-written loop) -----------------------------------
    S("coro_next_in_worker", "coroutines.py", "b @worker_await; c; n*10"),
    S("coro_next_in_fetch", "coroutines.py", "b @fetch_ret; c; n*6"),
    S("coro_return_in_fetch", "coroutines.py",
      "b @fetch_await; c; r; r; r; r"),
    S("coro_step", "coroutines.py", "b @worker_await; c; s*24"),
    S("coro_until", "coroutines.py", "b @worker_append; c; unt; unt; unt"),
    S("coro_breakpoints_continue", "coroutines.py",
      "b @fetch_ret; b @run_done; c; c; c; n; n"),
    # -- module level -----------------------------------------------------
    S("mod_return_at_module", "modlevel.py", "b @first; c; r"),
    S("mod_next_to_end", "modlevel.py", "n*10"),
    S("mod_step_to_end", "modlevel.py", "b @make_gen; c; s*10"),
    S("mod_return_from_function", "modlevel.py", "b @helper; c; r; n; n; n"),
    # -- special methods and class bodies ---------------------------------
    S("cls_step_class_bodies", "classes.py", "s*16"),
    S("special_iterator_step", "special.py", "b @main; c; s*30"),
    S("special_iterator_next_in_next", "special.py", "b @cd_next; c; n*14"),
    S("special_iterator_return_from_next", "special.py",
      "b @cd_next; c; r; r; r; r; r"),
    S("special_operators_step", "special.py", "b @main_ops; c; s*30"),
    # -- sys.exit ---------------------------------------------------------
    S("exit_step", "sysexit.py", "b @main; c; s*12"),
    S("exit_next", "sysexit.py", "b @finish_first; c; n*6"),
    S("exit_return", "sysexit.py", "b @finish_first; c; r; r; r"),
    # -- generators that end early -----------------------------------------
    S("genclose_close_step", "genclose.py", "b @uc_close; c; s*8"),
    S("genclose_close_next_in_gen", "genclose.py", "b @tick_yield; c; n*5"),
    S("genclose_break_step", "genclose.py", "b @ub_break; c; s*8"),
    S("genclose_break_next_in_gen", "genclose.py",
      "b @main_break; c; b @tick_yield; c; n; n; n; n; n"),
    S("genclose_faulty_step", "genclose.py", "b @uf_for; c; s*14"),
    S("genclose_faulty_next_in_gen", "genclose.py",
      "b @faulty_first; c; n; n; n; n; n; n"),
    S("genclose_faulty_return_in_gen", "genclose.py",
      "b @faulty_first; c; r; n; n; n"),
    S("genclose_throw_step", "genclose.py", "b @ut_throw; c; s*8"),
    S("genclose_throw_next_in_gen", "genclose.py",
      "b @catcher_yield; c; n; n; n; n; n"),
    S("genclose_next_exhausted_step", "genclose.py",
      "b @une_second; c; s*10"),
    # (No "s" past the --Return-- of use_local_generator: pdb keeps the
    # returning frame's locals alive during that stop, so the suspended
    # generator is finalised later, untraced; cpdb does not extend
    # lifetimes and steps into the finaliser where python runs it.  See
    # test_running.py::test_step_into_generator_finaliser_at_return.)
    S("genclose_return_at_last_yield", "genclose.py",
      "b @une_first; c; s; s; s; s; s; r; n; n"),
    # -- line shapes ------------------------------------------------------
    S("lines_step_all", "lines.py", "b @main; c; s*60"),
    S("lines_next_all", "lines.py", "b @oll_first; c; n*30"),
    S("lines_until_one_line_loop", "lines.py",
      "b @oll_first; c; n; unt; unt; unt"),
    S("lines_until_while_true", "lines.py",
      "b @wf_while; c; n; n; n; unt; unt; unt; unt; unt"),
    S("lines_return_in_finally", "lines.py",
      "b @rf_return; c; n; n; n; n; n"),
    S("lines_break_on_def_line", "lines.py", "b @main_def; c; n; s; s; c"),
    S("lines_next_at_call_stop", "lines.py", "b @main_ml; c; s; n; n; n; n"),
    S("lines_until_at_call_stop", "lines.py", "b @main_fe; c; s; unt; unt"),
    S("lines_return_at_call_stop", "lines.py", "b @main_wf; c; s; r; n; n"),
    # -- user code called by standard library code -------------------------
    S("stdlib_singledispatch_next_out", "stdlibcallers.py",
      "b @desc_int; c; n; n; n; n; n"),
    S("stdlib_singledispatch_step_out", "stdlibcallers.py",
      "b @desc_int; c; n; s; s; s; s"),
    S("stdlib_singledispatch_until_out", "stdlibcallers.py",
      "b @desc_int; c; n; unt; unt; unt"),
    S("stdlib_singledispatch_return", "stdlibcallers.py",
      "b @desc_int; c; r; r; n; n"),
    S("stdlib_contextmanager_step_at_yield", "stdlibcallers.py",
      "b @op_yield; c; s; n; n; n; n"),
    S("stdlib_contextmanager_next_from_after", "stdlibcallers.py",
      "b @op_after; c; n; n; n; n"),
    S("stdlib_contextmanager_step", "stdlibcallers.py",
      "b @main_with; c; s*30"),
    # -- breakpoints: by function, on shared lines, temporary --------------
    S("bp_function_generator", "generators.py", "b count_up; c; c; c; c; c"),
    # A function breakpoint stops once per call (gdb), where pdb's stops at
    # every pass of a loop on the function's first line; the line itself
    # compares.  See test_breakpoints.py::test_function_breakpoint_once_per_call.
    S("bp_first_line_is_loop", "loops.py", "b @while; c; c; c; c; c"),
    S("bp_function_in_class", "classes.py", "b @main; c; b Savings.deposit; c; n; n; n"),
    S("bp_one_line_loop", "lines.py", "b @oll_loop; c; c; c; c; c"),
    S("bp_generator_expression_line", "comprehensions.py",
      "b @ge; c; c; c; c; c; c"),
    S("bp_list_comprehension_line", "comprehensions.py",
      "b @lc; c; c; c; c; c; c"),
    S("bp_lambda_line", "decorators.py", "b @lam_def; c; c; c; c; c"),
    S("bp_temporary", "calls.py", "tbreak add; c; c; c"),
    S("bp_until_line_with_recursion", "recursion.py",
      "b @fact_test; c; unt @fact_ret; n; n; n"),
    # -- more generators, coroutines, exceptions ---------------------------
    S("gen_next_from_call_stop", "generators.py",
      "b @for_line; c; s; n; n; n; n; n; n; n"),
    S("gen_return_from_call_stop", "generators.py",
      "b @for_line; c; s; r; n; n"),
    S("genclose_yield_from_exception_step", "genclose.py",
      "b @ud_list; c; s*16"),
    S("genclose_yield_from_exception_next", "genclose.py",
      "b @dc_yf; c; n*7"),
    S("genclose_yield_from_exception_in_sub", "genclose.py",
      "b @sf_raise; c; n; n; n; n; n"),
    S("coro_return_in_worker", "coroutines.py",
      "b @worker_append; c; r; n; n; n"),
    S("coro_exception_next", "coroutines.py",
      "b @broken_raise; c; n; n; n; n; n; n"),
    S("coro_exception_step", "coroutines.py", "b @guarded_await; c; s*14"),
    S("comp_exception_next", "comprehensions.py", "b @ce_lc; c; n; n; n; n"),
    S("comp_exception_step", "comprehensions.py", "b @ce_lc; c; s*10"),
    S("exc_exit_suppresses_next", "exceptions.py",
      "b @guard_exit; c; n; n; n; n; n"),
]
