"""`reader index` until reader/cli.py merges INDEX_COMMANDS: the same main(), one more command.

    python bench/reader_index_shim.py index [PATH ...] [--jobs N]

bench/run.py uses it only when ``reader.cli.COMMANDS`` has no ``index`` yet.
"""

from __future__ import annotations

import sys

from reader.cli import COMMANDS, main
from reader.cli_index import INDEX_COMMANDS

if __name__ == "__main__":  # the guard matters: `reader index --jobs N` spawns workers
    COMMANDS.update(INDEX_COMMANDS)
    sys.exit(main(sys.argv[1:]))
