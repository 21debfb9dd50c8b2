"""Progress output: a redrawn bar with rate and ETA on a terminal, plain lines in logs."""
import io

from templating.smartsend.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_tty_bar_shows_rate_and_eta():
    out, clock = io.StringIO(), Clock()
    p = Progress(1000, stream=out, tty=True, clock=clock)
    clock.now = 2.0
    p.advance(250)
    text = out.getvalue()
    assert text.startswith("\r\x1b[2K[#######.....................] sent 250/1,000 (25%)")
    assert "125/s ETA 0:06" in text
    clock.now = 8.0
    p.advance(750)
    p.close()
    assert out.getvalue().endswith("sent 1,000/1,000 (100%) 125/s ETA 0:00\n")


def test_plain_lines_are_throttled_and_newline_terminated():
    out, clock = io.StringIO(), Clock()
    p = Progress(100, stream=out, tty=False, every=5, clock=clock)
    for step in range(1, 11):
        clock.now = step
        p.advance(10)
    p.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines == ["sent 10/100 (10%) 10/s ETA 0:09", "sent 60/100 (60%) 10/s ETA 0:04",
                     "sent 100/100 (100%) 10/s ETA 0:00"]


def test_unknown_total_counts_with_rate():
    out, clock = io.StringIO(), Clock()
    p = Progress(None, label="planned", stream=out, tty=False, every=1, clock=clock)
    clock.now = 4.0
    p.advance(2000)
    p.close()
    assert out.getvalue().splitlines() == ["planned 2,000 (500/s)", "planned 2,000 (500/s)"]
