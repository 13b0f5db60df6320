#!/usr/bin/env python3
"""Checks that each workspace crate's `rust-version` is true of its dependencies: no crate it
depends on (its own dependencies of every kind, and what those build with, all features on)
declares a newer Rust. clippy's `incompatible_msrv` lint checks our own code against the same
number; this checks the lockfile. Run from the workspace root (scripts/test.sh does)."""
import json
import subprocess
import sys


def version(text):
    """ "1.88" or "1.88.0" as a comparable tuple."""
    parts = [int(part) for part in text.split(".")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    members = set(meta["workspace_members"])
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    bad = []
    for member in meta["workspace_members"]:
        ours = packages[member]
        floor = ours.get("rust_version")
        if not floor:
            bad.append(f"{ours['name']} has no rust-version")
            continue
        # The member's own dependencies of every kind; below them, what they build with.
        # Workspace crates are checked as members themselves.
        seen = set()
        todo = [d["pkg"] for d in nodes[member]["deps"]]
        while todo:
            pkg = todo.pop()
            if pkg in seen or pkg in members:
                continue
            seen.add(pkg)
            dep = packages[pkg]
            needs = dep.get("rust_version")
            if needs and version(needs) > version(floor):
                bad.append(
                    f"{ours['name']} (rust-version {floor}) depends on "
                    f"{dep['name']} {dep['version']}, which needs Rust {needs}"
                )
            todo.extend(
                d["pkg"]
                for d in nodes[pkg]["deps"]
                if any(k["kind"] in (None, "build") for k in d["dep_kinds"])
            )
    print("\n".join(bad) or "ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
