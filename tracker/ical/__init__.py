"""iCal subscription feeds: each user's secret link to the deadlines and milestones of
their unit's open items (not the working-day calendar, which is tracker.calendar)."""
