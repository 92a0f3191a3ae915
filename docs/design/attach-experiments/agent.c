#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <time.h>
#include <Python.h>   /* headers only; no -lpython: symbols bind to the target's */
static void *run(void *a) {
    (void)a;
    struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
    PyGILState_STATE g = PyGILState_Ensure();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    char buf[512];
    snprintf(buf, sizeof buf,
      "import sys,threading\nopen('/tmp/attx/out.txt','w').write('%%s gil_ms=%.3f frames=%%d\\n' %% (sys.version.split()[0], len(sys._current_frames())))\n",
      (t1.tv_sec-t0.tv_sec)*1e3+(t1.tv_nsec-t0.tv_nsec)/1e6);
    PyRun_SimpleString(buf);
    PyGILState_Release(g);
    return NULL;
}
__attribute__((constructor)) static void init(void) {
    pthread_t th; pthread_attr_t at; pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&th, &at, run, NULL);
}
