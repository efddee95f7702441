"""The records grid's parameters on the county demo, shared by the records source and
records callback tests: the 4 weeks 2026-W43..W46 of 永兴县."""
from __future__ import annotations

from tests.support.demo import DEMO_COUNTY

WEEKS = [202643, 202644, 202645, 202646]
PARAMS = {"region": DEMO_COUNTY, "weeks": WEEKS}
