#!/usr/bin/env python3
"""A local SMTP sink for tests and benchmarks.

Accepts every message and writes it to DIR as one .eml file (unless --discard), except
that any recipient whose address starts with "reject" (or is listed with --reject) is
refused at RCPT with 550, so tests can check permanent failures.

    python3 scripts/smtp_sink.py --port 2525 --dir /tmp/mail
    python3 scripts/smtp_sink.py --port 2525 --discard      # benchmarks: count only

Needs aiosmtpd (`pip install aiosmtpd` or Debian's python3-aiosmtpd).
"""

import argparse
import asyncio
import itertools
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory, reject, discard):
        self.directory = directory
        self.reject = {a.lower() for a in reject}
        self.discard = discard
        self.counter = itertools.count(1)
        self.received = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        lower = address.lower()
        if lower.startswith("reject") or lower in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        if not self.discard:
            n = next(self.counter)
            name = os.path.join(self.directory, f"{os.getpid()}-{n:07d}.eml")
            tmp = name + ".tmp"
            data = envelope.original_content or envelope.content
            if isinstance(data, str):
                data = data.encode("utf-8")
            with open(tmp, "wb") as f:
                f.write(b"X-Sink-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
                f.write(data)
            os.replace(tmp, name)
        return "250 Message accepted"


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default="data/sink")
    parser.add_argument("--reject", action="append", default=[], help="refuse this recipient with 550")
    parser.add_argument("--discard", action="store_true", help="count messages, write nothing")
    args = parser.parse_args()
    if not args.discard:
        os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, args.reject, args.discard)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink.localhost"), args.host, args.port)
    print(f"smtp sink listening on {args.host}:{args.port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    print(f"smtp sink received {sink.received} message(s)", file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
