"""Pilot tests (a package, so that its conftest is ``ui.conftest`` and does not take the
place of the root ``conftest`` module that test files import by name)."""
