#include "runtime/process/child.hpp"

#include <sys/prctl.h>
#include <unistd.h>
#include <csignal>

namespace eddy::runtime::process {

void prepare_child(pid_t parent) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s)
        ::signal(s, SIG_DFL);
}

}  // namespace eddy::runtime::process
