import io

from litsync.commands.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_one_updating_line() -> None:
    stream = Terminal()
    progress = Progress(560, stream)
    progress.start(2)
    progress.advance(280, 1)
    progress.advance(280, 2)
    progress.finish()
    assert stream.getvalue() == (
        "litsync: fetching 560 papers in 2 requests\n"
        "\r\x1b[Klitsync: fetched 280/560 papers (1 request)"
        "\r\x1b[Klitsync: fetched 560/560 papers (2 requests)\n"
    )


def test_logs_get_plain_lines() -> None:
    stream = io.StringIO()
    progress = Progress(12, stream)
    progress.start(1)
    progress.advance(12, 1)
    progress.finish()
    assert stream.getvalue() == (
        "litsync: fetching 12 papers in 1 request\nlitsync: fetched 12/12 papers (1 request)\n"
    )
