"""Deterministic demo dataset (two years, county / city / province scale) with planted anomalies.

Entry point: `generate(engine, scale=..., seed=..., as_of=..., progress=True) -> dict`.
Modules: context (parameters, random streams), regions, plan (planted anomalies),
beneficiaries / registry / funds, ledger, publicity (disclosures, projects), complaints /
workflow / texts, services, oversight (clue histories, warnings), loader, progress.
"""
from demo.generate import generate

__all__ = ["generate"]
