"""Loaded by the interpreter at start when this folder is on PYTHONPATH: the app's probe.

Only bench/switch_timeline.py puts it there (with SWITCH_PROBE set); see switch_probe.py.
"""

import os

if os.environ.get("SWITCH_PROBE") and os.environ.get("SWITCH_PROBE_APP"):
    import switch_probe

    switch_probe.patch_app()
