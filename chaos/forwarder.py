"""`python -m chaos.forwarder LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT`: a TCP relay.

PostgreSQL here listens on 127.0.0.1 only, which a worker in another network namespace
cannot reach. This relay listens on the host end of that namespace's veth pair and
copies bytes both ways, so the worker's TCP connections cross the veth (where the
partition cuts them) while the server stays as it is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

CHUNK = 65536


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        # One side gone ends the pair: PostgreSQL's protocol has no use for half-closes.
        writer.close()


async def _relay(
    target: tuple[str, int], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(*target)
    except OSError:
        writer.close()
        return
    await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))


async def serve(listen: tuple[str, int], target: tuple[str, int]) -> None:
    """Relay every connection to `listen` to `target`, until killed."""
    server = await asyncio.start_server(
        lambda reader, writer: _relay(target, reader, writer), *listen, reuse_address=True
    )
    print(f"relaying {listen[0]}:{listen[1]} -> {target[0]}:{target[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Parse the command line and relay."""
    host, port, target_host, target_port = sys.argv[1:5]
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve((host, int(port)), (target_host, int(target_port))))


if __name__ == "__main__":
    main()
