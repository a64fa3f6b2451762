#!/usr/bin/env python3
"""gen_scenarios.py - writes (or with --check, verifies) the scenario files.

    python3 tests/scenarios/gen_scenarios.py          # rewrite all
    python3 tests/scenarios/gen_scenarios.py --check  # exit 1 if stale

The scenarios live in the scen_*.py modules beside this file; the toolkit
and the file format are described in scenario_lib.py.
"""

import glob
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, HERE)

import scenario_lib  # noqa: E402

for path in sorted(glob.glob(os.path.join(HERE, "scen_*.py"))):
    importlib.import_module(os.path.basename(path)[:-3])

if __name__ == "__main__":
    sys.exit(scenario_lib.main(sys.argv))
