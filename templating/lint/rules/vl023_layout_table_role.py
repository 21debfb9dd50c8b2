from ._emailhtml import slip_hits
from .base import Rule


class LayoutTableRoleRule(Rule):
    """A layout ``<table>`` (no header cells, no caption) lacks ``role="presentation"``.

    Emails are laid out with tables; a screen reader announces each one as a data table
    ("table, 3 rows, 2 columns") before every cell of the message. ``role="presentation"``
    tells it the table is only layout. Tables with ``<th>``, ``<thead>`` or ``<caption>`` are
    data tables and are left alone.

    **Anti-pattern**::

        <table><tr><td>Hello $data.name</td></tr></table>
        ## data: {"name": "Ann"}

    **Best practice**::

        <table role="presentation"><tr><td>Hello $data.name</td></tr></table>
        ## data: {"name": "Ann"}
    """

    code = "VL023"
    name = "layout-table-role"
    severity = "info"
    needs_scenarios = True

    def check_template(self, ctx):
        return slip_hits(ctx, self.name)
