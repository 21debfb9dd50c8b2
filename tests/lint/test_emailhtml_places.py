"""The rendered-HTML rules' placing of a hit (``_emailhtml._spot``): its memo key's tags
before an offset are read once per run, with the answers of the full search."""
import random

from templating.lint.rules._emailhtml import _TAG, _tags_before


class _Run:
    def __init__(self, output):
        self.output, self.cache = output, {}


def test_the_tags_before_an_offset_are_those_of_the_full_search():
    """Offsets asked in any order, inside tag names and between ``<`` runs alike."""
    rng = random.Random(3)
    pieces = ["<", "</", "a", "B1", "-", "<td", "</td>", " ", ">", "<x-y", "/", "1", "<<",
              "</a", "\u0456"]
    for _ in range(5_000):
        output = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        run = _Run(output)
        for _ in range(4):
            offset = rng.randint(0, len(output))
            assert _tags_before(run, offset) == tuple(_TAG.findall(output, 0, offset)), \
                (output, offset)


def test_unrendered_link_asks_for_a_leftover_as_the_full_pattern():
    """``unrendered-link`` parses a scenario's HTML only when its two pattern starts find
    something: exactly when ``_LEFTOVER`` does."""
    from templating.lint.rules.vl012_unrendered_link import _LEFTOVER, _LEFTOVER_STARTS
    rng = random.Random(7)
    pieces = ["$", "#", "!", "{", "}", "(", ")", "a", "_", "1", " ", "if", "end", "endx",
              "elseif", "stop", "#fff", "$!{x}", "#{set}", "\u0456", ".", "-"]
    hits = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = _LEFTOVER.search(text) is not None
        assert bool(_LEFTOVER_STARTS[0].search(text) or _LEFTOVER_STARTS[1].search(text)) \
            is expected, repr(text)
        hits += expected
    assert 2_000 < hits < 18_000
