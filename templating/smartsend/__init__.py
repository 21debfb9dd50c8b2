"""Build, send and track smartsend campaigns: never twice, never lost.

The pieces, innermost first (each module has one job):

- :mod:`.recipients` reads CSV / JSON Lines / JSON recipient lists as a stream.
- :mod:`.locators` validates and normalises email addresses and phone numbers.
- :mod:`.build` turns recipients into request bodies (``jsonParam`` = ``json.dumps``).
- :mod:`.dryrun` renders each recipient's message first and reports findings.
- :mod:`.config` finds the API key and base URL (never argv, never printed).
- :mod:`.client` talks HTTP: timeouts, concurrency, rate limit, what each answer proves
  (retry only what provably did not arrive; "unknown" is what may have).
- :mod:`.journal` is the SQLite record that makes resuming safe, and where the operator's
  verdict on unknown batches is kept.
- :mod:`.sender` sends a planned run exactly once; :mod:`.tracker` follows statuses.
- :mod:`.reconcile` settles unknown batches from the platform's Get contacts activity
  (the request-level ``externalRequestId``), before the operator is asked.
- :mod:`.progress` shows progress on a terminal or in logs.
"""
from .build import BuildOptions, Finding, Summary, encode_params, plan
from .client import ApiClient, ApiRefused
from .config import Settings, load_settings
from .journal import Journal
from .recipients import Recipient, read_recipients
from .reconcile import ReconcileReport   # the function stays reconcile.reconcile: a
# package attribute named like the module would hide the module
from .sender import SendReport, Sender, check_unchanged, plan_run, resume_command
from .tracker import Tracker, TrackReport

__all__ = [
    "read_recipients", "Recipient", "BuildOptions", "plan", "encode_params", "Finding",
    "Summary", "load_settings", "Settings", "ApiClient", "ApiRefused", "Journal", "Sender",
    "SendReport", "plan_run", "resume_command", "check_unchanged", "Tracker", "TrackReport",
    "ReconcileReport",
]
