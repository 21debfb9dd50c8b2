"""What an operator does with unknown batches, as the end-to-end tests do it.

``templating status RUN --unknown --format json`` lists each unknown batch with its
``externalRequestId`` values; the operator looks them up on the platform (here: the
sandbox's ``/_sandbox/accepted``, its ground truth) and answers per batch with
``--mark-sent`` (all there) or ``--resend-unknown`` (none there).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "templating"


def unknown_batches(journal_path: Path, run_id: str, env: dict) -> list[dict]:
    listed = subprocess.run([str(BIN), "status", run_id, "--unknown", "--format", "json",
                             "--journal", str(journal_path)], env=env, capture_output=True,
                            text=True, timeout=60)
    assert listed.returncode in (0, 1), listed.stderr
    data = json.loads(listed.stdout)
    assert data["run"] == run_id
    # exit 1 exactly while something is unknown: the run is open
    assert listed.returncode == (1 if data["unknown"] else 0), listed.stderr
    return data["unknown"]


def verdicts(batches: list[dict], accepted_ids: set[str]) -> tuple[list[int], list[int]]:
    """(batches to mark sent, batches to re-send): whole batches only, never half."""
    mark, resend = [], []
    for batch in batches:
        ids = [r["externalRequestId"] for r in batch["recipients"]]
        there = [i for i in ids if i in accepted_ids]
        assert len(there) in (0, len(ids)), f"batch {batch['batch']} half accepted"
        (mark if there else resend).append(batch["batch"])
    return mark, resend


def resume(journal_path: Path, run_id: str, base_url: str, env: dict, *, mark=(), resend=(),
           timeout: float = 60) -> subprocess.CompletedProcess:
    """``templating send --resume RUN --journal J --base-url URL [--mark-sent ..]
    [--resend-unknown ..]`` - nothing else, as the printed hints say."""
    args = [str(BIN), "send", "--resume", run_id, "--journal", str(journal_path),
            "--base-url", base_url]
    if mark:
        args += ["--mark-sent", ",".join(map(str, mark))]
    if resend:
        args += ["--resend-unknown", ",".join(map(str, resend))]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)


def settle(journal_path: Path, run_id: str, sb, env: dict, *, rounds: int = 12) -> list[int]:
    """Resolve unknown batches and resume until the run is done; returns the number of
    unknown batches seen in each round."""
    seen = []
    for _ in range(rounds):
        batches = unknown_batches(journal_path, run_id, env)
        seen.append(len(batches))
        accepted = {a["externalRequestId"] for a in sb.accepted()}
        mark, resend = verdicts(batches, accepted)
        done = resume(journal_path, run_id, sb.base_url, env, mark=mark, resend=resend)
        assert "Traceback" not in done.stderr, done.stderr
        if done.returncode == 0:
            return seen
        assert done.returncode == 1, done.stderr
    raise AssertionError(f"run {run_id} not done after {rounds} rounds: {seen}")
