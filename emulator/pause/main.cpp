// eddy-pause: the one process of a task's network sandbox (runtime/docker/sandboxes.hpp).
// It holds the network namespace a task's containers join, as the pause container of
// an ECS awsvpc task does, and does nothing until it is told to stop. eddy embeds this
// static binary and imports it into the engine as the image eddy/pause.
#include <csignal>

int main() {
    // As PID 1 of its container, a signal without a handler would be ignored: wait for one.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, nullptr);
    int received = 0;
    sigwait(&stop, &received);
    return 0;
}
