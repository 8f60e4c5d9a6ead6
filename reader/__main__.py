"""Run reader with `python -m reader`."""

from reader.cli import main

# Guarded: the entity worker is a spawned process, which imports the parent's main module
# (as "__mp_main__") before it starts; unguarded, it would start a second reader.
if __name__ == "__main__":
    raise SystemExit(main())
