/* What cpdb -p and its agent agree on: the agent's entry point, its
   argument, and what it returns (src/agent/agent.c, src/main_attach.c). */
#ifndef CPDB_SRC_AGENT_H
#define CPDB_SRC_AGENT_H

/* int cpdb_agent_start(const char *arg), with arg
   "VERSION UID BACKEND MODE SOCKET": CPDB_AGENT_ARG_VERSION, the
   attaching user, the trace backend ("default" or a name), what speaks
   on the socket ("console": cpdb's control channel, docs/protocol.md;
   "dap": the Debug Adapter Protocol, cpdb --dap relaying it), and the
   socket cpdb listens on, as the process sees it. */
#define CPDB_AGENT_ENTRY "cpdb_agent_start"
#define CPDB_AGENT_ARG_VERSION 2

/* What it returns besides 0 (started). */
enum {
    CPDB_AGENT_E_ARGS = -1,     /* the argument is malformed */
    CPDB_AGENT_E_VERSION = -2,  /* the process runs another minor Python */
    CPDB_AGENT_E_PYTHON = -3,   /* Python is not running (starting,
                                   ending) */
    CPDB_AGENT_E_THREAD = -4,   /* no thread could be started */
    CPDB_AGENT_E_BUSY = -16     /* a session is on already */
};

#endif /* CPDB_SRC_AGENT_H */
