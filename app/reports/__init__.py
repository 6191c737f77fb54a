"""Reports: CERIS report editions compiled from accepted contributions, curated, built and published."""
