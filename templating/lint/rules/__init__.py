"""The lint rules, one per module, each with a stable code and a readable name.

``RULES`` is the registry in code order; :func:`get_rule` finds one by code or name.
"""
from __future__ import annotations

from .base import Hit, Rule
from .vl001_syntax_error import SyntaxErrorRule
from .vl002_render_error import RenderErrorRule
from .vl003_missing_field import MissingFieldRule
from .vl004_unused_field import UnusedFieldRule
from .vl005_loud_reference import LoudReferenceRule
from .vl006_not_a_list import NotAListRule
from .vl007_type_mismatch import TypeMismatchRule
from .vl008_removed_velocitycount import RemovedVelocityCountRule
from .vl009_unknown_directive import UnknownDirectiveRule
from .vl010_field_typo import FieldTypoRule
from .vl011_gmail_clipping import GmailClippingRule
from .vl012_unrendered_link import UnrenderedLinkRule
from .vl013_unreadable_file import UnreadableFileRule
from .vl014_bad_scenario import BadScenarioRule
from .vl015_schema_violation import SchemaViolationRule
from .vl016_uncovered_branch import UncoveredBranchRule
from .vl017_method_named_key import MethodNamedKeyRule
from .vl020_client_support import ClientSupportRule
from .vl021_img_alt import ImgAltRule
from .vl022_html_lang import HtmlLangRule
from .vl023_layout_table_role import LayoutTableRoleRule
from .vl024_link_text import LinkTextRule
from .vl025_missing_title import MissingTitleRule
from .empty_in_text import EmptyInTextRule
from .hash_in_string import HashInStringRule

RULES: tuple[type[Rule], ...] = (
    SyntaxErrorRule, RenderErrorRule, MissingFieldRule, UnusedFieldRule, LoudReferenceRule,
    NotAListRule, TypeMismatchRule, RemovedVelocityCountRule, UnknownDirectiveRule,
    FieldTypoRule, GmailClippingRule, UnrenderedLinkRule, UnreadableFileRule,
    BadScenarioRule, SchemaViolationRule, UncoveredBranchRule, MethodNamedKeyRule,
    ClientSupportRule, ImgAltRule, HtmlLangRule, LayoutTableRoleRule, LinkTextRule,
    MissingTitleRule, EmptyInTextRule, HashInStringRule,
)


def get_rule(code_or_name: str) -> type[Rule] | None:
    """The rule with this code (``VL003``, case-insensitive) or name (``missing-field``)."""
    wanted = code_or_name.strip()
    for rule in RULES:
        if rule.code.lower() == wanted.lower() or rule.name == wanted.lower():
            return rule
    return None


__all__ = ["RULES", "Rule", "Hit", "get_rule"]
