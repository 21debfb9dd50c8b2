"""Which template a message id stands for, and what each recipient would receive.

``--messages DIR`` plays the part of the messages prepared in a Reteno account. A message id
maps to a template file by, in this order:

1. ``DIR/messages.json``: ``{"1853402": "order.html"}`` or
   ``{"1853402": {"template": "order.html", "subject": "Order $data.orderId",
   "channel": "email", "name": "Order confirmation"}}`` (paths relative to ``DIR``;
   ``channel`` is one of :data:`templating.smartsend.locators.CHANNELS` and decides which
   locators a body with ``"email": false`` may carry; without it such a body is SMS);
2. a file in ``DIR`` named ``<id>.<ext>`` or ``<id>-<anything>.<ext>`` / ``<id>_<anything>.<ext>``
   with ``ext`` one of :data:`~templating.engine.loader.TEMPLATE_SUFFIXES`.

The folder is looked at on every request, so editing a template while the sandbox runs
takes effect on the next send, like editing the message in the account.

Rendering uses our engine with ``$data`` = the recipient's decoded ``jsonParam`` (the
platform's convention), then the platform's merge tags via :mod:`templating.message` when it
is available. A template that fails to render does not fail the API call (the platform
accepts first and renders later); the error is kept for the inbox and the recipient's
delivery status ends in ``ERROR``. The app renders a batch in a
:class:`~templating.servers.renders.RenderPool` with a deadline: a template that does not
finish in time is recorded as that recipient's render error and the API call still answers.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..engine.loader import is_template_file_name, read_template
from ..errors import MessagesConfigError, TemplatingError, closest, quoted
from ..project import is_inside
from .validate import loads_json

MAPPING_FILE = "messages.json"
_ID_PREFIX = re.compile(r"^(\d+)(?:[-_.].*)?$")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _check_channel(path: Path, key: str, channel) -> None:
    """A message's ``channel`` is one the client knows (a typo would otherwise quietly
    validate its recipients as SMS)."""
    from ..smartsend.locators import CHANNELS

    if channel is None or channel in CHANNELS:
        return
    guess = closest(str(channel), CHANNELS) if isinstance(channel, str) else None
    hint = f" (did you mean {guess!r}?)" if guess else f" (use one of: {', '.join(CHANNELS)})"
    raise MessagesConfigError(path, f"entry {key!r}: unknown channel {channel!r}{hint}")


@dataclass(frozen=True)
class MessageInfo:
    """A prepared message: its id, template file and what the mapping says about it."""

    id: int
    path: Path
    name: str
    subject: str | None = None
    channel: str | None = None
    from_name: str | None = None

    def source(self) -> str:
        """The template's text through the project's one template reader (size cap, NUL
        and UTF-8 checks), so the sandbox reads exactly what ``templating render`` reads."""
        return read_template(self.path)


@dataclass
class Rendered:
    text: str | None
    subject: str | None
    error: str | None


class MessageCatalog:
    """The message ids a ``--messages`` folder defines (empty when there is no folder)."""

    def __init__(self, directory: Path | str | None):
        self.directory = Path(directory) if directory is not None else None

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _mapping(self) -> dict[int, dict]:
        assert self.directory is not None
        path = self.directory / MAPPING_FILE
        if not path.is_file():
            return {}
        self._confined(path)
        try:
            raw = loads_json(path.read_text(encoding="utf-8"))
        except (ValueError, OSError, UnicodeDecodeError) as err:
            raise MessagesConfigError(path, f"not valid JSON: {err}") from None
        if not isinstance(raw, dict):
            raise MessagesConfigError(path, "must be an object mapping message ids to templates")
        out: dict[int, dict] = {}
        for key, value in raw.items():
            if not (str(key).isascii() and str(key).isdigit()):
                raise MessagesConfigError(path, f"key {key!r} is not a message id (digits)")
            entry = {"template": value} if isinstance(value, str) else value
            if not isinstance(entry, dict) or not isinstance(entry.get("template"), str):
                raise MessagesConfigError(path, f"entry {key!r} needs a 'template' path")
            _check_channel(path, key, entry.get("channel"))
            out[int(key)] = entry
        return out

    def _confined(self, path: Path) -> None:
        """A file of the folder is read only when its real path stays inside it: the
        folder may come from a repository, and a symlink to ``~/.ssh/id_rsa`` named
        ``1-x.html`` would otherwise be rendered into the inbox."""
        if not is_inside(path, self.directory):
            raise MessagesConfigError(path, f"is a symlink to {quoted(os.path.realpath(path))}, "
                                            "outside the messages folder; not read")

    def get(self, message_id: int) -> MessageInfo | None:
        """The message with this id, or ``None`` if the folder does not define it."""
        if self.directory is None:
            return None
        entry = self._mapping().get(message_id)
        if entry is not None:
            path = (self.directory / entry["template"]).resolve()
            if not path.is_file() or not is_inside(path, self.directory):
                raise MessagesConfigError(
                    self.directory / MAPPING_FILE, f"template of message {message_id}"
                    f" not found in {self.directory}: {entry['template']}")
            return MessageInfo(message_id, path, str(entry.get("name") or path.stem),
                               entry.get("subject"), entry.get("channel"), entry.get("fromName"))
        for path in sorted(self.directory.iterdir()):
            if not is_template_file_name(path) or not path.is_file():
                continue
            match = _ID_PREFIX.match(path.stem)
            if match and int(match.group(1)) == message_id:
                self._confined(path)
                return MessageInfo(message_id, path, path.stem)
        return None

    def all(self) -> list[MessageInfo]:
        """Every message the folder defines, by id."""
        if self.directory is None:
            return []
        ids = set(self._mapping())
        for path in self.directory.iterdir():
            match = _ID_PREFIX.match(path.stem)
            if match and is_template_file_name(path):
                ids.add(int(match.group(1)))
        found = [self.get(i) for i in sorted(ids)]
        return [m for m in found if m is not None]


class Renderer:
    """Renders one message for many recipients with a shared engine (parse once).

    Each recipient becomes a :class:`templating.scenarios.Scenario` built from the same
    smartsend shape a scenario file would hold (so ``$data``, ``$contactId``,
    ``$messageId``, contact fields and merge tags behave exactly as in preview), rendered
    by :func:`templating.message.render_message`.
    """

    def __init__(self, templates_dir: Path | None):
        self.templates_dir = templates_dir
        self._engine = None

    def _get_engine(self):
        if self._engine is None:
            from ..engine import Engine  # an inner layer, imported when first needed
            self._engine = Engine(templates_dir=str(self.templates_dir.resolve())
                                  if self.templates_dir is not None else None)
        return self._engine

    def render_batch(self, message: MessageInfo, recipients: list, out: list | None = None,
                     stop=None) -> list[Rendered]:
        """Render ``message`` for each accepted recipient (``store.NewRecipient``).

        Errors become one line each, never raises: a broken template must not take the
        server down or fail the API call. Results are appended to ``out`` as they are made
        and the loop ends early once ``stop`` (a :class:`threading.Event`) is set, so a
        caller whose deadline passed keeps what was rendered and stops paying for the rest.
        """
        out = [] if out is None else out
        from ..message import render_message
        from ..scenarios import scenario_from_value

        name = message.path.name
        try:
            source = message.source()
        except TemplatingError as err:            # unreadable, too large, binary, not UTF-8
            error = err.one_line()
            out.extend(Rendered(None, None, error) for _ in recipients)
            return out
        try:
            engine = self._get_engine()
        except NotImplementedError:
            out.extend(Rendered(None, None, f"{name}: the template engine is not available")
                       for _ in recipients)
            return out
        for r in recipients:
            if stop is not None and stop.is_set():
                break
            try:
                scenario = scenario_from_value(_scenario_body(message.id, r),
                                               name=f"message {message.id}")
                text = render_message(source, scenario, engine=engine, name=name)
                subject = message.subject
                if subject and ("$" in subject or "#" in subject or "%" in subject):
                    subject = render_message(subject, scenario, engine=engine,
                                             name=f"{name} (subject)")
                if not subject:
                    match = _TITLE.search(text)
                    subject = " ".join(match.group(1).split()) if match else message.name
                out.append(Rendered(text, subject, None))
            except TemplatingError as err:
                out.append(Rendered(None, None, err.one_line()))
            except NotImplementedError:
                out.append(Rendered(None, None, f"{name}: the template engine is not available"))
            except Exception as err:  # an engine bug must not take the server down
                out.append(Rendered(None, None,
                                    f"{name}: internal render error: {type(err).__name__}: {err}"))
        return out


def _scenario_body(message_id: int, r) -> dict:
    """The scenario-format document describing one smartsend recipient."""
    recipient = {"jsonParam": r.json_param}
    for key, value in (("locator", r.locator), ("contactId", r.contact_id),
                       ("externalCustomerId", r.external_customer_id),
                       ("languageCode", r.language_code)):
        if value is not None:
            recipient[key] = int(value) if key == "contactId" else value
    return {"scenario": {"smartsend": {"recipients": [recipient]}, "recipient": 0,
                         "system": {"messageId": message_id}}}
