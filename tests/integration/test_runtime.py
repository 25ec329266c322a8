"""eddy serve's container runtime: the choice of backend and the clean-up of
what an earlier run on the same port left in Docker.

The Docker cases need an engine (tools/docker-engine) and the sample images
(tools/build-images); without them they are skipped, unless EDDY_REQUIRE_DOCKER
is set (tools/test sets it), in which case they fail.
"""
import os
import socket
import subprocess
import threading
import time
import unittest

from harness import EDDY_BIN, Eddy

HELLO = "eddy-samples/hello-task:latest"


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60)


def docker_ready():
    try:
        ok = docker("info").returncode == 0 and docker("image", "inspect", HELLO).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok and os.environ.get("EDDY_REQUIRE_DOCKER"):
        raise AssertionError("no Docker engine or no " + HELLO + " (tools/docker-engine, tools/build-images)")
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpToDockerSocket:
    """Forwards connections from a loopback TCP port to the engine's unix socket,
    so DOCKER_HOST=tcp://127.0.0.1:<port> reaches the same engine."""

    def __init__(self, path="/var/run/docker.sock"):
        self.path = path
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            engine = socket.socket(socket.AF_UNIX)
            engine.connect(self.path)
            for a, b in ((client, engine), (engine, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.listener.close()


class RuntimeChoice(unittest.TestCase):
    def startup_line(self, args, env_extra):
        env = dict(os.environ, **env_extra)
        proc = subprocess.Popen([EDDY_BIN, "serve", "--port", "0", *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        proc.terminate()
        _, err = proc.communicate(timeout=15)
        return line, err, proc.returncode

    def test_process_runtime_is_named_in_the_startup_line(self):
        line, _, _ = self.startup_line(["--runtime", "process"], {})
        self.assertIn("containers: process", line)

    def test_auto_without_an_engine_runs_host_processes(self):
        line, _, _ = self.startup_line([], {"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
        self.assertIn("containers: process", line)

    def test_docker_without_an_engine_is_refused_with_one_line(self):
        line, err, code = self.startup_line(["--runtime", "docker"],
                                            {"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
        self.assertEqual(line, "")
        self.assertEqual(code, 2)
        self.assertIn("no Docker engine answers at unix:///nonexistent/docker.sock", err)

    def test_bad_settings_are_refused(self):
        for args, env, says in [
            (["--runtime", "podman"], {}, "--runtime must be docker, process or auto"),
            ([], {"EDDY_RUNTIME": "vm"}, "EDDY_RUNTIME must be docker, process or auto"),
            (["--runtime", "process"], {"EDDY_PROCESS_IMAGES": "no-path"}, "is not image=/path/to/executable"),
            ([], {"DOCKER_HOST": "ssh://me@box"}, "unsupported scheme"),
        ]:
            with self.subTest(args=args, env=env):
                line, err, code = self.startup_line(args, env)
                self.assertEqual(code, 2)
                self.assertIn(says, err)

    def test_docker_host_over_tcp(self):
        if not docker_ready() or os.environ.get("DOCKER_HOST"):
            self.skipTest("no Docker engine on the default socket")
        proxy = TcpToDockerSocket()
        try:
            line, _, _ = self.startup_line(["--runtime", "docker"],
                                           {"DOCKER_HOST": f"tcp://127.0.0.1:{proxy.port}"})
            self.assertIn("containers: docker", line)
            self.assertGreater(proxy.connections, 0)
        finally:
            proxy.close()

    def test_auto_with_an_engine_uses_docker(self):
        if not docker_ready():
            self.skipTest("no Docker engine")
        line, _, _ = self.startup_line([], {})
        self.assertIn("containers: docker", line)


class DockerLeftovers(unittest.TestCase):
    def setUp(self):
        if not docker_ready():
            self.skipTest("no Docker engine")

    def test_a_restart_on_the_same_port_removes_what_an_earlier_run_left(self):
        port = free_port()
        name = f"eddy-it-leftover-{port}"
        mine = ["--label", "eddy.managed=true", "--label", f"eddy.instance=port-{port}", "--label", "eddy.run=old"]
        net = f"eddy-it-leftover-net-{port}"
        self.assertEqual(docker("network", "create", *mine, net).returncode, 0)
        created = docker("run", "-d", "--name", name, "--network", net, *mine, HELLO, "0", "60")
        self.assertEqual(created.returncode, 0, created.stderr)
        # Another eddy's container (other port) must survive.
        other = f"eddy-it-other-{port}"
        docker("create", "--name", other, "--label", "eddy.managed=true",
               "--label", f"eddy.instance=port-{port + 1}", HELLO)
        try:
            # A later --port wins over the harness's --port 0: the instance label needs this port.
            with Eddy(extra_args=["--runtime", "docker", "--port", str(port)]) as eddy:
                deadline = time.time() + 30
                while time.time() < deadline and docker("container", "inspect", name).returncode == 0:
                    time.sleep(0.2)
                self.assertNotEqual(docker("container", "inspect", name).returncode, 0)
                while time.time() < deadline and docker("network", "inspect", net).returncode == 0:
                    time.sleep(0.2)
                self.assertNotEqual(docker("network", "inspect", net).returncode, 0)
                self.assertIn(f"removing leftover container {name}", eddy.log())
                self.assertEqual(docker("container", "inspect", other).returncode, 0)
        finally:
            docker("rm", "-f", name, other)
            docker("network", "rm", net)

    def test_what_an_ended_run_on_port_0_left_on_this_host_is_removed(self):
        # A run on port 0 is "pid-<n>"; eddy labels its resources with the host name and
        # PID namespace, where a later run can see that process is gone.
        host = socket.gethostname() + "/" + os.readlink("/proc/self/ns/pid")
        ended = subprocess.Popen(["true"])
        ended.wait()
        tag = f"{ended.pid}-{free_port()}"

        def leftovers(instance, on_host, which):
            labels = ["--label", "eddy.managed=true", "--label", f"eddy.instance={instance}",
                      "--label", f"eddy.host={on_host}", "--label", "eddy.run=old"]
            net = f"eddy-it-orphan-{which}-{tag}"
            self.assertEqual(docker("network", "create", *labels, net).returncode, 0)
            name = f"eddy-it-orphan-{which}-{tag}-c"
            created = docker("run", "-d", "--name", name, "--network", net, *labels, HELLO, "0", "60")
            self.assertEqual(created.returncode, 0, created.stderr)
            return name, net

        gone = leftovers(f"pid-{ended.pid}", host, "gone")
        alive = leftovers(f"pid-{os.getpid()}", host, "alive")  # this test's process still runs
        elsewhere = leftovers(f"pid-{ended.pid}", "other-host/pid:[1]", "elsewhere")  # its pid means nothing here
        try:
            with Eddy(extra_args=["--runtime", "docker"]) as eddy:
                deadline = time.time() + 30
                while time.time() < deadline and docker("network", "inspect", gone[1]).returncode == 0:
                    time.sleep(0.2)
                self.assertNotEqual(docker("container", "inspect", gone[0]).returncode, 0)
                self.assertNotEqual(docker("network", "inspect", gone[1]).returncode, 0)
                self.assertIn(f"removing network {gone[1]} of an ended run", eddy.log())
                for name, net in (alive, elsewhere):
                    self.assertEqual(docker("container", "inspect", name).returncode, 0)
                    self.assertEqual(docker("network", "inspect", net).returncode, 0)
        finally:
            for name, net in (gone, alive, elsewhere):
                docker("rm", "-f", name)
                docker("network", "rm", net)


if __name__ == "__main__":
    unittest.main()
