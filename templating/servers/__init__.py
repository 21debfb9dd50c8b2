"""What the two local web servers (``templating preview`` and ``templating sandbox``) share.

Both serve on loopback and both handle untrusted input: templates that may never finish
rendering, and requests from whatever web page the user has open. The rules that protect
them live here once, so the servers cannot drift apart:

- :mod:`.hosts`: which ``Host`` a request may name (DNS rebinding) and which ``Origin`` may
  change state (cross-site request forgery);
- :mod:`.renders`: renders run off the event loop in a bounded pool with a deadline, so one
  runaway template costs only its own page;
- :mod:`.sockets`: binding the listening socket and reading a request body under a limit
  (also used by ``templating track --listen``).

This package imports nothing from the layers that use it.
"""
