#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <Python.h>
static double t_add;
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
static int cb(void *a) { (void)a;
    FILE *f = fopen("/tmp/attx/pc.txt", "w");
    fprintf(f, "pending call ran %.3f s after Py_AddPendingCall, main=%d\n", now() - t_add,
            PyThread_get_thread_ident() == PyThread_get_thread_ident()); fclose(f); return 0; }
static void *run(void *a) { (void)a; t_add = now(); int r = Py_AddPendingCall(cb, NULL);
    FILE *f = fopen("/tmp/attx/pc_add.txt", "w"); fprintf(f, "add rc=%d\n", r); fclose(f); return NULL; }
__attribute__((constructor)) static void init(void) { pthread_t th; pthread_create(&th, NULL, run, NULL); pthread_detach(th); }
