"""``python -m labkit.cli``: the same as the ``labs`` command."""

from labkit.cli import main

main()
