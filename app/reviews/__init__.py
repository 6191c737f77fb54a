"""Reviews: reviewer assignment (with conflict-of-interest rules) and the reviews themselves."""
