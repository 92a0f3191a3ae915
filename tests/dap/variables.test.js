'use strict';
/* Scopes and variables (nested children, paging of a list and a dict of
   10,000 entries), setVariable that sticks, evaluate in the watch, hover
   and repl contexts (cpdb's commands in the repl), completions. */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lineOf, program, withSession } = require('./helpers');

const T = { timeout: 60000 };
const BASIC = program('basic.py');
const L = (mark) => lineOf('basic.py', mark);

/* Return: the child of a sequence named k or [k]. */
function item(kids, k) {
    const v = kids[String(k)] || kids[`[${k}]`];
    assert.ok(v, `item ${k} in ${Object.keys(kids)}`);
    return v;
}

/* Return: the stop at the return line of values(), where n, name,
   basket, big_list and big_dict are set. */
async function atValues(s) {
    await s.launch({ program: BASIC },
                   { breakpoints: { [BASIC]: [L('values')] } });
    const ev = await s.stopped('breakpoint');
    assert.equal(ev.top.name, 'values');
    return ev;
}

test('Locals and Globals scopes with nested children', T,
     () => withSession(async (s) => {
    const ev = await atValues(s);
    const locals = await s.scope(ev.top.id, 'Locals');
    assert.equal(locals.n.value, '42');
    assert.equal(locals.n.variablesReference, 0);
    assert.equal(locals.name.value, "'ann'");
    assert.ok(locals.basket.variablesReference > 0);
    const basket = await s.children(locals.basket.variablesReference);
    assert.equal(basket.owner.value, "'ann'");
    const items = await s.children(basket.items.variablesReference);
    const pear = Object.values(items).find((v) => /pear/.test(v.name));
    assert.ok(pear, Object.keys(items).join(','));
    assert.match(pear.value, /^\[1, 2, \{'deep': 'yes'\}\]$/);
    const pearItems = await s.children(pear.variablesReference);
    assert.equal(item(pearItems, 0).value, '1');
    const deep = await s.children(item(pearItems, 2).variablesReference);
    const yes = Object.values(deep).find((v) => /deep/.test(v.name));
    assert.equal(yes.value, "'yes'");

    const globals = await s.scope(ev.top.id, 'Globals');
    assert.equal(globals.LABEL.value, "'global-label'");
    assert.ok(globals.add, 'the function add is a global');
    assert.ok(globals.json, 'the module json is a global');
}));

test('a list of 10,000 paged by start and count', T, () => withSession(
    async (s) => {
    const ev = await atValues(s);
    const locals = await s.scope(ev.top.id, 'Locals');
    const big = locals.big_list;
    assert.equal(big.indexedVariables, 10000);
    const page = (await s.request('variables', {
        variablesReference: big.variablesReference, filter: 'indexed',
        start: 9990, count: 5 })).body.variables;
    assert.equal(page.length, 5);
    page.forEach((v, k) => {
        assert.match(v.name, new RegExp(`^\\[?${9990 + k}\\]?$`));
        assert.equal(v.value, String(9990 + k));
    });
}));

test('a dict of 10,000 paged by start and count', T, () => withSession(
    async (s) => {
    const ev = await atValues(s);
    const locals = await s.scope(ev.top.id, 'Locals');
    const big = locals.big_dict;
    const filter = big.indexedVariables === 10000 ? 'indexed' : 'named';
    assert.equal(filter === 'indexed' ? big.indexedVariables
                 : big.namedVariables, 10000,
                 'indexedVariables or namedVariables of a 10,000 dict');
    const page = (await s.request('variables', {
        variablesReference: big.variablesReference, filter,
        start: 5000, count: 3 })).body.variables;
    assert.equal(page.length, 3);
    page.forEach((v, k) => {
        assert.ok(v.name.includes('k0' + (5000 + k)), v.name);
        assert.equal(v.value, String(5000 + k));
    });
}));

test('setVariable sticks: read back after a next', T, () => withSession(
    async (s) => {
    await s.launch({ program: BASIC },
                   { breakpoints: { [BASIC]: [L('set-here')] } });
    let ev = await s.stopped('breakpoint');
    const scopes = (await s.request('scopes', { frameId: ev.top.id })).body
        .scopes;
    const ref = scopes.find((x) => x.name === 'Locals').variablesReference;
    const r = await s.request('setVariable',
                              { variablesReference: ref, name: 'n',
                                value: '100' });
    assert.equal(r.body.value, '100');
    await s.request('next', { threadId: ev.body.threadId });
    ev = await s.stopped('step');
    assert.equal(ev.top.line, L('set-next'));
    const locals = await s.scope(ev.top.id, 'Locals');
    assert.equal(locals.n.value, '101');
    await s.request('next', { threadId: ev.body.threadId });
    ev = await s.stopped('step');
    assert.equal((await s.scope(ev.top.id, 'Locals')).m.value, '202');
    /* A value that is not Python is refused, and n is unchanged. */
    const ref2 = (await s.request('scopes', { frameId: ev.top.id })).body
        .scopes.find((x) => x.name === 'Locals').variablesReference;
    await s.requestFails('setVariable', { variablesReference: ref2,
                                         name: 'n', value: '1 +' });
    assert.equal((await s.scope(ev.top.id, 'Locals')).n.value, '101');
}));

test('evaluate in watch and hover', T, () => withSession(async (s) => {
    const ev = await atValues(s);
    let r = await s.evaluate('n * 2', ev.top.id, 'watch');
    assert.equal(r.result, '84');
    r = await s.evaluate('name', ev.top.id, 'hover');
    assert.equal(r.result, "'ann'");
    r = await s.evaluate('basket', ev.top.id, 'watch');
    assert.ok(r.variablesReference > 0);
    const kids = await s.children(r.variablesReference);
    assert.equal(kids.owner.value, "'ann'");
    /* A frame further up: main's count. */
    r = await s.evaluate('count', ev.frames[1].id, 'watch');
    assert.equal(r.result, '3');
    const msg = await s.requestFails('evaluate', {
        expression: 'no_such_name', frameId: ev.top.id, context: 'watch' });
    assert.match(msg, /NameError|no_such_name/);
}));

test('evaluate in the repl: Python, then cpdb commands', T,
     () => withSession(async (s) => {
    const ev = await atValues(s);
    let r = await s.evaluate('len(big_list) + n', ev.top.id, 'repl');
    assert.equal(r.result, '10042');
    /* A statement runs in the frame. */
    await s.evaluate('n = 7', ev.top.id, 'repl');
    r = await s.evaluate('n', ev.top.id, 'repl');
    assert.equal(r.result, '7');
    /* print gives a $N number, usable afterwards. */
    r = await s.evaluate('p basket.owner', ev.top.id, 'repl');
    const m = /\$(\d+) = 'ann'/.exec(r.result + s.output('console'));
    assert.ok(m, r.result);
    r = await s.evaluate(`$${m[1]}.upper()`, ev.top.id, 'repl');
    assert.equal(r.result, "'ANN'");
    /* gc types: a census that names the program's class. */
    const before = s.output().length;
    r = await s.evaluate('gc types', ev.top.id, 'repl');
    const census = r.result + s.output().slice(before);
    assert.match(census, /Basket/);
    /* gc chain of a printed value: the references that keep it. */
    r = await s.evaluate('p BASKETS[5]', ev.top.id, 'repl');
    const m5 = /\$(\d+) = <__main__\.Basket object/.exec(
        r.result + s.output().slice(before));
    assert.ok(m5, r.result);
    const mark = s.output().length;
    r = await s.evaluate(`gc chain $${m5[1]}`, ev.top.id, 'repl');
    assert.match(r.result + s.output().slice(mark),
                 /module __main__ \.BASKETS -> list \[5\] -> <__main__\./);
    r = await s.evaluate('leak hints', ev.top.id, 'repl');
    assert.match(r.result + s.output().slice(mark), /leak pattern/);
    /* A bare command name: bt. */
    r = await s.evaluate('bt', ev.top.id, 'repl');
    const bt = r.result + s.output().slice(before);
    assert.match(bt, /values/);
    assert.match(bt, /main/);
    /* A leading backtick forces a command, ! forces Python. */
    r = await s.evaluate('`info threads', ev.top.id, 'repl');
    assert.match(r.result + s.output().slice(before), /MainThread/);
    r = await s.evaluate('!n + 1', ev.top.id, 'repl');
    assert.equal(r.result, '8');
}));

/* Return: the line text once target is applied as VS Code applies a
   completion: it replaces `length` characters from `start` (1-based, as
   the client said columnsStartAt1), or without a start the word before
   the cursor. */
function complete(text, target) {
    const insert = target.text !== undefined ? target.text : target.label;
    if (target.start !== undefined) {
        const from = target.start - 1;
        const length = target.length !== undefined ? target.length
            : text.length - from;
        return text.slice(0, from) + insert + text.slice(from + length);
    }
    return text.replace(/\w*$/, '') + insert;
}

/* Return: the lines the completions of text (cursor at its end) give. */
async function completions(s, text, frameId) {
    const r = await s.request('completions',
                              { text, column: text.length + 1, frameId });
    return r.body.targets.map((t) => complete(text, t));
}

test('completions for the debug console', T, () => withSession(
    async (s) => {
    const ev = await atValues(s);
    let lines = await completions(s, 'big_', ev.top.id);
    assert.ok(lines.includes('big_list'), lines.join(','));
    assert.ok(lines.includes('big_dict'), lines.join(','));
    lines = await completions(s, 'basket.ow', ev.top.id);
    assert.ok(lines.includes('basket.owner'), lines.join(','));
    /* A cpdb command's subcommand. */
    lines = await completions(s, 'gc ty', ev.top.id);
    assert.ok(lines.includes('gc types'), lines.join(','));
}));
