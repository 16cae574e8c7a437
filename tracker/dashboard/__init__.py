"""The office dashboard and a unit's home page."""
