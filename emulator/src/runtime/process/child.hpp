#pragma once

#include <sys/types.h>

namespace eddy::runtime::process {

// Run in a forked child before exec, by both containers and health-check probes: the
// child gets its own process group (stop and kill signal the group), dies with eddy
// (`parent`: eddy's pid before the fork; a child that finds eddy already gone exits
// 127), and starts with no blocked, ignored or handled signals, whatever eddy had set:
// an ignored SIGPIPE, say, would survive exec. Async-signal-safe calls only.
void prepare_child(pid_t parent);

}  // namespace eddy::runtime::process
