"""The agency's working-day calendar (holidays and working-day arithmetic)."""
