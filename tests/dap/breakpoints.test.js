'use strict';
/* Breakpoints of every kind: line, condition, hitCondition, logMessage,
   function breakpoints, and the exception filters raised, uncaught and
   userUncaught with exceptionInfo. */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lineOf, program, withSession } = require('./helpers');

const T = { timeout: 60000 };
const LOOP = program('loop.py');
const BODY = lineOf('loop.py', 'compute-body');

/* Return: the value (repr) of local name in the top frame of ev. */
async function local(s, ev, name) {
    const locals = await s.scope(ev.top.id, 'Locals');
    assert.ok(locals[name], `local ${name} in ${Object.keys(locals)}`);
    return locals[name].value;
}

test('line breakpoint: verified, stops at its line each time', T,
     () => withSession(async (s) => {
    const r = await s.launch({ program: LOOP },
                             { breakpoints: { [LOOP]: [BODY] } });
    const bp = r.setBreakpoints[LOOP].breakpoints[0];
    assert.equal(bp.line, BODY);
    let ev = await s.stopped('breakpoint');
    s.assertBound(bp);
    assert.equal(ev.top.line, BODY);
    assert.equal(ev.top.name, 'compute');
    assert.equal(ev.top.source.path, LOOP);
    assert.deepEqual(ev.body.hitBreakpointIds, [bp.id]);
    assert.equal(await local(s, ev, 'i'), '0');
    await s.request('continue', { threadId: ev.body.threadId });
    ev = await s.stopped('breakpoint');
    assert.equal(await local(s, ev, 'i'), '1');
    /* Cleared: the program runs to its end. */
    await s.request('setBreakpoints', { source: { path: LOOP },
                                        breakpoints: [] });
    await s.request('continue', { threadId: ev.body.threadId });
    assert.equal((await s.event('exited')).body.exitCode, 0);
    assert.match(s.output('stdout'), /total 285\n/);
}));

test('a breakpoint in a module not imported yet is pending, then bound ' +
     'by a breakpoint event, and stops', T, () => withSession(async (s) => {
    const LAZY = program('lazymod.py');
    const line = lineOf('lazymod.py', 'lazy-body');
    const r = await s.launch({ program: program('lazy_main.py'),
                               args: ['5'] },
                             { breakpoints: { [LAZY]: [line] } });
    const bp = r.setBreakpoints[LAZY].breakpoints[0];
    assert.equal(bp.verified, false);
    const ev = await s.stopped('breakpoint');
    assert.equal(ev.top.source.path, LAZY);
    assert.equal(ev.top.line, line);
    assert.equal(ev.top.name, 'work');
    const changed = await s.event('breakpoint');
    assert.equal(changed.body.reason, 'changed');
    assert.equal(changed.body.breakpoint.id, bp.id);
    assert.equal(changed.body.breakpoint.verified, true);
    assert.equal(changed.body.breakpoint.line, line);
    /* It came before the stop, after the program's first output. */
    const order = s.events.map((e) => e.event);
    assert.ok(order.indexOf('breakpoint') < order.indexOf('stopped'));
    assert.match(s.output('stdout'), /^before import\n$/);
    await s.request('continue', { threadId: ev.body.threadId });
    await s.event('exited');
    assert.match(s.output('stdout'), /work 15\n/);
}));

test('conditional breakpoint stops only where the condition holds', T,
     () => withSession(async (s) => {
    await s.launch({ program: LOOP }, {
        breakpoints: { [LOOP]: [{ line: BODY, condition: 'i == 7' }] } });
    const ev = await s.stopped('breakpoint');
    assert.equal(ev.top.line, BODY);
    assert.equal(await local(s, ev, 'i'), '7');
    await s.request('continue', { threadId: ev.body.threadId });
    await s.event('exited');
    assert.equal(s.events.filter((e) => e.event === 'stopped').length, 1);
}));

test('hitCondition 3 stops first at the third hit', T, () => withSession(
    async (s) => {
    await s.launch({ program: LOOP }, {
        breakpoints: { [LOOP]: [{ line: BODY, hitCondition: '3' }] } });
    const ev = await s.stopped('breakpoint');
    assert.equal(await local(s, ev, 'i'), '2');
}));

test('logpoint: an output event per hit and no stop', T, () => withSession(
    async (s) => {
    await s.launch({ program: LOOP }, {
        breakpoints: { [LOOP]: [{ line: BODY,
                                  logMessage: 'square of {i} is {i * i}' }] },
    });
    assert.equal((await s.event('exited')).body.exitCode, 0);
    const text = s.output();
    for (let i = 0; i < 10; i++) {
        assert.ok(text.includes(`square of ${i} is ${i * i}\n`), text);
    }
    assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0);
    assert.match(s.output('stdout'), /total 285\n/);
}));

test('function breakpoint stops in the function, reason "function ' +
     'breakpoint"', T, () => withSession(async (s) => {
    const r = await s.launch({ program: LOOP }, {
        functionBreakpoints: [{ name: 'compute', condition: 'i == 4' }] });
    assert.equal(r.setFunctionBreakpoints.breakpoints.length, 1);
    const bp = r.setFunctionBreakpoints.breakpoints[0];
    const ev = await s.stopped('function breakpoint');
    /* compute is not defined before the program runs: the breakpoint
       may be pending, and bind when it is. */
    s.assertBound(bp);
    assert.deepEqual(ev.body.hitBreakpointIds, [bp.id]);
    assert.equal(ev.top.name, 'compute');
    assert.equal(await local(s, ev, 'i'), '4');
    /* It stops in compute at its first line, before the body ran. */
    assert.ok(ev.top.line === BODY || ev.top.line === BODY - 1,
              `line ${ev.top.line}`);
    const locals = await s.scope(ev.top.id, 'Locals');
    assert.equal(locals.square, undefined);
}));

test('function breakpoint with a hitCondition', T, () => withSession(
    async (s) => {
    await s.launch({ program: LOOP }, {
        functionBreakpoints: [{ name: 'compute', hitCondition: '5' }] });
    const ev = await s.stopped('function breakpoint');
    assert.equal(await local(s, ev, 'i'), '4');
}));

const RAISING = program('raising.py');
const RAISE = lineOf('raising.py', 'raise');
const PROP_RAISE = lineOf('raising.py', 'prop-raise');

/* Return: the exceptionInfo body at the stop ev. */
async function exceptionInfo(s, ev) {
    return (await s.request('exceptionInfo',
                            { threadId: ev.body.threadId })).body;
}

test('exception filter raised stops where it is raised, caught or not',
     T, () => withSession(async (s) => {
    const r = await s.launch({ program: RAISING },
                             { exceptionFilters: ['raised'] });
    const filters = r.capabilities.exceptionBreakpointFilters
        .map((f) => f.filter);
    assert.deepEqual(filters.sort(), ['raised', 'uncaught', 'userUncaught']);
    const ev = await s.stopped('exception');
    assert.equal(ev.top.line, RAISE);
    assert.equal(ev.top.name, 'risky');
    const info = await exceptionInfo(s, ev);
    assert.match(info.exceptionId, /ValueError/);
    assert.match(info.description, /bad 2/);
    /* The Exception scope is there at an exception stop. */
    const scopes = (await s.request('scopes', { frameId: ev.top.id })).body
        .scopes.map((x) => x.name);
    assert.ok(scopes.includes('Exception'), scopes.join(','));
    /* The next one raised in the program: the property's, which the
       library catches. */
    await s.request('continue', { threadId: ev.body.threadId });
    const next = await s.stopped('exception');
    assert.equal(next.top.line, PROP_RAISE);
    assert.match(next.top.name, /(^|\.)secret$/);
    assert.match((await exceptionInfo(s, next)).exceptionId,
                 /AttributeError/);
}));

test('exception filter uncaught (the default) passes over caught ones', T,
     () => withSession(async (s) => {
    await s.launch({ program: RAISING, args: ['--uncaught'] },
                   { exceptionFilters: ['uncaught'] });
    const ev = await s.stopped('exception');
    /* The stop is in the frame that raised, for the uncaught risky(3). */
    assert.equal(ev.top.line, RAISE);
    assert.equal(await local(s, ev, 'n'), '3');
    assert.equal(ev.frames[1].line, lineOf('raising.py', 'uncaught-call'));
    const info = await exceptionInfo(s, ev);
    assert.match(info.exceptionId, /ValueError/);
    assert.match(info.description, /bad 3/);
    assert.equal(info.breakMode, 'unhandled');
    /* Caught exceptions printed nothing, the program got that far. */
    assert.match(s.output('stdout'), /members True\n/);
    await s.request('continue', { threadId: ev.body.threadId });
    const exited = await s.event('exited');
    assert.equal(exited.body.exitCode, 1);
    assert.match(s.output('stderr'), /ValueError: bad 3/);
}));

test('no exception filter: an uncaught exception does not stop', T,
     () => withSession(async (s) => {
    await s.launch({ program: RAISING, args: ['--uncaught'] },
                   { exceptionFilters: [] });
    assert.equal((await s.event('exited')).body.exitCode, 1);
    assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0);
}));

/* userUncaught (docs/dap.md): where user code raises what none of its
   frames above may catch before library code or the end of the program;
   not where user code catches it itself. */
test('exception filter userUncaught stops where user code lets an ' +
     'exception out, not at caught ones', T, () => withSession(async (s) => {
    await s.launch({ program: RAISING, args: ['--uncaught'] },
                   { exceptionFilters: ['userUncaught'] });
    /* First the property's AttributeError, which inspect.getmembers
       (the library) catches; not the ValueError caught() catches. */
    let ev = await s.stopped('exception');
    assert.equal(ev.top.line, PROP_RAISE);
    assert.match(ev.top.name, /(^|\.)secret$/);
    let info = await exceptionInfo(s, ev);
    assert.match(info.exceptionId, /AttributeError/);
    await s.request('continue', { threadId: ev.body.threadId });
    /* Then risky(3), which nothing catches, where it is raised. */
    ev = await s.stopped('exception');
    assert.equal(ev.top.line, RAISE);
    assert.equal(await local(s, ev, 'n'), '3');
    info = await exceptionInfo(s, ev);
    assert.match(info.exceptionId, /ValueError/);
    assert.match(info.description, /bad 3/);
    assert.equal(s.events.filter((e) => e.event === 'stopped').length, 2);
    assert.match(s.output('stdout'), /members True\n/);
    await s.request('continue', { threadId: ev.body.threadId });
    assert.equal((await s.event('exited')).body.exitCode, 1);
}));
