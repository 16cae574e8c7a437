"""Foresight: completion forecasts (预计逾期) and the problem ledger (问题清单)."""
