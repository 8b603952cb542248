"""The test servers' own harness (servers.py): a test talks only to the server it started,
even with the other run of `make test` starting servers side by side."""
import socket
import sys

import pytest

from .servers import Server, free_port, release, wait_for_port

LISTEN = ("import socket, sys, time; s = socket.socket(); "
          "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
          "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); time.sleep(60)")


def test_a_port_handed_out_is_held_until_its_server_starts():
    port = free_port()
    with socket.socket() as other, pytest.raises(OSError):  # as another process's server
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", port))
    server = Server([sys.executable, "-c", LISTEN, str(port)], ports=[port])
    try:
        wait_for_port(port, server.process)
    finally:
        server.stop()


def test_a_port_another_process_listens_on_is_refused():
    port = free_port()
    release(port)
    theirs = Server([sys.executable, "-c", LISTEN, str(port)])
    ours = Server([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        wait_for_port(port, theirs.process)
        with pytest.raises(RuntimeError, match="another process"):
            wait_for_port(port, ours.process)
    finally:
        theirs.stop()
        ours.stop()
