# chattest_cluster.py -- the parts of a chat cluster for tests: three
# clustered nats-servers with JetStream, a node (a Service with its
# bridge), and what its users and chatctl show.
import json
import os
import shutil
import subprocess
import threading

import chattest as T
import chattest_accounts as A

BRIDGE = T.program("chat-bridge")
NATS = shutil.which("nats-server")


class Nats:
    """n nats-servers with JetStream (clustered on loopback if n > 1):
    each its own client port, route port and storage directory."""

    def __init__(self, svc, n=3):
        self.svc = svc
        self.ports = [T.free_port() for _ in range(n)]
        self.routes = [T.free_port() for _ in range(n)]
        self.p = [None] * n

    def start(self, i):
        routes = ",".join("nats://127.0.0.1:%d" % r for k, r in enumerate(self.routes)
                          if k != i)
        cmd = [NATS, "-js", "-a", "127.0.0.1", "-p", str(self.ports[i]),
               "--server_name", "s%d" % i,
               "-sd", os.path.join(self.svc.dir, "nats%d" % i)]
        if len(self.ports) > 1:
            cmd += ["--cluster_name", "chat-t",
                    "--cluster", "nats://127.0.0.1:%d" % self.routes[i],
                    "--routes", routes]
        with open(os.path.join(self.svc.dir, "nats%d.log" % i), "ab") as log:
            self.p[i] = subprocess.Popen(cmd, stdout=log, stderr=log,
                                         start_new_session=True)
        self.svc._extra.append(self.p[i])
        return T.wait_for(lambda: T._tcp_listening(self.ports[i]), timeout=10)

    def start_all(self):
        return all([self.start(i) for i in range(len(self.ports))])

    def stop(self, i):
        self.p[i].kill()
        self.p[i].wait(timeout=10)

    def stop_all(self):
        for i in range(len(self.ports)):
            self.stop(i)

    def url(self, first):
        """Every server, server first first (the one a node connects to)."""
        order = [first] + [k for k in range(len(self.ports)) if k != first]
        return ", ".join("nats://127.0.0.1:%d" % self.ports[k] for k in order)

    def clients(self, i):
        """Connections server i serves now (its monitoring is off: ss)."""
        r = subprocess.run(["ss", "-Htn", "state", "established",
                            "( sport = :%d )" % self.ports[i]],
                           capture_output=True, text=True)
        return len(r.stdout.splitlines())


class Bridge:
    def __init__(self, svc):
        self.svc = svc
        self.p = None

    def start(self):
        with open(os.path.join(self.svc.dir, "bridge.log"), "ab") as log:
            self.p = subprocess.Popen([BRIDGE, "-c", self.svc.conf_path],
                                      stdout=subprocess.PIPE, stderr=log,
                                      start_new_session=True)
        self.svc._extra.append(self.p)
        return self.p.stdout.readline().decode().startswith("ready")

    def kill(self):
        self.p.kill()
        self.p.wait(timeout=10)


def users(client):
    """/users as a sorted list of names (name@node for another node's)."""
    client.send("/users")
    line = client.expect(T.rx(r"^\* users \(\d+\):"), "%s: /users answers" % client.label,
                         skip=True)
    return sorted(line.split(":", 1)[1].split()) if line else None


HEARTBEAT, TIMEOUT = 1, 3      # node_heartbeat, node_timeout (s)


RITA = "rita-password"      # registered on every node


def node(name, nats_url, **conf):
    svc = A.Service(users={"rita": RITA}, rate_msgs=100000, rate_burst=100000,
                    node_name=name, nats_url=nats_url, node_heartbeat=HEARTBEAT,
                    node_timeout=TIMEOUT, **conf)
    return svc, Bridge(svc)


def nodes(svc):
    """chatctl nodes --json as {name: (state, users)}."""
    r = svc.chatctl("nodes", "--json")
    try:
        return {n["name"]: (n["state"], n["users"]) for n in json.loads(r.stdout)}
    except ValueError:
        return None




def kill_node(svc, bridge):
    """kill -9 a node's bridge, sessions and hub."""
    bridge.kill()
    for p, _port, _log in svc.activators:
        T._killpg(p)
    svc.activators.clear()
    svc.kill_hub()


def at_once(sends):
    """{key: (client, line)}: each client sends its line at the same
    moment; {key: the first line each then reads}."""
    barrier = threading.Barrier(len(sends))
    got = {}

    def send(key, client, line):
        barrier.wait()
        client.send(line)
        got[key] = client.read_line(timeout=10)
    ts = [threading.Thread(target=send, args=(k, c, line))
          for k, (c, line) in sends.items()]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return got
