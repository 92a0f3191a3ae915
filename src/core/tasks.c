/* asyncio tasks: listing them, the coroutine chain each one is
   suspended in, and which task awaits which.  Everything is read
   through asyncio's public functions and the attributes its Task and
   gather objects have on every supported Python (get_coro, get_name,
   _fut_waiter, _children): the pure-Python and the C implementation
   both have them.  cpdb never imports asyncio; without it in
   sys.modules there are no tasks. */
#include "core/tasks.h"
#include "core/frames.h"
#include "core/session.h"
#include "base/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* How deep a chain of awaiting coroutines or tasks is followed: a
   bound against cycles the program could build by hand. */
#define MAX_AWAIT_DEPTH 256

void
cpdb_task_table_fini(CpdbTaskTable *t)
{
    free(t->items);
    memset(t, 0, sizeof *t);
}

const char *
cpdb_task_state_name(CpdbTaskState state)
{
    switch (state) {
    case CPDB_TASK_RUNNING:
        return "running";
    case CPDB_TASK_DONE:
        return "done";
    case CPDB_TASK_CANCELLED:
        return "cancelled";
    case CPDB_TASK_PENDING:
    default:
        return "pending";
    }
}

/* The number of task, given now if it has none. */
static int
task_number(CpdbTaskTable *t, PyObject *task)
{
    uintptr_t addr = (uintptr_t)task;
    size_t i;
    for (i = 0; i < t->n; i++) {
        if (t->items[i].addr == addr) {
            return t->items[i].number;
        }
    }
    if (t->n == t->cap) {
        t->items = cpdb_array_grow(t->items, &t->cap, sizeof *t->items);
    }
    t->items[t->n].addr = addr;
    t->items[t->n].number = ++t->last;
    return t->items[t->n++].number;
}

/* Forget the numbers of tasks that are gone: live[0..n) are the tasks
   that exist now, so an address reused by a new task gets a new
   number. */
static void
forget_gone_tasks(CpdbTaskTable *t, PyObject **live, Py_ssize_t n)
{
    size_t i, kept = 0;
    for (i = 0; i < t->n; i++) {
        Py_ssize_t j;
        for (j = 0; j < n; j++) {
            if ((uintptr_t)live[j] == t->items[i].addr) {
                t->items[kept++] = t->items[i];
                break;
            }
        }
    }
    t->n = kept;
}

/* Return: new reference to the attribute, or NULL without an
   exception when o has none. */
static PyObject *
attr_or_null(PyObject *o, const char *name)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    if (v == NULL) {
        PyErr_Clear();
    }
    return v;
}

/* Return: new reference to asyncio if the program imported it, else
   NULL (no exception). */
static PyObject *
asyncio_module(void)
{
    PyObject *mods = PyImport_GetModuleDict();          /* borrowed */
    return Py_XNewRef(PyDict_GetItemString(mods, "asyncio"));
}

/* Return: new reference to the event loop running in this thread;
   NULL without an exception when none runs. */
static PyObject *
running_loop(PyObject *aio)
{
    PyObject *loop = PyObject_CallMethod(aio, "_get_running_loop", NULL);
    if (loop == Py_None || loop == NULL) {
        PyErr_Clear();
        Py_XDECREF(loop);
        return NULL;
    }
    return loop;
}

/* A coroutine-like object's frame and what it awaits, by the names its
   kind uses (coroutine, generator, async generator).  Return 1 with
   *frame and *next new references (either may be NULL: finished, or
   awaiting nothing), or 0 when obj is no such object. */
static int
coro_parts(PyObject *obj, PyObject **frame, PyObject **next)
{
    static const char *const names[][2] = {
        {"cr_frame", "cr_await"}, {"gi_frame", "gi_yieldfrom"},
        {"ag_frame", "ag_await"},
    };
    size_t i;
    *frame = *next = NULL;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        PyObject *f = attr_or_null(obj, names[i][0]);
        if (f != NULL) {
            PyObject *n = attr_or_null(obj, names[i][1]);
            if (f == Py_None || !PyFrame_Check(f)) {
                Py_CLEAR(f);
            }
            if (n == Py_None) {
                Py_CLEAR(n);
            }
            *frame = f;
            *next = n;
            return 1;
        }
    }
    return 0;
}

/* Return: new list of the frames of the coroutine chain from coro down
   (see CpdbTaskInfo.frames); NULL with an exception set. */
static PyObject *
chain_frames(PyObject *coro)
{
    PyObject *frames = PyList_New(0), *obj = Py_XNewRef(coro);
    int depth = 0;
    while (frames != NULL && obj != NULL && depth++ < MAX_AWAIT_DEPTH) {
        PyObject *frame, *next;
        if (!coro_parts(obj, &frame, &next)) {
            break;
        }
        if (frame != NULL && PyList_Append(frames, frame) < 0) {
            Py_CLEAR(frames);
        }
        Py_XDECREF(frame);
        Py_SETREF(obj, next);
    }
    Py_XDECREF(obj);
    return frames;
}

/* Return: malloc'd str(obj.attr) (the method called when call is set),
   or a copy of dflt. */
static char *
text_of(PyObject *obj, const char *attr, int call, const char *dflt)
{
    PyObject *v = call ? PyObject_CallMethod(obj, attr, NULL)
                       : attr_or_null(obj, attr);
    PyObject *str = v != NULL ? PyObject_Str(v) : NULL;
    const char *utf8 = str != NULL ? PyUnicode_AsUTF8(str) : NULL;
    char *text = cpdb_xstrdup(utf8 != NULL ? utf8 : dflt);
    PyErr_Clear();
    Py_XDECREF(str);
    Py_XDECREF(v);
    return text;
}

static int
is_true_method(PyObject *obj, const char *name)
{
    PyObject *v = PyObject_CallMethod(obj, name, NULL);
    int yes = v != NULL && PyObject_IsTrue(v) == 1;
    PyErr_Clear();
    Py_XDECREF(v);
    return yes;
}

/* A task not numbered yet, with what orders it among the others. */
typedef struct NewTask {
    PyObject *task;         /* borrowed: owned by the list of tasks */
    long serial;            /* N of a default name "Task-N", else
                               LONG_MAX */
    char *name;             /* malloc'd */
} NewTask;

static int
by_creation(const void *a, const void *b)
{
    const NewTask *x = a, *y = b;
    if (x->serial != y->serial) {
        return (x->serial > y->serial) - (x->serial < y->serial);
    }
    return strcmp(x->name, y->name);
}

/* Number the tasks of tasks (a list) that have no number yet, in an
   order that does not depend on where they are in memory: those
   asyncio named "Task-N" by N (the order they were made), then the
   others by name. */
static void
number_new_tasks(CpdbTaskTable *t, PyObject *tasks)
{
    Py_ssize_t i, n = PyList_GET_SIZE(tasks), n_new = 0;
    NewTask *fresh = cpdb_xcalloc((size_t)n + 1, sizeof *fresh);
    for (i = 0; i < n; i++) {
        PyObject *task = PyList_GET_ITEM(tasks, i);
        size_t j;
        char *end;
        for (j = 0; j < t->n && t->items[j].addr != (uintptr_t)task; j++) {
        }
        if (j < t->n) {
            continue;
        }
        fresh[n_new].task = task;
        fresh[n_new].name = text_of(task, "get_name", 1, "");
        fresh[n_new].serial = LONG_MAX;
        if (strncmp(fresh[n_new].name, "Task-", 5) == 0) {
            long v = strtol(fresh[n_new].name + 5, &end, 10);
            if (*end == '\0' && end != fresh[n_new].name + 5) {
                fresh[n_new].serial = v;
            }
        }
        n_new++;
    }
    qsort(fresh, (size_t)n_new, sizeof *fresh, by_creation);
    for (i = 0; i < n_new; i++) {
        task_number(t, fresh[i].task);
        free(fresh[i].name);
    }
    free(fresh);
}

/* Fill info for task.  Return 0, or -1 with an exception set. */
static int
describe_task(CpdbSession *s, PyObject *task, PyObject *current,
              CpdbTaskInfo *info)
{
    PyObject *coro;
    memset(info, 0, sizeof *info);
    info->task = Py_NewRef(task);
    info->number = task_number(&s->tasks, task);
    info->name = text_of(task, "get_name", 1, "?");
    if (task == current) {
        info->state = CPDB_TASK_RUNNING;
    }
    else if (is_true_method(task, "done")) {
        info->state = is_true_method(task, "cancelled")
                      ? CPDB_TASK_CANCELLED : CPDB_TASK_DONE;
    }
    coro = PyObject_CallMethod(task, "get_coro", NULL);
    if (coro == NULL) {
        PyErr_Clear();
        coro = Py_NewRef(Py_None);
    }
    info->coro = text_of(coro, "__qualname__", 0, "?");
    info->waiter = attr_or_null(task, "_fut_waiter");
    if (info->waiter == Py_None) {
        Py_CLEAR(info->waiter);
    }
    info->frames = chain_frames(coro);
    Py_DECREF(coro);
    return info->frames != NULL ? 0 : -1;
}

void
cpdb_tasks_free(CpdbTaskInfo *tasks, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        Py_XDECREF(tasks[i].task);
        Py_XDECREF(tasks[i].frames);
        free(tasks[i].name);
        free(tasks[i].coro);
        Py_XDECREF(tasks[i].waiter);
    }
    free(tasks);
}

static int
by_number(const void *a, const void *b)
{
    const CpdbTaskInfo *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

/* Return: new list of the tasks of loop (asyncio.all_tasks: those not
   done), or NULL with an exception set. */
static PyObject *
all_tasks(PyObject *aio, PyObject *loop)
{
    PyObject *set = PyObject_CallMethod(aio, "all_tasks", "O", loop);
    PyObject *list = set != NULL ? PySequence_List(set) : NULL;
    Py_XDECREF(set);
    return list;
}

/* Return: new reference to the current task of loop, or NULL without
   an exception when there is none. */
static PyObject *
current_task(PyObject *aio, PyObject *loop)
{
    PyObject *t = PyObject_CallMethod(aio, "current_task", "O", loop);
    if (t == Py_None || t == NULL) {
        PyErr_Clear();
        Py_XDECREF(t);
        return NULL;
    }
    return t;
}

/* Whether waiter, what a task waits on (its _fut_waiter), is task
   itself or a gather that includes it. */
static int
waits_for(PyObject *waiter, PyObject *task)
{
    PyObject *children;
    Py_ssize_t i, n;
    int found = 0;
    if (waiter == task) {
        return 1;
    }
    children = attr_or_null(waiter, "_children");
    if (children == NULL || !PyList_Check(children)) {
        Py_XDECREF(children);
        return 0;
    }
    n = PyList_GET_SIZE(children);
    for (i = 0; i < n && !found; i++) {
        found = PyList_GET_ITEM(children, i) == task;
    }
    Py_DECREF(children);
    return found;
}

/* Return: the task of tasks (a list) that is obj, borrowed; or
   NULL. */
static PyObject *
task_in(PyObject *tasks, PyObject *obj)
{
    Py_ssize_t i;
    for (i = 0; i < PyList_GET_SIZE(tasks); i++) {
        if (PyList_GET_ITEM(tasks, i) == obj) {
            return obj;
        }
    }
    return NULL;
}

/* What a done-callback of a future leads to: the task it wakes (a
   Task's own method), the parent task of a TaskGroup, or, pushed on
   queue, the futures it completes (gather's and shield's outer future,
   held in the callback's closure).  Return: borrowed task of tasks, or
   NULL. */
static PyObject *
callback_task(PyObject *tasks, PyObject *cb, PyObject *queue)
{
    PyObject *self = attr_or_null(cb, "__self__");
    PyObject *found = NULL, *closure;
    if (self != NULL) {
        PyObject *parent = attr_or_null(self, "_parent_task");
        found = task_in(tasks, parent != NULL ? parent : self);
        Py_XDECREF(parent);
        Py_DECREF(self);
        if (found != NULL) {
            return found;
        }
    }
    closure = attr_or_null(cb, "__closure__");
    if (closure != NULL && PyTuple_Check(closure)) {
        Py_ssize_t i;
        for (i = 0; i < PyTuple_GET_SIZE(closure) && found == NULL; i++) {
            PyObject *cell = PyTuple_GET_ITEM(closure, i);
            PyObject *v = PyCell_Check(cell) ? PyCell_GET(cell) : NULL;
            PyObject *cbs = v != NULL ? attr_or_null(v, "_callbacks")
                                      : NULL;
            found = v != NULL ? task_in(tasks, v) : NULL;
            if (found == NULL && cbs != NULL && PyList_Check(cbs)
                && PyList_Append(queue, v) < 0) {
                PyErr_Clear();
            }
            Py_XDECREF(cbs);
        }
    }
    Py_XDECREF(closure);
    return found;
}

/* The task woken when fut completes, following its done-callbacks
   through the futures they complete.  Return: borrowed, or NULL. */
static PyObject *
woken_by(PyObject *tasks, PyObject *fut)
{
    PyObject *queue = PyList_New(0), *found = NULL;
    Py_ssize_t next = 0;
    if (queue == NULL || PyList_Append(queue, fut) < 0) {
        PyErr_Clear();
        Py_XDECREF(queue);
        return NULL;
    }
    while (found == NULL && next < PyList_GET_SIZE(queue)
           && next < MAX_AWAIT_DEPTH) {
        PyObject *cbs = attr_or_null(PyList_GET_ITEM(queue, next++),
                                     "_callbacks");
        Py_ssize_t i;
        for (i = 0; cbs != NULL && PyList_Check(cbs)
                    && i < PyList_GET_SIZE(cbs) && found == NULL; i++) {
            PyObject *entry = PyList_GET_ITEM(cbs, i);
            PyObject *cb = PyTuple_Check(entry) && PyTuple_GET_SIZE(entry)
                           ? PyTuple_GET_ITEM(entry, 0) : entry;
            found = callback_task(tasks, cb, queue);
            if (found == fut) {
                found = NULL;
            }
        }
        Py_XDECREF(cbs);
    }
    Py_DECREF(queue);
    return found;
}

/* Return: new reference to the task of tasks (a list) that awaits
   task, or NULL (no exception): one whose _fut_waiter is the task or a
   gather of it, else the one its done-callbacks wake (TaskGroup,
   shield). */
static PyObject *
awaiter_of(PyObject *tasks, PyObject *task)
{
    Py_ssize_t i, n = PyList_GET_SIZE(tasks);
    for (i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(tasks, i);
        PyObject *waiter = w != task ? attr_or_null(w, "_fut_waiter")
                                     : NULL;
        int yes = waiter != NULL && waiter != Py_None
                  && waits_for(waiter, task);
        Py_XDECREF(waiter);
        if (yes) {
            return Py_NewRef(w);
        }
    }
    return Py_XNewRef(woken_by(tasks, task));
}

/* The running loop's tasks and current task, as debugger work.  Return
   1 with new references in *aio, *loop, *tasks, *current (NULL when
   there is no current task), 0 when no loop runs (nothing set), -1
   with an exception set. */
static int
loop_state(PyObject **aio, PyObject **loop, PyObject **tasks,
           PyObject **current)
{
    *aio = asyncio_module();
    *loop = *aio != NULL ? running_loop(*aio) : NULL;
    if (*loop == NULL) {
        Py_CLEAR(*aio);
        return PyErr_Occurred() ? -1 : 0;
    }
    *tasks = all_tasks(*aio, *loop);
    if (*tasks == NULL) {
        Py_CLEAR(*loop);
        Py_CLEAR(*aio);
        return -1;
    }
    *current = current_task(*aio, *loop);
    return 1;
}

static void
loop_state_release(PyObject *aio, PyObject *loop, PyObject *tasks,
                   PyObject *current)
{
    Py_XDECREF(current);
    Py_XDECREF(tasks);
    Py_XDECREF(loop);
    Py_XDECREF(aio);
}

Py_ssize_t
cpdb_tasks_list(CpdbSession *s, CpdbTaskInfo **out)
{
    PyObject *aio, *loop, *tasks, *current;
    CpdbTaskInfo *infos = NULL;
    Py_ssize_t n = 0, i;
    int rc;

    *out = NULL;
    cpdb_guard_begin(&s->busy);
    rc = loop_state(&aio, &loop, &tasks, &current);
    if (rc <= 0) {
        cpdb_guard_end(&s->busy);
        return rc;
    }
    n = PyList_GET_SIZE(tasks);
    forget_gone_tasks(&s->tasks, &PyList_GET_ITEM(tasks, 0), n);
    number_new_tasks(&s->tasks, tasks);
    infos = cpdb_xcalloc((size_t)n + 1, sizeof *infos);
    for (i = 0; i < n; i++) {
        if (describe_task(s, PyList_GET_ITEM(tasks, i), current,
                          &infos[i]) < 0) {
            cpdb_tasks_free(infos, i + 1);
            infos = NULL;
            n = -1;
            break;
        }
    }
    loop_state_release(aio, loop, tasks, current);
    cpdb_guard_end(&s->busy);
    if (infos != NULL) {
        qsort(infos, (size_t)n, sizeof *infos, by_number);
    }
    *out = infos;
    return n;
}

/* Return: new reference to the task of tasks that has number, or
   NULL. */
static PyObject *
numbered_task(CpdbSession *s, PyObject *tasks, int number)
{
    Py_ssize_t i;
    for (i = 0; i < PyList_GET_SIZE(tasks); i++) {
        PyObject *t = PyList_GET_ITEM(tasks, i);
        size_t j;
        for (j = 0; j < s->tasks.n; j++) {
            if (s->tasks.items[j].addr == (uintptr_t)t
                && s->tasks.items[j].number == number) {
                return Py_NewRef(t);
            }
        }
    }
    return NULL;
}

Py_ssize_t
cpdb_tasks_awaiting(CpdbSession *s, int number, CpdbTaskInfo **out)
{
    PyObject *aio, *loop, *tasks, *current, *task;
    CpdbTaskInfo *infos = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    cpdb_guard_begin(&s->busy);
    rc = loop_state(&aio, &loop, &tasks, &current);
    if (rc > 0) {
        number_new_tasks(&s->tasks, tasks);
    }
    task = rc <= 0 ? NULL
           : number > 0 ? numbered_task(s, tasks, number)
                        : Py_XNewRef(current);
    if (task == NULL) {
        if (rc > 0) {
            loop_state_release(aio, loop, tasks, current);
        }
        cpdb_guard_end(&s->busy);
        return rc < 0 ? -1 : 0;
    }
    while (task != NULL && n < MAX_AWAIT_DEPTH) {
        if (n == cap) {
            infos = cpdb_array_grow(infos, &cap, sizeof *infos);
        }
        if (describe_task(s, task, current, &infos[n++]) < 0) {
            cpdb_tasks_free(infos, (Py_ssize_t)n);
            infos = NULL;
            Py_CLEAR(task);
            break;
        }
        Py_SETREF(task, awaiter_of(tasks, task));
    }
    Py_XDECREF(task);
    loop_state_release(aio, loop, tasks, current);
    cpdb_guard_end(&s->busy);
    *out = infos;
    return infos != NULL ? (Py_ssize_t)n : -1;
}

/* Return: malloc'd folder of asyncio's files ("/usr/lib/python3.11/
   asyncio/"), or NULL. */
static char *
asyncio_dir(PyObject *aio)
{
    char *dir = NULL;
    const char *slash;
    PyObject *file = attr_or_null(aio, "__file__");
    const char *utf8 = file != NULL && PyUnicode_Check(file)
                       ? PyUnicode_AsUTF8(file) : NULL;
    if (utf8 != NULL && (slash = strrchr(utf8, '/')) != NULL) {
        dir = cpdb_xstrndup(utf8, (size_t)(slash - utf8 + 1));
    }
    PyErr_Clear();
    Py_XDECREF(file);
    return dir;
}

/* Whether f runs asyncio's own code (the event loop, TaskGroup's
   __aexit__, a Future's __await__). */
static int
in_asyncio(PyFrameObject *f, const char *dir)
{
    PyCodeObject *code = PyFrame_GetCode(f);
    char *path = cpdb_code_path(code);
    int in = strncmp(path, dir, strlen(dir)) == 0;
    free(path);
    Py_DECREF(code);
    return in;
}

/* Return: new reference to the innermost frame of task's coroutine
   chain that is the program's (not asyncio's), or NULL (no
   exception). */
static PyFrameObject *
innermost_frame(PyObject *task, const char *dir)
{
    PyObject *coro = PyObject_CallMethod(task, "get_coro", NULL);
    PyObject *frames = coro != NULL ? chain_frames(coro) : NULL;
    PyFrameObject *f = NULL;
    Py_ssize_t i = frames != NULL ? PyList_GET_SIZE(frames) : 0;
    while (i-- > 0 && f == NULL) {
        PyFrameObject *candidate =
            (PyFrameObject *)PyList_GET_ITEM(frames, i);
        if (!in_asyncio(candidate, dir)) {
            f = (PyFrameObject *)Py_NewRef(candidate);
        }
    }
    PyErr_Clear();
    Py_XDECREF(frames);
    Py_XDECREF(coro);
    return f;
}

/* Return: new reference to the first frame from frame outwards that is
   not asyncio's own code (the event loop), or NULL. */
static PyFrameObject *
below_event_loop(PyFrameObject *frame, const char *dir)
{
    PyFrameObject *f = (PyFrameObject *)Py_NewRef(frame);
    while (f != NULL && in_asyncio(f, dir)) {
        Py_SETREF(f, PyFrame_GetBack(f));
    }
    return f;
}

PyFrameObject *
cpdb_task_resume_frame(CpdbSession *s, PyFrameObject *frame)
{
    PyObject *type, *value, *tb;
    PyObject *aio, *loop, *tasks, *current = NULL, *coro = NULL;
    PyObject *cframe = NULL, *next = NULL, *w = NULL;
    PyFrameObject *result = NULL;
    char *dir = NULL;

    PyErr_Fetch(&type, &value, &tb);
    cpdb_guard_begin(&s->busy);
    if (loop_state(&aio, &loop, &tasks, &current) <= 0) {
        goto done;
    }
    if (current == NULL) {
        goto release;
    }
    coro = PyObject_CallMethod(current, "get_coro", NULL);
    if (coro == NULL || !coro_parts(coro, &cframe, &next)
        || cframe != (PyObject *)frame) {
        goto release;
    }
    if ((dir = asyncio_dir(aio)) == NULL) {
        goto release;
    }
    w = awaiter_of(tasks, current);
    if (w != NULL) {
        result = innermost_frame(w, dir);
    }
    else {
        PyFrameObject *back = PyFrame_GetBack(frame);   /* new or NULL */
        if (back != NULL) {
            result = below_event_loop(back, dir);
            Py_DECREF(back);
        }
    }
release:
    free(dir);
    Py_XDECREF(w);
    Py_XDECREF(next);
    Py_XDECREF(cframe);
    Py_XDECREF(coro);
    loop_state_release(aio, loop, tasks, current);
done:
    cpdb_guard_end(&s->busy);
    PyErr_Clear();
    PyErr_Restore(type, value, tb);
    return result;
}
