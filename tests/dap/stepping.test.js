'use strict';
/* Stepping: stepIn, next, stepOut, continue, with the stop locations
   checked; justMyCode; stackTrace paging. */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lineOf, program, withSession } = require('./helpers');

const T = { timeout: 60000 };
const BASIC = program('basic.py');
const L = (mark) => lineOf('basic.py', mark);

/* Return: the next stop after request command on the thread of ev,
   checked for its reason "step". */
async function step(s, ev, command) {
    await s.request(command, { threadId: ev.body.threadId });
    return s.stopped('step');
}

/* Return: the stop at the breakpoint on line mark of basic.py. */
async function at(s, mark, launch = {}) {
    await s.launch(Object.assign({ program: BASIC }, launch),
                   { breakpoints: { [BASIC]: [L(mark)] } });
    const ev = await s.stopped('breakpoint');
    assert.equal(ev.top.line, L(mark));
    return ev;
}

test('stepIn stops at the first line of the called function', T,
     () => withSession(async (s) => {
    let ev = await at(s, 'call-add');
    const tid = ev.body.threadId;
    ev = await step(s, ev, 'stepIn');
    assert.equal(ev.top.name, 'add');
    assert.equal(ev.top.line, L('add-body'));
    assert.equal(ev.body.threadId, tid);
    assert.equal(ev.frames[1].name, 'main');
    assert.equal(ev.frames[1].line, L('call-add'));
}));

test('next goes to the next line of the same function', T,
     () => withSession(async (s) => {
    let ev = await at(s, 'add-body');
    ev = await step(s, ev, 'next');
    assert.equal(ev.top.name, 'add');
    assert.equal(ev.top.line, L('add-return'));
    /* The line before ran. */
    const locals = await s.scope(ev.top.id, 'Locals');
    assert.equal(locals.total.value, '0');
}));

test('next over a call does not stop in it', T, () => withSession(
    async (s) => {
    let ev = await at(s, 'call-add');
    ev = await step(s, ev, 'next');
    assert.equal(ev.top.name, 'main');
    assert.equal(ev.top.line, L('json'));
    assert.equal((await s.scope(ev.top.id, 'Locals')).count.value, '0');
}));

test('stepOut returns to the caller, at the line of the call', T,
     () => withSession(async (s) => {
    let ev = await at(s, 'add-body');
    ev = await step(s, ev, 'stepOut');
    assert.equal(ev.top.name, 'main');
    assert.equal(ev.top.line, L('call-add'));
    assert.equal(ev.frames.length, ev.totalFrames);
    assert.ok(!ev.frames.some((f) => f.name === 'add'),
              ev.frames.map((f) => f.name).join(','));
    /* The next step finishes the line: count was assigned. */
    ev = await step(s, ev, 'next');
    assert.equal(ev.top.line, L('json'));
}));

test('continue runs to the breakpoint again, next turn of the loop', T,
     () => withSession(async (s) => {
    let ev = await at(s, 'call-add');
    assert.equal((await s.scope(ev.top.id, 'Locals')).i.value, '0');
    await s.request('continue', { threadId: ev.body.threadId });
    ev = await s.stopped('breakpoint');
    assert.equal(ev.top.line, L('call-add'));
    assert.equal((await s.scope(ev.top.id, 'Locals')).i.value, '1');
}));

test('continued event after continue', T, () => withSession(async (s) => {
    const ev = await at(s, 'call-add');
    const r = await s.request('continue', { threadId: ev.body.threadId });
    /* The response says all threads go on, or a continued event does. */
    if (r.body && r.body.allThreadsContinued === false) {
        await s.event('continued');
    }
    await s.stopped('breakpoint');
}));

test('justMyCode: stepIn over a call into the standard library stays in ' +
     'the program', T, () => withSession(async (s) => {
    let ev = await at(s, 'json', { justMyCode: true });
    ev = await step(s, ev, 'stepIn');
    assert.equal(ev.top.source.path, BASIC);
    assert.equal(ev.top.name, 'main');
    assert.equal(ev.top.line, L('for'));
}));

test('justMyCode false: stepIn enters the standard library', T,
     () => withSession(async (s) => {
    let ev = await at(s, 'json', { justMyCode: false });
    ev = await step(s, ev, 'stepIn');
    assert.match(ev.top.source.path, /json[/\\]__init__\.py$/);
    assert.equal(ev.top.name, 'dumps');
}));

test('stackTrace pages with startFrame and levels', T, () => withSession(
    async (s) => {
    const ev = await at(s, 'add-body');
    const tid = ev.body.threadId;
    const all = (await s.request('stackTrace', { threadId: tid })).body;
    const names = all.stackFrames.map((f) => f.name);
    assert.deepEqual(names.slice(0, 2), ['add', 'main']);
    assert.equal(all.totalFrames, all.stackFrames.length);
    assert.ok(all.totalFrames >= 3, names.join(','));
    const page = (await s.request('stackTrace',
                                  { threadId: tid, startFrame: 1,
                                    levels: 1 })).body;
    assert.equal(page.stackFrames.length, 1);
    assert.equal(page.stackFrames[0].name, 'main');
    assert.equal(page.stackFrames[0].line, L('call-add'));
    assert.equal(page.totalFrames, all.totalFrames);
}));
