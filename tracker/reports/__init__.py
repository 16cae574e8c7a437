"""Progress reports (报送), reporting periods and evidence files."""
