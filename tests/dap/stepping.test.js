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

test('stepIn, next, stepOut, next, continue stop where they should', T,
     () => withSession(async (s) => {
    await s.launch({ program: BASIC },
                   { breakpoints: { [BASIC]: [L('call-add')] } });
    let ev = await s.stopped('breakpoint');
    assert.equal(ev.top.line, L('call-add'));
    assert.equal(ev.top.name, 'main');
    const tid = ev.body.threadId;

    ev = await step(s, ev, 'stepIn');
    assert.equal(ev.top.name, 'add');
    assert.equal(ev.top.line, L('add-body'));
    assert.equal(ev.body.threadId, tid);
    assert.equal(ev.frames[1].name, 'main');
    assert.equal(ev.frames[1].line, L('call-add'));

    ev = await step(s, ev, 'next');
    assert.equal(ev.top.name, 'add');
    assert.equal(ev.top.line, L('add-return'));

    ev = await step(s, ev, 'stepOut');
    assert.equal(ev.top.name, 'main');
    assert.equal(ev.top.line, L('call-add'));

    ev = await step(s, ev, 'next');
    assert.equal(ev.top.name, 'main');
    assert.equal(ev.top.line, L('json'));

    /* continue: the breakpoint again, in the next turn of the loop. */
    await s.request('continue', { threadId: tid });
    ev = await s.stopped('breakpoint');
    assert.equal(ev.top.line, L('call-add'));
    const locals = await s.scope(ev.top.id, 'Locals');
    assert.equal(locals.i.value, '1');
}));

test('continued event after continue', T, () => withSession(async (s) => {
    await s.launch({ program: BASIC },
                   { breakpoints: { [BASIC]: [L('call-add')] } });
    const ev = await s.stopped('breakpoint');
    const r = await s.request('continue', { threadId: ev.body.threadId });
    /* The response says all threads go on, or a continued event does. */
    if (r.body && r.body.allThreadsContinued === false) {
        await s.event('continued');
    }
    await s.stopped('breakpoint');
}));

test('justMyCode: stepIn over a call into the standard library stays in ' +
     'the program', T, () => withSession(async (s) => {
    await s.launch({ program: BASIC, justMyCode: true },
                   { breakpoints: { [BASIC]: [L('json')] } });
    let ev = await s.stopped('breakpoint');
    ev = await step(s, ev, 'stepIn');
    assert.equal(ev.top.source.path, BASIC);
    assert.equal(ev.top.name, 'main');
    assert.equal(ev.top.line, L('for'));
}));

test('justMyCode false: stepIn enters the standard library', T,
     () => withSession(async (s) => {
    await s.launch({ program: BASIC, justMyCode: false },
                   { breakpoints: { [BASIC]: [L('json')] } });
    let ev = await s.stopped('breakpoint');
    ev = await step(s, ev, 'stepIn');
    assert.match(ev.top.source.path, /json[/\\]__init__\.py$/);
    assert.equal(ev.top.name, 'dumps');
}));

test('stackTrace pages with startFrame and levels', T, () => withSession(
    async (s) => {
    await s.launch({ program: BASIC },
                   { breakpoints: { [BASIC]: [L('add-body')] } });
    const ev = await s.stopped('breakpoint');
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
