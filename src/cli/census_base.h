/* The census baselines the session keeps, and cpdb's imports into the
   program that must not show in them (census_base.c). */
#ifndef CPDB_SRC_CLI_CENSUS_BASE_H
#define CPDB_SRC_CLI_CENSUS_BASE_H

#include "cli/cli.h"
#include "heap/census.h"

/* Census tables kept by the session (growth baseline, named
   snapshots). */
struct CpdbCensusSnaps {
    CpdbCensus growth_base;
    int have_growth;
    char **names;
    CpdbCensus *censuses;
    int n;
    /* The garbage cpdb's last import left (cpdb_census_import), while
       nothing ran since (the stop and eval serials then): the collector
       frees it when the program allocates next, so until then the
       censuses of "gc growth", "gc snapshot" and "gc diff" leave it
       out. */
    CpdbCensus import_garbage;
    long garbage_stop, garbage_eval;
};


/* The session's tables (s->cli->census), made when first needed.
   Return: borrowed. */
CpdbCensusSnaps *cpdb_census_snaps(CpdbSession *s);

/* Take a census now (after a collection when collect is set).  Return 0,
   or -1 reported. */
int cpdb_census_take(CpdbSession *s, CpdbCensus *c, int collect);

/* A census to compare with a baseline: cpdb_census_take's, without the
   garbage of cpdb's import made at this stop (nothing has collected it
   yet).  Return 0, or -1 reported. */
int cpdb_census_compared(CpdbSession *s, CpdbCensus *c, int collect);

#endif /* CPDB_SRC_CLI_CENSUS_BASE_H */
