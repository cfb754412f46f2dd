"""The process table, read from /proc: which processes a harvest left behind (tests and bench/chaos.py)."""

from __future__ import annotations

from pathlib import Path


def processes() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, command line) of every live process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":  # zombies are gone, only not yet reaped
                table[int(entry.name)] = (int(fields[1]), cmdline)
    return table


def descendants(pid: int) -> dict[int, str]:
    """pid → command line of every process below `pid`, children and theirs."""
    table, found, parents = processes(), {}, {pid}
    while parents:
        children = {p for p, (ppid, _) in table.items() if ppid in parents and p not in found}
        found.update({p: table[p][1] for p in children})
        parents = children
    return found
