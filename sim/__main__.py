"""``python -m sim`` is the same as the ``workforce`` command."""

from .cli import main

raise SystemExit(main())
