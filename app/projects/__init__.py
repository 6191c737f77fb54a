"""The project explorer: EU-funded projects imported from CORDIS open data."""
