"""A network namespace for one worker, joined to the host by a veth pair that can be cut.

The worker's database traffic goes through the veth to a relay on the host side
(chaos/forwarder.py), which reaches PostgreSQL on 127.0.0.1. A cut sets the host end of the
veth down: the namespace's end loses its carrier and every packet either way vanishes (no
RST, no ICMP error), as in a real partition. The namespace keeps a permanent neighbour
entry for the host address, so new connections hang as well, instead of failing at once
with "no route to host" when ARP gets no answer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .processes import ROOT


def _ip(*args: str, namespace: str = "") -> subprocess.CompletedProcess[str]:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    return subprocess.run(
        [*prefix, "ip", *args], capture_output=True, text=True, timeout=30, check=False
    )


def unavailable() -> str:
    """Why a namespace cannot be made here ('' when it can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    probe = f"chaosprobe{os.getpid()}"
    made = _ip("netns", "add", probe)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()[:200]}"
    _ip("netns", "del", probe)
    return ""


class Partition:
    """One namespace, its veth pair and relay; `cut()` and `restore()` the link."""

    def __init__(self, seed: int, target: tuple[str, int]) -> None:
        # Names and a /30 of 10.0.0.0/8 from the seed (a pid), so parallel runs do not meet.
        number = seed % 25600
        self.namespace = f"chaosns{seed}"
        self.host_end = f"chv{number}h"
        self.inside_end = f"chv{number}n"
        prefix = f"10.{100 + number // 256}.{number % 256}"
        self.host_address = f"{prefix}.1"
        self.inside_address = f"{prefix}.2"
        self.target = target
        self.relay: subprocess.Popen[bytes] | None = None
        self.is_cut = False

    def set_up(self, log: Path) -> None:
        """Create the namespace, the veth pair and the relay; raise if any step fails."""
        self.tear_down()
        steps: list[tuple[tuple[str, ...], str]] = [
            (("netns", "add", self.namespace), ""),
            (("link", "add", self.host_end, "type", "veth", "peer", "name", self.inside_end), ""),
            (("link", "set", self.inside_end, "netns", self.namespace), ""),
            (("addr", "add", f"{self.host_address}/30", "dev", self.host_end), ""),
            (("link", "set", self.host_end, "up"), ""),
            (("addr", "add", f"{self.inside_address}/30", "dev", self.inside_end), self.namespace),
            (("link", "set", self.inside_end, "up"), self.namespace),
            (("link", "set", "lo", "up"), self.namespace),
        ]
        for args, namespace in steps:
            done = _ip(*args, namespace=namespace)
            if done.returncode != 0:
                self.tear_down()
                raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
        mac = Path(f"/sys/class/net/{self.host_end}/address").read_text().strip()
        _ip(
            "neigh",
            "replace",
            self.host_address,
            "lladdr",
            mac,
            "nud",
            "permanent",
            "dev",
            self.inside_end,
            namespace=self.namespace,
        )
        with log.open("a") as output:
            self.relay = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "chaos.forwarder",
                    self.host_address,
                    str(self.target[1]),
                    *(self.target[0], str(self.target[1])),
                ],
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self._wait_for_relay()

    def _wait_for_relay(self) -> None:
        import socket

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host_address, self.target[1]), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the relay to PostgreSQL did not start")

    def url(self, database_url: str) -> str:
        """`database_url` reached through the relay, from inside the namespace."""
        parts = urlsplit(database_url)
        user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        netloc = f"{user}{self.host_address}:{self.target[1]}"
        return urlunsplit(parts._replace(netloc=netloc))

    def prefix(self) -> list[str]:
        """The command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.namespace]

    def cut(self) -> None:
        """Packets stop both ways from now on."""
        _ip("link", "set", self.host_end, "down")
        self.is_cut = True

    def restore(self) -> None:
        """Packets flow again (TCP connections that were not given up resume)."""
        _ip("link", "set", self.host_end, "up")
        self.is_cut = False

    def tear_down(self) -> None:
        """Remove the relay, the veth pair and the namespace (what exists of them)."""
        if self.relay is not None and self.relay.poll() is None:
            self.relay.kill()
            self.relay.wait(timeout=10)
        self.relay = None
        _ip("link", "del", self.host_end)
        _ip("netns", "del", self.namespace)


def target_of(database_url: str) -> tuple[str, int]:
    """The (host, port) a DATABASE_URL-style url names."""
    parts = urlsplit(database_url)
    return parts.hostname or "127.0.0.1", parts.port or 5432
