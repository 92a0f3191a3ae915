/* Graphviz pictures of references: a drawing as plain data (boxes for
   objects, named edges, notes where a node has too many references,
   ellipses for the stopped frames' variables that hold objects), made
   from the heap by cpdb_dot_draw, and its DOT text, which
   cpdb_dot_text writes knowing nothing of Python. */
#ifndef CPDB_SRC_HEAP_DOT_H
#define CPDB_SRC_HEAP_DOT_H

#include "base/compat.h"
#include "base/util.h"
#include "heap/heap.h"

#include <stddef.h>

/* An object of the drawing: a box, written as n<its position>; the
   first one, the object asked about, is filled. */
typedef struct CpdbDotNode {
    PyObject *obj;              /* strong, or NULL (a made-up drawing) */
    int depth;                  /* references away from the first */
    char *label;                /* its text, lines apart by '\n'
                                   (malloc'd) */
} CpdbDotNode;

typedef enum CpdbDotEdgeKind {
    CPDB_DOT_EDGE,              /* n<from> -> n<to>, labelled */
    CPDB_DOT_MORE_OUT,          /* n<from> -> a note x<from> saying label,
                                   instead of from's references */
    CPDB_DOT_MORE_IN            /* a note x<to> saying label -> n<to>,
                                   instead of to's referrers */
} CpdbDotEdgeKind;

/* An edge, or a note that stands for a node's many references. */
typedef struct CpdbDotEdge {
    CpdbDotEdgeKind kind;
    size_t from, to;            /* node positions (a note's edge: the
                                   same node twice) */
    char *label;                /* the reference's name, or the note
                                   (malloc'd) */
} CpdbDotEdge;

/* An ellipse, v<id>, with an edge to the node it holds. */
typedef struct CpdbDotHolder {
    size_t id;
    size_t node;
    char *label;                /* malloc'd */
} CpdbDotHolder;

typedef struct CpdbDotGraph {
    CPDB_ARRAY(CpdbDotNode) nodes;
    CPDB_ARRAY(CpdbDotHolder) holders;
    CPDB_ARRAY(CpdbDotEdge) edges;      /* in the order written */
} CpdbDotGraph;

void cpdb_dot_graph_init(CpdbDotGraph *g);
/* Release the nodes' objects, the texts and the storage. */
void cpdb_dot_graph_fini(CpdbDotGraph *g);

/* The DOT text of a drawing: the boxes in order, the ellipses with their
   edges, then the edges and notes in order; labels escaped (quotes,
   backslashes, newlines).  Return: malloc'd. */
char *cpdb_dot_text(const CpdbDotGraph *g);

/* What to draw around an object. */
typedef struct CpdbDotOptions {
    int backrefs;               /* what refers to it, not what it refers
                                   to */
    long depth;                 /* references away from it, at most */
    long max_nodes;             /* objects, at most */
} CpdbDotOptions;

/* Draw the references out of o (or into it, from h's reverse edges, with
   opt->backrefs; h is not used otherwise), breadth first.  Past o, an
   object with too many references gets a note instead of them.  A
   drawing of references does not wander into modules; one of referrers
   stops at modules, leaves out the functions that refer to a module's
   globals (only the module counts), and draws the stopped frames'
   variables (ctx) that hold its objects.  g receives the drawing (from
   cpdb_dot_graph_init).  Past opt->max_nodes objects, a note on a
   node says how many of its references had no room.  Return 0, or -1
   with an exception set (the reverse edges could not be built, or
   Ctrl-C came: KeyboardInterrupt). */
int cpdb_dot_draw(PyObject *o, CpdbHeap *h, const CpdbHeapContext *ctx,
                  const CpdbDotOptions *opt, CpdbDotGraph *g);

#endif /* CPDB_SRC_HEAP_DOT_H */
