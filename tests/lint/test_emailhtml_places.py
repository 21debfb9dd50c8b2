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
